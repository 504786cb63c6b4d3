/*
 * api_callreply.c - the reply half of "Calling Redis commands from
 * modules": parsing a captured reply once into a C tree (api_callreply.h)
 * and the CallReply accessors, which never leave C.
 *
 * Accessors behave as Redis's for a wrong type or index: NULL, 0,
 * LLONG_MIN (integer, double), INT_MIN (bool) or REDISMODULE_ERR; every one
 * accepts a NULL reply the way RedisModule_CallReplyType does (UNKNOWN).
 */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ctx.h"
#include "api_gen.h"
#include "api_callreply.h"
#include "api_reply.h"
#include "mh_string.h"
#include "misuse.h"
#include "misuse_reply.h"
#include "gil.h"
#include "api_promise.h"
#include "strict_alloc.h"

/* Replies nested deeper than this are refused (the parser recurses). */
#define MH_CR_MAX_DEPTH 4096

typedef struct parser {
    const char *p;   /* next byte */
    const char *end; /* one past the last byte */
    RedisModuleCtx *ctx;
} parser;

static void *xcalloc(size_t n, size_t size) {
    void *m = calloc(n ? n : 1, size);
    if (m == NULL) abort();
    return m;
}

/* Reads a line (without CRLF) starting after the type byte. Returns its
 * start and stores its length, or NULL when the line is incomplete. */
static const char *read_line(parser *ps, size_t *len) {
    const char *start = ps->p + 1;
    for (const char *q = start; q + 1 < ps->end; q++) {
        if (q[0] == '\r' && q[1] == '\n') {
            *len = (size_t)(q - start);
            ps->p = q + 2;
            return start;
        }
    }
    return NULL;
}

/* Reads the signed decimal of a header line. */
static int read_number(parser *ps, long long *n) {
    size_t len;
    const char *s = read_line(ps, &len);
    if (s == NULL || len == 0 || len > 20) return 0;
    char buf[24];
    memcpy(buf, s, len);
    buf[len] = '\0';
    char *endp;
    *n = strtoll(buf, &endp, 10);
    return *endp == '\0';
}

static int parse(parser *ps, RedisModuleCallReply *r, int depth);

/* Parses n (or 2n for maps and attributes) children into r->elems. */
static int parse_children(parser *ps, RedisModuleCallReply *r, long long n, int per, int depth) {
    if (n < 0) return 0;
    r->len = (size_t)n;
    r->elems = xcalloc((size_t)n * (size_t)per, sizeof(*r->elems));
    for (size_t i = 0; i < (size_t)n * (size_t)per; i++) {
        r->elems[i].ctx = r->ctx;
        if (!parse(ps, &r->elems[i], depth + 1)) return 0;
        if (r->elems[i].flags & MH_CR_RESP3) r->flags |= MH_CR_RESP3;
    }
    return 1;
}

/* Parses a bulk payload of n bytes plus CRLF. */
static const char *read_bulk(parser *ps, long long n) {
    if (n < 0 || (size_t)(ps->end - ps->p) < (size_t)n + 2) return NULL;
    const char *s = ps->p;
    if (s[n] != '\r' || s[n + 1] != '\n') return NULL;
    ps->p += n + 2;
    return s;
}

