package host

// The one guard of every Go function C calls: the generated API exports
// (exports_gen.go) and the hand-written Go halves of C-implemented API
// functions (mhv_*, mhev_*, mhts_*) defer guardExport first thing.

/*
#include "ctx.h"
#include "api_key.h"
#include "api_type.h"
*/
import "C"

import (
	"runtime/debug"

	"github.com/modhost/modhost/internal/logging"
)

// guardExport is deferred first thing in every export: a Go panic must not
// unwind through module C frames, so it is recovered and logged as
// "module <name>: <command>: RedisModule_<api>: <panic>" with the stack,
// and the export returns the value its named result holds (the generated
// exports preset it to the function's error return). onPanic, if given,
// runs after the log line (to mark a request failed, for example).
func guardExport(ctx *C.RedisModuleCtx, api string, onPanic ...func()) {
	r := recover()
	if r == nil {
		return
	}
	mod, cmd, lg := panicWhere(ctx)
	lg.Warningf("module %s: %s: RedisModule_%s: %v\n%s", mod, cmd, api, r, debug.Stack())
	for _, f := range onPanic {
		f()
	}
}

// panicWhere names the module and the command a context serves for a panic
// report ("?" for what is unknown) and the log to write it to. It never
// panics itself.
func panicWhere(ctx *C.RedisModuleCtx) (mod, cmd string, lg *logging.Logger) {
	mod, cmd, lg = "?", "?", fallbackLog
	defer func() { _ = recover() }()
	if s := serverFor(ctx); s != nil && s.Log != nil {
		lg = s.Log
	}
	if ctx == nil {
		return
	}
	if ctx.module_name != nil {
		mod = C.GoString(ctx.module_name)
	}
	st := stateOf(ctx)
	if st == nil {
		return
	}
	if m := st.mod; m != nil {
		mod = m.Name
	} else if m := st.loading; m != nil {
		mod, cmd = m.Name, "OnLoad"
	}
	if len(st.args) > 0 {
		cmd = string(st.args[0])
	}
	return
}

// keyCtx is the context that opened key (nil for a nil key).
func keyCtx(key *C.RedisModuleKey) *C.RedisModuleCtx {
	if key == nil {
		return nil
	}
	return key.ctx
}

// ioCtx is the context made for io by GetContextFromIO (nil if none).
func ioCtx(io *C.RedisModuleIO) *C.RedisModuleCtx {
	if io == nil {
		return nil
	}
	return io.ctx
}
