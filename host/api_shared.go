package host

// "Modules API exporting / importing": a module exports a function pointer
// under a name (ExportSharedAPI) and other modules fetch it
// (GetSharedAPI). Fetching records the user in the exporter's "usedby"
// list (INFO modules), and a module whose APIs are used cannot be
// unloaded. This file exports to C, so its preamble only declares.
//
// Entries of modules that are gone (unloaded, or whose OnLoad failed) are
// dropped lazily: every lookup first checks that the owner is still
// loaded, so the loader needs no extra hook.

/*
#include "ctx.h"
*/
import "C"

import (
	"strings"
	"sync"
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

// sharedAPIs is the shared-API state of one module system.
type sharedAPIs struct {
	sys     *System
	byName  map[string]sharedAPI
	usedBy  map[*Module][]*Module // exporter -> users, in first-use order
	checked map[*Module]bool      // exporters given an unload check
}

var (
	sharedMu  sync.Mutex
	sharedTab = map[*System]*sharedAPIs{}
)

// sharedOf returns the shared-API state of sys, creating it on first use.
func sharedOf(sys *System) *sharedAPIs {
	sharedMu.Lock()
	defer sharedMu.Unlock()
	sa := sharedTab[sys]
	if sa == nil {
		sa = &sharedAPIs{sys: sys, byName: map[string]sharedAPI{}, usedBy: map[*Module][]*Module{}, checked: map[*Module]bool{}}
		sharedTab[sys] = sa
	}
	return sa
}

// live reports whether m is loaded, or is the module being loaded now.
func (sa *sharedAPIs) live(m *Module) bool {
	if m == nil {
		return false
	}
	if m.onload && m.cname != nil {
		return true
	}
	for _, x := range sa.sys.mods {
		if x == m {
			return true
		}
	}
	return false
}

// users returns the live modules using m's APIs, pruning dead ones.
func (sa *sharedAPIs) users(m *Module) []*Module {
	us := sa.usedBy[m][:0:0]
	for _, u := range sa.usedBy[m] {
		if sa.live(u) && u != m {
			us = append(us, u)
		}
	}
	if len(us) == 0 {
		delete(sa.usedBy, m)
	} else {
		sa.usedBy[m] = us
	}
	return us
}

// using returns the loaded modules whose APIs m uses, in load order.
func (sa *sharedAPIs) using(m *Module) []*Module {
	var out []*Module
	for _, exp := range sa.sys.mods { // load order
		for _, u := range sa.usedBy[exp] {
			if u == m && exp != m {
				out = append(out, exp)
			}
		}
	}
	return out
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
	sa := sharedOf(st.sys)
	name := C.GoString(apiname)
	if old, ok := sa.byName[name]; ok && sa.live(old.mod) {
		return rc
	}
	sa.byName[name] = sharedAPI{mod: m, fn: fn}
	if !sa.checked[m] {
		sa.checked[m] = true
		m.AddUnloadCheck(func() string {
			if len(sa.users(m)) > 0 {
				return msgUnloadUsedAPI
			}
			return ""
		})
	}
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
	sa := sharedOf(st.sys)
	name := C.GoString(apiname)
	api, ok := sa.byName[name]
	if !ok {
		return nil
	}
	if !sa.live(api.mod) {
		delete(sa.byName, name)
		return nil
	}
	if user := ctxModule(ctx); user != nil {
		found := false
		for _, u := range sa.usedBy[api.mod] {
			found = found || u == user
		}
		if !found {
			sa.usedBy[api.mod] = append(sa.usedBy[api.mod], user)
		}
	}
	return api.fn
}

// sharedInfo renders the "usedby=[a|b],using=[c]" part of m's INFO modules
// line.
func (s *System) sharedInfo(m *Module) string {
	sa := sharedOf(s)
	names := func(ms []*Module) string {
		out := make([]string, len(ms))
		for i, x := range ms {
			out[i] = x.Name
		}
		return "[" + strings.Join(out, "|") + "]"
	}
	return "usedby=" + names(sa.users(m)) + ",using=" + names(sa.using(m))
}
