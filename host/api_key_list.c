/*
 * api_key_list.c - the C half of "Key API for List type": ListGet reads
 * a window of the list that Go copied into the key handle (mh_lcache), so
 * a module walking a list by index enters Go once per window instead of
 * once per element. Any write through the key API (or RedisModule_Call)
 * moves mh_key_epoch on, which retires the window.
 */
#include <errno.h>
#include <stdlib.h>

#include "ctx.h"
#include "api_gen.h"
#include "api_key.h"
#include "mh_string.h"

/* Go: refreshes key->type and key->len (api_key.go) and fills key->lcache
 * with elements from index on (forward) or up to index (backward). */
extern void mhv_key_sync(RedisModuleKey *key);
extern void mhv_list_cache(RedisModuleKey *key, long index, int backward);

/* Returns the element at index (negative counts from the tail) as a new
 * string owned by the caller (auto memory applies). NULL with errno EINVAL
 * (NULL key), ENOTSUP (empty key or not a list), EBADF (not open for
 * reading) or EDOM (index out of range), checked in that order as Redis
 * does. */
RedisModuleString *mh_ListGet(RedisModuleKey *key, long index) {
    if (key == NULL) {
        errno = EINVAL;
        return NULL;
    }
    if (key->epoch != mh_key_epoch) mhv_key_sync(key);
    if (key->type != REDISMODULE_KEYTYPE_LIST) {
        errno = ENOTSUP;
        return NULL;
    }
    if (!(key->mode & REDISMODULE_READ)) {
        errno = EBADF;
        return NULL;
    }
    long n = (long)key->len;
    if (index < -n || index >= n) {
        errno = EDOM;
        return NULL;
    }
    if (index < 0) index += n;
    mh_lcache *c = key->lcache;
    if (c == NULL || key->lcache_epoch != mh_key_epoch || index < c->base || index >= c->base + (long)c->n) {
        int backward = c != NULL && key->lcache_epoch == mh_key_epoch && index < c->base;
        free(key->lcache);
        key->lcache = NULL;
        mhv_list_cache(key, index, backward);
        c = key->lcache;
        if (c == NULL || index < c->base || index >= c->base + (long)c->n) {
            errno = EDOM; /* the list changed under us: not reached */
            return NULL;
        }
    }
    size_t i = (size_t)(index - c->base);
    RedisModuleString *s = mh_string_new(c->bytes + c->offs[i], c->offs[i + 1] - c->offs[i]);
    mh_am_add(key->ctx, MH_AM_STRING, s);
    return s;
}
