/*
 * test_list.c - coverage module for the list key API and its errno
 * contract. Failures reply "ERR <errno name>".
 *
 *   TLIST.PUSH key head|tail ele...  -> ValueLength after the pushes
 *   TLIST.PUSHRO key ele             -> push through a READ-only handle
 *   TLIST.POP key head|tail          -> the element
 *   TLIST.GET key index              -> ListGet (READ handle)
 *   TLIST.REVALL key                 -> every element by ListGet, tail first
 *   TLIST.SETGET key index value     -> ListGet around ListSet and a Call LSET
 *   TLIST.SET key index ele          -> OK
 *   TLIST.INSERT key index ele       -> OK
 *   TLIST.DELETE key index           -> OK
 *   TLIST.GETALL key                 -> every element by index
 *   TLIST.EINVAL key                 -> errno names for NULL key / ele
 */
#include <errno.h>
#include <string.h>
#include <strings.h>

#include "redismodule.h"

static const char *errname(int e) {
    switch (e) {
    case EINVAL: return "EINVAL";
    case ENOTSUP: return "ENOTSUP";
    case EBADF: return "EBADF";
    case EDOM: return "EDOM";
    case ENOENT: return "ENOENT";
    default: return "E?";
    }
}

static int reply_errno(RedisModuleCtx *ctx) {
    char buf[64];
    strcpy(buf, "ERR ");
    strcat(buf, errname(errno));
    return RedisModule_ReplyWithError(ctx, buf);
}

static int where_of(RedisModuleString *s) {
    return strcasecmp(RedisModule_StringPtrLen(s, NULL), "head") == 0 ? REDISMODULE_LIST_HEAD
                                                                      : REDISMODULE_LIST_TAIL;
}

static int t_push(RedisModuleCtx *ctx, RedisModuleString **argv, int argc) {
    if (argc < 4) return RedisModule_WrongArity(ctx);
    RedisModuleKey *k = RedisModule_OpenKey(ctx, argv[1], REDISMODULE_WRITE);
    for (int i = 3; i < argc; i++) {
        errno = 0;
        if (RedisModule_ListPush(k, where_of(argv[2]), argv[i]) != REDISMODULE_OK) {
            RedisModule_CloseKey(k);
            return reply_errno(ctx);
        }
    }
    long long n = RedisModule_ValueLength(k);
    RedisModule_CloseKey(k);
    return RedisModule_ReplyWithLongLong(ctx, n);
}

static int t_pushro(RedisModuleCtx *ctx, RedisModuleString **argv, int argc) {
    if (argc != 3) return RedisModule_WrongArity(ctx);
    RedisModuleKey *k = RedisModule_OpenKey(ctx, argv[1], REDISMODULE_READ);
    if (k == NULL) return RedisModule_ReplyWithNull(ctx);
    errno = 0;
    int r = RedisModule_ListPush(k, REDISMODULE_LIST_TAIL, argv[2]);
    RedisModule_CloseKey(k);
    if (r != REDISMODULE_OK) return reply_errno(ctx);
    return RedisModule_ReplyWithSimpleString(ctx, "OK");
}

static int t_pop(RedisModuleCtx *ctx, RedisModuleString **argv, int argc) {
    if (argc != 3) return RedisModule_WrongArity(ctx);
    RedisModule_AutoMemory(ctx);
    RedisModuleKey *k = RedisModule_OpenKey(ctx, argv[1], REDISMODULE_WRITE);
    errno = 0;
    RedisModuleString *s = RedisModule_ListPop(k, where_of(argv[2]));
    if (s == NULL) return reply_errno(ctx);
    return RedisModule_ReplyWithString(ctx, s);
}

static int t_get(RedisModuleCtx *ctx, RedisModuleString **argv, int argc) {
    if (argc != 3) return RedisModule_WrongArity(ctx);
    RedisModule_AutoMemory(ctx);
    long long idx;
    if (RedisModule_StringToLongLong(argv[2], &idx) != REDISMODULE_OK)
        return RedisModule_ReplyWithError(ctx, "ERR bad index");
    RedisModuleKey *k = RedisModule_OpenKey(ctx, argv[1], REDISMODULE_READ);
    errno = 0;
    RedisModuleString *s = RedisModule_ListGet(k, idx);
    if (s == NULL) return reply_errno(ctx);
    return RedisModule_ReplyWithString(ctx, s);
}

/* SET, INSERT and DELETE share the shape: key index [ele]. */
static int t_edit(RedisModuleCtx *ctx, RedisModuleString **argv, int argc, int op) {
    if (argc != (op == 2 ? 3 : 4)) return RedisModule_WrongArity(ctx);
    long long idx;
    if (RedisModule_StringToLongLong(argv[2], &idx) != REDISMODULE_OK)
        return RedisModule_ReplyWithError(ctx, "ERR bad index");
    RedisModuleKey *k = RedisModule_OpenKey(ctx, argv[1], REDISMODULE_WRITE);
    errno = 0;
    int r = op == 0 ? RedisModule_ListSet(k, idx, argv[3])
          : op == 1 ? RedisModule_ListInsert(k, idx, argv[3])
                    : RedisModule_ListDelete(k, idx);
    RedisModule_CloseKey(k);
    if (r != REDISMODULE_OK) return reply_errno(ctx);
    return RedisModule_ReplyWithSimpleString(ctx, "OK");
}

