/*
 * api_string.c - "String objects APIs": creating, parsing, comparing and
 * releasing RedisModuleString, all in C (no Go crossing).
 *
 * Ownership follows Redis: every CreateString* result belongs to the caller
 * (FreeString it, or let auto memory release it when ctx has AutoMemory on);
 * ctx may be NULL, in which case auto memory is not involved.
 */
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <malloc.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ctx.h"
#include "api_gen.h"
#include "mh_string.h"
#include "api_util.h"
#include "misuse.h"
#include "strict_alloc.h"


/* ---- the string object ---- */

RedisModuleString *mh_string_new(const char *p, size_t len) {
    RedisModuleString *s = mh_heap_alloc(sizeof(*s) + len + 1);
    s->ptr = (char *)(s + 1);
    if (len > 0) memcpy(s->ptr, p, len);
    s->ptr[len] = '\0';
    s->len = len;
    s->cap = len;
    s->refcount = 1;
    s->flags = MH_STR_EMBED;
    s->block = NULL;
    s->magic = MH_MAGIC_LIVE;
    s->origin = mh_cur_cmd_name;
    if (__builtin_expect(mh_strict, 0)) mh_track_new(s, sizeof(*s) + len + 1, MH_TRACK_STRING, NULL, NULL);
    return s;
}

/* The header of an argv block: how many of its strings are still alive. */
struct mh_argv_block {
    int live;
};

void mh_argv_build(RedisModuleString **argv, const char *buf, const size_t *lens, int argc) {
    size_t bytes = 0;
    for (int i = 0; i < argc; i++) bytes += lens[i] + 1;
    size_t head = sizeof(struct mh_argv_block);
    head = (head + sizeof(void *) - 1) / sizeof(void *) * sizeof(void *);
    size_t structs = sizeof(RedisModuleString) * (size_t)argc;
    char *mem = mh_heap_alloc(head + structs + bytes);
    struct mh_argv_block *b = (struct mh_argv_block *)mem;
    b->live = argc;
    RedisModuleString *s = (RedisModuleString *)(mem + head);
    char *p = mem + head + structs;
    size_t off = 0;
    for (int i = 0; i < argc; i++, s++) {
        size_t n = lens[i];
        if (n > 0) memcpy(p, buf + off, n);
        p[n] = '\0';
        off += n;
        s->ptr = p;
        s->len = n;
        s->cap = n;
        s->refcount = 1;
        s->flags = MH_STR_EMBED | MH_STR_ARGV_HELD;
        s->block = b;
        s->magic = MH_MAGIC_LIVE;
        s->origin = mh_cur_cmd_name;
        argv[i] = s;
        p += n + 1;
    }
}

/* Moves an accounted heap block to the quarantine (misuse.c). */
static void quarantine_heap(void *p) {
    mh_heap_uncount(p);
    mh_quarantine(p);
}

/* Where a string came from, for diagnostics. */
static const char *origin_of(const RedisModuleString *s) {
    return (s->origin != NULL && s->origin[0] != '\0') ? s->origin : "(no command)";
}

void mh_string_dead(const RedisModuleString *s, const char *fn) {
    if (strncmp(fn, "mh_", 3) == 0) fn += 3;
    mh_misuse(NULL, MH_MISUSE_USE_AFTER_FREE, fn, "string (created in %s) used after it was %s",
              origin_of(s), mh_magic_state(s->magic));
}

/* Drops one reference; the last poisons the header with poison and puts
 * the memory in quarantine. fn names the API call for a diagnostic. */
static void release_as(RedisModuleString *s, const char *fn, uint32_t poison) {
    if (s->magic != MH_MAGIC_LIVE) {
        mh_misuse(NULL, MH_MISUSE_DOUBLE_FREE, fn, "string (created in %s) freed again: it was already %s; ignored",
                  origin_of(s), mh_magic_state(s->magic));
        return;
    }
    if (--s->refcount > 0) return;
    mh_track_forget(s);
    s->magic = poison;
    if (!(s->flags & MH_STR_EMBED)) {
        mh_heap_free(s->ptr);
        s->ptr = (char *)"";
        s->flags |= MH_STR_EMBED;
    }
    s->len = s->cap = 0;
    if (s->block != NULL) {
        if (--s->block->live == 0) quarantine_heap(s->block);
        return;
    }
    quarantine_heap(s);
}

