/*
 * test_cmdinfo.c - command metadata through RedisModule_SetCommandInfo:
 * key specs of every kind, tips, history, the argument tree, legacy key
 * ranges, getkeys-api, and errorstats for nested error replies. Loads into
 * Redis 7.0+ and modhost; testdata/diff/command.txt drives it.
 *
 * Commands (all reply with their argument count unless noted):
 *   CI.KEYS dst [NX|XX] [COUNT n [unit]] [SRC key ...]  full info
 *   CI.NUM numkeys key [key ...] [STORE dst]              keynum + keyword
 *   CI.LEGACY k1 x k2 x ...   first/last/step 1,-1,2; info without specs
 *   CI.PLAIN                  no info at all
 *   CI.UNKNOWN ...            an unknown key spec
 *   CI.NOTKEY x               a NOT_KEY spec only
 *   CI.INCOMPLETE k ...       an INCOMPLETE range spec
 *   CI.GK k1 k2 ...           getkeys-api, keys at odd positions
 *   CI.CONT SUB k             a container and its subcommand
 *   CI.ERRS                   an array with two nested errors and a value
 */
#include "redismodule.h"
#include <string.h>

static int ci_count(RedisModuleCtx *ctx, RedisModuleString **argv, int argc) {
    REDISMODULE_NOT_USED(argv);
    return RedisModule_ReplyWithLongLong(ctx, argc);
}

static int ci_gk(RedisModuleCtx *ctx, RedisModuleString **argv, int argc) {
    REDISMODULE_NOT_USED(argv);
    if (RedisModule_IsKeysPositionRequest(ctx)) {
        for (int i = 1; i < argc; i += 2) RedisModule_KeyAtPos(ctx, i);
        return REDISMODULE_OK;
    }
    return RedisModule_ReplyWithLongLong(ctx, argc);
}

static int ci_errs(RedisModuleCtx *ctx, RedisModuleString **argv, int argc) {
    REDISMODULE_NOT_USED(argv);
    REDISMODULE_NOT_USED(argc);
    RedisModule_ReplyWithArray(ctx, 4);
    RedisModule_ReplyWithError(ctx, "NESTED first nested error");
    RedisModule_ReplyWithArray(ctx, 2);
    RedisModule_ReplyWithSimpleString(ctx, "-not an error");
    RedisModule_ReplyWithError(ctx, "NOSPACEINTHISERROR");
    RedisModule_ReplyWithLongLong(ctx, -1);
    return RedisModule_ReplyWithStringBuffer(ctx, "-x\r\n", 4);
}

static RedisModuleCommandHistoryEntry keys_history[] = {
    {"1.1.0", "Added the `SRC` option."},
    {"1.2.0", "Added the `COUNT` block."},
    {0},
};

static RedisModuleCommandKeySpec keys_specs[] = {
    {.flags = REDISMODULE_CMD_KEY_RW | REDISMODULE_CMD_KEY_UPDATE,
     .begin_search_type = REDISMODULE_KSPEC_BS_INDEX, .bs.index.pos = 1},
    {.notes = "every key after SRC",
     .flags = REDISMODULE_CMD_KEY_RO | REDISMODULE_CMD_KEY_ACCESS,
     .begin_search_type = REDISMODULE_KSPEC_BS_KEYWORD,
     .bs.keyword = {"SRC", 2},
     .find_keys_type = REDISMODULE_KSPEC_FK_RANGE, .fk.range = {-1, 1, 0}},
    {0},
};

static RedisModuleCommandArg mode_args[] = {
    {.name = "nx", .type = REDISMODULE_ARG_TYPE_PURE_TOKEN, .token = "NX"},
    {.name = "xx", .type = REDISMODULE_ARG_TYPE_PURE_TOKEN, .token = "XX", .since = "1.1.0"},
    {0},
};

static RedisModuleCommandArg count_args[] = {
    {.name = "n", .type = REDISMODULE_ARG_TYPE_INTEGER},
    {.name = "unit", .type = REDISMODULE_ARG_TYPE_STRING, .display_text = "unit-name",
     .flags = REDISMODULE_CMD_ARG_OPTIONAL},
    {0},
};

