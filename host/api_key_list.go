package host

// "Key API for List type": push, pop, and index access with Redis's errno
// contract (EINVAL, ENOTSUP, EBADF, EDOM). Writes are one Go crossing
// each and look the list up afresh. ListGet is C (api_key_list.c): it reads
// a window of up to MH_LCACHE_MAX elements that mhv_list_cache copies into
// the key handle, retired by any write (mh_key_epoch).

/*
#include <errno.h>
#include <stdlib.h>
#include "ctx.h"
#include "api_key.h"
*/
import "C"

import (
	"unsafe"

	"github.com/modhost/modhost/keyspace"
)

// listAt resolves key for index access as Redis's list seek does: errno
// EINVAL (NULL key), ENOTSUP (empty or not a list), EBADF (mode lacks
// need), EDOM (index out of range). It returns the list and the index
// normalised to 0..len-1.
func listAt(key *C.RedisModuleKey, index int64, need C.int, errno *C.int) (keyRef, *keyspace.List, int, bool) {
	r, ok := resolve(key)
	if !ok {
		*errno = C.EINVAL
		return r, nil, 0, false
	}
	l, ok := r.value().(*keyspace.List)
	if !ok {
		*errno = C.ENOTSUP
		return r, nil, 0, false
	}
	if key.mode&need == 0 {
		*errno = C.EBADF
		return r, nil, 0, false
	}
	n := int64(l.Len())
	if index < -n || index >= n {
		*errno = C.EDOM
		return r, nil, 0, false
	}
	if index < 0 {
		index += n
	}
	return r, l, int(index), true
}

// listPushValue checks and performs a push (ListPush's contract).
func listPushValue(key *C.RedisModuleKey, where C.int, ele *C.RedisModuleString, errno *C.int) C.int {
	r, ok := resolve(key)
	if !ok || ele == nil {
		*errno = C.EINVAL
		return C.REDISMODULE_ERR
	}
	v := r.value()
	l, isList := v.(*keyspace.List)
	if v != nil && !isList {
		*errno = C.ENOTSUP
		return C.REDISMODULE_ERR
	}
	if !r.writable() {
		*errno = C.EBADF
		return C.REDISMODULE_ERR
	}
	if v == nil {
		l = r.ks.NewList()
		r.ks.Add(r.db, r.name, l)
	}
	if where == C.REDISMODULE_LIST_HEAD {
		l.PushFront(cStringBytes(ele))
	} else {
		l.PushBack(cStringBytes(ele))
	}
	r.wrote(l)
	return C.REDISMODULE_OK
}

// apiListPush implements RedisModule_ListPush: pushes ele at the head
// (REDISMODULE_LIST_HEAD) or tail of the list, creating it when the key is
// empty. REDISMODULE_ERR with errno EINVAL (NULL key or ele), ENOTSUP
// (another type) or EBADF (not open for writing).
func apiListPush(key *C.RedisModuleKey, where C.int, ele *C.RedisModuleString, mh_errno *C.int) C.int {
	return listPushValue(key, where, ele, mh_errno)
}

// apiListPop implements RedisModule_ListPop: removes and returns the
// head or tail element (the caller owns it; auto memory applies); an
// emptied list is deleted. NULL with errno EINVAL (NULL key), ENOTSUP
// (empty key or another type) or EBADF (not open for writing).
func apiListPop(key *C.RedisModuleKey, where C.int, mh_errno *C.int) *C.RedisModuleString {
	r, ok := resolve(key)
	if !ok {
		*mh_errno = C.EINVAL
		return nil
	}
	l, ok := r.value().(*keyspace.List)
	if !ok {
		*mh_errno = C.ENOTSUP
		return nil
	}
	if !r.writable() {
		*mh_errno = C.EBADF
		return nil
	}
	var b []byte
	if where == C.REDISMODULE_LIST_HEAD {
		b, _ = l.PopFront()
	} else {
		b, _ = l.PopBack()
	}
	if !r.deleteIfEmpty(l) {
		r.wrote(l)
	}
	return newCString(key.ctx, b)
}

