/*
 * test_timer.c - coverage module for the "Modules Timers API".
 *
 *   TTIMER.ADD ms tag     -> CreateTimer(ms) with data tag (a positive
 *                            integer); the callback logs "tag:db"
 *   TTIMER.FIRED          -> the log, in firing order (and clears it)
 *   TTIMER.STOP tag       -> StopTimer: [ok(1|0), data==tag(1|0)]
 *   TTIMER.INFO tag       -> GetTimerInfo: [ok, remaining<=period, data==tag]
 *   TTIMER.BOGUS          -> StopTimer and GetTimerInfo of an id never
 *                            created: [stop_err, info_err]
 *   TTIMER.MANY n ms      -> n timers of ms; the callbacks count
 *   TTIMER.COUNT          -> the count of MANY callbacks fired
 *   TTIMER.RESCHEDULE n ms-> a timer that re-creates itself n times, then
 *                            logs "resched:db"
 */
#include <stdio.h>
#include <string.h>

#include "redismodule.h"

#define MAX_TAGS 1024

static RedisModuleTimerID ids[MAX_TAGS];
static long long periods[MAX_TAGS];
static char fired[64][32];
static int nfired;
static long long many_count;
static long long resched_left, resched_ms;

static void log_fire(RedisModuleCtx *ctx, const char *what) {
    if (nfired < 64) snprintf(fired[nfired++], sizeof(fired[0]), "%s:%d", what, RedisModule_GetSelectedDb(ctx));
}

static void on_timer(RedisModuleCtx *ctx, void *data) {
    long long tag = (long long)(intptr_t)data;
    char buf[24];
    snprintf(buf, sizeof(buf), "%lld", tag);
    if (tag > 0 && tag < MAX_TAGS) ids[tag] = 0;
    log_fire(ctx, buf);
}

static int tag_arg(RedisModuleString *s, long long *tag) {
    return RedisModule_StringToLongLong(s, tag) == REDISMODULE_OK && *tag > 0 && *tag < MAX_TAGS;
}

static int t_add(RedisModuleCtx *ctx, RedisModuleString **argv, int argc) {
    if (argc != 3) return RedisModule_WrongArity(ctx);
    long long ms, tag;
    if (RedisModule_StringToLongLong(argv[1], &ms) != REDISMODULE_OK || !tag_arg(argv[2], &tag))
        return RedisModule_ReplyWithError(ctx, "ERR bad arguments");
    ids[tag] = RedisModule_CreateTimer(ctx, ms, on_timer, (void *)(intptr_t)tag);
    periods[tag] = ms;
    return RedisModule_ReplyWithSimpleString(ctx, "OK");
}

static int t_fired(RedisModuleCtx *ctx, RedisModuleString **argv, int argc) {
    REDISMODULE_NOT_USED(argv);
    REDISMODULE_NOT_USED(argc);
    RedisModule_ReplyWithArray(ctx, nfired);
    for (int i = 0; i < nfired; i++) RedisModule_ReplyWithSimpleString(ctx, fired[i]);
    nfired = 0;
    return REDISMODULE_OK;
}

static int t_nfired(RedisModuleCtx *ctx, RedisModuleString **argv, int argc) {
    REDISMODULE_NOT_USED(argv);
    REDISMODULE_NOT_USED(argc);
    return RedisModule_ReplyWithLongLong(ctx, nfired);
}

static int t_stop(RedisModuleCtx *ctx, RedisModuleString **argv, int argc) {
    if (argc != 2) return RedisModule_WrongArity(ctx);
    long long tag;
    if (!tag_arg(argv[1], &tag)) return RedisModule_ReplyWithError(ctx, "ERR bad tag");
    void *data = NULL;
    int ok = RedisModule_StopTimer(ctx, ids[tag], &data) == REDISMODULE_OK;
    if (ok) ids[tag] = 0;
    RedisModule_ReplyWithArray(ctx, 2);
    RedisModule_ReplyWithLongLong(ctx, ok);
    return RedisModule_ReplyWithLongLong(ctx, (long long)(intptr_t)data == tag);
}

static int t_info(RedisModuleCtx *ctx, RedisModuleString **argv, int argc) {
    if (argc != 2) return RedisModule_WrongArity(ctx);
    long long tag;
    if (!tag_arg(argv[1], &tag)) return RedisModule_ReplyWithError(ctx, "ERR bad tag");
    uint64_t remaining = 0;
    void *data = NULL;
    int ok = RedisModule_GetTimerInfo(ctx, ids[tag], &remaining, &data) == REDISMODULE_OK;
    RedisModule_ReplyWithArray(ctx, 3);
    RedisModule_ReplyWithLongLong(ctx, ok);
    RedisModule_ReplyWithLongLong(ctx, ok && (long long)remaining <= periods[tag]);
    return RedisModule_ReplyWithLongLong(ctx, (long long)(intptr_t)data == tag);
}

