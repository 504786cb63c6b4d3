/*
 * api_key.h - RedisModuleKey as modhost lays it out in C memory.
 *
 * A key handle is C memory so that the calls modules make in loops
 * (KeyType, ValueLength, the zset range and stream iterator walks,
 * GetKeyNameFromModuleKey) never enter Go. The handle names the key (db
 * and a retained copy of the name) rather than pointing at the value: Go
 * looks the value up again on every call that needs it, so no Go pointer
 * is ever kept by C.
 *
 * Cached facts (type, length) are valid while `epoch` equals
 * mh_key_epoch; every keyspace write made through the key API bumps the
 * epoch, and so must any other path that writes while keys are open
 * (mh_key_invalidate).
 *
 * Iterators are C cursors filled by Go once per range (zset) or per
 * iterator start (stream): the walk itself is pure C. ListGet reads a
 * window of the list copied into C (mh_lcache) the same way.
 */
#ifndef MODHOST_API_KEY_H
#define MODHOST_API_KEY_H

#include <stddef.h>
#include <stdint.h>

#include "ctx.h"

/* One member of a materialised zset range. */
typedef struct mh_zent {
    double score;
    size_t off, len; /* member bytes in the cursor's byte area */
} mh_zent;

/* A zset range iterator: the whole range, ascending. */
typedef struct mh_zcur {
    size_t n;      /* members in range */
    long pos;      /* current member, or -1 */
    mh_zent *ents; /* n entries, followed in the same allocation by the bytes */
    char *bytes;
} mh_zcur;

/* One stream entry of a materialised iterator. */
typedef struct mh_sent {
    uint64_t ms, seq;
    size_t nfields; /* field/value pairs */
    size_t first;   /* index of its first field in fields (2 slots per pair) */
} mh_sent;

/* A stream iterator: the entries in iteration order. */
typedef struct mh_scur {
    size_t n;
    long pos;          /* entry returned by the last NextID, -1 before */
    long fieldsleft;   /* pairs NextField may still return */
    long fieldnext;    /* next field slot */
    uint64_t cur_ms, cur_seq; /* current entry for Delete (0-0: none) */
    mh_sent *ents;
    size_t *fields;    /* (off, len) per field and per value */
    char *bytes;
} mh_scur;

/* A window of a list's elements copied for ListGet, filled by Go
 * (mhv_list_cache) and read in C; one malloc'd block: the struct, then n+1
 * offsets, then the bytes. */
typedef struct mh_lcache {
    long base;    /* list index of the first element held */
    size_t n;     /* elements held */
    size_t *offs; /* element i is bytes[offs[i] : offs[i+1]] */
    char *bytes;
} mh_lcache;

/* Elements one ListGet cache fill copies at most. */
#define MH_LCACHE_MAX 512

struct RedisModuleKey {
    RedisModuleCtx *ctx;     /* context that opened the key (auto memory) */
    RedisModuleString *name; /* retained key name */
    int dbid;                /* database the key lives in */
    int mode;                /* OpenKey mode bits */
    int type;                /* REDISMODULE_KEYTYPE_*, cached */
    int dma;                 /* a StringDMA mirror is registered in Go */
    size_t len;              /* ValueLength, cached */
    uint64_t epoch;          /* mh_key_epoch when type/len were cached */
    mh_zcur *zcur;           /* active zset range, or NULL */
    int zrange;              /* REDISMODULE_ZSET_RANGE_* kind, 0 none */
    mh_scur *scur;           /* active stream iterator, or NULL */
    int signalready;         /* StreamAdd to an existing stream: ready at close */
    mh_lcache *lcache;       /* ListGet window, valid while lcache_epoch is current */
    uint64_t lcache_epoch;   /* mh_key_epoch when lcache was filled */
    /* Open-key list (strict_keys.c): every handle not yet freed, for the
     * never-closed and held-at-unload diagnostics. */
    struct RedisModuleKey *open_prev, *open_next;
    const char *module;      /* name of the module that opened it (interned) */
};

/* Bumped whenever the keyspace may have changed under open keys. */
extern uint64_t mh_key_epoch;

/* Invalidates the cached type/length of every open key. */
void mh_key_invalidate(void);

/* Allocates a key handle (name is retained: one more reference, as Redis
 * takes) and records it with ctx's auto memory. */
RedisModuleKey *mh_key_new(RedisModuleCtx *ctx, RedisModuleString *name, int dbid, int mode);

/* Frees the C side of a key: cursors, name, struct. */
void mh_key_free(RedisModuleKey *key);

/* Frees the zset cursor / stream cursor of a key. */
void mh_key_zcur_free(RedisModuleKey *key);
void mh_key_scur_free(RedisModuleKey *key);

/* Sets the cached facts of a key and marks them current. */
void mh_key_cache(RedisModuleKey *key, int type, size_t len);

/* Adds/removes a handle on the open-key list (strict_keys.c). */
void mh_key_track(RedisModuleKey *key);
void mh_key_untrack(RedisModuleKey *key);

/* Reports and closes every key ctx opened and never closed (ctx's
 * command returned, or ctx is being freed); when says which. Cheap when
 * no key is open (strict_keys.c). */
void mh_key_check_unclosed(RedisModuleCtx *ctx, const char *when);

/* Keys still open that module opened (strict_keys.c). */
size_t mh_key_count_module(const char *module);

/* Memory for the DMA window of StringDMA (kept in C, never NULL). */
char *mh_dma_alloc(size_t n);

#endif /* MODHOST_API_KEY_H */