void mh_string_release(RedisModuleString *s) {
    if (s == NULL) return;
    release_as(s, "FreeString", MH_MAGIC_FREED);
}

void mh_argv_release(RedisModuleString *s) {
    if (s->magic != MH_MAGIC_LIVE) return; /* reported when it happened */
    s->flags &= ~MH_STR_ARGV_HELD;
    release_as(s, "FreeString", MH_MAGIC_FREED);
    /* An argument the module retained is the module's from now on. */
    if (__builtin_expect(mh_strict, 0) && s->magic == MH_MAGIC_LIVE)
        mh_track_new_origin(s, sizeof(*s) + s->len + 1, MH_TRACK_STRING, mh_track_owner(NULL, mh_cur_module_name),
                            origin_of(s));
}

/* Auto memory's release of a string (ctx.c). */
void mh_string_am_release(RedisModuleString *s) {
    if (s->magic != MH_MAGIC_LIVE) {
        mh_misuse(NULL, MH_MISUSE_DOUBLE_FREE, "FreeString",
                  "string (created in %s) freed with a NULL context while AutoMemory still held it",
                  origin_of(s));
        return;
    }
    release_as(s, "FreeString", MH_MAGIC_AMFREED);
}

const char *mh_string_ptr(const RedisModuleString *s, size_t *len) {
    if (len) *len = s->len;
    return s->ptr;
}

size_t mh_string_alloc_size(const RedisModuleString *s) {
    size_t n;
    if (s->block != NULL) /* its share of the argv block */
        n = sizeof(*s) + ((s->flags & MH_STR_EMBED) ? s->len + 1 : 0);
    else
        n = malloc_usable_size((void *)s);
    if (!(s->flags & MH_STR_EMBED)) n += malloc_usable_size(s->ptr);
    return n;
}

/* Creates a string and hands it to ctx's auto memory when that is on. */
static RedisModuleString *new_owned(RedisModuleCtx *ctx, const char *p, size_t len) {
    RedisModuleString *s = mh_string_new(p, len);
    if (ctx != NULL) mh_am_add(ctx, MH_AM_STRING, s);
    return s;
}

/* ---- number formatting and parsing (Redis's util.c rules) ---- */

/* Lays out digits (nd of them, value digits * 10^k) like fpconv_dtoa:
 * plain integers while the exponent is small, plain decimals for
 * moderate negative exponents, otherwise d.ddde[+-]x. */
static int layout_digits(char *dst, const char *digits, int nd, int k, int neg) {
    int exp = k + nd - 1, aexp = exp < 0 ? -exp : exp;
    int n = 0;
    if (k >= 0 && aexp < nd + 7) {
        memcpy(dst, digits, nd);
        memset(dst + nd, '0', k);
        return nd + k;
    }
    if (k < 0 && (k > -7 || aexp < 4)) {
        int whole = nd + k; /* digits before the point */
        if (whole <= 0) {
            dst[n++] = '0';
            dst[n++] = '.';
            memset(dst + n, '0', -whole);
            n += -whole;
            memcpy(dst + n, digits, nd);
            return n + nd;
        }
        memcpy(dst, digits, whole);
        dst[whole] = '.';
        memcpy(dst + whole + 1, digits + whole, nd - whole);
        return nd + 1;
    }
    if (nd > 18 - neg) nd = 18 - neg;
    dst[n++] = digits[0];
    if (nd > 1) {
        dst[n++] = '.';
        memcpy(dst + n, digits + 1, nd - 1);
        n += nd - 1;
    }
    n += sprintf(dst + n, "e%c%d", exp < 0 ? '-' : '+', aexp);
    return n;
}

/* Finds the shortest decimal digits that read back as |d| exactly,
 * returning their count; *k receives the exponent of the last digit. */
static int shortest_digits(double d, char *digits, int *k) {
    char tmp[40];
    for (int prec = 1; prec <= 17; prec++) {
        snprintf(tmp, sizeof(tmp), "%.*e", prec - 1, d);
        if (prec < 17 && strtod(tmp, NULL) != d) continue;
        int nd = 0;
        char *p = tmp;
        for (; *p != 'e'; p++) {
            if (*p != '.') digits[nd++] = *p;
        }
        int e = atoi(p + 1);
        while (nd > 1 && digits[nd - 1] == '0') nd--; /* 1.0e+05 -> 1 */
        *k = e - (nd - 1);
        return nd;
    }
    return 0; /* not reached */
}

