/*
 * test_strings.c - coverage module for the "String objects APIs".
 *
 * Each command checks one function's contract and replies with what it
 * observed, so that the same script gives the same replies on Redis and
 * on modhost.
 *
 *   TSTR.LL s / TSTR.ULL s / TSTR.DOUBLE s / TSTR.LD s / TSTR.STREAMID s
 *       -> [ok(1|0), value or null] (StringTo*)
 *   TSTR.FROMLL n / TSTR.FROMULL n / TSTR.FROMDOUBLE d / TSTR.FROMLD d human
 *       -> the created string (CreateStringFrom*)
 *   TSTR.PRINTF word n      -> CreateStringPrintf("%s|%d|%.2f|%05d", ...)
 *   TSTR.COMPARE a b        -> sign of StringCompare (-1, 0, 1)
 *   TSTR.APPEND             -> [append ok, append on shared refused, text]
 *   TSTR.AUTOMEM            -> strings under AutoMemory, retained and held
 *   TSTR.KEEP s / TSTR.KEPT -> RetainString an argv string, read it later
 *   TSTR.NULLPTR            -> StringPtrLen(NULL)
 */
#include <stdlib.h>
#include <string.h>

#include "redismodule.h"

static RedisModuleString *kept;

static int reply_ok(RedisModuleCtx *ctx, int ok) {
    RedisModule_ReplyWithArray(ctx, 2);
    return RedisModule_ReplyWithLongLong(ctx, ok == REDISMODULE_OK);
}

static int t_ll(RedisModuleCtx *ctx, RedisModuleString **argv, int argc) {
    if (argc != 2) return RedisModule_WrongArity(ctx);
    long long v = 0;
    int rc = RedisModule_StringToLongLong(argv[1], &v);
    reply_ok(ctx, rc);
    return rc == REDISMODULE_OK ? RedisModule_ReplyWithLongLong(ctx, v) : RedisModule_ReplyWithNull(ctx);
}

static int t_ull(RedisModuleCtx *ctx, RedisModuleString **argv, int argc) {
    if (argc != 2) return RedisModule_WrongArity(ctx);
    if (!RMAPI_FUNC_SUPPORTED(RedisModule_StringToULongLong)) return RedisModule_ReplyWithError(ctx, "ERR unsupported");
    unsigned long long v = 0;
    int rc = RedisModule_StringToULongLong(argv[1], &v);
    reply_ok(ctx, rc);
    if (rc != REDISMODULE_OK) return RedisModule_ReplyWithNull(ctx);
    RedisModuleString *s = RedisModule_CreateStringFromULongLong(ctx, v);
    RedisModule_ReplyWithString(ctx, s);
    RedisModule_FreeString(ctx, s);
    return REDISMODULE_OK;
}

static int t_double(RedisModuleCtx *ctx, RedisModuleString **argv, int argc) {
    if (argc != 2) return RedisModule_WrongArity(ctx);
    double v = 0;
    int rc = RedisModule_StringToDouble(argv[1], &v);
    reply_ok(ctx, rc);
    return rc == REDISMODULE_OK ? RedisModule_ReplyWithDouble(ctx, v) : RedisModule_ReplyWithNull(ctx);
}

static int t_ld(RedisModuleCtx *ctx, RedisModuleString **argv, int argc) {
    if (argc != 2) return RedisModule_WrongArity(ctx);
    long double v = 0;
    int rc = RedisModule_StringToLongDouble(argv[1], &v);
    reply_ok(ctx, rc);
    return rc == REDISMODULE_OK ? RedisModule_ReplyWithLongDouble(ctx, v) : RedisModule_ReplyWithNull(ctx);
}

static int t_streamid(RedisModuleCtx *ctx, RedisModuleString **argv, int argc) {
    if (argc != 2) return RedisModule_WrongArity(ctx);
    RedisModuleStreamID id = {0, 0};
    int rc = RedisModule_StringToStreamID(argv[1], &id);
    reply_ok(ctx, rc);
    if (rc != REDISMODULE_OK) return RedisModule_ReplyWithNull(ctx);
    RedisModuleString *s = RedisModule_CreateStringFromStreamID(ctx, &id);
    RedisModule_ReplyWithString(ctx, s);
    RedisModule_FreeString(ctx, s);
    return REDISMODULE_OK;
}

