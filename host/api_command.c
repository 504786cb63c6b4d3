/*
 * api_command.c - the C half of the "Commands API": running a module
 * command in one Go->C crossing, and the pure-C position-request queries.
 */
#include <stdlib.h>

#include "ctx.h"
#include "api_key.h"
#include "api_gen.h"
#include "crash.h"
#include "loader.h"
#include "mh_string.h"
#include "misuse.h"
#include "misuse_reply.h"
#include "gil.h"

/* Commands with at most this many arguments keep argv on the stack. */
#define MH_ARGV_STACK 16

/* argv[argc] is NULL, as in C's main: a module that reads one argument
 * past argc (Redis's datatype2 test module does, replaying its own AOF)
 * gets NULL, which the string functions treat as Redis does, instead of
 * whatever lies after the array. */
int mh_cmd_run(RedisModuleCtx *ctx, void *fn, const char *buf, const size_t *lens, int argc, int *pending) {
    RedisModuleString *small[MH_ARGV_STACK + 1];
    RedisModuleString **argv = small;
    if (argc > MH_ARGV_STACK) {
        argv = malloc(sizeof(*argv) * ((size_t)argc + 1));
        if (argv == NULL) abort();
    }
    if (argc > 0) mh_argv_build(argv, buf, lens, argc);
    argv[argc < 0 ? 0 : argc] = NULL;
    /* What a crash report names (crash.c): one frame push per command. */
    mh_cmd_frame frame = {ctx, argv, argc, mh_cur_cmd};
    mh_cur_cmd = &frame;
    int rc = MH_HOST_CALL(((RedisModuleCmdFunc)fn)(ctx, argv, argc));
    mh_cur_cmd = frame.prev;
    for (int i = 0; i < argc; i++) mh_argv_release(argv[i]);
    if (argv != small) free(argv);
    *pending = mh_reply_finish(ctx);
    return rc;
}

/* Reply buffers larger than this are not kept by a pooled context. */
#define MH_REPLY_KEEP (64 * 1024)

int mh_cmd_run_pooled(RedisModuleCtx *ctx, void *fn, const char *buf, const size_t *lens, int argc) {
    if (ctx->reply.cap > MH_REPLY_KEEP) mh_ctx_release(ctx);
    int pending;
    mh_cmd_run(ctx, fn, buf, lens, argc, &pending);
    mh_ctx_recycle(ctx);
    mh_key_check_unclosed(ctx, "the command returned");
    return pending;
}

RedisModuleCommand *mh_command_new(uintptr_t handle) {
    RedisModuleCommand *c = calloc(1, sizeof(*c));
    if (c == NULL) abort();
    c->handle = handle;
    return c;
}

/* Returns non-zero when the command was called to report the positions of
 * its key arguments (COMMAND GETKEYS and friends) rather than to run. The
 * module then calls KeyAtPos for each key and returns; as in Redis. */
int mh_IsKeysPositionRequest(RedisModuleCtx *ctx) {
    return ctx != NULL && (ctx->flags & MH_CTX_KEYS_POS) != 0;
}

/* Returns non-zero when the command (declared with "getchannels-api") was
 * called to report its channel arguments (for the ACL checks). */
int mh_IsChannelsPositionRequest(RedisModuleCtx *ctx) {
    return ctx != NULL && (ctx->flags & MH_CTX_CHANNELS_POS) != 0;
}
