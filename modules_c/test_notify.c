/*
 * test_notify.c - coverage module for keyspace notifications.
 *
 * On load it subscribes to every event (ALL | KEYMISS | NEW) and records
 * each as "<type>:<event>:<key>@<db>" (db: the callback's selected db).
 * With the load argument "jobs", an event on a key starting with "job:"
 * adds a post-notification job that INCRs "jobs:done" in that db, and an
 * event on "loop:*" makes the callback itself SET "loopdone:<key>" (which
 * must not call the callback again).
 *
 *   TNOTIFY.EVENTS          -> the recorded events, oldest first; clears
 *   TNOTIFY.FIRE key event  -> NotifyKeyspaceEvent(MODULE, event, key)
 *   TNOTIFY.FLAGS           -> GetNotifyKeyspaceEvents()
 */
#include <string.h>

#include "redismodule.h"

#define MAX_EVENTS 256

static RedisModuleString *events[MAX_EVENTS];
static int nevents;
static int jobs_enabled;

static void job_incr(RedisModuleCtx *ctx, void *pd) {
    REDISMODULE_NOT_USED(pd);
    RedisModuleCallReply *r = RedisModule_Call(ctx, "INCR", "c", "jobs:done");
    if (r) RedisModule_FreeCallReply(r);
}

static int on_event(RedisModuleCtx *ctx, int type, const char *event, RedisModuleString *key) {
    size_t klen;
    const char *k = RedisModule_StringPtrLen(key, &klen);
    if (nevents < MAX_EVENTS) {
        events[nevents++] = RedisModule_CreateStringPrintf(NULL, "%d:%s:%.*s@%d", type, event, (int)klen, k,
                                                           RedisModule_GetSelectedDb(ctx));
    }
    if (!jobs_enabled) return REDISMODULE_OK;
    if (klen > 4 && memcmp(k, "job:", 4) == 0 && RMAPI_FUNC_SUPPORTED(RedisModule_AddPostNotificationJob))
        RedisModule_AddPostNotificationJob(ctx, job_incr, NULL, NULL);
    if (klen > 5 && memcmp(k, "loop:", 5) == 0) {
        RedisModuleString *done = RedisModule_CreateStringPrintf(ctx, "loopdone:%.*s", (int)klen, k);
        RedisModuleCallReply *r = RedisModule_Call(ctx, "SET", "sc", done, "1");
        if (r) RedisModule_FreeCallReply(r);
        RedisModule_FreeString(ctx, done);
    }
    return REDISMODULE_OK;
}

static int t_events(RedisModuleCtx *ctx, RedisModuleString **argv, int argc) {
    REDISMODULE_NOT_USED(argv);
    REDISMODULE_NOT_USED(argc);
    int n = nevents;
    nevents = 0; /* replying may not fire events, but be safe */
    RedisModule_ReplyWithArray(ctx, n);
    for (int i = 0; i < n; i++) {
        RedisModule_ReplyWithString(ctx, events[i]);
        RedisModule_FreeString(NULL, events[i]);
    }
    return REDISMODULE_OK;
}

static int t_fire(RedisModuleCtx *ctx, RedisModuleString **argv, int argc) {
    if (argc != 3) return RedisModule_WrongArity(ctx);
    const char *ev = RedisModule_StringPtrLen(argv[2], NULL);
    if (RedisModule_NotifyKeyspaceEvent(ctx, REDISMODULE_NOTIFY_MODULE, ev, argv[1]) != REDISMODULE_OK)
        return RedisModule_ReplyWithError(ctx, "ERR NotifyKeyspaceEvent failed");
    return RedisModule_ReplyWithSimpleString(ctx, "OK");
}

static int t_flags(RedisModuleCtx *ctx, RedisModuleString **argv, int argc) {
    REDISMODULE_NOT_USED(argv);
    REDISMODULE_NOT_USED(argc);
    return RedisModule_ReplyWithLongLong(ctx, RedisModule_GetNotifyKeyspaceEvents());
}

int RedisModule_OnLoad(RedisModuleCtx *ctx, RedisModuleString **argv, int argc) {
    if (RedisModule_Init(ctx, "tnotify", 1, REDISMODULE_APIVER_1) == REDISMODULE_ERR) return REDISMODULE_ERR;
    for (int i = 0; i < argc; i++)
        if (strcmp(RedisModule_StringPtrLen(argv[i], NULL), "jobs") == 0) jobs_enabled = 1;
    int mask = REDISMODULE_NOTIFY_ALL | REDISMODULE_NOTIFY_KEY_MISS | REDISMODULE_NOTIFY_NEW;
    if (RedisModule_SubscribeToKeyspaceEvents(ctx, mask, on_event) == REDISMODULE_ERR) return REDISMODULE_ERR;
    if (RedisModule_CreateCommand(ctx, "tnotify.events", t_events, "readonly", 0, 0, 0) == REDISMODULE_ERR ||
        RedisModule_CreateCommand(ctx, "tnotify.fire", t_fire, "write", 1, 1, 1) == REDISMODULE_ERR ||
        RedisModule_CreateCommand(ctx, "tnotify.flags", t_flags, "readonly", 0, 0, 0) == REDISMODULE_ERR)
        return REDISMODULE_ERR;
    return REDISMODULE_OK;
}
