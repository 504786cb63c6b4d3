/*
 * test_util.c - coverage module for logging, heap, time and the context
 * and server queries.
 *
 *   TUTIL.LOG             -> logs one line per level, replies OK
 *   TUTIL.CLIENT          -> [GetClientId > 0, GetSelectedDb]
 *   TUTIL.SELECT n        -> [SelectDb ok(1|0), GetSelectedDb]
 *   TUTIL.DBSIZE          -> DbSize
 *   TUTIL.FLAGS           -> names of the GetContextFlags bits set, among
 *                            MULTI, MASTER, RESP3, DENY_BLOCKING, LUA,
 *                            MAXMEMORY, CLUSTER, LOADING, EVICT, OOM,
 *                            OOM_WARNING, SLAVE, READONLY, REPLICATED,
 *                            REPLICA_IS_STALE/CONNECTING/TRANSFERRING/ONLINE
 *   TUTIL.MISC            -> [AvoidReplicaTraffic, GetMyClusterID == NULL,
 *                            GetClusterSize, GetUsedMemoryRatio == 0]
 *   TUTIL.MEMRATIO        -> GetUsedMemoryRatio, as a double
 *   TUTIL.HEAP            -> Alloc/Calloc/Realloc/Strdup/MallocSize checks
 *   TUTIL.TIME            -> clocks move forward and agree
 *   TUTIL.LATENCY ev ms   -> LatencyAddSample(ev, ms), replies OK
 *   TUTIL.REDACT arg...   -> redacts arguments 1, 3, ...; replies how many of
 *                            the positions 0 and argc were refused (2)
 */
#include <string.h>

#include "redismodule.h"

static int t_log(RedisModuleCtx *ctx, RedisModuleString **argv, int argc) {
    REDISMODULE_NOT_USED(argv);
    REDISMODULE_NOT_USED(argc);
    RedisModule_Log(ctx, "debug", "debug line %d", 1);
    RedisModule_Log(ctx, "verbose", "verbose line %d", 2);
    RedisModule_Log(ctx, "notice", "notice line %d", 3);
    RedisModule_Log(ctx, "warning", "warning line %s", "four");
    RedisModule_Log(ctx, "bogus", "unknown level defaults to verbose");
    RedisModule_Log(NULL, "warning", "no context line");
    return RedisModule_ReplyWithSimpleString(ctx, "OK");
}

static int t_client(RedisModuleCtx *ctx, RedisModuleString **argv, int argc) {
    REDISMODULE_NOT_USED(argv);
    REDISMODULE_NOT_USED(argc);
    RedisModule_ReplyWithArray(ctx, 2);
    RedisModule_ReplyWithLongLong(ctx, RedisModule_GetClientId(ctx) > 0);
    return RedisModule_ReplyWithLongLong(ctx, RedisModule_GetSelectedDb(ctx));
}

static int t_select(RedisModuleCtx *ctx, RedisModuleString **argv, int argc) {
    if (argc != 2) return RedisModule_WrongArity(ctx);
    long long id;
    if (RedisModule_StringToLongLong(argv[1], &id) != REDISMODULE_OK) return RedisModule_ReplyWithError(ctx, "ERR bad db");
    int rc = RedisModule_SelectDb(ctx, (int)id);
    RedisModule_ReplyWithArray(ctx, 2);
    RedisModule_ReplyWithLongLong(ctx, rc == REDISMODULE_OK);
    return RedisModule_ReplyWithLongLong(ctx, RedisModule_GetSelectedDb(ctx));
}

static int t_dbsize(RedisModuleCtx *ctx, RedisModuleString **argv, int argc) {
    REDISMODULE_NOT_USED(argv);
    REDISMODULE_NOT_USED(argc);
    return RedisModule_ReplyWithLongLong(ctx, (long long)RedisModule_DbSize(ctx));
}

