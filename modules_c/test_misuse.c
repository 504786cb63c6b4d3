/*
 * test_misuse.c - one command per module API misuse, for modhost's
 * conformance diagnostics (cmd/modhost/conformance_test.go). Each command
 * commits exactly one misuse; modhost must name it in its log, give the
 * client an error or a repaired reply, and keep serving. Never run these
 * commands against real Redis: most of them crash it.
 *
 *   misuse.doublefree_string     FreeString twice
 *   misuse.doublefree_callreply  FreeCallReply twice
 *   misuse.free_argv             FreeString on an argument the server owns
 *   misuse.use_freed_string      StringPtrLen after FreeString -> its length
 *   misuse.use_freed_callreply   CallReplyType after FreeCallReply
 *   misuse.keep_string           keeps an AutoMemory string past the command
 *   misuse.use_kept              replies with the string keep_string kept
 *   misuse.array_short           array of 3 with 2 elements
 *   misuse.array_long            array of 1 with 2 elements
 *   misuse.map_short             map of 2 pairs with 1
 *   misuse.postponed_never       postponed array never given a length
 *   misuse.postponed_wrong       postponed array of 2 given length 5
 *   misuse.two_replies           two top-level replies
 *   misuse.no_reply              returns without replying
 *   misuse.save_ctx              keeps its context pointer
 *   misuse.late_reply            replies through the kept context, then 1
 */
#include <string.h>

#include "redismodule.h"

static RedisModuleString *kept;
static RedisModuleCtx *saved_ctx;

static int doublefree_string(RedisModuleCtx *ctx, RedisModuleString **argv, int argc) {
    REDISMODULE_NOT_USED(argv);
    REDISMODULE_NOT_USED(argc);
    RedisModuleString *s = RedisModule_CreateString(ctx, "twice", 5);
    RedisModule_FreeString(ctx, s);
    RedisModule_FreeString(ctx, s);
    return RedisModule_ReplyWithSimpleString(ctx, "OK");
}

static int doublefree_callreply(RedisModuleCtx *ctx, RedisModuleString **argv, int argc) {
    REDISMODULE_NOT_USED(argv);
    REDISMODULE_NOT_USED(argc);
    RedisModuleCallReply *r = RedisModule_Call(ctx, "PING", "");
    RedisModule_FreeCallReply(r);
    RedisModule_FreeCallReply(r);
    return RedisModule_ReplyWithSimpleString(ctx, "OK");
}

static int free_argv(RedisModuleCtx *ctx, RedisModuleString **argv, int argc) {
    REDISMODULE_NOT_USED(argc);
    RedisModule_FreeString(ctx, argv[0]);
    return RedisModule_ReplyWithSimpleString(ctx, "OK");
}

static int use_freed_string(RedisModuleCtx *ctx, RedisModuleString **argv, int argc) {
    REDISMODULE_NOT_USED(argv);
    REDISMODULE_NOT_USED(argc);
    RedisModuleString *s = RedisModule_CreateString(ctx, "gone", 4);
    RedisModule_FreeString(ctx, s);
    size_t len = 99;
    RedisModule_StringPtrLen(s, &len);
    return RedisModule_ReplyWithLongLong(ctx, (long long)len);
}

static int use_freed_callreply(RedisModuleCtx *ctx, RedisModuleString **argv, int argc) {
    REDISMODULE_NOT_USED(argv);
    REDISMODULE_NOT_USED(argc);
    RedisModuleCallReply *r = RedisModule_Call(ctx, "PING", "");
    RedisModule_FreeCallReply(r);
    return RedisModule_ReplyWithLongLong(ctx, RedisModule_CallReplyType(r));
}

static int keep_string(RedisModuleCtx *ctx, RedisModuleString **argv, int argc) {
    REDISMODULE_NOT_USED(argv);
    REDISMODULE_NOT_USED(argc);
    RedisModule_AutoMemory(ctx);
    kept = RedisModule_CreateString(ctx, "kept", 4);
    return RedisModule_ReplyWithSimpleString(ctx, "OK");
}

static int use_kept(RedisModuleCtx *ctx, RedisModuleString **argv, int argc) {
    REDISMODULE_NOT_USED(argv);
    REDISMODULE_NOT_USED(argc);
    if (kept == NULL) return RedisModule_ReplyWithError(ctx, "ERR call misuse.keep_string first");
    return RedisModule_ReplyWithString(ctx, kept);
}

static int array_short(RedisModuleCtx *ctx, RedisModuleString **argv, int argc) {
    REDISMODULE_NOT_USED(argv);
    REDISMODULE_NOT_USED(argc);
    RedisModule_ReplyWithArray(ctx, 3);
    RedisModule_ReplyWithLongLong(ctx, 1);
    RedisModule_ReplyWithLongLong(ctx, 2);
    return REDISMODULE_OK;
}

