/*
 * test_stream.c - coverage module for the stream key API. Failures reply
 * "ERR <errno name>".
 *
 *   TSTREAM.ADD key id|* f v [f v ...]   -> the new ID
 *   TSTREAM.ADDRO key f v                -> StreamAdd through a READ handle
 *   TSTREAM.DEL key id                   -> OK
 *   TSTREAM.RANGE key start|- end|+ [rev] [excl]
 *                                        -> [[id, [f, v, ...]], ...]
 *   TSTREAM.DELALL key                   -> entries deleted while iterating
 *   TSTREAM.TRIMLEN key n [approx]       -> entries removed
 *   TSTREAM.TRIMID key id [approx]       -> entries removed
 *   TSTREAM.ERRORS key                   -> errno names of misuse cases
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "redismodule.h"

static const char *errname(int e) {
    switch (e) {
    case 0: return "0";
    case EINVAL: return "EINVAL";
    case ENOTSUP: return "ENOTSUP";
    case EBADF: return "EBADF";
    case EDOM: return "EDOM";
    case ENOENT: return "ENOENT";
    case EFBIG: return "EFBIG";
    default: return "E?";
    }
}

static int reply_errno(RedisModuleCtx *ctx) {
    char buf[32];
    snprintf(buf, sizeof(buf), "ERR %s", errname(errno));
    return RedisModule_ReplyWithError(ctx, buf);
}

static int reply_id(RedisModuleCtx *ctx, RedisModuleStreamID *id) {
    char buf[64];
    snprintf(buf, sizeof(buf), "%llu-%llu", (unsigned long long)id->ms, (unsigned long long)id->seq);
    return RedisModule_ReplyWithSimpleString(ctx, buf);
}

static int parse_id(RedisModuleString *s, RedisModuleStreamID *id) {
    unsigned long long ms, seq;
    if (sscanf(RedisModule_StringPtrLen(s, NULL), "%llu-%llu", &ms, &seq) != 2) return 0;
    id->ms = ms;
    id->seq = seq;
    return 1;
}

static int t_add(RedisModuleCtx *ctx, RedisModuleString **argv, int argc) {
    if (argc < 3 || (argc - 3) % 2) return RedisModule_WrongArity(ctx);
    RedisModuleStreamID id = {0, 0};
    int flags = 0;
    if (strcmp(RedisModule_StringPtrLen(argv[2], NULL), "*") == 0) flags = REDISMODULE_STREAM_ADD_AUTOID;
    else if (!parse_id(argv[2], &id)) return RedisModule_ReplyWithError(ctx, "ERR bad id");
    RedisModuleKey *k = RedisModule_OpenKey(ctx, argv[1], REDISMODULE_WRITE);
    errno = 0;
    int r = RedisModule_StreamAdd(k, flags, &id, argv + 3, (argc - 3) / 2);
    RedisModule_CloseKey(k);
    if (r != REDISMODULE_OK) return reply_errno(ctx);
    if (flags) return RedisModule_ReplyWithSimpleString(ctx, "auto");
    return reply_id(ctx, &id);
}

static int t_addro(RedisModuleCtx *ctx, RedisModuleString **argv, int argc) {
    if (argc != 4) return RedisModule_WrongArity(ctx);
    RedisModuleKey *k = RedisModule_OpenKey(ctx, argv[1], REDISMODULE_READ);
    if (k == NULL) return RedisModule_ReplyWithNull(ctx);
    errno = 0;
    int r = RedisModule_StreamAdd(k, REDISMODULE_STREAM_ADD_AUTOID, NULL, argv + 2, 1);
    RedisModule_CloseKey(k);
    if (r != REDISMODULE_OK) return reply_errno(ctx);
    return RedisModule_ReplyWithSimpleString(ctx, "OK");
}

static int t_del(RedisModuleCtx *ctx, RedisModuleString **argv, int argc) {
    if (argc != 3) return RedisModule_WrongArity(ctx);
    RedisModuleStreamID id;
    if (!parse_id(argv[2], &id)) return RedisModule_ReplyWithError(ctx, "ERR bad id");
    RedisModuleKey *k = RedisModule_OpenKey(ctx, argv[1], REDISMODULE_WRITE);
    errno = 0;
    int r = RedisModule_StreamDelete(k, &id);
    RedisModule_CloseKey(k);
    if (r != REDISMODULE_OK) return reply_errno(ctx);
    return RedisModule_ReplyWithSimpleString(ctx, "OK");
}

static int t_range(RedisModuleCtx *ctx, RedisModuleString **argv, int argc) {
    if (argc < 4 || argc > 6) return RedisModule_WrongArity(ctx);
    RedisModule_AutoMemory(ctx);
    RedisModuleStreamID start, end;
    int hasstart = parse_id(argv[2], &start), hasend = parse_id(argv[3], &end);
    int flags = 0;
    for (int i = 4; i < argc; i++) {
        const char *o = RedisModule_StringPtrLen(argv[i], NULL);
        if (strcmp(o, "rev") == 0) flags |= REDISMODULE_STREAM_ITERATOR_REVERSE;
        if (strcmp(o, "excl") == 0) flags |= REDISMODULE_STREAM_ITERATOR_EXCLUSIVE;
    }
    RedisModuleKey *k = RedisModule_OpenKey(ctx, argv[1], REDISMODULE_READ | REDISMODULE_WRITE);
    errno = 0;
    if (RedisModule_StreamIteratorStart(k, flags, hasstart ? &start : NULL, hasend ? &end : NULL) != REDISMODULE_OK)
        return reply_errno(ctx);
    RedisModule_ReplyWithArray(ctx, REDISMODULE_POSTPONED_LEN);
    long n = 0, nf;
    RedisModuleStreamID id;
    while (RedisModule_StreamIteratorNextID(k, &id, &nf) == REDISMODULE_OK) {
        RedisModule_ReplyWithArray(ctx, 2);
        reply_id(ctx, &id);
        RedisModule_ReplyWithArray(ctx, nf * 2);
        RedisModuleString *f, *v;
        while (RedisModule_StreamIteratorNextField(k, &f, &v) == REDISMODULE_OK) {
            RedisModule_ReplyWithString(ctx, f);
            RedisModule_ReplyWithString(ctx, v);
        }
        n++;
    }
    RedisModule_ReplySetArrayLength(ctx, n);
    RedisModule_StreamIteratorStop(k);
    return REDISMODULE_OK;
}

static int t_delall(RedisModuleCtx *ctx, RedisModuleString **argv, int argc) {
    if (argc != 2) return RedisModule_WrongArity(ctx);
    RedisModuleKey *k = RedisModule_OpenKey(ctx, argv[1], REDISMODULE_READ | REDISMODULE_WRITE);
    if (RedisModule_StreamIteratorStart(k, 0, NULL, NULL) != REDISMODULE_OK) return reply_errno(ctx);
    long n = 0;
    errno = 0;
    RedisModule_StreamIteratorDelete(k);
    const char *first = errname(errno);
    while (RedisModule_StreamIteratorNextID(k, NULL, NULL) == REDISMODULE_OK) {
        if (RedisModule_StreamIteratorDelete(k) == REDISMODULE_OK) n++;
        errno = 0;
        RedisModule_StreamIteratorDelete(k);
    }
    const char *again = errname(errno);
    RedisModule_StreamIteratorStop(k);
    RedisModule_CloseKey(k);
    RedisModule_ReplyWithArray(ctx, 3);
    RedisModule_ReplyWithLongLong(ctx, n);
    RedisModule_ReplyWithSimpleString(ctx, first);
    return RedisModule_ReplyWithSimpleString(ctx, again);
}

static int t_trim(RedisModuleCtx *ctx, RedisModuleString **argv, int argc, int byid) {
    if (argc != 3 && argc != 4) return RedisModule_WrongArity(ctx);
    int flags = argc == 4 ? REDISMODULE_STREAM_TRIM_APPROX : 0;
    RedisModuleKey *k = RedisModule_OpenKey(ctx, argv[1], REDISMODULE_WRITE);
    long long r;
    errno = 0;
    if (byid) {
        RedisModuleStreamID id;
        if (!parse_id(argv[2], &id)) return RedisModule_ReplyWithError(ctx, "ERR bad id");
        r = RedisModule_StreamTrimByID(k, flags, &id);
    } else {
        long long n;
        RedisModule_StringToLongLong(argv[2], &n);
        r = RedisModule_StreamTrimByLength(k, flags, n);
    }
    RedisModule_CloseKey(k);
    if (r < 0) return reply_errno(ctx);
    return RedisModule_ReplyWithLongLong(ctx, r);
}

static int t_trimlen(RedisModuleCtx *ctx, RedisModuleString **argv, int argc) { return t_trim(ctx, argv, argc, 0); }
static int t_trimid(RedisModuleCtx *ctx, RedisModuleString **argv, int argc) { return t_trim(ctx, argv, argc, 1); }

static int t_errors(RedisModuleCtx *ctx, RedisModuleString **argv, int argc) {
    if (argc != 2) return RedisModule_WrongArity(ctx);
    RedisModuleKey *k = RedisModule_OpenKey(ctx, argv[1], REDISMODULE_READ | REDISMODULE_WRITE);
    RedisModuleStreamID zero = {0, 0}, max = {UINT64_MAX, UINT64_MAX};
    const char *e[8];
    errno = 0; RedisModule_StreamAdd(k, 0, NULL, NULL, 0); e[0] = errname(errno);
    errno = 0; RedisModule_StreamAdd(k, 0, &zero, NULL, 0); e[1] = errname(errno);
    errno = 0; RedisModule_StreamIteratorNextID(k, NULL, NULL); e[2] = errname(errno);
    errno = 0; RedisModule_StreamIteratorStart(k, 0xff, NULL, NULL); e[3] = errname(errno);
    errno = 0; RedisModule_StreamIteratorStart(k, REDISMODULE_STREAM_ITERATOR_EXCLUSIVE, &max, NULL); e[4] = errname(errno);
    errno = 0; RedisModule_StreamTrimByLength(k, 0, -1); e[5] = errname(errno);
    errno = 0; RedisModule_StreamIteratorStop(k); e[6] = errname(errno);
    errno = 0; RedisModule_StreamIteratorStart(NULL, 0, NULL, NULL); e[7] = errname(errno);
    RedisModule_CloseKey(k);
    RedisModule_ReplyWithArray(ctx, 8);
    for (int i = 0; i < 8; i++) RedisModule_ReplyWithSimpleString(ctx, e[i]);
    return REDISMODULE_OK;
}

int RedisModule_OnLoad(RedisModuleCtx *ctx, RedisModuleString **argv, int argc) {
    REDISMODULE_NOT_USED(argv);
    REDISMODULE_NOT_USED(argc);
    if (RedisModule_Init(ctx, "tstream", 1, REDISMODULE_APIVER_1) == REDISMODULE_ERR) return REDISMODULE_ERR;
    struct { const char *name; RedisModuleCmdFunc fn; } cmds[] = {
        {"tstream.add", t_add},       {"tstream.addro", t_addro},     {"tstream.del", t_del},
        {"tstream.range", t_range},   {"tstream.delall", t_delall},   {"tstream.trimlen", t_trimlen},
        {"tstream.trimid", t_trimid}, {"tstream.errors", t_errors},
    };
    for (size_t i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++)
        if (RedisModule_CreateCommand(ctx, cmds[i].name, cmds[i].fn, "write", 1, 1, 1) == REDISMODULE_ERR)
            return REDISMODULE_ERR;
    return REDISMODULE_OK;
}
