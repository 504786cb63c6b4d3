/*
 * test_call.c - coverage module for RedisModule_Call, the CallReply
 * accessors and replication.
 *
 * FMT below is a Call format whose argument letters each take the next
 * command argument: c (C string), b (buffer+len), s (module string),
 * l (argument parsed as a long long), v (all remaining arguments as one
 * vector); modifier letters (! A R 3 0 C S W M E D K) take none.
 *
 *   TCALL.CALL FMT cmd [arg ...]  -> the reply, through ReplyWithCallReply;
 *                                    a NULL reply answers "-ERR errno <NAME>"
 *   TCALL.STALE FMT cmd [arg ...]  -> as TCALL.CALL, but a command that is
 *                                    neither write nor deny-oom and may run
 *                                    on a stale replica, so the server's
 *                                    own gates let it through and Call's
 *                                    (script mode, scripts) decide
 *   TCALL.PROTO FMT cmd [arg ...] -> CallReplyProto as a bulk string
 *   TCALL.WALK FMT cmd [arg ...]  -> the reply rebuilt with the accessors
 *                                    and ReplyWith* (strings become bulk)
 *   TCALL.STR FMT cmd [arg ...]   -> CreateStringFromCallReply, or null
 *   TCALL.ACCESSORS               -> array of 1s: accessor edge cases pass
 *   TCALL.REPLICATE key           -> Replicate/ReplicateVerbatim/Call "!"
 *                                    on key; replies OK
 */
#include <errno.h>
#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "redismodule.h"

#define SLOTS 32

typedef unsigned long long slot_t;

static const char *errno_name(int e) {
    switch (e) {
    case 0: return "0";
    case EBADF: return "EBADF";
    case EINVAL: return "EINVAL";
    case ENOENT: return "ENOENT";
    case EPERM: return "EPERM";
    case EACCES: return "EACCES";
    case ENOSPC: return "ENOSPC";
    case ESPIPE: return "ESPIPE";
    case ENOTSUP: return "ENOTSUP";
    case EROFS: return "EROFS";
    case ENETDOWN: return "ENETDOWN";
    default: return "OTHER";
    }
}

/* Calls cmd (argv[2]) with the arguments argv[3..] laid out as FMT
 * (argv[1]) says. Every variadic argument is passed as one 64-bit slot:
 * pointers, sizes and long longs share the integer argument class on the
 * ABIs this module is built for. */
static RedisModuleCallReply *do_call(RedisModuleCtx *ctx, RedisModuleString **argv, int argc, int *err) {
    size_t flen;
    const char *spec = RedisModule_StringPtrLen(argv[1], &flen);
    const char *cmd = RedisModule_StringPtrLen(argv[2], NULL);
    slot_t s[SLOTS] = {0};
    int n = 0, next = 3;
    for (size_t i = 0; i < flen && n < SLOTS - 2; i++) {
        RedisModuleString *a = next < argc ? argv[next] : NULL;
        switch (spec[i]) {
        case 'c':
            s[n++] = (slot_t)(uintptr_t)(a ? RedisModule_StringPtrLen(a, NULL) : "");
            next++;
            break;
        case 's':
            s[n++] = (slot_t)(uintptr_t)a;
            next++;
            break;
        case 'b': {
            size_t len = 0;
            const char *p = a ? RedisModule_StringPtrLen(a, &len) : "";
            s[n++] = (slot_t)(uintptr_t)p;
            s[n++] = (slot_t)len;
            next++;
            break;
        }
        case 'l': {
            long long ll = 0;
            if (a) RedisModule_StringToLongLong(a, &ll);
            s[n++] = (slot_t)ll;
            next++;
            break;
        }
        case 'v':
            s[n++] = (slot_t)(uintptr_t)(argv + next);
            s[n++] = (slot_t)(next < argc ? argc - next : 0);
            next = argc;
            break;
        default:
            break; /* a modifier, or a letter the server must refuse */
        }
    }
    errno = 0;
    RedisModuleCallReply *r = RedisModule_Call(ctx, cmd, spec, s[0], s[1], s[2], s[3], s[4], s[5], s[6], s[7],
                                               s[8], s[9], s[10], s[11], s[12], s[13], s[14], s[15], s[16], s[17],
                                               s[18], s[19], s[20], s[21], s[22], s[23], s[24], s[25], s[26],
                                               s[27], s[28], s[29], s[30], s[31]);
    *err = errno;
    return r;
}

static int reply_errno(RedisModuleCtx *ctx, int err) {
    RedisModuleString *m = RedisModule_CreateStringPrintf(ctx, "ERR errno %s", errno_name(err));
    int rc = RedisModule_ReplyWithError(ctx, RedisModule_StringPtrLen(m, NULL));
    RedisModule_FreeString(ctx, m);
    return rc;
}

