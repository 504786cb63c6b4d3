/*
 * testsupport.c - small C callers used by the package tests (cgo cannot
 * be used from _test.go files). Each one calls an API function through a
 * pointer obtained from GetApi, the way a module would.
 */
#include <stdlib.h>
#include <string.h>

#include "ctx.h"
#include "testsupport.h"

int mh_test_getapi(const char *name, uintptr_t preset, uintptr_t *out) {
    RedisModuleCtx ctx;
    mh_ctx_init(&ctx, 0, 2);
    void *slot = (void *)preset;
    int rc = mh_ctx_getapi(&ctx, name, &slot);
    *out = (uintptr_t)slot;
    mh_ctx_release(&ctx);
    return rc;
}

int mh_test_call_int_void(void *fn) {
    return ((int (*)(void))fn)();
}

long long mh_test_call_ll_void(void *fn) {
    return ((long long (*)(void))fn)();
}

int mh_test_alloc_cycle(void *alloc, void *realloc_fn, void *usable, void *free_fn, size_t n) {
    void *(*a)(size_t) = (void *(*)(size_t))alloc;
    void *(*r)(void *, size_t) = (void *(*)(void *, size_t))realloc_fn;
    size_t (*u)(void *) = (size_t (*)(void *))usable;
    void (*f)(void *) = (void (*)(void *))free_fn;
    unsigned char *p = a(n);
    if (p == NULL) return 0;
    memset(p, 0xab, n);
    p = r(p, n * 2);
    int ok = p != NULL && u(p) >= n * 2 && p[n - 1] == 0xab;
    f(p);
    return ok;
}

void mh_test_call_fill(void *fn, char *dst, size_t len) {
    ((void (*)(char *, size_t))fn)(dst, len);
}

/* ---- values (strings, replies, heap): ts_val_ helpers ---- */

#include <math.h>
#include <stdio.h>

#include "api_gen.h"
#include "api_reply.h"
#include "mh_string.h"

int ts_val_to_ll(const char *p, size_t len, long long *out) {
    RedisModuleString *s = mh_string_new(p, len);
    int rc = mh_StringToLongLong(s, out);
    mh_string_release(s);
    return rc;
}

int ts_val_to_ull(const char *p, size_t len, unsigned long long *out) {
    RedisModuleString *s = mh_string_new(p, len);
    int rc = mh_StringToULongLong(s, out);
    mh_string_release(s);
    return rc;
}

int ts_val_to_double(const char *p, size_t len, double *out) {
    RedisModuleString *s = mh_string_new(p, len);
    int rc = mh_StringToDouble(s, out);
    mh_string_release(s);
    return rc;
}

int ts_val_to_ld(const char *p, size_t len, double *out) {
    RedisModuleString *s = mh_string_new(p, len);
    long double ld = 0;
    int rc = mh_StringToLongDouble(s, &ld);
    *out = (double)ld;
    mh_string_release(s);
    return rc;
}

int ts_val_to_streamid(const char *p, size_t len, uint64_t *ms, uint64_t *seq) {
    RedisModuleString *s = mh_string_new(p, len);
    RedisModuleStreamID id = {0, 0};
    int rc = mh_StringToStreamID(s, &id);
    *ms = id.ms;
    *seq = id.seq;
    mh_string_release(s);
    return rc;
}

/* Copies s into buf (cap bytes, NUL-terminated), frees s, returns len. */
static size_t ts_val_take(RedisModuleString *s, char *buf, size_t cap) {
    size_t len;
    const char *p = mh_StringPtrLen(s, &len);
    size_t n = len < cap - 1 ? len : cap - 1;
    memcpy(buf, p, n);
    buf[n] = '\0';
    mh_FreeString(NULL, s);
    return len;
}

size_t ts_val_from_double(double d, char *buf, size_t cap) {
    return ts_val_take(mh_CreateStringFromDouble(NULL, d), buf, cap);
}

size_t ts_val_from_ld_text(const char *text, int human, char *buf, size_t cap) {
    return ts_val_take(mh_CreateStringFromLongDouble(NULL, strtold(text, NULL), human), buf, cap);
}

