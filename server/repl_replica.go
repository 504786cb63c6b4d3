package server

// The replica side of replication: REPLICAOF/SLAVEOF and the replicaof
// directive, the link state, the gates a replica applies to its own
// clients (replica-read-only, replica-serve-stale-data), and INFO
// replication / ROLE while following a master. The link itself (handshake,
// full and partial resync) is repl_replica_sync.go; the master client that
// applies the stream is repl_replica_stream.go.

import (
	"fmt"
	"net"
	"strconv"
	"strings"
	"time"

	"github.com/modhost/modhost/commands"
	"github.com/modhost/modhost/host"
)

// Link states, as Redis's repl_state (the handshake states are one here:
// ROLE shows "handshake" for all of them).
const (
	linkNone       = iota // not a replica
	linkConnect           // must connect (or reconnect)
	linkConnecting        // TCP connect in progress
	linkHandshake         // PING/AUTH/REPLCONF/PSYNC exchange
	linkTransfer          // receiving the RDB of a full resync
	linkConnected         // following the stream
)

// replicaState is the replica side's part of replState (nil: master).
// Guarded by the server lock.
type replicaState struct {
	host string
	port int
	// gen is bumped by every REPLICAOF: a link goroutine whose generation
	// is stale stops at its next step.
	gen   int64
	state int
	// conn is the current link connection (handshake or stream).
	conn net.Conn
	// client is the master client while the link is connected.
	client *Client
	// cached: PSYNC offers this server's replication id and offset + 1
	// (Redis's cached master); otherwise PSYNC ? -1.
	cached bool
	// db is the stream's selected database, kept across reconnections
	// for a partial resync.
	db int
	// readOff is slave_read_repl_offset: stream bytes read.
	readOff int64
	// lastIO is when the master last sent something.
	lastIO    time.Time
	downSince time.Time
	// transfer progress of a full resync (INFO master_sync_*).
	transferSize, transferRead int64
	transferLastIO             time.Time
	// ackPending and ackOff: a GETACK asked for an ACK of ackOff.
	ackPending bool
	ackOff     int64
}

// registerReplicaCommands adds REPLICAOF and SLAVEOF and installs the
// replica hooks of replState.
func registerReplicaCommands(s *Server) {
	flags := commands.ParseCmdFlags("admin noscript stale no_async_loading")
	args := []commands.Arg{{Name: "args", Type: "oneof", KeySpecIndex: -1, Sub: []commands.Arg{
		{Name: "host-port", Type: "block", KeySpecIndex: -1, Sub: []commands.Arg{
			{Name: "host", Type: "string", Display: "host", KeySpecIndex: -1},
			{Name: "port", Type: "integer", Display: "port", KeySpecIndex: -1},
		}},
		{Name: "no-one", Type: "block", KeySpecIndex: -1, Sub: []commands.Arg{
			{Name: "no", Type: "pure-token", Token: "NO", KeySpecIndex: -1},
			{Name: "one", Type: "pure-token", Token: "ONE", KeySpecIndex: -1},
		}},
	}}}
	summary := "Configures a server as replica of another, or promotes it to a master."
	s.Cmds.Add(
		&commands.Command{Name: "replicaof", Arity: 3, Flags: flags, Group: "server", Since: "5.0.0", Summary: summary, ACL: []string{"admin", "slow", "dangerous"},
			Docs: &commands.CommandDocs{Complexity: "O(1)", Args: args}, Handler: adapt(replicaofCommand)},
		&commands.Command{Name: "slaveof", Arity: 3, Flags: flags, Group: "server", Since: "1.0.0", Summary: "Sets a Redis server as a replica of another, or promotes it to being a master.", ACL: []string{"admin", "slow", "dangerous"},
			Docs: &commands.CommandDocs{Complexity: "O(1)", DocFlags: []string{"deprecated"}, Deprecated: "5.0.0", ReplacedBy: "`REPLICAOF`", Args: args}, Handler: adapt(replicaofCommand)},
	)
	r := &s.repl
	r.isReplica = func() bool { return r.replica != nil }
	r.replicaInfo = s.replicaInfoLines
	r.replicaRole = s.replicaRoleReply
	r.replicaGetAck = s.replicaGetAck
}

