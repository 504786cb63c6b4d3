/*
 * test_acl.c - coverage module for module users, ACL checks, client
 * authentication and PublishMessage.
 *
 *   TACL.SETUSER rule...     -> new module user (the previous one is freed)
 *                               with each rule applied by SetModuleUserACL:
 *                               OK or "ERR <rule> errno=<name>"
 *   TACL.CMD arg...          -> ACLCheckCommandPermissions: OK or errno error
 *   TACL.KEY key [flags]     -> ACLCheckKeyPermissions, flags letters A I D U X
 *                               (X: an invalid flag): OK or errno error
 *   TACL.CHAN ch [flags]     -> ACLCheckChannelPermissions, letters P S U T
 *                               (PUBLISH SUBSCRIBE UNSUBSCRIBE paTtern)
 *   TACL.AUTH                -> AuthenticateClientWithUser with the user and
 *                               a user-changed callback: OK or ERR
 *   TACL.AUTHDEFAULT         -> AuthenticateClientWithACLUser("default")
 *   TACL.AUTHNONE            -> AuthenticateClientWithACLUser("nobody"): 1 if ERR
 *   TACL.CHANGED             -> times the user-changed callback ran
 *   TACL.DEAUTH id           -> DeauthenticateAndCloseClient: OK or ERR
 *   TACL.FREE                -> FreeModuleUser of the current user
 *   TACL.DEFAULTCMD arg...   -> ACLCheckCommandPermissions for the user from
 *                               GetModuleUserFromUserName("default") (7.2+)
 *   TACL.ACLSTRING           -> GetModuleUserACLString (7.2+)
 *   TACL.SETSTRING acl       -> SetModuleUserACLString: OK or its error (7.2+)
 *   TACL.WHOAMI              -> GetCurrentUserName (7.2+)
 *   TACL.PUBLISH ch msg      -> PublishMessage: receivers
 *   TACL.SPUBLISH ch msg     -> PublishMessageShard: receivers
 *   TACL.CALLAS cmd arg...   -> SetContextUser(user) then Call(cmd, "CE"):
 *                               the reply, or "ERR errno=<name>" without one
 *
 * Functions newer than Redis 7.0 are guarded, so the module loads there.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "redismodule.h"

static RedisModuleUser *user;
static long long changed;

static const char *errno_name(int e) {
    switch (e) {
    case ENOENT: return "ENOENT";
    case EINVAL: return "EINVAL";
    case EACCES: return "EACCES";
    case EEXIST: return "EEXIST";
    case EISDIR: return "EISDIR";
    case ENODEV: return "ENODEV";
    case EBADMSG: return "EBADMSG";
    case 0: return "0";
    default: return "other";
    }
}

static int errno_reply(RedisModuleCtx *ctx) {
    char buf[64];
    snprintf(buf, sizeof(buf), "ERR errno=%s", errno_name(errno));
    return RedisModule_ReplyWithError(ctx, buf);
}

static int need_user(RedisModuleCtx *ctx) {
    if (user == NULL) {
        RedisModule_ReplyWithError(ctx, "ERR no user");
        return 0;
    }
    return 1;
}

static int t_setuser(RedisModuleCtx *ctx, RedisModuleString **argv, int argc) {
    if (user) RedisModule_FreeModuleUser(user);
    user = RedisModule_CreateModuleUser("tacluser");
    for (int i = 1; i < argc; i++) {
        const char *rule = RedisModule_StringPtrLen(argv[i], NULL);
        errno = 0;
        if (RedisModule_SetModuleUserACL(user, rule) != REDISMODULE_OK) {
            char buf[256];
            snprintf(buf, sizeof(buf), "ERR %s errno=%s", rule, errno_name(errno));
            return RedisModule_ReplyWithError(ctx, buf);
        }
    }
    return RedisModule_ReplyWithSimpleString(ctx, "OK");
}

static int check_cmd(RedisModuleCtx *ctx, RedisModuleUser *u, RedisModuleString **argv, int argc) {
    if (argc < 2) return RedisModule_WrongArity(ctx);
    errno = 0;
    if (RedisModule_ACLCheckCommandPermissions(u, argv + 1, argc - 1) != REDISMODULE_OK) return errno_reply(ctx);
    return RedisModule_ReplyWithSimpleString(ctx, "OK");
}

static int t_cmd(RedisModuleCtx *ctx, RedisModuleString **argv, int argc) {
    if (!need_user(ctx)) return REDISMODULE_OK;
    return check_cmd(ctx, user, argv, argc);
}

static int t_key(RedisModuleCtx *ctx, RedisModuleString **argv, int argc) {
    if (argc < 2 || argc > 3) return RedisModule_WrongArity(ctx);
    if (!need_user(ctx)) return REDISMODULE_OK;
    int flags = 0;
    const char *f = argc == 3 ? RedisModule_StringPtrLen(argv[2], NULL) : "";
    for (; *f; f++) {
        switch (*f) {
        case 'A': flags |= REDISMODULE_CMD_KEY_ACCESS; break;
        case 'I': flags |= REDISMODULE_CMD_KEY_INSERT; break;
        case 'D': flags |= REDISMODULE_CMD_KEY_DELETE; break;
        case 'U': flags |= REDISMODULE_CMD_KEY_UPDATE; break;
        case 'X': flags |= REDISMODULE_CMD_KEY_RO; break;
        }
    }
    errno = 0;
    if (RedisModule_ACLCheckKeyPermissions(user, argv[1], flags) != REDISMODULE_OK) return errno_reply(ctx);
    return RedisModule_ReplyWithSimpleString(ctx, "OK");
}

static int t_chan(RedisModuleCtx *ctx, RedisModuleString **argv, int argc) {
    if (argc < 2 || argc > 3) return RedisModule_WrongArity(ctx);
    if (!need_user(ctx)) return REDISMODULE_OK;
    int flags = 0;
    const char *f = argc == 3 ? RedisModule_StringPtrLen(argv[2], NULL) : "";
    for (; *f; f++) {
        switch (*f) {
        case 'P': flags |= REDISMODULE_CMD_CHANNEL_PUBLISH; break;
        case 'S': flags |= REDISMODULE_CMD_CHANNEL_SUBSCRIBE; break;
        case 'U': flags |= REDISMODULE_CMD_CHANNEL_UNSUBSCRIBE; break;
        case 'T': flags |= REDISMODULE_CMD_CHANNEL_PATTERN; break;
        case 'X': flags |= 1 << 10; break;
        }
    }
    errno = 0;
    if (RedisModule_ACLCheckChannelPermissions(user, argv[1], flags) != REDISMODULE_OK) return errno_reply(ctx);
    return RedisModule_ReplyWithSimpleString(ctx, "OK");
}

static void on_changed(uint64_t client_id, void *privdata) {
    REDISMODULE_NOT_USED(client_id);
    REDISMODULE_NOT_USED(privdata);
    changed++;
}

static int t_auth(RedisModuleCtx *ctx, RedisModuleString **argv, int argc) {
    REDISMODULE_NOT_USED(argv);
    if (argc != 1) return RedisModule_WrongArity(ctx);
    if (!need_user(ctx)) return REDISMODULE_OK;
    uint64_t id = 0;
    if (RedisModule_AuthenticateClientWithUser(ctx, user, on_changed, NULL, &id) != REDISMODULE_OK)
        return RedisModule_ReplyWithError(ctx, "ERR auth failed");
    if (id != RedisModule_GetClientId(ctx)) return RedisModule_ReplyWithError(ctx, "ERR wrong client id");
    return RedisModule_ReplyWithSimpleString(ctx, "OK");
}

static int t_authdefault(RedisModuleCtx *ctx, RedisModuleString **argv, int argc) {
    REDISMODULE_NOT_USED(argv);
    if (argc != 1) return RedisModule_WrongArity(ctx);
    if (RedisModule_AuthenticateClientWithACLUser(ctx, "default", 7, on_changed, NULL, NULL) != REDISMODULE_OK)
        return RedisModule_ReplyWithError(ctx, "ERR auth failed");
    return RedisModule_ReplyWithSimpleString(ctx, "OK");
}

static int t_authnone(RedisModuleCtx *ctx, RedisModuleString **argv, int argc) {
    REDISMODULE_NOT_USED(argv);
    if (argc != 1) return RedisModule_WrongArity(ctx);
    return RedisModule_ReplyWithLongLong(
        ctx, RedisModule_AuthenticateClientWithACLUser(ctx, "nobody", 6, NULL, NULL, NULL) == REDISMODULE_ERR);
}

static int t_changed(RedisModuleCtx *ctx, RedisModuleString **argv, int argc) {
    REDISMODULE_NOT_USED(argv);
    REDISMODULE_NOT_USED(argc);
    return RedisModule_ReplyWithLongLong(ctx, changed);
}

static int t_deauth(RedisModuleCtx *ctx, RedisModuleString **argv, int argc) {
    long long id;
    if (argc != 2 || RedisModule_StringToLongLong(argv[1], &id) != REDISMODULE_OK) return RedisModule_WrongArity(ctx);
    if (RedisModule_DeauthenticateAndCloseClient(ctx, (uint64_t)id) != REDISMODULE_OK)
        return RedisModule_ReplyWithError(ctx, "ERR no such client");
    return RedisModule_ReplyWithSimpleString(ctx, "OK");
}

static int t_free(RedisModuleCtx *ctx, RedisModuleString **argv, int argc) {
    REDISMODULE_NOT_USED(argv);
    REDISMODULE_NOT_USED(argc);
    if (!need_user(ctx)) return REDISMODULE_OK;
    RedisModule_FreeModuleUser(user);
    user = NULL;
    return RedisModule_ReplyWithSimpleString(ctx, "OK");
}

static int unsupported(RedisModuleCtx *ctx) {
    return RedisModule_ReplyWithError(ctx, "ERR unsupported by this server");
}

static int t_defaultcmd(RedisModuleCtx *ctx, RedisModuleString **argv, int argc) {
    if (!RMAPI_FUNC_SUPPORTED(RedisModule_GetModuleUserFromUserName)) return unsupported(ctx);
    RedisModuleString *name = RedisModule_CreateString(ctx, "default", 7);
    RedisModuleUser *u = RedisModule_GetModuleUserFromUserName(name);
    RedisModule_FreeString(ctx, name);
    if (u == NULL) return RedisModule_ReplyWithError(ctx, "ERR no default user");
    int rc = check_cmd(ctx, u, argv, argc);
    RedisModule_FreeModuleUser(u);
    return rc;
}

static int t_aclstring(RedisModuleCtx *ctx, RedisModuleString **argv, int argc) {
    REDISMODULE_NOT_USED(argv);
    REDISMODULE_NOT_USED(argc);
    if (!RMAPI_FUNC_SUPPORTED(RedisModule_GetModuleUserACLString)) return unsupported(ctx);
    if (!need_user(ctx)) return REDISMODULE_OK;
    RedisModuleString *s = RedisModule_GetModuleUserACLString(user);
    RedisModule_ReplyWithString(ctx, s);
    RedisModule_FreeString(NULL, s);
    return REDISMODULE_OK;
}

static int t_setstring(RedisModuleCtx *ctx, RedisModuleString **argv, int argc) {
    if (argc != 2) return RedisModule_WrongArity(ctx);
    if (!RMAPI_FUNC_SUPPORTED(RedisModule_SetModuleUserACLString)) return unsupported(ctx);
    if (!need_user(ctx)) return REDISMODULE_OK;
    RedisModuleString *err = NULL;
    if (RedisModule_SetModuleUserACLString(ctx, user, RedisModule_StringPtrLen(argv[1], NULL), &err) != REDISMODULE_OK) {
        size_t n;
        const char *p = err ? RedisModule_StringPtrLen(err, &n) : "no error string";
        char buf[512];
        snprintf(buf, sizeof(buf), "ERR %s", p);
        if (err) RedisModule_FreeString(ctx, err);
        return RedisModule_ReplyWithError(ctx, buf);
    }
    return RedisModule_ReplyWithSimpleString(ctx, "OK");
}

static int t_whoami(RedisModuleCtx *ctx, RedisModuleString **argv, int argc) {
    REDISMODULE_NOT_USED(argv);
    REDISMODULE_NOT_USED(argc);
    if (!RMAPI_FUNC_SUPPORTED(RedisModule_GetCurrentUserName)) return unsupported(ctx);
    RedisModuleString *s = RedisModule_GetCurrentUserName(ctx);
    RedisModule_ReplyWithString(ctx, s);
    RedisModule_FreeString(ctx, s);
    return REDISMODULE_OK;
}

static int t_publish(RedisModuleCtx *ctx, RedisModuleString **argv, int argc) {
    if (argc != 3) return RedisModule_WrongArity(ctx);
    return RedisModule_ReplyWithLongLong(ctx, RedisModule_PublishMessage(ctx, argv[1], argv[2]));
}

static int t_spublish(RedisModuleCtx *ctx, RedisModuleString **argv, int argc) {
    if (argc != 3) return RedisModule_WrongArity(ctx);
    return RedisModule_ReplyWithLongLong(ctx, RedisModule_PublishMessageShard(ctx, argv[1], argv[2]));
}

static int t_callas(RedisModuleCtx *ctx, RedisModuleString **argv, int argc) {
    if (argc < 2) return RedisModule_WrongArity(ctx);
    if (!user) return RedisModule_ReplyWithError(ctx, "ERR no user");
    RedisModule_SetContextUser(ctx, user);
    errno = 0;
    const char *cmd = RedisModule_StringPtrLen(argv[1], NULL);
    RedisModuleCallReply *r = RedisModule_Call(ctx, cmd, "CEv", argv + 2, (size_t)(argc - 2));
    RedisModule_SetContextUser(ctx, NULL);
    if (!r) {
        char msg[64];
        snprintf(msg, sizeof(msg), "ERR errno=%s", errno_name(errno));
        return RedisModule_ReplyWithError(ctx, msg);
    }
    RedisModule_ReplyWithCallReply(ctx, r);
    RedisModule_FreeCallReply(r);
    return REDISMODULE_OK;
}

int RedisModule_OnLoad(RedisModuleCtx *ctx, RedisModuleString **argv, int argc) {
    REDISMODULE_NOT_USED(argv);
    REDISMODULE_NOT_USED(argc);
    if (RedisModule_Init(ctx, "tacl", 1, REDISMODULE_APIVER_1) == REDISMODULE_ERR) return REDISMODULE_ERR;
    static const struct {
        const char *name;
        RedisModuleCmdFunc fn;
        const char *flags;
    } cmds[] = {
        {"tacl.setuser", t_setuser, ""},        {"tacl.cmd", t_cmd, ""},
        {"tacl.key", t_key, ""},                {"tacl.chan", t_chan, ""},
        {"tacl.auth", t_auth, "no-auth"},       {"tacl.authdefault", t_authdefault, "no-auth"},
        {"tacl.authnone", t_authnone, ""},      {"tacl.changed", t_changed, ""},
        {"tacl.deauth", t_deauth, ""},          {"tacl.free", t_free, ""},
        {"tacl.defaultcmd", t_defaultcmd, ""},  {"tacl.aclstring", t_aclstring, ""},
        {"tacl.setstring", t_setstring, ""},    {"tacl.whoami", t_whoami, ""},
        {"tacl.publish", t_publish, "pubsub"},  {"tacl.spublish", t_spublish, "pubsub"},
        {"tacl.callas", t_callas, ""},
    };
    for (size_t i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++)
        if (RedisModule_CreateCommand(ctx, cmds[i].name, cmds[i].fn, cmds[i].flags, 0, 0, 0) == REDISMODULE_ERR)
            return REDISMODULE_ERR;
    return REDISMODULE_OK;
}
