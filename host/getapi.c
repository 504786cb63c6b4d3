/*
 * getapi.c - RedisModule_GetApi: the name -> function table lookup.
 *
 * The table itself (mh_api_table, sorted by name) is generated into
 * getapi_gen.c by `go generate ./abi`. Names a module asks for that the
 * table lacks are remembered so the loader can log them once.
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "ctx.h"
#include "api_gen.h"

#define MH_PREFIX_REDIS "RedisModule_"
#define MH_PREFIX_VALKEY "ValkeyModule_"

static pthread_mutex_t missing_mu = PTHREAD_MUTEX_INITIALIZER;
static char **missing;      /* guarded by missing_mu */
static size_t missing_len;  /* guarded by missing_mu */
static size_t missing_cap;  /* guarded by missing_mu */

/* Returns the part of name after a known prefix, or NULL. */
static const char *strip_prefix(const char *name) {
    size_t rl = sizeof(MH_PREFIX_REDIS) - 1, vl = sizeof(MH_PREFIX_VALKEY) - 1;
    if (strncmp(name, MH_PREFIX_REDIS, rl) == 0) return name + rl;
    if (strncmp(name, MH_PREFIX_VALKEY, vl) == 0) return name + vl;
    return NULL;
}

/* Binary search over the generated, strcmp-sorted table. */
static mh_api_fn find_api(const char *bare) {
    size_t lo = 0, hi = mh_api_table_len;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int c = strcmp(bare, mh_api_table[mid].name);
        if (c == 0) return mh_api_table[mid].fn;
        if (c < 0) hi = mid; else lo = mid + 1;
    }
    return NULL;
}

/* Remembers name once; allocation failures just drop the record. */
static void record_missing(const char *name) {
    pthread_mutex_lock(&missing_mu);
    for (size_t i = 0; i < missing_len; i++) {
        if (strcmp(missing[i], name) == 0) goto out;
    }
    if (missing_len == missing_cap) {
        size_t ncap = missing_cap ? missing_cap * 2 : 16;
        char **n = realloc(missing, ncap * sizeof(*n));
        if (n == NULL) goto out;
        missing = n;
        missing_cap = ncap;
    }
    char *dup = strdup(name);
    if (dup != NULL) missing[missing_len++] = dup;
out:
    pthread_mutex_unlock(&missing_mu);
}

int mh_GetApi(const char *name, void *out) {
    if (name == NULL || out == NULL) return REDISMODULE_ERR;
    const char *bare = strip_prefix(name);
    mh_api_fn fn = bare ? find_api(bare) : NULL;
    if (fn == NULL) {
        record_missing(name);
        return REDISMODULE_ERR;
    }
    *(void **)out = (void *)fn;
    return REDISMODULE_OK;
}

char **mh_take_missing(size_t *n) {
    pthread_mutex_lock(&missing_mu);
    char **list = missing;
    *n = missing_len;
    missing = NULL;
    missing_len = missing_cap = 0;
    pthread_mutex_unlock(&missing_mu);
    return list;
}

void mh_ctx_init(RedisModuleCtx *ctx, uintptr_t handle, int resp) {
    memset(ctx, 0, sizeof(*ctx));
    ctx->getapi = mh_GetApi;
    ctx->handle = handle;
    ctx->resp = resp;
}

void mh_ctx_release(RedisModuleCtx *ctx) {
    free(ctx->reply.buf);
    ctx->reply.buf = NULL;
    ctx->reply.len = ctx->reply.cap = 0;
}

int mh_ctx_getapi(RedisModuleCtx *ctx, const char *name, void **out) {
    /* Read the first word the way RedisModule_Init does. */
    mh_getapi_fn getapi = (mh_getapi_fn)((void **)ctx)[0];
    return getapi(name, out);
}
