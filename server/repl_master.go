package server

// The master side of replication: SYNC/PSYNC (a full resync with an RDB
// snapshot, or a partial one from the backlog), REPLCONF, the live
// command stream to attached replicas (the replication sink of the
// propagation feed), pings, ACKs and the replica timeout. The RDB is
// encoded from a snapshot taken under the lock, in a goroutine; each
// replica has its own writer goroutine so a slow replica never holds the
// lock.

import (
	"bytes"
	"fmt"
	"net"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/modhost/modhost/commands"
	"github.com/modhost/modhost/host"
)

// replicaRDBVersion is the RDB version of full resyncs: 10 is what Redis
// 7.0 replicas load (newer ones load it too).
const replicaRDBVersion = 10

// Replica states as INFO shows them.
const (
	replicaWaitBgsave = "wait_bgsave"
	replicaSendBulk   = "send_bulk"
	replicaOnline     = "online"
)

// masterState is the master side's part of replState.
type masterState struct {
	replicas []*replicaLink // attached, in attach order (slave0, slave1 ...)
	seldb    int            // database the stream has selected (-1: none)
	lastPing time.Time
	waiters  []*Client // clients blocked in WAIT
	// minReplicas and minReplicasMaxLag cache min-replicas-to-write and
	// min-replicas-max-lag, read on every write.
	minReplicas, minReplicasMaxLag int64
	// backlogSize caches repl-backlog-size, the least hard limit of the
	// replica output class.
	backlogSize int64
	// noReplicasSince is when the last replica went away (repl-backlog-ttl).
	noReplicasSince time.Time
	getAck          bool // send REPLCONF GETACK * before the next sleep
	stats           struct{ syncFull, partialOK, partialErr int64 }
}

// replicaLink is one replica connection: what REPLCONF told about it and,
// once SYNC/PSYNC attached it, its stream state and output.
type replicaLink struct {
	c        *Client
	port     int64
	ip       string
	capaEOF  bool
	capaPSY2 bool
	attached bool
	oldSync  bool // SYNC, not PSYNC: no ACKs
	state    string
	ackOff   int64
	ackTime  time.Time

	// Output, written by the link's goroutine. While the RDB is being
	// encoded, stream bytes are held back and follow it.
	mu      sync.Mutex
	cond    *sync.Cond
	out     []byte
	held    []byte
	waitRDB bool
	closed  bool
	// pending counts the bytes queued (out, held) or being written;
	// syncBytes, the part of them at the front that is the +FULLRESYNC
	// reply and the RDB payload, which Redis does not count as the
	// replica's output buffer (client-output-buffer-limit replica).
	pending, syncBytes int64
}

// linkOf returns c's replica link, made on first use.
func linkOf(c *Client) *replicaLink {
	if c.replLink == nil {
		c.replLink = &replicaLink{c: c}
		c.replLink.cond = sync.NewCond(&c.replLink.mu)
	}
	return c.replLink
}