size_t ts_val_from_ll(long long v, char *buf, size_t cap) {
    return ts_val_take(mh_CreateStringFromLongLong(NULL, v), buf, cap);
}

size_t ts_val_from_ull(unsigned long long v, char *buf, size_t cap) {
    return ts_val_take(mh_CreateStringFromULongLong(NULL, v), buf, cap);
}

size_t ts_val_from_streamid(uint64_t ms, uint64_t seq, char *buf, size_t cap) {
    RedisModuleStreamID id = {ms, seq};
    return ts_val_take(mh_CreateStringFromStreamID(NULL, &id), buf, cap);
}

size_t ts_val_printf(const char *word, int n, char *buf, size_t cap) {
    return ts_val_take(mh_CreateStringPrintf(NULL, "%s:%d:%05.1f", word, n, 2.25), buf, cap);
}

size_t ts_val_printf_long(size_t n, char *buf, size_t cap) {
    return ts_val_take(mh_CreateStringPrintf(NULL, "%0*d", (int)n, 7), buf, cap);
}

int ts_val_compare(const char *a, size_t alen, const char *b, size_t blen) {
    RedisModuleString *x = mh_string_new(a, alen), *y = mh_string_new(b, blen);
    int c = mh_StringCompare(x, y);
    mh_string_release(x);
    mh_string_release(y);
    return c;
}

/* Append/retain/trim contract; returns a bitmask of passed checks (0x3f). */
int ts_val_append(void) {
    int ok = 0;
    RedisModuleString *s = mh_CreateString(NULL, "ab", 2);
    if (mh_StringAppendBuffer(NULL, s, "cd", 2) == REDISMODULE_OK) ok |= 1;
    mh_RetainString(NULL, s); /* refcount 2: in-place edits refused */
    if (mh_StringAppendBuffer(NULL, s, "x", 1) == REDISMODULE_ERR) ok |= 2;
    mh_FreeString(NULL, s);
    for (int i = 0; i < 100; i++) mh_StringAppendBuffer(NULL, s, "0123456789", 10);
    size_t len;
    const char *p = mh_StringPtrLen(s, &len);
    if (len == 1004 && memcmp(p, "abcd0123", 8) == 0 && p[len] == '\0') ok |= 4;
    mh_TrimStringAllocation(s);
    if (s->cap == s->len && mh_MallocSizeString(s) >= sizeof(*s) + len) ok |= 8;
    RedisModuleString *h = mh_HoldString(NULL, s);
    if (h == s && s->refcount == 2) ok |= 16;
    mh_FreeString(NULL, h);
    mh_FreeString(NULL, s);
    p = mh_StringPtrLen(NULL, &len);
    if (strcmp(p, "(NULL string reply referenced in module)") == 0 && len == strlen(p)) ok |= 32;
    mh_TrimStringAllocation(NULL);
    return ok;
}

/* Auto memory interplay; returns a bitmask of passed checks (0x1f). */
int ts_val_automem(void) {
    int ok = 0;
    size_t before = mh_alloc_used();
    RedisModuleCtx *ctx = mh_ctx_new(0, 2, 0);
    mh_AutoMemory(ctx);
    RedisModuleString *a = mh_CreateString(ctx, "a", 1);
    RedisModuleString *b = mh_CreateStringFromLongLong(ctx, 42);
    RedisModuleString *c = mh_CreateStringPrintf(ctx, "c%d", 1);
    mh_RetainString(ctx, b); /* leaves the queue, refcount stays 1 */
    if (b->refcount == 1 && mh_StringAppendBuffer(ctx, b, "!", 1) == REDISMODULE_OK) ok |= 1;
    RedisModuleString *h = mh_HoldString(ctx, a); /* queued a second time */
    if (h == a && a->refcount == 2) ok |= 2;
    mh_FreeString(ctx, c); /* freed now, forgotten by the queue */
    if (ctx->am_len >= 2) ok |= 4;
    mh_ctx_free(ctx); /* releases a twice */
    size_t len;
    if (strcmp(mh_StringPtrLen(b, &len), "42!") == 0 && len == 3) ok |= 8;
    mh_FreeString(NULL, b);
    if (mh_alloc_used() == before) ok |= 16;
    return ok;
}

