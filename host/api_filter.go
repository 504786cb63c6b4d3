package host

// "Module Command Filter API": filters registered by modules see every
// command a client sends before it is looked up, in registration order,
// and may rewrite its arguments (api_filter.c holds the accessors). The
// host calls the filter hook only while a filter exists. This file exports
// to C, so its preamble only declares.

/*
#include <stdlib.h>
#include "ctx.h"
#include "loader.h"
#include "api_filter.h"
*/
import "C"

import (
	"unsafe"

	"github.com/modhost/modhost/server"
)

// cmdFilter is one RegisterCommandFilter registration; c is the C handle
// the module holds.
type cmdFilter struct {
	mod *Module
	c   *C.RedisModuleCommandFilter
}

// apiRegisterCommandFilter implements RedisModule_RegisterCommandFilter:
// cb sees every command clients send, before lookup (and every
// RedisModule_Call of any module), in registration order, and may read and
// rewrite the arguments with the CommandFilterArg* functions. With
// REDISMODULE_CMDFILTER_NOSELF the filter skips the Calls of its own
// module. Returns the filter handle for UnregisterCommandFilter; the
// filter ends when the module unloads. NULL without a module context.
//
// modhost:partial NOSELF skips only the module's own Call requests, not the commands nested inside them
func apiRegisterCommandFilter(ctx *C.RedisModuleCtx, cb C.RedisModuleCommandFilterFunc, flags C.int) (f *C.RedisModuleCommandFilter) {
	st := stateOf(ctx)
	if st == nil || st.sys == nil || cb == nil {
		return nil
	}
	mod := st.mod
	if mod == nil {
		mod = st.loading
	}
	if mod == nil {
		return nil
	}
	e := extOf(st.sys)
	f = (*C.RedisModuleCommandFilter)(C.calloc(1, C.sizeof_RedisModuleCommandFilter))
	f.cb = unsafe.Pointer(cb)
	f.flags = flags
	e.filters = append(e.filters, &cmdFilter{mod: mod, c: f})
	st.sys.srv.SetCommandFilter(e.filterClient)
	return f
}

// apiUnregisterCommandFilter implements
// RedisModule_UnregisterCommandFilter: removes a filter of the calling
// module. REDISMODULE_ERR for a filter that is not registered or belongs
// to another module.
func apiUnregisterCommandFilter(ctx *C.RedisModuleCtx, filter *C.RedisModuleCommandFilter) (rc C.int) {
	st := stateOf(ctx)
	if st == nil || st.sys == nil || filter == nil {
		return C.REDISMODULE_ERR
	}
	e := extOf(st.sys)
	for i, f := range e.filters {
		if f.c != filter {
			continue
		}
		if f.mod != st.mod && f.mod != st.loading {
			return C.REDISMODULE_ERR
		}
		e.filters = append(e.filters[:i], e.filters[i+1:]...)
		C.free(unsafe.Pointer(filter))
		e.syncFilterHook()
		return C.REDISMODULE_OK
	}
	return C.REDISMODULE_ERR
}

// syncFilterHook removes the host hook when no filter is left (the
// dispatcher's no-filter path is one nil check).
func (e *extState) syncFilterHook() {
	if len(e.filters) == 0 {
		e.sys.srv.SetCommandFilter(nil)
	}
}

// unregisterFilters drops m's filters and frees their handles (Redis's
// moduleUnregisterFilters).
func (e *extState) unregisterFilters(m *Module) {
	e.filters = dropOwned(e.filters, func(f *cmdFilter) bool {
		if f.mod == m {
			C.free(unsafe.Pointer(f.c))
			return true
		}
		return false
	})
	e.syncFilterHook()
}

// filterClient is the host's command filter for client commands.
func (e *extState) filterClient(c *server.Client, args [][]byte) [][]byte {
	return e.run(args, uint64(c.ID), nil)
}

// filterCall filters the arguments of a RedisModule_Call made by caller
// (NOSELF filters of caller are skipped).
func (e *extState) filterCall(caller *Module, clientID uint64, args [][]byte) [][]byte {
	if len(e.filters) == 0 {
		return args
	}
	if caller != nil {
		caller.reg.inCall++
		defer func() { caller.reg.inCall-- }()
	}
	return e.run(args, clientID, caller)
}

// run passes args through the live filters and returns the result, a
// fresh copy in Go memory (args itself when no filter applies).
func (e *extState) run(args [][]byte, clientID uint64, caller *Module) [][]byte {
	cbs := make([]unsafe.Pointer, 0, len(e.filters))
	for _, f := range e.filters {
		if f.c.flags&C.REDISMODULE_CMDFILTER_NOSELF != 0 && f.mod.reg.inCall > 0 {
			continue
		}
		cbs = append(cbs, f.c.cb)
	}
	if len(cbs) == 0 {
		return args
	}
	ccbs := (*unsafe.Pointer)(C.malloc(C.size_t(len(cbs)) * C.size_t(unsafe.Sizeof(unsafe.Pointer(nil)))))
	defer C.free(unsafe.Pointer(ccbs))
	copy(unsafe.Slice(ccbs, len(cbs)), cbs)
	buf, lens := e.sys.packArgs(args)
	fctx := (*C.RedisModuleCommandFilterCtx)(C.calloc(1, C.sizeof_RedisModuleCommandFilterCtx))
	defer C.free(unsafe.Pointer(fctx))
	fctx.argv = C.mh_argv_new(buf, lens, C.int(len(args)))
	fctx.argc = C.int(len(args))
	fctx.argv_len = fctx.argc
	fctx.client_id = C.uint64_t(clientID)
	C.mh_filter_run(fctx, ccbs, C.int(len(cbs)))
	n := int(fctx.argc)
	out := make([][]byte, n)
	if n > 0 {
		for i, s := range unsafe.Slice(fctx.argv, n) {
			out[i] = append([]byte{}, cStringBytes(s)...)
		}
	}
	C.mh_argv_free(fctx.argv, fctx.argc)
	if n == 0 {
		// A filter deleted everything: run an empty command name, which
		// is answered as an unknown command.
		out = [][]byte{{}}
	}
	return out
}

// filterCount is the number of command filters m has (INFO modules).
func (e *extState) filterCount(m *Module) int {
	n := 0
	for _, f := range e.filters {
		if f.mod == m {
			n++
		}
	}
	return n
}