// registerReplMasterCommands adds SYNC, PSYNC, REPLCONF, WAIT and ROLE,
// the replication sink and the link cleanup.
func registerReplMasterCommands(s *Server) {
	sync := commands.ParseCmdFlags("no_async_loading admin no_multi noscript")
	s.Cmds.Add(
		&commands.Command{Name: "sync", Arity: 1, Flags: sync, Group: "server", Since: "1.0.0", Summary: "Internal command used for replication", ACL: []string{"admin", "slow", "dangerous"}, Handler: adapt(syncCommand)},
		&commands.Command{Name: "psync", Arity: -3, Flags: sync, Group: "server", Since: "2.8.0", Summary: "Internal command used for replication", ACL: []string{"admin", "slow", "dangerous"}, Handler: adapt(syncCommand)},
		&commands.Command{Name: "replconf", Arity: -1, Flags: commands.ParseCmdFlags("admin noscript loading stale allow_busy"), Group: "server", Since: "3.0.0", Summary: "An internal command for configuring the replication stream", ACL: []string{"admin", "slow", "dangerous"}, Handler: adapt(replconfCommand)},
		&commands.Command{Name: "wait", Arity: 3, Flags: commands.ParseCmdFlags("noscript"), Group: "generic", Since: "3.0.0", Summary: "Wait for the synchronous replication of all the write commands sent in the context of the current connection", ACL: []string{"connection", "slow"}, Handler: adapt(waitCommand)},
		&commands.Command{Name: "role", Arity: 1, Flags: commands.ParseCmdFlags("noscript loading stale fast"), Group: "server", Since: "2.8.12", Summary: "Return the role of the instance in the context of replication", ACL: []string{"admin", "fast", "dangerous"}, Handler: adapt(roleCommand)},
	)
	s.AddPropagationSink(replSink{s})
	registerFailoverCommand(s)
	s.OnClientFree(func(hc host.Client) {
		if c, ok := hc.(*Client); ok && c.replLink != nil {
			s.detachReplicaLocked(c.replLink)
		}
		if c, ok := hc.(*Client); ok {
			s.dropWaiter(c)
		}
	})
	applyConfig := func(name string) {
		if name == "repl-backlog-size" && s.repl.backlog != nil {
			s.repl.backlog.resize(s.Config.Int("repl-backlog-size"))
		}
		s.repl.master.backlogSize = s.Config.Int("repl-backlog-size")
		s.repl.master.minReplicas = s.Config.Int("min-replicas-to-write")
		s.repl.master.minReplicasMaxLag = s.Config.Int("min-replicas-max-lag")
	}
	applyConfig("")
	s.Config.OnChange(applyConfig)
}

// replSink is the replication link's subscription to the propagation
// feed (Redis's replicationFeedSlaves).
type replSink struct{ s *Server }

// Wants takes replication ops while this server is a master with a
// backlog (made when the first replica attaches).
func (k replSink) Wants(target int) bool {
	return target&PropagateRepl != 0 && k.s.repl.backlog != nil && !k.s.actingAsReplica()
}

// Propagate appends the op, after a SELECT when its database is not the
// stream's, to the backlog and every attached replica.
func (k replSink) Propagate(db int, argv [][]byte, _ int) {
	s := k.s
	var buf []byte
	if db >= 0 && db != s.repl.master.seldb {
		d := strconv.Itoa(db)
		buf = fmt.Appendf(buf, "*2\r\n$6\r\nSELECT\r\n$%d\r\n%s\r\n", len(d), d)
		s.repl.master.seldb = db
	}
	buf = appendCommand(buf, argv)
	s.feedReplicationStream(buf)
}

// appendCommand appends argv as a RESP array of bulk strings.
func appendCommand(buf []byte, argv [][]byte) []byte {
	buf = fmt.Appendf(buf, "*%d\r\n", len(argv))
	for _, a := range argv {
		buf = fmt.Appendf(buf, "$%d\r\n", len(a))
		buf = append(buf, a...)
		buf = append(buf, '\r', '\n')
	}
	return buf
}

// feedReplicationStream adds raw stream bytes: the offset grows, the
// backlog keeps them, attached replicas get them.
func (s *Server) feedReplicationStream(buf []byte) {
	s.repl.offset += int64(len(buf))
	s.repl.backlog.feed(buf)
	for _, l := range s.repl.master.replicas {
		l.send(buf)
		s.checkOutputLimitLocked(l.c)
	}
}

// send queues stream bytes for the replica.
func (l *replicaLink) send(p []byte) {
	l.mu.Lock()
	l.pending += int64(len(p))
	if l.waitRDB {
		l.held = append(l.held, p...)
	} else {
		l.out = append(l.out, p...)
		l.cond.Signal()
	}
	l.mu.Unlock()
}

// writer is the link's goroutine: it writes queued output until the link
// closes or a write fails (then the connection is closed).
func (l *replicaLink) writer(conn net.Conn) {
	var chunk []byte
	for {
		l.mu.Lock()
		for len(l.out) == 0 && !l.closed {
			l.cond.Wait()
		}
		if l.closed {
			l.mu.Unlock()
			return
		}
		chunk, l.out = l.out, chunk[:0]
		l.mu.Unlock()
		for rest := chunk; len(rest) > 0; {
			piece := rest[:min(len(rest), writeChunk)]
			rest = rest[len(piece):]
			if _, err := conn.Write(piece); err != nil {
				_ = conn.Close()
				return
			}
			l.wrote(int64(len(piece)))
		}
	}
}

