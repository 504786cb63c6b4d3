/*
 * api_events.h - the C side of "Server hooks implementation"
 * (SubscribeToServerEvent): calling a module's event callback with the
 * event's id, subevent and data struct.
 */
#ifndef MODHOST_API_EVENTS_H
#define MODHOST_API_EVENTS_H

#include <stdint.h>

#include "ctx.h"

/* Calls cb(ctx, {id, 1}, sub, data), cb being a RedisModuleEventCallback. */
void mh_event_call(RedisModuleCtx *ctx, void *cb, uint64_t id, uint64_t sub, void *data);

/* Calls cb(ctx, {REDISMODULE_EVENT_KEY, 1}, sub, info), info being a
 * RedisModuleKeyInfoV1 whose key is a read-only handle on the name's len
 * bytes in database dbid, opened in ctx and closed after the call. */
void mh_event_call_key(RedisModuleCtx *ctx, void *cb, uint64_t sub, const char *name, size_t len, int dbid);

/* Go: records or replaces (NULL cb: removes) the module's listener. */
extern int mhev_subscribe(RedisModuleCtx *ctx, uint64_t id, uint64_t dataver, void *cb);

/* Allocates a RedisModuleConfigChange listing n names copied from the
 * NUL-separated buffer names; free it with mh_config_change_free. */
RedisModuleConfigChange *mh_config_change_new(const char *names, uint32_t n);
void mh_config_change_free(RedisModuleConfigChange *cc);

#endif /* MODHOST_API_EVENTS_H */
