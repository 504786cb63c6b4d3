package script

import (
	"bytes"
	"strconv"
	"strings"

	"github.com/modhost/modhost/commands"
	"github.com/modhost/modhost/server"
)

// scriptFlags are the flags of a script's shebang line.
type scriptFlags int

const (
	flagNoWrites scriptFlags = 1 << iota
	flagAllowOOM
	flagAllowStale
	flagNoCluster
	flagAllowCrossSlot
	// flagCompat marks a script without shebang (Redis's eval
	// compatibility mode).
	flagCompat
)

var shebangFlags = map[string]scriptFlags{
	"no-writes": flagNoWrites, "allow-oom": flagAllowOOM, "allow-stale": flagAllowStale,
	"no-cluster": flagNoCluster, "allow-cross-slot-keys": flagAllowCrossSlot,
}

// parseShebang reads a "#!lua flags=a,b" first line. It returns the flags
// and the length of the line (the body after it keeps the newline, so line
// numbers stay the user's), or Redis's error text.
func parseShebang(body []byte) (scriptFlags, int, string) {
	if !bytes.HasPrefix(body, []byte("#!")) {
		return flagCompat, 0, ""
	}
	end := bytes.IndexByte(body, '\n')
	if end < 0 {
		return 0, 0, "Invalid script shebang"
	}
	parts := strings.Fields(string(body[:end]))
	if len(parts) == 0 {
		return 0, 0, "Invalid engine in script shebang"
	}
	if parts[0] != "#!lua" {
		return 0, 0, "Unexpected engine in script shebang: " + parts[0]
	}
	var flags scriptFlags
	for _, p := range parts[1:] {
		rest, ok := strings.CutPrefix(p, "flags=")
		if !ok {
			return 0, 0, "Unknown lua shebang option: " + p
		}
		for _, f := range strings.Split(rest, ",") {
			v, known := shebangFlags[f]
			if !known {
				return 0, 0, "Unexpected flag in script shebang: " + f
			}
			flags |= v
		}
	}
	return flags, end, ""
}

// create compiles body into the cache (if new) and returns its SHA1; on
// failure it returns the error reply text.
func (e *Engine) create(body []byte) (string, *cachedScript, string) {
	sha := sha1Hex(body)
	if s := e.scripts[sha]; s != nil {
		return sha, s, ""
	}
	flags, skip, msg := parseShebang(body)
	if msg != "" {
		return "", nil, "ERR " + msg
	}
	if lmsg, ok := e.compile(funcName(sha), body[skip:], "@user_script"); !ok {
		return "", nil, msgCompilePrefix + lmsg
	}
	s := &cachedScript{body: append([]byte(nil), body...), flags: flags}
	e.scripts[sha] = s
	e.bodyBytes += len(body) + len(sha)
	return sha, s, ""
}

// parseNumKeys reads EVAL's numkeys argument and checks it against the
// arguments; on failure it returns the error reply.
func parseNumKeys(args [][]byte) (int, string) {
	n, err := strconv.ParseInt(string(args[2]), 10, 64)
	switch {
	case err != nil:
		return 0, msgNotInteger
	case n > int64(len(args)-3):
		return 0, msgKeysTooMany
	case n < 0:
		return 0, msgKeysNegative
	}
	return int(n), ""
}

// evalKeys is the GetKeys of EVAL, EVALSHA, FCALL and their _RO forms.
func evalKeys(args [][]byte) []int {
	if len(args) < 3 {
		return nil
	}
	n, err := strconv.Atoi(string(args[2]))
	if err != nil || n < 0 || n > len(args)-3 {
		return nil
	}
	out := make([]int, n)
	for i := range out {
		out[i] = 3 + i
	}
	return out
}

