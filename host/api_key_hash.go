package host

// "Key API for Hash type": the Go halves of HashSet and HashGet. The C
// shims (api_key_hash.c) walk the va_list and call here once per API call.

/*
#include <errno.h>
#include "ctx.h"
#include "api_key.h"
*/
import "C"

import (
	"unsafe"

	"github.com/modhost/modhost/keyspace"
)

// hashDelete is REDISMODULE_HASH_DELETE's pointer value.
const hashDelete = 1

// hashField returns field i of a shim's arrays.
func hashField(fields **C.char, flens *C.size_t, i int) []byte {
	p := unsafe.Slice(fields, i+1)[i]
	n := unsafe.Slice(flens, i+1)[i]
	if n == 0 {
		return nil
	}
	return unsafe.Slice((*byte)(unsafe.Pointer(p)), int(n))
}

// mhv_hash_set performs RedisModule_HashSet on n collected pairs.
//
//export mhv_hash_set
func mhv_hash_set(key *C.RedisModuleKey, flags C.int, fields **C.char, flens *C.size_t, values **C.RedisModuleString, n C.int, mh_err *C.int) (rc C.int) {
	defer guardExport(keyCtx(key), "HashSet")
	const allowed = C.REDISMODULE_HASH_NX | C.REDISMODULE_HASH_XX | C.REDISMODULE_HASH_CFIELDS | C.REDISMODULE_HASH_COUNT_ALL
	r, ok := resolve(key)
	if !ok || flags&^allowed != 0 {
		*mh_err = C.EINVAL
		return 0
	}
	v := r.value()
	h, isHash := v.(*keyspace.Hash)
	if v != nil && !isHash {
		*mh_err = C.ENOTSUP
		return 0
	}
	if !r.writable() {
		*mh_err = C.EBADF
		return 0
	}
	if v == nil {
		h = r.ks.NewHash()
		r.ks.Add(r.db, r.name, h)
	}
	var vals []*C.RedisModuleString
	if n > 0 {
		vals = unsafe.Slice(values, int(n))
	}
	count := 0
	for i := range int(n) {
		f := hashField(fields, flens, i)
		if flags&(C.REDISMODULE_HASH_XX|C.REDISMODULE_HASH_NX) != 0 {
			exists := h.Exists(f)
			if (flags&C.REDISMODULE_HASH_XX != 0 && !exists) || (flags&C.REDISMODULE_HASH_NX != 0 && exists) {
				continue
			}
		}
		if uintptr(unsafe.Pointer(vals[i])) == hashDelete {
			if h.Delete(f) {
				count++
			}
			continue
		}
		isNew := h.Set(f, cStringBytes(vals[i]))
		if flags&C.REDISMODULE_HASH_COUNT_ALL != 0 || !isNew {
			count++
		}
	}
	if !r.deleteIfEmpty(h) {
		r.wrote(h)
	}
	if count == 0 {
		*mh_err = C.ENOENT
	}
	return C.int(count)
}

// mhv_hash_get performs RedisModule_HashGet on n collected fields.
//
//export mhv_hash_get
func mhv_hash_get(key *C.RedisModuleKey, flags C.int, fields **C.char, flens *C.size_t, outs *unsafe.Pointer, n C.int) (rc C.int) {
	rc = C.REDISMODULE_ERR
	defer guardExport(keyCtx(key), "HashGet")
	r, ok := resolve(key)
	if !ok {
		return C.REDISMODULE_ERR
	}
	v := r.value()
	h, isHash := v.(*keyspace.Hash)
	if v != nil && !isHash {
		return C.REDISMODULE_ERR
	}
	var out []unsafe.Pointer
	if n > 0 {
		out = unsafe.Slice(outs, int(n))
	}
	for i := range int(n) {
		f := hashField(fields, flens, i)
		if flags&C.REDISMODULE_HASH_EXISTS != 0 {
			e := (*C.int)(out[i])
			*e = 0
			if h != nil {
				if _, live, _ := h.GetLive(f, r.ks.Now()); live { // expired fields read as missing
					*e = 1
				}
			}
			continue
		}
		p := (**C.RedisModuleString)(out[i])
		*p = nil
		if h != nil {
			if val, ok, _ := h.GetLive(f, r.ks.Now()); ok {
				*p = newCString(key.ctx, val)
			}
		}
	}
	return C.REDISMODULE_OK
}