/* Runs reply ops (see testsupport_val.go) on a fresh context speaking
 * resp; returns the RESP bytes (malloc'd) and the pending count. */
char *ts_val_reply(int resp, const char *ops, size_t *outlen, int *pending, int *errs) {
    RedisModuleCtx *ctx = mh_ctx_new(0, resp, 0);
    ctx->module_name = "tsval";
    char *copy = strdup(ops), *save = NULL;
    *errs = 0;
    for (char *t = strtok_r(copy, "|", &save); t != NULL; t = strtok_r(NULL, "|", &save)) {
        const char *a = t + 1;
        int rc = REDISMODULE_OK;
        switch (t[0]) {
        case 'L': rc = mh_ReplyWithLongLong(ctx, strtoll(a, NULL, 10)); break;
        case 'E': rc = mh_ReplyWithError(ctx, a); break;
        case 'F': rc = mh_ReplyWithErrorFormat(ctx, "ERR %s %d", a, 42); break;
        case 'S': rc = mh_ReplyWithSimpleString(ctx, a); break;
        case 'A': rc = mh_ReplyWithArray(ctx, strtol(a, NULL, 10)); break;
        case 'M': rc = mh_ReplyWithMap(ctx, strtol(a, NULL, 10)); break;
        case 'T': rc = mh_ReplyWithSet(ctx, strtol(a, NULL, 10)); break;
        case 'R': rc = mh_ReplyWithAttribute(ctx, strtol(a, NULL, 10)); break;
        case 'N': rc = mh_ReplyWithNull(ctx); break;
        case 'U': rc = mh_ReplyWithNullArray(ctx); break;
        case 'Y': rc = mh_ReplyWithEmptyArray(ctx); break;
        case 'B': rc = mh_ReplyWithBool(ctx, atoi(a)); break;
        case 'D': rc = mh_ReplyWithDouble(ctx, strtod(a, NULL)); break;
        case 'G': rc = mh_ReplyWithBigNumber(ctx, a, strlen(a)); break;
        case 'Q': rc = mh_ReplyWithLongDouble(ctx, strtold(a, NULL)); break;
        case 'C': rc = mh_ReplyWithCString(ctx, a); break;
        case '0': rc = mh_ReplyWithCString(ctx, NULL); break;
        case 'Z': rc = mh_ReplyWithEmptyString(ctx); break;
        case 'b': rc = mh_ReplyWithStringBuffer(ctx, a, strlen(a)); break;
        case 's': {
            RedisModuleString *s = mh_CreateString(NULL, a, strlen(a));
            rc = mh_ReplyWithString(ctx, s);
            mh_FreeString(NULL, s);
            break;
        }
        case 'V': rc = mh_ReplyWithVerbatimString(ctx, a, strlen(a)); break;
        case 'W': rc = mh_ReplyWithVerbatimStringType(ctx, a + 3, strlen(a + 3), a[0] == '_' ? "" : a); break;
        case 'a': mh_ReplySetArrayLength(ctx, strtol(a, NULL, 10)); break;
        case 'm': mh_ReplySetMapLength(ctx, strtol(a, NULL, 10)); break;
        case 't': mh_ReplySetSetLength(ctx, strtol(a, NULL, 10)); break;
        case 'r': mh_ReplySetAttributeLength(ctx, strtol(a, NULL, 10)); break;
        }
        if (rc != REDISMODULE_OK) (*errs)++;
    }
    free(copy);
    *pending = mh_reply_pending(ctx);
    *outlen = ctx->reply.len;
    char *out = malloc(ctx->reply.len + 1);
    if (ctx->reply.len) memcpy(out, ctx->reply.buf, ctx->reply.len);
    mh_ctx_free(ctx);
    return out;
}

size_t ts_val_alloc_used(void) {
    return mh_alloc_used();
}