// queueSync queues sync bytes (the +FULLRESYNC reply, the RDB payload)
// ahead of any stream bytes (l.mu held).
func (l *replicaLink) queueSyncLocked(p []byte) {
	l.out = append(l.out, p...)
	l.pending += int64(len(p))
	l.syncBytes += int64(len(p))
}

// wrote accounts n bytes the kernel took, sync bytes first.
func (l *replicaLink) wrote(n int64) {
	l.mu.Lock()
	l.pending -= n
	l.syncBytes -= min(n, l.syncBytes)
	l.mu.Unlock()
}

// outputBytes is the replica's output buffer as Redis counts it: the
// replication stream it has not taken yet.
func (l *replicaLink) outputBytes() int64 {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.pending - l.syncBytes
}

// disconnectReplicasLocked drops every attached replica (Redis's
// disconnectSlaves): they reconnect and learn this server's new history,
// with a partial resync where the ids allow it.
func (s *Server) disconnectReplicasLocked() {
	for _, l := range append([]*replicaLink(nil), s.repl.master.replicas...) {
		l.c.Kill()
		s.detachReplicaLocked(l)
	}
}

// detachReplicaLocked forgets a replica whose connection ended.
func (s *Server) detachReplicaLocked(l *replicaLink) {
	l.mu.Lock()
	l.closed = true
	l.cond.Signal()
	l.mu.Unlock()
	m := &s.repl.master
	for i, r := range m.replicas {
		if r == l {
			m.replicas = append(m.replicas[:i], m.replicas[i+1:]...)
			s.Log.Noticef("Connection with replica %s lost.", l.name())
			if l.state == replicaOnline {
				s.fire(host.EventReplicaChange, host.SubReplicaOffline)
			}
			break
		}
	}
}

// name is how the log names the replica (ip:port).
func (l *replicaLink) name() string {
	return net.JoinHostPort(l.addrIP(), strconv.FormatInt(l.port, 10))
}

// addrIP is the replica's announced address, else its connection's.
func (l *replicaLink) addrIP() string {
	if l.ip != "" {
		return l.ip
	}
	if host, _, err := net.SplitHostPort(l.c.Addr); err == nil {
		return host
	}
	return l.c.Addr
}

// syncCommand is SYNC and PSYNC <replid> <offset>.
func syncCommand(c *Client, a [][]byte) {
	s := c.srv
	if c.replLink != nil && c.replLink.attached {
		return // already a replica: ignored, as Redis does
	}
	if c.conn == nil {
		c.Error("ERR Replication is not possible from a module or script client")
		return
	}
	if len(a) > 3 && strings.EqualFold(string(a[0]), "psync") && strings.EqualFold(string(a[3]), "failover") {
		if !s.psyncFailover(c, string(a[1])) {
			return
		}
	}
	if s.repl.failover.state != failoverNone {
		c.Error("NOMASTERLINK Can't SYNC while failing over")
		return
	}
	// A replica serves sub-replicas while its link is up: they get the
	// master's stream as this server applies it (chained replication,
	// feedReplicationStream), with the master's replication id and
	// offsets.
	if r := s.repl.replica; r != nil && r.state != linkConnected {
		c.Error("NOMASTERLINK Can't SYNC while not connected with my master")
		return
	}
	l := linkOf(c)
	psync := strings.EqualFold(string(a[0]), "psync")
	if psync && s.tryPartialResync(l, string(a[1]), a[2]) {
		return
	}
	if psync {
		if string(a[1]) != "?" {
			s.repl.master.stats.partialErr++
		}
	} else {
		l.oldSync = true
	}
	s.fullResync(l, psync)
}

