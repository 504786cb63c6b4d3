/*
 * test_dict.c - coverage module for the Dict API, on one dictionary kept
 * for the module's lifetime. Values are the module's own strings.
 *
 *   TDICT.SET k v / TDICT.REPLACE k v  -> OK or ERR (key exists / replaced)
 *   TDICT.GET k                        -> value, or null when absent
 *   TDICT.DEL k                        -> old value or ERR
 *   TDICT.SIZE                         -> DictSize
 *   TDICT.ITER op key next|prev count  -> keys walked from the seek
 *   TDICT.ITERC op key next|prev count -> the same with the C variants
 *   TDICT.RESEEK op1 k1 op2 k2         -> [first after op1, reseek ok, first after op2]
 *   TDICT.CMP op key [op2 key2]        -> DictCompare results after "^" + Next
 *   TDICT.AM n                         -> size of an auto-memory dict of n keys
 */
#include <stdlib.h>
#include <string.h>

#include "redismodule.h"

static RedisModuleDict *dict;

static int t_put(RedisModuleCtx *ctx, RedisModuleString **argv, int argc, int replace) {
    if (argc != 3) return RedisModule_WrongArity(ctx);
    RedisModuleString *v = RedisModule_CreateStringFromString(NULL, argv[2]);
    void *old = RedisModule_DictGet(dict, argv[1], NULL);
    int r = replace ? RedisModule_DictReplace(dict, argv[1], v) : RedisModule_DictSet(dict, argv[1], v);
    if (replace && old) RedisModule_FreeString(NULL, old);
    if (!replace && r != REDISMODULE_OK) RedisModule_FreeString(NULL, v);
    if (r == REDISMODULE_OK) return RedisModule_ReplyWithSimpleString(ctx, "OK");
    return RedisModule_ReplyWithError(ctx, "ERR not stored");
}

static int t_set(RedisModuleCtx *ctx, RedisModuleString **argv, int argc) { return t_put(ctx, argv, argc, 0); }
static int t_replace(RedisModuleCtx *ctx, RedisModuleString **argv, int argc) { return t_put(ctx, argv, argc, 1); }

static int t_get(RedisModuleCtx *ctx, RedisModuleString **argv, int argc) {
    if (argc != 2) return RedisModule_WrongArity(ctx);
    int nokey = -1;
    RedisModuleString *v = RedisModule_DictGet(dict, argv[1], &nokey);
    if (nokey) return RedisModule_ReplyWithNull(ctx);
    return RedisModule_ReplyWithString(ctx, v);
}

static int t_del(RedisModuleCtx *ctx, RedisModuleString **argv, int argc) {
    if (argc != 2) return RedisModule_WrongArity(ctx);
    RedisModuleString *old = NULL;
    if (RedisModule_DictDel(dict, argv[1], &old) != REDISMODULE_OK)
        return RedisModule_ReplyWithError(ctx, "ERR no such key");
    RedisModule_ReplyWithString(ctx, old);
    RedisModule_FreeString(NULL, old);
    return REDISMODULE_OK;
}

static int t_size(RedisModuleCtx *ctx, RedisModuleString **argv, int argc) {
    REDISMODULE_NOT_USED(argv);
    if (argc != 1) return RedisModule_WrongArity(ctx);
    return RedisModule_ReplyWithLongLong(ctx, (long long)RedisModule_DictSize(dict));
}

static int t_iter_any(RedisModuleCtx *ctx, RedisModuleString **argv, int argc, int cvariant) {
    if (argc != 5) return RedisModule_WrongArity(ctx);
    RedisModule_AutoMemory(ctx);
    const char *op = RedisModule_StringPtrLen(argv[1], NULL);
    int prev = strcmp(RedisModule_StringPtrLen(argv[3], NULL), "prev") == 0;
    long long count;
    RedisModule_StringToLongLong(argv[4], &count);
    RedisModuleDictIter *it;
    if (cvariant) {
        size_t len;
        const char *k = RedisModule_StringPtrLen(argv[2], &len);
        it = RedisModule_DictIteratorStartC(dict, op, (void *)k, len);
    } else {
        it = RedisModule_DictIteratorStart(dict, op, argv[2]);
    }
    RedisModule_ReplyWithArray(ctx, REDISMODULE_POSTPONED_LEN);
    long n = 0;
    for (; n < count; n++) {
        void *val = NULL;
        if (cvariant) {
            size_t len;
            char *k = prev ? RedisModule_DictPrevC(it, &len, &val) : RedisModule_DictNextC(it, &len, &val);
            if (k == NULL) break;
            RedisModule_ReplyWithStringBuffer(ctx, k, len);
        } else {
            RedisModuleString *k = prev ? RedisModule_DictPrev(ctx, it, &val) : RedisModule_DictNext(ctx, it, &val);
            if (k == NULL) break;
            RedisModule_ReplyWithString(ctx, k);
        }
    }
    RedisModule_ReplySetArrayLength(ctx, n);
    RedisModule_DictIteratorStop(it);
    return REDISMODULE_OK;
}

