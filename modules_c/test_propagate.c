/*
 * test_propagate.c - coverage module for Redis 7.2 execution units: what
 * one unit writes reaches replicas and the AOF together, in MULTI/EXEC
 * when it is more than one command.
 *
 * Every keyspace event on a key starting with "w:" makes the handler
 * INCR "n:notify" (with "!", so it is propagated) and queue a
 * post-notification job that INCRs "n:job" ("!" too).
 *
 *   TPROP.TIMER   -> OK; a 1 ms timer then INCRs "w:timer" twice
 *   TPROP.THREAD  -> OK; a thread then, in one ThreadSafeContextLock
 *                    section, INCRs "thread" twice, and INCRs
 *                    "thread:repl" with a Call without "!" followed by
 *                    Replicate of the same INCR
 *   TPROP.DONE    -> how many timer callbacks and threads have finished
 */
#include <pthread.h>
#include <string.h>

#include "redismodule.h"

static int done; /* timers and threads finished (under the server lock) */

static void call_incr(RedisModuleCtx *ctx, const char *key) {
    RedisModuleCallReply *r = RedisModule_Call(ctx, "INCR", "!c", key);
    if (r) RedisModule_FreeCallReply(r);
}

static void job_incr(RedisModuleCtx *ctx, void *pd) {
    REDISMODULE_NOT_USED(pd);
    call_incr(ctx, "n:job");
}

static int on_event(RedisModuleCtx *ctx, int type, const char *event, RedisModuleString *key) {
    REDISMODULE_NOT_USED(type);
    REDISMODULE_NOT_USED(event);
    size_t klen;
    const char *k = RedisModule_StringPtrLen(key, &klen);
    if (klen < 2 || memcmp(k, "w:", 2) != 0) return REDISMODULE_OK;
    call_incr(ctx, "n:notify");
    RedisModule_AddPostNotificationJob(ctx, job_incr, NULL, NULL);
    return REDISMODULE_OK;
}

static void on_timer(RedisModuleCtx *ctx, void *data) {
    REDISMODULE_NOT_USED(data);
    call_incr(ctx, "w:timer");
    call_incr(ctx, "w:timer");
    done++;
}

static int t_timer(RedisModuleCtx *ctx, RedisModuleString **argv, int argc) {
    REDISMODULE_NOT_USED(argv);
    if (argc != 1) return RedisModule_WrongArity(ctx);
    RedisModule_CreateTimer(ctx, 1, on_timer, NULL);
    return RedisModule_ReplyWithSimpleString(ctx, "OK");
}

static void *thread_main(void *arg) {
    RedisModuleCtx *ctx = arg;
    RedisModule_ThreadSafeContextLock(ctx);
    call_incr(ctx, "thread");
    call_incr(ctx, "thread");
    /* Run without "!" (kept out of the stream), then replicated by hand. */
    RedisModuleCallReply *r = RedisModule_Call(ctx, "INCR", "c", "thread:repl");
    if (r) RedisModule_FreeCallReply(r);
    RedisModule_Replicate(ctx, "INCR", "c", "thread:repl");
    done++;
    RedisModule_ThreadSafeContextUnlock(ctx);
    RedisModule_FreeThreadSafeContext(ctx);
    return NULL;
}

static int t_thread(RedisModuleCtx *ctx, RedisModuleString **argv, int argc) {
    REDISMODULE_NOT_USED(argv);
    if (argc != 1) return RedisModule_WrongArity(ctx);
    RedisModuleCtx *tctx = RedisModule_GetDetachedThreadSafeContext(ctx);
    RedisModule_SelectDb(tctx, RedisModule_GetSelectedDb(ctx));
    pthread_t tid;
    if (pthread_create(&tid, NULL, thread_main, tctx) != 0) {
        RedisModule_FreeThreadSafeContext(tctx);
        return RedisModule_ReplyWithError(ctx, "ERR pthread_create failed");
    }
    pthread_detach(tid);
    return RedisModule_ReplyWithSimpleString(ctx, "OK");
}

static int t_done(RedisModuleCtx *ctx, RedisModuleString **argv, int argc) {
    REDISMODULE_NOT_USED(argv);
    if (argc != 1) return RedisModule_WrongArity(ctx);
    return RedisModule_ReplyWithLongLong(ctx, done);
}

int RedisModule_OnLoad(RedisModuleCtx *ctx, RedisModuleString **argv, int argc) {
    REDISMODULE_NOT_USED(argv);
    REDISMODULE_NOT_USED(argc);
    if (RedisModule_Init(ctx, "tprop", 1, REDISMODULE_APIVER_1) == REDISMODULE_ERR) return REDISMODULE_ERR;
    if (RedisModule_SubscribeToKeyspaceEvents(ctx, REDISMODULE_NOTIFY_ALL, on_event) == REDISMODULE_ERR ||
        RedisModule_CreateCommand(ctx, "tprop.timer", t_timer, "", 0, 0, 0) == REDISMODULE_ERR ||
        RedisModule_CreateCommand(ctx, "tprop.thread", t_thread, "", 0, 0, 0) == REDISMODULE_ERR ||
        RedisModule_CreateCommand(ctx, "tprop.done", t_done, "readonly", 0, 0, 0) == REDISMODULE_ERR)
        return REDISMODULE_ERR;
    return REDISMODULE_OK;
}
