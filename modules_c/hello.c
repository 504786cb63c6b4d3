/*
 * hello.c - a small example module for modhost (and for Redis).
 *
 * Commands:
 *   HELLO.SIMPLE                 -> the number of the selected database
 *   HELLO.PUSH.NATIVE key value  -> RPUSH value through the key API, replies
 *                                   with the new list length
 *   HELLO.ECHO [arg ...]         -> an array of the arguments, unchanged
 *   HELLO.PUSH.CALL key value    -> the same push through RedisModule_Call
 *   HELLO.LIST.SUM key           -> the sum of a list's integer elements,
 *                                   read with RedisModule_ListGet
 *   HELLO.BLOCK                  -> blocks the client; a thread unblocks
 *                                   it at once and the reply is "OK"
 *
 * Build: make -C modules_c   (or gcc -fPIC -shared -std=gnu99 -I.. ...)
 */
#include <pthread.h>
#include <stdlib.h>

#include "redismodule.h"

/* HELLO.SIMPLE */
static int hello_simple(RedisModuleCtx *ctx, RedisModuleString **argv, int argc) {
    REDISMODULE_NOT_USED(argv);
    if (argc != 1) return RedisModule_WrongArity(ctx);
    return RedisModule_ReplyWithLongLong(ctx, RedisModule_GetSelectedDb(ctx));
}

/* HELLO.PUSH.NATIVE key value */
static int hello_push_native(RedisModuleCtx *ctx, RedisModuleString **argv, int argc) {
    if (argc != 3) return RedisModule_WrongArity(ctx);

    RedisModuleKey *key = RedisModule_OpenKey(ctx, argv[1], REDISMODULE_READ | REDISMODULE_WRITE);
    int type = RedisModule_KeyType(key);
    if (type != REDISMODULE_KEYTYPE_EMPTY && type != REDISMODULE_KEYTYPE_LIST) {
        RedisModule_CloseKey(key);
        return RedisModule_ReplyWithError(ctx, REDISMODULE_ERRORMSG_WRONGTYPE);
    }
    if (RedisModule_ListPush(key, REDISMODULE_LIST_TAIL, argv[2]) != REDISMODULE_OK) {
        RedisModule_CloseKey(key);
        return RedisModule_ReplyWithError(ctx, "ERR push failed");
    }
    size_t len = RedisModule_ValueLength(key);
    RedisModule_CloseKey(key);
    RedisModule_ReplicateVerbatim(ctx);
    return RedisModule_ReplyWithLongLong(ctx, (long long)len);
}

/* HELLO.ECHO [arg ...] */
static int hello_echo(RedisModuleCtx *ctx, RedisModuleString **argv, int argc) {
    RedisModule_ReplyWithArray(ctx, argc - 1);
    for (int i = 1; i < argc; i++) RedisModule_ReplyWithString(ctx, argv[i]);
    return REDISMODULE_OK;
}

/* HELLO.PUSH.CALL key value */
static int hello_push_call(RedisModuleCtx *ctx, RedisModuleString **argv, int argc) {
    if (argc != 3) return RedisModule_WrongArity(ctx);
    RedisModuleCallReply *reply = RedisModule_Call(ctx, "RPUSH", "!ss", argv[1], argv[2]);
    if (reply == NULL) return RedisModule_ReplyWithError(ctx, "ERR call failed");
    RedisModule_ReplyWithCallReply(ctx, reply);
    RedisModule_FreeCallReply(reply);
    return REDISMODULE_OK;
}

/* HELLO.LIST.SUM key */
static int hello_list_sum(RedisModuleCtx *ctx, RedisModuleString **argv, int argc) {
    if (argc != 2) return RedisModule_WrongArity(ctx);
    RedisModuleKey *key = RedisModule_OpenKey(ctx, argv[1], REDISMODULE_READ);
    int type = RedisModule_KeyType(key);
    if (type != REDISMODULE_KEYTYPE_EMPTY && type != REDISMODULE_KEYTYPE_LIST) {
        RedisModule_CloseKey(key);
        return RedisModule_ReplyWithError(ctx, REDISMODULE_ERRORMSG_WRONGTYPE);
    }
    long long sum = 0;
    long len = (long)RedisModule_ValueLength(key);
    for (long i = 0; i < len; i++) {
        RedisModuleString *el = RedisModule_ListGet(key, i);
        long long v;
        if (el && RedisModule_StringToLongLong(el, &v) == REDISMODULE_OK) sum += v;
        if (el) RedisModule_FreeString(ctx, el);
    }
    RedisModule_CloseKey(key);
    return RedisModule_ReplyWithLongLong(ctx, sum);
}

static int hello_block_reply(RedisModuleCtx *ctx, RedisModuleString **argv, int argc) {
    REDISMODULE_NOT_USED(argv);
    REDISMODULE_NOT_USED(argc);
    return RedisModule_ReplyWithSimpleString(ctx, "OK");
}

static void *hello_block_thread(void *arg) {
    RedisModule_UnblockClient((RedisModuleBlockedClient *)arg, NULL);
    return NULL;
}

/* HELLO.BLOCK */
static int hello_block(RedisModuleCtx *ctx, RedisModuleString **argv, int argc) {
    REDISMODULE_NOT_USED(argv);
    if (argc != 1) return RedisModule_WrongArity(ctx);
    RedisModuleBlockedClient *bc = RedisModule_BlockClient(ctx, hello_block_reply, NULL, NULL, 0);
    pthread_t tid;
    if (pthread_create(&tid, NULL, hello_block_thread, bc) != 0) {
        RedisModule_AbortBlock(bc);
        return RedisModule_ReplyWithError(ctx, "ERR can't start thread");
    }
    pthread_detach(tid);
    return REDISMODULE_OK;
}

int RedisModule_OnLoad(RedisModuleCtx *ctx, RedisModuleString **argv, int argc) {
    REDISMODULE_NOT_USED(argv);
    REDISMODULE_NOT_USED(argc);
    if (RedisModule_Init(ctx, "hello", 1, REDISMODULE_APIVER_1) == REDISMODULE_ERR) return REDISMODULE_ERR;

    static const struct {
        const char *name;
        RedisModuleCmdFunc fn;
        const char *flags;
        int first, last, step;
    } cmds[] = {
        {"hello.simple", hello_simple, "readonly fast", 0, 0, 0},
        {"hello.push.native", hello_push_native, "write deny-oom", 1, 1, 1},
        {"hello.echo", hello_echo, "readonly fast", 0, 0, 0},
        {"hello.push.call", hello_push_call, "write deny-oom", 1, 1, 1},
        {"hello.list.sum", hello_list_sum, "readonly", 1, 1, 1},
        {"hello.block", hello_block, "", 0, 0, 0},
    };
    for (size_t i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++) {
        if (RedisModule_CreateCommand(ctx, cmds[i].name, cmds[i].fn, cmds[i].flags,
                                      cmds[i].first, cmds[i].last, cmds[i].step) == REDISMODULE_ERR)
            return REDISMODULE_ERR;
    }
    return REDISMODULE_OK;
}
