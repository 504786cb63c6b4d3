/*
 * api_key_hash.c - the varargs halves of RedisModule_HashSet and
 * RedisModule_HashGet: walk the NULL-terminated va_list into plain arrays
 * and make one Go call (api_key_hash.go) for the whole list.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "ctx.h"
#include "api_gen.h"
#include "api_key.h"
#include "mh_string.h"
#include "gil.h"

extern int mhv_hash_set(RedisModuleKey *key, int flags, const char **fields, size_t *flens,
                        RedisModuleString **values, int n, int *err);
extern int mhv_hash_get(RedisModuleKey *key, int flags, const char **fields, size_t *flens,
                        void **outs, int n);

/* Growable parallel arrays of fields and their companions. */
typedef struct hash_args {
    const char **f;
    size_t *len;
    void **other;
    int n, cap;
    const char *f0[8];
    size_t len0[8];
    void *other0[8];
} hash_args;

static void args_init(hash_args *a) {
    a->f = a->f0;
    a->len = a->len0;
    a->other = a->other0;
    a->n = 0;
    a->cap = 8;
}

static void args_push(hash_args *a, const char *f, size_t len, void *other) {
    if (a->n == a->cap) {
        int ncap = a->cap * 2;
        const char **nf = malloc(ncap * sizeof(*nf));
        size_t *nl = malloc(ncap * sizeof(*nl));
        void **no = malloc(ncap * sizeof(*no));
        if (!nf || !nl || !no) abort();
        memcpy(nf, a->f, a->n * sizeof(*nf));
        memcpy(nl, a->len, a->n * sizeof(*nl));
        memcpy(no, a->other, a->n * sizeof(*no));
        if (a->f != a->f0) {
            free(a->f);
            free(a->len);
            free(a->other);
        }
        a->f = nf;
        a->len = nl;
        a->other = no;
        a->cap = ncap;
    }
    a->f[a->n] = f;
    a->len[a->n] = len;
    a->other[a->n] = other;
    a->n++;
}

static void args_free(hash_args *a) {
    if (a->f != a->f0) {
        free(a->f);
        free(a->len);
        free(a->other);
    }
}

/* Reads the next field (C string or module string); 0 at the NULL end. */
static int next_field(va_list *ap, int cfields, const char **f, size_t *len) {
    if (cfields) {
        const char *s = va_arg(*ap, const char *);
        if (s == NULL) return 0;
        *f = s;
        *len = strlen(s);
        return 1;
    }
    RedisModuleString *s = va_arg(*ap, RedisModuleString *);
    if (s == NULL) return 0;
    *f = s->ptr;
    *len = s->len;
    return 1;
}

/* Sets, or with REDISMODULE_HASH_DELETE deletes, hash fields: arguments
 * are field/value pairs ending with a NULL field (C strings with
 * REDISMODULE_HASH_CFIELDS). NX/XX condition each pair. Returns the number
 * of fields updated or deleted (plus inserted with COUNT_ALL); 0 sets errno
 * to ENOENT, or to EINVAL (NULL key, unknown flags), ENOTSUP (another
 * type), EBADF (not open for writing). */
int mh_HashSet(RedisModuleKey *key, int flags, ...) {
    MH_GIL_CHECK("HashSet");
    hash_args a;
    args_init(&a);
    va_list ap;
    va_start(ap, flags);
    const char *f;
    size_t len;
    while (next_field(&ap, flags & REDISMODULE_HASH_CFIELDS, &f, &len))
        args_push(&a, f, len, va_arg(ap, RedisModuleString *));
    va_end(ap);
    int err = 0;
    int r = mhv_hash_set(key, flags, a.f, a.len, (RedisModuleString **)a.other, a.n, &err);
    args_free(&a);
    if (err != 0) errno = err;
    return r;
}

/* Reads hash fields: arguments are field / output pairs ending with a NULL
 * field. Outputs are RedisModuleString ** (the value, or NULL when the
 * field or key is missing; auto memory applies), or int * with
 * REDISMODULE_HASH_EXISTS. REDISMODULE_ERR when the key holds another
 * type. */
int mh_HashGet(RedisModuleKey *key, int flags, ...) {
    MH_GIL_CHECK("HashGet");
    hash_args a;
    args_init(&a);
    va_list ap;
    va_start(ap, flags);
    const char *f;
    size_t len;
    while (next_field(&ap, flags & REDISMODULE_HASH_CFIELDS, &f, &len))
        args_push(&a, f, len, va_arg(ap, void *));
    va_end(ap);
    int r = mhv_hash_get(key, flags, a.f, a.len, a.other, a.n);
    args_free(&a);
    return r;
}