// mhv_list_cache fills key's ListGet window (api_key_list.c) with up to
// MH_LCACHE_MAX elements: from index on, or, when backward, ending at
// index. It leaves key.lcache NULL when the key is not a list or index is
// out of range.
//
//export mhv_list_cache
func mhv_list_cache(key *C.RedisModuleKey, index C.long, backward C.int) {
	defer guardExport(keyCtx(key), "ListGet")
	r, ok := resolve(key)
	if !ok {
		return
	}
	l, ok := r.value().(*keyspace.List)
	if !ok || int(index) < 0 || int(index) >= l.Len() {
		return
	}
	lo, hi := int(index), min(l.Len(), int(index)+C.MH_LCACHE_MAX)
	if backward != 0 {
		lo, hi = max(0, int(index)-C.MH_LCACHE_MAX+1), int(index)+1
	}
	size := 0
	for i := lo; i < hi; i++ {
		b, _ := l.Index(int64(i))
		size += len(b)
	}
	n := hi - lo
	head := C.size_t(unsafe.Sizeof(C.mh_lcache{})) + C.size_t(n+1)*C.size_t(unsafe.Sizeof(C.size_t(0)))
	mem := C.malloc(head + C.size_t(size) + 1)
	if mem == nil {
		return
	}
	c := (*C.mh_lcache)(mem)
	c.base = C.long(lo)
	c.n = C.size_t(n)
	c.offs = (*C.size_t)(unsafe.Add(mem, unsafe.Sizeof(C.mh_lcache{})))
	c.bytes = (*C.char)(unsafe.Add(mem, head))
	offs := unsafe.Slice(c.offs, n+1)
	bytes := unsafe.Slice((*byte)(unsafe.Pointer(c.bytes)), size+1)
	off := 0
	for i := lo; i < hi; i++ {
		b, _ := l.Index(int64(i))
		offs[i-lo] = C.size_t(off)
		off += copy(bytes[off:], b)
	}
	offs[n] = C.size_t(off)
	key.lcache = c
	key.lcache_epoch = C.mh_key_epoch
}

// apiListSet implements RedisModule_ListSet: replaces the element at
// index. REDISMODULE_ERR with errno EINVAL (NULL value), ENOTSUP, EBADF
// (not open for writing) or EDOM.
func apiListSet(key *C.RedisModuleKey, index C.long, value *C.RedisModuleString, mh_errno *C.int) C.int {
	if value == nil {
		*mh_errno = C.EINVAL
		return C.REDISMODULE_ERR
	}
	r, l, i, ok := listAt(key, int64(index), C.REDISMODULE_WRITE, mh_errno)
	if !ok {
		return C.REDISMODULE_ERR
	}
	l.Set(int64(i), cStringBytes(value))
	r.wrote(l)
	return C.REDISMODULE_OK
}

// apiListInsert implements RedisModule_ListInsert: inserts value so that
// it ends up at index (0 inserts at the head, -1 at the tail; a negative
// index inserts after the element it names). Inserting at 0 or -1 of an
// empty key creates the list. REDISMODULE_ERR with errno EINVAL, ENOTSUP,
// EBADF or EDOM.
func apiListInsert(key *C.RedisModuleKey, index C.long, value *C.RedisModuleString, mh_errno *C.int) C.int {
	if value == nil {
		*mh_errno = C.EINVAL
		return C.REDISMODULE_ERR
	}
	if r, ok := resolve(key); ok {
		v := r.value()
		l, isList := v.(*keyspace.List)
		switch {
		case v == nil && (index == 0 || index == -1):
			return listPushValue(key, C.REDISMODULE_LIST_TAIL, value, mh_errno)
		case isList && (int(index) == l.Len() || index == -1):
			return listPushValue(key, C.REDISMODULE_LIST_TAIL, value, mh_errno)
		case isList && (index == 0 || int(index) == -l.Len()-1):
			return listPushValue(key, C.REDISMODULE_LIST_HEAD, value, mh_errno)
		}
	}
	r, l, i, ok := listAt(key, int64(index), C.REDISMODULE_WRITE, mh_errno)
	if !ok {
		return C.REDISMODULE_ERR
	}
	if index < 0 {
		i++ // after the element named by a negative index
	}
	listSplice(l, i, func() { l.PushBack(cStringBytes(value)) })
	r.wrote(l)
	return C.REDISMODULE_OK
}

// listSplice pops the elements from position i to the end, runs at (which
// may push or pop at the new tail), and pushes the popped elements back.
func listSplice(l *keyspace.List, i int, at func()) {
	var tail [][]byte
	for l.Len() > i {
		b, _ := l.PopBack()
		tail = append(tail, b)
	}
	at()
	for j := len(tail) - 1; j >= 0; j-- {
		l.PushBack(tail[j])
	}
}

// apiListDelete implements RedisModule_ListDelete: removes the element
// at index; an emptied list is deleted. REDISMODULE_ERR with errno EINVAL,
// ENOTSUP, EBADF or EDOM.
func apiListDelete(key *C.RedisModuleKey, index C.long, mh_errno *C.int) C.int {
	r, l, i, ok := listAt(key, int64(index), C.REDISMODULE_WRITE, mh_errno)
	if !ok {
		return C.REDISMODULE_ERR
	}
	listSplice(l, i+1, func() { l.PopBack() })
	if !r.deleteIfEmpty(l) {
		r.wrote(l)
	}
	return C.REDISMODULE_OK
}
