/*
 * lifecycle.c - a test module for loading, unloading, contexts and the
 * commands API (modhost's host tests; it loads into Redis too).
 *
 * OnLoad arguments (any order):
 *   fail          register commands, then return REDISMODULE_ERR
 *   collide <cmd> also try to register <cmd> and fail the load if refused
 *   nounload      OnUnload refuses the unload
 *   name <n>      Init with module name <n> instead of "lifecycle"
 *
 * Commands:
 *   LC.PING                   -> +PONG
 *   LC.ARGS [arg ...]         -> argc, then the arguments
 *   LC.REGRESULTS             -> the CreateCommand results recorded at load
 *   LC.KEYS k1 v1 [k2 v2 ...] -> number of pairs; keys via getkeys-api
 *   LC.AUTOMEM n              -> creates n strings under auto memory and
 *                                pool-allocates n blocks, replies n
 *   LC.INFO a                 -> 1 (arity 2 set through SetCommandInfo)
 *   LC.BOX SUB                -> +SUB (a subcommand of a container)
 *   LC.POSTPONED              -> opens a postponed array and never sets it
 */
#include <string.h>
#include <strings.h>

#include "redismodule.h"

static int refuse_unload;
static long long reg_results[8];
static int reg_count;

static int lc_ping(RedisModuleCtx *ctx, RedisModuleString **argv, int argc) {
    REDISMODULE_NOT_USED(argv);
    REDISMODULE_NOT_USED(argc);
    return RedisModule_ReplyWithSimpleString(ctx, "PONG");
}

static int lc_args(RedisModuleCtx *ctx, RedisModuleString **argv, int argc) {
    RedisModule_ReplyWithArray(ctx, argc);
    RedisModule_ReplyWithLongLong(ctx, argc);
    for (int i = 1; i < argc; i++) RedisModule_ReplyWithString(ctx, argv[i]);
    return REDISMODULE_OK;
}

static int lc_regresults(RedisModuleCtx *ctx, RedisModuleString **argv, int argc) {
    REDISMODULE_NOT_USED(argv);
    REDISMODULE_NOT_USED(argc);
    RedisModule_ReplyWithArray(ctx, reg_count);
    for (int i = 0; i < reg_count; i++) RedisModule_ReplyWithLongLong(ctx, reg_results[i]);
    return REDISMODULE_OK;
}

static int lc_keys(RedisModuleCtx *ctx, RedisModuleString **argv, int argc) {
    REDISMODULE_NOT_USED(argv);
    if (RedisModule_IsKeysPositionRequest(ctx)) {
        for (int i = 1; i < argc; i += 2) RedisModule_KeyAtPos(ctx, i);
        return REDISMODULE_OK;
    }
    if (argc < 3 || argc % 2 == 0) return RedisModule_WrongArity(ctx);
    return RedisModule_ReplyWithLongLong(ctx, (argc - 1) / 2);
}

static int lc_automem(RedisModuleCtx *ctx, RedisModuleString **argv, int argc) {
    long long n;
    if (argc != 2) return RedisModule_WrongArity(ctx);
    if (RedisModule_StringToLongLong(argv[1], &n) != REDISMODULE_OK || n < 0)
        return RedisModule_ReplyWithError(ctx, "ERR bad count");
    RedisModule_AutoMemory(ctx);
    for (long long i = 0; i < n; i++) {
        RedisModuleString *s = RedisModule_CreateStringFromLongLong(ctx, i);
        if (i % 2) RedisModule_FreeString(ctx, s); /* freed early: must be forgotten */
        char *p = RedisModule_PoolAlloc(ctx, 100 + (size_t)i);
        memset(p, 'x', 100 + (size_t)i);
    }
    return RedisModule_ReplyWithLongLong(ctx, n);
}

static int lc_info(RedisModuleCtx *ctx, RedisModuleString **argv, int argc) {
    REDISMODULE_NOT_USED(argv);
    REDISMODULE_NOT_USED(argc);
    return RedisModule_ReplyWithLongLong(ctx, 1);
}

static int lc_box_sub(RedisModuleCtx *ctx, RedisModuleString **argv, int argc) {
    REDISMODULE_NOT_USED(argv);
    REDISMODULE_NOT_USED(argc);
    return RedisModule_ReplyWithSimpleString(ctx, "SUB");
}

static int lc_postponed(RedisModuleCtx *ctx, RedisModuleString **argv, int argc) {
    REDISMODULE_NOT_USED(argv);
    REDISMODULE_NOT_USED(argc);
    RedisModule_ReplyWithArray(ctx, REDISMODULE_POSTPONED_LEN);
    return RedisModule_ReplyWithLongLong(ctx, 1);
}

static void record(int rc) {
    if (reg_count < (int)(sizeof(reg_results) / sizeof(reg_results[0]))) reg_results[reg_count++] = rc;
}