// tryPartialResync is masterTryPartialResynchronization: +CONTINUE and the
// backlog from the requested offset when the history and offset match.
func (s *Server) tryPartialResync(l *replicaLink, id string, offArg []byte) bool {
	off, err := strconv.ParseInt(string(offArg), 10, 64)
	if err != nil {
		return false
	}
	r := &s.repl
	if id != r.id && (id != r.id2 || off > r.secondOffset) {
		if id != "?" {
			s.Log.Noticef("Partial resynchronization not accepted: Replication ID mismatch (Replica asked for '%s', my replication IDs are '%s' and '%s')", id, r.id, r.id2)
		}
		return false
	}
	if r.backlog == nil || !r.backlog.covers(off) {
		s.Log.Noticef("Unable to partial resync with replica %s for lack of backlog (Replica request was: %d).", l.name(), off)
		return false
	}
	var hdr string
	if l.capaPSY2 {
		hdr = "+CONTINUE " + r.id + "\r\n"
	} else {
		hdr = "+CONTINUE\r\n"
	}
	data := r.backlog.since(off)
	s.attachReplica(l, replicaOnline)
	l.send([]byte(hdr))
	l.send(data)
	r.master.stats.partialOK++
	s.Log.Noticef("Partial resynchronization request from %s accepted. Sending %d bytes of backlog starting from offset %d.", l.name(), len(data), off)
	s.fire(host.EventReplicaChange, host.SubReplicaOnline)
	return true
}

// attachReplica makes l a replica in state and starts its writer.
func (s *Server) attachReplica(l *replicaLink, state string) {
	l.attached = true
	l.state = state
	l.ackTime = time.Now()
	s.repl.master.replicas = append(s.repl.master.replicas, l)
	if tc, ok := rawConn(l.c.conn).(*net.TCPConn); ok && s.Config.Bool("repl-disable-tcp-nodelay") {
		_ = tc.SetNoDelay(false)
	}
	go l.writer(l.c.conn)
}

// fullResync sends +FULLRESYNC (PSYNC only) and an RDB snapshot, then the
// stream from the snapshot's offset.
func (s *Server) fullResync(l *replicaLink, psync bool) {
	r := &s.repl
	p, _ := s.Persist.(*RDB)
	if p == nil {
		l.c.Error("ERR modhost has no RDB persistence to sync from")
		return
	}
	if r.backlog == nil {
		r.backlog = newReplBacklog(s.Config.Int("repl-backlog-size"), r.offset+1)
		s.Log.Noticef("Replication backlog created, my new replication IDs are '%s' and '%s'", r.id, r.id2)
	}
	opt := p.options()
	opt.Version = replicaRDBVersion
	snap, err := s.beginCOW(opt)
	if err != nil {
		l.c.Error("ERR " + err.Error())
		return
	}
	r.master.stats.syncFull++
	// The stream after the snapshot starts with a SELECT.
	r.master.seldb = -1
	l.waitRDB = true
	s.attachReplica(l, replicaWaitBgsave)
	if psync {
		l.mu.Lock()
		l.queueSyncLocked(fmt.Appendf(nil, "+FULLRESYNC %s %d\r\n", r.id, r.offset))
		l.cond.Signal()
		l.mu.Unlock()
	}
	s.Log.Noticef("Replica %s asks for synchronization", l.name())
	s.Log.Noticef("Starting BGSAVE for SYNC with target: replicas sockets")
	go func() {
		var body bytes.Buffer
		encErr := snap.Encode(&body)
		// Module events fire here: outside a yield window, as Redis
		// fires them from its event loop.
		s.lockOutsideYield()
		defer s.mu.Unlock()
		snap.Release()
		if encErr != nil {
			s.Log.Warningf("Background transfer error: %v", encErr)
			l.c.Kill()
			return
		}
		l.mu.Lock()
		l.queueSyncLocked(fmt.Appendf(nil, "$%d\r\n", body.Len()))
		l.queueSyncLocked(body.Bytes())
		l.out = append(l.out, l.held...)
		l.held, l.waitRDB = nil, false
		l.cond.Signal()
		gone := l.closed
		l.mu.Unlock()
		if gone {
			return // the replica left during the transfer
		}
		l.state = replicaOnline
		l.ackTime = time.Now()
		s.fire(host.EventReplicaChange, host.SubReplicaOnline)
		s.Log.Noticef("Synchronization with replica %s succeeded", l.name())
	}()
}

