/*
 * test_config.c - coverage module for module configurations, the
 * introspection queries and the defrag registration stubs.
 *
 * Configurations (prefix "tcfg."): flag (bool, yes), num (0..100, 10, with
 * an apply callback refusing 99), mem (memory, 1kb), str (string,
 * "hello"), mode (enum one|two|four, one), bits (bitflags a|b|c, a),
 * guarded (numeric; the setter refuses 13 with a message and 14 without),
 * fixed (immutable), secret (hidden).
 * OnLoad argument "noload" skips LoadConfigs; "failload" registers and then
 * fails unless LoadConfigs succeeded.
 *
 *   TCFG.GET           -> [flag, num, mem, str|nil, mode, bits, guarded, fixed]
 *   TCFG.APPLIED       -> number of apply callback calls
 *   TCFG.REGERR        -> [rc, errno] of a registration outside OnLoad
 *                         (refused with EBUSY since Redis 7.2)
 *   TCFG.KEYS cmd ...  -> GetCommandKeysWithFlags: [pos...] or errno name
 *   TCFG.KEYFLAGS cmd ... -> the same as [[pos, flags]...] (Redis 7.0
 *                         reports no flags)
 *   TCFG.CMDNAME       -> GetCurrentCommandName
 *   TCFG.RDB save|load file -> [RdbSave/RdbLoad rc, errno] (Redis 7.2+),
 *                         errno set to EBADF before the call
 *   TCFG.DEFRAG        -> results of the defrag stubs (modhost only)
 */
#include <errno.h>
#include <string.h>

#include "redismodule.h"

static int flag_v, mode_v, bits_v;
static long long num_v, mem_v, guarded_v, fixed_v, secret_v;
static RedisModuleString *str_v;
static long long applied;

static int get_bool(const char *name, void *priv) {
    REDISMODULE_NOT_USED(name);
    return *(int *)priv;
}

static int set_bool(const char *name, int val, void *priv, RedisModuleString **err) {
    REDISMODULE_NOT_USED(name);
    REDISMODULE_NOT_USED(err);
    *(int *)priv = val;
    return REDISMODULE_OK;
}

static long long get_num(const char *name, void *priv) {
    REDISMODULE_NOT_USED(name);
    return *(long long *)priv;
}

static int set_num(const char *name, long long val, void *priv, RedisModuleString **err) {
    if (strcmp(name, "guarded") == 0 && val == 13) {
        *err = RedisModule_CreateString(NULL, "no 13", 5);
        return REDISMODULE_ERR;
    }
    if (strcmp(name, "guarded") == 0 && val == 14) return REDISMODULE_ERR;
    *(long long *)priv = val;
    return REDISMODULE_OK;
}

static RedisModuleString *get_str(const char *name, void *priv) {
    REDISMODULE_NOT_USED(name);
    REDISMODULE_NOT_USED(priv);
    return str_v;
}

static int set_str(const char *name, RedisModuleString *val, void *priv, RedisModuleString **err) {
    REDISMODULE_NOT_USED(name);
    REDISMODULE_NOT_USED(priv);
    size_t len;
    const char *p = RedisModule_StringPtrLen(val, &len);
    if (len == 3 && memcmp(p, "bad", 3) == 0) {
        *err = RedisModule_CreateString(NULL, "bad string", 10);
        return REDISMODULE_ERR;
    }
    if (str_v) RedisModule_FreeString(NULL, str_v);
    RedisModule_RetainString(NULL, val);
    str_v = val;
    return REDISMODULE_OK;
}

static int get_enum(const char *name, void *priv) {
    REDISMODULE_NOT_USED(name);
    return *(int *)priv;
}

static int set_enum(const char *name, int val, void *priv, RedisModuleString **err) {
    REDISMODULE_NOT_USED(name);
    REDISMODULE_NOT_USED(err);
    *(int *)priv = val;
    return REDISMODULE_OK;
}

static int apply_num(RedisModuleCtx *ctx, void *priv, RedisModuleString **err) {
    REDISMODULE_NOT_USED(ctx);
    REDISMODULE_NOT_USED(priv);
    applied++;
    if (num_v == 99) {
        *err = RedisModule_CreateString(NULL, "apply refused", 13);
        return REDISMODULE_ERR;
    }
    return REDISMODULE_OK;
}

static const char *mode_names[] = {"one", "two", "four"};
static const int mode_vals[] = {1, 2, 4};
static const char *bit_names[] = {"a", "b", "c"};
static const int bit_vals[] = {1, 2, 4};

