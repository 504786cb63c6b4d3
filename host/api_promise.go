package host

// Promise call replies: RedisModule_Call with "K" whose command blocked.
// The fake client the command ran on stays blocked, out of the pool,
// until its block ends; then the module's unblock handler gets the
// command's reply, as Redis's moduleCallCommandUnblockedHandler, and the
// fake client goes back to the pool. Everything here runs under the
// server lock. This file exports to C, so its preamble only declares.

/*
#include <stdlib.h>
#include "ctx.h"
#include "api_call.h"
#include "api_callreply.h"
#include "api_block.h"
*/
import "C"

import (
	"runtime/cgo"
	"unsafe"
)

// callPromise is the Go side of a promise reply.
type callPromise struct {
	f   *callFamily
	mod *Module
	// fc is the blocked fake client; nil once the command finished or
	// was aborted.
	fc Client
	// handler and priv are what CallReplyPromiseSetUnblockHandler set.
	handler, priv unsafe.Pointer
	// h is the handle the promise reply holds, 0 once the reply is freed.
	h cgo.Handle
}

// newPromise makes the promise of the fake client fc, blocked by a call
// that ctx made, and returns the handle for the promise reply. fc is
// handed to the promise: it returns to the pool when the block ends.
func (f *callFamily) newPromise(ctx *C.RedisModuleCtx, fc Client) C.uintptr_t {
	p := &callPromise{f: f, mod: stateOf(ctx).mod, fc: fc}
	if p.mod == nil {
		p.mod = stateOf(ctx).loading
	}
	p.h = cgo.NewHandle(p)
	fc.OnUnblocked(p.resolve)
	return C.uintptr_t(p.h)
}

// resolve runs when the fake client's block ends: the handler, if any,
// gets the command's reply in a context of the module selected on the
// fake client's database; then the fake client goes back to the pool.
func (p *callPromise) resolve() {
	fc := p.fc
	if fc == nil {
		return
	}
	p.fc = nil
	handler, priv := p.handler, p.priv
	p.handler, p.priv = nil, nil
	// A module unloaded since (its code is gone) gets no call.
	if handler != nil && p.mod != nil && p.f.sys.loaded(p.mod) {
		out := fc.Writer().Buf
		p.f.sys.srv.EnterExecutionUnit() // one execution unit per handler
		defer p.f.sys.srv.ExitExecutionUnit()
		ctx := newCtx(&ctxState{sys: p.f.sys, mod: p.mod}, 2, C.MH_CTX_TEMP)
		ctx.dbid = C.int(fc.DBIndex())
		var ptr *C.char
		if len(out) > 0 {
			ptr = (*C.char)(C.CBytes(out))
		}
		C.mh_promise_call_handler(handler, ctx, ptr, C.size_t(len(out)), priv)
		C.free(unsafe.Pointer(ptr))
		freeCtx(ctx)
	}
	p.f.putFake(fc)
}

// promiseOf returns the promise behind a reply's handle.
func promiseOf(h C.uintptr_t) *callPromise {
	return cgo.Handle(h).Value().(*callPromise)
}

// mhv_promise_release runs when the promise reply is freed: the handle
// goes; the command keeps running and the handler, if set, still runs.
//
//export mhv_promise_release
func mhv_promise_release(h C.uintptr_t) {
	p := promiseOf(h)
	p.h.Delete()
	p.h = 0
}

// mhv_promise_set_handler is CallReplyPromiseSetUnblockHandler.
//
//export mhv_promise_set_handler
func mhv_promise_set_handler(h C.uintptr_t, fn unsafe.Pointer, priv unsafe.Pointer) {
	p := promiseOf(h)
	p.handler, p.priv = fn, priv
}

// mhv_promise_abort is CallReplyPromiseAbort: the blocked command ends
// without a reply, as if its client disconnected; the handler is dropped
// and its private data returned.
//
//export mhv_promise_abort
func mhv_promise_abort(h C.uintptr_t, privOut *unsafe.Pointer) C.int {
	p := promiseOf(h)
	fc := p.fc
	if fc == nil || !fc.Blocked() {
		return C.REDISMODULE_ERR
	}
	if privOut != nil {
		*privOut = p.priv
	}
	p.fc, p.handler, p.priv = nil, nil, nil
	p.f.sys.srv.AbortBlockLocked(fc)
	p.f.putFake(fc)
	return C.REDISMODULE_OK
}