static RedisModuleCommandArg keys_args[] = {
    {.name = "dst", .type = REDISMODULE_ARG_TYPE_KEY, .key_spec_index = 0},
    {.name = "mode", .type = REDISMODULE_ARG_TYPE_ONEOF, .flags = REDISMODULE_CMD_ARG_OPTIONAL,
     .subargs = mode_args},
    {.name = "count", .type = REDISMODULE_ARG_TYPE_BLOCK, .token = "COUNT",
     .flags = REDISMODULE_CMD_ARG_OPTIONAL, .subargs = count_args},
    {.name = "src", .type = REDISMODULE_ARG_TYPE_KEY, .key_spec_index = 1, .token = "SRC",
     .summary = "source keys", .deprecated_since = "2.0.0",
     .flags = REDISMODULE_CMD_ARG_OPTIONAL | REDISMODULE_CMD_ARG_MULTIPLE},
    {.name = "score", .type = REDISMODULE_ARG_TYPE_DOUBLE, .key_spec_index = -1,
     .flags = REDISMODULE_CMD_ARG_OPTIONAL | REDISMODULE_CMD_ARG_MULTIPLE_TOKEN, .token = "SCORE"},
    {.name = "pat", .type = REDISMODULE_ARG_TYPE_PATTERN, .flags = REDISMODULE_CMD_ARG_OPTIONAL},
    {.name = "at", .type = REDISMODULE_ARG_TYPE_UNIX_TIME, .flags = REDISMODULE_CMD_ARG_OPTIONAL},
    {0},
};

static RedisModuleCommandInfo keys_info = {
    .version = REDISMODULE_COMMAND_INFO_VERSION,
    .summary = "Exercises every command info field.",
    .complexity = "O(N) where N is the number of source keys.",
    .since = "1.0.0",
    .history = keys_history,
    .tips = "nondeterministic_output request_policy:all_shards",
    .arity = -2,
    .key_specs = keys_specs,
    .args = keys_args,
};

static RedisModuleCommandKeySpec num_specs[] = {
    {.flags = REDISMODULE_CMD_KEY_RO | REDISMODULE_CMD_KEY_ACCESS,
     .begin_search_type = REDISMODULE_KSPEC_BS_INDEX, .bs.index.pos = 1,
     .find_keys_type = REDISMODULE_KSPEC_FK_KEYNUM, .fk.keynum = {0, 1, 1}},
    {.flags = REDISMODULE_CMD_KEY_OW | REDISMODULE_CMD_KEY_INSERT,
     .begin_search_type = REDISMODULE_KSPEC_BS_KEYWORD, .bs.keyword = {"STORE", -2},
     .find_keys_type = REDISMODULE_KSPEC_FK_RANGE, .fk.range = {0, 1, 0}},
    {0},
};

static RedisModuleCommandInfo num_info = {
    .version = REDISMODULE_COMMAND_INFO_VERSION,
    .summary = "Keys counted by an argument.",
    .arity = -3,
    .key_specs = num_specs,
    .history = keys_history + 2, /* present but empty */
    .args = mode_args + 2,       /* present but empty */
};

static RedisModuleCommandInfo legacy_info = {
    .version = REDISMODULE_COMMAND_INFO_VERSION,
    .summary = "Keeps its legacy key range.",
    .since = "0.9.0",
};

static RedisModuleCommandKeySpec unknown_specs[] = {
    {.flags = REDISMODULE_CMD_KEY_RW | REDISMODULE_CMD_KEY_UPDATE,
     .begin_search_type = REDISMODULE_KSPEC_BS_UNKNOWN,
     .find_keys_type = REDISMODULE_KSPEC_FK_UNKNOWN},
    {0},
};

static RedisModuleCommandKeySpec notkey_specs[] = {
    {.flags = REDISMODULE_CMD_KEY_RO | REDISMODULE_CMD_KEY_NOT_KEY,
     .begin_search_type = REDISMODULE_KSPEC_BS_INDEX, .bs.index.pos = 1},
    {0},
};

static RedisModuleCommandKeySpec incomplete_specs[] = {
    {.flags = REDISMODULE_CMD_KEY_RM | REDISMODULE_CMD_KEY_DELETE | REDISMODULE_CMD_KEY_INCOMPLETE,
     .begin_search_type = REDISMODULE_KSPEC_BS_INDEX, .bs.index.pos = 1},
    {0},
};

