/*
 * test_check.c - a module for `modhost check`: it registers one of each
 * thing the check reports (a command with SetCommandInfo and ACL
 * categories, a container with a subcommand, a data type, a
 * configuration, server-event subscriptions), and its OnLoad arguments
 * (any order) add a problem:
 *   missing  ask GetApi for RedisModule_NoSuchFunction (and load anyway)
 *   misuse   call ReplySetArrayLength without a postponed array
 *   fail     return REDISMODULE_ERR after registering
 * Loads into Redis 7.0+ as well.
 *
 * Commands:
 *   TCHECK.GET key       -> the key's type name
 *   TCHECK.BOX PUT key   -> OK
 */
#include <string.h>
#include <strings.h>

#include "redismodule.h"

static RedisModuleType *check_type;
static int verbose_cfg;

static int tc_get(RedisModuleCtx *ctx, RedisModuleString **argv, int argc) {
    if (argc != 2) return RedisModule_WrongArity(ctx);
    RedisModuleKey *key = RedisModule_OpenKey(ctx, argv[1], REDISMODULE_READ);
    int type = RedisModule_KeyType(key);
    RedisModule_CloseKey(key);
    return RedisModule_ReplyWithLongLong(ctx, type);
}

static int tc_put(RedisModuleCtx *ctx, RedisModuleString **argv, int argc) {
    REDISMODULE_NOT_USED(argv);
    REDISMODULE_NOT_USED(argc);
    return RedisModule_ReplyWithSimpleString(ctx, "OK");
}

static void *tc_rdb_load(RedisModuleIO *io, int encver) {
    REDISMODULE_NOT_USED(encver);
    return (void *)(long)RedisModule_LoadUnsigned(io);
}

static void tc_rdb_save(RedisModuleIO *io, void *value) {
    RedisModule_SaveUnsigned(io, (uint64_t)(long)value);
}

static void tc_free(void *value) {
    REDISMODULE_NOT_USED(value);
}

static int tc_get_verbose(const char *name, void *privdata) {
    REDISMODULE_NOT_USED(name);
    REDISMODULE_NOT_USED(privdata);
    return verbose_cfg;
}

static int tc_set_verbose(const char *name, int val, void *privdata, RedisModuleString **err) {
    REDISMODULE_NOT_USED(name);
    REDISMODULE_NOT_USED(privdata);
    REDISMODULE_NOT_USED(err);
    verbose_cfg = val;
    return REDISMODULE_OK;
}

static void tc_event(RedisModuleCtx *ctx, RedisModuleEvent eid, uint64_t sub, void *data) {
    REDISMODULE_NOT_USED(ctx);
    REDISMODULE_NOT_USED(eid);
    REDISMODULE_NOT_USED(sub);
    REDISMODULE_NOT_USED(data);
}

static RedisModuleCommandKeySpec get_specs[] = {
    {.flags = REDISMODULE_CMD_KEY_RO | REDISMODULE_CMD_KEY_ACCESS,
     .begin_search_type = REDISMODULE_KSPEC_BS_INDEX, .bs.index.pos = 1,
     .find_keys_type = REDISMODULE_KSPEC_FK_RANGE, .fk.range = {0, 1, 0}},
    {0},
};

static const RedisModuleCommandInfo get_info = {
    .version = REDISMODULE_COMMAND_INFO_VERSION,
    .summary = "the type of a key",
    .since = "1.0.0",
    .arity = 2,
    .key_specs = get_specs,
};

/* Registers everything; REDISMODULE_ERR if any registration fails. */
static int register_all(RedisModuleCtx *ctx) {
    if (RedisModule_CreateCommand(ctx, "tcheck.get", tc_get, "readonly fast", 1, 1, 1) == REDISMODULE_ERR ||
        RedisModule_CreateCommand(ctx, "tcheck.box", NULL, "", 0, 0, 0) == REDISMODULE_ERR)
        return REDISMODULE_ERR;
    RedisModuleCommand *get = RedisModule_GetCommand(ctx, "tcheck.get");
    RedisModuleCommand *box = RedisModule_GetCommand(ctx, "tcheck.box");
    if (RedisModule_SetCommandInfo(get, &get_info) == REDISMODULE_ERR ||
        RedisModule_CreateSubcommand(box, "put", tc_put, "write deny-oom", 2, 2, 1) == REDISMODULE_ERR)
        return REDISMODULE_ERR;
    /* SetCommandACLCategories is Redis 7.2+: NULL in 7.0. */
    if (RedisModule_SetCommandACLCategories != NULL &&
        RedisModule_SetCommandACLCategories(get, "read keyspace") == REDISMODULE_ERR)
        return REDISMODULE_ERR;

    RedisModuleTypeMethods tm = {
        .version = REDISMODULE_TYPE_METHOD_VERSION,
        .rdb_load = tc_rdb_load,
        .rdb_save = tc_rdb_save,
        .free = tc_free,
    };
    check_type = RedisModule_CreateDataType(ctx, "tcheck-ty", 3, &tm);
    if (check_type == NULL) return REDISMODULE_ERR;

    if (RedisModule_RegisterBoolConfig(ctx, "verbose", 0, REDISMODULE_CONFIG_DEFAULT, tc_get_verbose,
                                       tc_set_verbose, NULL, NULL) == REDISMODULE_ERR ||
        RedisModule_LoadConfigs(ctx) == REDISMODULE_ERR)
        return REDISMODULE_ERR;

    if (RedisModule_SubscribeToServerEvent(ctx, RedisModuleEvent_FlushDB, tc_event) == REDISMODULE_ERR ||
        RedisModule_SubscribeToServerEvent(ctx, RedisModuleEvent_ForkChild, tc_event) == REDISMODULE_ERR)
        return REDISMODULE_ERR;
    return REDISMODULE_OK;
}

int RedisModule_OnLoad(RedisModuleCtx *ctx, RedisModuleString **argv, int argc) {
    if (RedisModule_Init(ctx, "tcheck", 2, REDISMODULE_APIVER_1) == REDISMODULE_ERR) return REDISMODULE_ERR;
    int fail = 0;
    for (int i = 0; i < argc; i++) {
        const char *a = RedisModule_StringPtrLen(argv[i], NULL);
        if (!strcasecmp(a, "missing")) {
            void *fn = NULL;
            RedisModule_GetApi("RedisModule_NoSuchFunction", &fn);
        } else if (!strcasecmp(a, "misuse")) {
            RedisModule_ReplySetArrayLength(ctx, 0);
        } else if (!strcasecmp(a, "fail")) {
            fail = 1;
        }
    }
    if (register_all(ctx) == REDISMODULE_ERR) return REDISMODULE_ERR;
    return fail ? REDISMODULE_ERR : REDISMODULE_OK;
}
