package host

// "Thread Safe Contexts": contexts module threads use, and the server
// lock they take. ThreadSafeContextLock is the very lock commands run
// under (host.Server.Lock), so a module thread holding it excludes every
// command, timer and callback, as Redis's GIL does. This file exports to
// C, so its preamble only declares.

/*
#include <errno.h>
#include "api_block.h"
*/
import "C"

import "sync"

// tsBound maps live thread-safe contexts bound to a blocked client to its
// Go side (*blockedClient).
var tsBound sync.Map

// apiGetThreadSafeContext implements RedisModule_GetThreadSafeContext:
// a context for use from any thread. Bound to a blocked client (bc not
// NULL), its Reply* calls accumulate a reply that is sent, after the
// reply callback's, when the client is unblocked; other calls need
// ThreadSafeContextLock. With bc NULL the context has no module and its
// replies are dropped. Free it with FreeThreadSafeContext.
func apiGetThreadSafeContext(bc *C.RedisModuleBlockedClient) (ctx *C.RedisModuleCtx) {
	if bc == nil {
		return newCtx(&ctxState{sys: defaultSystem.Load()}, 2, C.MH_CTX_THREAD_SAFE)
	}
	b := bcOf(bc)
	ctx = newCtx(&ctxState{sys: b.rt.sys, mod: b.mod}, b.resp, C.MH_CTX_THREAD_SAFE)
	ctx.client_id = C.uint64_t(b.clientID)
	ctx.dbid = C.int(b.dbid)
	ctx.blocked_client = bc
	b.tsMu.Lock()
	b.tsCtxs[ctx] = struct{}{}
	b.tsMu.Unlock()
	tsBound.Store(ctx, b)
	return ctx
}

// apiGetDetachedThreadSafeContext implements
// RedisModule_GetDetachedThreadSafeContext: a thread-safe context bound to
// no client but to ctx's module (for logging and long-lived use).
func apiGetDetachedThreadSafeContext(ctx *C.RedisModuleCtx) (out *C.RedisModuleCtx) {
	st := stateOf(ctx)
	if st == nil {
		return newCtx(&ctxState{sys: defaultSystem.Load()}, 2, C.MH_CTX_THREAD_SAFE)
	}
	mod := st.mod
	if mod == nil {
		mod = st.loading
	}
	return newCtx(&ctxState{sys: st.sys, mod: mod}, 2, C.MH_CTX_THREAD_SAFE)
}

// apiFreeThreadSafeContext implements RedisModule_FreeThreadSafeContext:
// releases the context (and its auto memory); a bound context hands its
// accumulated reply to the blocked client first. Freeing it twice is
// reported and ignored.
func apiFreeThreadSafeContext(ctx *C.RedisModuleCtx) {
	if ctx == nil {
		return
	}
	if ctx.flags&C.MH_CTX_FREED != 0 {
		module := "unknown"
		if ctx.module_name != nil {
			module = C.GoString(ctx.module_name)
		}
		threadMisuse(module, "FreeThreadSafeContext", "thread-safe context freed twice; ignored")
		return
	}
	if v, ok := tsBound.LoadAndDelete(ctx); ok {
		b := v.(*blockedClient)
		b.tsMu.Lock()
		if !b.done {
			b.tsReply = append(b.tsReply, replyBytes(ctx)...)
		}
		delete(b.tsCtxs, ctx)
		b.tsMu.Unlock()
	}
	freeCtx(ctx)
}

// mhts_lock is the Go half of RedisModule_ThreadSafeContextLock (the C
// half, api_thread.c, queues module threads first): takes the server
// lock, waiting for the running command, batch or callback to finish.
// The C half refuses a thread that already holds the lock (which
// deadlocks in Redis) before calling it.
//
//export mhts_lock
func mhts_lock(ctx *C.RedisModuleCtx) {
	defer guardExport(nil, "ThreadSafeContextLock")
	if srv := serverFor(ctx); srv != nil {
		srv.Lock()
		srv.EnterExecutionUnit() // the locked section is one unit
		tsRuntime(srv).setHeld(true)
	}
}

// mhts_trylock is the Go half of RedisModule_ThreadSafeContextTryLock:
// takes the server lock if it is free (REDISMODULE_OK); the C half sets
// errno EBUSY otherwise.
//
//export mhts_trylock
func mhts_trylock(ctx *C.RedisModuleCtx) (rc C.int) {
	rc = C.REDISMODULE_ERR
	defer guardExport(nil, "ThreadSafeContextTryLock")
	srv := serverFor(ctx)
	if srv == nil || !srv.TryLock() {
		return rc
	}
	srv.EnterExecutionUnit()
	tsRuntime(srv).setHeld(true)
	return C.REDISMODULE_OK
}

// mhts_unlock is the Go half of RedisModule_ThreadSafeContextUnlock:
// before releasing the server lock it serves, on this thread, the clients
// the locked section unblocked and the clients blocked on keys it made
// ready, as Redis's main thread would right after the thread let go of
// the lock. Nothing is left for the event goroutine, so no goroutine is
// woken per unblock.
//
//export mhts_unlock
func mhts_unlock(ctx *C.RedisModuleCtx) {
	defer guardExport(nil, "ThreadSafeContextUnlock")
	srv := serverFor(ctx)
	if srv == nil {
		return
	}
	// The section's unit ends: what it propagated goes out now.
	srv.ExitExecutionUnit()
	if rt := tsRuntime(srv); rt != nil {
		rt.releaseHeld()
		return
	}
	srv.Unlock()
}