static int t_fromll(RedisModuleCtx *ctx, RedisModuleString **argv, int argc) {
    if (argc != 2) return RedisModule_WrongArity(ctx);
    long long v;
    if (RedisModule_StringToLongLong(argv[1], &v) != REDISMODULE_OK) return RedisModule_ReplyWithError(ctx, "ERR not an integer");
    RedisModuleString *s = RedisModule_CreateStringFromLongLong(NULL, v);
    RedisModule_ReplyWithString(ctx, s);
    RedisModule_FreeString(NULL, s);
    return REDISMODULE_OK;
}

static int t_fromull(RedisModuleCtx *ctx, RedisModuleString **argv, int argc) {
    if (argc != 2) return RedisModule_WrongArity(ctx);
    const char *p = RedisModule_StringPtrLen(argv[1], NULL);
    RedisModuleString *s = RedisModule_CreateStringFromULongLong(NULL, strtoull(p, NULL, 10));
    RedisModule_ReplyWithString(ctx, s);
    RedisModule_FreeString(NULL, s);
    return REDISMODULE_OK;
}

static int t_fromdouble(RedisModuleCtx *ctx, RedisModuleString **argv, int argc) {
    if (argc != 2) return RedisModule_WrongArity(ctx);
    double d;
    if (RedisModule_StringToDouble(argv[1], &d) != REDISMODULE_OK) return RedisModule_ReplyWithError(ctx, "ERR not a double");
    RedisModuleString *s = RedisModule_CreateStringFromDouble(ctx, d);
    RedisModule_ReplyWithString(ctx, s);
    RedisModule_FreeString(ctx, s);
    return REDISMODULE_OK;
}

static int t_fromld(RedisModuleCtx *ctx, RedisModuleString **argv, int argc) {
    if (argc != 3) return RedisModule_WrongArity(ctx);
    long double d;
    long long human;
    if (RedisModule_StringToLongDouble(argv[1], &d) != REDISMODULE_OK ||
        RedisModule_StringToLongLong(argv[2], &human) != REDISMODULE_OK)
        return RedisModule_ReplyWithError(ctx, "ERR bad arguments");
    RedisModuleString *s = RedisModule_CreateStringFromLongDouble(ctx, d, (int)human);
    RedisModule_ReplyWithString(ctx, s);
    RedisModule_FreeString(ctx, s);
    return REDISMODULE_OK;
}

static int t_printf(RedisModuleCtx *ctx, RedisModuleString **argv, int argc) {
    if (argc != 3) return RedisModule_WrongArity(ctx);
    long long n;
    if (RedisModule_StringToLongLong(argv[2], &n) != REDISMODULE_OK) return RedisModule_ReplyWithError(ctx, "ERR not an integer");
    const char *w = RedisModule_StringPtrLen(argv[1], NULL);
    RedisModuleString *s = RedisModule_CreateStringPrintf(ctx, "%s|%d|%.2f|%05d", w, (int)n, 1.5, (int)n);
    RedisModule_ReplyWithString(ctx, s);
    RedisModule_FreeString(ctx, s);
    return REDISMODULE_OK;
}

static int t_compare(RedisModuleCtx *ctx, RedisModuleString **argv, int argc) {
    if (argc != 3) return RedisModule_WrongArity(ctx);
    int c = RedisModule_StringCompare(argv[1], argv[2]);
    return RedisModule_ReplyWithLongLong(ctx, c < 0 ? -1 : c > 0);
}

static int t_append(RedisModuleCtx *ctx, RedisModuleString **argv, int argc) {
    REDISMODULE_NOT_USED(argv);
    if (argc != 1) return RedisModule_WrongArity(ctx);
    RedisModuleString *s = RedisModule_CreateString(NULL, "ab", 2);
    int a = RedisModule_StringAppendBuffer(NULL, s, "cd", 2);
    RedisModule_RetainString(NULL, s);
    int b = RedisModule_StringAppendBuffer(NULL, s, "x", 1);
    RedisModule_FreeString(NULL, s);
    int c = RedisModule_StringAppendBuffer(NULL, s, "ef", 2);
    if (RMAPI_FUNC_SUPPORTED(RedisModule_TrimStringAllocation)) RedisModule_TrimStringAllocation(s);
    RedisModule_ReplyWithArray(ctx, 4);
    RedisModule_ReplyWithLongLong(ctx, a == REDISMODULE_OK);
    RedisModule_ReplyWithLongLong(ctx, b == REDISMODULE_ERR);
    RedisModule_ReplyWithLongLong(ctx, c == REDISMODULE_OK);
    RedisModule_ReplyWithString(ctx, s);
    RedisModule_FreeString(NULL, s);
    return REDISMODULE_OK;
}