// replconfCommand is REPLCONF <option> <value> ...
func replconfCommand(c *Client, a [][]byte) {
	s := c.srv
	if len(a)%2 == 0 {
		c.Error(msgSyntax)
		return
	}
	for j := 1; j < len(a); j += 2 {
		v := a[j+1]
		switch strings.ToLower(string(a[j])) {
		case "listening-port":
			n, err := strconv.ParseInt(string(v), 10, 64)
			if err != nil {
				c.Error(msgNotInt)
				return
			}
			linkOf(c).port = n
		case "ip-address":
			if len(v) >= 46 {
				c.Error(fmt.Sprintf("ERR REPLCONF ip-address provided by replica instance is too long: %d bytes", len(v)))
				return
			}
			linkOf(c).ip = string(v)
		case "capa":
			switch strings.ToLower(string(v)) {
			case "eof":
				linkOf(c).capaEOF = true
			case "psync2":
				linkOf(c).capaPSY2 = true
			}
		case "ack":
			l := c.replLink
			if l == nil || !l.attached {
				return
			}
			if off, err := strconv.ParseInt(string(v), 10, 64); err == nil {
				if off > l.ackOff {
					l.ackOff = off
				}
				l.ackTime = time.Now()
				s.serveWaiters()
			}
			return
		case "getack":
			if s.repl.replicaGetAck != nil {
				s.repl.replicaGetAck(c)
			}
			return
		case "rdb-only", "rdb-filter-only":
			c.Error("ERR REPLCONF " + strings.ToLower(string(a[j])) + " is not supported by modhost")
			return
		default:
			c.Error("ERR Unrecognized REPLCONF option: " + string(a[j]))
			return
		}
	}
	c.OK()
}

// replicationCronLocked pings replicas every repl-ping-replica-period
// seconds, drops those silent for repl-timeout, and sends the GETACK a
// WAIT asked for.
//
// A replica with sub-replicas sends no pings of its own (they get its
// master's, proxied, so offsets stay equal along the chain) but drops
// the silent ones as a master does.
func (s *Server) replicationCronLocked() {
	s.failoverCronLocked()
	m := &s.repl.master
	now := time.Now()
	if len(m.replicas) == 0 {
		m.getAck = false
		s.backlogTTLCron(now)
		return
	}
	m.noReplicasSince = now
	chained := s.actingAsReplica()
	if chained {
		m.getAck = false
	} else if period := time.Duration(s.Config.Int("repl-ping-replica-period")) * time.Second; now.Sub(m.lastPing) >= period && !s.failoverHoldsPings() {
		m.lastPing = now
		s.propagateNow(m.seldb, [][]byte{[]byte("PING")}, PropagateRepl)
	}
	timeout := time.Duration(s.Config.Int("repl-timeout")) * time.Second
	for _, l := range append([]*replicaLink(nil), m.replicas...) {
		if l.state == replicaOnline && !l.oldSync && now.Sub(l.ackTime) > timeout {
			s.Log.Warningf("Disconnecting timedout replica (streaming sync): %s", l.name())
			l.c.Kill()
			s.detachReplicaLocked(l)
		}
	}
	s.sendGetAck()
}

// backlogTTLCron frees the backlog of a master that had no replica for
// repl-backlog-ttl seconds (0: never), taking a new replication id since
// the history can no longer be continued, as Redis does.
func (s *Server) backlogTTLCron(now time.Time) {
	r := &s.repl
	ttl := s.Config.Int("repl-backlog-ttl")
	if r.backlog == nil || ttl == 0 || s.actingAsReplica() {
		return
	}
	if r.master.noReplicasSince.IsZero() {
		r.master.noReplicasSince = now
	}
	if idle := now.Sub(r.master.noReplicasSince); idle > time.Duration(ttl)*time.Second {
		r.id, r.id2, r.secondOffset = newReplID(), replNullID, -1
		r.backlog = nil
		s.Log.Noticef("Replication backlog freed after %d seconds without connected replicas.", ttl)
	}
}

