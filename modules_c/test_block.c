/*
 * test_block.c - coverage module for "Blocking clients from modules".
 *
 *   TBLOCK.THREAD ms value  -> blocks; a thread sleeps ms and unblocks with
 *                              value; the reply callback replies
 *                              [value, IsBlockedReplyRequest]
 *   TBLOCK.TIMEOUT ms       -> blocks with a timeout and no thread; the
 *                              timeout callback replies "timeout" (and
 *                              releases the handle); ms 0 = only CLIENT
 *                              UNBLOCK ends it
 *   TBLOCK.FOREVER          -> blocks without timeout callback, with a
 *                              disconnect callback; ended by TBLOCK.RELEASE
 *   TBLOCK.RELEASE value    -> unblocks the TBLOCK.FOREVER clients with
 *                              value (as a thread would); replies the count
 *   TBLOCK.KEYS ms need key [key ...]
 *                           -> blocks on keys; the reply callback declines
 *                              (REDISMODULE_ERR) until it was called `need`
 *                              times, then replies [ready key, calls]; the
 *                              timeout callback replies "keys-timeout"
 *   TBLOCK.KEYSDEL ms key   -> as KEYS with REDISMODULE_BLOCK_UNBLOCK_DELETED
 *   TBLOCK.SIGNAL key       -> SignalKeyAsReady, replies OK
 *   TBLOCK.ABORT            -> blocks, AbortBlock, replies an error
 *   TBLOCK.TSREPLY n        -> blocks; a thread replies 1..n through a
 *                              bound thread-safe context, then unblocks
 *   TBLOCK.TSWRITE key value
 *                           -> blocks; a thread SETs key through Call "!"
 *                              under the GIL (a bound thread-safe
 *                              context), replies OK through it, then
 *                              unblocks
 *   TBLOCK.TSERROR msg      -> blocks; a thread replies the error msg
 *                              through a bound thread-safe context, then
 *                              unblocks
 *   TBLOCK.PRIV             -> BlockClientGetPrivateData/SetPrivateData and
 *                              MeasureTime round trip, replies [ok, ok, ok]
 *   TBLOCK.STATS            -> [disconnects, frees, frees_disconnected,
 *                              timeouts]
 *   TBLOCK.RESET            -> zeroes the stats
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "redismodule.h"

static long long st_disconnects, st_frees, st_frees_disc, st_timeouts;

static pthread_mutex_t forever_mu = PTHREAD_MUTEX_INITIALIZER;
static RedisModuleBlockedClient *forever[1024];
static int forever_n;

/* Private data handed from a thread to the reply callback. */
typedef struct {
    long long value;
} tb_priv;

static void free_priv(RedisModuleCtx *ctx, void *p) {
    st_frees++;
    if (RedisModule_BlockedClientDisconnected(ctx)) st_frees_disc++;
    RedisModule_Free(p);
}

static int reply_value(RedisModuleCtx *ctx, RedisModuleString **argv, int argc) {
    REDISMODULE_NOT_USED(argv);
    REDISMODULE_NOT_USED(argc);
    tb_priv *p = RedisModule_GetBlockedClientPrivateData(ctx);
    RedisModule_ReplyWithArray(ctx, 2);
    RedisModule_ReplyWithLongLong(ctx, p ? p->value : -1);
    return RedisModule_ReplyWithLongLong(ctx, RedisModule_IsBlockedReplyRequest(ctx));
}

static int reply_timeout(RedisModuleCtx *ctx, RedisModuleString **argv, int argc) {
    REDISMODULE_NOT_USED(argv);
    REDISMODULE_NOT_USED(argc);
    st_timeouts++;
    return RedisModule_ReplyWithSimpleString(ctx, RedisModule_IsBlockedTimeoutRequest(ctx) ? "timeout" : "not-timeout");
}

/* Timeout callback of TBLOCK.TIMEOUT: no thread owns the handle, so the
 * callback releases it. */
static int reply_timeout_release(RedisModuleCtx *ctx, RedisModuleString **argv, int argc) {
    RedisModuleBlockedClient *bc = RedisModule_GetBlockedClientHandle(ctx);
    if (bc != NULL) RedisModule_UnblockClient(bc, NULL);
    return reply_timeout(ctx, argv, argc);
}

typedef struct {
    RedisModuleBlockedClient *bc;
    long long ms, value;
    int measure; /* wrap the sleep in BlockedClientMeasureTimeStart/End */
} thread_arg;

