/*
 * test_keys.c - coverage module for the generic key API and the string key
 * API (StringSet, StringDMA, StringTruncate).
 *
 *   TKEYS.TYPE key          -> KeyType as a name ("empty" for a missing key)
 *   TKEYS.LEN key           -> ValueLength
 *   TKEYS.EXISTS key        -> KeyExists (-1 if the server lacks it)
 *   TKEYS.DEL key [ro]      -> DeleteKey (UnlinkKey with "unlink"), OK/ERR
 *   TKEYS.EXPIRE key ms     -> SetExpire, OK/ERR
 *   TKEYS.TTL key           -> GetExpire rounded up to seconds, -1 none
 *   TKEYS.EXPIREAT key ms   -> SetAbsExpire, OK/ERR
 *   TKEYS.ABSEXPIRE key     -> GetAbsExpire
 *   TKEYS.NAME key          -> [GetKeyNameFromModuleKey, GetDbIdFromModuleKey]
 *   TKEYS.RANDOM            -> RandomKey or null
 *   TKEYS.LRU key           -> [SetLRU(10s), GetLRU in s, GetLFU, SetLFU]
 *   TKEYS.SET key val       -> StringSet, OK/ERR
 *   TKEYS.DMA key           -> [len, bytes] read through StringDMA
 *   TKEYS.UPPER key         -> uppercases the string in place via DMA
 *   TKEYS.TRUNC key n       -> StringTruncate, OK/ERR
 *   TKEYS.SIGNAL key        -> SignalModifiedKey
 *   TKEYS.READY key         -> SignalKeyAsReady
 *   TKEYS.AM key            -> opens key twice under auto memory, never closes
 */
#include <ctype.h>
#include <string.h>

#include "redismodule.h"

static const char *type_name(int t) {
    static const char *names[] = {"empty", "string", "list", "hash", "set", "zset", "module", "stream"};
    return (t >= 0 && t <= 7) ? names[t] : "?";
}

static int ok_or_err(RedisModuleCtx *ctx, int r) {
    if (r == REDISMODULE_OK) return RedisModule_ReplyWithSimpleString(ctx, "OK");
    return RedisModule_ReplyWithError(ctx, "ERR failed");
}

static int t_type(RedisModuleCtx *ctx, RedisModuleString **argv, int argc) {
    if (argc != 2) return RedisModule_WrongArity(ctx);
    RedisModuleKey *k = RedisModule_OpenKey(ctx, argv[1], REDISMODULE_READ);
    int t = RedisModule_KeyType(k);
    RedisModule_CloseKey(k);
    return RedisModule_ReplyWithSimpleString(ctx, type_name(t));
}

static int t_len(RedisModuleCtx *ctx, RedisModuleString **argv, int argc) {
    if (argc != 2) return RedisModule_WrongArity(ctx);
    RedisModuleKey *k = RedisModule_OpenKey(ctx, argv[1], REDISMODULE_READ);
    long long n = RedisModule_ValueLength(k);
    RedisModule_CloseKey(k);
    return RedisModule_ReplyWithLongLong(ctx, n);
}

static int t_exists(RedisModuleCtx *ctx, RedisModuleString **argv, int argc) {
    if (argc != 2) return RedisModule_WrongArity(ctx);
    if (!RedisModule_KeyExists) return RedisModule_ReplyWithLongLong(ctx, -1);
    return RedisModule_ReplyWithLongLong(ctx, RedisModule_KeyExists(ctx, argv[1]));
}

static int t_del(RedisModuleCtx *ctx, RedisModuleString **argv, int argc) {
    if (argc != 2 && argc != 3) return RedisModule_WrongArity(ctx);
    const char *opt = argc == 3 ? RedisModule_StringPtrLen(argv[2], NULL) : "";
    int mode = strcmp(opt, "ro") == 0 ? REDISMODULE_READ : REDISMODULE_WRITE;
    RedisModuleKey *k = RedisModule_OpenKey(ctx, argv[1], mode);
    if (k == NULL) return RedisModule_ReplyWithNull(ctx);
    int r = strcmp(opt, "unlink") == 0 ? RedisModule_UnlinkKey(k) : RedisModule_DeleteKey(k);
    RedisModule_CloseKey(k);
    return ok_or_err(ctx, r);
}

static int t_expire(RedisModuleCtx *ctx, RedisModuleString **argv, int argc, int abs) {
    if (argc != 3) return RedisModule_WrongArity(ctx);
    long long ms;
    if (RedisModule_StringToLongLong(argv[2], &ms) != REDISMODULE_OK)
        return RedisModule_ReplyWithError(ctx, "ERR bad ms");
    RedisModuleKey *k = RedisModule_OpenKey(ctx, argv[1], REDISMODULE_WRITE);
    int r = abs ? RedisModule_SetAbsExpire(k, ms) : RedisModule_SetExpire(k, ms);
    RedisModule_CloseKey(k);
    return ok_or_err(ctx, r);
}

