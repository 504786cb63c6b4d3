/*
 * api_dict.c - the C half of the Dict API: the RedisModuleString variants
 * (one Go crossing through their C-buffer twins), DictSize without a
 * crossing, and auto-memory release of dictionaries.
 */
#include <stdlib.h>

#include "ctx.h"
#include "api_gen.h"
#include "api_dict.h"
#include "mh_string.h"

static void am_release_dict(RedisModuleCtx *ctx, void *ptr) {
    mh_FreeDict(ctx, (RedisModuleDict *)ptr);
}

/* Installs the auto-memory release of MH_AM_DICT (called once by Go). */
void mh_dict_init(void) { mh_am_set_release(MH_AM_DICT, am_release_dict); }

/* Returns the number of keys in the dictionary. */
uint64_t mh_DictSize(RedisModuleDict *d) { return d->size; }

/* Like DictSetC with a module string key. */
int mh_DictSet(RedisModuleDict *d, RedisModuleString *key, void *ptr) {
    return mh_DictSetC(d, key->ptr, key->len, ptr);
}

/* Like DictReplaceC with a module string key. */
int mh_DictReplace(RedisModuleDict *d, RedisModuleString *key, void *ptr) {
    return mh_DictReplaceC(d, key->ptr, key->len, ptr);
}

/* Like DictGetC with a module string key. */
void *mh_DictGet(RedisModuleDict *d, RedisModuleString *key, int *nokey) {
    return mh_DictGetC(d, key->ptr, key->len, nokey);
}

/* Like DictDelC with a module string key. */
int mh_DictDel(RedisModuleDict *d, RedisModuleString *key, void *oldval) {
    return mh_DictDelC(d, key->ptr, key->len, oldval);
}

/* Like DictIteratorStartC with a module string key. */
RedisModuleDictIter *mh_DictIteratorStart(RedisModuleDict *d, const char *op, RedisModuleString *key) {
    return mh_DictIteratorStartC(d, op, key->ptr, key->len);
}

/* Like DictIteratorReseekC with a module string key. */
int mh_DictIteratorReseek(RedisModuleDictIter *di, const char *op, RedisModuleString *key) {
    return mh_DictIteratorReseekC(di, op, key->ptr, key->len);
}

/* Like DictCompareC with a module string key. */
int mh_DictCompare(RedisModuleDictIter *di, const char *op, RedisModuleString *key) {
    return mh_DictCompareC(di, op, key->ptr, key->len);
}

/* Like DictNextC, returning the key as a new module string (auto memory
 * of ctx applies; ctx may be NULL). */
RedisModuleString *mh_DictNext(RedisModuleCtx *ctx, RedisModuleDictIter *di, void **dataptr) {
    size_t len;
    void *k = mh_DictNextC(di, &len, dataptr);
    if (k == NULL) return NULL;
    RedisModuleString *s = mh_string_new(k, len);
    mh_am_add(ctx, MH_AM_STRING, s);
    return s;
}

/* Like DictPrevC, returning the key as a new module string. */
RedisModuleString *mh_DictPrev(RedisModuleCtx *ctx, RedisModuleDictIter *di, void **dataptr) {
    size_t len;
    void *k = mh_DictPrevC(di, &len, dataptr);
    if (k == NULL) return NULL;
    RedisModuleString *s = mh_string_new(k, len);
    mh_am_add(ctx, MH_AM_STRING, s);
    return s;
}
