package host

// "Modules data types": RedisModule_CreateDataType and the type registry.
//
// A type is C memory (api_type.h) holding the module's callbacks, plus a
// Go descriptor (moduleType) that keyspace.ModuleValue.Type points at: it
// names the type for TYPE and SCAN TYPE (keyspace.Namer), sizes values for
// MEMORY USAGE (keyspace.MemUsager), digests them for DEBUG DIGEST
// (rdb.ModuleDigester), and unlinks, frees and copies them
// (keyspace.ModuleDropper, keyspace.ModuleCopier).
//
// The values themselves (their lifecycle: unlink, free, copy, and the
// ModuleType*Value functions) are in api_type_value.go.

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
	"strings"
	"sync"
	"unsafe"

	"github.com/modhost/modhost/commands"
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
	// digestOpenReported is set once strict mode has named the type's
	// digest callback for leaving its elements in an open sequence (said
	// once per type, not at every command).
	digestOpenReported bool
}

// typeRegistry holds every type of a loaded (or loading) module in this
// process (modules, and so their types, are process-wide: dlopen shares
// libraries). Each module also lists its own types (registrations.types);
// a failed OnLoad removes them (dropTypes), and a module with types cannot
// be unloaded.
var typeRegistry = struct {
	sync.Mutex
	list []*moduleType // creation order
	byC  map[*C.RedisModuleType]*moduleType
}{byC: map[*C.RedisModuleType]*moduleType{}}

func init() {
	commands.ModuleTypeName = scanTypeName
}

// Name returns the 9-character type name (keyspace.Namer).
func (t *moduleType) Name() string { return t.name }

// typeByName returns the first live type called name.
func typeByName(name string) *moduleType {
	typeRegistry.Lock()
	defer typeRegistry.Unlock()
	for _, t := range typeRegistry.list {
		if t.name == name {
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
		if t.name == name && !t.mod.onload {
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

// liveTypes returns the types in creation order.
func liveTypes() []*moduleType {
	typeRegistry.Lock()
	defer typeRegistry.Unlock()
	return append([]*moduleType(nil), typeRegistry.list...)
}

// typeCount is the number of registered types (DEBUG MODHOST-REGISTRIES).
func typeCount() int {
	typeRegistry.Lock()
	defer typeRegistry.Unlock()
	return len(typeRegistry.list)
}

// dropTypes removes m's types from the registry and frees them (a failed
// OnLoad: Redis refuses to unload a module that has types).
func dropTypes(m *Module) {
	if len(m.reg.types) == 0 {
		return
	}
	typeRegistry.Lock()
	typeRegistry.list = dropOwned(typeRegistry.list, func(t *moduleType) bool { return t.mod == m })
	for _, t := range m.reg.types {
		delete(typeRegistry.byC, t.c)
		C.free(unsafe.Pointer(t.c))
		t.c = nil
	}
	typeRegistry.Unlock()
	m.reg.types = nil
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

// apiCreateDataType implements RedisModule_CreateDataType: registers a
// data type called name (exactly 9 characters from A-Z a-z 0-9 - _) with
// encoding version encver (0..1023) and the callbacks in typemethods,
// copying only the fields its version has. Returns NULL outside OnLoad,
// for an invalid name or version, a version-0 methods struct, or a name
// another type already uses (Redis's rules). The module cannot be
// unloaded while it has types.
func apiCreateDataType(ctx *C.RedisModuleCtx, name *C.char, encver C.int, typemethods *C.RedisModuleTypeMethods) *C.RedisModuleType {
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
	typeRegistry.list = append(typeRegistry.list, t)
	typeRegistry.byC[mt] = t
	typeRegistry.Unlock()
	m.reg.types = append(m.reg.types, t)
	m.sys.installTypeHooks()
	return mt
}
