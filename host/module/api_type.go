package module

// "Modules data types": RedisModule_CreateDataType and the ModuleType*
// value functions.
//
// A type is C memory (api_type.h) holding the module's callbacks, plus a
// Go descriptor (moduleType) that keyspace.ModuleValue.Type points at: it
// names the type for TYPE and SCAN TYPE (keyspace.Namer), sizes values for
// MEMORY USAGE (keyspace.MemUsager), digests them for DEBUG DIGEST
// (rdb.ModuleDigester) and frees them.
//
// Freeing: the keyspace has no hook for a dropped value yet, so a value
// the keyspace lets go of (DEL, overwrite, FLUSH*, expiry) is freed when
// the Go garbage collector finds it unreachable: a finalizer queues it and
// the type's free callback runs under the server lock. Values the module
// API replaces (ModuleTypeSetValue over a module value) are freed at once,
// as in Redis. DEBUG MODHOST-TYPEFREE forces a collection and runs the
// queued frees.

/*
#include <stdlib.h>
#include <string.h>
#include "ctx.h"
#include "api_key.h"
#include "api_type.h"
#include "mh_string.h"
*/
import "C"

import (
	"runtime"
	"strings"
	"sync"
	"unsafe"

	"github.com/modhost/modhost/host"
	"github.com/modhost/modhost/host/commands"
	"github.com/modhost/modhost/keyspace"
	"github.com/modhost/modhost/keyspace/rdb"
)

// msgUnloadTypes is Redis's reason for refusing to unload a module that
// still exports data types.
const msgUnloadTypes = "the module exports one or more module-side data types, can't unload"

// moduleType is the Go descriptor of a module data type.
type moduleType struct {
	c    *C.RedisModuleType
	mod  *Module
	name string
	id   uint64
}

// typeRegistry holds every type created in this process (modules, and so
// their types, are process-wide: dlopen shares libraries).
var typeRegistry = struct {
	sync.Mutex
	list []*moduleType // creation order
	byC  map[*C.RedisModuleType]*moduleType
}{byC: map[*C.RedisModuleType]*moduleType{}}

func init() {
	commands.ModuleTypeName = scanTypeName
}

// alive reports whether the type's module is still loaded (or loading):
// a module whose OnLoad failed, or that was unloaded, has no C name.
func (t *moduleType) alive() bool { return t.mod != nil && t.mod.cname != nil }

// Name returns the 9-character type name (keyspace.Namer).
func (t *moduleType) Name() string { return t.name }

// typeByName returns the first live type called name.
func typeByName(name string) *moduleType {
	typeRegistry.Lock()
	defer typeRegistry.Unlock()
	for _, t := range typeRegistry.list {
		if t.name == name && t.alive() {
			return t
		}
	}
	return nil
}

// nameBusyForType reports whether a loaded module (not one still in
// OnLoad) has a type called name: Redis looks only at registered modules,
// so a module may even register a name twice during its own OnLoad.
func nameBusyForType(name string) bool {
	typeRegistry.Lock()
	defer typeRegistry.Unlock()
	for _, t := range typeRegistry.list {
		if t.name == name && t.alive() && !t.mod.onload {
			return true
		}
	}
	return false
}

// typeByID returns the live type whose name matches the 54-bit name part
// of id (any encoding version), as Redis's moduleTypeLookupModuleByID.
func typeByID(id uint64) *moduleType {
	return typeByName(rdb.ModuleTypeName(id))
}

// typeOfC returns the descriptor of a C type pointer.
func typeOfC(mt *C.RedisModuleType) *moduleType {
	typeRegistry.Lock()
	defer typeRegistry.Unlock()
	return typeRegistry.byC[mt]
}

// liveTypes returns the live types in creation order.
func liveTypes() []*moduleType {
	typeRegistry.Lock()
	defer typeRegistry.Unlock()
	out := make([]*moduleType, 0, len(typeRegistry.list))
	for _, t := range typeRegistry.list {
		if t.alive() {
			out = append(out, t)
		}
	}
	return out
}

// scanTypeName resolves SCAN's TYPE argument to a module type's name,
// ignoring case as Redis does.
func scanTypeName(name string) (string, bool) {
	for _, t := range liveTypes() {
		if strings.EqualFold(t.name, name) {
			return t.name, true
		}
	}
	return "", false
}

