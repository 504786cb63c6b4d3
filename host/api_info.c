/*
 * api_info.c - "Modules Info fields": the InfoAdd* functions a module's
 * INFO callback calls (pure C: they only append to the context's text)
 * and the ServerInfoGetField* accessors of GetServerInfo's result.
 */
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "api_gen.h"
#include "api_info.h"
#include "mh_string.h"
#include "gil.h"

typedef void (*mh_info_fn)(RedisModuleInfoCtx *ctx, int for_crash_report);

int mh_InfoEndDictField(RedisModuleInfoCtx *ctx);

/* Appends n bytes to the context's text. */
static void info_put(RedisModuleInfoCtx *ctx, const char *p, size_t n) {
    if (ctx->len + n + 1 > ctx->cap) {
        size_t ncap = ctx->cap ? ctx->cap * 2 : 256;
        while (ncap < ctx->len + n + 1) ncap *= 2;
        char *b = realloc(ctx->buf, ncap);
        if (b == NULL) abort();
        ctx->buf = b;
        ctx->cap = ncap;
    }
    memcpy(ctx->buf + ctx->len, p, n);
    ctx->len += n;
    ctx->buf[ctx->len] = 0;
}

static void info_puts(RedisModuleInfoCtx *ctx, const char *s) {
    info_put(ctx, s, strlen(s));
}

static void info_printf(RedisModuleInfoCtx *ctx, const char *fmt, ...) {
    char small[256];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(small, sizeof(small), fmt, ap);
    va_end(ap);
    if (n < 0) return;
    if ((size_t)n < sizeof(small)) {
        info_put(ctx, small, (size_t)n);
        return;
    }
    char *big = malloc((size_t)n + 1);
    if (big == NULL) abort();
    va_start(ap, fmt);
    vsnprintf(big, (size_t)n + 1, fmt, ap);
    va_end(ap);
    info_put(ctx, big, (size_t)n);
    free(big);
}

/* Appends s with INFO's unsafe characters (# : CR LF) turned into '_'. */
static void info_put_safe(RedisModuleInfoCtx *ctx, const char *s) {
    for (; *s; s++) {
        char c = *s;
        if (c == '#' || c == ':' || c == '\r' || c == '\n') c = '_';
        info_put(ctx, &c, 1);
    }
}

void mh_info_call(RedisModuleInfoCtx *ictx, void *cb) {
    MH_HOST_CALLV(((mh_info_fn)cb)(ictx, 0));
    if (ictx->in_dict) mh_InfoEndDictField(ictx);
}

/* Whether name (case-insensitive) was requested. */
static int info_requested(RedisModuleInfoCtx *ctx, const char *name) {
    for (int i = 0; i < ctx->nreq; i++)
        if (strcasecmp(ctx->req[i], name) == 0) return 1;
    return 0;
}

/* Starts a section called "<module>_<name>" ("<module>" for a NULL or
 * empty name); fields go into the latest section. An open dict field is
 * closed first. REDISMODULE_ERR when INFO did not ask for this section
 * (nor for the module by name, "modules" or "everything"): the module
 * should skip its fields, which are ignored anyway. */
int mh_InfoAddSection(RedisModuleInfoCtx *ctx, const char *name) {
    size_t ml = strlen(ctx->module), nl = name ? strlen(name) : 0;
    char *full = malloc(ml + nl + 2);
    if (full == NULL) abort();
    memcpy(full, ctx->module, ml);
    full[ml] = 0;
    if (nl > 0) {
        full[ml] = '_';
        memcpy(full + ml + 1, name, nl + 1);
    }
    if (ctx->in_dict) mh_InfoEndDictField(ctx);
    if (ctx->req != NULL && !info_requested(ctx, full) && !info_requested(ctx, ctx->module)) {
        free(full);
        ctx->in_section = 0;
        return REDISMODULE_ERR;
    }
    if (ctx->sections++) info_puts(ctx, "\r\n");
    info_printf(ctx, "# %s\r\n", full);
    ctx->in_section = 1;
    free(full);
    return REDISMODULE_OK;
}

/* Starts a dict field "<module>_<name>:k=v,k=v" (as INFO keyspace's
 * lines): the following InfoAddField* calls add its items, until
 * InfoEndDictField (or the next section or dict). REDISMODULE_ERR outside
 * a section. */
