/* testsupport.h - C callers for the package tests (see testsupport.c). */
#ifndef MODHOST_TESTSUPPORT_H
#define MODHOST_TESTSUPPORT_H

#include <stddef.h>
#include <stdint.h>

/* GetApi through a fresh context; *out receives the slot, preset first. */
int mh_test_getapi(const char *name, uintptr_t preset, uintptr_t *out);
/* Calls fn as int fn(void). */
int mh_test_call_int_void(void *fn);
/* Calls fn as long long fn(void). */
long long mh_test_call_ll_void(void *fn);
/* Alloc n bytes, Realloc to 2n, check usable size and contents, Free. */
int mh_test_alloc_cycle(void *alloc, void *realloc_fn, void *usable, void *free_fn, size_t n);
/* Calls fn as void fn(char *dst, size_t len). */
void mh_test_call_fill(void *fn, char *dst, size_t len);

#endif /* MODHOST_TESTSUPPORT_H */