// StartReplicaOf applies the replicaof directive at start-up: the server
// begins as a replica of the configured master. Call it after the
// dataset is loaded, before serving.
func (s *Server) StartReplicaOf() {
	v := s.Config.String("replicaof")
	if v == "" {
		return
	}
	host, portStr, _ := strings.Cut(v, " ")
	port, _ := strconv.Atoi(portStr)
	s.mu.Lock()
	defer s.mu.Unlock()
	s.setMasterLocked(host, port, false)
}

// replicaofCommand is REPLICAOF host port | NO ONE (replicaofCommand).
func replicaofCommand(c *Client, a [][]byte) {
	s := c.srv
	if s.Config.Bool("cluster-enabled") {
		c.Error("ERR REPLICAOF not allowed in cluster mode.")
		return
	}
	if s.repl.failover.state != failoverNone {
		c.Error("ERR REPLICAOF not allowed while failing over.")
		return
	}
	if strings.EqualFold(string(a[1]), "no") && strings.EqualFold(string(a[2]), "one") {
		if s.repl.replica != nil {
			s.unsetMasterLocked()
			s.Log.Noticef("MASTER MODE enabled (user request from '%s')", c.infoString())
		}
		c.OK()
		return
	}
	if l := c.replLink; l != nil && l.attached {
		c.Error("ERR Command is not valid when client is a replica.")
		return
	}
	port, err := strconv.ParseInt(string(a[2]), 10, 64)
	if err != nil || port < 0 || port > 65535 {
		c.Error("ERR Invalid master port")
		return
	}
	host := string(a[1])
	if r := s.repl.replica; r != nil && strings.EqualFold(r.host, host) && r.port == int(port) {
		s.Log.Noticef("REPLICAOF would result into synchronization with the master we are already connected with. No operation performed.")
		c.W.SimpleString("OK Already connected to specified master")
		return
	}
	s.setMasterLocked(host, int(port), true)
	s.Log.Noticef("REPLICAOF %s:%d enabled (user request from '%s')", host, port, c.infoString())
	c.OK()
}

// setMasterLocked is replicationSetMaster: follow mhost:port from now
// on. A master becoming a replica offers its own history to the new
// master (PSYNC with its replication id, Redis's
// replicationCacheMasterUsingMyself) when useMyself is set; a replica
// switching masters offers the history it follows.
func (s *Server) setMasterLocked(mhost string, port int, useMyself bool) {
	old := s.repl.replica
	r := &replicaState{host: mhost, port: port, state: linkConnect}
	if old != nil {
		s.masterLinkDownLocked(old)
		s.dropLinkLocked(old)
		old.gen++
		r.gen, r.cached, r.db, r.readOff = old.gen, old.cached, old.db, old.readOff
	} else {
		r.cached, r.readOff = useMyself, s.repl.offset
		if db := s.repl.restoredDB; db != nil {
			// The history of the RDB loaded at start-up.
			r.cached, r.db = true, *db
			s.repl.restoredDB = nil
		}
		s.disconnectBlockedForRoleChange()
	}
	s.repl.replica = r
	s.Keys.Following = true
	s.Config.SetReplicaOf(mhost, int64(port))
	s.fireRoleChange(host.SubRoleNowReplica)
	s.Log.Noticef("Connecting to MASTER %s:%d", mhost, port)
	go s.replicaLink(r, r.gen)
}

// unsetMasterLocked is replicationUnsetMaster: REPLICAOF NO ONE. The
// history followed so far becomes the secondary id (up to the current
// offset) and a new id starts, so the old master and its other replicas
// can continue from this server with a partial resync.
func (s *Server) unsetMasterLocked() {
	r := s.repl.replica
	s.masterLinkDownLocked(r)
	s.repl.replica = nil
	r.gen++
	s.dropLinkLocked(r)
	s.Keys.Following = false
	s.Config.SetReplicaOf("", 0)
	rs := &s.repl
	rs.id2, rs.secondOffset = rs.id, rs.offset+1
	rs.id = newReplID()
	s.Log.Noticef("Setting secondary replication ID to %s, valid up to offset: %d. New replication ID is %s", rs.id2, rs.secondOffset, rs.id)
	rs.master.seldb = -1
	rs.master.noReplicasSince = time.Now()
	// Sub-replicas must learn the new id: they come back and continue
	// through the secondary one.
	s.disconnectReplicasLocked()
	s.fireRoleChange(host.SubRoleNowMaster)
}