static void *unblock_later(void *arg) {
    thread_arg *a = arg;
    if (a->measure) RedisModule_BlockedClientMeasureTimeStart(a->bc);
    if (a->ms > 0) usleep((useconds_t)(a->ms * 1000));
    if (a->measure) RedisModule_BlockedClientMeasureTimeEnd(a->bc);
    tb_priv *p = RedisModule_Alloc(sizeof(*p));
    p->value = a->value;
    RedisModule_UnblockClient(a->bc, p);
    RedisModule_Free(a);
    return NULL;
}

static int spawn(void *(*fn)(void *), void *arg) {
    pthread_t tid;
    if (pthread_create(&tid, NULL, fn, arg) != 0) return -1;
    pthread_detach(tid);
    return 0;
}

/* TBLOCK.THREAD ms value / TBLOCK.MEASURED ms value: block, and a thread
 * unblocks with value after ms milliseconds; MEASURED reports the sleep as
 * background time (BlockedClientMeasureTimeStart/End). */
static int thread_block(RedisModuleCtx *ctx, RedisModuleString **argv, int argc, int measure) {
    if (argc != 3) return RedisModule_WrongArity(ctx);
    long long ms, value;
    if (RedisModule_StringToLongLong(argv[1], &ms) != REDISMODULE_OK ||
        RedisModule_StringToLongLong(argv[2], &value) != REDISMODULE_OK)
        return RedisModule_ReplyWithError(ctx, "ERR bad number");
    RedisModuleBlockedClient *bc = RedisModule_BlockClient(ctx, reply_value, reply_timeout, free_priv, 0);
    thread_arg *a = RedisModule_Alloc(sizeof(*a));
    a->bc = bc;
    a->ms = ms;
    a->value = value;
    a->measure = measure;
    if (spawn(unblock_later, a) != 0) {
        RedisModule_AbortBlock(bc);
        RedisModule_Free(a);
        return RedisModule_ReplyWithError(ctx, "ERR can't start thread");
    }
    return REDISMODULE_OK;
}

static int t_thread(RedisModuleCtx *ctx, RedisModuleString **argv, int argc) {
    return thread_block(ctx, argv, argc, 0);
}

static int t_measured(RedisModuleCtx *ctx, RedisModuleString **argv, int argc) {
    return thread_block(ctx, argv, argc, 1);
}

static int t_timeout(RedisModuleCtx *ctx, RedisModuleString **argv, int argc) {
    if (argc != 2) return RedisModule_WrongArity(ctx);
    long long ms;
    if (RedisModule_StringToLongLong(argv[1], &ms) != REDISMODULE_OK)
        return RedisModule_ReplyWithError(ctx, "ERR bad number");
    RedisModule_BlockClient(ctx, reply_value, reply_timeout_release, free_priv, ms);
    return REDISMODULE_OK;
}

static void on_disconnect(RedisModuleCtx *ctx, RedisModuleBlockedClient *bc) {
    REDISMODULE_NOT_USED(ctx);
    st_disconnects++;
    pthread_mutex_lock(&forever_mu);
    for (int i = 0; i < forever_n; i++) {
        if (forever[i] == bc) {
            forever[i] = forever[--forever_n];
            break;
        }
    }
    pthread_mutex_unlock(&forever_mu);
    RedisModule_UnblockClient(bc, NULL);
}

static int t_forever(RedisModuleCtx *ctx, RedisModuleString **argv, int argc) {
    REDISMODULE_NOT_USED(argv);
    if (argc != 1) return RedisModule_WrongArity(ctx);
    pthread_mutex_lock(&forever_mu);
    int full = forever_n == (int)(sizeof(forever) / sizeof(forever[0]));
    pthread_mutex_unlock(&forever_mu);
    if (full) return RedisModule_ReplyWithError(ctx, "ERR too many");
    RedisModuleBlockedClient *bc = RedisModule_BlockClient(ctx, reply_value, NULL, free_priv, 0);
    if (RedisModule_GetContextFlags(ctx) & (REDISMODULE_CTX_FLAGS_MULTI | REDISMODULE_CTX_FLAGS_LUA)) {
        RedisModule_UnblockClient(bc, NULL);
        return REDISMODULE_OK;
    }
    RedisModule_SetDisconnectCallback(bc, on_disconnect);
    pthread_mutex_lock(&forever_mu);
    forever[forever_n++] = bc;
    pthread_mutex_unlock(&forever_mu);
    return REDISMODULE_OK;
}

