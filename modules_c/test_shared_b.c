/*
 * test_shared_b.c - uses the shared APIs test_shared_a.so exports.
 *
 *   TSB.ADD a b   -> tsa.add(a, b), or an error when the API is missing
 *   TSB.GREET     -> tsa.greet()
 *   TSB.MISSING   -> GetSharedAPI of an unknown name is NULL (1)
 */
#include "redismodule.h"

typedef long long (*add_fn)(long long, long long);
typedef const char *(*greet_fn)(void);

static int t_add(RedisModuleCtx *ctx, RedisModuleString **argv, int argc) {
    if (argc != 3) return RedisModule_WrongArity(ctx);
    add_fn add = (add_fn)RedisModule_GetSharedAPI(ctx, "tsa.add");
    if (add == NULL) return RedisModule_ReplyWithError(ctx, "ERR tsa.add not available");
    long long a, b;
    if (RedisModule_StringToLongLong(argv[1], &a) != REDISMODULE_OK ||
        RedisModule_StringToLongLong(argv[2], &b) != REDISMODULE_OK)
        return RedisModule_ReplyWithError(ctx, "ERR bad number");
    return RedisModule_ReplyWithLongLong(ctx, add(a, b));
}

static int t_greet(RedisModuleCtx *ctx, RedisModuleString **argv, int argc) {
    REDISMODULE_NOT_USED(argv);
    REDISMODULE_NOT_USED(argc);
    greet_fn greet = (greet_fn)RedisModule_GetSharedAPI(ctx, "tsa.greet");
    if (greet == NULL) return RedisModule_ReplyWithError(ctx, "ERR tsa.greet not available");
    return RedisModule_ReplyWithCString(ctx, greet());
}

static int t_missing(RedisModuleCtx *ctx, RedisModuleString **argv, int argc) {
    REDISMODULE_NOT_USED(argv);
    REDISMODULE_NOT_USED(argc);
    return RedisModule_ReplyWithLongLong(ctx, RedisModule_GetSharedAPI(ctx, "tsa.nothing") == NULL);
}

int RedisModule_OnLoad(RedisModuleCtx *ctx, RedisModuleString **argv, int argc) {
    REDISMODULE_NOT_USED(argv);
    REDISMODULE_NOT_USED(argc);
    if (RedisModule_Init(ctx, "tsb", 1, REDISMODULE_APIVER_1) == REDISMODULE_ERR) return REDISMODULE_ERR;
    if (RedisModule_CreateCommand(ctx, "tsb.add", t_add, "", 0, 0, 0) == REDISMODULE_ERR ||
        RedisModule_CreateCommand(ctx, "tsb.greet", t_greet, "", 0, 0, 0) == REDISMODULE_ERR ||
        RedisModule_CreateCommand(ctx, "tsb.missing", t_missing, "", 0, 0, 0) == REDISMODULE_ERR)
        return REDISMODULE_ERR;
    return REDISMODULE_OK;
}
