/*
 * test_replies.c - coverage module for the "Reply APIs".
 *
 * Run each command under RESP2 and RESP3 (HELLO 3) and compare with Redis.
 *
 *   TREP.TYPES       -> one reply of every kind, in an array
 *   TREP.ERROR       -> ReplyWithError with a code and embedded newlines
 *   TREP.ERRNOCODE   -> ReplyWithError without an error code
 *   TREP.ERRFMT      -> ReplyWithErrorFormat (Redis 7.2+)
 *   TREP.ARITY ...   -> WrongArity
 *   TREP.POSTPONED n -> nested postponed arrays, a map and a set
 *   TREP.ATTR        -> [ReplyWithAttribute's result ...] then a value
 *   TREP.EMPTY       -> empty array, map and set
 */
#include <math.h>
#include <string.h>

#include "redismodule.h"

static int t_types(RedisModuleCtx *ctx, RedisModuleString **argv, int argc) {
    REDISMODULE_NOT_USED(argv);
    if (argc != 1) return RedisModule_WrongArity(ctx);
    RedisModule_ReplyWithArray(ctx, 19);
    RedisModule_ReplyWithLongLong(ctx, -42);
    RedisModule_ReplyWithSimpleString(ctx, "simple");
    RedisModule_ReplyWithBool(ctx, 1);
    RedisModule_ReplyWithBool(ctx, 0);
    RedisModule_ReplyWithDouble(ctx, 1.5);
    RedisModule_ReplyWithDouble(ctx, INFINITY);
    RedisModule_ReplyWithDouble(ctx, 3);
    RedisModule_ReplyWithBigNumber(ctx, "1234567890123456789012", 22);
    RedisModule_ReplyWithVerbatimString(ctx, "verbatim", 8);
    if (RMAPI_FUNC_SUPPORTED(RedisModule_ReplyWithVerbatimStringType))
        RedisModule_ReplyWithVerbatimStringType(ctx, "# md", 4, "mkd");
    else
        RedisModule_ReplyWithNull(ctx);
    RedisModule_ReplyWithNull(ctx);
    RedisModule_ReplyWithNullArray(ctx);
    RedisModule_ReplyWithEmptyString(ctx);
    RedisModule_ReplyWithCString(ctx, "cstring");
    RedisModule_ReplyWithStringBuffer(ctx, "bin\0ary", 7);
    RedisModule_ReplyWithMap(ctx, 1);
    RedisModule_ReplyWithCString(ctx, "k");
    RedisModule_ReplyWithLongLong(ctx, 1);
    RedisModule_ReplyWithSet(ctx, 2);
    RedisModule_ReplyWithCString(ctx, "x");
    RedisModule_ReplyWithCString(ctx, "y");
    RedisModule_ReplyWithLongDouble(ctx, 3.5L);
    RedisModule_ReplyWithLongDouble(ctx, 10.0L);
    return REDISMODULE_OK;
}

static int t_error(RedisModuleCtx *ctx, RedisModuleString **argv, int argc) {
    REDISMODULE_NOT_USED(argv);
    REDISMODULE_NOT_USED(argc);
    return RedisModule_ReplyWithError(ctx, "ERR custom\r\nmultiline\n");
}

static int t_errnocode(RedisModuleCtx *ctx, RedisModuleString **argv, int argc) {
    REDISMODULE_NOT_USED(argv);
    REDISMODULE_NOT_USED(argc);
    return RedisModule_ReplyWithError(ctx, "lowercase message");
}

static int t_errfmt(RedisModuleCtx *ctx, RedisModuleString **argv, int argc) {
    REDISMODULE_NOT_USED(argv);
    if (!RMAPI_FUNC_SUPPORTED(RedisModule_ReplyWithErrorFormat))
        return RedisModule_ReplyWithError(ctx, "ERR unsupported");
    return RedisModule_ReplyWithErrorFormat(ctx, "MYCODE argc=%d %s", argc, "formatted");
}

