package host

// "Defrag API". Redis defragments module memory from its active defrag
// cycle, which moves jemalloc allocations to less fragmented pages.
// modhost has no active defrag: module memory comes from libc malloc and
// Go's collector compacts nothing, so there is no cycle to call a module
// from. The registration functions accept callbacks and never call them;
// a RedisModuleDefragCtx is never created, so the functions that take one
// answer "nothing to do". This file exports to C, so its preamble only
// declares.

/*
#include <stdlib.h>
#include "ctx.h"
#include "mh_string.h"
*/
import "C"

import "unsafe"

// apiRegisterDefragFunc implements RedisModule_RegisterDefragFunc: Redis
// calls the function from each active defrag cycle for the module's
// global data. Always REDISMODULE_OK.
//
// modhost:partial no active defrag (no jemalloc, Go's GC does not compact): the callback is never called
func apiRegisterDefragFunc(ctx *C.RedisModuleCtx, fn C.RedisModuleDefragFunc) C.int {
	return C.REDISMODULE_OK
}

// apiRegisterDefragCallbacks implements
// RedisModule_RegisterDefragCallbacks: Redis calls start and end around
// each defrag run. Always REDISMODULE_OK.
//
// modhost:partial no active defrag (no jemalloc, Go's GC does not compact): the callbacks are never called
func apiRegisterDefragCallbacks(ctx *C.RedisModuleCtx, start, end C.RedisModuleDefragFunc) C.int {
	return C.REDISMODULE_OK
}

// apiDefragAlloc implements RedisModule_DefragAlloc: Redis moves ptr to
// a new allocation and returns it, or returns NULL when no move was
// needed (ptr stays valid). modhost always answers NULL.
//
// modhost:partial no active defrag: always NULL ("no defrag needed")
func apiDefragAlloc(ctx *C.RedisModuleDefragCtx, ptr unsafe.Pointer) unsafe.Pointer {
	return nil
}

// apiDefragAllocRaw implements RedisModule_DefragAllocRaw: memory for
// the module's own defrag-time structures, released with DefragFreeRaw.
// modhost allocates it with malloc (Redis bypasses the thread cache).
func apiDefragAllocRaw(ctx *C.RedisModuleDefragCtx, size C.size_t) unsafe.Pointer {
	return C.malloc(size)
}

// apiDefragFreeRaw implements RedisModule_DefragFreeRaw: frees memory
// from DefragAllocRaw.
func apiDefragFreeRaw(ctx *C.RedisModuleDefragCtx, ptr unsafe.Pointer) {
	C.free(ptr)
}

// apiDefragRedisModuleString implements
// RedisModule_DefragRedisModuleString: Redis returns the string's new
// address, or NULL when it was not moved. modhost always answers NULL.
//
// modhost:partial no active defrag: always NULL ("no defrag needed")
func apiDefragRedisModuleString(ctx *C.RedisModuleDefragCtx, str *C.RedisModuleString) *C.RedisModuleString {
	return nil
}

// apiDefragShouldStop implements RedisModule_DefragShouldStop: non-zero
// when a defrag callback should stop and save its cursor. modhost always
// answers 1, so a callback that somehow ran would stop at once.
//
// modhost:partial no active defrag: always 1 (stop)
func apiDefragShouldStop(ctx *C.RedisModuleDefragCtx) C.int {
	return 1
}

// apiDefragCursorSet implements RedisModule_DefragCursorSet: stores a
// late-defrag cursor. REDISMODULE_ERR outside a late defrag of a key,
// which in modhost is always.
//
// modhost:partial no active defrag: always REDISMODULE_ERR (no late defrag)
func apiDefragCursorSet(ctx *C.RedisModuleDefragCtx, cursor C.ulong) C.int {
	return C.REDISMODULE_ERR
}

// apiDefragCursorGet implements RedisModule_DefragCursorGet: fetches
// the cursor DefragCursorSet stored. REDISMODULE_ERR (cursor untouched)
// outside a late defrag, which in modhost is always.
//
// modhost:partial no active defrag: always REDISMODULE_ERR (no late defrag)
func apiDefragCursorGet(ctx *C.RedisModuleDefragCtx, cursor *C.ulong) C.int {
	return C.REDISMODULE_ERR
}

// apiGetDbIdFromDefragCtx implements RedisModule_GetDbIdFromDefragCtx:
// the database of the key being defragmented. With no defrag context
// ever created, modhost answers -1.
//
// modhost:partial no active defrag: there is never a key being defragmented (-1)
func apiGetDbIdFromDefragCtx(ctx *C.RedisModuleDefragCtx) C.int {
	return -1
}

// apiGetKeyNameFromDefragCtx implements
// RedisModule_GetKeyNameFromDefragCtx: the name of the key being
// defragmented; NULL in modhost.
//
// modhost:partial no active defrag: there is never a key being defragmented (NULL)
func apiGetKeyNameFromDefragCtx(ctx *C.RedisModuleDefragCtx) *C.RedisModuleString {
	return nil
}