static int t_set(RedisModuleCtx *ctx, RedisModuleString **argv, int argc) { return t_edit(ctx, argv, argc, 0); }
static int t_insert(RedisModuleCtx *ctx, RedisModuleString **argv, int argc) { return t_edit(ctx, argv, argc, 1); }
static int t_delete(RedisModuleCtx *ctx, RedisModuleString **argv, int argc) { return t_edit(ctx, argv, argc, 2); }

static int t_getall(RedisModuleCtx *ctx, RedisModuleString **argv, int argc) {
    if (argc != 2) return RedisModule_WrongArity(ctx);
    RedisModule_AutoMemory(ctx);
    RedisModuleKey *k = RedisModule_OpenKey(ctx, argv[1], REDISMODULE_READ);
    long n = (long)RedisModule_ValueLength(k);
    RedisModule_ReplyWithArray(ctx, n);
    for (long i = 0; i < n; i++) RedisModule_ReplyWithString(ctx, RedisModule_ListGet(k, i));
    return REDISMODULE_OK;
}

static int t_einval(RedisModuleCtx *ctx, RedisModuleString **argv, int argc) {
    if (argc != 2) return RedisModule_WrongArity(ctx);
    RedisModuleKey *k = RedisModule_OpenKey(ctx, argv[1], REDISMODULE_WRITE);
    RedisModule_ReplyWithArray(ctx, 4);
    errno = 0;
    RedisModule_ListPush(NULL, REDISMODULE_LIST_TAIL, argv[1]);
    RedisModule_ReplyWithSimpleString(ctx, errname(errno));
    errno = 0;
    RedisModule_ListPush(k, REDISMODULE_LIST_TAIL, NULL);
    RedisModule_ReplyWithSimpleString(ctx, errname(errno));
    errno = 0;
    RedisModule_ListPop(NULL, REDISMODULE_LIST_TAIL);
    RedisModule_ReplyWithSimpleString(ctx, errname(errno));
    errno = 0;
    RedisModule_ListGet(NULL, 0);
    RedisModule_ReplyWithSimpleString(ctx, errname(errno));
    RedisModule_CloseKey(k);
    return REDISMODULE_OK;
}

/* TLIST.REVALL key: ListGet from the tail to the head. */
static int t_revall(RedisModuleCtx *ctx, RedisModuleString **argv, int argc) {
    if (argc != 2) return RedisModule_WrongArity(ctx);
    RedisModule_AutoMemory(ctx);
    RedisModuleKey *k = RedisModule_OpenKey(ctx, argv[1], REDISMODULE_READ);
    long n = (long)RedisModule_ValueLength(k);
    RedisModule_ReplyWithArray(ctx, n);
    for (long i = n - 1; i >= 0; i--) RedisModule_ReplyWithString(ctx, RedisModule_ListGet(k, i));
    return REDISMODULE_OK;
}

/* TLIST.SETGET key index value: ListGet, then a write (ListSet through the
 * key, then LSET through Call on the next element), then ListGet of both:
 * the handle sees every write. */
static int t_setget(RedisModuleCtx *ctx, RedisModuleString **argv, int argc) {
    if (argc != 4) return RedisModule_WrongArity(ctx);
    RedisModule_AutoMemory(ctx);
    long long idx;
    if (RedisModule_StringToLongLong(argv[2], &idx) != REDISMODULE_OK)
        return RedisModule_ReplyWithError(ctx, "ERR bad index");
    RedisModuleKey *k = RedisModule_OpenKey(ctx, argv[1], REDISMODULE_READ | REDISMODULE_WRITE);
    RedisModule_ReplyWithArray(ctx, 5);
    RedisModule_ReplyWithString(ctx, RedisModule_ListGet(k, idx));
    RedisModule_ReplyWithString(ctx, RedisModule_ListGet(k, idx + 1));
    RedisModule_ListSet(k, idx, argv[3]);
    RedisModule_ReplyWithString(ctx, RedisModule_ListGet(k, idx));
    RedisModule_Call(ctx, "LSET", "sls", argv[1], idx + 1, argv[3]);
    RedisModule_ReplyWithString(ctx, RedisModule_ListGet(k, idx + 1));
    RedisModule_ReplyWithLongLong(ctx, (long long)RedisModule_ValueLength(k));
    return REDISMODULE_OK;
}

int RedisModule_OnLoad(RedisModuleCtx *ctx, RedisModuleString **argv, int argc) {
    REDISMODULE_NOT_USED(argv);
    REDISMODULE_NOT_USED(argc);
    if (RedisModule_Init(ctx, "tlist", 1, REDISMODULE_APIVER_1) == REDISMODULE_ERR) return REDISMODULE_ERR;
    struct { const char *name; RedisModuleCmdFunc fn; const char *flags; } cmds[] = {
        {"tlist.push", t_push, "write"},     {"tlist.pushro", t_pushro, "write"},
        {"tlist.pop", t_pop, "write"},       {"tlist.get", t_get, "readonly"},
        {"tlist.set", t_set, "write"},       {"tlist.insert", t_insert, "write"},
        {"tlist.delete", t_delete, "write"}, {"tlist.getall", t_getall, "readonly"},
        {"tlist.einval", t_einval, "write"}, {"tlist.revall", t_revall, "readonly"},
        {"tlist.setget", t_setget, "write"},
    };
    for (size_t i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++)
        if (RedisModule_CreateCommand(ctx, cmds[i].name, cmds[i].fn, cmds[i].flags, 1, 1, 1) == REDISMODULE_ERR)
            return REDISMODULE_ERR;
    return REDISMODULE_OK;
}
