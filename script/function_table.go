package script

import (
	"errors"

	"github.com/modhost/modhost/commands"
)

// functionTable is FCALL, FCALL_RO and FUNCTION, flags and categories as
// Redis 7.2's COMMAND INFO has them (key specs and tips come from the
// server's spec table).
func (e *Engine) functionTable() []commands.Entry {
	const fcallFlags = "noscript stale skip_monitor no_mandatory_keys movablekeys"
	const acl = "slow scripting"
	docs := &commands.CommandDocs{Complexity: "Depends on the function that is executed."}
	sub := func(name string, arity int, flags, summary, complexity string, h commands.Handler) commands.Entry {
		return commands.Entry{Name: name, Arity: arity, Flags: flags, ACL: acl, Since: "7.0.0",
			Summary: summary, Docs: &commands.CommandDocs{Complexity: complexity}, Handler: h}
	}
	return []commands.Entry{
		{Name: "fcall", Arity: -3, Flags: "may_replicate " + fcallFlags, ACL: acl, Group: "scripting", Since: "7.0.0",
			Summary: "Invokes a function.", Docs: docs, Handler: e.fcallCommand(false), GetKeys: evalKeys, DynFlags: e.fcallFlags},
		{Name: "fcall_ro", Arity: -3, Flags: "readonly " + fcallFlags, ACL: acl, Group: "scripting", Since: "7.0.0",
			Summary: "Invokes a read-only function.", Docs: docs, Handler: e.fcallCommand(true), GetKeys: evalKeys, DynFlags: e.fcallFlags},
		{Name: "function", Arity: -2, ACL: "slow", Group: "scripting", Since: "7.0.0",
			Summary: "A container for function commands.",
			Docs:    &commands.CommandDocs{Complexity: "Depends on subcommand."},
			Handler: func(commands.Client, [][]byte) {},
			Subs: []commands.Entry{
				sub("load", -3, "noscript write denyoom", "Creates a library.", "O(1) (considering compilation time is redundant)", e.functionLoad),
				sub("list", -2, "noscript", "Returns information about all libraries.", "O(N) where N is the number of functions", e.functionList),
				sub("delete", 3, "noscript write", "Deletes a library and its functions.", "O(1)", e.functionDelete),
				sub("flush", -2, "noscript write", "Deletes all libraries and functions.", "O(N) where N is the number of functions deleted", e.functionFlush),
				sub("dump", 2, "noscript", "Dumps all libraries into a serialized binary payload.", "O(N) where N is the number of functions", e.functionDump),
				sub("restore", -3, "noscript write denyoom", "Restores all libraries from a payload.", "O(N) where N is the number of functions on the payload", e.functionRestore),
				sub("stats", 2, "noscript allow_busy", "Returns information about a function during execution.", "O(1)", e.functionStats),
				sub("kill", 2, "noscript allow_busy", "Terminates a function during execution.", "O(1)", e.functionKill),
				sub("help", 2, "loading stale", "Returns helpful text about the different subcommands.", "O(1)", functionHelpCmd),
			}},
	}
}

// FunctionLibraries is the libraries' code for an RDB file
// (rdb.FunctionSaver).
func (e *Engine) FunctionLibraries() [][]byte { return e.codes() }

// LoadFunctionLibrary creates a library met in an RDB file, with no load
// timeout (rdb.FunctionLoader).
func (e *Engine) LoadFunctionLibrary(code []byte) error {
	if _, msg := e.createLibrary(e.libs, code, false, 0); msg != "" {
		return errors.New(msg)
	}
	return nil
}

// FlushFunctionLibraries drops every library (server.FunctionStore).
func (e *Engine) FlushFunctionLibraries() { e.flushFunctions() }
