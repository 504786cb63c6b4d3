/*
 * test_hash.c - coverage module for HashSet/HashGet and their flags.
 *
 *   THASH.SET key flags f v [f v [f v]]  -> [count, errno name]; flags is a
 *                                         word of n (NX) x (XX) c (CFIELDS)
 *                                         a (COUNT_ALL) or "-"; v "-" is
 *                                         REDISMODULE_HASH_DELETE
 *   THASH.SETRO key f v                 -> HashSet through a READ handle
 *   THASH.GET key flags f [f [f]]       -> values (nil when missing), or
 *                                         0/1 with e (EXISTS) in flags
 *   THASH.BADFLAGS key                  -> [count, errno] for EXISTS in set
 */
#include <errno.h>
#include <string.h>

#include "redismodule.h"

static const char *errname(int e) {
    switch (e) {
    case 0: return "0";
    case EINVAL: return "EINVAL";
    case ENOTSUP: return "ENOTSUP";
    case EBADF: return "EBADF";
    case ENOENT: return "ENOENT";
    default: return "E?";
    }
}

static int parse_flags(RedisModuleString *s) {
    const char *p = RedisModule_StringPtrLen(s, NULL);
    int f = 0;
    for (; *p; p++) {
        if (*p == 'n') f |= REDISMODULE_HASH_NX;
        if (*p == 'x') f |= REDISMODULE_HASH_XX;
        if (*p == 'c') f |= REDISMODULE_HASH_CFIELDS;
        if (*p == 'a') f |= REDISMODULE_HASH_COUNT_ALL;
        if (*p == 'e') f |= REDISMODULE_HASH_EXISTS;
    }
    return f;
}

/* A field argument as the flags want it: C string or module string. */
static void *field(RedisModuleString *s, int flags) {
    return (flags & REDISMODULE_HASH_CFIELDS) ? (void *)RedisModule_StringPtrLen(s, NULL) : (void *)s;
}

static RedisModuleString *value(RedisModuleString *s) {
    size_t len;
    const char *p = RedisModule_StringPtrLen(s, &len);
    return (len == 1 && p[0] == '-') ? REDISMODULE_HASH_DELETE : s;
}

static int hset(RedisModuleKey *k, int fl, RedisModuleString **a, int pairs) {
    switch (pairs) {
    case 1: return RedisModule_HashSet(k, fl, field(a[0], fl), value(a[1]), NULL);
    case 2: return RedisModule_HashSet(k, fl, field(a[0], fl), value(a[1]), field(a[2], fl), value(a[3]), NULL);
    default:
        return RedisModule_HashSet(k, fl, field(a[0], fl), value(a[1]), field(a[2], fl), value(a[3]),
                                   field(a[4], fl), value(a[5]), NULL);
    }
}

static int reply_count(RedisModuleCtx *ctx, int n) {
    RedisModule_ReplyWithArray(ctx, 2);
    RedisModule_ReplyWithLongLong(ctx, n);
    return RedisModule_ReplyWithSimpleString(ctx, n == 0 ? errname(errno) : "0");
}

static int t_set(RedisModuleCtx *ctx, RedisModuleString **argv, int argc) {
    if (argc < 5 || argc > 9 || (argc - 3) % 2) return RedisModule_WrongArity(ctx);
    int fl = parse_flags(argv[2]);
    RedisModuleKey *k = RedisModule_OpenKey(ctx, argv[1], REDISMODULE_WRITE);
    errno = 0;
    int n = hset(k, fl, argv + 3, (argc - 3) / 2);
    RedisModule_CloseKey(k);
    return reply_count(ctx, n);
}

static int t_setro(RedisModuleCtx *ctx, RedisModuleString **argv, int argc) {
    if (argc != 4) return RedisModule_WrongArity(ctx);
    RedisModuleKey *k = RedisModule_OpenKey(ctx, argv[1], REDISMODULE_READ);
    if (k == NULL) return RedisModule_ReplyWithNull(ctx);
    errno = 0;
    int n = RedisModule_HashSet(k, REDISMODULE_HASH_NONE, argv[2], argv[3], NULL);
    RedisModule_CloseKey(k);
    return reply_count(ctx, n);
}

static int t_badflags(RedisModuleCtx *ctx, RedisModuleString **argv, int argc) {
    if (argc != 2) return RedisModule_WrongArity(ctx);
    RedisModuleKey *k = RedisModule_OpenKey(ctx, argv[1], REDISMODULE_WRITE);
    errno = 0;
    int n = RedisModule_HashSet(k, REDISMODULE_HASH_EXISTS, argv[1], argv[1], NULL);
    RedisModule_CloseKey(k);
    return reply_count(ctx, n);
}

static int t_get(RedisModuleCtx *ctx, RedisModuleString **argv, int argc) {
    if (argc < 4 || argc > 6) return RedisModule_WrongArity(ctx);
    RedisModule_AutoMemory(ctx);
    int fl = parse_flags(argv[2]);
    int nf = argc - 3;
    RedisModuleKey *k = RedisModule_OpenKey(ctx, argv[1], REDISMODULE_READ | REDISMODULE_WRITE);
    RedisModuleString *v[3] = {NULL, NULL, NULL};
    int ex[3] = {-1, -1, -1};
    void *o[3];
    for (int i = 0; i < 3; i++) o[i] = (fl & REDISMODULE_HASH_EXISTS) ? (void *)&ex[i] : (void *)&v[i];
    int r;
    if (nf == 1)
        r = RedisModule_HashGet(k, fl, field(argv[3], fl), o[0], NULL);
    else if (nf == 2)
        r = RedisModule_HashGet(k, fl, field(argv[3], fl), o[0], field(argv[4], fl), o[1], NULL);
    else
        r = RedisModule_HashGet(k, fl, field(argv[3], fl), o[0], field(argv[4], fl), o[1], field(argv[5], fl), o[2], NULL);
    if (r != REDISMODULE_OK) return RedisModule_ReplyWithError(ctx, "ERR HashGet failed");
    RedisModule_ReplyWithArray(ctx, nf);
    for (int i = 0; i < nf; i++) {
        if (fl & REDISMODULE_HASH_EXISTS)
            RedisModule_ReplyWithLongLong(ctx, ex[i]);
        else if (v[i] == NULL)
            RedisModule_ReplyWithNull(ctx);
        else
            RedisModule_ReplyWithString(ctx, v[i]);
    }
    return REDISMODULE_OK;
}

int RedisModule_OnLoad(RedisModuleCtx *ctx, RedisModuleString **argv, int argc) {
    REDISMODULE_NOT_USED(argv);
    REDISMODULE_NOT_USED(argc);
    if (RedisModule_Init(ctx, "thash", 1, REDISMODULE_APIVER_1) == REDISMODULE_ERR) return REDISMODULE_ERR;
    if (RedisModule_CreateCommand(ctx, "thash.set", t_set, "write", 1, 1, 1) == REDISMODULE_ERR ||
        RedisModule_CreateCommand(ctx, "thash.setro", t_setro, "write", 1, 1, 1) == REDISMODULE_ERR ||
        RedisModule_CreateCommand(ctx, "thash.badflags", t_badflags, "write", 1, 1, 1) == REDISMODULE_ERR ||
        RedisModule_CreateCommand(ctx, "thash.get", t_get, "write", 1, 1, 1) == REDISMODULE_ERR)
        return REDISMODULE_ERR;
    return REDISMODULE_OK;
}
