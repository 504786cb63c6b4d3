package module

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

// mhgo_GetThreadSafeContext implements RedisModule_GetThreadSafeContext:
// a context for use from any thread. Bound to a blocked client (bc not
// NULL), its Reply* calls accumulate a reply that is sent, after the
// reply callback's, when the client is unblocked; other calls need
// ThreadSafeContextLock. With bc NULL the context has no module and its
// replies are dropped. Free it with FreeThreadSafeContext.
//
//export mhgo_GetThreadSafeContext
func mhgo_GetThreadSafeContext(bc *C.RedisModuleBlockedClient) (ctx *C.RedisModuleCtx) {
	defer guardExport(nil, "GetThreadSafeContext")
	if bc == nil {
		return newCtx(&ctxState{sys: systemOf(defaultServer.Load())}, 2, C.MH_CTX_THREAD_SAFE)
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

// mhgo_GetDetachedThreadSafeContext implements
// RedisModule_GetDetachedThreadSafeContext: a thread-safe context bound to
// no client but to ctx's module (for logging and long-lived use).
//
//export mhgo_GetDetachedThreadSafeContext
func mhgo_GetDetachedThreadSafeContext(ctx *C.RedisModuleCtx) (out *C.RedisModuleCtx) {
	defer guardExport(ctx, "GetDetachedThreadSafeContext")
	st := stateOf(ctx)
	if st == nil {
		return newCtx(&ctxState{sys: systemOf(defaultServer.Load())}, 2, C.MH_CTX_THREAD_SAFE)
	}
	mod := st.mod
	if mod == nil {
		mod = st.loading
	}
	return newCtx(&ctxState{sys: st.sys, mod: mod}, 2, C.MH_CTX_THREAD_SAFE)
}

// mhgo_FreeThreadSafeContext implements RedisModule_FreeThreadSafeContext:
// releases the context (and its auto memory); a bound context hands its
// accumulated reply to the blocked client first.
//
//export mhgo_FreeThreadSafeContext
func mhgo_FreeThreadSafeContext(ctx *C.RedisModuleCtx) {
	defer guardExport(nil, "FreeThreadSafeContext")
	if ctx == nil {
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

// mhgo_ThreadSafeContextLock implements RedisModule_ThreadSafeContextLock:
// takes the server lock (waiting for the running command, batch or
// callback to finish). Calling it while already holding the lock (from a
// command or callback) deadlocks, as in Redis.
//
//export mhgo_ThreadSafeContextLock
func mhgo_ThreadSafeContextLock(ctx *C.RedisModuleCtx) {
	defer guardExport(nil, "ThreadSafeContextLock")
	if srv := serverFor(ctx); srv != nil {
		srv.Lock()
	}
}

// mhgo_ThreadSafeContextTryLock implements
// RedisModule_ThreadSafeContextTryLock: takes the server lock if it is
// free; otherwise REDISMODULE_ERR with errno EBUSY.
//
//export mhgo_ThreadSafeContextTryLock
func mhgo_ThreadSafeContextTryLock(ctx *C.RedisModuleCtx, mh_errno *C.int) (rc C.int) {
	rc = C.REDISMODULE_ERR
	defer guardExport(nil, "ThreadSafeContextTryLock")
	srv := serverFor(ctx)
	if srv == nil || !srv.TryLock() {
		*mh_errno = C.EBUSY
		return rc
	}
	return C.REDISMODULE_OK
}

// mhgo_ThreadSafeContextUnlock implements
// RedisModule_ThreadSafeContextUnlock: releases the server lock. Clients
// blocked on keys that the thread made ready are served right after, on
// the event goroutine.
//
//export mhgo_ThreadSafeContextUnlock
func mhgo_ThreadSafeContextUnlock(ctx *C.RedisModuleCtx) {
	defer guardExport(nil, "ThreadSafeContextUnlock")
	srv := serverFor(ctx)
	if srv == nil {
		return
	}
	if srv.ReadyKeysPendingLocked() {
		if sys := systemOf(srv); sys != nil {
			runtimeOf(sys).kick()
		}
	}
	srv.Unlock()
}