static int t_flags(RedisModuleCtx *ctx, RedisModuleString **argv, int argc) {
    REDISMODULE_NOT_USED(argv);
    REDISMODULE_NOT_USED(argc);
    static const struct {
        int bit;
        const char *name;
    } names[] = {
        {REDISMODULE_CTX_FLAGS_MULTI, "multi"}, {REDISMODULE_CTX_FLAGS_MASTER, "master"},
        {REDISMODULE_CTX_FLAGS_RESP3, "resp3"}, {REDISMODULE_CTX_FLAGS_DENY_BLOCKING, "deny_blocking"},
        {REDISMODULE_CTX_FLAGS_LUA, "lua"}, {REDISMODULE_CTX_FLAGS_MAXMEMORY, "maxmemory"},
        {REDISMODULE_CTX_FLAGS_CLUSTER, "cluster"}, {REDISMODULE_CTX_FLAGS_LOADING, "loading"},
        {REDISMODULE_CTX_FLAGS_EVICT, "evict"}, {REDISMODULE_CTX_FLAGS_OOM, "oom"},
        {REDISMODULE_CTX_FLAGS_OOM_WARNING, "oom_warning"}, {REDISMODULE_CTX_FLAGS_SLAVE, "slave"},
        {REDISMODULE_CTX_FLAGS_READONLY, "readonly"}, {REDISMODULE_CTX_FLAGS_REPLICATED, "replicated"},
        {REDISMODULE_CTX_FLAGS_REPLICA_IS_STALE, "replica_is_stale"},
        {REDISMODULE_CTX_FLAGS_REPLICA_IS_CONNECTING, "replica_is_connecting"},
        {REDISMODULE_CTX_FLAGS_REPLICA_IS_TRANSFERRING, "replica_is_transferring"},
        {REDISMODULE_CTX_FLAGS_REPLICA_IS_ONLINE, "replica_is_online"},
    };
    int flags = RedisModule_GetContextFlags(ctx);
    RedisModule_ReplyWithArray(ctx, REDISMODULE_POSTPONED_LEN);
    long n = 0;
    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
        if (flags & names[i].bit) {
            RedisModule_ReplyWithSimpleString(ctx, names[i].name);
            n++;
        }
    }
    RedisModule_ReplySetArrayLength(ctx, n);
    return REDISMODULE_OK;
}

static int t_misc(RedisModuleCtx *ctx, RedisModuleString **argv, int argc) {
    REDISMODULE_NOT_USED(argv);
    REDISMODULE_NOT_USED(argc);
    RedisModule_ReplyWithArray(ctx, 4);
    RedisModule_ReplyWithLongLong(ctx, RedisModule_AvoidReplicaTraffic());
    RedisModule_ReplyWithLongLong(ctx, RedisModule_GetMyClusterID() == NULL);
    RedisModule_ReplyWithLongLong(ctx, (long long)RedisModule_GetClusterSize());
    return RedisModule_ReplyWithLongLong(ctx, RedisModule_GetUsedMemoryRatio() == 0.0f);
}

static int t_memratio(RedisModuleCtx *ctx, RedisModuleString **argv, int argc) {
    REDISMODULE_NOT_USED(argv);
    REDISMODULE_NOT_USED(argc);
    return RedisModule_ReplyWithDouble(ctx, (double)RedisModule_GetUsedMemoryRatio());
}

