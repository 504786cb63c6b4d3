package cluster

import (
	"bufio"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
)

// nodes.conf, in Redis 7.2's format: one line per node as CLUSTER NODES
// shows it, with the aux fields after the address, then
// "vars currentEpoch N lastVoteEpoch M". Written to a temporary file and
// renamed over the old one, so a crash leaves the old or the new file.

// logLine is an error whose text is Redis's log line for it.
type logLine string

func (l logLine) Error() string { return string(l) }

func logLinef(format string, args ...any) error { return logLine(fmt.Sprintf(format, args...)) }

// lockedFile is the flock Redis takes on the config file so two nodes
// cannot share it.
type lockedFile struct{ f *os.File }

func lockConfig(path string) (*lockedFile, error) {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE, 0o644)
	if err != nil {
		return nil, logLinef("Can't open %s in order to acquire a lock: %v", path, err)
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		f.Close()
		if err == syscall.EWOULDBLOCK {
			return nil, logLinef("Sorry, the cluster configuration file %s is already used by a different Redis Cluster node. Please make sure that different nodes use different cluster configuration files.", path)
		}
		return nil, logLinef("Impossible to lock %s: %v", path, err)
	}
	return &lockedFile{f}, nil
}

func (l *lockedFile) release() {
	if l != nil {
		l.f.Close()
	}
}

// nodeLine is a node's description; withAux adds nodes.conf's aux fields.
func (c *Cluster) nodeLine(n *Node, withAux bool) string {
	var b strings.Builder
	b.WriteString(n.Name)
	fmt.Fprintf(&b, " %s:%d@%d", n.IP, n.Port, n.CPort)
	if n.Hostname != "" {
		b.WriteString("," + n.Hostname)
	}
	if withAux {
		if n.Hostname == "" {
			b.WriteByte(',')
		}
		if n.PPort != 0 {
			fmt.Fprintf(&b, ",tls-port=%d", n.PPort)
		}
		b.WriteString(",shard-id=" + n.ShardID)
	}
	b.WriteByte(' ')
	b.WriteString(flagString(n.flags))
	b.WriteByte(' ')
	if n.slaveof != nil {
		b.WriteString(n.slaveof.Name)
	} else {
		b.WriteByte('-')
	}
	epoch := n.Epoch
	if n.isSlave() && n.slaveof != nil {
		epoch = n.slaveof.Epoch
	}
	linkState := "disconnected"
	if n.link != nil && n.link.conn != nil || n.myself() {
		linkState = "connected"
	}
	fmt.Fprintf(&b, " %d %d %d %s", n.pingSent, n.pongReceived, epoch, linkState)
	for _, r := range n.slotRanges() {
		if r[0] == r[1] {
			fmt.Fprintf(&b, " %d", r[0])
		} else {
			fmt.Fprintf(&b, " %d-%d", r[0], r[1])
		}
	}
	if n.myself() {
		for j := 0; j < numSlots; j++ {
			if t := c.migrating[j]; t != nil {
				fmt.Fprintf(&b, " [%d->-%s]", j, t.Name)
			} else if f := c.importing[j]; f != nil {
				fmt.Fprintf(&b, " [%d-<-%s]", j, f.Name)
			}
		}
	}
	return b.String()
}

// nodesDescription is CLUSTER NODES (withAux false) or the node lines of
// nodes.conf; nodes in handshake are left out of CLUSTER NODES.
func (c *Cluster) nodesDescription(withAux bool) string {
	var b strings.Builder
	for _, n := range c.sortedNodes() {
		if !withAux && n.inHandshake() {
			continue
		}
		b.WriteString(c.nodeLine(n, withAux))
		b.WriteByte('\n')
	}
	return b.String()
}

// saveConfig writes nodes.conf atomically.
func (c *Cluster) saveConfig() error {
	content := c.nodesDescription(true) +
		fmt.Sprintf("vars currentEpoch %d lastVoteEpoch %d\n", c.currentEpoch, c.lastVoteEpoch)
	dir := filepath.Dir(c.configFile)
	tmp, err := os.CreateTemp(dir, filepath.Base(c.configFile)+".tmp-*")
	if err != nil {
		return err
	}
	if _, err := tmp.WriteString(content); err != nil {
		tmp.Close()
		os.Remove(tmp.Name())
		return err
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		os.Remove(tmp.Name())
		return err
	}
	tmp.Close()
	if err := os.Rename(tmp.Name(), c.configFile); err != nil {
		os.Remove(tmp.Name())
		return err
	}
	return nil
}

