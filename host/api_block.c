/*
 * api_block.c - the parts of "Blocking clients from modules" that only
 * read C state (context flags, private data, time measurement) and the
 * calls into module callbacks used by api_block.go, api_timer.go and
 * api_eventloop.go.
 */
#include <stdlib.h>
#include <time.h>

#include "ctx.h"
#include "api_gen.h"
#include "api_block.h"
#include "gil.h"

RedisModuleBlockedClient *mh_bc_new(uintptr_t handle, void *privdata) {
    RedisModuleBlockedClient *bc = calloc(1, sizeof(*bc));
    if (bc == NULL) abort();
    bc->handle = handle;
    bc->privdata = privdata;
    return bc;
}

void mh_bc_free(RedisModuleBlockedClient *bc) {
    free(bc);
}

void mh_call_free_privdata(void *fn, RedisModuleCtx *ctx, void *privdata) {
    MH_HOST_CALLV(((void (*)(RedisModuleCtx *, void *))fn)(ctx, privdata));
}

void mh_call_disconnect(void *fn, RedisModuleCtx *ctx, RedisModuleBlockedClient *bc) {
    MH_HOST_CALLV(((RedisModuleDisconnectFunc)fn)(ctx, bc));
}

void mh_call_timer(void *fn, RedisModuleCtx *ctx, void *data) {
    MH_HOST_CALLV(((RedisModuleTimerProc)fn)(ctx, data));
}

void mh_call_eventloop(void *fn, int fd, void *user_data, int mask) {
    MH_HOST_CALLV(((RedisModuleEventLoopFunc)fn)(fd, user_data, mask));
}

void mh_call_oneshot(void *fn, void *user_data) {
    MH_HOST_CALLV(((RedisModuleEventLoopOneShotFunc)fn)(user_data));
}

void mh_store_ptr(void **out, void *v) {
    if (out != NULL) *out = v;
}

void mh_store_u64(uint64_t *out, uint64_t v) {
    if (out != NULL) *out = v;
}

/* Non-zero inside the reply callback of a blocked client (after
 * UnblockClient, or when a key it waits for became ready), as in Redis. */
int mh_IsBlockedReplyRequest(RedisModuleCtx *ctx) {
    return ctx != NULL && (ctx->flags & MH_CTX_BLOCKED_REPLY) != 0;
}

/* Non-zero inside the timeout callback of a blocked client (timeout, or
 * CLIENT UNBLOCK, or UnblockClient on a client blocked on keys). */
int mh_IsBlockedTimeoutRequest(RedisModuleCtx *ctx) {
    return ctx != NULL && (ctx->flags & MH_CTX_BLOCKED_TIMEOUT) != 0;
}

/* The private data of the blocked client a callback serves: what
 * UnblockClient passed, or BlockClientOnKeys' privdata. */
void *mh_GetBlockedClientPrivateData(RedisModuleCtx *ctx) {
    return ctx != NULL ? ctx->blocked_privdata : NULL;
}

/* The key that was signalled ready, in the reply callback of a client
 * blocked with BlockClientOnKeys; NULL elsewhere. The string belongs to
 * the callback's context. */
RedisModuleString *mh_GetBlockedClientReadyKey(RedisModuleCtx *ctx) {
    return ctx != NULL ? ctx->blocked_ready_key : NULL;
}

/* The blocked client a reply/timeout callback or a bound thread-safe
 * context belongs to; NULL elsewhere. */
RedisModuleBlockedClient *mh_GetBlockedClientHandle(RedisModuleCtx *ctx) {
    return ctx != NULL ? ctx->blocked_client : NULL;
}

/* True in free_privdata when the client disconnected (or timed out)
 * before it was unblocked, as Redis reports it. */
int mh_BlockedClientDisconnected(RedisModuleCtx *ctx) {
    return ctx != NULL && (ctx->flags & MH_CTX_BLOCKED_DISCONNECTED) != 0;
}

/* The private data of a blocked client (set by BlockClientOnKeys,
 * UnblockClient or BlockClientSetPrivateData). */
void *mh_BlockClientGetPrivateData(RedisModuleBlockedClient *blocked_client) {
    return blocked_client != NULL ? blocked_client->privdata : NULL;
}

/* Replaces the private data of a blocked client. */
void mh_BlockClientSetPrivateData(RedisModuleBlockedClient *blocked_client, void *private_data) {
    if (blocked_client != NULL) blocked_client->privdata = private_data;
}

static uint64_t mono_us(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

/* Starts measuring background time of a blocked client; the measured
 * intervals are added to the command's time when it is unblocked. Not
 * thread safe, as in Redis. Always REDISMODULE_OK. */
int mh_BlockedClientMeasureTimeStart(RedisModuleBlockedClient *bc) {
    if (bc == NULL) return REDISMODULE_ERR;
    bc->timer_start = mono_us();
    if (bc->timer_start == 0) bc->timer_start = 1;
    return REDISMODULE_OK;
}

/* Ends a measured interval; REDISMODULE_ERR when MeasureTimeStart was
 * never called. */
int mh_BlockedClientMeasureTimeEnd(RedisModuleBlockedClient *bc) {
    if (bc == NULL || bc->timer_start == 0) return REDISMODULE_ERR;
    bc->background_us += mono_us() - bc->timer_start;
    return REDISMODULE_OK;
}