// evalCommand is EVAL, EVALSHA, EVAL_RO and EVALSHA_RO.
func (e *Engine) evalCommand(byHash, readOnly bool) commands.Handler {
	return func(cc commands.Client, args [][]byte) {
		c := cc.(*server.Client)
		numKeys, msg := parseNumKeys(args)
		if msg != "" {
			c.Error(msg)
			return
		}
		var sha string
		var s *cachedScript
		if byHash {
			sha = strings.ToLower(string(args[1]))
			if s = e.scripts[sha]; s == nil {
				c.Error(msgNoScript)
				return
			}
		} else if sha, s, msg = e.create(args[1]); msg != "" {
			c.Error(msg)
			return
		}
		if msg := e.prepare(c, s.flags, readOnly); msg != "" {
			c.Error(msg)
			return
		}
		r := &runState{
			name: sha, eval: true,
			readOnly: readOnly || s.flags&flagNoWrites != 0,
			allowOOM: c.AllowOOM() || s.flags&flagAllowOOM != 0,
		}
		e.execute(c, r, funcName(sha), 0, args[3:3+numKeys], args[3+numKeys:])
	}
}

var scriptHelp = []string{
	"SCRIPT <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
	"DEBUG (YES|SYNC|NO)",
	"    Set the debug mode for subsequent scripts executed.",
	"EXISTS <sha1> [<sha1> ...]",
	"    Return information about the existence of the scripts in the script cache.",
	"FLUSH [ASYNC|SYNC]",
	"    Flush the Lua scripts cache. Very dangerous on replicas.",
	"    When called without the optional mode argument, the behavior is determined by the",
	"    lazyfree-lazy-user-flush configuration directive. Valid modes are:",
	"    * ASYNC: Asynchronously flush the scripts cache.",
	"    * SYNC: Synchronously flush the scripts cache.",
	"KILL",
	"    Kill the currently executing Lua script.",
	"LOAD <script>",
	"    Load a script into the scripts cache without executing it.",
	"HELP",
	"    Prints this help.",
}

func (e *Engine) scriptLoad(cc commands.Client, args [][]byte) {
	c := cc.(*server.Client)
	sha, _, msg := e.create(args[2])
	if msg != "" {
		c.Error(msg)
		return
	}
	c.Writer().BulkString(sha)
}

func (e *Engine) scriptExists(cc commands.Client, args [][]byte) {
	w := cc.Writer()
	w.ArrayLen(len(args) - 2)
	for _, a := range args[2:] {
		if e.scripts[strings.ToLower(string(a))] != nil {
			w.Int(1)
		} else {
			w.Int(0)
		}
	}
}

// scriptFlush drops every cached script and starts a fresh Lua state.
// ASYNC and SYNC both flush at once: the Lua state is closed before the
// reply, which is what SYNC promises and is allowed for ASYNC.
func (e *Engine) scriptFlush(cc commands.Client, args [][]byte) {
	if len(args) > 3 || (len(args) == 3 && !strings.EqualFold(string(args[2]), "sync") && !strings.EqualFold(string(args[2]), "async")) {
		cc.Error("ERR SCRIPT FLUSH only support SYNC|ASYNC option")
		return
	}
	if e.run != nil {
		cc.Error("ERR SCRIPT FLUSH can not run inside a script")
		return
	}
	e.scripts = map[string]*cachedScript{}
	e.bodyBytes = 0
	e.resetLua()
	cc.OK()
}

// scriptDebug is SCRIPT DEBUG: only NO (the default, no debugger) is
// available; modhost has no Lua debugger, so YES and SYNC are refused.
func (e *Engine) scriptDebug(cc commands.Client, args [][]byte) {
	switch strings.ToLower(string(args[2])) {
	case "no":
		cc.OK()
	case "yes", "sync":
		cc.Error("ERR SCRIPT DEBUG YES/SYNC is not supported: modhost has no Lua debugger")
	default:
		cc.Error("ERR Use SCRIPT DEBUG YES/SYNC/NO")
	}
}

func (e *Engine) scriptKill(cc commands.Client, _ [][]byte) { e.kill(cc.(*server.Client), true) }

func scriptHelpCmd(cc commands.Client, _ [][]byte) {
	w := cc.Writer()
	w.ArrayLen(len(scriptHelp))
	for _, l := range scriptHelp {
		w.SimpleString(l)
	}
}