// masterLinkDownLocked ends a connected link's up state: the
// MasterLinkChange down event fires once, when the link is lost (the
// master client killed or gone, or REPLICAOF).
func (s *Server) masterLinkDownLocked(r *replicaState) {
	if r.state != linkConnected {
		return
	}
	s.Log.Noticef("Connection with master lost.")
	r.state = linkConnect
	r.downSince = time.Now()
	s.fire(host.EventMasterLinkChange, host.SubMasterLinkDown)
}

// masterClientKilledLocked is the link going down with its master
// client (CLIENT KILL, or the connection's end): at once, as Redis frees
// the master client, so the down event precedes the next command.
func (s *Server) masterClientKilledLocked(c *Client) {
	if r := s.repl.replica; r != nil && r.client == c {
		r.client = nil
		r.db = c.DB
		r.cached = true
		s.masterLinkDownLocked(r)
	}
}

// dropLinkLocked closes r's connection and frees its master client.
func (s *Server) dropLinkLocked(r *replicaState) {
	if r.conn != nil {
		_ = r.conn.Close()
		r.conn = nil
	}
	if c := r.client; c != nil {
		r.client = nil
		r.db = c.DB
		r.cached = true
		c.Kill()
	}
}

// disconnectBlockedForRoleChange unblocks every blocked client with
// Redis's -UNBLOCKED error when a master becomes a replica
// (disconnectAllBlockedClients).
func (s *Server) disconnectBlockedForRoleChange() {
	for _, c := range s.sortedClients() {
		if bs := c.blocked; bs != nil && !bs.done && c.conn != nil {
			if bs.onError != nil {
				bs.onError(c, msgUnblockedRole)
			} else {
				c.Error(msgUnblockedRole)
			}
			s.unblock(c)
		}
	}
}

// msgUnblockedRole is the error of clients blocked when a master becomes
// a replica.
const msgUnblockedRole = "UNBLOCKED force unblock from blocking operation, instance state changed (master -> replica?)"

// fireRoleChange fires ReplicationRoleChanged with the
// RedisModuleReplicationInfo of the new state.
func (s *Server) fireRoleChange(sub int) {
	if s.hooks.events == nil {
		return
	}
	ri := &host.ReplicationInfo{Master: s.repl.replica == nil, ReplID1: s.repl.id, ReplID2: s.repl.id2, Repl1Offset: s.repl.offset, Repl2Offset: s.repl.secondOffset}
	if r := s.repl.replica; r != nil {
		ri.MasterHost, ri.MasterPort = r.host, r.port
	}
	s.hooks.events(&host.ServerEvent{ID: host.EventReplicationRoleChanged, Sub: sub, Repl: ri})
}

// replicaRefused applies the replica's gates to a command of one of its
// own clients: writes with replica-read-only (-READONLY) and, while the
// link is down with replica-serve-stale-data no, everything without the
// stale flag (-MASTERDOWN). It reports whether cmd was refused.
func (s *Server) replicaRefused(c *Client, cmd *commands.Command, args [][]byte) bool {
	r := s.repl.replica
	if r == nil || c.replMaster {
		return false
	}
	if s.Config.Bool("replica-read-only") && s.writeCommand(c, cmd, args) {
		s.reject(c, cmd, "READONLY You can't write against a read only replica.")
		return true
	}
	if r.state != linkConnected && !s.Config.Bool("replica-serve-stale-data") && s.denyStale(c, cmd, args) {
		s.reject(c, cmd, "MASTERDOWN Link with MASTER is down and replica-serve-stale-data is set to 'no'.")
		return true
	}
	return false
}

// denyStale reports whether cmd called with args (or, for EXEC, a
// queued command) lacks the stale flag (Command.FlagsFor).
func (s *Server) denyStale(c *Client, cmd *commands.Command, args [][]byte) bool {
	if cmd.FlagsFor(args)&commands.FlagStale == 0 {
		return true
	}
	if cmd.FullName == "exec" && c.tx != nil {
		for i, q := range c.tx.cmds {
			if q.FlagsFor(c.tx.queue[i])&commands.FlagStale == 0 {
				return true
			}
		}
	}
	return false
}

