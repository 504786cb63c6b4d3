/*
 * test_promise.c - coverage module for RedisModule_Call with "K" (promise
 * replies, Redis 7.2+). It loads into Redis 7.0 too, where "K" is a bad
 * format letter (Call fails with EBADF) and the promise API is missing.
 *
 *   TPROMISE.CALL cmd arg...      Call "KEv": a plain reply is passed on; a
 *                                 promise blocks the client until the
 *                                 handler passes the command's reply on
 *                                 (and INCRs tpromise:handled in the
 *                                 handler's database). If the client goes
 *                                 away first, the promise is aborted.
 *   TPROMISE.NOK cmd arg...       Call "Ev" (no "K"), reply passed on
 *   TPROMISE.FLAGS                1 if the context has DENY_BLOCKING, else 0
 *   TPROMISE.FORGET cmd arg...    Call "Kv"; a promise is freed without a
 *                                 handler: replies "promise"
 *   TPROMISE.EARLYFREE cmd arg... Call "Kv"; a promise gets the counting
 *                                 handler and is freed at once: "promise"
 *   TPROMISE.ABORT cmd arg...     Call "Kv"; a promise gets a handler and is
 *                                 aborted twice: [rc1, private data back,
 *                                 rc2] (REDISMODULE_OK is 0)
 *   TPROMISE.WAITKEY key          blocks on key (BlockClientOnKeys); served
 *                                 when it is a non-empty list: "ready:key"
 *   TPROMISE.STATS                [handled, type of the last handled
 *                                 reply, aborts on disconnect]
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "redismodule.h"

static long long st_handled, st_last_type = -1, st_disconnect_aborts;

/* State of one TPROMISE.CALL waiting for its promise. */
typedef struct {
    RedisModuleBlockedClient *bc;
    RedisModuleCallReply *promise; /* NULL once resolved */
} waiter;

static int promise_api(void) {
    return RedisModule_CallReplyPromiseSetUnblockHandler != NULL && RedisModule_CallReplyPromiseAbort != NULL;
}

static int reply_call_failure(RedisModuleCtx *ctx) {
    char msg[64];
    snprintf(msg, sizeof(msg), "ERR Call failed, errno %d", errno);
    return RedisModule_ReplyWithError(ctx, msg);
}

/* The handler of TPROMISE.CALL: passes the reply on and unblocks. */
static void on_resolved(RedisModuleCtx *ctx, RedisModuleCallReply *reply, void *pd) {
    waiter *w = pd;
    st_handled++;
    st_last_type = RedisModule_CallReplyType(reply);
    RedisModuleCallReply *r = RedisModule_Call(ctx, "INCR", "c", "tpromise:handled");
    if (r != NULL) RedisModule_FreeCallReply(r);
    RedisModuleCtx *tctx = RedisModule_GetThreadSafeContext(w->bc);
    if (reply == NULL)
        RedisModule_ReplyWithError(tctx, "ERR no reply");
    else
        RedisModule_ReplyWithCallReply(tctx, reply);
    RedisModule_FreeThreadSafeContext(tctx);
    if (reply != NULL) RedisModule_FreeCallReply(reply);
    RedisModule_FreeCallReply(w->promise);
    w->promise = NULL;
    RedisModule_UnblockClient(w->bc, NULL);
    RedisModule_Free(w);
}

/* The client of TPROMISE.CALL went away: abort the command. */
static void on_disconnect(RedisModuleCtx *ctx, RedisModuleBlockedClient *bc) {
    REDISMODULE_NOT_USED(ctx);
    waiter *w = RedisModule_BlockClientGetPrivateData(bc);
    if (w == NULL || w->promise == NULL) return;
    void *pd = NULL;
    if (RedisModule_CallReplyPromiseAbort(w->promise, &pd) == REDISMODULE_OK && pd == w) st_disconnect_aborts++;
    RedisModule_FreeCallReply(w->promise);
    RedisModule_Free(w);
    RedisModule_BlockClientSetPrivateData(bc, NULL);
    RedisModule_AbortBlock(bc);
}

