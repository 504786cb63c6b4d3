/*
 * api_reply.c - "Reply APIs": RESP encoding of module replies into the
 * context's C buffer (see api_reply.h). Every function here stays in C.
 *
 * RESP2 downgrades follow Redis's networking.c: a map becomes a flat array
 * of 2n elements, a set an array, a double or big number a bulk string, a
 * boolean the integer 1 or 0, null the null bulk string ($-1); attributes
 * are refused with REDISMODULE_ERR.
 */
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ctx.h"
#include "api_gen.h"
#include "api_reply.h"
#include "mh_string.h"
#include "api_util.h"
#include "misuse_reply.h"
#include "misuse.h"


enum { COLL_ARRAY = MH_COLL_ARRAY, COLL_MAP = MH_COLL_MAP, COLL_SET = MH_COLL_SET,
       COLL_ATTRIBUTE = MH_COLL_ATTRIBUTE };

/* Counts the element an API function is about to write; returns
 * REDISMODULE_ERR from it when the reply must be dropped. */
#define COUNT_ELEM(ctx)                                         \
    do {                                                        \
        if (mh_reply_elem((ctx), __func__)) return REDISMODULE_ERR; \
    } while (0)

static void oom(void) {
    fprintf(stderr, "modhost: out of memory growing a module reply\n");
    abort();
}

/* Makes room for n more bytes and returns where they go. */
static char *reserve(RedisModuleCtx *ctx, size_t n) {
    mh_reply_buf *r = &ctx->reply;
    if (r->len + n > r->cap) {
        size_t ncap = r->cap ? r->cap * 2 : 256;
        while (ncap < r->len + n) ncap *= 2;
        char *b = realloc(r->buf, ncap);
        if (b == NULL) oom();
        r->buf = b;
        r->cap = ncap;
    }
    return r->buf + r->len;
}

void mh_reply_raw(RedisModuleCtx *ctx, const char *p, size_t len) {
    char *dst = reserve(ctx, len);
    if (len > 0) memcpy(dst, p, len);
    ctx->reply.len += len;
}

/* Appends <prefix><n>\r\n. */
static void header(RedisModuleCtx *ctx, char prefix, long long n) {
    char *dst = reserve(ctx, 24);
    /* Digits backwards into tmp (no printf: this is the hottest path). */
    char tmp[24];
    int i = (int)sizeof(tmp);
    unsigned long long u = n < 0 ? 0ULL - (unsigned long long)n : (unsigned long long)n;
    do {
        tmp[--i] = (char)('0' + u % 10);
        u /= 10;
    } while (u != 0);
    if (n < 0) tmp[--i] = '-';
    size_t nd = sizeof(tmp) - (size_t)i;
    dst[0] = prefix;
    memcpy(dst + 1, tmp + i, nd);
    dst[nd + 1] = '\r';
    dst[nd + 2] = '\n';
    ctx->reply.len += nd + 3;
}

/* Appends a bulk string. */
static void bulk(RedisModuleCtx *ctx, const char *p, size_t len) {
    header(ctx, '$', (long long)len);
    mh_reply_raw(ctx, p, len);
    mh_reply_raw(ctx, "\r\n", 2);
}

/* Appends <prefix> p CRLF (simple strings, doubles, big numbers). */
static void line(RedisModuleCtx *ctx, char prefix, const char *p, size_t len) {
    char *dst = reserve(ctx, len + 3);
    dst[0] = prefix;
    if (len > 0) memcpy(dst + 1, p, len);
    dst[len + 1] = '\r';
    dst[len + 2] = '\n';
    ctx->reply.len += len + 3;
}

/* Collection header prefix and element count for the client protocol. */
static char coll_prefix(RedisModuleCtx *ctx, int type, long *len) {
    int resp3 = ctx->resp >= 3;
    switch (type) {
    case COLL_MAP:
        if (!resp3) *len *= 2;
        return resp3 ? '%' : '*';
    case COLL_SET:
        return resp3 ? '~' : '*';
    case COLL_ATTRIBUTE:
        return '|';
    default:
        return '*';
    }
}

static void warn(RedisModuleCtx *ctx, const char *msg) {
    mhv_log(ctx, MH_LL_WARNING, (char *)msg);
}

