/*
 * api_promise.h - the Go half of promise call replies (RedisModule_Call
 * with "K" whose command blocked), implemented in api_promise.go.
 */
#ifndef MODHOST_API_PROMISE_H
#define MODHOST_API_PROMISE_H

#include <stdint.h>

/* Drops the reply's reference to the promise behind handle. */
extern void mhv_promise_release(uintptr_t handle);
/* Sets the unblock handler and its private data. */
extern void mhv_promise_set_handler(uintptr_t handle, void *fn, void *privdata);
/* Aborts the blocked command; REDISMODULE_OK or REDISMODULE_ERR. */
extern int mhv_promise_abort(uintptr_t handle, void **privdata);

#endif /* MODHOST_API_PROMISE_H */
