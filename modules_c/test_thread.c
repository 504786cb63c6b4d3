/*
 * test_thread.c - coverage module for "Thread Safe Contexts".
 *
 *   TTHREAD.RACE n        -> starts a thread that, n times, takes
 *                            ThreadSafeContextLock and increments the
 *                            shared counter non-atomically; replies OK
 *   TTHREAD.INCR          -> increments the same counter (under the
 *                            command's lock), non-atomically; replies it
 *   TTHREAD.WAIT          -> blocks until the RACE thread is done, then
 *                            replies the counter
 *   TTHREAD.TRYLOCK       -> a thread tries ThreadSafeContextTryLock while
 *                            this command holds the lock; replies
 *                            [failed(1|0), errno==EBUSY(1|0)]
 *   TTHREAD.DETACHED      -> a detached context logs from a thread and
 *                            locks/unlocks; replies OK when done
 *   TTHREAD.UNBOUND       -> GetThreadSafeContext(NULL): replies through it
 *                            are dropped; replies OK
 */
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdlib.h>

#include "redismodule.h"

static volatile long long counter;
static pthread_mutex_t race_mu = PTHREAD_MUTEX_INITIALIZER;
static int race_running;
static RedisModuleBlockedClient *race_waiter;
static RedisModuleCtx *detached;

static void bump(void) {
    long long v = counter;
    sched_yield(); /* widen the window a missing lock would expose */
    counter = v + 1;
}

static void wake_waiter(void) {
    pthread_mutex_lock(&race_mu);
    race_running = 0;
    RedisModuleBlockedClient *w = race_waiter;
    race_waiter = NULL;
    pthread_mutex_unlock(&race_mu);
    if (w != NULL) RedisModule_UnblockClient(w, NULL);
}

static void *race_thread(void *arg) {
    long long n = (long long)(intptr_t)arg;
    RedisModuleCtx *ts = RedisModule_GetThreadSafeContext(NULL);
    for (long long i = 0; i < n; i++) {
        RedisModule_ThreadSafeContextLock(ts);
        bump();
        RedisModule_ThreadSafeContextUnlock(ts);
    }
    RedisModule_FreeThreadSafeContext(ts);
    wake_waiter();
    return NULL;
}

static int t_race(RedisModuleCtx *ctx, RedisModuleString **argv, int argc) {
    if (argc != 2) return RedisModule_WrongArity(ctx);
    long long n;
    if (RedisModule_StringToLongLong(argv[1], &n) != REDISMODULE_OK || n < 0)
        return RedisModule_ReplyWithError(ctx, "ERR bad number");
    pthread_mutex_lock(&race_mu);
    if (race_running) {
        pthread_mutex_unlock(&race_mu);
        return RedisModule_ReplyWithError(ctx, "ERR already running");
    }
    race_running = 1;
    pthread_mutex_unlock(&race_mu);
    counter = 0;
    pthread_t tid;
    if (pthread_create(&tid, NULL, race_thread, (void *)(intptr_t)n) != 0) {
        race_running = 0;
        return RedisModule_ReplyWithError(ctx, "ERR can't start thread");
    }
    pthread_detach(tid);
    return RedisModule_ReplyWithSimpleString(ctx, "OK");
}

static int t_incr(RedisModuleCtx *ctx, RedisModuleString **argv, int argc) {
    REDISMODULE_NOT_USED(argv);
    REDISMODULE_NOT_USED(argc);
    bump();
    return RedisModule_ReplyWithLongLong(ctx, counter);
}

static int reply_counter(RedisModuleCtx *ctx, RedisModuleString **argv, int argc) {
    REDISMODULE_NOT_USED(argv);
    REDISMODULE_NOT_USED(argc);
    return RedisModule_ReplyWithLongLong(ctx, counter);
}

static int t_wait(RedisModuleCtx *ctx, RedisModuleString **argv, int argc) {
    REDISMODULE_NOT_USED(argv);
    REDISMODULE_NOT_USED(argc);
    pthread_mutex_lock(&race_mu);
    if (!race_running || race_waiter != NULL) {
        pthread_mutex_unlock(&race_mu);
        return RedisModule_ReplyWithLongLong(ctx, counter);
    }
    race_waiter = RedisModule_BlockClient(ctx, reply_counter, NULL, NULL, 0);
    pthread_mutex_unlock(&race_mu);
    return REDISMODULE_OK;
}

typedef struct {
    int failed, ebusy;
} trylock_result;

