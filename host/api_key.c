/*
 * api_key.c - the C half of the low-level key API: key handles, the cached
 * KeyType/ValueLength, key names, and the zset range and stream iterator
 * walks over cursors that Go filled (no Go crossing per element).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "ctx.h"
#include "api_gen.h"
#include "api_key.h"
#include "mh_string.h"

/* Go: refreshes key->type and key->len from the keyspace (api_key.go). */
extern void mhv_key_sync(RedisModuleKey *key);

uint64_t mh_key_epoch = 1;

void mh_key_invalidate(void) { mh_key_epoch++; }

static void am_release_key(RedisModuleCtx *ctx, void *ptr) {
    (void)ctx;
    mh_CloseKey((RedisModuleKey *)ptr);
}

/* Installs the auto-memory release of MH_AM_KEY (called once by Go). */
void mh_key_init(void) { mh_am_set_release(MH_AM_KEY, am_release_key); }

/* Allocates a handle without recording it with auto memory. */
static RedisModuleKey *key_alloc(RedisModuleCtx *ctx, RedisModuleString *name, int dbid, int mode) {
    RedisModuleKey *k = calloc(1, sizeof(*k));
    if (k == NULL) abort();
    k->ctx = ctx;
    name->refcount++;
    k->name = name;
    k->dbid = dbid;
    k->mode = mode;
    k->module = ctx->module_name;
    mh_key_track(k);
    return k;
}

RedisModuleKey *mh_key_new(RedisModuleCtx *ctx, RedisModuleString *name, int dbid, int mode) {
    RedisModuleKey *k = key_alloc(ctx, name, dbid, mode);
    mh_am_add(ctx, MH_AM_KEY, k);
    return k;
}

/* Go halves of OpenKey and CloseKey (api_key.go). */
extern int mhv_key_open(RedisModuleCtx *ctx, RedisModuleKey *k);
extern void mhv_key_close(RedisModuleKey *k);

/* Returns a handle on keyname in the context's selected database, to be
 * released with CloseKey (or by auto memory). A READ-only open of a
 * missing key returns NULL; a WRITE open always returns a handle (the key
 * is created by the first write). The OPEN_KEY_* flags apply to the lookup
 * (NOTOUCH, NONOTIFY, NOSTATS, NOEXPIRE, NOEFFECTS, ACCESS_EXPIRED). One
 * crossing into Go. */
RedisModuleKey *mh_OpenKey(RedisModuleCtx *ctx, RedisModuleString *keyname, int mode) {
    if (ctx == NULL || keyname == NULL) return NULL;
    RedisModuleKey *k = key_alloc(ctx, keyname, ctx->dbid, mode);
    if (!mhv_key_open(ctx, k)) {
        mh_key_free(k);
        return NULL;
    }
    mh_am_add(ctx, MH_AM_KEY, k);
    return k;
}

/* Closes a key handle: copies back a DMA window, stops iterators, signals
 * a key opened for writing as modified (WATCH) and blocked clients after
 * StreamAdd to an existing stream, and frees the handle. NULL is ignored.
 * Only a key opened for writing (or with a DMA window or a pending ready
 * signal) crosses into Go. */
void mh_CloseKey(RedisModuleKey *key) {
    if (key == NULL) return;
    if ((key->mode & REDISMODULE_WRITE) || key->dma || key->signalready) mhv_key_close(key);
    mh_am_forget(key->ctx, key);
    mh_key_free(key);
}

void mh_key_zcur_free(RedisModuleKey *key) {
    free(key->zcur);
    key->zcur = NULL;
    key->zrange = 0;
}

void mh_key_scur_free(RedisModuleKey *key) {
    free(key->scur);
    key->scur = NULL;
}

void mh_key_free(RedisModuleKey *key) {
    mh_key_untrack(key);
    mh_key_zcur_free(key);
    mh_key_scur_free(key);
    free(key->lcache);
    mh_string_release(key->name);
    free(key);
}

void mh_key_cache(RedisModuleKey *key, int type, size_t len) {
    key->type = type;
    key->len = len;
    key->epoch = mh_key_epoch;
}

char *mh_dma_alloc(size_t n) {
    char *p = malloc(n + 1);
    if (p == NULL) abort();
    p[n] = '\0';
    return p;
}

/* The key's current type, refreshed from Go only when the cache is stale. */
static int key_type(RedisModuleKey *key) {
    if (key->epoch != mh_key_epoch) mhv_key_sync(key);
    return key->type;
}

/* Returns the type of the key (REDISMODULE_KEYTYPE_*); EMPTY for a NULL
 * key or a key without a value. */
int mh_KeyType(RedisModuleKey *key) {
    if (key == NULL) return REDISMODULE_KEYTYPE_EMPTY;
    return key_type(key);
}

/* Returns the length of the value: bytes of a string, elements of a list,
 * set, sorted set or stream, fields of a hash; 0 for a NULL or empty key
 * (and for module values). */
size_t mh_ValueLength(RedisModuleKey *key) {
    if (key == NULL) return 0;
    if (key->epoch != mh_key_epoch) mhv_key_sync(key);
    return key->len;
}

/* Returns the name of the key the handle was opened on (owned by the
 * handle), or NULL for a NULL key. */
const RedisModuleString *mh_GetKeyNameFromModuleKey(RedisModuleKey *key) {
    return key ? key->name : NULL;
}

/* Returns the database of the key, or -1 for a NULL key. */
int mh_GetDbIdFromModuleKey(RedisModuleKey *key) {
    return key ? key->dbid : -1;
}

/* Returns every OpenKey mode bit this server understands. */
int mh_GetOpenKeyModesAll(void) {
    return _REDISMODULE_OPEN_KEY_ALL;
}

