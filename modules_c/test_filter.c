/*
 * test_filter.c - coverage module for command filters.
 *
 * The filter (registered on load; load argument "noself" adds
 * REDISMODULE_CMDFILTER_NOSELF) rewrites the arguments of every command:
 * "@r" is replaced by "R!", "@d" is deleted, and after "@i" an "I!" is
 * inserted (not in TFILTER.CALL itself: only in the command it calls). It
 * counts the commands it saw and keeps the last client id.
 *
 *   TFILTER.CALL cmd arg...  -> RedisModule_Call(cmd, args) reply (filtered
 *                               unless NOSELF)
 *   TFILTER.SEEN             -> [commands seen, last client id == mine]
 *   TFILTER.UNREGISTER       -> UnregisterCommandFilter: OK or an error
 *   TFILTER.REGISTER         -> registers the filter again
 *   TFILTER.ARGS             -> ArgGet out of range is NULL, Insert/Replace/
 *                               Delete out of range fail (checked on the
 *                               next filtered command): 1 when they did
 */
#include <string.h>

#include "redismodule.h"

static RedisModuleCommandFilter *filter;
static int filter_flags;
static long long seen;
static unsigned long long last_id;
static int bounds_ok = -1;

static int arg_is(RedisModuleCommandFilterCtx *f, int pos, const char *s) {
    size_t len;
    const RedisModuleString *a = RedisModule_CommandFilterArgGet(f, pos);
    if (a == NULL) return 0;
    const char *p = RedisModule_StringPtrLen(a, &len);
    return len == strlen(s) && memcmp(p, s, len) == 0;
}

static void filter_cb(RedisModuleCommandFilterCtx *f) {
    seen++;
    if (RMAPI_FUNC_SUPPORTED(RedisModule_CommandFilterGetClientId)) last_id = RedisModule_CommandFilterGetClientId(f);
    if (arg_is(f, 0, "tfilter.args")) {
        int n = RedisModule_CommandFilterArgsCount(f);
        RedisModuleString *x = RedisModule_CreateString(NULL, "x", 1);
        bounds_ok = RedisModule_CommandFilterArgGet(f, n) == NULL && RedisModule_CommandFilterArgGet(f, -1) == NULL &&
                    RedisModule_CommandFilterArgInsert(f, n + 1, x) == REDISMODULE_ERR &&
                    RedisModule_CommandFilterArgReplace(f, n, x) == REDISMODULE_ERR &&
                    RedisModule_CommandFilterArgDelete(f, n) == REDISMODULE_ERR;
        RedisModule_FreeString(NULL, x);
        return;
    }
    if (arg_is(f, 0, "tfilter.call")) return; /* only the Call inside is rewritten */
    for (int i = 1; i < RedisModule_CommandFilterArgsCount(f); i++) {
        if (arg_is(f, i, "@r")) {
            RedisModule_CommandFilterArgReplace(f, i, RedisModule_CreateString(NULL, "R!", 2));
        } else if (arg_is(f, i, "@d")) {
            RedisModule_CommandFilterArgDelete(f, i);
            i--;
        } else if (arg_is(f, i, "@i")) {
            RedisModule_CommandFilterArgInsert(f, i + 1, RedisModule_CreateString(NULL, "I!", 2));
            i++;
        }
    }
}

static int t_call(RedisModuleCtx *ctx, RedisModuleString **argv, int argc) {
    if (argc < 2) return RedisModule_WrongArity(ctx);
    const char *cmd = RedisModule_StringPtrLen(argv[1], NULL);
    RedisModuleCallReply *r = RedisModule_Call(ctx, cmd, "Ev", argv + 2, (size_t)(argc - 2));
    if (r == NULL) return RedisModule_ReplyWithError(ctx, "ERR call failed");
    RedisModule_ReplyWithCallReply(ctx, r);
    RedisModule_FreeCallReply(r);
    return REDISMODULE_OK;
}

static int t_seen(RedisModuleCtx *ctx, RedisModuleString **argv, int argc) {
    REDISMODULE_NOT_USED(argv);
    REDISMODULE_NOT_USED(argc);
    RedisModule_ReplyWithArray(ctx, 2);
    RedisModule_ReplyWithLongLong(ctx, seen);
    if (!RMAPI_FUNC_SUPPORTED(RedisModule_CommandFilterGetClientId)) return RedisModule_ReplyWithNull(ctx);
    return RedisModule_ReplyWithLongLong(ctx, last_id == RedisModule_GetClientId(ctx));
}

static int t_unregister(RedisModuleCtx *ctx, RedisModuleString **argv, int argc) {
    REDISMODULE_NOT_USED(argv);
    REDISMODULE_NOT_USED(argc);
    if (filter == NULL || RedisModule_UnregisterCommandFilter(ctx, filter) != REDISMODULE_OK)
        return RedisModule_ReplyWithError(ctx, "ERR not registered");
    filter = NULL;
    return RedisModule_ReplyWithSimpleString(ctx, "OK");
}

static int t_register(RedisModuleCtx *ctx, RedisModuleString **argv, int argc) {
    REDISMODULE_NOT_USED(argv);
    REDISMODULE_NOT_USED(argc);
    if (filter != NULL) return RedisModule_ReplyWithError(ctx, "ERR already registered");
    filter = RedisModule_RegisterCommandFilter(ctx, filter_cb, filter_flags);
    return RedisModule_ReplyWithSimpleString(ctx, filter ? "OK" : "ERR");
}

static int t_args(RedisModuleCtx *ctx, RedisModuleString **argv, int argc) {
    REDISMODULE_NOT_USED(argv);
    REDISMODULE_NOT_USED(argc);
    return RedisModule_ReplyWithLongLong(ctx, bounds_ok);
}

int RedisModule_OnLoad(RedisModuleCtx *ctx, RedisModuleString **argv, int argc) {
    if (RedisModule_Init(ctx, "testfilter", 1, REDISMODULE_APIVER_1) == REDISMODULE_ERR) return REDISMODULE_ERR;
    for (int i = 0; i < argc; i++)
        if (strcmp(RedisModule_StringPtrLen(argv[i], NULL), "noself") == 0) filter_flags |= REDISMODULE_CMDFILTER_NOSELF;
    filter = RedisModule_RegisterCommandFilter(ctx, filter_cb, filter_flags);
    if (filter == NULL) return REDISMODULE_ERR;
    if (RedisModule_CreateCommand(ctx, "tfilter.call", t_call, "", 0, 0, 0) == REDISMODULE_ERR ||
        RedisModule_CreateCommand(ctx, "tfilter.seen", t_seen, "", 0, 0, 0) == REDISMODULE_ERR ||
        RedisModule_CreateCommand(ctx, "tfilter.unregister", t_unregister, "", 0, 0, 0) == REDISMODULE_ERR ||
        RedisModule_CreateCommand(ctx, "tfilter.register", t_register, "", 0, 0, 0) == REDISMODULE_ERR ||
        RedisModule_CreateCommand(ctx, "tfilter.args", t_args, "", 0, 0, 0) == REDISMODULE_ERR)
        return REDISMODULE_ERR;
    return REDISMODULE_OK;
}
