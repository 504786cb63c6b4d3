package script

import (
	"strings"
	"time"

	"github.com/modhost/modhost/commands"
	"github.com/modhost/modhost/internal/glob"
	"github.com/modhost/modhost/keyspace/rdb"
	"github.com/modhost/modhost/server"
)

// The FUNCTION commands and FCALL/FCALL_RO (functions.c).

// fcallCommand is FCALL and FCALL_RO.
func (e *Engine) fcallCommand(readOnly bool) commands.Handler {
	return func(cc commands.Client, args [][]byte) {
		c := cc.(*server.Client)
		f := e.libs.funcs[strings.ToLower(string(args[1]))]
		if f == nil {
			c.Error(msgFuncNotFound)
			return
		}
		numKeys, msg := parseNumKeys(args)
		if msg == msgNotInteger {
			msg = msgBadNumKeys
		}
		if msg != "" {
			c.Error(msg)
			return
		}
		if msg := e.prepare(c, f.flags, readOnly); msg != "" {
			c.Error(msg)
			return
		}
		r := &runState{
			name:     f.name,
			readOnly: readOnly || f.flags&flagNoWrites != 0,
			allowOOM: c.AllowOOM() || f.flags&flagAllowOOM != 0,
			argv:     args,
		}
		e.execute(c, r, "", f.ref, args[3:3+numKeys], args[3+numKeys:])
	}
}

// prepare is the checks of scriptPrepareForRun for a script with flags
// that c runs: "" when it may run, else the error reply. A script
// without shebang is only refused on a stale replica. A caller allowed
// to ignore maxmemory (RedisModule_Call without "M") skips the OOM check.
// A client's own EVAL or FCALL meets the replica and OOM gates before
// (Command.FlagsFor); these are for scripts run through RedisModule_Call.
func (e *Engine) prepare(c *server.Client, flags scriptFlags, readOnly bool) string {
	roReplica, noReplicas, stale := e.srv.WriteGates(c)
	if flags&flagCompat != 0 {
		if stale {
			return server.MsgMasterDown
		}
		return ""
	}
	if stale && flags&flagAllowStale == 0 {
		return msgStaleFlag
	}
	if flags&flagNoWrites == 0 {
		switch {
		case roReplica:
			return msgROReplicaFlag
		case e.srv.RDBWriteDenied(c):
			return msgMisconfRDBFlag
		case e.srv.DiskWriteError(c) != "":
			return msgMisconfFlag + e.srv.DiskWriteError(c)
		case readOnly:
			return msgROWithWrite
		case noReplicas:
			return server.MsgNoReplicas
		}
	}
	if !c.AllowOOM() && flags&(flagAllowOOM|flagNoWrites) == 0 && e.srv.OverMaxmemory() {
		return msgOOMFlag
	}
	return ""
}

// functionLoad is FUNCTION LOAD [REPLACE] code.
func (e *Engine) functionLoad(cc commands.Client, args [][]byte) {
	replace := false
	i := 2
	for ; i < len(args)-1; i++ {
		if !strings.EqualFold(string(args[i]), "replace") {
			cc.Error("ERR Unknown option given: " + string(args[i]))
			return
		}
		replace = true
	}
	if i >= len(args) {
		cc.Error("ERR Function code is missing")
		return
	}
	// Redis lifts the timeout for its master and AOF clients
	// (mustObeyClient); main has neither yet, so every load gets it.
	name, msg := e.createLibrary(e.libs, args[i], replace, loadTimeoutMs)
	if msg != "" {
		cc.Error("ERR " + msg)
		return
	}
	e.srv.Keys.Dirty++
	cc.Writer().BulkString(name)
}

// functionDelete is FUNCTION DELETE library.
func (e *Engine) functionDelete(cc commands.Client, args [][]byte) {
	l := e.libs.libs[string(args[2])]
	if l == nil {
		cc.Error(msgLibNotFound)
		return
	}
	e.libs.unlink(l)
	e.freeLibrary(l)
	e.fluaMem = stateMemory(e.flua)
	e.srv.Keys.Dirty++
	cc.OK()
}

