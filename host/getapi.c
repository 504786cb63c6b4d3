/*
 * getapi.c - RedisModule_GetApi: the name -> function table lookup.
 *
 * The table itself (mh_api_table, sorted by name) is generated into
 * getapi_gen.c by `go generate ./abi`. Every name a module asks for is
 * remembered, in request order and once, so that the loader can log the
 * missing ones and `modhost check` can list them all. A found name costs
 * one bitmap test; only missing names are copied.
 */
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ctx.h"
#include "api_gen.h"

#define MH_PREFIX_REDIS "RedisModule_"
#define MH_PREFIX_VALKEY "ValkeyModule_"

/* The requests since the last mh_take_api_requests, guarded by req_mu.
 * asked[i] >= 0 is a table entry: index << 1 | 1 if asked with the
 * Valkey prefix; asked[i] < 0 is missing[-asked[i] - 1]. seen has one bit
 * per table entry and prefix. */
static pthread_mutex_t req_mu = PTHREAD_MUTEX_INITIALIZER;
static int32_t *asked;
static size_t asked_len, asked_cap;
static unsigned char *seen;
static char **missing;
static size_t missing_len, missing_cap;

/* Returns the part of name after a known prefix, or NULL; *valkey says
 * which prefix. */
static const char *strip_prefix(const char *name, int *valkey) {
    size_t rl = sizeof(MH_PREFIX_REDIS) - 1, vl = sizeof(MH_PREFIX_VALKEY) - 1;
    *valkey = 0;
    if (strncmp(name, MH_PREFIX_REDIS, rl) == 0) return name + rl;
    if (strncmp(name, MH_PREFIX_VALKEY, vl) == 0) {
        *valkey = 1;
        return name + vl;
    }
    return NULL;
}

/* Binary search over the generated, strcmp-sorted table: the index, or -1. */
static long find_api(const char *bare) {
    size_t lo = 0, hi = mh_api_table_len;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int c = strcmp(bare, mh_api_table[mid].name);
        if (c == 0) return (long)mid;
        if (c < 0) hi = mid; else lo = mid + 1;
    }
    return -1;
}

/* Appends one entry to asked; req_mu must be held. 0 when out of memory. */
static int push_asked(int32_t entry) {
    if (asked_len == asked_cap) {
        size_t ncap = asked_cap ? asked_cap * 2 : 64;
        int32_t *n = realloc(asked, ncap * sizeof(*n));
        if (n == NULL) return 0;
        asked = n;
        asked_cap = ncap;
    }
    asked[asked_len++] = entry;
    return 1;
}

/* Remembers a found table entry once; allocation failures drop the record. */
static void record_found(long idx, int valkey) {
    size_t bit = (size_t)idx * 2 + (size_t)valkey;
    pthread_mutex_lock(&req_mu);
    if (seen == NULL) seen = calloc((mh_api_table_len * 2 + 7) / 8, 1);
    if (seen != NULL && !(seen[bit / 8] & (1u << (bit % 8))) && push_asked((int32_t)bit)) {
        seen[bit / 8] |= (unsigned char)(1u << (bit % 8));
    }
    pthread_mutex_unlock(&req_mu);
}

/* Remembers a missing name once; allocation failures drop the record. */
static void record_missing(const char *name) {
    pthread_mutex_lock(&req_mu);
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
    if (dup == NULL) goto out;
    if (!push_asked(-(int32_t)missing_len - 1)) {
        free(dup);
        goto out;
    }
    missing[missing_len++] = dup;
out:
    pthread_mutex_unlock(&req_mu);
}

int mh_GetApi(const char *name, void *out) {
    if (name == NULL || out == NULL) return REDISMODULE_ERR;
    int valkey;
    const char *bare = strip_prefix(name, &valkey);
    long idx = bare ? find_api(bare) : -1;
    if (idx < 0) {
        record_missing(name);
        return REDISMODULE_ERR;
    }
    record_found(idx, valkey);
    *(void **)out = (void *)mh_api_table[idx].fn;
    return REDISMODULE_OK;
}

int32_t *mh_take_api_requests(size_t *n, char ***missing_out, size_t *nmissing) {
    pthread_mutex_lock(&req_mu);
    int32_t *list = asked;
    *n = asked_len;
    *missing_out = missing;
    *nmissing = missing_len;
    asked = NULL;
    asked_len = asked_cap = 0;
    missing = NULL;
    missing_len = missing_cap = 0;
    if (seen != NULL) memset(seen, 0, (mh_api_table_len * 2 + 7) / 8);
    pthread_mutex_unlock(&req_mu);
    return list;
}

const char *mh_api_name(int32_t entry) {
    return mh_api_table[entry >> 1].name;
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
