/*
 * test_info.c - coverage module for the INFO API and GetServerInfo.
 *
 * Its info callback writes the default section "testinfo" (fields of every
 * type), a section "testinfo_extra" with a dict field, and records what
 * InfoAddSection returned for a section called "skipped" (REDISMODULE_ERR
 * unless INFO asked for it or for the module).
 *
 *   TINFO.GET section field   -> ServerInfoGetField (NULL section: "-")
 *   TINFO.GETC section field  -> ServerInfoGetFieldC
 *   TINFO.NUM section field   -> [signed, err, unsigned, err, double, err]
 *   TINFO.SKIPPED             -> what the last "skipped" InfoAddSection returned
 *   TINFO.KEYS k1 k2 k3       -> getkeys-api: k1 RO access, k2 OW update,
 *                                k3 (KeyAtPos: full access)
 */
#include <stdio.h>
#include <string.h>

#include "redismodule.h"

static int skipped_rc = -1;

static void info_cb(RedisModuleInfoCtx *ctx, int for_crash_report) {
    REDISMODULE_NOT_USED(for_crash_report);
    RedisModule_InfoAddSection(ctx, "");
    RedisModule_InfoAddFieldCString(ctx, "cstr", "hello");
    RedisModuleString *s = RedisModule_CreateString(NULL, "world", 5);
    RedisModule_InfoAddFieldString(ctx, "str", s);
    RedisModule_FreeString(NULL, s);
    RedisModule_InfoAddFieldDouble(ctx, "dbl", 1.5);
    RedisModule_InfoAddFieldLongLong(ctx, "ll", -42);
    RedisModule_InfoAddFieldULongLong(ctx, "ull", 18446744073709551615ULL);
    if (RedisModule_InfoAddSection(ctx, "extra") == REDISMODULE_OK) {
        RedisModule_InfoBeginDictField(ctx, "dict");
        RedisModule_InfoAddFieldLongLong(ctx, "a", 1);
        RedisModule_InfoAddFieldCString(ctx, "b", "two");
        RedisModule_InfoEndDictField(ctx);
        RedisModule_InfoBeginDictField(ctx, "open:dict");
        RedisModule_InfoAddFieldLongLong(ctx, "c", 3);
    }
    skipped_rc = RedisModule_InfoAddSection(ctx, "skipped");
    RedisModule_InfoAddFieldLongLong(ctx, "shown", 1);
}

static const char *section_arg(RedisModuleString *arg) {
    const char *s = RedisModule_StringPtrLen(arg, NULL);
    return strcmp(s, "-") == 0 ? NULL : s;
}

static int t_get(RedisModuleCtx *ctx, RedisModuleString **argv, int argc) {
    if (argc != 3) return RedisModule_WrongArity(ctx);
    RedisModuleServerInfoData *d = RedisModule_GetServerInfo(ctx, section_arg(argv[1]));
    RedisModuleString *v = RedisModule_ServerInfoGetField(ctx, d, RedisModule_StringPtrLen(argv[2], NULL));
    if (v == NULL) return RedisModule_ReplyWithNull(ctx);
    return RedisModule_ReplyWithString(ctx, v);
}

static int t_getc(RedisModuleCtx *ctx, RedisModuleString **argv, int argc) {
    if (argc != 3) return RedisModule_WrongArity(ctx);
    RedisModuleServerInfoData *d = RedisModule_GetServerInfo(NULL, section_arg(argv[1]));
    const char *v = RedisModule_ServerInfoGetFieldC(d, RedisModule_StringPtrLen(argv[2], NULL));
    if (v == NULL)
        RedisModule_ReplyWithNull(ctx);
    else
        RedisModule_ReplyWithCString(ctx, v);
    RedisModule_FreeServerInfo(NULL, d);
    return REDISMODULE_OK;
}