// ownsTypes reports whether m created a data type that still exists.
func ownsTypes(m *Module) bool {
	for _, t := range liveTypes() {
		if t.mod == m {
			return true
		}
	}
	return false
}

// mhgo_CreateDataType implements RedisModule_CreateDataType: registers a
// data type called name (exactly 9 characters from A-Z a-z 0-9 - _) with
// encoding version encver (0..1023) and the callbacks in typemethods,
// copying only the fields its version has. Returns NULL outside OnLoad,
// for an invalid name or version, a version-0 methods struct, or a name
// another type already uses (Redis's rules). The module cannot be
// unloaded while it has types.
//
//export mhgo_CreateDataType
func mhgo_CreateDataType(ctx *C.RedisModuleCtx, name *C.char, encver C.int, typemethods *C.RedisModuleTypeMethods) *C.RedisModuleType {
	return guard("CreateDataType", (*C.RedisModuleType)(nil), func() *C.RedisModuleType {
		m := ctxModule(ctx)
		if m == nil || !m.onload || name == nil || typemethods == nil {
			return nil
		}
		goName := C.GoString(name)
		id, ok := rdb.ModuleTypeID(goName, int(encver))
		if !ok || id == 0 || nameBusyForType(goName) {
			return nil
		}
		mt := (*C.RedisModuleType)(C.calloc(1, C.sizeof_RedisModuleType))
		if C.mh_type_copy_methods(mt, unsafe.Pointer(typemethods)) == 0 {
			C.free(unsafe.Pointer(mt))
			return nil
		}
		mt.id = C.uint64_t(id)
		mt.encver = encver
		C.strncpy(&mt.name[0], name, 9)
		mt.module_name = m.cname
		t := &moduleType{c: mt, mod: m, name: goName, id: id}
		typeRegistry.Lock()
		kept := typeRegistry.list[:0]
		for _, old := range typeRegistry.list { // drop types of failed or unloaded modules
			if old.alive() {
				kept = append(kept, old)
			} else {
				delete(typeRegistry.byC, old.c)
			}
		}
		typeRegistry.list = append(kept, t)
		typeRegistry.byC[mt] = t
		typeRegistry.Unlock()
		if !ownsTypesCheck(m) {
			m.AddUnloadCheck(func() string {
				if ownsTypes(m) {
					return msgUnloadTypes
				}
				return ""
			})
			typeChecks[m] = true
		}
		m.sys.installTypeHooks()
		return mt
	})
}

// typeChecks records the modules that have the unload check (guarded by
// the server lock, under which OnLoad runs).
var typeChecks = map[*Module]bool{}

func ownsTypesCheck(m *Module) bool { return typeChecks[m] }

// newValue wraps a module pointer as a keyspace value whose free callback
// runs once the keyspace drops it.
func (t *moduleType) newValue(ptr unsafe.Pointer) *keyspace.ModuleValue {
	mv := &keyspace.ModuleValue{Type: t, Ptr: ptr}
	runtime.SetFinalizer(mv, queueFree)
	return mv
}

// freeNow runs the free callback of a value the host owns, at once.
func freeNow(mv *keyspace.ModuleValue) {
	t, ok := mv.Type.(*moduleType)
	if !ok || mv.Ptr == nil {
		return
	}
	runtime.SetFinalizer(mv, nil)
	ptr := mv.Ptr
	mv.Ptr = nil
	C.mh_type_call_free(t.c, ptr)
}

// pendingFrees are values the garbage collector found dropped, waiting
// for their free callback (under the server lock).
var pendingFrees = struct {
	sync.Mutex
	byServer map[*host.Server][]pendingFree
	started  map[*host.Server]chan struct{}
}{byServer: map[*host.Server][]pendingFree{}, started: map[*host.Server]chan struct{}{}}

type pendingFree struct {
	t   *moduleType
	ptr unsafe.Pointer
}

// queueFree is the finalizer of module values: it hands the pointer to
// the server's free goroutine (finalizers must not block on the lock).
func queueFree(mv *keyspace.ModuleValue) {
	t, ok := mv.Type.(*moduleType)
	if !ok || mv.Ptr == nil || t.mod == nil || t.mod.sys == nil {
		return
	}
	srv := t.mod.sys.srv
	pendingFrees.Lock()
	pendingFrees.byServer[srv] = append(pendingFrees.byServer[srv], pendingFree{t, mv.Ptr})
	wake := pendingFrees.started[srv]
	pendingFrees.Unlock()
	if wake != nil {
		select {
		case wake <- struct{}{}:
		default:
		}
	}
}