static int t_release(RedisModuleCtx *ctx, RedisModuleString **argv, int argc) {
    if (argc != 2) return RedisModule_WrongArity(ctx);
    long long value;
    if (RedisModule_StringToLongLong(argv[1], &value) != REDISMODULE_OK)
        return RedisModule_ReplyWithError(ctx, "ERR bad number");
    pthread_mutex_lock(&forever_mu);
    int n = forever_n;
    for (int i = 0; i < n; i++) {
        tb_priv *p = RedisModule_Alloc(sizeof(*p));
        p->value = value;
        RedisModule_UnblockClient(forever[i], p);
    }
    forever_n = 0;
    pthread_mutex_unlock(&forever_mu);
    return RedisModule_ReplyWithLongLong(ctx, n);
}

/* Private data of a keys block: callbacks still to decline. */
typedef struct {
    long long need, calls;
} keys_priv;

static void free_keys_priv(RedisModuleCtx *ctx, void *p) {
    REDISMODULE_NOT_USED(ctx);
    st_frees++;
    RedisModule_Free(p);
}

static int reply_keys(RedisModuleCtx *ctx, RedisModuleString **argv, int argc) {
    REDISMODULE_NOT_USED(argv);
    REDISMODULE_NOT_USED(argc);
    keys_priv *p = RedisModule_GetBlockedClientPrivateData(ctx);
    p->calls++;
    if (p->calls < p->need) return REDISMODULE_ERR;
    RedisModuleString *key = RedisModule_GetBlockedClientReadyKey(ctx);
    RedisModule_ReplyWithArray(ctx, 2);
    RedisModule_ReplyWithString(ctx, key);
    RedisModule_ReplyWithLongLong(ctx, p->calls);
    return REDISMODULE_OK;
}

static int reply_keys_timeout(RedisModuleCtx *ctx, RedisModuleString **argv, int argc) {
    REDISMODULE_NOT_USED(argv);
    REDISMODULE_NOT_USED(argc);
    st_timeouts++;
    return RedisModule_ReplyWithSimpleString(ctx, "keys-timeout");
}

static int block_keys(RedisModuleCtx *ctx, RedisModuleString **argv, int argc, long long need, int del) {
    long long ms;
    if (RedisModule_StringToLongLong(argv[1], &ms) != REDISMODULE_OK)
        return RedisModule_ReplyWithError(ctx, "ERR bad number");
    keys_priv *p = RedisModule_Alloc(sizeof(*p));
    p->need = need;
    p->calls = 0;
    if (del) {
        if (!RMAPI_FUNC_SUPPORTED(RedisModule_BlockClientOnKeysWithFlags)) {
            RedisModule_Free(p);
            return RedisModule_ReplyWithError(ctx, "ERR unsupported");
        }
        RedisModule_BlockClientOnKeysWithFlags(ctx, reply_keys, reply_keys_timeout, free_keys_priv, ms,
                                               argv + 2, 1, p, REDISMODULE_BLOCK_UNBLOCK_DELETED);
    } else {
        RedisModule_BlockClientOnKeys(ctx, reply_keys, reply_keys_timeout, free_keys_priv, ms, argv + 3, argc - 3, p);
    }
    return REDISMODULE_OK;
}

static int t_keys(RedisModuleCtx *ctx, RedisModuleString **argv, int argc) {
    if (argc < 4) return RedisModule_WrongArity(ctx);
    long long need;
    if (RedisModule_StringToLongLong(argv[2], &need) != REDISMODULE_OK)
        return RedisModule_ReplyWithError(ctx, "ERR bad number");
    return block_keys(ctx, argv, argc, need, 0);
}

static int t_keysdel(RedisModuleCtx *ctx, RedisModuleString **argv, int argc) {
    if (argc != 3) return RedisModule_WrongArity(ctx);
    return block_keys(ctx, argv, argc, 1, 1);
}

static int t_signal(RedisModuleCtx *ctx, RedisModuleString **argv, int argc) {
    if (argc != 2) return RedisModule_WrongArity(ctx);
    RedisModule_SignalKeyAsReady(ctx, argv[1]);
    return RedisModule_ReplyWithSimpleString(ctx, "OK");
}

static int t_abort(RedisModuleCtx *ctx, RedisModuleString **argv, int argc) {
    REDISMODULE_NOT_USED(argv);
    REDISMODULE_NOT_USED(argc);
    RedisModuleBlockedClient *bc = RedisModule_BlockClient(ctx, reply_value, reply_timeout, free_priv, 0);
    RedisModule_AbortBlock(bc);
    return RedisModule_ReplyWithError(ctx, "ERR aborted");
}