// functionFlush is FUNCTION FLUSH [ASYNC|SYNC]; both flush at once.
func (e *Engine) functionFlush(cc commands.Client, args [][]byte) {
	if len(args) > 3 {
		cc.Error("ERR unknown subcommand or wrong number of arguments for '" + string(args[1]) + "'. Try FUNCTION HELP.")
		return
	}
	if len(args) == 3 && !strings.EqualFold(string(args[2]), "sync") && !strings.EqualFold(string(args[2]), "async") {
		cc.Error("ERR FUNCTION FLUSH only supports SYNC|ASYNC option")
		return
	}
	e.flushFunctions()
	e.srv.Keys.Dirty++
	cc.OK()
}

// functionList is FUNCTION LIST [LIBRARYNAME pattern] [WITHCODE].
func (e *Engine) functionList(cc commands.Client, args [][]byte) {
	withCode := false
	var pattern []byte
	hasPattern := false
	for i := 2; i < len(args); i++ {
		a := string(args[i])
		if !withCode && strings.EqualFold(a, "withcode") {
			withCode = true
			continue
		}
		if !hasPattern && strings.EqualFold(a, "libraryname") {
			if i >= len(args)-1 {
				cc.Error("ERR library name argument was not given")
				return
			}
			i++
			pattern, hasPattern = args[i], true
			continue
		}
		cc.Error("ERR Unknown argument " + a)
		return
	}
	var libs []*library
	for _, l := range e.libs.sorted() {
		if !hasPattern || glob.Match(pattern, []byte(l.name), true) {
			libs = append(libs, l)
		}
	}
	w := cc.Writer()
	w.ArrayLen(len(libs))
	for _, l := range libs {
		if withCode {
			w.MapLen(4)
		} else {
			w.MapLen(3)
		}
		w.BulkString("library_name")
		w.BulkString(l.name)
		w.BulkString("engine")
		w.BulkString("LUA")
		w.BulkString("functions")
		w.ArrayLen(len(l.funcs))
		for _, f := range l.funcs {
			w.MapLen(3)
			w.BulkString("name")
			w.BulkString(f.name)
			w.BulkString("description")
			if f.hasDesc {
				w.BulkString(f.desc)
			} else {
				w.NullBulk()
			}
			w.BulkString("flags")
			names := f.flags.names()
			w.SetLen(len(names))
			for _, n := range names {
				w.SimpleString(n)
			}
		}
		if withCode {
			w.BulkString("library_code")
			w.Bulk(l.code)
		}
	}
}

// functionStats is FUNCTION STATS.
func (e *Engine) functionStats(cc commands.Client, _ [][]byte) {
	if e.run != nil && e.run.eval {
		cc.Error("BUSY " + msgBusyEval)
		return
	}
	w := cc.Writer()
	w.MapLen(2)
	w.BulkString("running_script")
	if r := e.run; r == nil {
		w.NullBulk()
	} else {
		w.MapLen(3)
		w.BulkString("name")
		w.BulkString(r.name)
		w.BulkString("command")
		w.ArrayLen(len(r.argv))
		for _, a := range r.argv {
			w.Bulk(a)
		}
		w.BulkString("duration_ms")
		w.Int(time.Since(r.start).Milliseconds())
	}
	w.BulkString("engines")
	w.MapLen(1)
	w.BulkString("LUA")
	w.MapLen(2)
	w.BulkString("libraries_count")
	w.Int(int64(len(e.libs.libs)))
	w.BulkString("functions_count")
	w.Int(int64(e.libs.numFunctions()))
}

func (e *Engine) functionKill(cc commands.Client, _ [][]byte) { e.kill(cc.(*server.Client), false) }

// codes returns the libraries' code, in the order they are saved.
func (e *Engine) codes() [][]byte {
	libs := e.libs.sorted()
	out := make([][]byte, len(libs))
	for i, l := range libs {
		out[i] = l.code
	}
	return out
}

// functionDump is FUNCTION DUMP: the libraries as RDB function entries
// with the DUMP footer (RDB version, CRC64).
func (e *Engine) functionDump(cc commands.Client, _ [][]byte) {
	cc.Writer().Bulk(rdb.DumpFunctions(e.codes(), int(cc.Config().Int("rdb-version")), cc.Config().Bool("rdbcompression")))
}