int mh_format_double(char *buf, double d) {
    if (isnan(d)) return sprintf(buf, "nan");
    if (isinf(d)) return sprintf(buf, d > 0 ? "inf" : "-inf");
    if (d == 0) return sprintf(buf, signbit(d) ? "-0" : "0");
    /* Whole numbers that fit Redis's double2ll range print as integers. */
    const double safe = (double)(LLONG_MAX / 2);
    if (d >= -safe && d <= safe && (double)(long long)d == d) {
        return sprintf(buf, "%lld", (long long)d);
    }
    char digits[24];
    int k, neg = d < 0, n = 0;
    int nd = shortest_digits(fabs(d), digits, &k);
    if (neg) buf[n++] = '-';
    n += layout_digits(buf + n, digits, nd, k, neg);
    buf[n] = '\0';
    return n;
}

int mh_format_long_double(char *buf, size_t len, long double ld, int humanfriendly) {
    size_t l;
    if (len < 5) goto err;
    if (isinf(ld)) {
        l = (size_t)sprintf(buf, ld > 0 ? "inf" : "-inf");
        return (int)l;
    }
    if (isnan(ld)) return sprintf(buf, "nan");
    if (!humanfriendly) {
        l = (size_t)snprintf(buf, len, "%.17Lg", ld);
        if (l + 1 > len) goto err;
        return (int)l;
    }
    l = (size_t)snprintf(buf, len, "%.17Lf", ld);
    if (l + 1 > len) goto err;
    if (strchr(buf, '.') != NULL) {
        while (buf[l - 1] == '0') l--;
        if (buf[l - 1] == '.') l--;
    }
    if (l == 2 && buf[0] == '-' && buf[1] == '0') {
        buf[0] = '0';
        l = 1;
    }
    buf[l] = '\0';
    return (int)l;
err:
    if (len > 0) buf[0] = '\0';
    return 0;
}

int mh_parse_ll(const char *s, size_t slen, long long *value) {
    size_t i = 0;
    int neg = 0;
    unsigned long long v;
    if (slen == 0 || slen >= 21) return 0;
    if (slen == 1 && s[0] == '0') {
        if (value) *value = 0;
        return 1;
    }
    if (s[0] == '-') {
        neg = 1;
        if (++i == slen) return 0;
    }
    if (s[i] < '1' || s[i] > '9') return 0;
    v = (unsigned long long)(s[i++] - '0');
    for (; i < slen && s[i] >= '0' && s[i] <= '9'; i++) {
        unsigned d = (unsigned)(s[i] - '0');
        if (v > ULLONG_MAX / 10 || v * 10 > ULLONG_MAX - d) return 0;
        v = v * 10 + d;
    }
    if (i < slen) return 0;
    if (neg) {
        if (v > (unsigned long long)LLONG_MAX + 1) return 0;
        if (value) *value = (long long)(0 - v);
    } else {
        if (v > (unsigned long long)LLONG_MAX) return 0;
        if (value) *value = (long long)v;
    }
    return 1;
}

/* Redis's string2ull: string2ll first (negatives rejected), then strtoull
 * on the NUL-terminated text, which also admits leading spaces and '+'. */
static int parse_ull(const char *s, unsigned long long *value) {
    long long ll;
    if (mh_parse_ll(s, strlen(s), &ll)) {
        if (ll < 0) return 0;
        *value = (unsigned long long)ll;
        return 1;
    }
    char *end = NULL;
    errno = 0;
    *value = strtoull(s, &end, 10);
    if (errno == EINVAL || errno == ERANGE || !(*s != '\0' && *end == '\0')) return 0;
    return 1;
}

/* ---- API ---- */

/* Creates a string holding a copy of ptr[0:len]. The caller owns it
 * (FreeString, or auto memory when ctx has it on); ctx may be NULL. */
RedisModuleString *mh_CreateString(RedisModuleCtx *ctx, const char *ptr, size_t len) {
    return new_owned(ctx, ptr, len);
}