static void *ts_reply(void *arg) {
    thread_arg *a = arg;
    RedisModuleCtx *ts = RedisModule_GetThreadSafeContext(a->bc);
    RedisModule_ReplyWithArray(ts, a->value);
    for (long long i = 1; i <= a->value; i++) RedisModule_ReplyWithLongLong(ts, i);
    RedisModule_FreeThreadSafeContext(ts);
    RedisModule_UnblockClient(a->bc, NULL);
    RedisModule_Free(a);
    return NULL;
}

typedef struct {
    RedisModuleBlockedClient *bc;
    RedisModuleString *key, *value;
} write_arg;

static void *ts_write(void *arg) {
    write_arg *a = arg;
    RedisModuleCtx *ts = RedisModule_GetThreadSafeContext(a->bc);
    RedisModule_ThreadSafeContextLock(ts);
    RedisModuleCallReply *r = RedisModule_Call(ts, "SET", "!ss", a->key, a->value);
    if (r) RedisModule_FreeCallReply(r);
    RedisModule_FreeString(ts, a->key);
    RedisModule_FreeString(ts, a->value);
    RedisModule_ThreadSafeContextUnlock(ts);
    RedisModule_ReplyWithSimpleString(ts, r ? "OK" : "ERR call failed");
    RedisModule_FreeThreadSafeContext(ts);
    RedisModule_UnblockClient(a->bc, NULL);
    RedisModule_Free(a);
    return NULL;
}

static int t_tswrite(RedisModuleCtx *ctx, RedisModuleString **argv, int argc) {
    if (argc != 3) return RedisModule_WrongArity(ctx);
    RedisModuleBlockedClient *bc = RedisModule_BlockClient(ctx, NULL, NULL, NULL, 0);
    write_arg *a = RedisModule_Alloc(sizeof(*a));
    a->bc = bc;
    a->key = RedisModule_CreateStringFromString(NULL, argv[1]);
    a->value = RedisModule_CreateStringFromString(NULL, argv[2]);
    if (spawn(ts_write, a) != 0) {
        RedisModule_AbortBlock(bc);
        RedisModule_FreeString(NULL, a->key);
        RedisModule_FreeString(NULL, a->value);
        RedisModule_Free(a);
        return RedisModule_ReplyWithError(ctx, "ERR can't start thread");
    }
    return REDISMODULE_OK;
}

static void *ts_error(void *arg) {
    write_arg *a = arg;
    RedisModuleCtx *ts = RedisModule_GetThreadSafeContext(a->bc);
    RedisModule_ReplyWithError(ts, RedisModule_StringPtrLen(a->value, NULL));
    RedisModule_FreeThreadSafeContext(ts);
    RedisModule_UnblockClient(a->bc, NULL);
    RedisModule_FreeString(NULL, a->value);
    RedisModule_Free(a);
    return NULL;
}

static int t_tserror(RedisModuleCtx *ctx, RedisModuleString **argv, int argc) {
    if (argc != 2) return RedisModule_WrongArity(ctx);
    RedisModuleBlockedClient *bc = RedisModule_BlockClient(ctx, NULL, NULL, NULL, 0);
    write_arg *a = RedisModule_Alloc(sizeof(*a));
    a->bc = bc;
    a->key = NULL;
    a->value = RedisModule_CreateStringFromString(NULL, argv[1]);
    if (spawn(ts_error, a) != 0) {
        RedisModule_AbortBlock(bc);
        RedisModule_FreeString(NULL, a->value);
        RedisModule_Free(a);
        return RedisModule_ReplyWithError(ctx, "ERR can't start thread");
    }
    return REDISMODULE_OK;
}

static int t_tsreply(RedisModuleCtx *ctx, RedisModuleString **argv, int argc) {
    if (argc != 2) return RedisModule_WrongArity(ctx);
    long long n;
    if (RedisModule_StringToLongLong(argv[1], &n) != REDISMODULE_OK || n < 0)
        return RedisModule_ReplyWithError(ctx, "ERR bad number");
    RedisModuleBlockedClient *bc = RedisModule_BlockClient(ctx, NULL, NULL, NULL, 0);
    thread_arg *a = RedisModule_Alloc(sizeof(*a));
    a->bc = bc;
    a->ms = 0;
    a->value = n;
    if (spawn(ts_reply, a) != 0) {
        RedisModule_AbortBlock(bc);
        RedisModule_Free(a);
        return RedisModule_ReplyWithError(ctx, "ERR can't start thread");
    }
    return REDISMODULE_OK;
}