// functionRestore is FUNCTION RESTORE payload [FLUSH|APPEND|REPLACE].
func (e *Engine) functionRestore(cc commands.Client, args [][]byte) {
	if len(args) > 4 {
		cc.Error("ERR unknown subcommand or wrong number of arguments for '" + string(args[1]) + "'. Try FUNCTION HELP.")
		return
	}
	policy := "append"
	if len(args) == 4 {
		policy = strings.ToLower(string(args[3]))
		if policy != "append" && policy != "replace" && policy != "flush" {
			cc.Error("ERR Wrong restore policy given, value should be either FLUSH, APPEND or REPLACE.")
			return
		}
	}
	codes, err := rdb.RestoreFunctions(args[2], cc.SkipChecksumValidation())
	if err != nil {
		cc.Error("ERR " + err.Error())
		return
	}
	x := newLibCtx()
	for _, code := range codes {
		if _, msg := e.createLibrary(x, code, false, 0); msg != "" {
			e.freeCtx(x)
			cc.Error("ERR " + msg)
			return
		}
	}
	if policy == "flush" {
		e.freeCtx(e.libs)
		e.libs = x
	} else if msg := e.joinLibraries(e.libs, x, policy == "replace"); msg != "" {
		e.freeCtx(x)
		cc.Error("ERR " + msg)
		return
	}
	e.fluaMem = stateMemory(e.flua)
	e.srv.Keys.Dirty++
	cc.OK()
}

var functionHelp = []string{
	"FUNCTION <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
	"LOAD [REPLACE] <FUNCTION CODE>",
	"    Create a new library with the given library name and code.",
	"DELETE <LIBRARY NAME>",
	"    Delete the given library.",
	"LIST [LIBRARYNAME PATTERN] [WITHCODE]",
	"    Return general information on all the libraries:",
	"    * Library name",
	"    * The engine used to run the Library",
	"    * Library description",
	"    * Functions list",
	"    * Library code (if WITHCODE is given)",
	"    It also possible to get only function that matches a pattern using LIBRARYNAME argument.",
	"STATS",
	"    Return information about the current function running:",
	"    * Function name",
	"    * Command used to run the function",
	"    * Duration in MS that the function is running",
	"    If no function is running, return nil",
	"    In addition, returns a list of available engines.",
	"KILL",
	"    Kill the current running function.",
	"FLUSH [ASYNC|SYNC]",
	"    Delete all the libraries.",
	"    When called without the optional mode argument, the behavior is determined by the",
	"    lazyfree-lazy-user-flush configuration directive. Valid modes are:",
	"    * ASYNC: Asynchronously flush the libraries.",
	"    * SYNC: Synchronously flush the libraries.",
	"DUMP",
	"    Return a serialized payload representing the current libraries, can be restored using FUNCTION RESTORE command",
	"RESTORE <PAYLOAD> [FLUSH|APPEND|REPLACE]",
	"    Restore the libraries represented by the given payload, it is possible to give a restore policy to",
	"    control how to handle existing libraries (default APPEND):",
	"    * FLUSH: delete all existing libraries.",
	"    * APPEND: appends the restored libraries to the existing libraries. On collision, abort.",
	"    * REPLACE: appends the restored libraries to the existing libraries, On collision, replace the old",
	"      libraries with the new libraries (notice that even on this option there is a chance of failure",
	"      in case of functions name collision with another library).",
	"HELP",
	"    Prints this help.",
}

func functionHelpCmd(cc commands.Client, _ [][]byte) {
	w := cc.Writer()
	w.ArrayLen(len(functionHelp))
	for _, l := range functionHelp {
		w.SimpleString(l)
	}
}

// names are the flag names in Redis's order (FUNCTION LIST).
func (f scriptFlags) names() []string {
	var out []string
	for i, n := range []string{"no-writes", "allow-oom", "allow-stale", "no-cluster", "allow-cross-slot-keys"} {
		if f&(1<<i) != 0 {
			out = append(out, n)
		}
	}
	return out
}