static int t_heap(RedisModuleCtx *ctx, RedisModuleString **argv, int argc) {
    REDISMODULE_NOT_USED(argv);
    REDISMODULE_NOT_USED(argc);
    int ok = 1;
    char *a = RedisModule_Alloc(100);
    memset(a, 'x', 100);
    a = RedisModule_Realloc(a, 1000);
    ok &= a[99] == 'x' && RedisModule_MallocSize(a) >= 1000;
    unsigned char *z = RedisModule_Calloc(10, 10);
    for (int i = 0; i < 100; i++) ok &= z[i] == 0;
    char *d = RedisModule_Strdup("dup");
    ok &= strcmp(d, "dup") == 0;
    RedisModuleString *s = RedisModule_CreateString(ctx, "0123456789", 10);
    if (RMAPI_FUNC_SUPPORTED(RedisModule_MallocSizeString)) ok &= RedisModule_MallocSizeString(s) >= 10;
    RedisModule_FreeString(ctx, s);
    RedisModule_Free(a);
    RedisModule_Free(z);
    RedisModule_Free(d);
    return RedisModule_ReplyWithLongLong(ctx, ok);
}

static int t_time(RedisModuleCtx *ctx, RedisModuleString **argv, int argc) {
    REDISMODULE_NOT_USED(argv);
    REDISMODULE_NOT_USED(argc);
    long long ms = RedisModule_Milliseconds();
    long long us = RMAPI_FUNC_SUPPORTED(RedisModule_Microseconds) ? RedisModule_Microseconds() : ms * 1000;
    long long cached = RMAPI_FUNC_SUPPORTED(RedisModule_CachedMicroseconds) ? RedisModule_CachedMicroseconds() : us;
    int ok = ms > 1600000000000LL && us / 1000 >= ms - 1000 && cached / 1000 >= ms - 1000;
    return RedisModule_ReplyWithLongLong(ctx, ok);
}

/* TUTIL.LATENCY event ms: RedisModule_LatencyAddSample(event, ms). */
static int t_latency(RedisModuleCtx *ctx, RedisModuleString **argv, int argc) {
    if (argc != 3) return RedisModule_WrongArity(ctx);
    long long ms;
    if (RedisModule_StringToLongLong(argv[2], &ms) != REDISMODULE_OK)
        return RedisModule_ReplyWithError(ctx, "ERR not an integer");
    RedisModule_LatencyAddSample(RedisModule_StringPtrLen(argv[1], NULL), ms);
    return RedisModule_ReplyWithSimpleString(ctx, "OK");
}

/* TUTIL.REDACT arg...: redacts arguments 1, 3, 5, ... (and asks for
 * argument 0 and argc, which must fail); replies with the failures. */
static int t_redact(RedisModuleCtx *ctx, RedisModuleString **argv, int argc) {
    REDISMODULE_NOT_USED(argv);
    for (int i = 1; i < argc; i += 2) RedisModule_RedactClientCommandArgument(ctx, i);
    long long refused = (RedisModule_RedactClientCommandArgument(ctx, 0) == REDISMODULE_ERR) +
                        (RedisModule_RedactClientCommandArgument(ctx, argc) == REDISMODULE_ERR);
    return RedisModule_ReplyWithLongLong(ctx, refused);
}

int RedisModule_OnLoad(RedisModuleCtx *ctx, RedisModuleString **argv, int argc) {
    REDISMODULE_NOT_USED(argv);
    REDISMODULE_NOT_USED(argc);
    if (RedisModule_Init(ctx, "test_util", 1, REDISMODULE_APIVER_1) == REDISMODULE_ERR) return REDISMODULE_ERR;
    static const struct {
        const char *name;
        RedisModuleCmdFunc fn;
    } cmds[] = {
        {"tutil.log", t_log}, {"tutil.client", t_client}, {"tutil.select", t_select},
        {"tutil.dbsize", t_dbsize}, {"tutil.flags", t_flags}, {"tutil.misc", t_misc},
        {"tutil.memratio", t_memratio},
        {"tutil.heap", t_heap}, {"tutil.time", t_time}, {"tutil.latency", t_latency},
        {"tutil.redact", t_redact},
    };
    for (size_t i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++) {
        if (RedisModule_CreateCommand(ctx, cmds[i].name, cmds[i].fn, "readonly", 0, 0, 0) == REDISMODULE_ERR)
            return REDISMODULE_ERR;
    }
    return REDISMODULE_OK;
}
