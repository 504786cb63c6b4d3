/*
 * ctx.h - the C side of a module context.
 *
 * Every pointer a module receives as RedisModuleCtx* points at one of these.
 * The module's RedisModule_Init reads the first machine word as the GetApi
 * function, so `getapi` must stay the first field. The remaining fields are
 * C memory so that hot API calls (replies, argv access) need not enter Go.
 */
#ifndef MODHOST_CTX_H
#define MODHOST_CTX_H

#include <stddef.h>
#include <stdint.h>

/* The server side of the header: types and constants, no API pointers. */
#define REDISMODULE_CORE 1
typedef long long mstime_t;
typedef long long ustime_t;
#include "../redismodule.h"

/* Signature of RedisModule_GetApi: fills *(void **)out and returns
 * REDISMODULE_OK, or returns REDISMODULE_ERR and leaves out untouched. */
typedef int (*mh_getapi_fn)(const char *name, void *out);

/* A reply being built for the client, in the client's RESP version. */
typedef struct mh_reply_buf {
    char *buf;  /* malloc'd, owned by the context */
    size_t len; /* bytes written */
    size_t cap; /* bytes allocated */
} mh_reply_buf;

struct RedisModuleCtx {
    mh_getapi_fn getapi; /* MUST be first: read by RedisModule_Init */
    uintptr_t handle;    /* cgo.Handle of the Go-side context state, 0 if none */
    uint32_t flags;      /* MH_CTX_* */
    int resp;            /* protocol of the client being served: 2 or 3 */
    mh_reply_buf reply;  /* RESP bytes produced by ReplyWith* */

    /* Filled by the host before every call into the module. */
    const char *module_name; /* for Log's "<module>" prefix */
    uint64_t client_id;      /* GetClientId (0: no client) */
    int dbid;                /* GetSelectedDb; SelectDb updates it */

    /* Postponed lengths (REDISMODULE_POSTPONED_LEN): offsets of open
     * placeholders in reply, owned by the reply code (api_reply.c). */
    struct mh_postponed *pp;
    size_t pp_len, pp_cap;

    /* Auto memory: objects released when the callback returns
     * (RedisModule_AutoMemory), owned by ctx.c. */
    int automemory;
    struct mh_am_entry *am;
    size_t am_len, am_cap;

    /* PoolAlloc arena blocks, freed with the context (ctx.c). */
    struct mh_pool_block *pool;

    /* Blocked clients (api_block.c): the handle a reply/timeout callback or
     * a bound thread-safe context belongs to, the private data the
     * callback sees and the key that woke a client blocked on keys. */
    RedisModuleBlockedClient *blocked_client;
    void *blocked_privdata;
    RedisModuleString *blocked_ready_key;

    /* Reply accounting (misuse_reply.c): the stack of open collections,
     * top-level replies started, where the second one began and which
     * API call started it. */
    struct mh_open_coll *open;
    size_t open_len, open_cap;
    long replies;
    size_t second_at;
    const char *second_fn;
};

/* Kinds of auto-memory entries. */
enum mh_am_kind {
    MH_AM_STRING = 1, /* RedisModuleString *: released by mh_string_release */
    MH_AM_KEY,        /* RedisModuleKey *   */
    MH_AM_REPLY,      /* RedisModuleCallReply * */
    MH_AM_DICT,       /* RedisModuleDict *  */
    MH_AM_INFO,       /* RedisModuleServerInfoData * */
};

typedef struct mh_am_entry {
    int kind;
    void *ptr;
} mh_am_entry;

/* Record ptr for release when the callback returns, if auto memory is on
 * (ctx may be NULL: then nothing happens). */
void mh_am_add(RedisModuleCtx *ctx, int kind, void *ptr);
/* Forget ptr because the module freed it explicitly. */
void mh_am_forget(RedisModuleCtx *ctx, void *ptr);

