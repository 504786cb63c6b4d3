package script

import (
	"strings"

	"github.com/modhost/modhost/commands"
)

// The flags of one EVAL or FCALL call (Redis's evalGetCommandFlags and
// fcallGetCommandFlags): a script that declares flags (a shebang, or any
// function) makes the command write and deny-oom, or not, as they say.
// RedisModule_Call's "W", "M" and "S" modifiers and the server's OOM
// check read these.

// toCmdFlags is Redis's scriptFlagsToCmdFlags: the command's write,
// deny-oom and stale flags replaced by what the script declares.
func toCmdFlags(f commands.CmdFlag, sf scriptFlags) commands.CmdFlag {
	f &^= commands.FlagStale | commands.FlagDenyOOM | commands.FlagWrite
	// no-writes implies allow-oom
	if sf&(flagAllowOOM|flagNoWrites) == 0 {
		f |= commands.FlagDenyOOM
	}
	if sf&flagNoWrites == 0 {
		f |= commands.FlagWrite
	}
	if sf&flagAllowStale != 0 {
		f |= commands.FlagStale
	}
	// with declared flags it is known whether the script writes
	return f &^ commands.FlagMayReplicate
}

// evalFlags is the DynFlags of EVAL, EVALSHA and their _RO forms: the
// cached script's flags, else (EVAL) those of the body's shebang; the
// command's own flags when the script is unknown, its shebang is bad or
// it has none.
func (e *Engine) evalFlags(byHash bool) func(*commands.Command, [][]byte) commands.CmdFlag {
	return func(cmd *commands.Command, args [][]byte) commands.CmdFlag {
		if len(args) < 2 {
			return cmd.Flags
		}
		var sf scriptFlags
		if byHash {
			s := e.scripts[strings.ToLower(string(args[1]))]
			if s == nil {
				return cmd.Flags
			}
			sf = s.flags
		} else if s := e.scripts[sha1Hex(args[1])]; s != nil {
			sf = s.flags
		} else {
			var msg string
			if sf, _, msg = parseShebang(args[1]); msg != "" {
				return cmd.Flags
			}
		}
		if sf&flagCompat != 0 {
			return cmd.Flags
		}
		return toCmdFlags(cmd.Flags, sf)
	}
}

// fcallFlags is the DynFlags of FCALL and FCALL_RO: the function's flags,
// or the command's own for an unknown function.
func (e *Engine) fcallFlags(cmd *commands.Command, args [][]byte) commands.CmdFlag {
	if len(args) < 2 {
		return cmd.Flags
	}
	f := e.libs.funcs[strings.ToLower(string(args[1]))]
	if f == nil {
		return cmd.Flags
	}
	return toCmdFlags(cmd.Flags, f.flags)
}