static int t_automem(RedisModuleCtx *ctx, RedisModuleString **argv, int argc) {
    REDISMODULE_NOT_USED(argv);
    if (argc != 1) return RedisModule_WrongArity(ctx);
    RedisModule_AutoMemory(ctx);
    RedisModuleString *a = RedisModule_CreateString(ctx, "a", 1);
    RedisModuleString *b = RedisModule_CreateStringFromLongLong(ctx, 7);
    RedisModuleString *c = RedisModule_CreateStringPrintf(ctx, "c%d", 3);
    RedisModule_RetainString(ctx, b); /* leaves the auto queue: refcount 1 */
    int appended = RedisModule_StringAppendBuffer(ctx, b, "!", 1) == REDISMODULE_OK;
    RedisModuleString *h = RedisModule_HoldString(ctx, a);
    RedisModule_FreeString(ctx, c);
    RedisModule_ReplyWithArray(ctx, 4);
    RedisModule_ReplyWithLongLong(ctx, appended);
    RedisModule_ReplyWithLongLong(ctx, h == a);
    RedisModule_ReplyWithString(ctx, h);
    RedisModule_ReplyWithString(ctx, b);
    RedisModule_FreeString(NULL, b); /* retained: ours to free */
    return REDISMODULE_OK;
}

static int t_keep(RedisModuleCtx *ctx, RedisModuleString **argv, int argc) {
    if (argc != 2) return RedisModule_WrongArity(ctx);
    if (kept) RedisModule_FreeString(NULL, kept);
    RedisModule_RetainString(NULL, argv[1]);
    kept = argv[1];
    return RedisModule_ReplyWithSimpleString(ctx, "OK");
}

static int t_kept(RedisModuleCtx *ctx, RedisModuleString **argv, int argc) {
    REDISMODULE_NOT_USED(argv);
    if (argc != 1) return RedisModule_WrongArity(ctx);
    return kept ? RedisModule_ReplyWithString(ctx, kept) : RedisModule_ReplyWithNull(ctx);
}

static int t_nullptr(RedisModuleCtx *ctx, RedisModuleString **argv, int argc) {
    REDISMODULE_NOT_USED(argv);
    if (argc != 1) return RedisModule_WrongArity(ctx);
    size_t len = 0;
    const char *p = RedisModule_StringPtrLen(NULL, &len);
    return RedisModule_ReplyWithStringBuffer(ctx, p, len);
}

int RedisModule_OnLoad(RedisModuleCtx *ctx, RedisModuleString **argv, int argc) {
    REDISMODULE_NOT_USED(argv);
    REDISMODULE_NOT_USED(argc);
    if (RedisModule_Init(ctx, "test_strings", 1, REDISMODULE_APIVER_1) == REDISMODULE_ERR) return REDISMODULE_ERR;
    static const struct {
        const char *name;
        RedisModuleCmdFunc fn;
    } cmds[] = {
        {"tstr.ll", t_ll}, {"tstr.ull", t_ull}, {"tstr.double", t_double}, {"tstr.ld", t_ld},
        {"tstr.streamid", t_streamid}, {"tstr.fromll", t_fromll}, {"tstr.fromull", t_fromull},
        {"tstr.fromdouble", t_fromdouble}, {"tstr.fromld", t_fromld}, {"tstr.printf", t_printf},
        {"tstr.compare", t_compare}, {"tstr.append", t_append}, {"tstr.automem", t_automem},
        {"tstr.keep", t_keep}, {"tstr.kept", t_kept}, {"tstr.nullptr", t_nullptr},
    };
    for (size_t i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++) {
        if (RedisModule_CreateCommand(ctx, cmds[i].name, cmds[i].fn, "readonly", 0, 0, 0) == REDISMODULE_ERR)
            return REDISMODULE_ERR;
    }
    return REDISMODULE_OK;
}