/* Registration attempts whose result LC.REGRESULTS reports. */
static void try_bad_registrations(RedisModuleCtx *ctx) {
    record(RedisModule_CreateCommand(ctx, "lc.badflag", lc_ping, "readonly no-such-flag", 0, 0, 0));
    record(RedisModule_CreateCommand(ctx, "lc bad", lc_ping, "readonly", 0, 0, 0));
    record(RedisModule_CreateCommand(ctx, "lc.ping", lc_ping, "readonly", 0, 0, 0));
    record(RedisModule_CreateCommand(ctx, "lc.allflags", lc_ping,
        "write readonly admin deny-oom deny-script allow-loading pubsub random allow-stale "
        "no-monitor no-slowlog fast getkeys-api no-auth may-replicate no-mandatory-keys "
        "blocking allow-busy getchannels-api", 0, 0, 0));
}

static int set_info(RedisModuleCtx *ctx) {
    static RedisModuleCommandInfo info = {
        .version = REDISMODULE_COMMAND_INFO_VERSION,
        .summary = "Replies 1.",
        .since = "1.0.0",
        .arity = 2,
    };
    RedisModuleCommand *cmd = RedisModule_GetCommand(ctx, "lc.info");
    if (cmd == NULL) return REDISMODULE_ERR;
    return RedisModule_SetCommandInfo(cmd, &info);
}

int RedisModule_OnLoad(RedisModuleCtx *ctx, RedisModuleString **argv, int argc) {
    const char *name = "lifecycle";
    const char *collide = NULL;
    int fail = 0;
    refuse_unload = 0;
    reg_count = 0;
    /* The name comes from the arguments, so StringPtrLen is needed before
     * RedisModule_Init fetches the API: ask GetApi for it directly. */
    int (*getapi)(const char *, void *) = (int (*)(const char *, void *))((void **)ctx)[0];
    if (getapi("RedisModule_StringPtrLen", &RedisModule_StringPtrLen) == REDISMODULE_ERR) return REDISMODULE_ERR;
    for (int i = 0; i < argc; i++) {
        const char *a = RedisModule_StringPtrLen(argv[i], NULL);
        if (!strcasecmp(a, "fail")) fail = 1;
        else if (!strcasecmp(a, "collide") && i + 1 < argc) collide = RedisModule_StringPtrLen(argv[++i], NULL);
        else if (!strcasecmp(a, "nounload")) refuse_unload = 1;
        else if (!strcasecmp(a, "name") && i + 1 < argc) name = RedisModule_StringPtrLen(argv[++i], NULL);
    }
    if (RedisModule_Init(ctx, name, 3, REDISMODULE_APIVER_1) == REDISMODULE_ERR) return REDISMODULE_ERR;

    if (RedisModule_CreateCommand(ctx, "lc.ping", lc_ping, "readonly fast", 0, 0, 0) == REDISMODULE_ERR ||
        RedisModule_CreateCommand(ctx, "lc.args", lc_args, "readonly", 0, 0, 0) == REDISMODULE_ERR ||
        RedisModule_CreateCommand(ctx, "lc.regresults", lc_regresults, "readonly", 0, 0, 0) == REDISMODULE_ERR ||
        RedisModule_CreateCommand(ctx, "lc.keys", lc_keys, "write getkeys-api", 0, 0, 0) == REDISMODULE_ERR ||
        RedisModule_CreateCommand(ctx, "lc.automem", lc_automem, "readonly", 0, 0, 0) == REDISMODULE_ERR ||
        RedisModule_CreateCommand(ctx, "lc.info", lc_info, "readonly", 0, 0, 0) == REDISMODULE_ERR ||
        RedisModule_CreateCommand(ctx, "lc.postponed", lc_postponed, "readonly", 0, 0, 0) == REDISMODULE_ERR ||
        RedisModule_CreateCommand(ctx, "lc.box", NULL, "", 0, 0, 0) == REDISMODULE_ERR)
        return REDISMODULE_ERR;
    RedisModuleCommand *box = RedisModule_GetCommand(ctx, "lc.box");
    if (box == NULL || RedisModule_CreateSubcommand(box, "sub", lc_box_sub, "readonly", 0, 0, 0) == REDISMODULE_ERR)
        return REDISMODULE_ERR;
    if (set_info(ctx) == REDISMODULE_ERR) return REDISMODULE_ERR;
    try_bad_registrations(ctx);

    if (collide && RedisModule_CreateCommand(ctx, collide, lc_ping, "readonly", 1, 1, 1) == REDISMODULE_ERR)
        return REDISMODULE_ERR;
    return fail ? REDISMODULE_ERR : REDISMODULE_OK;
}

int RedisModule_OnUnload(RedisModuleCtx *ctx) {
    REDISMODULE_NOT_USED(ctx);
    return refuse_unload ? REDISMODULE_ERR : REDISMODULE_OK;
}