int mh_InfoBeginDictField(RedisModuleInfoCtx *ctx, const char *name) {
    if (!ctx->in_section) return REDISMODULE_ERR;
    if (ctx->in_dict) mh_InfoEndDictField(ctx);
    info_put_safe(ctx, ctx->module);
    info_puts(ctx, "_");
    info_put_safe(ctx, name);
    info_puts(ctx, ":");
    ctx->in_dict = 1;
    return REDISMODULE_OK;
}

/* Ends the dict field. REDISMODULE_ERR when none is open. */
int mh_InfoEndDictField(RedisModuleInfoCtx *ctx) {
    if (!ctx->in_dict) return REDISMODULE_ERR;
    if (ctx->len > 0 && ctx->buf[ctx->len - 1] == ',') ctx->len--;
    info_puts(ctx, "\r\n");
    ctx->in_dict = 0;
    return REDISMODULE_OK;
}

/* Adds a field "<module>_<field>:<value>" (inside a dict field, an item
 * "<field>=<value>,"). Field names and values must not hold CR, LF or ':'.
 * REDISMODULE_ERR outside a section (or in a skipped one). */
static int info_field(RedisModuleInfoCtx *ctx, const char *field, const char *val, size_t vlen) {
    if (!ctx->in_section) return REDISMODULE_ERR;
    if (ctx->in_dict) {
        info_printf(ctx, "%s=", field);
        info_put(ctx, val, vlen);
        info_puts(ctx, ",");
        return REDISMODULE_OK;
    }
    info_printf(ctx, "%s_%s:", ctx->module, field);
    info_put(ctx, val, vlen);
    info_puts(ctx, "\r\n");
    return REDISMODULE_OK;
}

/* See InfoAddFieldCString; the value is a module string. */
int mh_InfoAddFieldString(RedisModuleInfoCtx *ctx, const char *field, RedisModuleString *value) {
    size_t len = 0;
    const char *p = value ? mh_string_ptr(value, &len) : "";
    return info_field(ctx, field, p, len);
}

/* Adds a field with a C string value (see info_field for the layout). */
int mh_InfoAddFieldCString(RedisModuleInfoCtx *ctx, const char *field, const char *value) {
    return info_field(ctx, field, value ? value : "", value ? strlen(value) : 0);
}

/* Adds a field with a double value, printed with 17 significant digits. */
int mh_InfoAddFieldDouble(RedisModuleInfoCtx *ctx, const char *field, double value) {
    char b[64];
    int n = snprintf(b, sizeof(b), "%.17g", value);
    return info_field(ctx, field, b, (size_t)n);
}

/* Adds a field with a signed integer value. */
int mh_InfoAddFieldLongLong(RedisModuleInfoCtx *ctx, const char *field, long long value) {
    char b[32];
    int n = snprintf(b, sizeof(b), "%lld", value);
    return info_field(ctx, field, b, (size_t)n);
}

/* Adds a field with an unsigned integer value. */
int mh_InfoAddFieldULongLong(RedisModuleInfoCtx *ctx, const char *field, unsigned long long value) {
    char b[32];
    int n = snprintf(b, sizeof(b), "%llu", value);
    return info_field(ctx, field, b, (size_t)n);
}

RedisModuleServerInfoData *mh_serverinfo_parse(const char *text, size_t len) {
    RedisModuleServerInfoData *d = calloc(1, sizeof(*d));
    if (d == NULL) abort();
    size_t cap = 0;
    const char *end = text + len;
    while (text < end) {
        const char *eol = text;
        while (eol < end && *eol != '\r' && *eol != '\n') eol++;
        const char *sep = memchr(text, ':', (size_t)(eol - text));
        if (eol > text && text[0] != '#' && sep != NULL) {
            size_t kl = (size_t)(sep - text);
            int dup = 0;
            for (size_t i = 0; i < d->n && !dup; i++)
                dup = strlen(d->keys[i]) == kl && memcmp(d->keys[i], text, kl) == 0;
            if (!dup) {
                if (d->n == cap) {
                    cap = cap ? cap * 2 : 64;
                    d->keys = realloc(d->keys, cap * sizeof(char *));
                    d->vals = realloc(d->vals, cap * sizeof(char *));
                    if (d->keys == NULL || d->vals == NULL) abort();
                }
                d->keys[d->n] = strndup(text, kl);
                d->vals[d->n] = strndup(sep + 1, (size_t)(eol - sep - 1));
                if (d->keys[d->n] == NULL || d->vals[d->n] == NULL) abort();
                d->n++;
            }
        }
        text = eol;
        while (text < end && (*text == '\r' || *text == '\n')) text++;
    }
    return d;
}