static int t_bogus(RedisModuleCtx *ctx, RedisModuleString **argv, int argc) {
    REDISMODULE_NOT_USED(argv);
    REDISMODULE_NOT_USED(argc);
    RedisModuleTimerID bogus = 0x7fffffffffffULL;
    RedisModule_ReplyWithArray(ctx, 2);
    RedisModule_ReplyWithLongLong(ctx, RedisModule_StopTimer(ctx, bogus, NULL) == REDISMODULE_ERR);
    return RedisModule_ReplyWithLongLong(ctx, RedisModule_GetTimerInfo(ctx, bogus, NULL, NULL) == REDISMODULE_ERR);
}

static void on_many(RedisModuleCtx *ctx, void *data) {
    REDISMODULE_NOT_USED(ctx);
    REDISMODULE_NOT_USED(data);
    many_count++;
}

static int t_many(RedisModuleCtx *ctx, RedisModuleString **argv, int argc) {
    if (argc != 3) return RedisModule_WrongArity(ctx);
    long long n, ms;
    if (RedisModule_StringToLongLong(argv[1], &n) != REDISMODULE_OK ||
        RedisModule_StringToLongLong(argv[2], &ms) != REDISMODULE_OK)
        return RedisModule_ReplyWithError(ctx, "ERR bad arguments");
    for (long long i = 0; i < n; i++) RedisModule_CreateTimer(ctx, ms, on_many, NULL);
    return RedisModule_ReplyWithLongLong(ctx, n);
}

static int t_count(RedisModuleCtx *ctx, RedisModuleString **argv, int argc) {
    REDISMODULE_NOT_USED(argv);
    REDISMODULE_NOT_USED(argc);
    return RedisModule_ReplyWithLongLong(ctx, many_count);
}

static void on_resched(RedisModuleCtx *ctx, void *data) {
    REDISMODULE_NOT_USED(data);
    if (--resched_left > 0) {
        RedisModule_CreateTimer(ctx, resched_ms, on_resched, NULL);
        return;
    }
    log_fire(ctx, "resched");
}

static int t_resched(RedisModuleCtx *ctx, RedisModuleString **argv, int argc) {
    if (argc != 3) return RedisModule_WrongArity(ctx);
    if (RedisModule_StringToLongLong(argv[1], &resched_left) != REDISMODULE_OK ||
        RedisModule_StringToLongLong(argv[2], &resched_ms) != REDISMODULE_OK)
        return RedisModule_ReplyWithError(ctx, "ERR bad arguments");
    RedisModule_CreateTimer(ctx, resched_ms, on_resched, NULL);
    return RedisModule_ReplyWithSimpleString(ctx, "OK");
}

int RedisModule_OnLoad(RedisModuleCtx *ctx, RedisModuleString **argv, int argc) {
    REDISMODULE_NOT_USED(argv);
    REDISMODULE_NOT_USED(argc);
    if (RedisModule_Init(ctx, "ttimer", 1, REDISMODULE_APIVER_1) == REDISMODULE_ERR) return REDISMODULE_ERR;
    if (RedisModule_CreateCommand(ctx, "ttimer.add", t_add, "", 0, 0, 0) == REDISMODULE_ERR ||
        RedisModule_CreateCommand(ctx, "ttimer.fired", t_fired, "", 0, 0, 0) == REDISMODULE_ERR ||
        RedisModule_CreateCommand(ctx, "ttimer.stop", t_stop, "", 0, 0, 0) == REDISMODULE_ERR ||
        RedisModule_CreateCommand(ctx, "ttimer.info", t_info, "", 0, 0, 0) == REDISMODULE_ERR ||
        RedisModule_CreateCommand(ctx, "ttimer.bogus", t_bogus, "", 0, 0, 0) == REDISMODULE_ERR ||
        RedisModule_CreateCommand(ctx, "ttimer.many", t_many, "", 0, 0, 0) == REDISMODULE_ERR ||
        RedisModule_CreateCommand(ctx, "ttimer.count", t_count, "", 0, 0, 0) == REDISMODULE_ERR ||
        RedisModule_CreateCommand(ctx, "ttimer.nfired", t_nfired, "", 0, 0, 0) == REDISMODULE_ERR ||
        RedisModule_CreateCommand(ctx, "ttimer.reschedule", t_resched, "", 0, 0, 0) == REDISMODULE_ERR)
        return REDISMODULE_ERR;
    return REDISMODULE_OK;
}