/* Creates a string from a printf format (vsnprintf rules, as Redis's
 * sdscatvprintf). Ownership as CreateString. */
RedisModuleString *mh_CreateStringPrintf(RedisModuleCtx *ctx, const char *fmt, ...) {
    char small[256];
    va_list ap, cp;
    va_start(ap, fmt);
    va_copy(cp, ap);
    int n = vsnprintf(small, sizeof(small), fmt, cp);
    va_end(cp);
    if (n < 0) n = 0;
    RedisModuleString *s;
    if ((size_t)n < sizeof(small)) {
        s = new_owned(ctx, small, (size_t)n);
    } else {
        char *big = mh_heap_alloc((size_t)n + 1);
        vsnprintf(big, (size_t)n + 1, fmt, ap);
        s = new_owned(ctx, big, (size_t)n);
        mh_heap_free(big);
    }
    va_end(ap);
    return s;
}

/* Creates the decimal representation of ll. Ownership as CreateString. */
RedisModuleString *mh_CreateStringFromLongLong(RedisModuleCtx *ctx, long long ll) {
    char buf[24];
    int n = snprintf(buf, sizeof(buf), "%lld", ll);
    return new_owned(ctx, buf, (size_t)n);
}

/* Creates the decimal representation of ull. Ownership as CreateString. */
RedisModuleString *mh_CreateStringFromULongLong(RedisModuleCtx *ctx, unsigned long long ull) {
    char buf[24];
    int n = snprintf(buf, sizeof(buf), "%llu", ull);
    return new_owned(ctx, buf, (size_t)n);
}

/* Creates the Redis 7.2 text of d (d2string: shortest round trip).
 * Ownership as CreateString. */
RedisModuleString *mh_CreateStringFromDouble(RedisModuleCtx *ctx, double d) {
    char buf[MH_DOUBLE_BUF];
    int n = mh_format_double(buf, d);
    return new_owned(ctx, buf, (size_t)n);
}

/* Creates the text of ld: with humanfriendly, fixed notation with 17
 * decimals and trailing zeros removed; otherwise "%.17Lg". Ownership as
 * CreateString. */
RedisModuleString *mh_CreateStringFromLongDouble(RedisModuleCtx *ctx, long double ld, int humanfriendly) {
    char buf[MH_LONG_DOUBLE_BUF];
    int n = mh_format_long_double(buf, sizeof(buf), ld, humanfriendly);
    return new_owned(ctx, buf, (size_t)n);
}

/* Creates an independent copy of str. Ownership as CreateString. */
RedisModuleString *mh_CreateStringFromString(RedisModuleCtx *ctx, const RedisModuleString *str) {
    return new_owned(ctx, str->ptr, str->len);
}

/* Creates "<ms>-<seq>" from a stream ID. Ownership as CreateString. */
RedisModuleString *mh_CreateStringFromStreamID(RedisModuleCtx *ctx, const RedisModuleStreamID *id) {
    char buf[48];
    int n = snprintf(buf, sizeof(buf), "%llu-%llu", (unsigned long long)id->ms,
                     (unsigned long long)id->seq);
    return new_owned(ctx, buf, (size_t)n);
}

/* Drops the caller's reference to str; with a ctx, str also leaves the
 * auto memory queue so that it is not released twice. */
void mh_FreeString(RedisModuleCtx *ctx, RedisModuleString *str) {
    if (str == NULL) return;
    if (str->magic == MH_MAGIC_LIVE && (str->flags & MH_STR_ARGV_HELD) && str->refcount == 1) {
        mh_misuse(ctx, MH_MISUSE_DOUBLE_FREE, "FreeString",
                  "freed a command argument (argv) the server owns; ignored");
        return;
    }
    mh_string_release(str);
    if (ctx != NULL) mh_am_forget(ctx, str);
}

/* Reports whether str is queued for auto release in ctx. */
static int am_holds(RedisModuleCtx *ctx, RedisModuleString *str) {
    if (ctx == NULL || !ctx->automemory) return 0;
    for (size_t i = 0; i < ctx->am_len; i++) {
        if (ctx->am[i].kind == MH_AM_STRING && ctx->am[i].ptr == str) return 1;
    }
    return 0;
}

