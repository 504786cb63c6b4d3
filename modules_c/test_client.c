/*
 * test_client.c - coverage module for client information by ID.
 *
 *   TCLIENT.INFO [id]        -> [flags, id is the caller's, addr, port > 0, db]
 *                               or an error when GetClientInfoById fails
 *   TCLIENT.EXISTS id        -> GetClientInfoById(NULL, id): 1 or 0
 *   TCLIENT.BADVER           -> GetClientInfoById with version 2: 1 if ERR
 *   TCLIENT.NAME [id]        -> GetClientNameById (null when none)
 *   TCLIENT.SETNAME id name  -> OK, or "ERR errno=ENOENT|EINVAL"
 *   TCLIENT.USER [id]        -> GetClientUserNameById, or "ERR errno=..."
 *   TCLIENT.CERT             -> GetClientCertificate of the caller (null)
 *   TCLIENT.REDACT pos       -> RedactClientCommandArgument: OK or an error
 */
#include <errno.h>
#include <string.h>

#include "redismodule.h"

static int id_arg(RedisModuleCtx *ctx, RedisModuleString **argv, int argc, int at, unsigned long long *id) {
    long long v;
    *id = RedisModule_GetClientId(ctx);
    if (argc <= at) return 1;
    if (RedisModule_StringToLongLong(argv[at], &v) != REDISMODULE_OK) return 0;
    *id = (unsigned long long)v;
    return 1;
}

static int errno_reply(RedisModuleCtx *ctx) {
    const char *e = errno == ENOENT ? "ERR errno=ENOENT" : errno == EINVAL ? "ERR errno=EINVAL"
                    : errno == ENOTSUP                   ? "ERR errno=ENOTSUP"
                                                         : "ERR errno=other";
    return RedisModule_ReplyWithError(ctx, e);
}

static int t_info(RedisModuleCtx *ctx, RedisModuleString **argv, int argc) {
    unsigned long long id;
    if (!id_arg(ctx, argv, argc, 1, &id)) return RedisModule_ReplyWithError(ctx, "ERR bad id");
    RedisModuleClientInfo ci = REDISMODULE_CLIENTINFO_INITIALIZER_V1;
    if (RedisModule_GetClientInfoById(&ci, id) != REDISMODULE_OK)
        return RedisModule_ReplyWithError(ctx, "ERR no such client");
    RedisModule_ReplyWithArray(ctx, 5);
    RedisModule_ReplyWithLongLong(ctx, (long long)ci.flags);
    RedisModule_ReplyWithLongLong(ctx, ci.id == RedisModule_GetClientId(ctx));
    RedisModule_ReplyWithCString(ctx, ci.addr);
    RedisModule_ReplyWithLongLong(ctx, ci.port > 0);
    return RedisModule_ReplyWithLongLong(ctx, ci.db);
}

static int t_exists(RedisModuleCtx *ctx, RedisModuleString **argv, int argc) {
    unsigned long long id;
    if (argc != 2 || !id_arg(ctx, argv, argc, 1, &id)) return RedisModule_WrongArity(ctx);
    return RedisModule_ReplyWithLongLong(ctx, RedisModule_GetClientInfoById(NULL, id) == REDISMODULE_OK);
}

static int t_badver(RedisModuleCtx *ctx, RedisModuleString **argv, int argc) {
    REDISMODULE_NOT_USED(argv);
    REDISMODULE_NOT_USED(argc);
    RedisModuleClientInfo ci;
    memset(&ci, 0, sizeof(ci));
    ci.version = 2;
    return RedisModule_ReplyWithLongLong(ctx, RedisModule_GetClientInfoById(&ci, RedisModule_GetClientId(ctx)) ==
                                                  REDISMODULE_ERR);
}

static int t_name(RedisModuleCtx *ctx, RedisModuleString **argv, int argc) {
    unsigned long long id;
    if (!id_arg(ctx, argv, argc, 1, &id)) return RedisModule_ReplyWithError(ctx, "ERR bad id");
    RedisModuleString *n = RedisModule_GetClientNameById(ctx, id);
    if (n == NULL) return RedisModule_ReplyWithNull(ctx);
    return RedisModule_ReplyWithString(ctx, n);
}

static int t_setname(RedisModuleCtx *ctx, RedisModuleString **argv, int argc) {
    unsigned long long id;
    if (argc != 3 || !id_arg(ctx, argv, argc, 1, &id)) return RedisModule_WrongArity(ctx);
    errno = 0;
    if (RedisModule_SetClientNameById(id, argv[2]) != REDISMODULE_OK) return errno_reply(ctx);
    return RedisModule_ReplyWithSimpleString(ctx, "OK");
}

static int t_user(RedisModuleCtx *ctx, RedisModuleString **argv, int argc) {
    unsigned long long id;
    if (!id_arg(ctx, argv, argc, 1, &id)) return RedisModule_ReplyWithError(ctx, "ERR bad id");
    errno = 0;
    RedisModuleString *u = RedisModule_GetClientUserNameById(ctx, id);
    if (u == NULL) return errno_reply(ctx);
    return RedisModule_ReplyWithString(ctx, u);
}

static int t_cert(RedisModuleCtx *ctx, RedisModuleString **argv, int argc) {
    REDISMODULE_NOT_USED(argv);
    REDISMODULE_NOT_USED(argc);
    RedisModuleString *c = RedisModule_GetClientCertificate(ctx, RedisModule_GetClientId(ctx));
    if (c == NULL) return RedisModule_ReplyWithNull(ctx);
    return RedisModule_ReplyWithString(ctx, c);
}

static int t_redact(RedisModuleCtx *ctx, RedisModuleString **argv, int argc) {
    long long pos;
    if (argc < 2 || RedisModule_StringToLongLong(argv[1], &pos) != REDISMODULE_OK)
        return RedisModule_ReplyWithError(ctx, "ERR bad pos");
    if (RedisModule_RedactClientCommandArgument(ctx, (int)pos) != REDISMODULE_OK)
        return RedisModule_ReplyWithError(ctx, "ERR redact failed");
    return RedisModule_ReplyWithSimpleString(ctx, "OK");
}

int RedisModule_OnLoad(RedisModuleCtx *ctx, RedisModuleString **argv, int argc) {
    REDISMODULE_NOT_USED(argv);
    REDISMODULE_NOT_USED(argc);
    if (RedisModule_Init(ctx, "testclient", 1, REDISMODULE_APIVER_1) == REDISMODULE_ERR) return REDISMODULE_ERR;
    struct {
        const char *name;
        RedisModuleCmdFunc fn;
    } cmds[] = {
        {"tclient.info", t_info}, {"tclient.exists", t_exists},   {"tclient.badver", t_badver},
        {"tclient.name", t_name}, {"tclient.setname", t_setname}, {"tclient.user", t_user},
        {"tclient.cert", t_cert}, {"tclient.redact", t_redact},
    };
    for (size_t i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++)
        if (RedisModule_CreateCommand(ctx, cmds[i].name, cmds[i].fn, "", 0, 0, 0) == REDISMODULE_ERR)
            return REDISMODULE_ERR;
    return REDISMODULE_OK;
}
