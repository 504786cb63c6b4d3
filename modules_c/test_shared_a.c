/*
 * test_shared_a.c - exports shared APIs for test_shared_b.so.
 *
 * Exports "tsa.add" (long long add(long long, long long)) and
 * "tsa.greet" (const char *greet(void)) during OnLoad; a second export
 * under a taken name must fail.
 *
 *   TSA.DUP   -> ExportSharedAPI of a taken name (0 ok / 1 err)
 */
#include "redismodule.h"

static long long api_add(long long a, long long b) {
    return a + b;
}

static const char *api_greet(void) {
    return "hello from tsa";
}

static int t_dup(RedisModuleCtx *ctx, RedisModuleString **argv, int argc) {
    REDISMODULE_NOT_USED(argv);
    REDISMODULE_NOT_USED(argc);
    return RedisModule_ReplyWithLongLong(ctx, RedisModule_ExportSharedAPI(ctx, "tsa.add", (void *)api_greet));
}

int RedisModule_OnLoad(RedisModuleCtx *ctx, RedisModuleString **argv, int argc) {
    REDISMODULE_NOT_USED(argv);
    REDISMODULE_NOT_USED(argc);
    if (RedisModule_Init(ctx, "tsa", 1, REDISMODULE_APIVER_1) == REDISMODULE_ERR) return REDISMODULE_ERR;
    if (RedisModule_ExportSharedAPI(ctx, "tsa.add", (void *)api_add) == REDISMODULE_ERR ||
        RedisModule_ExportSharedAPI(ctx, "tsa.greet", (void *)api_greet) == REDISMODULE_ERR)
        return REDISMODULE_ERR;
    if (RedisModule_CreateCommand(ctx, "tsa.dup", t_dup, "", 0, 0, 0) == REDISMODULE_ERR) return REDISMODULE_ERR;
    return REDISMODULE_OK;
}
