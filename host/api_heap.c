/*
 * api_heap.c - "Heap allocation raw functions" and memory size queries.
 *
 * Module memory comes from the C allocator (glibc malloc), so that memory a
 * module allocates can be handed to libc-using code and back. As in Redis,
 * the non-Try variants never return NULL: running out of memory aborts.
 *
 * Every block handed out here (and every module string) is counted in one
 * process-wide atomic counter by its malloc_usable_size, which the host
 * reports as module memory (INFO memory). Blocks a module frees with libc's
 * free() instead of RedisModule_Free are simply never subtracted.
 *
 * In module-strict mode each block a module gets is also recorded with its
 * owner (strict_alloc.h), found from the caller's address; the host's own
 * uses (module strings) go through the mh_heap_* functions, which are not
 * recorded as allocations.
 */
#include <malloc.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ctx.h"
#include "api_gen.h"
#include "mh_string.h"
#include "misuse.h"
#include "strict_alloc.h"

static _Atomic size_t mh_used; /* bytes by malloc_usable_size */

/* Reports an allocation failure and stops the server, like Redis does. */
static void mh_oom(size_t bytes) {
    fprintf(stderr, "modhost: out of memory allocating %zu bytes for a module\n", bytes);
    abort();
}

static void *counted(void *p) {
    if (p != NULL) atomic_fetch_add_explicit(&mh_used, malloc_usable_size(p), memory_order_relaxed);
    return p;
}

static void uncount(void *p) {
    if (p != NULL) atomic_fetch_sub_explicit(&mh_used, malloc_usable_size(p), memory_order_relaxed);
}

void mh_heap_uncount(void *p) {
    uncount(p);
}

size_t mh_alloc_used(void) {
    return atomic_load_explicit(&mh_used, memory_order_relaxed);
}

/* The raw allocator behind every function below, counted, not recorded. */
static void *heap_alloc(size_t bytes) {
    void *p = counted(malloc(bytes ? bytes : 1));
    if (p == NULL) mh_oom(bytes);
    return p;
}

static void *heap_realloc(void *ptr, size_t bytes, int try) {
    size_t old = ptr ? malloc_usable_size(ptr) : 0;
    void *p = realloc(ptr, bytes ? bytes : 1);
    if (p == NULL) {
        if (try) return NULL;
        mh_oom(bytes);
    }
    atomic_fetch_sub_explicit(&mh_used, old, memory_order_relaxed);
    return counted(p);
}

void *mh_heap_alloc(size_t bytes) {
    return heap_alloc(bytes);
}

void *mh_heap_realloc(void *ptr, size_t bytes) {
    return heap_realloc(ptr, bytes, 0);
}

void mh_heap_free(void *ptr) {
    uncount(ptr);
    free(ptr);
}

/* Records a block the module at caller gets (strict mode only). */
static inline void *track(void *p, size_t bytes, const void *caller) {
    if (__builtin_expect(mh_strict, 0) && p != NULL) mh_track_new(p, bytes, MH_TRACK_ALLOC, caller, NULL);
    return p;
}

/* Realloc's bookkeeping: the entry of ptr (if any) moves to p, a new
 * block (ptr NULL, or made before strict mode) is recorded. */
static void *track_realloc(void *ptr, void *p, size_t bytes, const void *caller) {
    if (p == NULL) return NULL;
    if (ptr != NULL && mh_track_move(ptr, p, bytes)) return p;
    return track(p, bytes, caller);
}

/* Allocates bytes (at least 1); aborts when memory is exhausted. */
void *mh_Alloc(size_t bytes) {
    return track(heap_alloc(bytes), bytes, __builtin_return_address(0));
}

/* Like Alloc, but returns NULL instead of aborting. */
void *mh_TryAlloc(size_t bytes) {
    return track(counted(malloc(bytes ? bytes : 1)), bytes, __builtin_return_address(0));
}

/* Zeroed array allocation; aborts when memory is exhausted. */
void *mh_Calloc(size_t nmemb, size_t size) {
    void *p = counted(calloc(nmemb ? nmemb : 1, size ? size : 1));
    if (p == NULL) mh_oom(nmemb * size);
    return track(p, nmemb * size, __builtin_return_address(0));
}

/* Like Calloc, but returns NULL instead of aborting. */
void *mh_TryCalloc(size_t nmemb, size_t size) {
    return track(counted(calloc(nmemb ? nmemb : 1, size ? size : 1)), nmemb * size, __builtin_return_address(0));
}

/* Resizes ptr (NULL allocates); aborts when memory is exhausted. */
void *mh_Realloc(void *ptr, size_t bytes) {
    return track_realloc(ptr, heap_realloc(ptr, bytes, 0), bytes, __builtin_return_address(0));
}

/* Like Realloc, but returns NULL (leaving ptr valid) instead of aborting. */
void *mh_TryRealloc(void *ptr, size_t bytes) {
    return track_realloc(ptr, heap_realloc(ptr, bytes, 1), bytes, __builtin_return_address(0));
}

/* Frees memory from Alloc & co; NULL is ignored. */
void mh_Free(void *ptr) {
    if (ptr == NULL) return;
    mh_track_forget(ptr);
    uncount(ptr);
    free(ptr);
}

/* Duplicates a NUL-terminated string into Alloc'd memory. */
char *mh_Strdup(const char *str) {
    size_t n = strlen(str) + 1;
    char *p = heap_alloc(n);
    memcpy(p, str, n);
    return track(p, n, __builtin_return_address(0));
}

/* Redis reports the allocator's bucket size; glibc's usable size is the
 * closest equivalent. */
/* modhost:partial reports glibc's usable size, not a jemalloc bucket size */
size_t mh_MallocSize(void *ptr) {
    return ptr ? malloc_usable_size(ptr) : 0;
}

/* The bytes of ptr the module may use (glibc's malloc_usable_size). */
size_t mh_MallocUsableSize(void *ptr) {
    return ptr ? malloc_usable_size(ptr) : 0;
}

/* Memory used by a module string: its struct and bytes. Redis counts the
 * robj and its sds; modhost counts its own single or double allocation. */
size_t mh_MallocSizeString(RedisModuleString *str) {
    return str ? mh_string_alloc_size(str) : 0;
}

/* Redis estimates a dict's overhead from its radix tree. */
/* modhost:partial dicts are not implemented yet: always 0 */
size_t mh_MallocSizeDict(RedisModuleDict *dict) {
    (void)dict;
    return 0;
}
