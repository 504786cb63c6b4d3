/*
 * api_block.h - the C side of blocked clients, thread-safe contexts,
 * timers and the event loop (api_block.c): the handle modules hold for a
 * blocked client and the calls into module callbacks.
 */
#ifndef MODHOST_API_BLOCK_H
#define MODHOST_API_BLOCK_H

#include <stdint.h>

#include "ctx.h"

/* What RedisModule_BlockClient & co return. Private data lives here so
 * that BlockClientGetPrivateData/SetPrivateData stay in C. */
struct RedisModuleBlockedClient {
    uintptr_t handle;      /* cgo.Handle of the Go *blockedClient */
    void *privdata;        /* UnblockClient / BlockClientOnKeys private data */
    uint64_t timer_start;  /* BlockedClientMeasureTimeStart, monotonic us (0: unset) */
    uint64_t background_us; /* accumulated measured background time */
};

/* Allocates a zeroed blocked-client handle bound to handle. */
RedisModuleBlockedClient *mh_bc_new(uintptr_t handle, void *privdata);
/* Frees a handle made by mh_bc_new. */
void mh_bc_free(RedisModuleBlockedClient *bc);

/* Calls free_privdata(ctx, privdata). */
void mh_call_free_privdata(void *fn, RedisModuleCtx *ctx, void *privdata);
/* Calls a RedisModuleDisconnectFunc. */
void mh_call_disconnect(void *fn, RedisModuleCtx *ctx, RedisModuleBlockedClient *bc);
/* Calls a RedisModuleTimerProc. */
void mh_call_timer(void *fn, RedisModuleCtx *ctx, void *data);
/* Calls a RedisModuleEventLoopFunc. */
void mh_call_eventloop(void *fn, int fd, void *user_data, int mask);
/* Calls a RedisModuleEventLoopOneShotFunc. */
void mh_call_oneshot(void *fn, void *user_data);

/* Stores *out = v when out is not NULL (StopTimer, GetTimerInfo). */
void mh_store_ptr(void **out, void *v);
void mh_store_u64(uint64_t *out, uint64_t v);

#endif /* MODHOST_API_BLOCK_H */
