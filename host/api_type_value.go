package host

// Module data type values: their lifecycle in the keyspace and the
// ModuleType*Value functions.
//
// A value is a keyspace.ModuleValue whose Type is the *moduleType. The
// keyspace tells the type when a value leaves a key (keyspace.Dropper →
// DropModuleValue), synchronously and under the server lock, and the type
// runs the module's callbacks as Redis does:
//
//   - unlink (unlink2 preferred) for every removal except a flush: DEL,
//     UNLINK, expiry, overwrite, RENAME/COPY REPLACE over a destination,
//     DeleteKey/UnlinkKey, and the source of RENAME and MOVE (whose value
//     lives on);
//   - free_effort (free_effort2 preferred) for UNLINK and UnlinkKey, as
//     Redis's lazy free asks it; a value whose effort is above 64, or 0
//     (unknown), is freed by the background lazy-free goroutine (lazyfree.go), without the
//     GIL, as Redis's bio thread frees it. Redis also frees lazily for
//     DEL, expiry, eviction, overwrites and FLUSHALL ASYNC when the
//     lazyfree-lazy-* options ask it; modhost frees those at once;
//   - free for every removal except RENAME/MOVE: the value is gone.
//
// COPY duplicates a value with the type's copy2 (or copy) callback
// (keyspace.ModuleCopier).

/*
#include <stdlib.h>
#include "ctx.h"
#include "api_type.h"
#include "mh_string.h"
*/
import "C"

import (
	"errors"
	"unsafe"

	"github.com/modhost/modhost/keyspace"
)

// errCopyFailed reports a copy callback that returned NULL.
var errCopyFailed = errors.New("module key failed to copy")

// newValue wraps a module pointer as a keyspace value; the keyspace drops
// it (DropModuleValue) when it leaves its key.
func (t *moduleType) newValue(ptr unsafe.Pointer) *keyspace.ModuleValue {
	return &keyspace.ModuleValue{Type: t, Ptr: ptr}
}

// freeNow runs the free callback of a value the keyspace never held (a
// value loaded from an RDB file and then rejected).
func freeNow(mv *keyspace.ModuleValue) {
	t, ok := mv.Type.(*moduleType)
	if !ok || mv.Ptr == nil {
		return
	}
	ptr := mv.Ptr
	mv.Ptr = nil
	C.mh_type_call_free(t.c, ptr)
}

// DropModuleValue runs the module's unlink, free_effort and free callbacks
// for a value that left key in db, as why asks (keyspace.ModuleDropper;
// see the file comment). A value whose pointer is already NULL (freed, or
// handed back to the module) is ignored.
func (t *moduleType) DropModuleValue(mv *keyspace.ModuleValue, db int, key []byte, why keyspace.DropReason) {
	ptr := mv.Ptr
	if ptr == nil {
		return
	}
	m := &t.c.m
	unlink := why != keyspace.DropFlushed && (m.unlink != nil || m.unlink2 != nil)
	effort := why == keyspace.DropUnlinked && (m.free_effort != nil || m.free_effort2 != nil)
	var cost C.size_t
	if unlink || effort {
		var oc C.RedisModuleKeyOptCtx
		oc.from_key = newCString(nil, key)
		oc.from_dbid, oc.to_dbid = C.int(db), -1
		if unlink {
			C.mh_type_call_unlink(t.c, &oc, ptr)
		}
		if effort {
			cost = C.mh_type_call_free_effort(t.c, &oc, ptr)
		}
		C.mh_string_release(oc.from_key)
	}
	if why == keyspace.DropMoved {
		return
	}
	mv.Ptr = nil
	if effort && (cost == 0 || cost > lazyfreeThreshold) {
		// 0 means "unknown": Redis frees such a value lazily too.
		freeLazily(t, ptr)
		return
	}
	C.mh_type_call_free(t.c, ptr)
}

