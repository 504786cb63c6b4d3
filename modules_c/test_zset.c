/*
 * test_zset.c - coverage module for the sorted set key API.
 *
 *   TZSET.ADD key flags score member    -> [ok, out flags]; flags: word of
 *                                          n x g l (NX XX GT LT) or "-"
 *   TZSET.INCR key flags score member   -> [ok, out flags, newscore]
 *   TZSET.REM key member                -> [ok, deleted]
 *   TZSET.SCORE key member              -> score or error
 *   TZSET.RANGE key score|lex fwd|rev min max [minex maxex]
 *                                       -> [member, score, ...] walked with
 *                                          Next (fwd, from First) or Prev
 *                                          (rev, from Last), then
 *                                          [EndReached, Next/Prev again]
 */
#include <stdlib.h>
#include <string.h>

#include "redismodule.h"

static int parse_flags(RedisModuleString *s) {
    const char *p = RedisModule_StringPtrLen(s, NULL);
    int f = 0;
    for (; *p; p++) {
        if (*p == 'n') f |= REDISMODULE_ZADD_NX;
        if (*p == 'x') f |= REDISMODULE_ZADD_XX;
        if (*p == 'g') f |= REDISMODULE_ZADD_GT;
        if (*p == 'l') f |= REDISMODULE_ZADD_LT;
    }
    return f;
}

static int reply_flags(RedisModuleCtx *ctx, int f) {
    char buf[16] = "";
    if (f & REDISMODULE_ZADD_ADDED) strcat(buf, "A");
    if (f & REDISMODULE_ZADD_UPDATED) strcat(buf, "U");
    if (f & REDISMODULE_ZADD_NOP) strcat(buf, "N");
    if (!buf[0]) strcpy(buf, "-");
    return RedisModule_ReplyWithSimpleString(ctx, buf);
}

static int t_add(RedisModuleCtx *ctx, RedisModuleString **argv, int argc, int incr) {
    if (argc != 5) return RedisModule_WrongArity(ctx);
    double score;
    if (RedisModule_StringToDouble(argv[3], &score) != REDISMODULE_OK)
        return RedisModule_ReplyWithError(ctx, "ERR bad score");
    int f = parse_flags(argv[2]);
    double ns = -12345;
    RedisModuleKey *k = RedisModule_OpenKey(ctx, argv[1], REDISMODULE_WRITE);
    int r = incr ? RedisModule_ZsetIncrby(k, score, argv[4], &f, &ns) : RedisModule_ZsetAdd(k, score, argv[4], &f);
    RedisModule_CloseKey(k);
    RedisModule_ReplyWithArray(ctx, incr ? 3 : 2);
    RedisModule_ReplyWithLongLong(ctx, r == REDISMODULE_OK);
    reply_flags(ctx, f);
    if (incr) RedisModule_ReplyWithDouble(ctx, ns);
    return REDISMODULE_OK;
}

static int t_zadd(RedisModuleCtx *ctx, RedisModuleString **argv, int argc) { return t_add(ctx, argv, argc, 0); }
static int t_zincr(RedisModuleCtx *ctx, RedisModuleString **argv, int argc) { return t_add(ctx, argv, argc, 1); }

static int t_rem(RedisModuleCtx *ctx, RedisModuleString **argv, int argc) {
    if (argc != 3) return RedisModule_WrongArity(ctx);
    int deleted = -1;
    RedisModuleKey *k = RedisModule_OpenKey(ctx, argv[1], REDISMODULE_WRITE);
    int r = RedisModule_ZsetRem(k, argv[2], &deleted);
    RedisModule_CloseKey(k);
    RedisModule_ReplyWithArray(ctx, 2);
    RedisModule_ReplyWithLongLong(ctx, r == REDISMODULE_OK);
    return RedisModule_ReplyWithLongLong(ctx, deleted);
}

static int t_score(RedisModuleCtx *ctx, RedisModuleString **argv, int argc) {
    if (argc != 3) return RedisModule_WrongArity(ctx);
    double s;
    RedisModuleKey *k = RedisModule_OpenKey(ctx, argv[1], REDISMODULE_READ | REDISMODULE_WRITE);
    int r = RedisModule_ZsetScore(k, argv[2], &s);
    RedisModule_CloseKey(k);
    if (r != REDISMODULE_OK) return RedisModule_ReplyWithError(ctx, "ERR no score");
    return RedisModule_ReplyWithDouble(ctx, s);
}