static int parse(parser *ps, RedisModuleCallReply *r, int depth) {
    r->magic = MH_MAGIC_LIVE;
    if (depth > MH_CR_MAX_DEPTH || ps->p >= ps->end) return 0;
    const char *start = ps->p;
    long long n;
    size_t len;
    const char *s;
    switch (*ps->p) {
    case '+':
    case '-':
        if ((s = read_line(ps, &len)) == NULL) return 0;
        r->type = *start == '+' ? REDISMODULE_REPLY_STRING : REDISMODULE_REPLY_ERROR;
        r->str = s;
        r->len = len;
        break;
    case ':':
        if (!read_number(ps, &n)) return 0;
        r->type = REDISMODULE_REPLY_INTEGER;
        r->ll = n;
        break;
    case '$':
        if (!read_number(ps, &n)) return 0;
        if (n < 0) {
            r->type = REDISMODULE_REPLY_NULL;
            break;
        }
        if ((s = read_bulk(ps, n)) == NULL) return 0;
        r->type = REDISMODULE_REPLY_STRING;
        r->str = s;
        r->len = (size_t)n;
        break;
    case '*':
    case '>':
        if (!read_number(ps, &n)) return 0;
        if (n < 0) {
            r->type = REDISMODULE_REPLY_NULL;
            break;
        }
        r->type = REDISMODULE_REPLY_ARRAY;
        if (!parse_children(ps, r, n, 1, depth)) return 0;
        break;
    case '~':
    case '%':
        if (!read_number(ps, &n)) return 0;
        r->type = *start == '~' ? REDISMODULE_REPLY_SET : REDISMODULE_REPLY_MAP;
        r->flags |= MH_CR_RESP3;
        if (!parse_children(ps, r, n, *start == '~' ? 1 : 2, depth)) return 0;
        break;
    case '|': {
        if (!read_number(ps, &n)) return 0;
        RedisModuleCallReply *a = xcalloc(1, sizeof(*a));
        r->attribute = a;
        a->magic = MH_MAGIC_LIVE;
        a->type = REDISMODULE_REPLY_ATTRIBUTE;
        a->flags = MH_CR_RESP3;
        a->ctx = r->ctx;
        a->proto = start;
        if (!parse_children(ps, a, n, 2, depth)) return 0;
        a->proto_len = (size_t)(ps->p - start);
        if (!parse(ps, r, depth + 1)) return 0;
        r->flags |= MH_CR_RESP3;
        break; /* proto below spans the attribute and the reply */
    }
    case '_':
        if (read_line(ps, &len) == NULL || len != 0) return 0;
        r->type = REDISMODULE_REPLY_NULL;
        r->flags |= MH_CR_RESP3;
        break;
    case ',': {
        if ((s = read_line(ps, &len)) == NULL || len == 0 || len > 63) return 0;
        char buf[64];
        memcpy(buf, s, len);
        buf[len] = '\0';
        r->type = REDISMODULE_REPLY_DOUBLE;
        r->d = strtod(buf, NULL);
        r->flags |= MH_CR_RESP3;
        break;
    }
    case '#':
        if ((s = read_line(ps, &len)) == NULL || len != 1 || (s[0] != 't' && s[0] != 'f')) return 0;
        r->type = REDISMODULE_REPLY_BOOL;
        r->ll = s[0] == 't';
        r->flags |= MH_CR_RESP3;
        break;
    case '(':
        if ((s = read_line(ps, &len)) == NULL) return 0;
        r->type = REDISMODULE_REPLY_BIG_NUMBER;
        r->str = s;
        r->len = len;
        r->flags |= MH_CR_RESP3;
        break;
    case '=':
        if (!read_number(ps, &n) || n < 4) return 0;
        if ((s = read_bulk(ps, n)) == NULL || s[3] != ':') return 0;
        r->type = REDISMODULE_REPLY_VERBATIM_STRING;
        r->format = s;
        r->str = s + 4;
        r->len = (size_t)n - 4;
        r->flags |= MH_CR_RESP3;
        break;
    default:
        return 0;
    }
    r->proto = start;
    r->proto_len = (size_t)(ps->p - start);
    return 1;
}

/* Frees what r owns below it, not r itself. */
static void free_children(RedisModuleCallReply *r) {
    if (r->elems != NULL) {
        size_t n = r->len;
        if (r->type == REDISMODULE_REPLY_MAP || r->type == REDISMODULE_REPLY_ATTRIBUTE) n *= 2;
        for (size_t i = 0; i < n; i++) free_children(&r->elems[i]);
        free(r->elems);
        r->elems = NULL;
    }
    if (r->attribute != NULL) {
        free_children(r->attribute);
        free(r->attribute);
        r->attribute = NULL;
    }
}

/* Frees a root's children and bytes and poisons the root, which stays
 * in quarantine so that a second free or a later use is recognised. */
static void callreply_release(RedisModuleCallReply *r, uint32_t poison) {
    if (r->promise != 0) {
        mhv_promise_release(r->promise);
        r->promise = 0;
    }
    mh_track_forget(r);
    free_children(r);
    free(r->mem);
    r->mem = NULL;
    r->len = 0;
    r->magic = poison;
    mh_quarantine(r);
}

void mh_callreply_free(RedisModuleCallReply *r) {
    if (r == NULL || !(r->flags & MH_CR_ROOT)) return;
    callreply_release(r, MH_MAGIC_FREED);
}