static int t_arity(RedisModuleCtx *ctx, RedisModuleString **argv, int argc) {
    REDISMODULE_NOT_USED(argv);
    REDISMODULE_NOT_USED(argc);
    return RedisModule_WrongArity(ctx);
}

static int t_postponed(RedisModuleCtx *ctx, RedisModuleString **argv, int argc) {
    if (argc != 2) return RedisModule_WrongArity(ctx);
    long long n;
    if (RedisModule_StringToLongLong(argv[1], &n) != REDISMODULE_OK || n < 0 || n > 1000)
        return RedisModule_ReplyWithError(ctx, "ERR bad count");
    RedisModule_ReplyWithArray(ctx, REDISMODULE_POSTPONED_LEN);
    RedisModule_ReplyWithArray(ctx, REDISMODULE_POSTPONED_LEN);
    for (long long i = 0; i < n; i++) RedisModule_ReplyWithLongLong(ctx, i);
    RedisModule_ReplySetArrayLength(ctx, n);
    RedisModule_ReplyWithMap(ctx, REDISMODULE_POSTPONED_LEN);
    RedisModule_ReplyWithCString(ctx, "a");
    RedisModule_ReplyWithSet(ctx, REDISMODULE_POSTPONED_LEN);
    RedisModule_ReplyWithCString(ctx, "m");
    RedisModule_ReplySetSetLength(ctx, 1);
    RedisModule_ReplySetMapLength(ctx, 1);
    RedisModule_ReplySetArrayLength(ctx, 2);
    return REDISMODULE_OK;
}

static int t_attr(RedisModuleCtx *ctx, RedisModuleString **argv, int argc) {
    REDISMODULE_NOT_USED(argv);
    REDISMODULE_NOT_USED(argc);
    RedisModule_ReplyWithArray(ctx, 2);
    if (RedisModule_ReplyWithAttribute(ctx, 1) == REDISMODULE_OK) {
        RedisModule_ReplyWithCString(ctx, "meta");
        RedisModule_ReplyWithLongLong(ctx, 1);
        RedisModule_ReplyWithLongLong(ctx, 1); /* attribute accepted */
    } else {
        RedisModule_ReplyWithLongLong(ctx, 0); /* RESP2 refuses */
    }
    return RedisModule_ReplyWithCString(ctx, "value");
}

static int t_empty(RedisModuleCtx *ctx, RedisModuleString **argv, int argc) {
    REDISMODULE_NOT_USED(argv);
    REDISMODULE_NOT_USED(argc);
    RedisModule_ReplyWithArray(ctx, 4);
    RedisModule_ReplyWithEmptyArray(ctx);
    RedisModule_ReplyWithArray(ctx, 0);
    RedisModule_ReplyWithMap(ctx, 0);
    return RedisModule_ReplyWithSet(ctx, 0);
}

int RedisModule_OnLoad(RedisModuleCtx *ctx, RedisModuleString **argv, int argc) {
    REDISMODULE_NOT_USED(argv);
    REDISMODULE_NOT_USED(argc);
    if (RedisModule_Init(ctx, "test_replies", 1, REDISMODULE_APIVER_1) == REDISMODULE_ERR) return REDISMODULE_ERR;
    static const struct {
        const char *name;
        RedisModuleCmdFunc fn;
    } cmds[] = {
        {"trep.types", t_types}, {"trep.error", t_error}, {"trep.errnocode", t_errnocode},
        {"trep.errfmt", t_errfmt}, {"trep.arity", t_arity}, {"trep.postponed", t_postponed},
        {"trep.attr", t_attr}, {"trep.empty", t_empty},
    };
    for (size_t i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++) {
        if (RedisModule_CreateCommand(ctx, cmds[i].name, cmds[i].fn, "readonly", 0, 0, 0) == REDISMODULE_ERR)
            return REDISMODULE_ERR;
    }
    return REDISMODULE_OK;
}