static int t_iter(RedisModuleCtx *ctx, RedisModuleString **argv, int argc) { return t_iter_any(ctx, argv, argc, 0); }
static int t_iterc(RedisModuleCtx *ctx, RedisModuleString **argv, int argc) { return t_iter_any(ctx, argv, argc, 1); }

static void reply_next(RedisModuleCtx *ctx, RedisModuleDictIter *it) {
    RedisModuleString *k = RedisModule_DictNext(ctx, it, NULL);
    if (k) RedisModule_ReplyWithString(ctx, k);
    else RedisModule_ReplyWithNull(ctx);
}

static int t_reseek(RedisModuleCtx *ctx, RedisModuleString **argv, int argc) {
    if (argc != 5) return RedisModule_WrongArity(ctx);
    RedisModule_AutoMemory(ctx);
    RedisModuleDictIter *it = RedisModule_DictIteratorStart(dict, RedisModule_StringPtrLen(argv[1], NULL), argv[2]);
    RedisModule_ReplyWithArray(ctx, 3);
    reply_next(ctx, it);
    RedisModule_ReplyWithLongLong(ctx, RedisModule_DictIteratorReseek(it, RedisModule_StringPtrLen(argv[3], NULL), argv[4]) == REDISMODULE_OK);
    reply_next(ctx, it);
    RedisModule_DictIteratorStop(it);
    return REDISMODULE_OK;
}

static int t_cmp(RedisModuleCtx *ctx, RedisModuleString **argv, int argc) {
    if (argc != 3 && argc != 5) return RedisModule_WrongArity(ctx);
    RedisModuleDictIter *it = RedisModule_DictIteratorStartC(dict, "^", NULL, 0);
    RedisModule_ReplyWithArray(ctx, 3);
    RedisModule_ReplyWithLongLong(ctx, RedisModule_DictCompare(it, RedisModule_StringPtrLen(argv[1], NULL), argv[2]) == REDISMODULE_OK);
    RedisModule_DictNextC(it, NULL, NULL);
    RedisModule_ReplyWithLongLong(ctx, RedisModule_DictCompare(it, RedisModule_StringPtrLen(argv[1], NULL), argv[2]) == REDISMODULE_OK);
    if (argc == 5) {
        size_t len;
        const char *k = RedisModule_StringPtrLen(argv[4], &len);
        RedisModule_ReplyWithLongLong(ctx, RedisModule_DictCompareC(it, RedisModule_StringPtrLen(argv[3], NULL), (void *)k, len) == REDISMODULE_OK);
    } else {
        RedisModule_ReplyWithNull(ctx);
    }
    RedisModule_DictIteratorStop(it);
    return REDISMODULE_OK;
}

static int t_am(RedisModuleCtx *ctx, RedisModuleString **argv, int argc) {
    if (argc != 2) return RedisModule_WrongArity(ctx);
    RedisModule_AutoMemory(ctx);
    long long n;
    RedisModule_StringToLongLong(argv[1], &n);
    RedisModuleDict *d = RedisModule_CreateDict(ctx);
    for (long long i = 0; i < n; i++) {
        char k[32];
        int len = snprintf(k, sizeof(k), "k%lld", i % 7);
        RedisModule_DictReplaceC(d, k, len, NULL);
    }
    return RedisModule_ReplyWithLongLong(ctx, (long long)RedisModule_DictSize(d));
}

int RedisModule_OnLoad(RedisModuleCtx *ctx, RedisModuleString **argv, int argc) {
    REDISMODULE_NOT_USED(argv);
    REDISMODULE_NOT_USED(argc);
    if (RedisModule_Init(ctx, "tdict", 1, REDISMODULE_APIVER_1) == REDISMODULE_ERR) return REDISMODULE_ERR;
    dict = RedisModule_CreateDict(NULL);
    struct { const char *name; RedisModuleCmdFunc fn; } cmds[] = {
        {"tdict.set", t_set},     {"tdict.replace", t_replace}, {"tdict.get", t_get},
        {"tdict.del", t_del},     {"tdict.size", t_size},       {"tdict.iter", t_iter},
        {"tdict.iterc", t_iterc}, {"tdict.reseek", t_reseek},   {"tdict.cmp", t_cmp},
        {"tdict.am", t_am},
    };
    for (size_t i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++)
        if (RedisModule_CreateCommand(ctx, cmds[i].name, cmds[i].fn, "", 0, 0, 0) == REDISMODULE_ERR)
            return REDISMODULE_ERR;
    return REDISMODULE_OK;
}
