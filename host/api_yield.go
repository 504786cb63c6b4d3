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

/*
#include "ctx.h"
*/
import "C"

import (
	"time"
)

// apiYield implements RedisModule_Yield (see the design above). It must
// be called with the server lock held (from a command, or from a thread
// holding ThreadSafeContextLock); without it, it does nothing. Nested
// yields do nothing.
//
// modhost:partial without REDISMODULE_YIELD_FLAG_CLIENTS nothing else runs during the yield
func apiYield(ctx *C.RedisModuleCtx, flags C.int, busy_reply *C.char) {
	st := stateOf(ctx)
	if st == nil || st.sys == nil || flags&C.REDISMODULE_YIELD_FLAG_CLIENTS == 0 {
		return
	}
	srv := st.sys.srv
	now := time.Now()
	if st.yieldAt.IsZero() {
		start := now
		if st.client != nil && srv.Current() == st.client {
			start = srv.CommandStartLocked()
		}
		st.yieldAt = start.Add(time.Duration(srv.Config.Int("busy-reply-threshold")) * time.Millisecond)
	}
	if now.Before(st.yieldAt) {
		return
	}
	if srv.TryLock() { // the caller does not hold the lock: nothing to yield
		srv.Unlock()
		return
	}
	reply := ""
	if busy_reply != nil {
		reply = C.GoString(busy_reply)
	}
	srv.YieldLocked(reply)
	hz := srv.Config.Int("hz")
	if hz <= 0 {
		hz = 10
	}
	st.yieldAt = time.Now().Add(time.Second / time.Duration(hz))
}
