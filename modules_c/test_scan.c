/*
 * test_scan.c - coverage module for RedisModule_Scan and ScanKey.
 *
 *   TSCAN.KEYS          -> ["name:type", ...] for every key of the db
 *   TSCAN.DELALL        -> deletes every key from the scan callback, replies
 *                          the number of callbacks
 *   TSCAN.KEY key       -> [field, value|nil, ...] of a hash, set or zset
 *   TSCAN.ERRS key      -> [ScanKey result, errno, second scan after the
 *                          end: result, errno]
 */
#include <errno.h>
#include <string.h>

#include "redismodule.h"

static const char *type_name(int t) {
    switch (t) {
    case REDISMODULE_KEYTYPE_STRING: return "string";
    case REDISMODULE_KEYTYPE_LIST: return "list";
    case REDISMODULE_KEYTYPE_HASH: return "hash";
    case REDISMODULE_KEYTYPE_SET: return "set";
    case REDISMODULE_KEYTYPE_ZSET: return "zset";
    case REDISMODULE_KEYTYPE_MODULE: return "module";
    case REDISMODULE_KEYTYPE_STREAM: return "stream";
    default: return "none";
    }
}

typedef struct {
    RedisModuleCtx *ctx;
    long n;
} scan_state;

static void keys_cb(RedisModuleCtx *ctx, RedisModuleString *keyname, RedisModuleKey *key, void *privdata) {
    scan_state *st = privdata;
    const char *t = key ? type_name(RedisModule_KeyType(key)) : "nokey";
    RedisModuleString *s = RedisModule_CreateStringPrintf(ctx, "%s:%s", RedisModule_StringPtrLen(keyname, NULL), t);
    RedisModule_ReplyWithString(st->ctx, s);
    RedisModule_FreeString(ctx, s);
    st->n++;
}

static int t_keys(RedisModuleCtx *ctx, RedisModuleString **argv, int argc) {
    REDISMODULE_NOT_USED(argv);
    REDISMODULE_NOT_USED(argc);
    scan_state st = {ctx, 0};
    RedisModuleScanCursor *c = RedisModule_ScanCursorCreate();
    RedisModule_ReplyWithArray(ctx, REDISMODULE_POSTPONED_LEN);
    while (RedisModule_Scan(ctx, c, keys_cb, &st))
        ;
    RedisModule_ScanCursorDestroy(c);
    RedisModule_ReplySetArrayLength(ctx, st.n);
    return REDISMODULE_OK;
}

static void del_cb(RedisModuleCtx *ctx, RedisModuleString *keyname, RedisModuleKey *key, void *privdata) {
    REDISMODULE_NOT_USED(key);
    scan_state *st = privdata;
    RedisModuleKey *k = RedisModule_OpenKey(ctx, keyname, REDISMODULE_WRITE);
    RedisModule_DeleteKey(k);
    RedisModule_CloseKey(k);
    st->n++;
}

static int t_delall(RedisModuleCtx *ctx, RedisModuleString **argv, int argc) {
    REDISMODULE_NOT_USED(argv);
    REDISMODULE_NOT_USED(argc);
    scan_state st = {ctx, 0};
    RedisModuleScanCursor *c = RedisModule_ScanCursorCreate();
    while (RedisModule_Scan(ctx, c, del_cb, &st))
        ;
    RedisModule_ScanCursorDestroy(c);
    return RedisModule_ReplyWithLongLong(ctx, st.n);
}

static void key_cb(RedisModuleKey *key, RedisModuleString *field, RedisModuleString *value, void *privdata) {
    REDISMODULE_NOT_USED(key);
    scan_state *st = privdata;
    RedisModule_ReplyWithArray(st->ctx, 2);
    RedisModule_ReplyWithString(st->ctx, field);
    if (value)
        RedisModule_ReplyWithString(st->ctx, value);
    else
        RedisModule_ReplyWithNull(st->ctx);
    st->n++;
}

static int t_key(RedisModuleCtx *ctx, RedisModuleString **argv, int argc) {
    if (argc != 2) return RedisModule_WrongArity(ctx);
    RedisModuleKey *k = RedisModule_OpenKey(ctx, argv[1], REDISMODULE_READ);
    scan_state st = {ctx, 0};
    RedisModuleScanCursor *c = RedisModule_ScanCursorCreate();
    RedisModule_ReplyWithArray(ctx, REDISMODULE_POSTPONED_LEN);
    while (RedisModule_ScanKey(k, c, key_cb, &st))
        ;
    RedisModule_ScanCursorDestroy(c);
    if (k) RedisModule_CloseKey(k);
    RedisModule_ReplySetArrayLength(ctx, st.n);
    return REDISMODULE_OK;
}

static const char *errno_name(int e) {
    switch (e) {
    case 0: return "0";
    case EINVAL: return "EINVAL";
    case ENOENT: return "ENOENT";
    default: return "other";
    }
}

static void nop_cb(RedisModuleKey *key, RedisModuleString *field, RedisModuleString *value, void *privdata) {
    REDISMODULE_NOT_USED(key);
    REDISMODULE_NOT_USED(field);
    REDISMODULE_NOT_USED(value);
    REDISMODULE_NOT_USED(privdata);
}

static int t_errs(RedisModuleCtx *ctx, RedisModuleString **argv, int argc) {
    if (argc != 2) return RedisModule_WrongArity(ctx);
    RedisModuleKey *k = RedisModule_OpenKey(ctx, argv[1], REDISMODULE_READ);
    RedisModuleScanCursor *c = RedisModule_ScanCursorCreate();
    errno = 0;
    int first = RedisModule_ScanKey(k, c, nop_cb, NULL);
    int e1 = errno;
    while (RedisModule_ScanKey(k, c, nop_cb, NULL))
        ;
    errno = 0;
    int again = RedisModule_ScanKey(k, c, nop_cb, NULL);
    int e2 = errno;
    RedisModule_ScanCursorDestroy(c);
    if (k) RedisModule_CloseKey(k);
    RedisModule_ReplyWithArray(ctx, 4);
    RedisModule_ReplyWithLongLong(ctx, first);
    RedisModule_ReplyWithSimpleString(ctx, errno_name(e1));
    RedisModule_ReplyWithLongLong(ctx, again);
    return RedisModule_ReplyWithSimpleString(ctx, errno_name(e2));
}

int RedisModule_OnLoad(RedisModuleCtx *ctx, RedisModuleString **argv, int argc) {
    REDISMODULE_NOT_USED(argv);
    REDISMODULE_NOT_USED(argc);
    if (RedisModule_Init(ctx, "tscan", 1, REDISMODULE_APIVER_1) == REDISMODULE_ERR) return REDISMODULE_ERR;
    if (RedisModule_CreateCommand(ctx, "tscan.keys", t_keys, "readonly", 0, 0, 0) == REDISMODULE_ERR ||
        RedisModule_CreateCommand(ctx, "tscan.delall", t_delall, "write", 0, 0, 0) == REDISMODULE_ERR ||
        RedisModule_CreateCommand(ctx, "tscan.key", t_key, "readonly", 1, 1, 1) == REDISMODULE_ERR ||
        RedisModule_CreateCommand(ctx, "tscan.errs", t_errs, "readonly", 1, 1, 1) == REDISMODULE_ERR)
        return REDISMODULE_ERR;
    return REDISMODULE_OK;
}