static RedisModuleCommandKeySpec sub_specs[] = {
    {.flags = REDISMODULE_CMD_KEY_RO | REDISMODULE_CMD_KEY_ACCESS,
     .begin_search_type = REDISMODULE_KSPEC_BS_INDEX, .bs.index.pos = 2},
    {0},
};

static int set_specs(RedisModuleCtx *ctx, const char *name, RedisModuleCommandKeySpec *specs) {
    RedisModuleCommandInfo info = {.version = REDISMODULE_COMMAND_INFO_VERSION, .key_specs = specs};
    RedisModuleCommand *cmd = RedisModule_GetCommand(ctx, name);
    return cmd ? RedisModule_SetCommandInfo(cmd, &info) : REDISMODULE_ERR;
}

static int set_info(RedisModuleCtx *ctx, const char *name, RedisModuleCommandInfo *info) {
    RedisModuleCommand *cmd = RedisModule_GetCommand(ctx, name);
    return cmd ? RedisModule_SetCommandInfo(cmd, info) : REDISMODULE_ERR;
}

int RedisModule_OnLoad(RedisModuleCtx *ctx, RedisModuleString **argv, int argc) {
    REDISMODULE_NOT_USED(argv);
    REDISMODULE_NOT_USED(argc);
    if (RedisModule_Init(ctx, "cmdinfo", 1, REDISMODULE_APIVER_1) == REDISMODULE_ERR)
        return REDISMODULE_ERR;
    if (!RMAPI_FUNC_SUPPORTED(RedisModule_SetCommandInfo) ||
        !RMAPI_FUNC_SUPPORTED(RedisModule_CreateSubcommand))
        return REDISMODULE_ERR;

    static const struct {
        const char *name;
        RedisModuleCmdFunc fn;
        const char *flags;
        int first, last, step;
    } cmds[] = {
        {"ci.keys", ci_count, "write", 0, 0, 0},
        {"ci.num", ci_count, "readonly", 0, 0, 0},
        {"ci.legacy", ci_count, "readonly", 1, -1, 2},
        {"ci.plain", ci_count, "readonly fast", 0, 0, 0},
        {"ci.unknown", ci_count, "write", 0, 0, 0},
        {"ci.notkey", ci_count, "readonly", 0, 0, 0},
        {"ci.incomplete", ci_count, "write", 0, 0, 0},
        {"ci.gk", ci_gk, "readonly getkeys-api", 0, 0, 0},
        {"ci.cont", NULL, "", 0, 0, 0},
        {"ci.errs", ci_errs, "readonly", 0, 0, 0},
    };
    for (size_t i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++) {
        if (RedisModule_CreateCommand(ctx, cmds[i].name, cmds[i].fn, cmds[i].flags,
                                      cmds[i].first, cmds[i].last, cmds[i].step) == REDISMODULE_ERR)
            return REDISMODULE_ERR;
    }
    RedisModuleCommand *cont = RedisModule_GetCommand(ctx, "ci.cont");
    if (cont == NULL ||
        RedisModule_CreateSubcommand(cont, "sub", ci_count, "readonly", 0, 0, 0) == REDISMODULE_ERR)
        return REDISMODULE_ERR;
    RedisModuleCommand *sub = RedisModule_GetCommand(ctx, "ci.cont|sub");
    RedisModuleCommandInfo sub_info = {.version = REDISMODULE_COMMAND_INFO_VERSION,
                                       .summary = "A subcommand.", .arity = 3,
                                       .key_specs = sub_specs};
    if (sub == NULL || RedisModule_SetCommandInfo(sub, &sub_info) == REDISMODULE_ERR)
        return REDISMODULE_ERR;

    if (set_info(ctx, "ci.keys", &keys_info) == REDISMODULE_ERR ||
        set_info(ctx, "ci.num", &num_info) == REDISMODULE_ERR ||
        set_info(ctx, "ci.legacy", &legacy_info) == REDISMODULE_ERR ||
        set_specs(ctx, "ci.unknown", unknown_specs) == REDISMODULE_ERR ||
        set_specs(ctx, "ci.notkey", notkey_specs) == REDISMODULE_ERR ||
        set_specs(ctx, "ci.incomplete", incomplete_specs) == REDISMODULE_ERR)
        return REDISMODULE_ERR;
    return REDISMODULE_OK;
}
