/*
 * api_thread.c - the C half of ThreadSafeContextLock/TryLock/Unlock.
 *
 * Module threads first queue on a pthread mutex (the gate) and only then
 * ask Go for the server lock. A thread calling Go from C runs on an OS
 * thread the Go scheduler cannot move, so every time such a caller blocks
 * on, or is handed, a contended Go mutex the runtime parks and wakes two
 * OS threads. With the gate at most one module thread waits inside Go;
 * the others wait the way they wait on Redis's GIL, in the kernel.
 */
#include <errno.h>
#include <pthread.h>

#include "ctx.h"
#include "api_gen.h"
#include "gil.h"

/* Go side (api_thread.go). */
extern void mhts_lock(RedisModuleCtx *ctx);
extern int mhts_trylock(RedisModuleCtx *ctx);
extern void mhts_unlock(RedisModuleCtx *ctx);

static pthread_mutex_t mh_ts_gate = PTHREAD_MUTEX_INITIALIZER;

/* Reports and refuses a thread-safe context already freed. */
static int used_after_free(RedisModuleCtx *ctx, const char *fn) {
    if (ctx == NULL || !(ctx->flags & MH_CTX_FREED)) return 0;
    mh_thread_misuse(fn, "thread-safe context used after FreeThreadSafeContext; ignored");
    return 1;
}

/* Takes the server lock: waits for the other module threads on the gate,
 * then for the running command, batch or callback. A thread that already
 * holds the lock (took it before, or runs a command or callback) would
 * deadlock, as in Redis: the call is reported and ignored instead. */
void mh_ThreadSafeContextLock(RedisModuleCtx *ctx) {
    if (used_after_free(ctx, "ThreadSafeContextLock")) return;
    if (mh_gil == MH_GIL_THREAD) {
        mh_thread_misuse("ThreadSafeContextLock", "taken twice by the same thread (it would deadlock); ignored");
        return;
    }
    if (mh_gil == MH_GIL_HOST) {
        mh_thread_misuse("ThreadSafeContextLock",
                         "called by a thread that already holds the module GIL (it would deadlock); ignored");
        return;
    }
    pthread_mutex_lock(&mh_ts_gate);
    mhts_lock(ctx);
    mh_gil = MH_GIL_THREAD;
}

/* Takes the server lock if nobody holds it: REDISMODULE_OK, or
 * REDISMODULE_ERR with errno EBUSY (also when this thread holds it). */
int mh_ThreadSafeContextTryLock(RedisModuleCtx *ctx) {
    if (used_after_free(ctx, "ThreadSafeContextTryLock") || mh_gil != MH_GIL_NONE) {
        errno = EBUSY;
        return REDISMODULE_ERR;
    }
    if (pthread_mutex_trylock(&mh_ts_gate) != 0) {
        errno = EBUSY;
        return REDISMODULE_ERR;
    }
    if (mhts_trylock(ctx) != REDISMODULE_OK) {
        pthread_mutex_unlock(&mh_ts_gate);
        errno = EBUSY;
        return REDISMODULE_ERR;
    }
    mh_gil = MH_GIL_THREAD;
    return REDISMODULE_OK;
}

/* Serves what the locked section made pending, releases the server lock,
 * then the gate. A thread that did not take the lock is reported and
 * ignored: releasing it would free the lock under its real holder. */
void mh_ThreadSafeContextUnlock(RedisModuleCtx *ctx) {
    if (used_after_free(ctx, "ThreadSafeContextUnlock")) return;
    if (mh_gil != MH_GIL_THREAD) {
        mh_thread_misuse("ThreadSafeContextUnlock", "called by a thread that did not take ThreadSafeContextLock; ignored");
        return;
    }
    mh_gil = MH_GIL_NONE;
    mhts_unlock(ctx);
    pthread_mutex_unlock(&mh_ts_gate);
}