// replicaInfoLines is the replica part of INFO replication, in Redis
// 7.2's order.
func (s *Server) replicaInfoLines() []string {
	r := s.repl.replica
	readOff, applied := int64(1), int64(1)
	if r.client != nil || r.cached {
		readOff, applied = r.readOff, s.repl.offset
	}
	status, lastIO := "down", -1
	if r.state == linkConnected {
		status = "up"
	}
	if r.client != nil {
		lastIO = int(time.Since(r.lastIO) / time.Second)
	}
	sync := 0
	if r.state == linkTransfer {
		sync = 1
	}
	lines := []string{
		"role:slave",
		"master_host:" + r.host,
		fmt.Sprintf("master_port:%d", r.port),
		"master_link_status:" + status,
		fmt.Sprintf("master_last_io_seconds_ago:%d", lastIO),
		fmt.Sprintf("master_sync_in_progress:%d", sync),
		fmt.Sprintf("slave_read_repl_offset:%d", readOff),
		fmt.Sprintf("slave_repl_offset:%d", applied),
	}
	if r.state == linkTransfer {
		perc := 0.0
		if r.transferSize > 0 {
			perc = float64(r.transferRead) / float64(r.transferSize) * 100
		}
		lines = append(lines,
			fmt.Sprintf("master_sync_total_bytes:%d", r.transferSize),
			fmt.Sprintf("master_sync_read_bytes:%d", r.transferRead),
			fmt.Sprintf("master_sync_left_bytes:%d", r.transferSize-r.transferRead),
			fmt.Sprintf("master_sync_perc:%.2f", perc),
			fmt.Sprintf("master_sync_last_io_seconds_ago:%d", int(time.Since(r.transferLastIO)/time.Second)),
		)
	}
	if r.state != linkConnected {
		down := int64(-1)
		if !r.downSince.IsZero() {
			down = int64(time.Since(r.downSince) / time.Second)
		}
		lines = append(lines, fmt.Sprintf("master_link_down_since_seconds:%d", down))
	}
	return append(lines,
		fmt.Sprintf("slave_priority:%d", s.Config.Int("replica-priority")),
		fmt.Sprintf("slave_read_only:%d", b2i(s.Config.Bool("replica-read-only"))),
		fmt.Sprintf("replica_announced:%d", b2i(s.Config.Bool("replica-announced"))),
	)
}

// b2i is 1 for true.
func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

// replicaRoleReply is ROLE for a replica: ["slave", host, port, state,
// offset] (offset -1 while not connected).
func (s *Server) replicaRoleReply(c *Client) {
	r := s.repl.replica
	state := "unknown"
	switch r.state {
	case linkConnect:
		state = "connect"
	case linkConnecting:
		state = "connecting"
	case linkHandshake:
		state = "handshake"
	case linkTransfer:
		state = "sync"
	case linkConnected:
		state = "connected"
	}
	c.W.ArrayLen(5)
	c.W.BulkString("slave")
	c.W.BulkString(r.host)
	c.W.Int(int64(r.port))
	c.W.BulkString(state)
	if r.client != nil {
		c.W.Int(s.repl.offset)
	} else {
		c.W.Int(-1)
	}
}

// ReplicaContextFlags reports the replica bits of
// RedisModule_GetContextFlags: whether this server is a replica, and its
// link's state (stale: link down; connecting: before the transfer;
// transferring: receiving the RDB; online: following the stream).
func (s *Server) ReplicaContextFlags() (replica, readOnly, stale, connecting, transferring, online bool) {
	r := s.repl.replica
	if r == nil {
		return
	}
	replica, readOnly = true, s.Config.Bool("replica-read-only")
	stale = r.state != linkConnected
	switch r.state {
	case linkConnect, linkConnecting:
		connecting = true
	case linkTransfer:
		transferring = true
	case linkConnected:
		online = true
	}
	return
}

// FromMaster reports whether c is the master client (its commands come
// from the replication stream).
func (c *Client) FromMaster() bool { return c.replMaster }
