/*
 * api_reply.h - the reply buffer of a module context (api_reply.c).
 *
 * ReplyWith* functions append RESP bytes to ctx->reply in the protocol
 * ctx->resp (2 or 3), downgrading RESP3 types for RESP2 clients exactly as
 * Redis's addReply* functions do. The host copies ctx->reply.buf[0:len] to
 * the client once the callback returns, so replies never cross into Go.
 */
#ifndef MODHOST_API_REPLY_H
#define MODHOST_API_REPLY_H

#include <stddef.h>

#include "ctx.h"

/* One open REDISMODULE_POSTPONED_LEN collection: where its header goes.
 * ctx->pp is a stack of these (ctx->pp_len open, ctx->pp_cap allocated);
 * ReplySet*Length closes the most recent one by inserting the header. */
typedef struct mh_postponed {
    size_t off; /* offset in ctx->reply.buf */
} mh_postponed;

/* Number of postponed lengths not yet set. The reply is incomplete (and
 * must not be sent) while this is nonzero. */
int mh_reply_pending(RedisModuleCtx *ctx);

/* Appends raw protocol bytes to the reply. */
void mh_reply_raw(RedisModuleCtx *ctx, const char *p, size_t len);

/* Appends an error reply: "-" msg CRLF, with CR/LF at the end of msg
 * removed and the others replaced by spaces (Redis's addReplyErrorFormat
 * with a caller-provided error code). */
void mh_reply_error_msg(RedisModuleCtx *ctx, const char *msg);

/* Frees the reply buffer and the postponed stack and empties both. */
void mh_reply_free(RedisModuleCtx *ctx);

#endif /* MODHOST_API_REPLY_H */