/* ---- sorted set range iterator (cursor filled by Go) ---- */

/* Ends the range iteration; iteration calls then report no element. */
void mh_ZsetRangeStop(RedisModuleKey *key) {
    if (key == NULL) return;
    mh_key_zcur_free(key);
}

/* Returns 1 when the range iterator has run past either end of its range
 * (or no range is active, or the key is not a sorted set), else 0. */
int mh_ZsetRangeEndReached(RedisModuleKey *key) {
    if (key == NULL || key_type(key) != REDISMODULE_KEYTYPE_ZSET) return 1;
    if (key->zcur == NULL) return 1;
    return key->zcur->pos < 0 || key->zrange < 0;
}

/* Moves to the next member of the range: 1 on success, 0 when there is
 * none (the end is then reached and the current member stays). */
int mh_ZsetRangeNext(RedisModuleKey *key) {
    if (key == NULL || key_type(key) != REDISMODULE_KEYTYPE_ZSET) return 0;
    mh_zcur *z = key->zcur;
    if (z == NULL || z->pos < 0) return 0;
    if ((size_t)z->pos + 1 >= z->n) {
        key->zrange = -1; /* end reached */
        return 0;
    }
    z->pos++;
    return 1;
}

/* Moves to the previous member of the range, as ZsetRangeNext. */
int mh_ZsetRangePrev(RedisModuleKey *key) {
    if (key == NULL || key_type(key) != REDISMODULE_KEYTYPE_ZSET) return 0;
    mh_zcur *z = key->zcur;
    if (z == NULL || z->pos < 0) return 0;
    if (z->pos == 0) {
        key->zrange = -1;
        return 0;
    }
    z->pos--;
    return 1;
}

/* Returns the current member of the range (and its score in *score when
 * score is not NULL), or NULL when there is none. The caller owns the
 * string (auto memory applies). */
RedisModuleString *mh_ZsetRangeCurrentElement(RedisModuleKey *key, double *score) {
    if (key == NULL || key_type(key) != REDISMODULE_KEYTYPE_ZSET) return NULL;
    mh_zcur *z = key->zcur;
    if (z == NULL || z->pos < 0) return NULL;
    mh_zent *e = &z->ents[z->pos];
    if (score) *score = e->score;
    RedisModuleString *s = mh_string_new(z->bytes + e->off, e->len);
    mh_am_add(key->ctx, MH_AM_STRING, s);
    return s;
}

/* ---- stream iterator (cursor filled by Go) ---- */

static int stream_iter_check(RedisModuleKey *key) {
    if (key == NULL) {
        errno = EINVAL;
        return 0;
    }
    if (key_type(key) != REDISMODULE_KEYTYPE_STREAM) {
        errno = ENOTSUP;
        return 0;
    }
    if (key->scur == NULL) {
        errno = EBADF;
        return 0;
    }
    return 1;
}

/* Stops the stream iterator. REDISMODULE_ERR with errno EINVAL (NULL key),
 * ENOTSUP (not a stream) or EBADF (no iterator). */
int mh_StreamIteratorStop(RedisModuleKey *key) {
    if (!stream_iter_check(key)) return REDISMODULE_ERR;
    mh_key_scur_free(key);
    return REDISMODULE_OK;
}

/* Advances to the next entry, storing its ID in *id and its number of
 * field/value pairs in *numfields (both optional). REDISMODULE_ERR with
 * errno ENOENT when there are no more entries, or as StreamIteratorStop. */
int mh_StreamIteratorNextID(RedisModuleKey *key, RedisModuleStreamID *id, long *numfields) {
    if (!stream_iter_check(key)) return REDISMODULE_ERR;
    mh_scur *s = key->scur;
    if ((size_t)(s->pos + 1) >= s->n) {
        s->pos = (long)s->n;
        s->cur_ms = s->cur_seq = 0;
        s->fieldsleft = 0;
        errno = ENOENT;
        return REDISMODULE_ERR;
    }
    s->pos++;
    mh_sent *e = &s->ents[s->pos];
    s->cur_ms = e->ms;
    s->cur_seq = e->seq;
    s->fieldsleft = (long)e->nfields;
    s->fieldnext = (long)e->first;
    if (id) {
        id->ms = e->ms;
        id->seq = e->seq;
    }
    if (numfields) *numfields = (long)e->nfields;
    return REDISMODULE_OK;
}

/* Returns the next field/value pair of the current entry as new strings
 * (either pointer may be NULL). REDISMODULE_ERR with errno ENOENT when the
 * entry has no pairs left, or as StreamIteratorStop. */
int mh_StreamIteratorNextField(RedisModuleKey *key, RedisModuleString **field_ptr, RedisModuleString **value_ptr) {
    if (!stream_iter_check(key)) return REDISMODULE_ERR;
    mh_scur *s = key->scur;
    if (s->fieldsleft <= 0) {
        errno = ENOENT;
        return REDISMODULE_ERR;
    }
    size_t *f = &s->fields[s->fieldnext * 2];
    if (field_ptr) {
        *field_ptr = mh_string_new(s->bytes + f[0], f[1]);
        mh_am_add(key->ctx, MH_AM_STRING, *field_ptr);
    }
    if (value_ptr) {
        *value_ptr = mh_string_new(s->bytes + f[2], f[3]);
        mh_am_add(key->ctx, MH_AM_STRING, *value_ptr);
    }
    s->fieldnext += 2;
    s->fieldsleft--;
    return REDISMODULE_OK;
}

/* StringDMA's pointer for an empty key: read-only memory, so a module that
 * writes through it faults as it would in Redis. */
const char *const mh_dma_empty = "<dma-empty-string>";