/* Makes str outlive the callback: when auto memory would release it, it
 * is taken out of the queue (the refcount stays 1, so StringAppendBuffer
 * keeps working); otherwise one more FreeString becomes necessary. */
void mh_RetainString(RedisModuleCtx *ctx, RedisModuleString *str) {
    if (str != NULL && str->magic != MH_MAGIC_LIVE) {
        mh_string_dead(str, __func__);
        return;
    }
    if (am_holds(ctx, str)) {
        mh_am_forget(ctx, str);
        return;
    }
    str->refcount++;
}

/* Returns str with one more reference owned by the caller (and queued for
 * auto release when ctx has auto memory on). Redis copies strings that
 * cannot be shared; modhost strings always can. */
RedisModuleString *mh_HoldString(RedisModuleCtx *ctx, RedisModuleString *str) {
    if (str != NULL && str->magic != MH_MAGIC_LIVE) {
        mh_string_dead(str, __func__);
        return NULL;
    }
    str->refcount++;
    if (ctx != NULL) mh_am_add(ctx, MH_AM_STRING, str);
    return str;
}

/* Returns the bytes of str (read only) and their count in *len (len may be
 * NULL). As in Redis, a NULL str yields a fixed diagnostic text. */
const char *mh_StringPtrLen(const RedisModuleString *str, size_t *len) {
    if (str == NULL) {
        static const char msg[] = "(NULL string reply referenced in module)";
        if (len) *len = sizeof(msg) - 1;
        return msg;
    }
    if (str->magic != MH_MAGIC_LIVE) {
        mh_string_dead(str, __func__);
        if (len) *len = 0;
        return "";
    }
    if (len) *len = str->len;
    return str->ptr;
}

/* Parses a strict long long (Redis string2ll: no spaces, no '+', no
 * leading zeros). Returns REDISMODULE_OK or REDISMODULE_ERR. */
int mh_StringToLongLong(const RedisModuleString *str, long long *ll) {
    if (str != NULL && str->magic != MH_MAGIC_LIVE) {
        mh_string_dead(str, __func__);
        return REDISMODULE_ERR;
    }
    return mh_parse_ll(str->ptr, str->len, ll) ? REDISMODULE_OK : REDISMODULE_ERR;
}

/* Parses an unsigned long long with Redis's string2ull rules (strict
 * first, then strtoull on the text up to the first NUL). */
int mh_StringToULongLong(const RedisModuleString *str, unsigned long long *ull) {
    if (str != NULL && str->magic != MH_MAGIC_LIVE) {
        mh_string_dead(str, __func__);
        return REDISMODULE_ERR;
    }
    return parse_ull(str->ptr, ull) ? REDISMODULE_OK : REDISMODULE_ERR;
}

/* Parses a double as Redis 7.2's getDoubleFromObject: strtod must use
 * every byte, no leading space, no nan, no overflow to infinity or
 * underflow to zero ("inf" itself is accepted). Redis 8 switched to
 * fast_float, which also rejects hex floats; modhost keeps strtod. */
int mh_StringToDouble(const RedisModuleString *str, double *d) {
    if (str != NULL && str->magic != MH_MAGIC_LIVE) {
        mh_string_dead(str, __func__);
        return REDISMODULE_ERR;
    }
    char *end;
    errno = 0;
    double v = strtod(str->ptr, &end);
    if (str->len == 0 || isspace((unsigned char)str->ptr[0]) ||
        (size_t)(end - str->ptr) != str->len ||
        (errno == ERANGE && (v == HUGE_VAL || v == -HUGE_VAL || fpclassify(v) == FP_ZERO)) ||
        isnan(v)) {
        return REDISMODULE_ERR;
    }
    *d = v;
    return REDISMODULE_OK;
}

/* Parses a long double with Redis's string2ld rules (strtold, whole
 * string, shorter than 5120 bytes, no leading space, no nan). */
