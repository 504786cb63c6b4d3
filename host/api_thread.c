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

/* Go side (api_thread.go). */
extern void mhts_lock(RedisModuleCtx *ctx);
extern int mhts_trylock(RedisModuleCtx *ctx);
extern void mhts_unlock(RedisModuleCtx *ctx);

static pthread_mutex_t mh_ts_gate = PTHREAD_MUTEX_INITIALIZER;

/* Takes the server lock: waits for the other module threads on the gate,
 * then for the running command, batch or callback. */
void mh_ThreadSafeContextLock(RedisModuleCtx *ctx) {
    pthread_mutex_lock(&mh_ts_gate);
    mhts_lock(ctx);
}

/* Takes the server lock if nobody holds it: REDISMODULE_OK, or
 * REDISMODULE_ERR with errno EBUSY. */
int mh_ThreadSafeContextTryLock(RedisModuleCtx *ctx) {
    if (pthread_mutex_trylock(&mh_ts_gate) != 0) {
        errno = EBUSY;
        return REDISMODULE_ERR;
    }
    if (mhts_trylock(ctx) != REDISMODULE_OK) {
        pthread_mutex_unlock(&mh_ts_gate);
        errno = EBUSY;
        return REDISMODULE_ERR;
    }
    return REDISMODULE_OK;
}

/* Serves what the locked section made pending, releases the server lock,
 * then the gate. */
void mh_ThreadSafeContextUnlock(RedisModuleCtx *ctx) {
    mhts_unlock(ctx);
    pthread_mutex_unlock(&mh_ts_gate);
}
