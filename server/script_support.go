package server

import (
	"github.com/modhost/modhost/acl"
	"github.com/modhost/modhost/commands"
)

// What the scripting engine (package script) needs of the server beyond
// nested calls (CallNested, NewFakeClient): the command filter, the ACL
// check of the script's caller, the memory state and INFO figures.

// ScriptInfo is the scripting part of INFO memory.
type ScriptInfo struct {
	LuaMemory   int64 // the Lua state's memory
	Scripts     int   // cached EVAL scripts
	ScriptBytes int64 // their bodies and SHA1s
	// FunctionsVM is the functions Lua state's memory; Functions and
	// Libraries count what FUNCTION LOAD created, FunctionsBytes is the
	// size of the libraries' code.
	FunctionsVM          int64
	Functions, Libraries int
	FunctionsBytes       int64
}

// SetScriptInfo installs the producer of the scripting INFO figures.
func (s *Server) SetScriptInfo(fn func() ScriptInfo) { s.scriptInfo = fn }

// scriptFigures returns the scripting INFO figures (zero without engine).
func (s *Server) scriptFigures() ScriptInfo {
	if s.scriptInfo == nil {
		return ScriptInfo{}
	}
	return s.scriptInfo()
}

// FilterScriptCommand passes the arguments of a command a script calls
// (redis.call) through the module command filters, as Redis does for the
// script client; c is the script's fake client.
func (s *Server) FilterScriptCommand(c *Client, args [][]byte) [][]byte {
	if s.hooks.filter == nil {
		return args
	}
	return s.hooks.filter(c, args)
}

// ScriptACLCheck checks whether caller's user may run cmd with args from
// a script. It returns "" when allowed, else Redis's denial text; with
// logIt the denial is added to ACL LOG with the "lua" context.
func (s *Server) ScriptACLCheck(caller *Client, cmd *commands.Command, args [][]byte, logIt bool) string {
	u := caller.user
	if u == nil || u.Open() {
		return ""
	}
	res, pos := u.Check(cmd, args)
	if res == acl.OK {
		return ""
	}
	if logIt {
		s.AddACLLog(caller, res, acl.CtxLua, aclObject(res, cmd, args, pos), "")
	}
	var val []byte
	if pos < len(args) {
		val = args[pos]
	}
	return acl.DeniedMessage(res, u, cmd, val, false)
}

// OverMaxmemory reports whether maxmemory is set and used memory is over
// it (scripts refuse deny-oom work then).
func (s *Server) OverMaxmemory() bool {
	limit := s.hot.maxmemory
	return limit > 0 && s.UsedMemory() > uint64(limit)
}

// ScriptError writes a script's error reply: msg carries its own error
// code and is written as it is ("-"+msg), counted like any error reply.
func (c *Client) ScriptError(msg string) {
	if msg == "" {
		msg = "ERR"
	}
	c.errs++
	c.srv.stats.countError(msg)
	c.W.Error("-" + msg)
}

// Texts of the replication gates scripts and script-mode Calls share.
const (
	// MsgReadOnlyReplica refuses a write on a read-only replica.
	MsgReadOnlyReplica = "READONLY You can't write against a read only replica."
	// MsgNoReplicas refuses a write when min-replicas-to-write is not met.
	MsgNoReplicas = msgNoReplicas
	// MsgMasterDown refuses a non-stale command while the link is down.
	MsgMasterDown = "MASTERDOWN Link with MASTER is down and replica-serve-stale-data is set to 'no'."
)

// CallWriteGates is WriteGates for the running command's client
// (host.Server).
func (s *Server) CallWriteGates() (readOnly, noReplicas, stale bool, diskErr string) {
	readOnly, noReplicas, stale = s.WriteGates(nil)
	return readOnly, noReplicas, stale, s.DiskErrorMessage(nil)
}

// WriteGates reports the replication states that refuse what c runs,
// for scripts and RedisModule_Call's "S" mode (Redis's checks in
// scriptPrepareForRun, scriptCall and RM_Call): readOnly when this is a
// read-only replica and c (nil: the client of the running command) is
// not its master; noReplicas when min-replicas-to-write is not met;
// stale when the link to the master is down and
// replica-serve-stale-data is no.
func (s *Server) WriteGates(c *Client) (readOnly, noReplicas, stale bool) {
	if c == nil {
		c = s.current
	}
	obey := c != nil && c.replMaster
	if r := s.repl.replica; r != nil {
		readOnly = !obey && s.Config.Bool("replica-read-only")
		stale = r.state != linkConnected && !s.Config.Bool("replica-serve-stale-data")
	}
	noReplicas = s.minReplicasRefused()
	return readOnly, noReplicas, stale
}

// MsgBgsaveErr refuses writes while the last background save failed and
// stop-writes-on-bgsave-error is on (Redis's shared.bgsaveerr).
const MsgBgsaveErr = "MISCONF Redis is configured to save RDB snapshots, but it's currently unable to persist to disk. Commands that may modify the data set are disabled, because this instance is configured to report errors during writes if RDB snapshotting fails (stop-writes-on-bgsave-error option). Please check the Redis logs for details about the RDB error."

// RDBWriteDenied reports whether writes are refused because the last
// background save failed: stop-writes-on-bgsave-error is on, the save
// directive has rules, and no save succeeded since (Redis's
// writeCommandsDeniedByDiskError, RDB case). c (nil: the client of the
// running command) is exempt when it is the master's link.
func (s *Server) RDBWriteDenied(c *Client) bool {
	if c == nil {
		c = s.current
	}
	if c != nil && c.replMaster {
		return false
	}
	p, ok := s.Persist.(*RDB)
	return ok && !p.lastBgOK && s.Config.Bool("stop-writes-on-bgsave-error") && p.HasSavePoints()
}

// DiskErrorMessage is the MISCONF error (without "-") that refuses a
// write while the RDB or the AOF cannot persist (RDB first, as Redis
// checks), "" when writes are allowed.
func (s *Server) DiskErrorMessage(c *Client) string {
	if s.RDBWriteDenied(c) {
		return MsgBgsaveErr
	}
	if e := s.DiskWriteError(c); e != "" {
		return "MISCONF Errors writing to the AOF file: " + e
	}
	return ""
}

// DiskWriteError is the error of the failing AOF writes while they make
// the server refuse writes (Redis's writeCommandsDeniedByDiskError), ""
// otherwise; c (nil: the client of the running command) is exempt when it
// is the master's link.
func (s *Server) DiskWriteError(c *Client) string {
	if c == nil {
		c = s.current
	}
	if c != nil && c.replMaster {
		return ""
	}
	p, ok := s.Persist.(*RDB)
	if !ok || p.aof == nil {
		return ""
	}
	if a := p.aof; a.state != aofOff && !a.lastWriteOK {
		return a.lastWriteErr
	}
	return ""
}