static int cmd_call(RedisModuleCtx *ctx, RedisModuleString **argv, int argc) {
    if (argc < 2) return RedisModule_WrongArity(ctx);
    const char *cmd = RedisModule_StringPtrLen(argv[1], NULL);
    RedisModuleCallReply *rep = RedisModule_Call(ctx, cmd, "KEv", argv + 2, (size_t)(argc - 2));
    if (rep == NULL) return reply_call_failure(ctx);
    if (RedisModule_CallReplyType(rep) != REDISMODULE_REPLY_PROMISE) {
        RedisModule_ReplyWithCallReply(ctx, rep);
        RedisModule_FreeCallReply(rep);
        return REDISMODULE_OK;
    }
    waiter *w = RedisModule_Alloc(sizeof(*w));
    w->promise = rep;
    w->bc = RedisModule_BlockClient(ctx, NULL, NULL, NULL, 0);
    RedisModule_BlockClientSetPrivateData(w->bc, w);
    RedisModule_SetDisconnectCallback(w->bc, on_disconnect);
    RedisModule_CallReplyPromiseSetUnblockHandler(rep, on_resolved, w);
    return REDISMODULE_OK;
}

static int cmd_nok(RedisModuleCtx *ctx, RedisModuleString **argv, int argc) {
    if (argc < 2) return RedisModule_WrongArity(ctx);
    const char *cmd = RedisModule_StringPtrLen(argv[1], NULL);
    RedisModuleCallReply *rep = RedisModule_Call(ctx, cmd, "Ev", argv + 2, (size_t)(argc - 2));
    if (rep == NULL) return reply_call_failure(ctx);
    RedisModule_ReplyWithCallReply(ctx, rep);
    RedisModule_FreeCallReply(rep);
    return REDISMODULE_OK;
}

static int cmd_flags(RedisModuleCtx *ctx, RedisModuleString **argv, int argc) {
    REDISMODULE_NOT_USED(argv);
    if (argc != 1) return RedisModule_WrongArity(ctx);
    int deny = (RedisModule_GetContextFlags(ctx) & REDISMODULE_CTX_FLAGS_DENY_BLOCKING) != 0;
    return RedisModule_ReplyWithLongLong(ctx, deny);
}

/* A handler that only counts (TPROMISE.EARLYFREE, TPROMISE.ABORT). */
static void on_counted(RedisModuleCtx *ctx, RedisModuleCallReply *reply, void *pd) {
    REDISMODULE_NOT_USED(ctx);
    REDISMODULE_NOT_USED(pd);
    st_handled++;
    st_last_type = RedisModule_CallReplyType(reply);
    if (reply != NULL) RedisModule_FreeCallReply(reply);
}

/* Calls with "Kv"; a plain reply is passed on and NULL returned. */
static RedisModuleCallReply *call_k(RedisModuleCtx *ctx, RedisModuleString **argv, int argc) {
    const char *cmd = RedisModule_StringPtrLen(argv[1], NULL);
    RedisModuleCallReply *rep = RedisModule_Call(ctx, cmd, "KEv", argv + 2, (size_t)(argc - 2));
    if (rep == NULL) {
        reply_call_failure(ctx);
        return NULL;
    }
    if (RedisModule_CallReplyType(rep) != REDISMODULE_REPLY_PROMISE) {
        RedisModule_ReplyWithCallReply(ctx, rep);
        RedisModule_FreeCallReply(rep);
        return NULL;
    }
    return rep;
}

static int cmd_forget(RedisModuleCtx *ctx, RedisModuleString **argv, int argc) {
    if (argc < 2) return RedisModule_WrongArity(ctx);
    RedisModuleCallReply *rep = call_k(ctx, argv, argc);
    if (rep == NULL) return REDISMODULE_OK;
    RedisModule_FreeCallReply(rep);
    return RedisModule_ReplyWithSimpleString(ctx, "promise");
}

static int cmd_earlyfree(RedisModuleCtx *ctx, RedisModuleString **argv, int argc) {
    if (argc < 2) return RedisModule_WrongArity(ctx);
    RedisModuleCallReply *rep = call_k(ctx, argv, argc);
    if (rep == NULL) return REDISMODULE_OK;
    RedisModule_CallReplyPromiseSetUnblockHandler(rep, on_counted, NULL);
    RedisModule_FreeCallReply(rep);
    return RedisModule_ReplyWithSimpleString(ctx, "promise");
}

static int cmd_abort(RedisModuleCtx *ctx, RedisModuleString **argv, int argc) {
    if (argc < 2) return RedisModule_WrongArity(ctx);
    RedisModuleCallReply *rep = call_k(ctx, argv, argc);
    if (rep == NULL) return REDISMODULE_OK;
    static int marker;
    RedisModule_CallReplyPromiseSetUnblockHandler(rep, on_counted, &marker);
    void *pd = NULL;
    int rc1 = RedisModule_CallReplyPromiseAbort(rep, &pd);
    int rc2 = RedisModule_CallReplyPromiseAbort(rep, NULL);
    RedisModule_FreeCallReply(rep);
    RedisModule_ReplyWithArray(ctx, 3);
    RedisModule_ReplyWithLongLong(ctx, rc1);
    RedisModule_ReplyWithLongLong(ctx, pd == &marker);
    return RedisModule_ReplyWithLongLong(ctx, rc2);
}