static int t_call(RedisModuleCtx *ctx, RedisModuleString **argv, int argc) {
    if (argc < 3) return RedisModule_WrongArity(ctx);
    int err;
    RedisModuleCallReply *r = do_call(ctx, argv, argc, &err);
    if (r == NULL) return reply_errno(ctx, err);
    if (RedisModule_ReplyWithCallReply(ctx, r) != REDISMODULE_OK)
        RedisModule_ReplyWithError(ctx, "ERR ReplyWithCallReply refused the reply");
    RedisModule_FreeCallReply(r);
    return REDISMODULE_OK;
}

static int t_proto(RedisModuleCtx *ctx, RedisModuleString **argv, int argc) {
    if (argc < 3) return RedisModule_WrongArity(ctx);
    int err;
    RedisModuleCallReply *r = do_call(ctx, argv, argc, &err);
    if (r == NULL) return reply_errno(ctx, err);
    size_t len;
    const char *p = RedisModule_CallReplyProto(r, &len);
    RedisModule_ReplyWithStringBuffer(ctx, p, len);
    RedisModule_FreeCallReply(r);
    return REDISMODULE_OK;
}

/* Rebuilds r with ReplyWith* from what the accessors return. */
static void walk(RedisModuleCtx *ctx, RedisModuleCallReply *r) {
    size_t len = 0;
    const char *p;
    switch (RedisModule_CallReplyType(r)) {
    case REDISMODULE_REPLY_STRING:
        p = RedisModule_CallReplyStringPtr(r, &len);
        if (len != RedisModule_CallReplyLength(r)) {
            RedisModule_ReplyWithError(ctx, "ERR length mismatch");
            return;
        }
        RedisModule_ReplyWithStringBuffer(ctx, p, len);
        return;
    case REDISMODULE_REPLY_ERROR: {
        p = RedisModule_CallReplyStringPtr(r, &len);
        char *msg = RedisModule_Alloc(len + 1);
        memcpy(msg, p, len);
        msg[len] = '\0';
        RedisModule_ReplyWithError(ctx, msg);
        RedisModule_Free(msg);
        return;
    }
    case REDISMODULE_REPLY_INTEGER:
        RedisModule_ReplyWithLongLong(ctx, RedisModule_CallReplyInteger(r));
        return;
    case REDISMODULE_REPLY_NULL:
        RedisModule_ReplyWithNull(ctx);
        return;
    case REDISMODULE_REPLY_ARRAY:
        len = RedisModule_CallReplyLength(r);
        RedisModule_ReplyWithArray(ctx, (long)len);
        for (size_t i = 0; i < len; i++) walk(ctx, RedisModule_CallReplyArrayElement(r, i));
        return;
    case REDISMODULE_REPLY_SET:
        len = RedisModule_CallReplyLength(r);
        RedisModule_ReplyWithSet(ctx, (long)len);
        for (size_t i = 0; i < len; i++) walk(ctx, RedisModule_CallReplySetElement(r, i));
        return;
    case REDISMODULE_REPLY_MAP:
        len = RedisModule_CallReplyLength(r);
        RedisModule_ReplyWithMap(ctx, (long)len);
        for (size_t i = 0; i < len; i++) {
            RedisModuleCallReply *k, *v;
            RedisModule_CallReplyMapElement(r, i, &k, &v);
            walk(ctx, k);
            walk(ctx, v);
        }
        return;
    case REDISMODULE_REPLY_BOOL:
        RedisModule_ReplyWithBool(ctx, RedisModule_CallReplyBool(r));
        return;
    case REDISMODULE_REPLY_DOUBLE:
        RedisModule_ReplyWithDouble(ctx, RedisModule_CallReplyDouble(r));
        return;
    case REDISMODULE_REPLY_BIG_NUMBER:
        p = RedisModule_CallReplyBigNumber(r, &len);
        RedisModule_ReplyWithBigNumber(ctx, p, len);
        return;
    case REDISMODULE_REPLY_VERBATIM_STRING:
        p = RedisModule_CallReplyVerbatim(r, &len, NULL);
        RedisModule_ReplyWithVerbatimString(ctx, p, len);
        return;
    default:
        RedisModule_ReplyWithError(ctx, "ERR unexpected reply type");
        return;
    }
}

static int t_walk(RedisModuleCtx *ctx, RedisModuleString **argv, int argc) {
    if (argc < 3) return RedisModule_WrongArity(ctx);
    int err;
    RedisModuleCallReply *r = do_call(ctx, argv, argc, &err);
    if (r == NULL) return reply_errno(ctx, err);
    walk(ctx, r);
    RedisModule_FreeCallReply(r);
    return REDISMODULE_OK;
}

static int t_str(RedisModuleCtx *ctx, RedisModuleString **argv, int argc) {
    if (argc < 3) return RedisModule_WrongArity(ctx);
    RedisModule_AutoMemory(ctx);
    int err;
    RedisModuleCallReply *r = do_call(ctx, argv, argc, &err);
    if (r == NULL) return reply_errno(ctx, err);
    RedisModuleString *s = RedisModule_CreateStringFromCallReply(r);
    if (s == NULL) return RedisModule_ReplyWithNull(ctx);
    return RedisModule_ReplyWithString(ctx, s); /* r and s: auto memory */
}

