/*
 * test_events.c - coverage module for server events and Yield.
 *
 * On load it subscribes (when the server has the API) to FlushDB,
 * ClientChange, CronLoop, ModuleChange, SwapDB, Config, Persistence,
 * Loading, Shutdown, ReplicationRoleChanged, MasterLinkChange and ReplicaChange,
 * and records each event as a line:
 *
 *   flush:<sub>:sync=<s>:db=<dbnum>:sel=<selected db>
 *   client:<sub>:known=<GetClientInfoById ok>:db=<db>:self=<info.id == ctx client id>
 *   module:<sub>:<name>:<version>     swapdb:<first>:<second>
 *   config:<name>,<name>...           persistence:<sub>     loading:<sub>
 *   role:<sub>:master=<m>:host=<masterhost>:port=<port>     masterlink:<sub>
 *   replica:<sub>:data=<data != NULL>
 *
 * CronLoop only keeps the last hz; Shutdown logs a warning line
 * "test_events: shutdown event".
 *
 *   TEVENTS.LIST              -> the recorded lines, oldest first; clears
 *   TEVENTS.HZ                -> hz of the last CronLoop event (0: none yet)
 *   TEVENTS.SUPPORTED id sub  -> IsSubEventSupported({id,1}, sub)
 *   TEVENTS.UNSUB id          -> SubscribeToServerEvent({id,1}, NULL)
 *   TEVENTS.SLEEPS            -> [BEFORE_SLEEP count, AFTER_SLEEP count] of
 *                                the EventLoop event
 *   TEVENTS.BUSY ms [reply]   -> loops ms milliseconds calling
 *                                Yield(CLIENTS, reply); replies the number
 *                                of Yield calls made
 *   TEVENTS.CACHED            -> 1 if CachedMicroseconds stays the same
 *                                across a short busy wait, else 0
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "redismodule.h"

#define MAX_LINES 256

static char *lines[MAX_LINES];
static int nlines;
static int last_hz;
static long long before_sleeps, after_sleeps;

static void push(const char *line) {
    if (nlines < MAX_LINES) lines[nlines++] = RedisModule_Strdup(line);
}

static void on_event(RedisModuleCtx *ctx, RedisModuleEvent e, uint64_t sub, void *data) {
    char buf[256];
    buf[0] = 0;
    switch (e.id) {
    case REDISMODULE_EVENT_FLUSHDB: {
        RedisModuleFlushInfo *fi = data;
        snprintf(buf, sizeof(buf), "flush:%d:sync=%d:db=%d:sel=%d", (int)sub, (int)fi->sync, (int)fi->dbnum,
                 RedisModule_GetSelectedDb(ctx));
        break;
    }
    case REDISMODULE_EVENT_CLIENT_CHANGE: {
        RedisModuleClientInfo *ci = data;
        RedisModuleClientInfo again = REDISMODULE_CLIENTINFO_INITIALIZER_V1;
        int known = RedisModule_GetClientInfoById(&again, ci->id) == REDISMODULE_OK;
        snprintf(buf, sizeof(buf), "client:%d:known=%d:db=%d:self=%d", (int)sub, known, (int)ci->db,
                 ci->id == RedisModule_GetClientId(ctx));
        break;
    }
    case REDISMODULE_EVENT_EVENTLOOP:
        if (sub == REDISMODULE_SUBEVENT_EVENTLOOP_BEFORE_SLEEP) before_sleeps++;
        else if (sub == REDISMODULE_SUBEVENT_EVENTLOOP_AFTER_SLEEP) after_sleeps++;
        return;
    case REDISMODULE_EVENT_CRON_LOOP:
        last_hz = ((RedisModuleCronLoop *)data)->hz;
        return;
    case REDISMODULE_EVENT_MODULE_CHANGE: {
        RedisModuleModuleChange *mc = data;
        snprintf(buf, sizeof(buf), "module:%d:%s:%d", (int)sub, mc->module_name, (int)mc->module_version);
        break;
    }
    case REDISMODULE_EVENT_SWAPDB: {
        RedisModuleSwapDbInfo *si = data;
        snprintf(buf, sizeof(buf), "swapdb:%d:%d", (int)si->dbnum_first, (int)si->dbnum_second);
        break;
    }
    case REDISMODULE_EVENT_CONFIG: {
        RedisModuleConfigChange *cc = data;
        size_t off = (size_t)snprintf(buf, sizeof(buf), "config:");
        for (uint32_t i = 0; i < cc->num_changes && off < sizeof(buf); i++)
            off += (size_t)snprintf(buf + off, sizeof(buf) - off, "%s%s", i ? "," : "", cc->config_names[i]);
        break;
    }
    case REDISMODULE_EVENT_PERSISTENCE:
        snprintf(buf, sizeof(buf), "persistence:%d", (int)sub);
        break;
    case REDISMODULE_EVENT_LOADING:
        snprintf(buf, sizeof(buf), "loading:%d", (int)sub);
        break;
    case REDISMODULE_EVENT_REPLICATION_ROLE_CHANGED: {
        RedisModuleReplicationInfoV1 *ri = data;
        snprintf(buf, sizeof(buf), "role:%d:master=%d:host=%s:port=%d", (int)sub, ri->master, ri->masterhost,
                 ri->masterport);
        break;
    }
    case REDISMODULE_EVENT_MASTER_LINK_CHANGE:
        snprintf(buf, sizeof(buf), "masterlink:%d", (int)sub);
        break;
    case REDISMODULE_EVENT_REPLICA_CHANGE:
        snprintf(buf, sizeof(buf), "replica:%d:data=%d", (int)sub, data != NULL);
        break;
    case REDISMODULE_EVENT_SHUTDOWN:
        RedisModule_Log(ctx, "warning", "test_events: shutdown event");
        return;
    }
    if (buf[0]) push(buf);
}

static int t_list(RedisModuleCtx *ctx, RedisModuleString **argv, int argc) {
    REDISMODULE_NOT_USED(argv);
    REDISMODULE_NOT_USED(argc);
    int n = nlines;
    nlines = 0;
    RedisModule_ReplyWithArray(ctx, n);
    for (int i = 0; i < n; i++) {
        RedisModule_ReplyWithSimpleString(ctx, lines[i]);
        RedisModule_Free(lines[i]);
    }
    return REDISMODULE_OK;
}

static int t_hz(RedisModuleCtx *ctx, RedisModuleString **argv, int argc) {
    REDISMODULE_NOT_USED(argv);
    REDISMODULE_NOT_USED(argc);
    return RedisModule_ReplyWithLongLong(ctx, last_hz);
}

static int t_supported(RedisModuleCtx *ctx, RedisModuleString **argv, int argc) {
    long long id, sub;
    if (argc != 3) return RedisModule_WrongArity(ctx);
    if (RedisModule_StringToLongLong(argv[1], &id) != REDISMODULE_OK ||
        RedisModule_StringToLongLong(argv[2], &sub) != REDISMODULE_OK)
        return RedisModule_ReplyWithError(ctx, "ERR bad number");
    if (!RMAPI_FUNC_SUPPORTED(RedisModule_IsSubEventSupported)) return RedisModule_ReplyWithNull(ctx);
    RedisModuleEvent e = {.id = (uint64_t)id, .dataver = 1};
    return RedisModule_ReplyWithLongLong(ctx, RedisModule_IsSubEventSupported(e, (uint64_t)sub) != 0);
}

static int t_unsub(RedisModuleCtx *ctx, RedisModuleString **argv, int argc) {
    long long id;
    if (argc != 2) return RedisModule_WrongArity(ctx);
    if (RedisModule_StringToLongLong(argv[1], &id) != REDISMODULE_OK)
        return RedisModule_ReplyWithError(ctx, "ERR bad number");
    RedisModuleEvent e = {.id = (uint64_t)id, .dataver = 1};
    if (RedisModule_SubscribeToServerEvent(ctx, e, NULL) != REDISMODULE_OK)
        return RedisModule_ReplyWithError(ctx, "ERR unsubscribe failed");
    return RedisModule_ReplyWithSimpleString(ctx, "OK");
}

static long long now_ms(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int t_busy(RedisModuleCtx *ctx, RedisModuleString **argv, int argc) {
    long long ms;
    if (argc < 2 || argc > 3) return RedisModule_WrongArity(ctx);
    if (RedisModule_StringToLongLong(argv[1], &ms) != REDISMODULE_OK)
        return RedisModule_ReplyWithError(ctx, "ERR bad number");
    const char *reply = argc == 3 ? RedisModule_StringPtrLen(argv[2], NULL) : NULL;
    long long end = now_ms() + ms, calls = 0;
    while (now_ms() < end) {
        if (RMAPI_FUNC_SUPPORTED(RedisModule_Yield)) RedisModule_Yield(ctx, REDISMODULE_YIELD_FLAG_CLIENTS, reply);
        calls++;
    }
    return RedisModule_ReplyWithLongLong(ctx, calls > 0);
}

static int t_cached(RedisModuleCtx *ctx, RedisModuleString **argv, int argc) {
    REDISMODULE_NOT_USED(argv);
    REDISMODULE_NOT_USED(argc);
    if (!RMAPI_FUNC_SUPPORTED(RedisModule_CachedMicroseconds)) return RedisModule_ReplyWithNull(ctx);
    ustime_t a = RedisModule_CachedMicroseconds();
    long long end = now_ms() + 3;
    while (now_ms() < end) {
    }
    ustime_t b = RedisModule_CachedMicroseconds();
    return RedisModule_ReplyWithLongLong(ctx, a == b && a > 0);
}

static const uint64_t events[] = {
    REDISMODULE_EVENT_FLUSHDB,  REDISMODULE_EVENT_CLIENT_CHANGE, REDISMODULE_EVENT_CRON_LOOP,
    REDISMODULE_EVENT_MODULE_CHANGE, REDISMODULE_EVENT_SWAPDB,   REDISMODULE_EVENT_CONFIG,
    REDISMODULE_EVENT_PERSISTENCE, REDISMODULE_EVENT_LOADING,    REDISMODULE_EVENT_SHUTDOWN,
    REDISMODULE_EVENT_EVENTLOOP, REDISMODULE_EVENT_REPLICATION_ROLE_CHANGED, REDISMODULE_EVENT_MASTER_LINK_CHANGE,
    REDISMODULE_EVENT_REPLICA_CHANGE,
};

static int t_sleeps(RedisModuleCtx *ctx, RedisModuleString **argv, int argc) {
    REDISMODULE_NOT_USED(argv);
    REDISMODULE_NOT_USED(argc);
    RedisModule_ReplyWithArray(ctx, 2);
    RedisModule_ReplyWithLongLong(ctx, before_sleeps);
    return RedisModule_ReplyWithLongLong(ctx, after_sleeps);
}

int RedisModule_OnLoad(RedisModuleCtx *ctx, RedisModuleString **argv, int argc) {
    REDISMODULE_NOT_USED(argv);
    REDISMODULE_NOT_USED(argc);
    if (RedisModule_Init(ctx, "testevents", 1, REDISMODULE_APIVER_1) == REDISMODULE_ERR) return REDISMODULE_ERR;
    for (size_t i = 0; i < sizeof(events) / sizeof(events[0]); i++) {
        RedisModuleEvent e = {.id = events[i], .dataver = 1};
        if (RedisModule_SubscribeToServerEvent(ctx, e, on_event) != REDISMODULE_OK) return REDISMODULE_ERR;
    }
    struct {
        const char *name;
        RedisModuleCmdFunc fn;
    } cmds[] = {
        {"tevents.list", t_list},   {"tevents.hz", t_hz},         {"tevents.supported", t_supported},
        {"tevents.unsub", t_unsub}, {"tevents.busy", t_busy},     {"tevents.cached", t_cached},
        {"tevents.sleeps", t_sleeps},
    };
    for (size_t i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++)
        if (RedisModule_CreateCommand(ctx, cmds[i].name, cmds[i].fn, "", 0, 0, 0) == REDISMODULE_ERR)
            return REDISMODULE_ERR;
    return REDISMODULE_OK;
}