static int array_long(RedisModuleCtx *ctx, RedisModuleString **argv, int argc) {
    REDISMODULE_NOT_USED(argv);
    REDISMODULE_NOT_USED(argc);
    RedisModule_ReplyWithArray(ctx, 1);
    RedisModule_ReplyWithLongLong(ctx, 1);
    RedisModule_ReplyWithLongLong(ctx, 2);
    return REDISMODULE_OK;
}

static int map_short(RedisModuleCtx *ctx, RedisModuleString **argv, int argc) {
    REDISMODULE_NOT_USED(argv);
    REDISMODULE_NOT_USED(argc);
    RedisModule_ReplyWithMap(ctx, 2);
    RedisModule_ReplyWithCString(ctx, "k");
    RedisModule_ReplyWithLongLong(ctx, 1);
    return REDISMODULE_OK;
}

static int postponed_never(RedisModuleCtx *ctx, RedisModuleString **argv, int argc) {
    REDISMODULE_NOT_USED(argv);
    REDISMODULE_NOT_USED(argc);
    RedisModule_ReplyWithArray(ctx, REDISMODULE_POSTPONED_LEN);
    RedisModule_ReplyWithLongLong(ctx, 1);
    return REDISMODULE_OK;
}

static int postponed_wrong(RedisModuleCtx *ctx, RedisModuleString **argv, int argc) {
    REDISMODULE_NOT_USED(argv);
    REDISMODULE_NOT_USED(argc);
    RedisModule_ReplyWithArray(ctx, REDISMODULE_POSTPONED_LEN);
    RedisModule_ReplyWithLongLong(ctx, 1);
    RedisModule_ReplyWithLongLong(ctx, 2);
    RedisModule_ReplySetArrayLength(ctx, 5);
    return REDISMODULE_OK;
}

static int two_replies(RedisModuleCtx *ctx, RedisModuleString **argv, int argc) {
    REDISMODULE_NOT_USED(argv);
    REDISMODULE_NOT_USED(argc);
    RedisModule_ReplyWithLongLong(ctx, 1);
    RedisModule_ReplyWithLongLong(ctx, 2);
    return REDISMODULE_OK;
}

static int no_reply(RedisModuleCtx *ctx, RedisModuleString **argv, int argc) {
    REDISMODULE_NOT_USED(ctx);
    REDISMODULE_NOT_USED(argv);
    REDISMODULE_NOT_USED(argc);
    return REDISMODULE_OK;
}

static int save_ctx(RedisModuleCtx *ctx, RedisModuleString **argv, int argc) {
    REDISMODULE_NOT_USED(argv);
    REDISMODULE_NOT_USED(argc);
    saved_ctx = ctx;
    return RedisModule_ReplyWithSimpleString(ctx, "OK");
}

static int late_reply(RedisModuleCtx *ctx, RedisModuleString **argv, int argc) {
    REDISMODULE_NOT_USED(argv);
    REDISMODULE_NOT_USED(argc);
    if (saved_ctx == NULL) return RedisModule_ReplyWithError(ctx, "ERR call misuse.save_ctx first");
    RedisModule_ReplyWithLongLong(saved_ctx, 7);
    return RedisModule_ReplyWithLongLong(ctx, 1);
}

int RedisModule_OnLoad(RedisModuleCtx *ctx, RedisModuleString **argv, int argc) {
    REDISMODULE_NOT_USED(argv);
    REDISMODULE_NOT_USED(argc);
    if (RedisModule_Init(ctx, "misuse", 1, REDISMODULE_APIVER_1) == REDISMODULE_ERR) return REDISMODULE_ERR;
    static const struct {
        const char *name;
        RedisModuleCmdFunc fn;
    } cmds[] = {
        {"misuse.doublefree_string", doublefree_string},
        {"misuse.doublefree_callreply", doublefree_callreply},
        {"misuse.free_argv", free_argv},
        {"misuse.use_freed_string", use_freed_string},
        {"misuse.use_freed_callreply", use_freed_callreply},
        {"misuse.keep_string", keep_string},
        {"misuse.use_kept", use_kept},
        {"misuse.array_short", array_short},
        {"misuse.array_long", array_long},
        {"misuse.map_short", map_short},
        {"misuse.postponed_never", postponed_never},
        {"misuse.postponed_wrong", postponed_wrong},
        {"misuse.two_replies", two_replies},
        {"misuse.no_reply", no_reply},
        {"misuse.save_ctx", save_ctx},
        {"misuse.late_reply", late_reply},
    };
    for (size_t i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++) {
        if (RedisModule_CreateCommand(ctx, cmds[i].name, cmds[i].fn, "readonly", 0, 0, 0) == REDISMODULE_ERR)
            return REDISMODULE_ERR;
    }
    return REDISMODULE_OK;
}