static int t_num(RedisModuleCtx *ctx, RedisModuleString **argv, int argc) {
    if (argc != 3) return RedisModule_WrongArity(ctx);
    RedisModuleServerInfoData *d = RedisModule_GetServerInfo(ctx, section_arg(argv[1]));
    const char *f = RedisModule_StringPtrLen(argv[2], NULL);
    int e1 = 7, e2 = 7, e3 = 7;
    long long sv = RedisModule_ServerInfoGetFieldSigned(d, f, &e1);
    unsigned long long uv = RedisModule_ServerInfoGetFieldUnsigned(d, f, &e2);
    double dv = RedisModule_ServerInfoGetFieldDouble(d, f, &e3);
    char buf[64];
    RedisModule_ReplyWithArray(ctx, 6);
    RedisModule_ReplyWithLongLong(ctx, sv);
    RedisModule_ReplyWithLongLong(ctx, e1);
    snprintf(buf, sizeof(buf), "%llu", uv);
    RedisModule_ReplyWithSimpleString(ctx, buf);
    RedisModule_ReplyWithLongLong(ctx, e2);
    snprintf(buf, sizeof(buf), "%.6f", dv);
    RedisModule_ReplyWithSimpleString(ctx, buf);
    RedisModule_ReplyWithLongLong(ctx, e3);
    RedisModule_FreeServerInfo(ctx, d);
    return REDISMODULE_OK;
}

static int t_skipped(RedisModuleCtx *ctx, RedisModuleString **argv, int argc) {
    REDISMODULE_NOT_USED(argv);
    REDISMODULE_NOT_USED(argc);
    return RedisModule_ReplyWithLongLong(ctx, skipped_rc);
}

static int t_keys(RedisModuleCtx *ctx, RedisModuleString **argv, int argc) {
    if (argc != 4) return RedisModule_WrongArity(ctx);
    if (RedisModule_IsKeysPositionRequest(ctx)) {
        if (RMAPI_FUNC_SUPPORTED(RedisModule_KeyAtPosWithFlags)) {
            RedisModule_KeyAtPosWithFlags(ctx, 1, REDISMODULE_CMD_KEY_RO | REDISMODULE_CMD_KEY_ACCESS);
            RedisModule_KeyAtPosWithFlags(ctx, 2, REDISMODULE_CMD_KEY_OW | REDISMODULE_CMD_KEY_UPDATE);
        } else {
            RedisModule_KeyAtPos(ctx, 1);
            RedisModule_KeyAtPos(ctx, 2);
        }
        RedisModule_KeyAtPos(ctx, 3);
        return REDISMODULE_OK;
    }
    return RedisModule_ReplyWithSimpleString(ctx, "OK");
}

int RedisModule_OnLoad(RedisModuleCtx *ctx, RedisModuleString **argv, int argc) {
    REDISMODULE_NOT_USED(argv);
    REDISMODULE_NOT_USED(argc);
    if (RedisModule_Init(ctx, "testinfo", 1, REDISMODULE_APIVER_1) == REDISMODULE_ERR) return REDISMODULE_ERR;
    if (RedisModule_RegisterInfoFunc(ctx, info_cb) == REDISMODULE_ERR) return REDISMODULE_ERR;
    if (RedisModule_CreateCommand(ctx, "tinfo.get", t_get, "", 0, 0, 0) == REDISMODULE_ERR ||
        RedisModule_CreateCommand(ctx, "tinfo.getc", t_getc, "", 0, 0, 0) == REDISMODULE_ERR ||
        RedisModule_CreateCommand(ctx, "tinfo.num", t_num, "", 0, 0, 0) == REDISMODULE_ERR ||
        RedisModule_CreateCommand(ctx, "tinfo.skipped", t_skipped, "", 0, 0, 0) == REDISMODULE_ERR ||
        RedisModule_CreateCommand(ctx, "tinfo.keys", t_keys, "getkeys-api", 0, 0, 0) == REDISMODULE_ERR)
        return REDISMODULE_ERR;
    return REDISMODULE_OK;
}