/* Reports a use of a reply that is no longer live (fn: "mh_..."). */
static int cr_dead(RedisModuleCallReply *reply, const char *fn) {
    if (reply == NULL || reply->magic == MH_MAGIC_LIVE) return 0;
    mh_misuse(NULL, MH_MISUSE_USE_AFTER_FREE, fn + 3, "call reply used after it was %s; ignored", mh_magic_state(reply->magic));
    return 1;
}

RedisModuleCallReply *mh_callreply_new(RedisModuleCtx *ctx, const char *p, size_t len) {
    RedisModuleCallReply *r = xcalloc(1, sizeof(*r));
    r->mem = malloc(len + 1);
    if (r->mem == NULL) abort();
    if (len > 0) memcpy(r->mem, p, len);
    r->mem[len] = '\0';
    r->flags = MH_CR_ROOT;
    r->ctx = (ctx != NULL && ctx->automemory) ? ctx : NULL;
    parser ps = {r->mem, r->mem + len, r->ctx};
    if (!parse(&ps, r, 0) || ps.p != ps.end) {
        mh_callreply_free(r);
        return NULL;
    }
    if (__builtin_expect(mh_strict, 0))
        mh_track_new(r, sizeof(*r) + len + 1, MH_TRACK_REPLY, NULL, ctx != NULL ? ctx->module_name : NULL);
    return r;
}

static void am_release_reply(RedisModuleCtx *ctx, void *ptr) {
    (void)ctx;
    RedisModuleCallReply *r = ptr;
    if (r->magic != MH_MAGIC_LIVE) {
        mh_misuse(ctx, MH_MISUSE_DOUBLE_FREE, "FreeCallReply",
                  "call reply freed with a NULL context while AutoMemory still held it");
        return;
    }
    callreply_release(r, MH_MAGIC_AMFREED);
}

void mh_callreply_init(void) {
    mh_am_set_release(MH_AM_REPLY, am_release_reply);
}

/* Frees a reply returned by RedisModule_Call and every reply nested in it.
 * Nested replies (array elements, map keys ...) are owned by their root:
 * freeing one of them does nothing, as in Redis. With auto memory on, the
 * reply is also forgotten by the context. */
void mh_FreeCallReply(RedisModuleCallReply *reply) {
    if (reply == NULL) return;
    if (reply->magic != MH_MAGIC_LIVE) {
        mh_misuse(NULL, MH_MISUSE_DOUBLE_FREE, "FreeCallReply",
                  "call reply freed twice (it was already %s); ignored", mh_magic_state(reply->magic));
        return;
    }
    if (!(reply->flags & MH_CR_ROOT)) return;
    RedisModuleCtx *ctx = reply->ctx;
    mh_callreply_free(reply);
    if (ctx != NULL) mh_am_forget(ctx, reply);
}

/* Returns the reply type (REDISMODULE_REPLY_*): UNKNOWN for NULL. */
int mh_CallReplyType(RedisModuleCallReply *reply) {
    if (cr_dead(reply, __func__)) return REDISMODULE_REPLY_UNKNOWN;
    return reply == NULL ? REDISMODULE_REPLY_UNKNOWN : reply->type;
}

/* Returns the length of a string, error, array, set, map (pairs) or
 * attribute (pairs) reply; 0 for every other type. */
size_t mh_CallReplyLength(RedisModuleCallReply *reply) {
    if (cr_dead(reply, __func__)) return 0;
    if (reply == NULL) return 0;
    switch (reply->type) {
    case REDISMODULE_REPLY_STRING:
    case REDISMODULE_REPLY_ERROR:
    case REDISMODULE_REPLY_ARRAY:
    case REDISMODULE_REPLY_SET:
    case REDISMODULE_REPLY_MAP:
    case REDISMODULE_REPLY_ATTRIBUTE:
        return reply->len;
    default:
        return 0;
    }
}

/* Returns the value of an integer reply, LLONG_MIN for another type. */
long long mh_CallReplyInteger(RedisModuleCallReply *reply) {
    if (cr_dead(reply, __func__)) return LLONG_MIN;
    if (reply == NULL || reply->type != REDISMODULE_REPLY_INTEGER) return LLONG_MIN;
    return reply->ll;
}

/* Returns the value of a double reply, (double)LLONG_MIN for another type. */
double mh_CallReplyDouble(RedisModuleCallReply *reply) {
    if (cr_dead(reply, __func__)) return (double)LLONG_MIN;
    if (reply == NULL || reply->type != REDISMODULE_REPLY_DOUBLE) return (double)LLONG_MIN;
    return reply->d;
}

