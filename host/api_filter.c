/*
 * api_filter.c - "Module Command Filter API": the accessors a filter
 * callback uses. They only touch the C filter context, so a filter runs
 * without entering Go; api_filter.go registers filters and builds the
 * context for every command.
 */
#include <stdlib.h>

#include "api_filter.h"
#include "mh_string.h"
#include "gil.h"

typedef void (*mh_filter_fn)(RedisModuleCommandFilterCtx *fctx);

void mh_filter_run(RedisModuleCommandFilterCtx *fctx, void **cbs, int n) {
    for (int i = 0; i < n; i++) MH_HOST_CALLV(((mh_filter_fn)cbs[i])(fctx));
}

/* Returns the number of arguments of the filtered command, the command
 * name included. */
int mh_CommandFilterArgsCount(RedisModuleCommandFilterCtx *fctx) {
    return fctx->argc;
}

/* Returns argument pos (0 is the command name), NULL when out of range.
 * The string belongs to the filter context. */
RedisModuleString *mh_CommandFilterArgGet(RedisModuleCommandFilterCtx *fctx, int pos) {
    if (pos < 0 || pos >= fctx->argc) return NULL;
    return fctx->argv[pos];
}

/* Inserts arg at pos (0..argc). The host takes ownership of arg: it must
 * not be freed, auto-memory managed or used elsewhere afterwards.
 * REDISMODULE_ERR for a position out of range. */
int mh_CommandFilterArgInsert(RedisModuleCommandFilterCtx *fctx, int pos, RedisModuleString *arg) {
    if (pos < 0 || pos > fctx->argc) return REDISMODULE_ERR;
    if (fctx->argv_len < fctx->argc + 1) {
        int nlen = fctx->argc + 1;
        RedisModuleString **n = realloc(fctx->argv, sizeof(*n) * (size_t)nlen);
        if (n == NULL) abort();
        fctx->argv = n;
        fctx->argv_len = nlen;
    }
    for (int i = fctx->argc; i > pos; i--) fctx->argv[i] = fctx->argv[i - 1];
    fctx->argv[pos] = arg;
    fctx->argc++;
    return REDISMODULE_OK;
}

/* Replaces argument pos with arg (ownership passes to the host, as for
 * ArgInsert) and releases the old one. REDISMODULE_ERR out of range. */
int mh_CommandFilterArgReplace(RedisModuleCommandFilterCtx *fctx, int pos, RedisModuleString *arg) {
    if (pos < 0 || pos >= fctx->argc) return REDISMODULE_ERR;
    mh_string_release(fctx->argv[pos]);
    fctx->argv[pos] = arg;
    return REDISMODULE_OK;
}

/* Deletes argument pos. REDISMODULE_ERR out of range. */
int mh_CommandFilterArgDelete(RedisModuleCommandFilterCtx *fctx, int pos) {
    if (pos < 0 || pos >= fctx->argc) return REDISMODULE_ERR;
    mh_string_release(fctx->argv[pos]);
    for (int i = pos; i < fctx->argc - 1; i++) fctx->argv[i] = fctx->argv[i + 1];
    fctx->argc--;
    return REDISMODULE_OK;
}

/* Returns the ID of the client whose command is being filtered (for a
 * RedisModule_Call, the calling context's client, 0 when it has none). */
unsigned long long mh_CommandFilterGetClientId(RedisModuleCommandFilterCtx *fctx) {
    return fctx->client_id;
}