static void *trylock_thread(void *arg) {
    trylock_result *r = arg;
    RedisModuleCtx *ts = RedisModule_GetThreadSafeContext(NULL);
    errno = 0;
    if (RedisModule_ThreadSafeContextTryLock(ts) == REDISMODULE_OK) {
        RedisModule_ThreadSafeContextUnlock(ts);
    } else {
        r->failed = 1;
        r->ebusy = errno == EBUSY;
    }
    RedisModule_FreeThreadSafeContext(ts);
    return NULL;
}

static int t_trylock(RedisModuleCtx *ctx, RedisModuleString **argv, int argc) {
    REDISMODULE_NOT_USED(argv);
    REDISMODULE_NOT_USED(argc);
    if (!RMAPI_FUNC_SUPPORTED(RedisModule_ThreadSafeContextTryLock))
        return RedisModule_ReplyWithError(ctx, "ERR unsupported");
    trylock_result r = {0, 0};
    pthread_t tid;
    if (pthread_create(&tid, NULL, trylock_thread, &r) != 0)
        return RedisModule_ReplyWithError(ctx, "ERR can't start thread");
    pthread_join(tid, NULL);
    RedisModule_ReplyWithArray(ctx, 2);
    RedisModule_ReplyWithLongLong(ctx, r.failed);
    return RedisModule_ReplyWithLongLong(ctx, r.ebusy);
}

static void *detached_thread(void *arg) {
    RedisModuleBlockedClient *bc = arg;
    RedisModule_ThreadSafeContextLock(detached);
    RedisModule_Log(detached, "notice", "tthread: detached context line");
    RedisModule_ThreadSafeContextUnlock(detached);
    RedisModule_UnblockClient(bc, NULL);
    return NULL;
}

static int reply_ok(RedisModuleCtx *ctx, RedisModuleString **argv, int argc) {
    REDISMODULE_NOT_USED(argv);
    REDISMODULE_NOT_USED(argc);
    return RedisModule_ReplyWithSimpleString(ctx, "OK");
}

static int t_detached(RedisModuleCtx *ctx, RedisModuleString **argv, int argc) {
    REDISMODULE_NOT_USED(argv);
    REDISMODULE_NOT_USED(argc);
    RedisModuleBlockedClient *bc = RedisModule_BlockClient(ctx, reply_ok, NULL, NULL, 0);
    pthread_t tid;
    if (pthread_create(&tid, NULL, detached_thread, bc) != 0) {
        RedisModule_AbortBlock(bc);
        return RedisModule_ReplyWithError(ctx, "ERR can't start thread");
    }
    pthread_detach(tid);
    return REDISMODULE_OK;
}

static int t_unbound(RedisModuleCtx *ctx, RedisModuleString **argv, int argc) {
    REDISMODULE_NOT_USED(argv);
    REDISMODULE_NOT_USED(argc);
    RedisModuleCtx *ts = RedisModule_GetThreadSafeContext(NULL);
    RedisModule_ReplyWithSimpleString(ts, "dropped");
    RedisModule_FreeThreadSafeContext(ts);
    return RedisModule_ReplyWithSimpleString(ctx, "OK");
}

int RedisModule_OnLoad(RedisModuleCtx *ctx, RedisModuleString **argv, int argc) {
    REDISMODULE_NOT_USED(argv);
    REDISMODULE_NOT_USED(argc);
    if (RedisModule_Init(ctx, "tthread", 1, REDISMODULE_APIVER_1) == REDISMODULE_ERR) return REDISMODULE_ERR;
    detached = RedisModule_GetDetachedThreadSafeContext(ctx);
    if (RedisModule_CreateCommand(ctx, "tthread.race", t_race, "", 0, 0, 0) == REDISMODULE_ERR ||
        RedisModule_CreateCommand(ctx, "tthread.incr", t_incr, "", 0, 0, 0) == REDISMODULE_ERR ||
        RedisModule_CreateCommand(ctx, "tthread.wait", t_wait, "", 0, 0, 0) == REDISMODULE_ERR ||
        RedisModule_CreateCommand(ctx, "tthread.trylock", t_trylock, "", 0, 0, 0) == REDISMODULE_ERR ||
        RedisModule_CreateCommand(ctx, "tthread.detached", t_detached, "", 0, 0, 0) == REDISMODULE_ERR ||
        RedisModule_CreateCommand(ctx, "tthread.unbound", t_unbound, "", 0, 0, 0) == REDISMODULE_ERR)
        return REDISMODULE_ERR;
    return REDISMODULE_OK;
}
