package script

/*
#include "lua_engine.h"
*/
import "C"

import (
	"fmt"
	"time"

	"github.com/modhost/modhost/commands"
	"github.com/modhost/modhost/server"
)

// Texts of Redis's script errors.
const (
	msgNoScript       = "NOSCRIPT No matching script. Please use EVAL."
	msgUnknownCmd     = "Unknown Redis command called from script"
	msgWrongArgs      = "Wrong number of args calling Redis command from script"
	msgNotAllowed     = "This Redis command is not allowed from script"
	msgROScript       = "Write commands are not allowed from read-only scripts."
	msgOOM            = "-OOM command not allowed when used memory > 'maxmemory'."
	msgBusyEval       = "Redis is busy running a script. You can only call SCRIPT KILL or SHUTDOWN NOSAVE."
	msgBusyFunction   = "Redis is busy running a script. You can only call FUNCTION KILL or SHUTDOWN NOSAVE."
	msgKilledEval     = "Script killed by user with SCRIPT KILL..."
	msgNotBusy        = "NOTBUSY No scripts in execution right now."
	msgUnkillable     = "UNKILLABLE Sorry the script already executed write commands against the dataset. You can either wait the script termination or kill the server in a hard way using the SHUTDOWN NOSAVE command."
	msgROWithWrite    = "ERR Can not execute a script with write flag using *_ro command."
	msgOOMFlag        = "OOM allow-oom flag is not set on the script, can not run it when used memory > 'maxmemory'"
	msgStaleFlag      = "MASTERDOWN Link with MASTER is down, replica-serve-stale-data is set to 'no' and 'allow-stale' flag is not set on the script."
	msgROReplicaFlag  = "READONLY Can not run script with write flag on readonly replica"
	msgMisconfRDBFlag = "MISCONF Redis is configured to save RDB snapshots, but it's currently unable to persist to disk. Writable scripts are blocked. Use 'no-writes' flag for read only scripts."
	msgMisconfFlag    = "MISCONF Redis is configured to persist data to AOF, but it's currently unable to persist to disk. Writable scripts are blocked. Use 'no-writes' flag for read only scripts. AOF error: "
	msgStaleCommand   = "Can not execute the command on a stale replica"
	msgKeysNegative   = "ERR Number of keys can't be negative"
	msgKeysTooMany    = "ERR Number of keys can't be greater than number of args"
	msgNotInteger     = "ERR value is not an integer or out of range"
	msgCompilePrefix  = "ERR Error compiling script (new function): "
)

// runState is the script running now (Redis's scriptRunCtx).
type runState struct {
	caller *server.Client
	lua    *C.mh_lua // the state the script runs in
	name   string    // SHA1 or function name, for messages
	eval   bool      // EVAL/EVALSHA (else FCALL)
	// readOnly refuses write commands (EVAL_RO, no-writes).
	readOnly bool
	// allowOOM lets deny-oom commands run over maxmemory.
	allowOOM bool
	// oomAtStart is whether used memory was over maxmemory at the start.
	oomAtStart bool
	// dirty is set once the script ran a write command.
	dirty  bool
	killed bool
	busy   bool // other clients are told -BUSY
	start  time.Time
	repl   int      // redis.set_repl flags (server.Propagate*)
	argv   [][]byte // the FCALL command (FUNCTION STATS)
	db     int      // the script client's database (SELECT inside the script)
}