/* Alloc/Calloc/Realloc/Free keep the counter balanced; returns 1 if so. */
int ts_val_heap_balance(void) {
    size_t before = mh_alloc_used();
    void *a = mh_Alloc(100), *b = mh_Calloc(10, 10), *c = mh_TryAlloc(5000);
    int grew = mh_alloc_used() >= before + 100 + 100 + 5000;
    a = mh_Realloc(a, 10000);
    c = mh_TryRealloc(c, 1);
    char *d = mh_Strdup("hello");
    mh_Free(a);
    mh_Free(b);
    mh_Free(c);
    mh_Free(d);
    mh_Free(NULL);
    return grew && mh_alloc_used() == before;
}

/* ---- lifecycle (contexts, auto memory, pool): ts_lc_ helpers ---- */

#include "testsupport_lc.h"
#include "mh_string.h"

static int ts_lc_released;

static void ts_lc_count_release(RedisModuleCtx *ctx, void *ptr) {
    (void)ctx;
    (void)ptr;
    ts_lc_released++;
}

int ts_lc_pool(const size_t *sizes, int n) {
    RedisModuleCtx *ctx = mh_ctx_new(0, 2, MH_CTX_TEMP);
    unsigned char **ptrs = calloc((size_t)n, sizeof(*ptrs));
    int ok = mh_PoolAlloc(ctx, 0) == NULL;
    for (int i = 0; i < n && ok; i++) {
        ptrs[i] = mh_PoolAlloc(ctx, sizes[i]);
        size_t align = sizeof(void *);
        while (sizes[i] < align && align / 2 >= sizes[i]) align /= 2;
        if (ptrs[i] == NULL || ((uintptr_t)ptrs[i] % align) != 0) ok = 0;
        else memset(ptrs[i], i & 0xff, sizes[i]);
    }
    /* Every block still holds its own pattern: none overlapped. */
    for (int i = 0; i < n && ok; i++) {
        for (size_t j = 0; j < sizes[i]; j++) {
            if (ptrs[i][j] != (unsigned char)(i & 0xff)) {
                ok = 0;
                break;
            }
        }
    }
    free(ptrs);
    mh_ctx_free(ctx);
    return ok;
}

int ts_lc_automem(int n, int enable, int forget) {
    size_t before = mh_alloc_used();
    ts_lc_released = 0;
    mh_am_set_release(MH_AM_INFO, ts_lc_count_release);
    RedisModuleCtx *ctx = mh_ctx_new(0, 2, MH_CTX_TEMP);
    if (enable) mh_AutoMemory(ctx);
    RedisModuleString **kept = calloc((size_t)n, sizeof(*kept));
    for (int i = 0; i < n; i++) {
        RedisModuleString *s = mh_string_new("abcdefgh", 8);
        mh_am_add(ctx, MH_AM_STRING, s);
        mh_am_add(ctx, MH_AM_INFO, (void *)(uintptr_t)(i + 1));
        if (i < forget) {
            mh_am_forget(ctx, s);
            mh_string_release(s);
        } else if (!enable) {
            kept[i] = s;
        }
    }
    mh_ctx_free(ctx);
    for (int i = 0; i < n; i++) mh_string_release(kept[i]);
    free(kept);
    mh_am_set_release(MH_AM_INFO, NULL);
    int leaked = mh_alloc_used() != before;
    return leaked ? -1 : ts_lc_released;
}

/* ---- CallReply tests (ts_cr_*, testsupport_call.h) ---- */
#include <stdio.h>
#include "api_callreply.h"
#include "testsupport_call.h"

typedef struct ts_cr_out {
    char *b;
    size_t cap, len;
} ts_cr_out;

static void ts_cr_put(ts_cr_out *o, const char *p, size_t n) {
    for (size_t i = 0; i < n && o->len + 1 < o->cap; i++) o->b[o->len++] = p[i];
    o->b[o->len] = '\0';
}

static void ts_cr_fmt(ts_cr_out *o, const char *fmt, long long v) {
    char tmp[64];
    int n = snprintf(tmp, sizeof(tmp), fmt, v);
    ts_cr_put(o, tmp, (size_t)n);
}

