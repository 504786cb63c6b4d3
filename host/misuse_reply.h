/*
 * misuse_reply.h - reply accounting (misuse_reply.c): every ReplyWith*
 * call is counted at its nesting level so that a reply the module left
 * malformed (too few or too many elements, a second reply, a postponed
 * length with the wrong count) is repaired and reported instead of
 * desynchronising the client.
 */
#ifndef MODHOST_MISUSE_REPLY_H
#define MODHOST_MISUSE_REPLY_H

#include "ctx.h"

/* Collection kinds, as api_reply.c opens them. */
enum { MH_COLL_ARRAY, MH_COLL_MAP, MH_COLL_SET, MH_COLL_ATTRIBUTE };

/* One open collection: elements declared (-1: postponed) and added. */
typedef struct mh_open_coll {
    long want;
    long have;
    int type;
} mh_open_coll;

/* The slow path of mh_reply_elem. */
int mh_reply_elem_slow(RedisModuleCtx *ctx, const char *fn);

/* Counts one reply element about to be written by API function fn
 * ("mh_ReplyWith..."). Returns non-zero when it must not be written (the
 * context's command already returned). The common case, the first
 * top-level reply, stays inline. */
static inline int mh_reply_elem(RedisModuleCtx *ctx, const char *fn) {
    if ((ctx->open_len | (size_t)ctx->replies | (ctx->flags & MH_CTX_RETURNED)) == 0) {
        ctx->replies = 1;
        return 0;
    }
    return mh_reply_elem_slow(ctx, fn);
}

/* Opens a collection of want elements (-1: postponed) after its header
 * was counted with mh_reply_elem (attributes are not counted). */
void mh_reply_open(RedisModuleCtx *ctx, long want, int type);

/* Closes the innermost postponed collection: pads or finishes fixed ones
 * opened inside it first, then reconciles len with the elements added.
 * Returns the length to write (elements, pairs for maps). fn names the
 * ReplySet*Length call. */
long mh_reply_close_postponed(RedisModuleCtx *ctx, long len, const char *fn);

/* Ends a command's reply: pads unfinished fixed collections with nulls,
 * drops replies after the first, reports each repair. Returns the number
 * of postponed lengths never set (the reply is then unusable). */
int mh_reply_finish(RedisModuleCtx *ctx);

#endif /* MODHOST_MISUSE_REPLY_H */
