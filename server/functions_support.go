package server

import "github.com/modhost/modhost/keyspace/rdb"

// What the scripting engine's functions need of the server: RDB save and
// load of the libraries, and effects replication of scripts.

// FunctionStore is the scripting engine's function libraries as the
// server's persistence sees them: saved into every RDB file (and full
// sync), created again from the file at load.
type FunctionStore interface {
	rdb.FunctionSaver
	rdb.FunctionLoader
	// FlushFunctionLibraries drops every library, before a load replaces
	// the dataset (start-up, DEBUG RELOAD) and after a load that failed.
	FlushFunctionLibraries()
}

// SetFunctionStore installs the engine's libraries for persistence.
func (s *Server) SetFunctionStore(fs FunctionStore) { s.functions = fs }

// flushFunctions drops the function libraries, if any (before a load).
func (s *Server) flushFunctions() {
	if s.functions != nil {
		s.functions.FlushFunctionLibraries()
	}
}

// PreventPropagation keeps c's running command out of the propagation
// feed (preventCommandPropagation): scripts propagate the commands they
// ran instead of themselves.
func (s *Server) PreventPropagation(c *Client) { c.noProp = true }

// SetScriptPropagation sets the propagation target of the commands a
// script runs on its fake client (redis.set_repl; PropagateAll by
// default), leaving whether propagation is allowed at all (a module Call
// without "!") as it is. It returns the previous target.
func (s *Server) SetScriptPropagation(target int) int {
	prev := s.prop.nestedTarget
	s.prop.nestedTarget = target
	return prev
}

// MarkScriptClient marks c, a fake client, as the one that runs the
// commands of Lua scripts.
func (c *Client) MarkScriptClient() { c.scriptClient = true }

// IsScriptClient reports whether c runs the commands of Lua scripts
// (modules see REDISMODULE_CTX_FLAGS_LUA).
func (c *Client) IsScriptClient() bool { return c.scriptClient }

// EnterScript and ExitScript bracket a Lua script's run (EVAL, FCALL), so
// that RedisModule_GetContextFlags reports REDISMODULE_CTX_FLAGS_LUA to
// every context while it runs, as Redis's scriptIsRunning does (a module
// notified of a key the script changed, or called by RedisModule_Call
// from inside it). Called under the lock.
func (s *Server) EnterScript() { s.scriptDepth++ }

// ExitScript ends what EnterScript began.
func (s *Server) ExitScript() { s.scriptDepth-- }

// ExecOrScript reports whether EXEC is running its commands (Redis's
// server.in_exec) and whether a Lua script runs, server-wide: what
// RedisModule_GetContextFlags reports as MULTI and LUA whatever the
// context's client.
func (s *Server) ExecOrScript() (inExec, inScript bool) {
	return s.execDepth > 0, s.scriptDepth > 0
}
