package server

// Replication identity shared by the master side (repl_master*.go) and the
// replica side (repl_replica*.go): the replication ids and the offset of
// the stream this server produces or follows, and the INFO replication /
// ROLE rendering, split by role.

import (
	"time"

	"github.com/modhost/modhost/keyspace/rdb"
)

// replNullID is the all-zero replication id Redis shows for "none".
const replNullID = "0000000000000000000000000000000000000000"

// replState is the server's replication state. Guarded by the server lock.
type replState struct {
	// id is master_replid: the history this server's stream belongs to.
	id string
	// id2 and secondOffset are master_replid2 and second_repl_offset: the
	// previous history, accepted by PSYNC up to secondOffset (-1: none).
	id2          string
	secondOffset int64
	// offset is master_repl_offset: bytes of stream produced (master) or
	// applied (replica) so far.
	offset int64
	// backlog holds the recent stream for partial resyncs; nil until the
	// first replica attaches.
	backlog *replBacklog
	// master is the master side: attached replicas, WAIT waiters, the
	// stream's selected database.
	master masterState
	// replicaInfo, replicaRole and isReplica are the replica side's hooks
	// (installed by repl_replica*.go): INFO replication lines, the ROLE
	// reply, and whether this server follows a master now. Nil: master.
	replicaInfo func() []string
	replicaRole func(c *Client)
	isReplica   func() bool
	// replicaGetAck answers REPLCONF GETACK from this server's master
	// (replica side); nil: ignored.
	replicaGetAck func(c *Client)
	// replica is the replica side's state while following a master
	// (repl_replica.go); nil on a master.
	replica *replicaState
	// restoredDB, when set, is the stream database of the replication
	// state a replica restored from its RDB at start-up: the first
	// REPLICAOF offers that history (PSYNC id offset+1).
	restoredDB *int
	// failover is a FAILOVER in flight (repl_failover.go).
	failover failoverState
}

// initReplState gives a new server its replication identity.
func (s *Server) initReplState() {
	s.repl.id = newReplID()
	s.repl.id2 = replNullID
	s.repl.secondOffset = -1
	s.repl.master.seldb = -1
	// Pings are paced from start-up, as Redis counts its cron loops.
	s.repl.master.lastPing = time.Now()
}

// ReplicationID returns master_replid.
func (s *Server) ReplicationID() string { return s.repl.id }

// ReplicationOffset returns master_repl_offset.
func (s *Server) ReplicationOffset() int64 { return s.repl.offset }

// actingAsReplica reports whether this server follows a master.
func (s *Server) actingAsReplica() bool {
	return s.repl.isReplica != nil && s.repl.isReplica()
}

// replicationInfoLines renders INFO replication: the role-specific part
// (replica side's hook, or masterInfoLines), then the master part that
// every role shows (connected replicas, ids, offsets, backlog).
func (s *Server) replicationInfoLines() []string {
	var lines []string
	if s.actingAsReplica() && s.repl.replicaInfo != nil {
		lines = s.repl.replicaInfo()
	} else {
		lines = []string{"role:master"}
	}
	return append(lines, s.masterInfoLines()...)
}

// roleCommand is ROLE: the replica side's reply while following a master,
// else the master's.
func roleCommand(c *Client, a [][]byte) {
	s := c.srv
	if s.actingAsReplica() && s.repl.replicaRole != nil {
		s.repl.replicaRole(c)
		return
	}
	s.masterRole(c)
}

// replSaveInfo is Redis's rdbPopulateSaveInfo: the replication state an
// RDB records (repl-stream-db, repl-id, repl-offset) so that a restarted
// server, or a sub-replica loading it, continues the stream. A master
// records it once it has a backlog (it is part of a replication chain), a
// replica while it has a master client, live or cached; otherwise nil.
func (s *Server) replSaveInfo() *rdb.ReplInfo {
	rs := &s.repl
	ri := &rdb.ReplInfo{ID: rs.id, Offset: rs.offset}
	r := rs.replica
	switch {
	case r == nil && rs.backlog != nil:
		// -1: no write since the last full sync; the next one selects.
		ri.StreamDB = max(rs.master.seldb, 0)
	case r != nil && r.client != nil:
		ri.StreamDB = r.client.DB
	case r != nil && r.cached:
		ri.StreamDB = r.db
	default:
		return nil
	}
	return ri
}

// restoreReplInfo applies the replication state of the RDB loaded at
// start-up, as Redis 7.2 does: a server configured as a replica takes the
// id and offset as its own and offers them to its master (a partial
// resync after a restart); a master keeps them as its secondary id, valid
// up to offset+1, with a backlog starting there, so its former replicas
// continue with +CONTINUE and the new id.
func (s *Server) restoreReplInfo(ri *rdb.ReplInfo) {
	if ri == nil {
		return
	}
	rs := &s.repl
	if s.Config.String("replicaof") != "" {
		rs.id, rs.offset = ri.ID, ri.Offset
		db := ri.StreamDB
		rs.restoredDB = &db
		return
	}
	rs.id2, rs.secondOffset = ri.ID, ri.Offset+1
	rs.offset = ri.Offset
	rs.backlog = newReplBacklog(s.Config.Int("repl-backlog-size"), rs.offset+1)
	rs.master.noReplicasSince = time.Now()
}
