/*
 * api_heap.c - "Heap allocation raw functions" and memory size queries.
 *
 * Module memory comes from the C allocator (glibc malloc), so that memory a
 * module allocates can be handed to libc-using code and back. As in Redis,
 * the non-Try variants never return NULL: running out of memory aborts.
 */
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ctx.h"
#include "api_gen.h"

/* Reports an allocation failure and stops the server, like Redis does. */
static void mh_oom(size_t bytes) {
    fprintf(stderr, "modhost: out of memory allocating %zu bytes for a module\n", bytes);
    abort();
}

void *mh_Alloc(size_t bytes) {
    void *p = malloc(bytes ? bytes : 1);
    if (p == NULL) mh_oom(bytes);
    return p;
}

void *mh_TryAlloc(size_t bytes) {
    return malloc(bytes ? bytes : 1);
}

void *mh_Calloc(size_t nmemb, size_t size) {
    void *p = calloc(nmemb ? nmemb : 1, size ? size : 1);
    if (p == NULL) mh_oom(nmemb * size);
    return p;
}

void *mh_TryCalloc(size_t nmemb, size_t size) {
    return calloc(nmemb ? nmemb : 1, size ? size : 1);
}

void *mh_Realloc(void *ptr, size_t bytes) {
    void *p = realloc(ptr, bytes ? bytes : 1);
    if (p == NULL) mh_oom(bytes);
    return p;
}

void *mh_TryRealloc(void *ptr, size_t bytes) {
    return realloc(ptr, bytes ? bytes : 1);
}

void mh_Free(void *ptr) {
    free(ptr);
}

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

size_t mh_MallocUsableSize(void *ptr) {
    return ptr ? malloc_usable_size(ptr) : 0;
}