static int collection(RedisModuleCtx *ctx, long len, int type, const char *fn) {
    /* An attribute describes the reply after it: not an element itself. */
    if (type != COLL_ATTRIBUTE && mh_reply_elem(ctx, fn)) return REDISMODULE_ERR;
    if (len == REDISMODULE_POSTPONED_LEN) {
        mh_reply_open(ctx, -1, type);
        if (ctx->pp_len == ctx->pp_cap) {
            size_t ncap = ctx->pp_cap ? ctx->pp_cap * 2 : 8;
            mh_postponed *p = realloc(ctx->pp, ncap * sizeof(*p));
            if (p == NULL) oom();
            ctx->pp = p;
            ctx->pp_cap = ncap;
        }
        ctx->pp[ctx->pp_len++].off = ctx->reply.len;
        return REDISMODULE_OK;
    }
    if (len < 0) {
        /* Redis asserts here; modhost logs and sends an empty collection. */
        warn(ctx, "API misuse detected in module: negative collection length in a reply");
        len = 0;
    }
    mh_reply_open(ctx, len, type);
    char prefix = coll_prefix(ctx, type, &len);
    header(ctx, prefix, len);
    return REDISMODULE_OK;
}

/* Closes the most recent postponed collection with len elements. */
static void set_length(RedisModuleCtx *ctx, long len, int type, const char *fn) {
    if (ctx->pp_len == 0) {
        char msg[256];
        snprintf(msg, sizeof(msg),
                 "API misuse detected in module %s: RedisModule_ReplySet*Length() called "
                 "without previous RedisModule_ReplyWith*(ctx,REDISMODULE_POSTPONED_LEN) call.",
                 ctx->module_name ? ctx->module_name : "module");
        warn(ctx, msg);
        return;
    }
    if (len < 0) {
        warn(ctx, "API misuse detected in module: negative postponed length in a reply");
        len = 0;
    }
    len = mh_reply_close_postponed(ctx, len, fn);
    size_t off = ctx->pp[--ctx->pp_len].off;
    char hdr[32];
    char prefix = coll_prefix(ctx, type, &len);
    size_t n = (size_t)snprintf(hdr, sizeof(hdr), "%c%ld\r\n", prefix, len);
    reserve(ctx, n);
    char *at = ctx->reply.buf + off;
    memmove(at + n, at, ctx->reply.len - off);
    memcpy(at, hdr, n);
    ctx->reply.len += n;
}

int mh_reply_pending(RedisModuleCtx *ctx) {
    return (int)ctx->pp_len;
}

void mh_reply_free(RedisModuleCtx *ctx) {
    free(ctx->reply.buf);
    ctx->reply.buf = NULL;
    ctx->reply.len = ctx->reply.cap = 0;
    free(ctx->pp);
    ctx->pp = NULL;
    ctx->pp_len = ctx->pp_cap = 0;
    free(ctx->open);
    ctx->open = NULL;
    ctx->open_len = ctx->open_cap = 0;
}

/* Appends "-" body CRLF after trimming CR/LF at the end of body and
 * turning the others into spaces (the "-" shields the start from Redis's
 * sdstrim). */
static void error_line(RedisModuleCtx *ctx, const char *body, size_t len) {
    while (len > 0 && (body[len - 1] == '\r' || body[len - 1] == '\n')) len--;
    char *dst = reserve(ctx, len + 3);
    dst[0] = '-';
    for (size_t i = 0; i < len; i++) {
        char c = body[i];
        dst[i + 1] = (c == '\r' || c == '\n') ? ' ' : c;
    }
    dst[len + 1] = '\r';
    dst[len + 2] = '\n';
    ctx->reply.len += len + 3;
}

void mh_reply_error_msg(RedisModuleCtx *ctx, const char *msg) {
    if (mh_reply_elem(ctx, "mh_ReplyWithError")) return;
    error_line(ctx, msg, strlen(msg));
}

/* ---- API ---- */

/* Replies with the integer ll. Always REDISMODULE_OK. */
int mh_ReplyWithLongLong(RedisModuleCtx *ctx, long long ll) {
    COUNT_ELEM(ctx);
    header(ctx, ':', ll);
    return REDISMODULE_OK;
}

/* Replies with the error err, which must carry its own error code
 * ("ERR ...", "WRONGTYPE ..."): only the "-" is added, as in Redis.
 * Newlines are made safe. Always REDISMODULE_OK. */
int mh_ReplyWithError(RedisModuleCtx *ctx, const char *err) {
    mh_reply_error_msg(ctx, err);
    return REDISMODULE_OK;
}

/* Like ReplyWithError with a printf-style format. Always REDISMODULE_OK. */
int mh_ReplyWithErrorFormat(RedisModuleCtx *ctx, const char *fmt, ...) {
    COUNT_ELEM(ctx);
    char small[512];
    va_list ap, cp;
    va_start(ap, fmt);
    va_copy(cp, ap);
    int n = vsnprintf(small, sizeof(small), fmt, cp);
    va_end(cp);
    if (n < 0) n = 0;
    if ((size_t)n < sizeof(small)) {
        error_line(ctx, small, (size_t)n);
    } else {
        char *big = malloc((size_t)n + 1);
        if (big == NULL) oom();
        vsnprintf(big, (size_t)n + 1, fmt, ap);
        error_line(ctx, big, (size_t)n);
        free(big);
    }
    va_end(ap);
    return REDISMODULE_OK;
}