static int t_priv(RedisModuleCtx *ctx, RedisModuleString **argv, int argc) {
    REDISMODULE_NOT_USED(argv);
    REDISMODULE_NOT_USED(argc);
    if (!RMAPI_FUNC_SUPPORTED(RedisModule_BlockClientGetPrivateData)) {
        return RedisModule_ReplyWithError(ctx, "ERR unsupported");
    }
    RedisModuleBlockedClient *bc = RedisModule_BlockClient(ctx, NULL, NULL, free_priv, 0);
    tb_priv *p = RedisModule_Alloc(sizeof(*p));
    p->value = 7;
    int getset = RedisModule_BlockClientGetPrivateData(bc) == NULL;
    RedisModule_BlockClientSetPrivateData(bc, p);
    getset = getset && RedisModule_BlockClientGetPrivateData(bc) == p;
    int end_first = RedisModule_BlockedClientMeasureTimeEnd(bc) == REDISMODULE_ERR;
    int measure = RedisModule_BlockedClientMeasureTimeStart(bc) == REDISMODULE_OK &&
                  RedisModule_BlockedClientMeasureTimeEnd(bc) == REDISMODULE_OK;
    /* No reply callback: the command's own reply is the only one; the
     * private data is released by free_priv. */
    RedisModule_UnblockClient(bc, p);
    RedisModule_ReplyWithArray(ctx, 3);
    RedisModule_ReplyWithLongLong(ctx, getset);
    RedisModule_ReplyWithLongLong(ctx, end_first);
    return RedisModule_ReplyWithLongLong(ctx, measure);
}

static int t_stats(RedisModuleCtx *ctx, RedisModuleString **argv, int argc) {
    REDISMODULE_NOT_USED(argv);
    REDISMODULE_NOT_USED(argc);
    RedisModule_ReplyWithArray(ctx, 4);
    RedisModule_ReplyWithLongLong(ctx, st_disconnects);
    RedisModule_ReplyWithLongLong(ctx, st_frees);
    RedisModule_ReplyWithLongLong(ctx, st_frees_disc);
    return RedisModule_ReplyWithLongLong(ctx, st_timeouts);
}

static int t_reset(RedisModuleCtx *ctx, RedisModuleString **argv, int argc) {
    REDISMODULE_NOT_USED(argv);
    REDISMODULE_NOT_USED(argc);
    st_disconnects = st_frees = st_frees_disc = st_timeouts = 0;
    return RedisModule_ReplyWithSimpleString(ctx, "OK");
}

int RedisModule_OnLoad(RedisModuleCtx *ctx, RedisModuleString **argv, int argc) {
    REDISMODULE_NOT_USED(argv);
    REDISMODULE_NOT_USED(argc);
    if (RedisModule_Init(ctx, "tblock", 1, REDISMODULE_APIVER_1) == REDISMODULE_ERR) return REDISMODULE_ERR;
    static const struct {
        const char *name;
        RedisModuleCmdFunc fn;
        const char *flags;
        int first, last;
    } cmds[] = {
        {"tblock.thread", t_thread, "", 0, 0},
        {"tblock.measured", t_measured, "", 0, 0},
        {"tblock.timeout", t_timeout, "", 0, 0},
        {"tblock.forever", t_forever, "", 0, 0},
        {"tblock.release", t_release, "", 0, 0},
        {"tblock.keys", t_keys, "", 3, -1},
        {"tblock.keysdel", t_keysdel, "", 2, 2},
        {"tblock.signal", t_signal, "", 1, 1},
        {"tblock.abort", t_abort, "", 0, 0},
        {"tblock.tsreply", t_tsreply, "", 0, 0},
        {"tblock.tswrite", t_tswrite, "write", 1, 1},
        {"tblock.tserror", t_tserror, "", 0, 0},
        {"tblock.priv", t_priv, "", 0, 0},
        {"tblock.stats", t_stats, "", 0, 0},
        {"tblock.reset", t_reset, "", 0, 0},
    };
    for (size_t i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++) {
        if (RedisModule_CreateCommand(ctx, cmds[i].name, cmds[i].fn, cmds[i].flags, cmds[i].first, cmds[i].last, 1) ==
            REDISMODULE_ERR)
            return REDISMODULE_ERR;
    }
    return REDISMODULE_OK;
}