/* TPROMISE.WAITKEY: served once the key is a non-empty list. */
static int waitkey_ready(RedisModuleCtx *ctx, RedisModuleString **argv, int argc) {
    REDISMODULE_NOT_USED(argv);
    REDISMODULE_NOT_USED(argc);
    RedisModuleString *key = RedisModule_GetBlockedClientReadyKey(ctx);
    RedisModuleKey *k = RedisModule_OpenKey(ctx, key, REDISMODULE_READ);
    int ok = RedisModule_KeyType(k) == REDISMODULE_KEYTYPE_LIST && RedisModule_ValueLength(k) > 0;
    RedisModule_CloseKey(k);
    if (!ok) return REDISMODULE_ERR;
    RedisModuleString *s = RedisModule_CreateStringPrintf(ctx, "ready:%s", RedisModule_StringPtrLen(key, NULL));
    RedisModule_ReplyWithString(ctx, s);
    RedisModule_FreeString(ctx, s);
    return REDISMODULE_OK;
}

static int waitkey_timeout(RedisModuleCtx *ctx, RedisModuleString **argv, int argc) {
    REDISMODULE_NOT_USED(argv);
    REDISMODULE_NOT_USED(argc);
    return RedisModule_ReplyWithSimpleString(ctx, "timeout");
}

static int cmd_waitkey(RedisModuleCtx *ctx, RedisModuleString **argv, int argc) {
    if (argc != 2) return RedisModule_WrongArity(ctx);
    if (RedisModule_GetContextFlags(ctx) & REDISMODULE_CTX_FLAGS_DENY_BLOCKING)
        return RedisModule_ReplyWithError(ctx, "ERR blocking is not allowed here");
    RedisModule_BlockClientOnKeys(ctx, waitkey_ready, waitkey_timeout, NULL, 0, argv + 1, 1, NULL);
    return REDISMODULE_OK;
}

static int cmd_stats(RedisModuleCtx *ctx, RedisModuleString **argv, int argc) {
    REDISMODULE_NOT_USED(argv);
    if (argc != 1) return RedisModule_WrongArity(ctx);
    RedisModule_ReplyWithArray(ctx, 3);
    RedisModule_ReplyWithLongLong(ctx, st_handled);
    RedisModule_ReplyWithLongLong(ctx, st_last_type);
    return RedisModule_ReplyWithLongLong(ctx, st_disconnect_aborts);
}

int RedisModule_OnLoad(RedisModuleCtx *ctx, RedisModuleString **argv, int argc) {
    REDISMODULE_NOT_USED(argv);
    REDISMODULE_NOT_USED(argc);
    if (RedisModule_Init(ctx, "tpromise", 1, REDISMODULE_APIVER_1) == REDISMODULE_ERR) return REDISMODULE_ERR;
    struct {
        const char *name;
        RedisModuleCmdFunc fn;
        const char *flags;
        int first, last, step;
    } cmds[] = {
        {"tpromise.call", cmd_call, "write", 0, 0, 0},
        {"tpromise.nok", cmd_nok, "write", 0, 0, 0},
        {"tpromise.flags", cmd_flags, "readonly", 0, 0, 0},
        {"tpromise.forget", cmd_forget, "write", 0, 0, 0},
        {"tpromise.earlyfree", cmd_earlyfree, "write", 0, 0, 0},
        {"tpromise.abort", cmd_abort, "write", 0, 0, 0},
        {"tpromise.waitkey", cmd_waitkey, "readonly", 1, 1, 1},
        {"tpromise.stats", cmd_stats, "readonly", 0, 0, 0},
    };
    for (size_t i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++) {
        if (RedisModule_CreateCommand(ctx, cmds[i].name, cmds[i].fn, cmds[i].flags, cmds[i].first, cmds[i].last,
                                      cmds[i].step) == REDISMODULE_ERR)
            return REDISMODULE_ERR;
    }
    if (!promise_api()) RedisModule_Log(ctx, "notice", "no promise API: TPROMISE.CALL fails with EBADF");
    return REDISMODULE_OK;
}
