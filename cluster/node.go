package cluster

import (
	"crypto/rand"
	"encoding/hex"
	"sort"
	"strings"
)

// Node is one cluster node as this node sees it (Redis's clusterNode).
// Every field is guarded by the server lock.
type Node struct {
	Name     string
	ShardID  string
	flags    int
	Epoch    uint64 // configEpoch
	slots    [numSlots / 8]byte
	numSlots int
	slaveof  *Node
	replicas []*Node

	ctime, pingSent, pongReceived, dataReceived, failTime int64 // ms
	votedTime                                             int64 // last vote for one of its replicas (ms)

	IP          string
	Port, CPort int // client and bus ports
	PPort       int // the other client port (TLS); always 0
	Hostname    string

	link, inbound *link
	failReports   map[*Node]int64
}

// randomName is a new 40-hex-digit node or shard name.
func randomName() string {
	var b [NameLen / 2]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

func (n *Node) isMaster() bool    { return n.flags&flagMaster != 0 }
func (n *Node) isSlave() bool     { return n.flags&flagSlave != 0 }
func (n *Node) inHandshake() bool { return n.flags&flagHandshake != 0 }
func (n *Node) hasAddr() bool     { return n.flags&flagNoAddr == 0 }
func (n *Node) timedOut() bool    { return n.flags&flagPFail != 0 }
func (n *Node) failed() bool      { return n.flags&flagFail != 0 }
func (n *Node) myself() bool      { return n.flags&flagMyself != 0 }

func (n *Node) hasSlot(s int) bool { return n.slots[s>>3]&(1<<(s&7)) != 0 }

func (n *Node) setSlotBit(s int) bool {
	if n.hasSlot(s) {
		return false
	}
	n.slots[s>>3] |= 1 << (s & 7)
	n.numSlots++
	return true
}

func (n *Node) clearSlotBit(s int) bool {
	if !n.hasSlot(s) {
		return false
	}
	n.slots[s>>3] &^= 1 << (s & 7)
	n.numSlots--
	return true
}

func bitTest(b []byte, s int) bool { return b[s>>3]&(1<<(s&7)) != 0 }

// master returns the node itself when it is a master, else its master
// (which may be nil).
func (n *Node) master() *Node {
	if n.isMaster() {
		return n
	}
	return n.slaveof
}

// flagNames is the order Redis's representClusterNodeFlags writes flags in.
var flagNames = []struct {
	f    int
	name string
}{
	{flagMyself, "myself"}, {flagMaster, "master"}, {flagSlave, "slave"},
	{flagPFail, "fail?"}, {flagFail, "fail"}, {flagHandshake, "handshake"},
	{flagNoAddr, "noaddr"}, {flagNoFailover, "nofailover"},
}

// flagString is a node's flags as CLUSTER NODES shows them.
func flagString(flags int) string {
	var parts []string
	for _, fn := range flagNames {
		if flags&fn.f != 0 {
			parts = append(parts, fn.name)
		}
	}
	if len(parts) == 0 {
		return "noflags"
	}
	return strings.Join(parts, ",")
}

// parseFlags is the inverse of flagString (nodes.conf).
func parseFlags(s string) int {
	f := 0
	for _, p := range strings.Split(s, ",") {
		for _, fn := range flagNames {
			if p == fn.name {
				f |= fn.f
			}
		}
	}
	return f
}

// slotRanges returns the node's slots as [start, end] ranges.
func (n *Node) slotRanges() [][2]int {
	var out [][2]int
	start := -1
	for j := 0; j <= numSlots; j++ {
		on := j < numSlots && n.hasSlot(j)
		if on && start < 0 {
			start = j
		}
		if !on && start >= 0 {
			out = append(out, [2]int{start, j - 1})
			start = -1
		}
	}
	return out
}

// addFailureReport records that sender reports n as failing; it reports
// whether the report is new.
func (n *Node) addFailureReport(sender *Node, now int64) bool {
	if n.failReports == nil {
		n.failReports = map[*Node]int64{}
	}
	_, had := n.failReports[sender]
	n.failReports[sender] = now
	return !had
}

// cleanupFailureReports drops reports older than twice the node timeout.
func (n *Node) cleanupFailureReports(now, timeout int64) {
	for s, t := range n.failReports {
		if now-t > timeout*2 {
			delete(n.failReports, s)
		}
	}
}

func (n *Node) addReplica(r *Node) {
	for _, x := range n.replicas {
		if x == r {
			return
		}
	}
	n.replicas = append(n.replicas, r)
	sort.Slice(n.replicas, func(i, j int) bool { return n.replicas[i].Name < n.replicas[j].Name })
}

func (n *Node) removeReplica(r *Node) {
	for i, x := range n.replicas {
		if x == r {
			n.replicas = append(n.replicas[:i], n.replicas[i+1:]...)
			return
		}
	}
}
