/*
 * api_events.c - server events: the callback trampoline, the
 * SubscribeToServerEvent entry point (RedisModuleEvent travels by value,
 * which a Go export cannot take) and IsSubEventSupported.
 */
#include <stdlib.h>
#include <string.h>

#include "api_events.h"
#include "api_gen.h"
#include "api_key.h"
#include "gil.h"
#include "mh_string.h"

typedef void (*mh_event_fn)(RedisModuleCtx *ctx, RedisModuleEvent eid, uint64_t subevent, void *data);

void mh_event_call(RedisModuleCtx *ctx, void *cb, uint64_t id, uint64_t sub, void *data) {
    RedisModuleEvent ev = {.id = id, .dataver = 1};
    MH_HOST_CALLV(((mh_event_fn)cb)(ctx, ev, sub, data));
}

void mh_event_call_key(RedisModuleCtx *ctx, void *cb, uint64_t sub, const char *name, size_t len, int dbid) {
    RedisModuleString *s = mh_string_new(name, len);
    RedisModuleKey *k = mh_key_new(ctx, s, dbid, REDISMODULE_READ);
    mh_string_release(s); /* the handle holds its own reference */
    k->epoch = 0;         /* no cached facts: the first KeyType looks */
    RedisModuleKeyInfoV1 ki = {REDISMODULE_KEYINFO_VERSION, k};
    mh_event_call(ctx, cb, REDISMODULE_EVENT_KEY, sub, &ki);
    mh_CloseKey(k);
}

/* Registers callback for a server event of the module's: it is called with
 * the event, its subevent and the event's data struct (NULL for events
 * without data) under the server lock. Subscribing again replaces the
 * callback; a NULL callback unsubscribes. Every event id Redis knows is
 * accepted; modhost fires Persistence (synchronous saves), FlushDB,
 * Loading (RDB_START, AOF_START, REPL_START on a replica's full sync,
 * ENDED, FAILED), LoadingProgress (RDB and AOF, at most hz a second),
 * ClientChange, Shutdown, CronLoop, ModuleChange, SwapDB, Config,
 * ReplicationRoleChanged (with RedisModuleReplicationInfo), MasterLinkChange,
 * ReplicaChange (on a master: ONLINE when a replica's full or partial sync
 * completes, OFFLINE when an online replica's link ends) and EventLoop (a
 * BEFORE/AFTER_SLEEP pair before each batch of a connection's commands and
 * each cron tick) and Key (DELETED, EXPIRED, EVICTED, OVERWRITTEN: a key
 * about to leave the keyspace, at the points Redis 7.2 fires it, with a
 * read-only handle on the key still holding its value and TTL; lazy
 * expiry is off during the callback, which must not write keys), never
 * fork or async-load events.
 * REDISMODULE_ERR outside a module context, for an unknown id, or a
 * dataver newer than the host's. */
/* modhost:partial no fork or async-load events; BGSAVE fires no persistence events (Redis fires them in its fork child) */
int mh_SubscribeToServerEvent(RedisModuleCtx *ctx, RedisModuleEvent event, RedisModuleEventCallback callback) {
    if (ctx == NULL) return REDISMODULE_ERR;
    return mhev_subscribe(ctx, event.id, event.dataver, (void *)callback);
}

/* Whether modhost fires subevent of event: nonzero for the subevents
 * listed at SubscribeToServerEvent (all four Key subevents), and for the replication subevents
 * (role changed, master link up/down fired by the replica side; replica
 * online/offline fired by the master side). Events without subevents
 * (Shutdown, CronLoop, SwapDB) answer 0 for every value, as in Redis. */
int mh_IsSubEventSupported(RedisModuleEvent event, uint64_t subevent) {
    switch (event.id) {
    case REDISMODULE_EVENT_REPLICATION_ROLE_CHANGED:
        return subevent < _REDISMODULE_EVENT_REPLROLECHANGED_NEXT;
    case REDISMODULE_EVENT_REPLICA_CHANGE:
        return subevent < _REDISMODULE_SUBEVENT_REPLICA_CHANGE_NEXT;
    case REDISMODULE_EVENT_MASTER_LINK_CHANGE:
        return subevent < _REDISMODULE_SUBEVENT_MASTER_NEXT;
    case REDISMODULE_EVENT_PERSISTENCE:
        return subevent == REDISMODULE_SUBEVENT_PERSISTENCE_SYNC_RDB_START ||
               subevent == REDISMODULE_SUBEVENT_PERSISTENCE_SYNC_AOF_START ||
               subevent == REDISMODULE_SUBEVENT_PERSISTENCE_ENDED ||
               subevent == REDISMODULE_SUBEVENT_PERSISTENCE_FAILED;
    case REDISMODULE_EVENT_FLUSHDB:
        return subevent < _REDISMODULE_SUBEVENT_FLUSHDB_NEXT;
    case REDISMODULE_EVENT_LOADING:
        return subevent == REDISMODULE_SUBEVENT_LOADING_RDB_START ||
               subevent == REDISMODULE_SUBEVENT_LOADING_AOF_START ||
               subevent == REDISMODULE_SUBEVENT_LOADING_REPL_START ||
               subevent == REDISMODULE_SUBEVENT_LOADING_ENDED ||
               subevent == REDISMODULE_SUBEVENT_LOADING_FAILED;
    case REDISMODULE_EVENT_CLIENT_CHANGE:
        return subevent < _REDISMODULE_SUBEVENT_CLIENT_CHANGE_NEXT;
    case REDISMODULE_EVENT_LOADING_PROGRESS:
        return subevent < _REDISMODULE_SUBEVENT_LOADING_PROGRESS_NEXT;
    case REDISMODULE_EVENT_MODULE_CHANGE:
        return subevent < _REDISMODULE_SUBEVENT_MODULE_NEXT;
    case REDISMODULE_EVENT_CONFIG:
        return subevent < _REDISMODULE_SUBEVENT_CONFIG_NEXT;
    case REDISMODULE_EVENT_EVENTLOOP:
        return subevent < _REDISMODULE_SUBEVENT_EVENTLOOP_NEXT;
    case REDISMODULE_EVENT_KEY:
        return subevent < _REDISMODULE_SUBEVENT_KEY_NEXT;
    default:
        return 0;
    }
}

RedisModuleConfigChange *mh_config_change_new(const char *names, uint32_t n) {
    RedisModuleConfigChange *cc = calloc(1, sizeof(*cc));
    if (cc == NULL) abort();
    cc->version = REDISMODULE_CONFIGCHANGE_VERSION;
    cc->num_changes = n;
    cc->config_names = calloc(n ? n : 1, sizeof(char *));
    if (cc->config_names == NULL) abort();
    for (uint32_t i = 0; i < n; i++) {
        cc->config_names[i] = strdup(names);
        if (cc->config_names[i] == NULL) abort();
        names += strlen(names) + 1;
    }
    return cc;
}

void mh_config_change_free(RedisModuleConfigChange *cc) {
    if (cc == NULL) return;
    for (uint32_t i = 0; i < cc->num_changes; i++) free((void *)cc->config_names[i]);
    free(cc->config_names);
    free(cc);
}