/* Returns 1 or 0 for a boolean reply, INT_MIN for another type. */
int mh_CallReplyBool(RedisModuleCallReply *reply) {
    if (cr_dead(reply, __func__)) return INT_MIN;
    if (reply == NULL || reply->type != REDISMODULE_REPLY_BOOL) return INT_MIN;
    return (int)reply->ll;
}

/* Returns the digits of a big number reply (not NUL-terminated) and their
 * count in *len, or NULL for another type. */
const char *mh_CallReplyBigNumber(RedisModuleCallReply *reply, size_t *len) {
    if (cr_dead(reply, __func__)) return NULL;
    if (reply == NULL || reply->type != REDISMODULE_REPLY_BIG_NUMBER) return NULL;
    *len = reply->len;
    return reply->str;
}

/* Returns the text of a verbatim string reply and its length; *format (if
 * format is not NULL) receives the 3-byte format, not NUL-terminated.
 * NULL for another type. */
const char *mh_CallReplyVerbatim(RedisModuleCallReply *reply, size_t *len, const char **format) {
    if (cr_dead(reply, __func__)) return NULL;
    if (reply == NULL || reply->type != REDISMODULE_REPLY_VERBATIM_STRING) return NULL;
    *len = reply->len;
    if (format != NULL) *format = reply->format;
    return reply->str;
}

/* Returns the bytes of a string or error reply (an error without its '-')
 * and their count in *len (len may be NULL); NULL for another type. */
const char *mh_CallReplyStringPtr(RedisModuleCallReply *reply, size_t *len) {
    if (cr_dead(reply, __func__)) return NULL;
    if (reply == NULL || (reply->type != REDISMODULE_REPLY_STRING && reply->type != REDISMODULE_REPLY_ERROR))
        return NULL;
    if (len != NULL) *len = reply->len;
    return reply->str;
}

/* Returns element idx of an array reply, NULL for another type or an index
 * out of range. The element belongs to the reply: never free it. */
RedisModuleCallReply *mh_CallReplyArrayElement(RedisModuleCallReply *reply, size_t idx) {
    if (cr_dead(reply, __func__)) return NULL;
    if (reply == NULL || reply->type != REDISMODULE_REPLY_ARRAY || idx >= reply->len) return NULL;
    return &reply->elems[idx];
}

/* Returns element idx of a set reply, NULL for another type or an index
 * out of range. */
RedisModuleCallReply *mh_CallReplySetElement(RedisModuleCallReply *reply, size_t idx) {
    if (cr_dead(reply, __func__)) return NULL;
    if (reply == NULL || reply->type != REDISMODULE_REPLY_SET || idx >= reply->len) return NULL;
    return &reply->elems[idx];
}

static int pair(RedisModuleCallReply *reply, int type, size_t idx, RedisModuleCallReply **key, RedisModuleCallReply **val) {
    if (reply == NULL || reply->type != type || idx >= reply->len) return REDISMODULE_ERR;
    if (key != NULL) *key = &reply->elems[idx * 2];
    if (val != NULL) *val = &reply->elems[idx * 2 + 1];
    return REDISMODULE_OK;
}

/* Stores the key and value of pair idx of a map reply in *key and *val
 * (either may be NULL). REDISMODULE_ERR for another type or an index out
 * of range. */
int mh_CallReplyMapElement(RedisModuleCallReply *reply, size_t idx, RedisModuleCallReply **key, RedisModuleCallReply **val) {
    if (cr_dead(reply, __func__)) return REDISMODULE_ERR;
    return pair(reply, REDISMODULE_REPLY_MAP, idx, key, val);
}

/* Returns the attribute that preceded the reply, or NULL. */
RedisModuleCallReply *mh_CallReplyAttribute(RedisModuleCallReply *reply) {
    if (cr_dead(reply, __func__)) return NULL;
    return reply == NULL ? NULL : reply->attribute;
}

/* Stores the key and value of pair idx of an attribute reply, as
 * CallReplyMapElement. Redis's own implementation checks for a map by
 * mistake (so it always fails on an attribute); modhost does what the
 * documentation promises. */
int mh_CallReplyAttributeElement(RedisModuleCallReply *reply, size_t idx, RedisModuleCallReply **key, RedisModuleCallReply **val) {
    if (cr_dead(reply, __func__)) return REDISMODULE_ERR;
    return pair(reply, REDISMODULE_REPLY_ATTRIBUTE, idx, key, val);
}