// minReplicasRefused is Redis's failed checkGoodReplicasStatus: with
// min-replicas-to-write and min-replicas-max-lag set, a master with too
// few replicas that acknowledged recently refuses writes.
func (s *Server) minReplicasRefused() bool {
	m := &s.repl.master
	if m.minReplicas == 0 || m.minReplicasMaxLag == 0 || s.actingAsReplica() {
		return false
	}
	return int64(s.goodReplicas()) < m.minReplicas
}

// msgNoReplicas is Redis's refusal when minReplicasRefused.
const msgNoReplicas = "NOREPLICAS Not enough good replicas to write."

// sendGetAck sends REPLCONF GETACK * to the replicas when a WAIT asked.
func (s *Server) sendGetAck() {
	m := &s.repl.master
	if !m.getAck || len(m.replicas) == 0 {
		return
	}
	m.getAck = false
	s.propagateNow(m.seldb, [][]byte{[]byte("REPLCONF"), []byte("GETACK"), []byte("*")}, PropagateRepl)
}

// masterInfoLines is the master part of INFO replication.
func (s *Server) masterInfoLines() []string {
	r := &s.repl
	lines := []string{fmt.Sprintf("connected_slaves:%d", len(r.master.replicas))}
	if n := s.Config.Int("min-replicas-to-write"); n > 0 && s.Config.Int("min-replicas-max-lag") > 0 {
		lines = append(lines, fmt.Sprintf("min_slaves_good_slaves:%d", s.goodReplicas()))
	}
	now := time.Now()
	for i, l := range r.master.replicas {
		lines = append(lines, fmt.Sprintf("slave%d:ip=%s,port=%d,state=%s,offset=%d,lag=%d", i, l.addrIP(), l.port, l.state, l.ackOff, int64(now.Sub(l.ackTime)/time.Second)))
	}
	lines = append(lines,
		s.failoverInfoLine(),
		"master_replid:"+r.id,
		"master_replid2:"+r.id2,
		fmt.Sprintf("master_repl_offset:%d", r.offset),
		fmt.Sprintf("second_repl_offset:%d", r.secondOffset),
	)
	if b := r.backlog; b != nil {
		lines = append(lines, "repl_backlog_active:1", fmt.Sprintf("repl_backlog_size:%d", b.size()), fmt.Sprintf("repl_backlog_first_byte_offset:%d", b.first), fmt.Sprintf("repl_backlog_histlen:%d", b.histlen))
	} else {
		lines = append(lines, "repl_backlog_active:0", fmt.Sprintf("repl_backlog_size:%d", s.Config.Int("repl-backlog-size")), "repl_backlog_first_byte_offset:0", "repl_backlog_histlen:0")
	}
	return lines
}

// goodReplicas counts online replicas whose last ACK is within
// min-replicas-max-lag seconds.
func (s *Server) goodReplicas() int {
	maxLag := time.Duration(s.Config.Int("min-replicas-max-lag")) * time.Second
	n := 0
	for _, l := range s.repl.master.replicas {
		if l.state == replicaOnline && time.Since(l.ackTime) <= maxLag {
			n++
		}
	}
	return n
}

// masterRole is ROLE for a master: ["master", offset, [[ip, port, ack]...]].
func (s *Server) masterRole(c *Client) {
	c.W.ArrayLen(3)
	c.W.BulkString("master")
	c.W.Int(s.repl.offset)
	var online []*replicaLink
	for _, l := range s.repl.master.replicas {
		if l.state == replicaOnline {
			online = append(online, l)
		}
	}
	c.W.ArrayLen(len(online))
	for _, l := range online {
		c.W.ArrayLen(3)
		c.W.BulkString(l.addrIP())
		c.W.BulkString(strconv.FormatInt(l.port, 10))
		c.W.BulkString(strconv.FormatInt(l.ackOff, 10))
	}
}
