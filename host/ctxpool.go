package host

/*
#include <stdlib.h>
#include "ctx.h"
*/
import "C"

import (
	"runtime/cgo"
)

// pooledCtx is a command context kept for reuse: its C struct and the Go
// state its handle names, both made once.
type pooledCtx struct {
	c  *C.RedisModuleCtx
	st *ctxState
}

// ctxPool keeps the idle contexts of one module command, so that running
// the command allocates no context and no cgo.Handle. A pool is a stack:
// a command that reaches itself again through RedisModule_Call takes a
// second context. It is guarded by the server lock, like the command.
type ctxPool struct {
	free []pooledCtx
}

// get returns a context bound to a fresh state for mod and client,
// counted live until put.
func (p *ctxPool) get(sys *System, mod *Module, c Client, args [][]byte, flags C.uint32_t) pooledCtx {
	var pc pooledCtx
	if n := len(p.free); n > 0 {
		pc = p.free[n-1]
		p.free = p.free[:n-1]
	} else {
		pc.st = &ctxState{}
		pc.c = C.mh_ctx_new(C.uintptr_t(cgo.NewHandle(pc.st)), 2, 0)
	}
	*pc.st = ctxState{sys: sys, mod: mod, client: c, args: args}
	liveCtxs.Add(1)
	ctx := pc.c
	ctx.flags = flags
	ctx.resp = C.int(c.Writer().Proto)
	if mod != nil {
		ctx.module_name = mod.cname
	}
	ctx.client_id = C.uint64_t(c.ClientID())
	ctx.dbid = C.int(c.DBIndex())
	return pc
}

// put returns a context the C side recycled (mh_ctx_recycle) to the pool,
// dropping what its state referenced and emptying its reply.
func (p *ctxPool) put(pc pooledCtx) {
	*pc.st = ctxState{}
	pc.c.reply.len = 0
	liveCtxs.Add(-1)
	p.free = append(p.free, pc)
}

// drain frees every idle context (the command is going away).
func (p *ctxPool) drain() {
	for _, pc := range p.free {
		h := cgo.Handle(pc.c.handle)
		C.mh_ctx_free(pc.c)
		h.Delete()
	}
	p.free = nil
}
