/*
 * api_notify.h - calling module keyspace-notification callbacks and
 * post-notification jobs from Go in one crossing each (api_notify.c).
 */
#ifndef MODHOST_API_NOTIFY_H
#define MODHOST_API_NOTIFY_H

#include <stddef.h>

#include "ctx.h"

/* Calls a RedisModuleNotificationFunc with event (elen bytes, copied and
 * NUL-terminated here) and a module string made from key (klen bytes),
 * released after the callback (a module that retained it keeps it). */
void mh_notify_call(RedisModuleCtx *ctx, RedisModuleNotificationFunc fn, int type,
                    const char *event, size_t elen, const char *key, size_t klen);

/* Calls a post-notification job, then its free_pd (if any) on pd. */
void mh_postjob_call(RedisModuleCtx *ctx, RedisModulePostNotificationJobFunc fn, void *pd,
                     void (*free_pd)(void *));

#endif /* MODHOST_API_NOTIFY_H */
