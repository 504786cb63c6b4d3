package host

// RedisModule_Yield: letting other clients in during a long module
// command. This file exports to C, so its preamble only declares.
//
// Design. A command runs holding the server lock, so while it loops no
// connection goroutine can execute anything. With
// REDISMODULE_YIELD_FLAG_CLIENTS, once busy-reply-threshold milliseconds
// have passed since the command started, Yield calls
// host.Server.YieldLocked: it marks the server busy, releases the lock for
// about a millisecond and takes it back. Connection goroutines that were
// waiting run their batches in that window; the dispatcher answers every
// command without the allow-busy flag with "-BUSY <busy_reply>" (Redis's
// "-BUSY Redis is busy running a module command." when busy_reply is
// NULL), and runs allow-busy ones. Later yields repeat this at most hz
// times per second, as Redis's next_yield_time does. Without the CLIENTS
// flag Redis only processes events and postpones clients; modhost then
// does nothing, so clients simply wait for the command.
//
// While an RDB loads (start-up, DEBUG RELOAD), a module's rdb_load that
// yields lets clients in every 1/hz whatever the flags, as Redis does:
// commands with allow-loading run and the others get -LOADING. In every
// window only connections run: timers, the cron, module threads and the
// module event goroutine wait for the window to close, as Redis keeps
// the GIL and runs no time events while it processes events from a yield
// (server/yield_gate.go).

/*
#include "ctx.h"
#include "gil.h"
*/
import "C"

import (
	"time"
)

// apiYield implements RedisModule_Yield (see the design above). It must
// be called by a thread holding the server lock (a command, a callback, an
// RDB load, or a thread inside ThreadSafeContextLock); elsewhere it does
// nothing. Nested yields do nothing.
//
// modhost:partial without REDISMODULE_YIELD_FLAG_CLIENTS (and outside loading) nothing else runs during the yield
func apiYield(ctx *C.RedisModuleCtx, flags C.int, busy_reply *C.char) {
	st := stateOf(ctx)
	if st == nil || st.sys == nil || C.mh_gil_held() == 0 {
		return
	}
	srv := st.sys.srv
	loading := srv.LoadingLocked()
	if flags&C.REDISMODULE_YIELD_FLAG_CLIENTS == 0 && !loading {
		return
	}
	hz := srv.Config().Int("hz")
	if hz <= 0 {
		hz = 10
	}
	now := time.Now()
	if st.yieldAt.IsZero() {
		switch {
		case loading:
			// Redis yields every 1/hz while loading, without waiting for
			// busy-reply-threshold (clients get -LOADING anyway).
			st.yieldAt = now.Add(time.Second / time.Duration(hz))
		default:
			start := now
			if st.client != nil && srv.Current() == st.client {
				start = srv.CommandStartLocked()
			}
			st.yieldAt = start.Add(time.Duration(srv.Config().Int("busy-reply-threshold")) * time.Millisecond)
		}
	}
	if now.Before(st.yieldAt) {
		return
	}
	reply := ""
	if busy_reply != nil {
		reply = C.GoString(busy_reply)
	}
	srv.YieldLocked(reply)
	st.yieldAt = time.Now().Add(time.Second / time.Duration(hz))
}