static void ts_cr_walk(ts_cr_out *o, RedisModuleCallReply *r) {
    size_t len = 0;
    const char *s, *f = NULL;
    RedisModuleCallReply *a = mh_CallReplyAttribute(r), *k, *v;
    if (a != NULL) {
        ts_cr_put(o, "|{", 2);
        for (size_t i = 0; mh_CallReplyAttributeElement(a, i, &k, &v) == REDISMODULE_OK; i++) {
            if (i) ts_cr_put(o, ",", 1);
            ts_cr_walk(o, k);
            ts_cr_put(o, "=", 1);
            ts_cr_walk(o, v);
        }
        ts_cr_put(o, "}", 1);
    }
    switch (mh_CallReplyType(r)) {
    case REDISMODULE_REPLY_STRING:
    case REDISMODULE_REPLY_ERROR:
        s = mh_CallReplyStringPtr(r, &len);
        ts_cr_fmt(o, mh_CallReplyType(r) == REDISMODULE_REPLY_STRING ? "s%lld:" : "e%lld:", (long long)len);
        ts_cr_put(o, s, len);
        break;
    case REDISMODULE_REPLY_INTEGER: ts_cr_fmt(o, "i%lld", mh_CallReplyInteger(r)); break;
    case REDISMODULE_REPLY_NULL: ts_cr_put(o, "n", 1); break;
    case REDISMODULE_REPLY_BOOL: ts_cr_fmt(o, "b%lld", mh_CallReplyBool(r)); break;
    case REDISMODULE_REPLY_DOUBLE: {
        char tmp[64];
        int n = snprintf(tmp, sizeof(tmp), "d%.17g", mh_CallReplyDouble(r));
        ts_cr_put(o, tmp, (size_t)n);
        break;
    }
    case REDISMODULE_REPLY_BIG_NUMBER:
        s = mh_CallReplyBigNumber(r, &len);
        ts_cr_put(o, "B", 1);
        ts_cr_put(o, s, len);
        break;
    case REDISMODULE_REPLY_VERBATIM_STRING:
        s = mh_CallReplyVerbatim(r, &len, &f);
        ts_cr_put(o, "v", 1);
        ts_cr_put(o, f, 3);
        ts_cr_put(o, ":", 1);
        ts_cr_put(o, s, len);
        break;
    case REDISMODULE_REPLY_ARRAY:
    case REDISMODULE_REPLY_SET: {
        int set = mh_CallReplyType(r) == REDISMODULE_REPLY_SET;
        ts_cr_put(o, set ? "~[" : "[", set ? 2 : 1);
        for (size_t i = 0; i < mh_CallReplyLength(r); i++) {
            if (i) ts_cr_put(o, ",", 1);
            ts_cr_walk(o, set ? mh_CallReplySetElement(r, i) : mh_CallReplyArrayElement(r, i));
        }
        ts_cr_put(o, "]", 1);
        break;
    }
    case REDISMODULE_REPLY_MAP:
        ts_cr_put(o, "{", 1);
        for (size_t i = 0; mh_CallReplyMapElement(r, i, &k, &v) == REDISMODULE_OK; i++) {
            if (i) ts_cr_put(o, ",", 1);
            ts_cr_walk(o, k);
            ts_cr_put(o, "=", 1);
            ts_cr_walk(o, v);
        }
        ts_cr_put(o, "}", 1);
        break;
    default: ts_cr_put(o, "?", 1); break;
    }
}

int ts_cr_render(const char *p, size_t len, char *out, size_t cap) {
    RedisModuleCallReply *r = mh_callreply_new(NULL, p, len);
    if (r == NULL) return -1;
    ts_cr_out o = {out, cap, 0};
    out[0] = '\0';
    if (r->flags & MH_CR_RESP3) ts_cr_put(&o, "3:", 2);
    ts_cr_walk(&o, r);
    mh_FreeCallReply(r);
    return (int)o.len;
}