static int register_all(RedisModuleCtx *ctx) {
    if (RedisModule_RegisterBoolConfig(ctx, "flag", 1, REDISMODULE_CONFIG_DEFAULT, get_bool, set_bool,
                                       NULL, &flag_v) == REDISMODULE_ERR ||
        RedisModule_RegisterNumericConfig(ctx, "num", 10, REDISMODULE_CONFIG_DEFAULT, 0, 100, get_num,
                                          set_num, apply_num, &num_v) == REDISMODULE_ERR ||
        RedisModule_RegisterNumericConfig(ctx, "mem", 1024, REDISMODULE_CONFIG_MEMORY, 0,
                                          1LL << 40, get_num, set_num, apply_num, &mem_v) == REDISMODULE_ERR ||
        RedisModule_RegisterStringConfig(ctx, "str", "hello", REDISMODULE_CONFIG_DEFAULT, get_str, set_str,
                                         NULL, NULL) == REDISMODULE_ERR ||
        RedisModule_RegisterEnumConfig(ctx, "mode", 1, REDISMODULE_CONFIG_DEFAULT, mode_names, mode_vals, 3,
                                       get_enum, set_enum, NULL, &mode_v) == REDISMODULE_ERR ||
        RedisModule_RegisterEnumConfig(ctx, "bits", 1, REDISMODULE_CONFIG_BITFLAGS, bit_names, bit_vals, 3,
                                       get_enum, set_enum, NULL, &bits_v) == REDISMODULE_ERR ||
        RedisModule_RegisterNumericConfig(ctx, "guarded", 0, REDISMODULE_CONFIG_DEFAULT, -100, 100, get_num,
                                          set_num, NULL, &guarded_v) == REDISMODULE_ERR ||
        RedisModule_RegisterNumericConfig(ctx, "fixed", 7, REDISMODULE_CONFIG_IMMUTABLE, 0, 100, get_num,
                                          set_num, NULL, &fixed_v) == REDISMODULE_ERR ||
        RedisModule_RegisterNumericConfig(ctx, "secret", 5, REDISMODULE_CONFIG_HIDDEN, 0, 100, get_num,
                                          set_num, NULL, &secret_v) == REDISMODULE_ERR)
        return REDISMODULE_ERR;
    return REDISMODULE_OK;
}

static int t_get(RedisModuleCtx *ctx, RedisModuleString **argv, int argc) {
    REDISMODULE_NOT_USED(argv);
    REDISMODULE_NOT_USED(argc);
    RedisModule_ReplyWithArray(ctx, 8);
    RedisModule_ReplyWithLongLong(ctx, flag_v);
    RedisModule_ReplyWithLongLong(ctx, num_v);
    RedisModule_ReplyWithLongLong(ctx, mem_v);
    if (str_v)
        RedisModule_ReplyWithString(ctx, str_v);
    else
        RedisModule_ReplyWithNull(ctx);
    RedisModule_ReplyWithLongLong(ctx, mode_v);
    RedisModule_ReplyWithLongLong(ctx, bits_v);
    RedisModule_ReplyWithLongLong(ctx, guarded_v);
    return RedisModule_ReplyWithLongLong(ctx, fixed_v);
}

static int t_applied(RedisModuleCtx *ctx, RedisModuleString **argv, int argc) {
    REDISMODULE_NOT_USED(argv);
    REDISMODULE_NOT_USED(argc);
    return RedisModule_ReplyWithLongLong(ctx, applied);
}

static const char *errno_name(int e) {
    switch (e) {
    case 0: return "0";
    case EBUSY: return "EBUSY";
    case EINVAL: return "EINVAL";
    case EALREADY: return "EALREADY";
    case ENOENT: return "ENOENT";
    case EIO: return "EIO";
    case ENOTSUP: return "ENOTSUP";
    default: return "other";
    }
}

static int t_regerr(RedisModuleCtx *ctx, RedisModuleString **argv, int argc) {
    REDISMODULE_NOT_USED(argv);
    REDISMODULE_NOT_USED(argc);
    errno = 0;
    int rc = RedisModule_RegisterBoolConfig(ctx, "late", 0, 0, get_bool, set_bool, NULL, &flag_v);
    RedisModule_ReplyWithArray(ctx, 2);
    RedisModule_ReplyWithLongLong(ctx, rc);
    return RedisModule_ReplyWithSimpleString(ctx, errno_name(errno));
}

static int t_keys(RedisModuleCtx *ctx, RedisModuleString **argv, int argc) {
    if (argc < 2) return RedisModule_WrongArity(ctx);
    int n = 0, *flags = NULL;
    errno = 0;
    int *keys = RedisModule_GetCommandKeysWithFlags(ctx, argv + 1, argc - 1, &n, &flags);
    if (keys == NULL) return RedisModule_ReplyWithSimpleString(ctx, errno_name(errno));
    int withflags = strcmp(RedisModule_GetCurrentCommandName(ctx), "tcfg.keyflags") == 0;
    RedisModule_ReplyWithArray(ctx, n);
    for (int i = 0; i < n; i++) {
        if (!withflags) {
            RedisModule_ReplyWithLongLong(ctx, keys[i]);
            continue;
        }
        RedisModule_ReplyWithArray(ctx, 2);
        RedisModule_ReplyWithLongLong(ctx, keys[i]);
        RedisModule_ReplyWithLongLong(ctx, flags[i]);
    }
    RedisModule_Free(keys);
    RedisModule_Free(flags);
    return REDISMODULE_OK;
}