static int t_setexpire(RedisModuleCtx *ctx, RedisModuleString **argv, int argc) { return t_expire(ctx, argv, argc, 0); }
static int t_setabs(RedisModuleCtx *ctx, RedisModuleString **argv, int argc) { return t_expire(ctx, argv, argc, 1); }

static int t_ttl(RedisModuleCtx *ctx, RedisModuleString **argv, int argc) {
    if (argc != 2) return RedisModule_WrongArity(ctx);
    RedisModuleKey *k = RedisModule_OpenKey(ctx, argv[1], REDISMODULE_READ);
    mstime_t t = k ? RedisModule_GetExpire(k) : REDISMODULE_NO_EXPIRE;
    RedisModule_CloseKey(k);
    if (t == REDISMODULE_NO_EXPIRE) return RedisModule_ReplyWithLongLong(ctx, -1);
    return RedisModule_ReplyWithLongLong(ctx, (t + 999) / 1000);
}

static int t_absexpire(RedisModuleCtx *ctx, RedisModuleString **argv, int argc) {
    if (argc != 2) return RedisModule_WrongArity(ctx);
    RedisModuleKey *k = RedisModule_OpenKey(ctx, argv[1], REDISMODULE_READ);
    mstime_t t = k ? RedisModule_GetAbsExpire(k) : REDISMODULE_NO_EXPIRE;
    RedisModule_CloseKey(k);
    return RedisModule_ReplyWithLongLong(ctx, t);
}

static int t_name(RedisModuleCtx *ctx, RedisModuleString **argv, int argc) {
    if (argc != 2) return RedisModule_WrongArity(ctx);
    RedisModuleKey *k = RedisModule_OpenKey(ctx, argv[1], REDISMODULE_WRITE);
    RedisModule_ReplyWithArray(ctx, 2);
    RedisModule_ReplyWithString(ctx, (RedisModuleString *)RedisModule_GetKeyNameFromModuleKey(k));
    RedisModule_ReplyWithLongLong(ctx, RedisModule_GetDbIdFromModuleKey ? RedisModule_GetDbIdFromModuleKey(k) : -2);
    RedisModule_CloseKey(k);
    return REDISMODULE_OK;
}

static int t_random(RedisModuleCtx *ctx, RedisModuleString **argv, int argc) {
    REDISMODULE_NOT_USED(argv);
    if (argc != 1) return RedisModule_WrongArity(ctx);
    RedisModuleString *s = RedisModule_RandomKey(ctx);
    if (s == NULL) return RedisModule_ReplyWithNull(ctx);
    RedisModule_ReplyWithString(ctx, s);
    RedisModule_FreeString(ctx, s);
    return REDISMODULE_OK;
}

static int t_lru(RedisModuleCtx *ctx, RedisModuleString **argv, int argc) {
    if (argc != 2) return RedisModule_WrongArity(ctx);
    RedisModuleKey *k = RedisModule_OpenKey(ctx, argv[1], REDISMODULE_READ | REDISMODULE_OPEN_KEY_NOTOUCH);
    if (k == NULL) return RedisModule_ReplyWithNull(ctx);
    mstime_t idle = 0;
    long long freq = 0;
    RedisModule_ReplyWithArray(ctx, 4);
    RedisModule_ReplyWithLongLong(ctx, RedisModule_SetLRU(k, 10000));
    RedisModule_GetLRU(k, &idle);
    RedisModule_ReplyWithLongLong(ctx, idle / 1000);
    RedisModule_GetLFU(k, &freq);
    RedisModule_ReplyWithLongLong(ctx, freq);
    RedisModule_ReplyWithLongLong(ctx, RedisModule_SetLFU(k, 5));
    RedisModule_CloseKey(k);
    return REDISMODULE_OK;
}

static int t_set(RedisModuleCtx *ctx, RedisModuleString **argv, int argc) {
    if (argc != 3) return RedisModule_WrongArity(ctx);
    RedisModuleKey *k = RedisModule_OpenKey(ctx, argv[1], REDISMODULE_WRITE);
    int r = RedisModule_StringSet(k, argv[2]);
    RedisModule_CloseKey(k);
    return ok_or_err(ctx, r);
}

static int t_dma(RedisModuleCtx *ctx, RedisModuleString **argv, int argc) {
    if (argc != 2) return RedisModule_WrongArity(ctx);
    RedisModuleKey *k = RedisModule_OpenKey(ctx, argv[1], REDISMODULE_READ | REDISMODULE_WRITE);
    size_t len = 0;
    char *p = RedisModule_StringDMA(k, &len, REDISMODULE_READ);
    if (p == NULL) {
        RedisModule_CloseKey(k);
        return RedisModule_ReplyWithError(ctx, "ERR wrong type");
    }
    RedisModule_ReplyWithArray(ctx, 2);
    RedisModule_ReplyWithLongLong(ctx, len);
    RedisModule_ReplyWithStringBuffer(ctx, p, len);
    RedisModule_CloseKey(k);
    return REDISMODULE_OK;
}

