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
 */
#include <malloc.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ctx.h"
#include "api_gen.h"
#include "mh_string.h"

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

void *mh_heap_alloc(size_t bytes) {
    return mh_Alloc(bytes);
}

void *mh_heap_realloc(void *ptr, size_t bytes) {
    return mh_Realloc(ptr, bytes);
}

void mh_heap_free(void *ptr) {
    mh_Free(ptr);
}

/* Allocates bytes (at least 1); aborts when memory is exhausted. */
void *mh_Alloc(size_t bytes) {
    void *p = counted(malloc(bytes ? bytes : 1));
    if (p == NULL) mh_oom(bytes);
    return p;
}

/* Like Alloc, but returns NULL instead of aborting. */
void *mh_TryAlloc(size_t bytes) {
    return counted(malloc(bytes ? bytes : 1));
}

/* Zeroed array allocation; aborts when memory is exhausted. */
void *mh_Calloc(size_t nmemb, size_t size) {
    void *p = counted(calloc(nmemb ? nmemb : 1, size ? size : 1));
    if (p == NULL) mh_oom(nmemb * size);
    return p;
}

/* Like Calloc, but returns NULL instead of aborting. */
void *mh_TryCalloc(size_t nmemb, size_t size) {
    return counted(calloc(nmemb ? nmemb : 1, size ? size : 1));
}

/* Resizes ptr (NULL allocates); aborts when memory is exhausted. */
void *mh_Realloc(void *ptr, size_t bytes) {
    size_t old = ptr ? malloc_usable_size(ptr) : 0;
    void *p = realloc(ptr, bytes ? bytes : 1);
    if (p == NULL) mh_oom(bytes);
    atomic_fetch_sub_explicit(&mh_used, old, memory_order_relaxed);
    return counted(p);
}

/* Like Realloc, but returns NULL (leaving ptr valid) instead of aborting. */
void *mh_TryRealloc(void *ptr, size_t bytes) {
    size_t old = ptr ? malloc_usable_size(ptr) : 0;
    void *p = realloc(ptr, bytes ? bytes : 1);
    if (p == NULL) return NULL;
    atomic_fetch_sub_explicit(&mh_used, old, memory_order_relaxed);
    return counted(p);
}

/* Frees memory from Alloc & co; NULL is ignored. */
void mh_Free(void *ptr) {
    uncount(ptr);
    free(ptr);
}

/* Duplicates a NUL-terminated string into Alloc'd memory. */
char *mh_Strdup(const char *str) {
    size_t n = strlen(str) + 1;
    char *p = mh_Alloc(n);
    memcpy(p, str, n);
    return p;
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