int ts_cr_reply(const char *p, size_t len, int resp, char *out, size_t cap) {
    RedisModuleCallReply *r = mh_callreply_new(NULL, p, len);
    if (r == NULL) return -1;
    RedisModuleCtx *ctx = mh_ctx_new(0, resp, MH_CTX_TEMP);
    int rc = mh_ReplyWithCallReply(ctx, r);
    int n = -2;
    if (rc == REDISMODULE_OK) {
        n = ctx->reply.len < cap ? (int)ctx->reply.len : (int)cap;
        memcpy(out, ctx->reply.buf, (size_t)n);
    }
    mh_ctx_free(ctx);
    mh_FreeCallReply(r);
    return n;
}

int ts_cr_elem_proto(const char *p, size_t len, size_t idx, char *out, size_t cap) {
    RedisModuleCallReply *r = mh_callreply_new(NULL, p, len);
    if (r == NULL) return -1;
    size_t n = 0;
    const char *e = mh_CallReplyProto(mh_CallReplyArrayElement(r, idx), &n);
    int rc = -1;
    if (e != NULL && n <= cap) {
        memcpy(out, e, n);
        rc = (int)n;
    }
    mh_FreeCallReply(mh_CallReplyArrayElement(r, 0)); /* nested: a no-op */
    mh_FreeCallReply(r);
    return rc;
}

/* ---- module command fast paths (testsupport_perf.go) ---- */

#include "testsupport_perf.h"

int tp_argv_retain(void) {
    size_t base = mh_alloc_used();
    const char buf[] = "cmdkeyvalue";
    size_t lens[3] = {3, 3, 5}, n = 0;
    RedisModuleString *argv[3];
    mh_argv_build(argv, buf, lens, 3);
    int ok = 0;
    if (argv[1]->len == 3 && memcmp(argv[1]->ptr, "key", 3) == 0 && argv[2]->ptr[5] == '\0') ok |= 1;
    mh_RetainString(NULL, argv[1]);
    if (mh_StringAppendBuffer(NULL, argv[2], "!!", 2) == REDISMODULE_OK && argv[2]->len == 7 &&
        memcmp(argv[2]->ptr, "value!!", 8) == 0)
        ok |= 2;
    for (int i = 0; i < 3; i++) mh_string_release(argv[i]);
    const char *p = mh_StringPtrLen(argv[1], &n);
    if (n == 3 && memcmp(p, "key", 3) == 0 && mh_alloc_used() > base) ok |= 4;
    mh_string_release(argv[1]);
    if (mh_alloc_used() == base) ok |= 8;
    return ok;
}

int tp_ctx_recycle(void) {
    RedisModuleCtx *ctx = mh_ctx_new(7, 3, MH_CTX_COMMAND);
    ctx->dbid = 5;
    mh_AutoMemory(ctx);
    size_t base = mh_alloc_used();
    mh_CreateString(ctx, "x", 1);
    mh_PoolAlloc(ctx, 100);
    mh_ReplyWithSimpleString(ctx, "OK");
    mh_ctx_recycle(ctx);
    int ok = 0;
    if (ctx->getapi == mh_GetApi && ctx->handle == 7 && ctx->resp == 3) ok |= 1;
    if (ctx->flags == MH_CTX_RETURNED && ctx->dbid == 0 && ctx->automemory == 0 && ctx->am_len == 0 && ctx->pool == NULL) ok |= 2;
    if (ctx->reply.len == 5 && memcmp(ctx->reply.buf, "+OK\r\n", 5) == 0) ok |= 4;
    if (mh_alloc_used() == base) ok |= 8;
    mh_ctx_free(ctx);
    return ok;
}

int tp_reply_ll(long long v, char *out, size_t cap) {
    RedisModuleCtx *ctx = mh_ctx_new(0, 2, MH_CTX_TEMP);
    mh_ReplyWithLongLong(ctx, v);
    int n = ctx->reply.len < cap ? (int)ctx->reply.len : (int)cap;
    memcpy(out, ctx->reply.buf, (size_t)n);
    mh_ctx_free(ctx);
    return n;
}