// runCommand is redis.call's body: Redis's checks in its order, then the
// command on the script's fake client. It returns the command's RESP
// reply, or a script error text ("-CODE msg" or "msg").
func (e *Engine) runCommand(args [][]byte) ([]byte, string) {
	r := e.run
	if r == nil {
		return nil, "redis.call is only available inside a script"
	}
	fc := e.fake
	fc.ResetFake(r.db, e.respVersion())
	args = e.srv.FilterScriptCommand(fc, args)
	if len(args) == 0 {
		return nil, msgUnknownCmd
	}
	cmd, ok := e.srv.Cmds.Resolve(args)
	if cmd == nil || !ok {
		return nil, msgUnknownCmd
	}
	if !cmd.ArityOK(len(args)) {
		return nil, msgWrongArgs
	}
	if cmd.Flags&commands.FlagNoScript != 0 {
		return nil, msgNotAllowed
	}
	roReplica, noReplicas, stale := e.srv.WriteGates(r.caller)
	if stale && cmd.Flags&commands.FlagStale == 0 {
		return nil, msgStaleCommand
	}
	if msg := e.srv.ScriptACLCheck(r.caller, cmd, args, true); msg != "" {
		return nil, "ACL failure in script: " + msg
	}
	if r.readOnly && cmd.Flags&(commands.FlagWrite|commands.FlagMayReplicate) != 0 {
		return nil, msgROScript
	}
	if cmd.Flags&commands.FlagWrite != 0 && !r.dirty {
		// A script that wrote already cannot be stopped half way.
		switch {
		case roReplica:
			return nil, "-" + server.MsgReadOnlyReplica
		case e.srv.DiskErrorMessage(r.caller) != "":
			return nil, "-" + e.srv.DiskErrorMessage(r.caller)
		case noReplicas:
			return nil, "-" + server.MsgNoReplicas
		}
	}
	if !r.allowOOM && !r.dirty && r.oomAtStart && cmd.Flags&commands.FlagDenyOOM != 0 && e.srv.OverMaxmemory() {
		return nil, msgOOM
	}
	if cmd.Flags&commands.FlagWrite != 0 {
		r.dirty = true
	}
	prevTarget := e.srv.SetScriptPropagation(r.repl)
	e.srv.CallNested(fc, cmd, args)
	e.srv.SetScriptPropagation(prevTarget)
	r.db = fc.DBIndex()
	reply := append([]byte(nil), fc.Writer().Buf...)
	e.srv.ReleaseFake(fc)
	return reply, ""
}

// hook runs every 100000 Lua instructions: past busy-reply-threshold it
// lets other clients in (they get -BUSY), and it returns the error that
// stops a killed script ("" to go on).
func (e *Engine) hook() string {
	r := e.run
	if r == nil {
		return ""
	}
	if !r.killed {
		limit := time.Duration(e.srv.Config.Int("busy-reply-threshold")) * time.Millisecond
		if limit <= 0 || time.Since(r.start) < limit {
			return ""
		}
		if !r.busy {
			r.busy = true
			e.srv.Log.Warningf("Slow script detected: still in execution after %d milliseconds. You can try killing the script using the %s command. Script name is: %s.",
				time.Since(r.start).Milliseconds(), map[bool]string{true: "SCRIPT KILL", false: "FUNCTION KILL"}[r.eval], r.name)
		}
		busy := msgBusyFunction
		if r.eval {
			busy = msgBusyEval
		}
		e.srv.YieldLocked(busy)
	}
	if !r.killed {
		return ""
	}
	// Redis says SCRIPT KILL for functions too (7.2's scriptInterrupt).
	return msgKilledEval
}

// kill is SCRIPT KILL (eval) and FUNCTION KILL: it marks the running
// script killed, or answers why it cannot.
func (e *Engine) kill(c *server.Client, eval bool) {
	r := e.run
	switch {
	case r == nil || !r.busy:
		c.Error(msgNotBusy)
	case r.dirty:
		c.Error(msgUnkillable)
	case r.eval != eval && eval:
		c.Error("BUSY " + msgBusyFunction)
	case r.eval != eval:
		c.Error("BUSY " + msgBusyEval)
	default:
		r.killed = true
		c.OK()
	}
}

// execute runs a compiled script for c and writes its reply: the shared
// part of EVAL*, and FCALL*. fn names the EVAL script's registry entry;
// a function (fn "") is the registry reference ref of the functions state.
func (e *Engine) execute(c *server.Client, r *runState, fn string, ref int, keys, args [][]byte) {
	if e.run != nil {
		// A script's module command ran EVAL or FCALL through
		// RedisModule_Call: Redis asserts; modhost refuses it, as a script
		// calling them directly is refused (noscript).
		c.Error("ERR " + msgNotAllowed)
		return
	}
	r.caller = c
	r.start = time.Now()
	r.repl = server.PropagateAll
	// The script's commands propagate (effects replication), the
	// script's own command does not.
	e.srv.PreventPropagation(c)
	r.db = c.DBIndex()
	r.oomAtStart = e.srv.OverMaxmemory()
	e.run = r
	hook := e.srv.Config.Int("busy-reply-threshold") > 0
	r.lua = e.lua
	if !r.eval {
		r.lua = e.flua
	}
	e.srv.EnterScript()
	out := e.call(r.lua, fn, ref, r.name, keys, args, r.eval, hook)
	e.srv.ExitScript()
	e.run = nil
	if r.eval {
		e.luaMem = stateMemory(e.lua)
	} else {
		e.fluaMem = stateMemory(e.flua)
	}
	if err := writeReply(c, out); err != nil {
		e.srv.Log.Warningf("script reply: %v", err)
		c.Error(fmt.Sprintf("ERR internal error converting the reply of %s", r.name))
	}
}
