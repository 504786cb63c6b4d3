package host

/*
#include <stdlib.h>
#include "ctx.h"
*/
import "C"

import (
	"runtime/cgo"
	"sync/atomic"
	"time"
	"unsafe"

	"github.com/modhost/modhost/acl"
)

// ctxState is the Go side of one RedisModuleCtx, reached from C through
// ctx->handle. It lives exactly as long as the context.
type ctxState struct {
	sys    *System
	mod    *Module // set once the module is known (after Init during OnLoad)
	client Client  // the client served, nil when none
	// loading is the module being loaded when this is an OnLoad context;
	// SetModuleAttribs turns it into mod.
	loading *Module
	// keys collects KeyAtPos positions during a getkeys request.
	keys []int
	// keyFlags are the REDISMODULE_CMD_KEY_* flags of keys, one each.
	keyFlags []uint64
	// channels are the channels ChannelAtPosWithFlags reported.
	channels []acl.ChannelRef
	// yieldAt is when Yield next lets clients in (zero: not computed yet).
	yieldAt time.Time
	// args are the arguments of the module command being run (kept by a
	// blocked client for its reply and timeout callbacks).
	args [][]byte
	// user is the user RedisModule_SetContextUser attached (api_acl.go).
	user *acl.User
}

// liveCtxs counts contexts made by newCtx and not yet freed (leak tests).
var liveCtxs atomic.Int64

// newCtx allocates a context in C memory bound to st. Every context made
// here must be released with freeCtx.
func newCtx(st *ctxState, resp int, flags C.uint32_t) *C.RedisModuleCtx {
	h := cgo.NewHandle(st)
	ctx := C.mh_ctx_new(C.uintptr_t(h), C.int(resp), flags)
	liveCtxs.Add(1)
	if st.mod != nil {
		ctx.module_name = st.mod.cname
	}
	if st.client != nil {
		ctx.client_id = C.uint64_t(st.client.ClientID())
		ctx.dbid = C.int(st.client.DBIndex())
	}
	return ctx
}

// freeCtx collects auto memory and the pool, frees the context and drops
// its handle.
func freeCtx(ctx *C.RedisModuleCtx) {
	h := cgo.Handle(ctx.handle)
	C.mh_ctx_free(ctx)
	liveCtxs.Add(-1)
	if h != 0 {
		h.Delete()
	}
}

// stateOf returns the Go state of ctx, or nil for a context without one.
func stateOf(ctx *C.RedisModuleCtx) *ctxState {
	if ctx == nil || ctx.handle == 0 {
		return nil
	}
	st, _ := cgo.Handle(ctx.handle).Value().(*ctxState)
	return st
}

// ctxClient returns the client a context serves, nil when there is none.
func ctxClient(ctx *C.RedisModuleCtx) Client {
	if st := stateOf(ctx); st != nil {
		return st.client
	}
	return nil
}

// ctxServer returns the server a context belongs to.
func ctxServer(ctx *C.RedisModuleCtx) Server {
	if st := stateOf(ctx); st != nil && st.sys != nil {
		return st.sys.srv
	}
	return nil
}

// ctxModule returns the module a context belongs to (nil in OnLoad before
// RedisModule_Init).
func ctxModule(ctx *C.RedisModuleCtx) *Module {
	if st := stateOf(ctx); st != nil {
		return st.mod
	}
	return nil
}

// replyBytes returns the RESP bytes the module produced in ctx. The slice
// aliases C memory: copy it before the context is freed.
func replyBytes(ctx *C.RedisModuleCtx) []byte {
	if ctx.reply.len == 0 {
		return nil
	}
	return unsafe.Slice((*byte)(unsafe.Pointer(ctx.reply.buf)), int(ctx.reply.len))
}
