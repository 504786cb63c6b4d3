package host

// Per-module state: what a module registered through the API lives on its
// Module (registrations), or, for lists that are ordered across modules
// (listeners, filters, auth callbacks, subscribers, timers ...), on its
// System with the owner recorded in each entry. Nothing is kept in
// package-level tables keyed by module, and nothing is cleaned up lazily:
// unregister (module_cleanup.go) removes all of it when the module
// unloads or its OnLoad fails.

/*
#include "loader.h"
*/
import "C"

import "unsafe"

// registrations is the module-owned part of what a module registered.
// Guarded by the server lock, except users (guarded by the users lock).
type registrations struct {
	// base is the load address of the module's library: callbacks given
	// without a context (EventLoopAdd) are attributed by it.
	base unsafe.Pointer
	// configNames are the short names of its configurations (C memory,
	// passed to the callbacks); configsLoaded says LoadConfigs succeeded.
	configNames   []*C.char
	configsLoaded bool
	// types are the data types it created, in creation order.
	types []*moduleType
	// infoFn is its RegisterInfoFunc callback (nil: none).
	infoFn unsafe.Pointer
	// usedBy are the modules that fetched one of its exported APIs, in
	// first-use order.
	usedBy []*Module
	// blockedClients counts its live blocked-client handles.
	blockedClients int
	// inCall counts its RedisModule_Call requests being filtered
	// (REDISMODULE_CMDFILTER_NOSELF skips them).
	inCall int
	// users are the RedisModuleUser handles its OnLoad made.
	users []*userRef
}

// moduleOfFunc returns the loaded (or loading) module whose library holds
// the code at fn, nil when none does.
func (s *System) moduleOfFunc(fn unsafe.Pointer) *Module {
	base := C.mh_dl_base(fn)
	if base == nil {
		return nil
	}
	if m := s.loading; m != nil && m.reg.base == base {
		return m
	}
	for _, m := range s.mods {
		if m.reg.base == base {
			return m
		}
	}
	return nil
}

// dropOwned removes, in place and in order, the entries of list for which
// owned returns true, clearing the freed tail so that nothing stays
// reachable from the backing array.
func dropOwned[T any](list []T, owned func(T) bool) []T {
	keep := list[:0]
	for _, x := range list {
		if !owned(x) {
			keep = append(keep, x)
		}
	}
	var zero T
	for i := len(keep); i < len(list); i++ {
		list[i] = zero
	}
	return keep
}