/* Replies with the simple string msg ("+msg"), unescaped as in Redis.
 * Always REDISMODULE_OK. */
int mh_ReplyWithSimpleString(RedisModuleCtx *ctx, const char *msg) {
    COUNT_ELEM(ctx);
    line(ctx, '+', msg, strlen(msg));
    return REDISMODULE_OK;
}

/* Starts an array of len elements (REDISMODULE_POSTPONED_LEN: set later
 * with ReplySetArrayLength). Always REDISMODULE_OK. */
int mh_ReplyWithArray(RedisModuleCtx *ctx, long len) {
    return collection(ctx, len, COLL_ARRAY, __func__);
}

/* Starts a map of len pairs (a flat array of 2*len for RESP2). Always
 * REDISMODULE_OK. */
int mh_ReplyWithMap(RedisModuleCtx *ctx, long len) {
    return collection(ctx, len, COLL_MAP, __func__);
}

/* Starts a set of len elements (an array for RESP2). Always
 * REDISMODULE_OK. */
int mh_ReplyWithSet(RedisModuleCtx *ctx, long len) {
    return collection(ctx, len, COLL_SET, __func__);
}

/* Starts an attribute map of len pairs before the reply it describes.
 * RESP2 has no attributes: REDISMODULE_ERR and nothing is written. */
int mh_ReplyWithAttribute(RedisModuleCtx *ctx, long len) {
    if (ctx->resp < 3) return REDISMODULE_ERR;
    return collection(ctx, len, COLL_ATTRIBUTE, __func__);
}

/* Replies with a null array (*-1) for RESP2, null (_) for RESP3. */
int mh_ReplyWithNullArray(RedisModuleCtx *ctx) {
    COUNT_ELEM(ctx);
    if (ctx->resp >= 3) mh_reply_raw(ctx, "_\r\n", 3);
    else mh_reply_raw(ctx, "*-1\r\n", 5);
    return REDISMODULE_OK;
}

/* Replies with an empty array (*0) in both protocols. */
int mh_ReplyWithEmptyArray(RedisModuleCtx *ctx) {
    COUNT_ELEM(ctx);
    mh_reply_raw(ctx, "*0\r\n", 4);
    return REDISMODULE_OK;
}

/* Sets the length of the most recent postponed collection (whatever kind
 * it was opened as, as in Redis). Without one, logs an API misuse
 * warning and does nothing. */
void mh_ReplySetArrayLength(RedisModuleCtx *ctx, long len) {
    set_length(ctx, len, COLL_ARRAY, __func__);
}

/* Like ReplySetArrayLength for a map: len pairs. */
void mh_ReplySetMapLength(RedisModuleCtx *ctx, long len) {
    set_length(ctx, len, COLL_MAP, __func__);
}

/* Like ReplySetArrayLength for a set. */
void mh_ReplySetSetLength(RedisModuleCtx *ctx, long len) {
    set_length(ctx, len, COLL_SET, __func__);
}

/* Like ReplySetMapLength for an attribute; ignored for RESP2 clients
 * (where ReplyWithAttribute refused to open one). */
void mh_ReplySetAttributeLength(RedisModuleCtx *ctx, long len) {
    if (ctx->resp < 3) return;
    set_length(ctx, len, COLL_ATTRIBUTE, __func__);
}

/* Replies with the bulk string buf[0:len]. Always REDISMODULE_OK. */
int mh_ReplyWithStringBuffer(RedisModuleCtx *ctx, const char *buf, size_t len) {
    COUNT_ELEM(ctx);
    bulk(ctx, buf, len);
    return REDISMODULE_OK;
}

/* Replies with the NUL-terminated buf as a bulk string (NULL: a null
 * reply, as Redis's addReplyBulkCString). Always REDISMODULE_OK. */
int mh_ReplyWithCString(RedisModuleCtx *ctx, const char *buf) {
    if (buf == NULL) return mh_ReplyWithNull(ctx);
    COUNT_ELEM(ctx);
    bulk(ctx, buf, strlen(buf));
    return REDISMODULE_OK;
}