static void serverinfo_free(RedisModuleServerInfoData *d) {
    for (size_t i = 0; i < d->n; i++) {
        free(d->keys[i]);
        free(d->vals[i]);
    }
    free(d->keys);
    free(d->vals);
    free(d);
}

static void am_release_info(RedisModuleCtx *ctx, void *ptr) {
    (void)ctx;
    serverinfo_free(ptr);
}

/* Records d with ctx's auto memory (installing the release function of
 * the kind first: cheap, and robust to tests that swap it). */
void mh_serverinfo_am_add(RedisModuleCtx *ctx, RedisModuleServerInfoData *d) {
    mh_am_set_release(MH_AM_INFO, am_release_info);
    mh_am_add(ctx, MH_AM_INFO, d);
}

/* Frees data from GetServerInfo. Pass the ctx GetServerInfo was given
 * (NULL if none) so that auto memory forgets it. */
void mh_FreeServerInfo(RedisModuleCtx *ctx, RedisModuleServerInfoData *data) {
    if (data == NULL) return;
    mh_am_forget(ctx, data);
    serverinfo_free(data);
}

static const char *serverinfo_find(RedisModuleServerInfoData *d, const char *field) {
    if (d == NULL || field == NULL) return NULL;
    for (size_t i = 0; i < d->n; i++)
        if (strcmp(d->keys[i], field) == 0) return d->vals[i];
    return NULL;
}

/* Returns a field's value as a new string (recorded with ctx's auto
 * memory when ctx is not NULL), NULL if the field is absent. */
RedisModuleString *mh_ServerInfoGetField(RedisModuleCtx *ctx, RedisModuleServerInfoData *data, const char *field) {
    const char *v = serverinfo_find(data, field);
    if (v == NULL) return NULL;
    RedisModuleString *s = mh_string_new(v, strlen(v));
    mh_am_add(ctx, MH_AM_STRING, s);
    return s;
}

/* Returns a field's value as a C string owned by data, NULL if absent. */
const char *mh_ServerInfoGetFieldC(RedisModuleServerInfoData *data, const char *field) {
    return serverinfo_find(data, field);
}

/* Returns a field as a signed integer; 0 and *out_err = REDISMODULE_ERR
 * when absent or not a strict integer (out_err may be NULL). */
long long mh_ServerInfoGetFieldSigned(RedisModuleServerInfoData *data, const char *field, int *out_err) {
    const char *v = serverinfo_find(data, field);
    long long ll;
    if (v == NULL || !mh_parse_ll(v, strlen(v), &ll)) {
        if (out_err) *out_err = REDISMODULE_ERR;
        return 0;
    }
    if (out_err) *out_err = REDISMODULE_OK;
    return ll;
}

/* Returns a field as an unsigned integer; 0 and *out_err =
 * REDISMODULE_ERR when absent, negative or not a number. */
unsigned long long mh_ServerInfoGetFieldUnsigned(RedisModuleServerInfoData *data, const char *field, int *out_err) {
    const char *v = serverinfo_find(data, field);
    long long ll;
    unsigned long long ull = 0;
    int ok = 0;
    if (v != NULL) {
        if (mh_parse_ll(v, strlen(v), &ll)) {
            ok = ll >= 0;
            ull = (unsigned long long)ll;
        } else {
            char *end = NULL;
            errno = 0;
            ull = strtoull(v, &end, 10);
            ok = errno != EINVAL && errno != ERANGE && *v != '\0' && *end == '\0';
        }
    }
    if (!ok) {
        if (out_err) *out_err = REDISMODULE_ERR;
        return 0;
    }
    if (out_err) *out_err = REDISMODULE_OK;
    return ull;
}

/* Returns a field as a double; 0 and *out_err = REDISMODULE_ERR when
 * absent or not a number. */
double mh_ServerInfoGetFieldDouble(RedisModuleServerInfoData *data, const char *field, int *out_err) {
    const char *v = serverinfo_find(data, field);
    double d = 0;
    int ok = 0;
    if (v != NULL && *v != '\0' && !isspace((unsigned char)*v)) {
        char *end = NULL;
        errno = 0;
        d = strtod(v, &end);
        ok = *end == '\0' && !isnan(d) &&
             !(errno == ERANGE && (d == HUGE_VAL || d == -HUGE_VAL || d == 0));
    }
    if (!ok) {
        if (out_err) *out_err = REDISMODULE_ERR;
        return 0;
    }
    if (out_err) *out_err = REDISMODULE_OK;
    return d;
}