/* Returns the RESP bytes of the reply (of a nested reply: its own part)
 * and their count in *len. */
const char *mh_CallReplyProto(RedisModuleCallReply *reply, size_t *len) {
    if (cr_dead(reply, __func__)) return NULL;
    if (reply == NULL) {
        if (len != NULL) *len = 0;
        return NULL;
    }
    if (len != NULL) *len = reply->proto_len;
    return reply->proto;
}

/* Returns a new string holding a string or error reply's bytes, or an
 * integer reply's decimal digits; NULL for other types. The string is
 * owned as CreateString's, and with auto memory on (when Call was made)
 * it is released with the context. */
RedisModuleString *mh_CreateStringFromCallReply(RedisModuleCallReply *reply) {
    if (reply == NULL) return NULL;
    switch (reply->type) {
    case REDISMODULE_REPLY_STRING:
    case REDISMODULE_REPLY_ERROR:
        return mh_CreateString(reply->ctx, reply->str, reply->len);
    case REDISMODULE_REPLY_INTEGER: {
        char buf[32];
        int n = snprintf(buf, sizeof(buf), "%lld", reply->ll);
        return mh_CreateString(reply->ctx, buf, (size_t)n);
    }
    default:
        return NULL;
    }
}

/* Sends the reply (its protocol bytes, as they are) to the client of ctx.
 * Returns REDISMODULE_ERR, sending nothing, when the reply holds RESP3
 * types and the client speaks RESP2, as Redis does: call with the "0"
 * format modifier to get the client's own protocol. */
int mh_ReplyWithCallReply(RedisModuleCtx *ctx, RedisModuleCallReply *reply) {
    if (cr_dead(reply, __func__)) return REDISMODULE_ERR;
    if (ctx == NULL || reply == NULL || reply->type == REDISMODULE_REPLY_PROMISE) return REDISMODULE_ERR;
    if (ctx->resp == 2 && (reply->flags & MH_CR_RESP3)) return REDISMODULE_ERR;
    if (mh_reply_elem(ctx, __func__)) return REDISMODULE_ERR;
    mh_reply_raw(ctx, reply->proto, reply->proto_len);
    return REDISMODULE_OK;
}

/* Sets the handler of a promise reply (Call with "K" whose command
 * blocked): on_unblock(ctx, reply, private_data) runs once, on the main
 * thread, when the command finishes; reply is then the command's reply
 * and belongs to the handler (free it). Set it right after Call, before
 * the server lock is released. Without a handler the command still runs
 * and its reply is dropped. Freeing the promise reply does not cancel the
 * handler, as in Redis. Does nothing for another reply type. */
void mh_CallReplyPromiseSetUnblockHandler(RedisModuleCallReply *reply, RedisModuleOnUnblocked on_unblock, void *private_data) {
    if (cr_dead(reply, __func__) || reply == NULL || reply->type != REDISMODULE_REPLY_PROMISE) return;
    mhv_promise_set_handler(reply->promise, (void *)on_unblock, private_data);
}

/* Aborts the blocked command of a promise reply: it is unblocked without
 * a reply and the handler will not run. Returns REDISMODULE_OK and stores
 * the handler's private data in *private_data (when not NULL), or
 * REDISMODULE_ERR when the command already finished or was aborted (or
 * the reply is not a promise). */
int mh_CallReplyPromiseAbort(RedisModuleCallReply *reply, void **private_data) {
    if (cr_dead(reply, __func__) || reply == NULL || reply->type != REDISMODULE_REPLY_PROMISE) return REDISMODULE_ERR;
    return mhv_promise_abort(reply->promise, private_data);
}

RedisModuleCallReply *mh_callreply_promise_new(RedisModuleCtx *ctx, uintptr_t handle) {
    RedisModuleCallReply *r = xcalloc(1, sizeof(*r));
    r->magic = MH_MAGIC_LIVE;
    r->type = REDISMODULE_REPLY_PROMISE;
    r->flags = MH_CR_ROOT;
    r->ctx = (ctx != NULL && ctx->automemory) ? ctx : NULL;
    r->promise = handle;
    return r;
}

void mh_promise_call_handler(void *fn, RedisModuleCtx *ctx, const char *p, size_t len, void *privdata) {
    RedisModuleCallReply *reply = mh_callreply_new(NULL, p, len);
    MH_HOST_CALLV(((RedisModuleOnUnblocked)fn)(ctx, reply, privdata));
}