int mh_StringToLongDouble(const RedisModuleString *str, long double *ld) {
    if (str != NULL && str->magic != MH_MAGIC_LIVE) {
        mh_string_dead(str, __func__);
        return REDISMODULE_ERR;
    }
    char *end;
    if (str->len == 0 || str->len >= MH_LONG_DOUBLE_BUF) return REDISMODULE_ERR;
    errno = 0;
    long double v = strtold(str->ptr, &end);
    if (isspace((unsigned char)str->ptr[0]) || *end != '\0' ||
        (size_t)(end - str->ptr) != str->len ||
        (errno == ERANGE && (v == HUGE_VALL || v == -HUGE_VALL || fpclassify(v) == FP_ZERO)) ||
        errno == EINVAL || isnan(v)) {
        return REDISMODULE_ERR;
    }
    if (ld) *ld = v;
    return REDISMODULE_OK;
}

/* Parses "<ms>-<seq>", "<ms>" (seq 0), "-" (0-0) or "+" (max-max), each
 * part with the unsigned rules of StringToULongLong. */
int mh_StringToStreamID(const RedisModuleString *str, RedisModuleStreamID *id) {
    char buf[128];
    unsigned long long ms, seq = 0;
    if (str->len > sizeof(buf) - 1) return REDISMODULE_ERR;
    memcpy(buf, str->ptr, str->len + 1);
    if ((buf[0] == '-' || buf[0] == '+') && buf[1] == '\0') {
        id->ms = id->seq = buf[0] == '-' ? 0 : UINT64_MAX;
        return REDISMODULE_OK;
    }
    char *dash = strchr(buf, '-');
    if (dash) *dash = '\0';
    if (!parse_ull(buf, &ms)) return REDISMODULE_ERR;
    if (dash && !parse_ull(dash + 1, &seq)) return REDISMODULE_ERR;
    id->ms = ms;
    id->seq = seq;
    return REDISMODULE_OK;
}

/* Compares the bytes of a and b like memcmp, the shorter string first on
 * a common prefix. Like Redis the result is memcmp's value or the length
 * difference, not normalised to -1/0/1. */
int mh_StringCompare(const RedisModuleString *a, const RedisModuleString *b) {
    if (a == b) return 0;
    if (a->magic != MH_MAGIC_LIVE || b->magic != MH_MAGIC_LIVE) {
        mh_string_dead(a->magic != MH_MAGIC_LIVE ? a : b, __func__);
        return a->magic != MH_MAGIC_LIVE ? -1 : 1;
    }
    size_t min = a->len < b->len ? a->len : b->len;
    int c = memcmp(a->ptr, b->ptr, min);
    if (c == 0) return (int)(a->len - b->len);
    return c;
}

/* Appends buf[0:len] to str in place. The string must have exactly one
 * owner; otherwise REDISMODULE_ERR is returned (and a warning logged, as
 * Redis does) and nothing changes. */
int mh_StringAppendBuffer(RedisModuleCtx *ctx, RedisModuleString *str, const char *buf, size_t len) {
    if (str != NULL && str->magic != MH_MAGIC_LIVE) {
        mh_string_dead(str, __func__);
        return REDISMODULE_ERR;
    }
    (void)ctx;
    if (str->refcount != 1) {
        mhv_log(ctx, MH_LL_WARNING, "Module attempted to use an in-place string modify operation "
                         "with a string referenced multiple times. Please check the code "
                         "for API usage correctness.");
        return REDISMODULE_ERR;
    }
    size_t need = str->len + len;
    if (need > str->cap) {
        size_t ncap = need < 64 ? 64 : need + need / 2;
        if (str->flags & MH_STR_EMBED) {
            char *p = mh_heap_alloc(ncap + 1);
            memcpy(p, str->ptr, str->len);
            str->ptr = p;
            str->flags &= ~MH_STR_EMBED;
        } else {
            str->ptr = mh_heap_realloc(str->ptr, ncap + 1);
        }
        str->cap = ncap;
    }
    if (len > 0) memcpy(str->ptr + str->len, buf, len);
    str->len = need;
    str->ptr[need] = '\0';
    return REDISMODULE_OK;
}

/* Releases spare capacity that StringAppendBuffer left behind. NULL is
 * ignored. Embedded strings have none. */
void mh_TrimStringAllocation(RedisModuleString *str) {
    if (str == NULL || (str->flags & MH_STR_EMBED) || str->cap == str->len) return;
    str->ptr = mh_heap_realloc(str->ptr, str->len + 1);
    str->cap = str->len;
}