// startFreer starts the goroutine that runs queued frees for srv.
func startFreer(srv *host.Server) {
	pendingFrees.Lock()
	if pendingFrees.started[srv] != nil {
		pendingFrees.Unlock()
		return
	}
	wake := make(chan struct{}, 1)
	pendingFrees.started[srv] = wake
	pendingFrees.Unlock()
	go func() {
		for {
			select {
			case <-wake:
			case <-srv.Done():
				return
			}
			srv.Lock()
			runPendingFrees(srv)
			srv.Unlock()
		}
	}()
}

// runPendingFrees calls the free callback of every queued value of srv;
// call it with the server lock held.
func runPendingFrees(srv *host.Server) int {
	pendingFrees.Lock()
	list := pendingFrees.byServer[srv]
	delete(pendingFrees.byServer, srv)
	pendingFrees.Unlock()
	for _, p := range list {
		C.mh_type_call_free(p.t.c, p.ptr)
	}
	return len(list)
}

// MemUsage runs the type's mem_usage (or mem_usage2) callback
// (keyspace.MemUsager); 0 when it has none.
func (t *moduleType) MemUsage(ptr unsafe.Pointer) int {
	var oc C.RedisModuleKeyOptCtx
	oc.from_dbid, oc.to_dbid = -1, -1
	return int(C.mh_type_call_mem_usage(t.c, &oc, ptr))
}

// moduleValueOf returns the module value of key, or nil.
func (r keyRef) moduleValue() *keyspace.ModuleValue {
	mv, _ := r.value().(*keyspace.ModuleValue)
	return mv
}

// mhgo_ModuleTypeSetValue implements RedisModule_ModuleTypeSetValue: on a
// key open for writing, deletes the current value (a module value is
// freed at once) and stores value as a value of type mt. The key is
// created ("new" event, blocked clients signalled) without a TTL and
// without a WATCH signal, as Redis's SETKEY_NO_SIGNAL. Returns
// REDISMODULE_ERR for a read-only key, a NULL type or key.
//
//export mhgo_ModuleTypeSetValue
func mhgo_ModuleTypeSetValue(key *C.RedisModuleKey, mt *C.RedisModuleType, value unsafe.Pointer) C.int {
	return guard("ModuleTypeSetValue", C.int(C.REDISMODULE_ERR), func() C.int {
		r, ok := resolve(key)
		t := typeOfC(mt)
		if !ok || !r.writable() || t == nil {
			return C.REDISMODULE_ERR
		}
		if old := r.moduleValue(); old != nil && old.Ptr != value {
			r.deleteValue()
			freeNow(old)
		} else if old != nil { // same pointer: keep it alive, drop the wrapper only
			runtime.SetFinalizer(old, nil)
			r.deleteValue()
		} else {
			r.deleteValue()
		}
		mv := t.newValue(value)
		r.ks.Add(r.db, r.name, mv)
		r.wrote(mv)
		return C.REDISMODULE_OK
	})
}

// mhgo_ModuleTypeGetType implements RedisModule_ModuleTypeGetType: the
// type of the module value at key, NULL for a NULL or empty key or a
// value of another kind.
//
//export mhgo_ModuleTypeGetType
func mhgo_ModuleTypeGetType(key *C.RedisModuleKey) *C.RedisModuleType {
	return guard("ModuleTypeGetType", (*C.RedisModuleType)(nil), func() *C.RedisModuleType {
		r, ok := resolve(key)
		if !ok {
			return nil
		}
		if mv := r.moduleValue(); mv != nil {
			if t, ok := mv.Type.(*moduleType); ok {
				return t.c
			}
		}
		return nil
	})
}

// mhgo_ModuleTypeGetValue implements RedisModule_ModuleTypeGetValue: the
// module's pointer stored at key, NULL for a NULL or empty key or a value
// of another kind. The value stays owned by the keyspace.
//
//export mhgo_ModuleTypeGetValue
func mhgo_ModuleTypeGetValue(key *C.RedisModuleKey) unsafe.Pointer {
	return guard("ModuleTypeGetValue", unsafe.Pointer(nil), func() unsafe.Pointer {
		r, ok := resolve(key)
		if !ok {
			return nil
		}
		if mv := r.moduleValue(); mv != nil {
			return mv.Ptr
		}
		return nil
	})
}