static int t_accessors(RedisModuleCtx *ctx, RedisModuleString **argv, int argc) {
    REDISMODULE_NOT_USED(argv);
    REDISMODULE_NOT_USED(argc);
    int ok[12], n = 0;
    size_t len = 99;
    RedisModuleCallReply *i = RedisModule_Call(ctx, "INCRBY", "cl", "tcall:acc", 5LL);
    RedisModuleCallReply *a = RedisModule_Call(ctx, "LRANGE", "ccc", "tcall:nolist", "0", "-1");
    ok[n++] = RedisModule_CallReplyType(NULL) == REDISMODULE_REPLY_UNKNOWN;
    ok[n++] = RedisModule_CallReplyType(i) == REDISMODULE_REPLY_INTEGER;
    ok[n++] = RedisModule_CallReplyLength(i) == 0;
    ok[n++] = RedisModule_CallReplyStringPtr(i, &len) == NULL && len == 99;
    ok[n++] = RedisModule_CallReplyArrayElement(i, 0) == NULL;
    ok[n++] = RedisModule_CallReplyType(a) == REDISMODULE_REPLY_ARRAY && RedisModule_CallReplyLength(a) == 0;
    ok[n++] = RedisModule_CallReplyArrayElement(a, 0) == NULL;
    ok[n++] = RedisModule_CallReplyInteger(a) == LLONG_MIN;
    RedisModuleCallReply *k = NULL, *v = NULL;
    ok[n++] = RedisModule_CallReplyMapElement(a, 0, &k, &v) == REDISMODULE_ERR && k == NULL && v == NULL;
    ok[n++] = RedisModule_CallReplyAttribute(i) == NULL;
    RedisModuleString *s = RedisModule_CreateStringFromCallReply(a);
    ok[n++] = s == NULL;
    RedisModule_FreeCallReply(i);
    RedisModule_FreeCallReply(a);
    RedisModuleCallReply *d = RedisModule_Call(ctx, "DEL", "c", "tcall:acc");
    if (d) RedisModule_FreeCallReply(d);
    RedisModule_ReplyWithArray(ctx, n);
    for (int j = 0; j < n; j++) RedisModule_ReplyWithLongLong(ctx, ok[j]);
    return REDISMODULE_OK;
}

static int t_replicate(RedisModuleCtx *ctx, RedisModuleString **argv, int argc) {
    if (argc != 2) return RedisModule_WrongArity(ctx);
    RedisModule_AutoMemory(ctx);
    RedisModule_Replicate(ctx, "SET", "sc", argv[1], "replicated");
    RedisModule_Replicate(ctx, "INCRBY", "sl", argv[1], 7LL);
    RedisModule_Replicate(ctx, "SET", "Asc", argv[1], "repl-only");
    if (RedisModule_Replicate(ctx, "NO-SUCH-COMMAND", "c", "x") != REDISMODULE_ERR)
        return RedisModule_ReplyWithError(ctx, "ERR unknown command replicated");
    if (RedisModule_Replicate(ctx, "SET", "sq", argv[1]) != REDISMODULE_ERR)
        return RedisModule_ReplyWithError(ctx, "ERR bad format replicated");
    RedisModule_Call(ctx, "SET", "!sc", argv[1], "via-call");
    RedisModule_Call(ctx, "SET", "sc", argv[1], "not-replicated");
    RedisModule_Call(ctx, "GET", "!s", argv[1]); /* no change: nothing to propagate */
    RedisModule_ReplicateVerbatim(ctx);
    return RedisModule_ReplyWithSimpleString(ctx, "OK");
}

int RedisModule_OnLoad(RedisModuleCtx *ctx, RedisModuleString **argv, int argc) {
    REDISMODULE_NOT_USED(argv);
    REDISMODULE_NOT_USED(argc);
    if (RedisModule_Init(ctx, "tcall", 1, REDISMODULE_APIVER_1) == REDISMODULE_ERR) return REDISMODULE_ERR;
    struct {
        const char *name;
        RedisModuleCmdFunc fn;
        const char *flags;
    } cmds[] = {
        {"tcall.call", t_call, "write"},
        {"tcall.stale", t_call, "allow-stale"},
        {"tcall.proto", t_proto, "write"},
        {"tcall.walk", t_walk, "write"},
        {"tcall.str", t_str, "write"},
        {"tcall.accessors", t_accessors, "write"},
        {"tcall.replicate", t_replicate, "write"},
    };
    for (size_t i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++)
        if (RedisModule_CreateCommand(ctx, cmds[i].name, cmds[i].fn, cmds[i].flags, 0, 0, 0) == REDISMODULE_ERR)
            return REDISMODULE_ERR;
    return REDISMODULE_OK;
}
