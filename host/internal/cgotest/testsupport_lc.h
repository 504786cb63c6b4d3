/* testsupport_lc.h - C callers for the lifecycle tests (testsupport.c). */
#ifndef MODHOST_TESTSUPPORT_LC_H
#define MODHOST_TESTSUPPORT_LC_H

#include <stddef.h>

/* PoolAlloc sizes[0..n) from one context; 1 when every block is aligned
 * and writable and PoolAlloc(0) is NULL. */
int ts_lc_pool(const size_t *sizes, int n);

/* Creates n strings and n counted entries under a context (auto memory on
 * when enable), forgets and frees the first `forget` strings, frees the
 * context. Returns the number of counted entries released at context free,
 * or -1 when string memory leaked. */
int ts_lc_automem(int n, int enable, int forget);

#endif /* MODHOST_TESTSUPPORT_LC_H */