// CopyModuleValue runs the type's copy2 (or copy) callback for COPY from
// key from (db fromDB) to key to (db toDB) (keyspace.ModuleCopier). It
// returns keyspace.ErrNotCopyable when the type has neither callback and
// errCopyFailed when the callback returned NULL; COPY then answers Redis's
// "not supported for this module key" or "module key failed to copy".
func (t *moduleType) CopyModuleValue(ptr unsafe.Pointer, fromDB int, from []byte, toDB int, to []byte) (unsafe.Pointer, error) {
	if t.c.m.copy == nil && t.c.m.copy2 == nil {
		return nil, keyspace.ErrNotCopyable
	}
	var oc C.RedisModuleKeyOptCtx
	oc.from_key = newCString(nil, from)
	oc.to_key = newCString(nil, to)
	oc.from_dbid, oc.to_dbid = C.int(fromDB), C.int(toDB)
	var has C.int
	p := C.mh_type_call_copy(t.c, &oc, ptr, &has)
	C.mh_string_release(oc.from_key)
	C.mh_string_release(oc.to_key)
	if p == nil {
		return nil, errCopyFailed
	}
	return p, nil
}

// MemUsage runs the type's mem_usage (or mem_usage2) callback
// (keyspace.MemUsager); 0 when it has none.
func (t *moduleType) MemUsage(ptr unsafe.Pointer) int {
	var oc C.RedisModuleKeyOptCtx
	oc.from_dbid, oc.to_dbid = -1, -1
	return int(C.mh_type_call_mem_usage(t.c, &oc, ptr))
}

// moduleValue returns the module value of the key, or nil.
func (r keyRef) moduleValue() *keyspace.ModuleValue {
	mv, _ := r.value().(*keyspace.ModuleValue)
	return mv
}

// apiModuleTypeSetValue implements RedisModule_ModuleTypeSetValue: on a
// key open for writing, deletes the current value as DeleteKey does (a
// module value's unlink and free callbacks run at once) and stores value
// as a value of type mt. The key is created ("new" event, blocked clients
// signalled) without a TTL and without a WATCH signal, as Redis's
// SETKEY_NO_SIGNAL. Returns REDISMODULE_ERR for a read-only key, a NULL
// type or key. Difference: when value is the pointer already stored,
// Redis frees it (leaving the key dangling); modhost keeps it alive.
func apiModuleTypeSetValue(key *C.RedisModuleKey, mt *C.RedisModuleType, value unsafe.Pointer) C.int {
	r, ok := resolve(key)
	t := typeOfC(mt)
	if !ok || !r.mayWrite("ModuleTypeSetValue") || t == nil {
		return C.REDISMODULE_ERR
	}
	if old := r.moduleValue(); old != nil && old.Ptr == value {
		old.Ptr = nil // the same pointer stays alive in the new value
	}
	r.deleteValue()
	mv := t.newValue(value)
	r.ks.Add(r.db, r.name, mv)
	r.wrote(mv)
	return C.REDISMODULE_OK
}

// apiModuleTypeReplaceValue implements RedisModule_ModuleTypeReplaceValue:
// on a key open for writing that holds a value of type mt, stores
// new_value in its place without any callback, event or signal, and hands
// the previous pointer back in *old_value (when not NULL) for the module
// to free or keep. Returns REDISMODULE_ERR when the key is not writable,
// is empty, or holds anything but a value of type mt.
func apiModuleTypeReplaceValue(key *C.RedisModuleKey, mt *C.RedisModuleType, newValue unsafe.Pointer, oldValue *unsafe.Pointer) C.int {
	r, ok := resolve(key)
	if !ok || !r.mayWrite("ModuleTypeReplaceValue") {
		return C.REDISMODULE_ERR
	}
	mv := r.moduleValue()
	if mv == nil {
		return C.REDISMODULE_ERR
	}
	if t, ok := mv.Type.(*moduleType); !ok || t.c != mt {
		return C.REDISMODULE_ERR
	}
	if oldValue != nil {
		*oldValue = mv.Ptr
	}
	mv.Ptr = newValue
	return C.REDISMODULE_OK
}

// apiModuleTypeGetType implements RedisModule_ModuleTypeGetType: the
// type of the module value at key, NULL for a NULL or empty key or a value
// of another kind.
func apiModuleTypeGetType(key *C.RedisModuleKey) *C.RedisModuleType {
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
}

// apiModuleTypeGetValue implements RedisModule_ModuleTypeGetValue: the
// module's pointer stored at key, NULL for a NULL or empty key or a value
// of another kind. The value stays owned by the keyspace.
func apiModuleTypeGetValue(key *C.RedisModuleKey) unsafe.Pointer {
	r, ok := resolve(key)
	if !ok {
		return nil
	}
	if mv := r.moduleValue(); mv != nil {
		return mv.Ptr
	}
	return nil
}
