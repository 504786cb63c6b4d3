/*
 * testsupport.c - small C callers used by the package tests (cgo cannot
 * be used from _test.go files). Each one calls an API function through a
 * pointer obtained from GetApi, the way a module would.
 */
#include <stdlib.h>
#include <string.h>

#include "ctx.h"
#include "testsupport.h"

int mh_test_getapi(const char *name, uintptr_t preset, uintptr_t *out) {
    RedisModuleCtx ctx;
    mh_ctx_init(&ctx, 0, 2);
    void *slot = (void *)preset;
    int rc = mh_ctx_getapi(&ctx, name, &slot);
    *out = (uintptr_t)slot;
    mh_ctx_release(&ctx);
    return rc;
}

int mh_test_call_int_void(void *fn) {
    return ((int (*)(void))fn)();
}

long long mh_test_call_ll_void(void *fn) {
    return ((long long (*)(void))fn)();
}

int mh_test_alloc_cycle(void *alloc, void *realloc_fn, void *usable, void *free_fn, size_t n) {
    void *(*a)(size_t) = (void *(*)(size_t))alloc;
    void *(*r)(void *, size_t) = (void *(*)(void *, size_t))realloc_fn;
    size_t (*u)(void *) = (size_t (*)(void *))usable;
    void (*f)(void *) = (void (*)(void *))free_fn;
    unsigned char *p = a(n);
    if (p == NULL) return 0;
    memset(p, 0xab, n);
    p = r(p, n * 2);
    int ok = p != NULL && u(p) >= n * 2 && p[n - 1] == 0xab;
    f(p);
    return ok;
}

void mh_test_call_fill(void *fn, char *dst, size_t len) {
    ((void (*)(char *, size_t))fn)(dst, len);
}