static int t_upper(RedisModuleCtx *ctx, RedisModuleString **argv, int argc) {
    if (argc != 2) return RedisModule_WrongArity(ctx);
    RedisModuleKey *k = RedisModule_OpenKey(ctx, argv[1], REDISMODULE_WRITE);
    size_t len = 0;
    char *p = RedisModule_StringDMA(k, &len, REDISMODULE_WRITE);
    if (p == NULL) {
        RedisModule_CloseKey(k);
        return RedisModule_ReplyWithError(ctx, "ERR wrong type");
    }
    for (size_t i = 0; i < len; i++) p[i] = toupper((unsigned char)p[i]);
    RedisModule_CloseKey(k);
    return RedisModule_ReplyWithLongLong(ctx, len);
}

static int t_trunc(RedisModuleCtx *ctx, RedisModuleString **argv, int argc) {
    if (argc != 3) return RedisModule_WrongArity(ctx);
    long long n;
    if (RedisModule_StringToLongLong(argv[2], &n) != REDISMODULE_OK)
        return RedisModule_ReplyWithError(ctx, "ERR bad length");
    RedisModuleKey *k = RedisModule_OpenKey(ctx, argv[1], REDISMODULE_WRITE);
    int r = RedisModule_StringTruncate(k, (size_t)n);
    RedisModule_CloseKey(k);
    return ok_or_err(ctx, r);
}

static int t_signal(RedisModuleCtx *ctx, RedisModuleString **argv, int argc) {
    if (argc != 2) return RedisModule_WrongArity(ctx);
    return ok_or_err(ctx, RedisModule_SignalModifiedKey(ctx, argv[1]));
}

static int t_ready(RedisModuleCtx *ctx, RedisModuleString **argv, int argc) {
    if (argc != 2) return RedisModule_WrongArity(ctx);
    RedisModule_SignalKeyAsReady(ctx, argv[1]);
    return RedisModule_ReplyWithSimpleString(ctx, "OK");
}

static int t_am(RedisModuleCtx *ctx, RedisModuleString **argv, int argc) {
    if (argc != 2) return RedisModule_WrongArity(ctx);
    RedisModule_AutoMemory(ctx);
    RedisModuleKey *a = RedisModule_OpenKey(ctx, argv[1], REDISMODULE_WRITE);
    RedisModuleKey *b = RedisModule_OpenKey(ctx, argv[1], REDISMODULE_READ);
    RedisModule_StringSet(a, argv[1]);
    return RedisModule_ReplyWithLongLong(ctx, RedisModule_ValueLength(b));
}

int RedisModule_OnLoad(RedisModuleCtx *ctx, RedisModuleString **argv, int argc) {
    REDISMODULE_NOT_USED(argv);
    REDISMODULE_NOT_USED(argc);
    if (RedisModule_Init(ctx, "tkeys", 1, REDISMODULE_APIVER_1) == REDISMODULE_ERR) return REDISMODULE_ERR;
    struct { const char *name; RedisModuleCmdFunc fn; const char *flags; int first; } cmds[] = {
        {"tkeys.type", t_type, "readonly", 1},      {"tkeys.len", t_len, "readonly", 1},
        {"tkeys.exists", t_exists, "readonly", 1},  {"tkeys.del", t_del, "write", 1},
        {"tkeys.expire", t_setexpire, "write", 1},  {"tkeys.ttl", t_ttl, "readonly", 1},
        {"tkeys.expireat", t_setabs, "write", 1},   {"tkeys.absexpire", t_absexpire, "readonly", 1},
        {"tkeys.name", t_name, "write", 1},         {"tkeys.random", t_random, "readonly", 0},
        {"tkeys.lru", t_lru, "readonly", 1},        {"tkeys.set", t_set, "write", 1},
        {"tkeys.dma", t_dma, "readonly", 1},        {"tkeys.upper", t_upper, "write", 1},
        {"tkeys.trunc", t_trunc, "write", 1},       {"tkeys.signal", t_signal, "write", 1},
        {"tkeys.ready", t_ready, "write", 1},       {"tkeys.am", t_am, "write", 1},
    };
    for (size_t i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++) {
        int f = cmds[i].first;
        if (RedisModule_CreateCommand(ctx, cmds[i].name, cmds[i].fn, cmds[i].flags, f, f, f) == REDISMODULE_ERR)
            return REDISMODULE_ERR;
    }
    return REDISMODULE_OK;
}