static int t_cmdname(RedisModuleCtx *ctx, RedisModuleString **argv, int argc) {
    REDISMODULE_NOT_USED(argv);
    REDISMODULE_NOT_USED(argc);
    const char *name = RedisModule_GetCurrentCommandName(ctx);
    return RedisModule_ReplyWithCString(ctx, name ? name : "(null)");
}

static int t_defrag(RedisModuleCtx *ctx, RedisModuleString **argv, int argc) {
    REDISMODULE_NOT_USED(argv);
    REDISMODULE_NOT_USED(argc);
    if (!RMAPI_FUNC_SUPPORTED(RedisModule_DefragShouldStop) || !RMAPI_FUNC_SUPPORTED(RedisModule_DefragAlloc))
        return RedisModule_ReplyWithError(ctx, "ERR defrag API not available");
    unsigned long cur = 42;
    RedisModule_ReplyWithArray(ctx, 5);
    RedisModule_ReplyWithLongLong(ctx, RedisModule_DefragShouldStop(NULL));
    RedisModule_ReplyWithLongLong(ctx, RedisModule_DefragAlloc(NULL, &cur) == NULL);
    RedisModule_ReplyWithLongLong(ctx, RedisModule_DefragCursorGet(NULL, &cur));
    RedisModule_ReplyWithLongLong(ctx, (long long)cur);
    return RedisModule_ReplyWithLongLong(ctx, RedisModule_GetDbIdFromDefragCtx(NULL));
}

static int t_rdb(RedisModuleCtx *ctx, RedisModuleString **argv, int argc) {
    if (argc != 3) return RedisModule_WrongArity(ctx);
    if (!RMAPI_FUNC_SUPPORTED(RedisModule_RdbStreamCreateFromFile))
        return RedisModule_ReplyWithError(ctx, "ERR RDB API not available");
    RedisModuleRdbStream *s = RedisModule_RdbStreamCreateFromFile(RedisModule_StringPtrLen(argv[2], NULL));
    const char *op = RedisModule_StringPtrLen(argv[1], NULL);
    errno = EBADF; /* a success must clear it, as Redis does */
    int rc = strcmp(op, "save") == 0 ? RedisModule_RdbSave(ctx, s, 0) : RedisModule_RdbLoad(ctx, s, 0);
    int e = errno;
    RedisModule_RdbStreamFree(s);
    RedisModule_ReplyWithArray(ctx, 2);
    RedisModule_ReplyWithLongLong(ctx, rc);
    return RedisModule_ReplyWithSimpleString(ctx, errno_name(e));
}

static void defrag_global(RedisModuleDefragCtx *ctx) {
    REDISMODULE_NOT_USED(ctx);
}

int RedisModule_OnLoad(RedisModuleCtx *ctx, RedisModuleString **argv, int argc) {
    if (RedisModule_Init(ctx, "tcfg", 1, REDISMODULE_APIVER_1) == REDISMODULE_ERR) return REDISMODULE_ERR;
    if (register_all(ctx) == REDISMODULE_ERR) return REDISMODULE_ERR;
    const char *mode = argc > 0 ? RedisModule_StringPtrLen(argv[0], NULL) : "";
    if (strcmp(mode, "noload") != 0 && RedisModule_LoadConfigs(ctx) == REDISMODULE_ERR)
        return REDISMODULE_ERR;
    if (RMAPI_FUNC_SUPPORTED(RedisModule_RegisterDefragFunc))
        RedisModule_RegisterDefragFunc(ctx, defrag_global);
    static const struct {
        const char *name;
        RedisModuleCmdFunc fn;
    } cmds[] = {
        {"tcfg.get", t_get},         {"tcfg.applied", t_applied}, {"tcfg.regerr", t_regerr},
        {"tcfg.keys", t_keys},       {"tcfg.cmdname", t_cmdname}, {"tcfg.defrag", t_defrag},
        {"tcfg.keyflags", t_keys},   {"tcfg.rdb", t_rdb},
    };
    for (size_t i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++)
        if (RedisModule_CreateCommand(ctx, cmds[i].name, cmds[i].fn, "", 0, 0, 0) == REDISMODULE_ERR)
            return REDISMODULE_ERR;
    return REDISMODULE_OK;
}
