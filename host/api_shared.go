package host

// "Modules API exporting / importing": a module exports a function pointer
// under a name (ExportSharedAPI) and other modules fetch it
// (GetSharedAPI). Fetching records the user in the exporter's "usedby"
// list (INFO modules), and a module whose APIs are used cannot be
// unloaded. This file exports to C, so its preamble only declares.
//
// The exported names are a system-wide table; the users of a module's
// APIs are kept on the module (registrations.usedBy). Unloading a module,
// or a failed OnLoad, drops both (unregister).

/*
#include "ctx.h"
*/
import "C"

import (
	"strings"
	"unsafe"
)

// msgUnloadUsedAPI is Redis's reason for refusing to unload a module whose
// exported APIs other modules use.
const msgUnloadUsedAPI = "the module exports APIs used by other modules. Please unload them first and try again"

// sharedAPI is one exported function.
type sharedAPI struct {
	mod *Module
	fn  unsafe.Pointer // a C function pointer of the module
}

// sharedAPIs is the shared-API state of one module system (made by New).
type sharedAPIs struct {
	sys    *System
	byName map[string]sharedAPI
}

// users returns the other modules using m's APIs, in first-use order.
func (sa *sharedAPIs) users(m *Module) []*Module {
	var us []*Module
	for _, u := range m.reg.usedBy {
		if u != m {
			us = append(us, u)
		}
	}
	return us
}

// using returns the loaded modules whose APIs m uses, in load order.
func (sa *sharedAPIs) using(m *Module) []*Module {
	var out []*Module
	for _, exp := range sa.sys.mods { // load order
		for _, u := range exp.reg.usedBy {
			if u == m && exp != m {
				out = append(out, exp)
			}
		}
	}
	return out
}

// unregister drops the APIs m exported and m from the users of the APIs
// it fetched (Redis's moduleUnregisterSharedAPI and
// moduleUnregisterUsedAPI).
func (sa *sharedAPIs) unregister(m *Module) {
	for name, api := range sa.byName {
		if api.mod == m {
			delete(sa.byName, name)
		}
	}
	for _, exp := range sa.sys.mods {
		exp.reg.usedBy = dropOwned(exp.reg.usedBy, func(u *Module) bool { return u == m })
	}
	m.reg.usedBy = nil
}

// apiExportSharedAPI implements RedisModule_ExportSharedAPI: makes func
// available to other modules under apiname. REDISMODULE_ERR when the name
// is already exported (by a loaded module), REDISMODULE_OK otherwise. The
// exporter cannot be unloaded while another module uses its APIs. Redis
// keeps the apiname pointer; modhost copies the name.
func apiExportSharedAPI(ctx *C.RedisModuleCtx, apiname *C.char, fn unsafe.Pointer) (rc C.int) {
	rc = C.REDISMODULE_ERR
	st := stateOf(ctx)
	m := ctxModule(ctx)
	if st == nil || m == nil || apiname == nil {
		return rc
	}
	sa := st.sys.shared
	name := C.GoString(apiname)
	if _, ok := sa.byName[name]; ok {
		return rc
	}
	sa.byName[name] = sharedAPI{mod: m, fn: fn}
	return C.REDISMODULE_OK
}

// apiGetSharedAPI implements RedisModule_GetSharedAPI: the function
// exported under apiname, or NULL when no loaded module exports it. A
// successful lookup records the calling module as a user of the exporter
// (INFO modules "usedby"/"using"), which then cannot be unloaded.
func apiGetSharedAPI(ctx *C.RedisModuleCtx, apiname *C.char) (fn unsafe.Pointer) {
	st := stateOf(ctx)
	if st == nil || apiname == nil {
		return nil
	}
	api, ok := st.sys.shared.byName[C.GoString(apiname)]
	if !ok {
		return nil
	}
	if user := ctxModule(ctx); user != nil {
		found := false
		for _, u := range api.mod.reg.usedBy {
			found = found || u == user
		}
		if !found {
			api.mod.reg.usedBy = append(api.mod.reg.usedBy, user)
		}
	}
	return api.fn
}

// sharedInfo renders the "usedby=[a|b],using=[c]" part of m's INFO modules
// line.
func (s *System) sharedInfo(m *Module) string {
	sa := s.shared
	names := func(ms []*Module) string {
		out := make([]string, len(ms))
		for i, x := range ms {
			out[i] = x.Name
		}
		return "[" + strings.Join(out, "|") + "]"
	}
	return "usedby=" + names(sa.users(m)) + ",using=" + names(sa.using(m))
}