/* Replies with str as a bulk string. Always REDISMODULE_OK. */
int mh_ReplyWithString(RedisModuleCtx *ctx, RedisModuleString *str) {
    if (str->magic != MH_MAGIC_LIVE) {
        mh_string_dead(str, __func__);
        str = NULL; /* a null reply keeps the reply well formed */
    }
    COUNT_ELEM(ctx);
    if (str == NULL) {
        if (ctx->resp >= 3) mh_reply_raw(ctx, "_\r\n", 3);
        else mh_reply_raw(ctx, "$-1\r\n", 5);
        return REDISMODULE_ERR;
    }
    bulk(ctx, str->ptr, str->len);
    return REDISMODULE_OK;
}

/* Replies with the empty bulk string. Always REDISMODULE_OK. */
int mh_ReplyWithEmptyString(RedisModuleCtx *ctx) {
    COUNT_ELEM(ctx);
    mh_reply_raw(ctx, "$0\r\n\r\n", 6);
    return REDISMODULE_OK;
}

/* Replies with a RESP3 verbatim string "=<len+4>\r\next:buf" where ext is
 * the first 3 characters of ext, space padded; a bulk string for RESP2.
 * Always REDISMODULE_OK. */
int mh_ReplyWithVerbatimStringType(RedisModuleCtx *ctx, const char *buf, size_t len, const char *ext) {
    COUNT_ELEM(ctx);
    if (ctx->resp < 3) {
        bulk(ctx, buf, len);
        return REDISMODULE_OK;
    }
    header(ctx, '=', (long long)len + 4);
    char *dst = reserve(ctx, 4);
    for (int i = 0; i < 3; i++) dst[i] = *ext ? *ext++ : ' ';
    dst[3] = ':';
    ctx->reply.len += 4;
    mh_reply_raw(ctx, buf, len);
    mh_reply_raw(ctx, "\r\n", 2);
    return REDISMODULE_OK;
}

/* ReplyWithVerbatimStringType with the "txt" type. */
int mh_ReplyWithVerbatimString(RedisModuleCtx *ctx, const char *buf, size_t len) {
    return mh_ReplyWithVerbatimStringType(ctx, buf, len, "txt");
}

/* Replies with null: $-1 for RESP2, _ for RESP3. Always REDISMODULE_OK. */
int mh_ReplyWithNull(RedisModuleCtx *ctx) {
    COUNT_ELEM(ctx);
    if (ctx->resp >= 3) mh_reply_raw(ctx, "_\r\n", 3);
    else mh_reply_raw(ctx, "$-1\r\n", 5);
    return REDISMODULE_OK;
}

/* Replies with a RESP3 boolean (#t/#f); the integer 1/0 for RESP2.
 * Always REDISMODULE_OK. */
int mh_ReplyWithBool(RedisModuleCtx *ctx, int b) {
    COUNT_ELEM(ctx);
    if (ctx->resp >= 3) mh_reply_raw(ctx, b ? "#t\r\n" : "#f\r\n", 4);
    else mh_reply_raw(ctx, b ? ":1\r\n" : ":0\r\n", 4);
    return REDISMODULE_OK;
}

/* Replies with a RESP3 double (",<d>") or, for RESP2, a bulk string of
 * the same text; Redis 7.2 formatting (shortest round trip, inf, nan).
 * Always REDISMODULE_OK. */
int mh_ReplyWithDouble(RedisModuleCtx *ctx, double d) {
    COUNT_ELEM(ctx);
    char buf[MH_DOUBLE_BUF];
    int n = mh_format_double(buf, d);
    if (ctx->resp >= 3) line(ctx, ',', buf, (size_t)n);
    else bulk(ctx, buf, (size_t)n);
    return REDISMODULE_OK;
}

/* Replies with a RESP3 big number ("(<digits>"), unchecked, or a bulk
 * string for RESP2. Always REDISMODULE_OK. */
int mh_ReplyWithBigNumber(RedisModuleCtx *ctx, const char *bignum, size_t len) {
    COUNT_ELEM(ctx);
    if (ctx->resp >= 3) line(ctx, '(', bignum, len);
    else bulk(ctx, bignum, len);
    return REDISMODULE_OK;
}

/* Replies with ld in human-friendly fixed notation (17 decimals, trailing
 * zeros removed): a bulk string for RESP2, a RESP3 double for RESP3, as
 * Redis's addReplyHumanLongDouble. Always REDISMODULE_OK. */
int mh_ReplyWithLongDouble(RedisModuleCtx *ctx, long double ld) {
    COUNT_ELEM(ctx);
    char buf[MH_LONG_DOUBLE_BUF];
    int n = mh_format_long_double(buf, sizeof(buf), ld, 1);
    if (ctx->resp >= 3) line(ctx, ',', buf, (size_t)n);
    else bulk(ctx, buf, (size_t)n);
    return REDISMODULE_OK;
}