// loadConfig reads nodes.conf; it reports false when there is none (or
// it is empty), so a new identity is made.
func (c *Cluster) loadConfig() (bool, error) {
	f, err := os.Open(c.configFile)
	if os.IsNotExist(err) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<16), 1<<26)
	get := func(name string) *Node {
		n := c.lookup(name)
		if n == nil {
			n = newNode(name, 0)
			c.addNode(n)
		}
		return n
	}
	lines := 0
	now := nowMs()
	bad := func(line string) (bool, error) {
		return false, logLinef("Unrecoverable error: corrupted cluster config file \"%s\".", line)
	}
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" {
			continue
		}
		lines++
		fs := strings.Fields(line)
		if fs[0] == "vars" {
			for i := 1; i+1 < len(fs); i += 2 {
				v, err := strconv.ParseUint(fs[i+1], 10, 64)
				if err != nil {
					return bad(line)
				}
				switch fs[i] {
				case "currentEpoch":
					c.currentEpoch = v
				case "lastVoteEpoch":
					c.lastVoteEpoch = v
				}
			}
			continue
		}
		if len(fs) < 8 || !validName(fs[0]) {
			return bad(line)
		}
		n := get(fs[0])
		addr := strings.Split(fs[1], ",")
		hp := addr[0]
		at := strings.LastIndexByte(hp, '@')
		colon := strings.LastIndexByte(hp[:max(at, 0)], ':')
		if at < 0 || colon < 0 {
			return bad(line)
		}
		n.IP = hp[:colon]
		n.Port, _ = strconv.Atoi(hp[colon+1 : at])
		n.CPort, _ = strconv.Atoi(hp[at+1:])
		if len(addr) > 1 {
			n.Hostname = addr[1]
		}
		for _, aux := range addr[min(2, len(addr)):] {
			k, v, _ := strings.Cut(aux, "=")
			switch k {
			case "shard-id":
				n.ShardID = v
			case "tls-port":
				n.PPort, _ = strconv.Atoi(v)
			case "tcp-port":
				n.Port, _ = strconv.Atoi(v)
			}
		}
		n.flags = parseFlags(fs[2])
		if n.flags&flagMyself != 0 {
			c.myself = n
		}
		if fs[3] != "-" {
			m := get(fs[3])
			n.slaveof = m
			m.addReplica(n)
		}
		if fs[4] != "0" {
			n.pingSent = now
		}
		if fs[5] != "0" {
			n.pongReceived = now
		}
		n.Epoch, err = strconv.ParseUint(fs[6], 10, 64)
		if err != nil {
			return bad(line)
		}
		for _, sl := range fs[8:] {
			if strings.HasPrefix(sl, "[") {
				sl = strings.Trim(sl, "[]")
				if i := strings.Index(sl, "->-"); i > 0 {
					s, err := strconv.Atoi(sl[:i])
					if err != nil || s < 0 || s >= numSlots {
						return bad(line)
					}
					c.migrating[s] = get(sl[i+3:])
				} else if i := strings.Index(sl, "-<-"); i > 0 {
					s, err := strconv.Atoi(sl[:i])
					if err != nil || s < 0 || s >= numSlots {
						return bad(line)
					}
					c.importing[s] = get(sl[i+3:])
				} else {
					return bad(line)
				}
				continue
			}
			lo, hi, isRange := strings.Cut(sl, "-")
			a, err1 := strconv.Atoi(lo)
			b := a
			var err2 error
			if isRange {
				b, err2 = strconv.Atoi(hi)
			}
			if err1 != nil || err2 != nil || a < 0 || b >= numSlots || a > b {
				return bad(line)
			}
			for s := a; s <= b; s++ {
				c.addSlot(n, s)
			}
		}
	}
	if err := sc.Err(); err != nil {
		return false, err
	}
	if lines == 0 {
		return false, nil
	}
	if c.myself == nil {
		return false, logLinef("Unrecoverable error: corrupted cluster config file \"%s\": myself node not found.", c.configFile)
	}
	return true, nil
}