static int t_range(RedisModuleCtx *ctx, RedisModuleString **argv, int argc) {
    if (argc != 6 && argc != 8) return RedisModule_WrongArity(ctx);
    RedisModule_AutoMemory(ctx);
    int lex = strcmp(RedisModule_StringPtrLen(argv[2], NULL), "lex") == 0;
    int rev = strcmp(RedisModule_StringPtrLen(argv[3], NULL), "rev") == 0;
    RedisModuleKey *k = RedisModule_OpenKey(ctx, argv[1], REDISMODULE_READ | REDISMODULE_WRITE);
    int r;
    if (lex) {
        r = rev ? RedisModule_ZsetLastInLexRange(k, argv[4], argv[5]) : RedisModule_ZsetFirstInLexRange(k, argv[4], argv[5]);
    } else {
        double min, max;
        long long minex = 0, maxex = 0;
        if (RedisModule_StringToDouble(argv[4], &min) != REDISMODULE_OK ||
            RedisModule_StringToDouble(argv[5], &max) != REDISMODULE_OK)
            return RedisModule_ReplyWithError(ctx, "ERR bad range");
        if (argc == 8) {
            RedisModule_StringToLongLong(argv[6], &minex);
            RedisModule_StringToLongLong(argv[7], &maxex);
        }
        r = rev ? RedisModule_ZsetLastInScoreRange(k, min, max, minex, maxex)
                : RedisModule_ZsetFirstInScoreRange(k, min, max, minex, maxex);
    }
    if (r != REDISMODULE_OK) return RedisModule_ReplyWithError(ctx, "ERR range failed");
    RedisModule_ReplyWithArray(ctx, REDISMODULE_POSTPONED_LEN);
    long n = 0;
    while (!RedisModule_ZsetRangeEndReached(k)) {
        double score;
        RedisModuleString *ele = RedisModule_ZsetRangeCurrentElement(k, &score);
        if (ele == NULL) break;
        RedisModule_ReplyWithString(ctx, ele);
        RedisModule_ReplyWithDouble(ctx, score);
        n += 2;
        if (rev) RedisModule_ZsetRangePrev(k);
        else RedisModule_ZsetRangeNext(k);
    }
    RedisModule_ReplyWithLongLong(ctx, RedisModule_ZsetRangeEndReached(k));
    RedisModule_ReplyWithLongLong(ctx, rev ? RedisModule_ZsetRangePrev(k) : RedisModule_ZsetRangeNext(k));
    RedisModule_ZsetRangeStop(k);
    RedisModule_ReplyWithLongLong(ctx, RedisModule_ZsetRangeEndReached(k));
    RedisModule_ReplyWithLongLong(ctx, RedisModule_ZsetRangeCurrentElement(k, NULL) == NULL);
    RedisModule_ReplySetArrayLength(ctx, n + 4);
    return REDISMODULE_OK;
}

int RedisModule_OnLoad(RedisModuleCtx *ctx, RedisModuleString **argv, int argc) {
    REDISMODULE_NOT_USED(argv);
    REDISMODULE_NOT_USED(argc);
    if (RedisModule_Init(ctx, "tzset", 1, REDISMODULE_APIVER_1) == REDISMODULE_ERR) return REDISMODULE_ERR;
    if (RedisModule_CreateCommand(ctx, "tzset.add", t_zadd, "write", 1, 1, 1) == REDISMODULE_ERR ||
        RedisModule_CreateCommand(ctx, "tzset.incr", t_zincr, "write", 1, 1, 1) == REDISMODULE_ERR ||
        RedisModule_CreateCommand(ctx, "tzset.rem", t_rem, "write", 1, 1, 1) == REDISMODULE_ERR ||
        RedisModule_CreateCommand(ctx, "tzset.score", t_score, "write", 1, 1, 1) == REDISMODULE_ERR ||
        RedisModule_CreateCommand(ctx, "tzset.range", t_range, "write", 1, 1, 1) == REDISMODULE_ERR)
        return REDISMODULE_ERR;
    return REDISMODULE_OK;
}