/* Context flags (RedisModuleCtx.flags). */
#define MH_CTX_NONE 0u
#define MH_CTX_TEMP (1u << 0)         /* created for one call (OnLoad, a callback) */
#define MH_CTX_COMMAND (1u << 1)      /* running a module command for a client */
#define MH_CTX_KEYS_POS (1u << 2)     /* COMMAND GETKEYS: collect KeyAtPos */
#define MH_CTX_CHANNELS_POS (1u << 3) /* collect ChannelAtPosWithFlags */
#define MH_CTX_ONLOAD (1u << 4)       /* inside RedisModule_OnLoad */
#define MH_CTX_ONUNLOAD (1u << 5)     /* inside RedisModule_OnUnload */
#define MH_CTX_BLOCKED_REPLY (1u << 6)        /* reply callback of a blocked client */
#define MH_CTX_BLOCKED_TIMEOUT (1u << 7)      /* timeout callback of a blocked client */
#define MH_CTX_BLOCKED_DISCONNECTED (1u << 8) /* free_privdata after the client went away */
#define MH_CTX_THREAD_SAFE (1u << 9)          /* GetThreadSafeContext & co */
#define MH_CTX_RETURNED (1u << 10)            /* pooled: its command returned */
#define MH_CTX_FREED (1u << 30) /* a freed thread-safe context in quarantine (ctx.c) */

/* Number of auto-memory kinds (one past the last mh_am_kind). */
#define MH_AM_KINDS 6

/* Releases one auto-memory object of a kind when its context is freed. */
typedef void (*mh_am_release_fn)(RedisModuleCtx *ctx, void *ptr);

/* Installs the release function of an auto-memory kind (ctx.c). Families
 * call it once at start-up for their kind; MH_AM_STRING is preset. */
void mh_am_set_release(int kind, mh_am_release_fn fn);

/* Allocates a zeroed context in C memory and initialises it (ctx.c). */
RedisModuleCtx *mh_ctx_new(uintptr_t handle, int resp, uint32_t flags);

/* Ends a context: releases auto-memory objects, the pool, the reply and
 * postponed-length buffers, then frees the struct (ctx.c). */
void mh_ctx_free(RedisModuleCtx *ctx);

/* Readies a pooled context for its next call: releases auto-memory
 * objects and the pool, clears every field but getapi, handle and the
 * reply and postponed-length buffers (the reply bytes stay for the caller,
 * who empties them) (ctx.c). */
void mh_ctx_recycle(RedisModuleCtx *ctx);

/* mh_GetApi is the GetApi every context carries (getapi.c). */
int mh_GetApi(const char *name, void *out);

/* Initialise a zeroed context in place; getapi is set to mh_GetApi. */
void mh_ctx_init(RedisModuleCtx *ctx, uintptr_t handle, int resp);

/* Release what the context owns (the reply buffer), not the struct. */
void mh_ctx_release(RedisModuleCtx *ctx);

/* The names asked for through GetApi since the last call, in request
 * order, each once, and clears them. Returns a malloc'd array of *n
 * entries (the caller frees it): entry >= 0 is the table function
 * mh_api_name(entry), asked with the ValkeyModule_ prefix when entry & 1;
 * entry < 0 is (*missing_out)[-entry - 1], a malloc'd copy of a name the
 * host does not implement (the caller frees the strings and the array,
 * *nmissing of them). */
int32_t *mh_take_api_requests(size_t *n, char ***missing_out, size_t *nmissing);
/* The bare name (no prefix) of a found entry of mh_take_api_requests. */
const char *mh_api_name(int32_t entry);

/* The time CachedMicroseconds returns, in microseconds (0: read the
 * clock); the module command dispatcher sets it (api_time.c). */
extern long long mh_cached_us;

/* Calls ctx->getapi(name, &out) exactly as a module's Init would.
 * Returns the GetApi status; *out is untouched on failure. */
int mh_ctx_getapi(RedisModuleCtx *ctx, const char *name, void **out);

#endif /* MODHOST_CTX_H */
