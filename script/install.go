package script

import (
	"github.com/modhost/modhost/commands"
	"github.com/modhost/modhost/server"
)

// Install creates srv's scripting engine and adds EVAL, EVALSHA, EVAL_RO,
// EVALSHA_RO and SCRIPT to its command table. cmd/modhost calls it once,
// before the server accepts connections.
func Install(srv *server.Server) *Engine {
	e := newEngine(srv)
	e.fake = srv.NewFakeClient()
	e.fake.MarkScriptClient()
	srv.Cmds.AddTables([][]commands.Entry{e.table(), e.functionTable()})
	srv.SetScriptInfo(e.info)
	srv.SetFunctionStore(e)
	return e
}

const evalComplexity = "Depends on the script that is executed."

// table is the scripting commands' table, flags and categories as Redis
// 7's COMMAND INFO has them.
func (e *Engine) table() []commands.Entry {
	// EVAL and EVALSHA are also may_replicate (hidden from COMMAND INFO):
	// CLIENT PAUSE WRITE holds them back.
	const evalFlags = "noscript stale skip_monitor no_mandatory_keys movablekeys"
	const acl = "slow scripting"
	docs := &commands.CommandDocs{Complexity: evalComplexity}
	return []commands.Entry{
		{Name: "eval", Arity: -3, Flags: "may_replicate " + evalFlags, ACL: acl, Group: "scripting", Since: "2.6.0",
			Summary: "Executes a server-side Lua script.", Docs: docs,
			Handler: e.evalCommand(false, false), GetKeys: evalKeys, DynFlags: e.evalFlags(false)},
		{Name: "evalsha", Arity: -3, Flags: "may_replicate " + evalFlags, ACL: acl, Group: "scripting", Since: "2.6.0",
			Summary: "Executes a server-side Lua script by SHA1 digest.", Docs: docs,
			Handler: e.evalCommand(true, false), GetKeys: evalKeys, DynFlags: e.evalFlags(true)},
		{Name: "eval_ro", Arity: -3, Flags: "readonly " + evalFlags, ACL: acl, Group: "scripting", Since: "7.0.0",
			Summary: "Executes a read-only server-side Lua script.", Docs: docs,
			Handler: e.evalCommand(false, true), GetKeys: evalKeys, DynFlags: e.evalFlags(false)},
		{Name: "evalsha_ro", Arity: -3, Flags: "readonly " + evalFlags, ACL: acl, Group: "scripting", Since: "7.0.0",
			Summary: "Executes a read-only server-side Lua script by SHA1 digest.", Docs: docs,
			Handler: e.evalCommand(true, true), GetKeys: evalKeys, DynFlags: e.evalFlags(true)},
		{Name: "script", Arity: -2, ACL: "slow", Group: "scripting", Since: "2.6.0",
			Summary: "A container for Lua scripts management commands.",
			Docs:    &commands.CommandDocs{Complexity: "Depends on subcommand."},
			Handler: func(commands.Client, [][]byte) {},
			Subs: []commands.Entry{
				{Name: "load", Arity: 3, Flags: "noscript stale", ACL: acl, Since: "2.6.0",
					Summary: "Loads a server-side Lua script to the script cache.",
					Docs:    &commands.CommandDocs{Complexity: "O(N) with N being the length in bytes of the script body."},
					Handler: e.scriptLoad},
				{Name: "exists", Arity: -3, Flags: "noscript", ACL: acl, Since: "2.6.0",
					Summary: "Determines whether server-side Lua scripts exist in the script cache.",
					Docs:    &commands.CommandDocs{Complexity: "O(N) with N being the number of scripts to check (so checking a single script is an O(1) operation)."},
					Handler: e.scriptExists},
				{Name: "flush", Arity: -2, Flags: "noscript", ACL: acl, Since: "2.6.0",
					Summary: "Removes all server-side Lua scripts from the script cache.",
					Docs:    &commands.CommandDocs{Complexity: "O(N) with N being the number of scripts in cache", History: [][2]string{{"6.2.0", "Added the `ASYNC` and `SYNC` flushing mode modifiers."}}},
					Handler: e.scriptFlush},
				{Name: "kill", Arity: 2, Flags: "noscript allow_busy", ACL: acl, Since: "2.6.0",
					Summary: "Terminates a server-side Lua script during execution.",
					Docs:    &commands.CommandDocs{Complexity: "O(1)"},
					Handler: e.scriptKill},
				{Name: "debug", Arity: 3, Flags: "noscript", ACL: acl, Since: "3.2.0",
					Summary: "Sets the debug mode of server-side Lua scripts.",
					Docs:    &commands.CommandDocs{Complexity: "O(1)"},
					Handler: e.scriptDebug},
				{Name: "help", Arity: 2, Flags: "loading stale", ACL: acl, Since: "5.0.0",
					Summary: "Returns helpful text about the different subcommands.",
					Docs:    &commands.CommandDocs{Complexity: "O(1)"},
					Handler: scriptHelpCmd},
			}},
	}
}

// info is the scripting part of INFO memory: the Lua state's memory, the
// cached scripts and their size. It does not call into C (INFO is also
// rendered by the crash reporter while a module thread is stopped).
func (e *Engine) info() server.ScriptInfo {
	return server.ScriptInfo{
		LuaMemory: e.luaMem, Scripts: len(e.scripts), ScriptBytes: int64(e.bodyBytes),
		FunctionsVM: e.fluaMem, Functions: e.libs.numFunctions(), Libraries: len(e.libs.libs),
		FunctionsBytes: int64(e.libs.codeBytes),
	}
}
