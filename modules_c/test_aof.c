/*
 * test_aof.c - a module data type that round-trips through the AOF.
 *
 * Type "mhaoftyp1" holds a counter: a label and a signed integer. Its
 * aof_rewrite emits the one AOFT.SET that rebuilds it, so a base written
 * as commands (aof-use-rdb-preamble no) replays to the same value; its
 * rdb_save/rdb_load serve the RDB preamble. The commands propagate
 * through RedisModule_Replicate and ReplicateVerbatim, so the incr file
 * holds them too. The module loads into Redis as well (interop tests).
 *
 *   AOFT.SET key label n  -> OK (replicated verbatim)
 *   AOFT.INCR key by      -> new value (replicated as AOFT.SET of the result)
 *   AOFT.GET key          -> [label, n] or null
 */
#include <stdlib.h>
#include <string.h>

#include "redismodule.h"

typedef struct counter {
    char *label;
    long long n;
} counter;

static RedisModuleType *ctype;

static counter *counter_new(const char *label, size_t len, long long n) {
    counter *c = RedisModule_Alloc(sizeof(*c));
    c->label = RedisModule_Alloc(len + 1);
    memcpy(c->label, label, len);
    c->label[len] = '\0';
    c->n = n;
    return c;
}

static void counter_free(void *value) {
    counter *c = value;
    RedisModule_Free(c->label);
    RedisModule_Free(c);
}

static void *counter_load(RedisModuleIO *io, int encver) {
    if (encver != 0) return NULL;
    size_t len;
    char *label = RedisModule_LoadStringBuffer(io, &len);
    long long n = RedisModule_LoadSigned(io);
    if (RedisModule_IsIOError(io)) {
        if (label) RedisModule_Free(label);
        return NULL;
    }
    counter *c = counter_new(label, len, n);
    RedisModule_Free(label);
    return c;
}

static void counter_save(RedisModuleIO *io, void *value) {
    counter *c = value;
    RedisModule_SaveStringBuffer(io, c->label, strlen(c->label));
    RedisModule_SaveSigned(io, c->n);
}

static void counter_rewrite(RedisModuleIO *aof, RedisModuleString *key, void *value) {
    counter *c = value;
    RedisModule_EmitAOF(aof, "AOFT.SET", "scl", key, c->label, c->n);
}

static void counter_digest(RedisModuleDigest *md, void *value) {
    counter *c = value;
    RedisModule_DigestAddStringBuffer(md, c->label, strlen(c->label));
    RedisModule_DigestAddLongLong(md, c->n);
    RedisModule_DigestEndSequence(md);
}

/* Opens key for writing; NULL (with the error replied) when it holds
 * another type. */
static RedisModuleKey *open_counter(RedisModuleCtx *ctx, RedisModuleString *name) {
    RedisModuleKey *key = RedisModule_OpenKey(ctx, name, REDISMODULE_READ | REDISMODULE_WRITE);
    int t = RedisModule_KeyType(key);
    if (t != REDISMODULE_KEYTYPE_EMPTY && RedisModule_ModuleTypeGetType(key) != ctype) {
        RedisModule_CloseKey(key);
        RedisModule_ReplyWithError(ctx, REDISMODULE_ERRORMSG_WRONGTYPE);
        return NULL;
    }
    return key;
}

static int cmd_set(RedisModuleCtx *ctx, RedisModuleString **argv, int argc) {
    if (argc != 4) return RedisModule_WrongArity(ctx);
    long long n;
    if (RedisModule_StringToLongLong(argv[3], &n) != REDISMODULE_OK)
        return RedisModule_ReplyWithError(ctx, "ERR invalid value");
    RedisModuleKey *key = open_counter(ctx, argv[1]);
    if (key == NULL) return REDISMODULE_OK;
    size_t len;
    const char *label = RedisModule_StringPtrLen(argv[2], &len);
    RedisModule_ModuleTypeSetValue(key, ctype, counter_new(label, len, n));
    RedisModule_CloseKey(key);
    RedisModule_ReplicateVerbatim(ctx);
    return RedisModule_ReplyWithSimpleString(ctx, "OK");
}

static int cmd_incr(RedisModuleCtx *ctx, RedisModuleString **argv, int argc) {
    if (argc != 3) return RedisModule_WrongArity(ctx);
    long long by;
    if (RedisModule_StringToLongLong(argv[2], &by) != REDISMODULE_OK)
        return RedisModule_ReplyWithError(ctx, "ERR invalid increment");
    RedisModuleKey *key = open_counter(ctx, argv[1]);
    if (key == NULL) return REDISMODULE_OK;
    counter *c = RedisModule_ModuleTypeGetValue(key);
    if (c == NULL) {
        c = counter_new("", 0, 0);
        RedisModule_ModuleTypeSetValue(key, ctype, c);
    }
    c->n += by;
    RedisModule_CloseKey(key);
    RedisModule_Replicate(ctx, "AOFT.SET", "scl", argv[1], c->label, c->n);
    return RedisModule_ReplyWithLongLong(ctx, c->n);
}

static int cmd_get(RedisModuleCtx *ctx, RedisModuleString **argv, int argc) {
    if (argc != 2) return RedisModule_WrongArity(ctx);
    RedisModuleKey *key = RedisModule_OpenKey(ctx, argv[1], REDISMODULE_READ);
    if (RedisModule_KeyType(key) == REDISMODULE_KEYTYPE_EMPTY) {
        RedisModule_CloseKey(key);
        return RedisModule_ReplyWithNull(ctx);
    }
    if (RedisModule_ModuleTypeGetType(key) != ctype) {
        RedisModule_CloseKey(key);
        return RedisModule_ReplyWithError(ctx, REDISMODULE_ERRORMSG_WRONGTYPE);
    }
    counter *c = RedisModule_ModuleTypeGetValue(key);
    RedisModule_ReplyWithArray(ctx, 2);
    RedisModule_ReplyWithCString(ctx, c->label);
    RedisModule_ReplyWithLongLong(ctx, c->n);
    RedisModule_CloseKey(key);
    return REDISMODULE_OK;
}

int RedisModule_OnLoad(RedisModuleCtx *ctx, RedisModuleString **argv, int argc) {
    REDISMODULE_NOT_USED(argv);
    REDISMODULE_NOT_USED(argc);
    if (RedisModule_Init(ctx, "test_aof", 1, REDISMODULE_APIVER_1) == REDISMODULE_ERR) return REDISMODULE_ERR;
    RedisModuleTypeMethods tm = {
        .version = REDISMODULE_TYPE_METHOD_VERSION,
        .rdb_load = counter_load,
        .rdb_save = counter_save,
        .aof_rewrite = counter_rewrite,
        .free = counter_free,
        .digest = counter_digest,
    };
    ctype = RedisModule_CreateDataType(ctx, "mhaoftyp1", 0, &tm);
    if (ctype == NULL) return REDISMODULE_ERR;
    if (RedisModule_CreateCommand(ctx, "aoft.set", cmd_set, "write deny-oom", 1, 1, 1) == REDISMODULE_ERR ||
        RedisModule_CreateCommand(ctx, "aoft.incr", cmd_incr, "write deny-oom", 1, 1, 1) == REDISMODULE_ERR ||
        RedisModule_CreateCommand(ctx, "aoft.get", cmd_get, "readonly", 1, 1, 1) == REDISMODULE_ERR)
        return REDISMODULE_ERR;
    return REDISMODULE_OK;
}
