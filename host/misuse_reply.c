/*
 * misuse_reply.c - reply accounting per nesting level (misuse_reply.h):
 * the checks behind the "reply" misuse kind.
 */
#include <stdlib.h>
#include <string.h>

#include "misuse.h"
#include "misuse_reply.h"
#include "api_reply.h"

/* API name of a host function name: "mh_ReplyWithArray" -> "ReplyWithArray". */
static const char *api_name(const char *fn) {
    return strncmp(fn, "mh_", 3) == 0 ? fn + 3 : fn;
}

static const char *coll_name(int type) {
    switch (type) {
    case MH_COLL_MAP: return "map";
    case MH_COLL_SET: return "set";
    case MH_COLL_ATTRIBUTE: return "attribute";
    default: return "array";
    }
}

static const char *coll_api(int type) {
    switch (type) {
    case MH_COLL_MAP: return "ReplyWithMap";
    case MH_COLL_SET: return "ReplyWithSet";
    case MH_COLL_ATTRIBUTE: return "ReplyWithAttribute";
    default: return "ReplyWithArray";
    }
}

/* Elements a collection of len holds (maps and attributes: pairs). */
static long elems_of(int type, long len) {
    return (type == MH_COLL_MAP || type == MH_COLL_ATTRIBUTE) ? len * 2 : len;
}

/* Appends a null element in the client's protocol. */
static void null_elem(RedisModuleCtx *ctx) {
    if (ctx->resp >= 3) mh_reply_raw(ctx, "_\r\n", 3);
    else mh_reply_raw(ctx, "$-1\r\n", 5);
}

/* Pops fixed collections whose every element was added. */
static void pop_full(RedisModuleCtx *ctx) {
    while (ctx->open_len > 0) {
        mh_open_coll *top = &ctx->open[ctx->open_len - 1];
        if (top->want < 0 || top->have < top->want) return;
        ctx->open_len--;
    }
}

/* Pads the innermost open fixed collection to its declared length. */
static void pad_top(RedisModuleCtx *ctx) {
    mh_open_coll *top = &ctx->open[ctx->open_len - 1];
    int pairs = top->type == MH_COLL_MAP || top->type == MH_COLL_ATTRIBUTE;
    mh_misuse(ctx, MH_MISUSE_REPLY, coll_api(top->type),
              "%s declared with %ld %s but %ld%s were added; padded with nulls",
              coll_name(top->type), pairs ? top->want / 2 : top->want, pairs ? "pairs" : "elements",
              pairs ? top->have / 2 : top->have, pairs && top->have % 2 ? ".5" : "");
    for (long i = top->have; i < top->want; i++) null_elem(ctx);
    top->have = top->want;
    ctx->open_len--;
}

int mh_reply_elem_slow(RedisModuleCtx *ctx, const char *fn) {
    if (ctx->flags & MH_CTX_RETURNED) {
        mh_misuse(ctx, MH_MISUSE_REPLY, api_name(fn),
                  "reply through the context of a command that already returned; ignored");
        return 1;
    }
    pop_full(ctx);
    if (ctx->open_len > 0) {
        ctx->open[ctx->open_len - 1].have++;
        return 0;
    }
    if (ctx->replies++ == 1) {
        ctx->second_at = ctx->reply.len;
        ctx->second_fn = fn;
    }
    return 0;
}

void mh_reply_open(RedisModuleCtx *ctx, long want, int type) {
    if (want == 0) return; /* complete already */
    if (ctx->open_len == ctx->open_cap) {
        size_t ncap = ctx->open_cap ? ctx->open_cap * 2 : 8;
        mh_open_coll *n = realloc(ctx->open, ncap * sizeof(*n));
        if (n == NULL) abort();
        ctx->open = n;
        ctx->open_cap = ncap;
    }
    mh_open_coll *c = &ctx->open[ctx->open_len++];
    c->want = want < 0 ? -1 : elems_of(type, want);
    c->have = 0;
    c->type = type;
}

long mh_reply_close_postponed(RedisModuleCtx *ctx, long len, const char *fn) {
    pop_full(ctx);
    while (ctx->open_len > 0 && ctx->open[ctx->open_len - 1].want >= 0) {
        pad_top(ctx);
        pop_full(ctx);
    }
    if (ctx->open_len == 0) return len; /* no postponed one: api_reply.c reports it */
    mh_open_coll *top = &ctx->open[ctx->open_len - 1];
    ctx->open_len--;
    long want = elems_of(top->type, len);
    if (want == top->have) return len;
    long have = top->have;
    if (top->type == MH_COLL_MAP || top->type == MH_COLL_ATTRIBUTE) {
        if (have % 2) { /* a key without its value */
            null_elem(ctx);
            have++;
        }
        have /= 2;
    }
    mh_misuse(ctx, MH_MISUSE_REPLY, api_name(fn),
              "length %ld set on a postponed %s holding %ld %s; the actual count was used",
              len, coll_name(top->type), have,
              (top->type == MH_COLL_MAP || top->type == MH_COLL_ATTRIBUTE) ? "pairs" : "elements");
    return have;
}

int mh_reply_finish(RedisModuleCtx *ctx) {
    pop_full(ctx);
    int postponed = 0;
    for (size_t i = 0; i < ctx->open_len; i++)
        if (ctx->open[i].want < 0) postponed++;
    if (postponed > 0) {
        mh_misuse(ctx, MH_MISUSE_REPLY, "ReplySetArrayLength",
                  "%d REDISMODULE_POSTPONED_LEN length%s never set; reply replaced by an error",
                  postponed, postponed > 1 ? "s" : "");
        ctx->open_len = 0;
        return postponed;
    }
    while (ctx->open_len > 0) {
        pad_top(ctx);
        pop_full(ctx);
    }
    if (ctx->replies > 1) {
        mh_misuse(ctx, MH_MISUSE_REPLY, api_name(ctx->second_fn),
                  "%ld top-level replies where one was expected (a second reply, or an element "
                  "beyond a collection's declared length); replies after the first dropped",
                  ctx->replies);
        ctx->reply.len = ctx->second_at;
        ctx->replies = 1;
    }
    return 0;
}
