/*
 * ctx.c - creating and freeing module contexts, "Automatic memory
 * management for modules" and the per-context pool allocator.
 *
 * Every call into module code (OnLoad, OnUnload, a command, getkeys) sits
 * between mh_ctx_new and mh_ctx_free: the free collects what auto memory
 * recorded and drops the pool, so nothing the callback borrowed outlives it.
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "ctx.h"
#include "api_key.h"
#include "api_gen.h"
#include "loader.h"

/* Pool blocks are at least this big; larger requests get their own block. */
#define MH_POOL_MIN_BLOCK (8 * 1024)
/* Pool allocations are aligned to a machine word (less for tiny ones). */
#define MH_POOL_ALIGN (sizeof(void *))

struct mh_pool_block {
    struct mh_pool_block *next;
    size_t size; /* usable bytes in mem */
    size_t used; /* bytes handed out */
    char mem[];
};

void mh_string_am_release(RedisModuleString *s); /* api_string.c */

static void am_release_string(RedisModuleCtx *ctx, void *ptr) {
    (void)ctx;
    mh_string_am_release((RedisModuleString *)ptr);
}

/* Release functions by kind; NULL kinds are forgotten without a release
 * until their family installs one. */
static mh_am_release_fn am_release[MH_AM_KINDS] = {
    [MH_AM_STRING] = am_release_string,
};

void mh_am_set_release(int kind, mh_am_release_fn fn) {
    if (kind > 0 && kind < MH_AM_KINDS) am_release[kind] = fn;
}

RedisModuleCtx *mh_ctx_new(uintptr_t handle, int resp, uint32_t flags) {
    RedisModuleCtx *ctx = calloc(1, sizeof(*ctx));
    if (ctx == NULL) abort();
    mh_ctx_init(ctx, handle, resp);
    ctx->flags = flags;
    return ctx;
}

/* Releases every recorded object in the order it was recorded. Entries
 * are read by index because a release may forget other entries. */
static void am_collect(RedisModuleCtx *ctx) {
    ctx->automemory = 0; /* releases must not record new entries */
    for (size_t i = 0; i < ctx->am_len; i++) {
        mh_am_entry e = ctx->am[i];
        ctx->am[i].kind = 0;
        if (e.kind > 0 && e.kind < MH_AM_KINDS && am_release[e.kind] != NULL && e.ptr != NULL)
            am_release[e.kind](ctx, e.ptr);
    }
    free(ctx->am);
    ctx->am = NULL;
    ctx->am_len = ctx->am_cap = 0;
}

static void pool_release(RedisModuleCtx *ctx) {
    struct mh_pool_block *b = ctx->pool;
    while (b != NULL) {
        struct mh_pool_block *next = b->next;
        free(b);
        b = next;
    }
    ctx->pool = NULL;
}

/* Freed thread-safe contexts are kept poisoned (MH_CTX_FREED) for a while
 * so that a module thread using one after FreeThreadSafeContext is told so
 * instead of reading freed memory; the oldest is really freed when the
 * ring is full. */
#define MH_TS_QUARANTINE 64
static RedisModuleCtx *tsctx_quarantine[MH_TS_QUARANTINE];
static size_t tsctx_quarantine_next;
static pthread_mutex_t tsctx_quarantine_mu = PTHREAD_MUTEX_INITIALIZER;

static void quarantine(RedisModuleCtx *ctx) {
    ctx->flags = MH_CTX_FREED;
    ctx->handle = 0;
    pthread_mutex_lock(&tsctx_quarantine_mu);
    RedisModuleCtx *old = tsctx_quarantine[tsctx_quarantine_next];
    tsctx_quarantine[tsctx_quarantine_next] = ctx;
    tsctx_quarantine_next = (tsctx_quarantine_next + 1) % MH_TS_QUARANTINE;
    pthread_mutex_unlock(&tsctx_quarantine_mu);
    free(old);
}

void mh_ctx_free(RedisModuleCtx *ctx) {
    if (ctx == NULL) return;
    am_collect(ctx);
    /* Only contexts the host made for one callback: a thread-safe
     * context may be freed by a module thread without the GIL, when the
     * open-key list must not be walked. */
    if ((ctx->flags & MH_CTX_TEMP) && !(ctx->flags & MH_CTX_THREAD_SAFE))
        mh_key_check_unclosed(ctx, "its context was freed");
    pool_release(ctx);
    mh_reply_free(ctx);
    if (ctx->flags & MH_CTX_THREAD_SAFE) {
        quarantine(ctx);
        return;
    }
    free(ctx);
}

void mh_ctx_recycle(RedisModuleCtx *ctx) {
    am_collect(ctx);
    pool_release(ctx);
    mh_reply_buf reply = ctx->reply;
    struct mh_postponed *pp = ctx->pp;
    size_t pp_cap = ctx->pp_cap;
    struct mh_open_coll *open = ctx->open;
    size_t open_cap = ctx->open_cap;
    mh_ctx_init(ctx, ctx->handle, ctx->resp);
    ctx->reply = reply;
    ctx->pp = pp;
    ctx->pp_cap = pp_cap;
    ctx->open = open;
    ctx->open_cap = open_cap;
    ctx->flags = MH_CTX_RETURNED; /* until the pool hands it out again */
}

/* Enables automatic memory management for the rest of the callback:
 * strings (and, as their families arrive, keys, call replies ...) that the
 * module creates through this context are released when the callback
 * returns, unless the module frees them first. Redis promises the same. */
void mh_AutoMemory(RedisModuleCtx *ctx) {
    if (ctx != NULL) ctx->automemory = 1;
}

void mh_am_add(RedisModuleCtx *ctx, int kind, void *ptr) {
    if (ctx == NULL || !ctx->automemory || ptr == NULL) return;
    if (ctx->am_len == ctx->am_cap) {
        size_t ncap = ctx->am_cap ? ctx->am_cap * 2 : 16;
        mh_am_entry *n = realloc(ctx->am, ncap * sizeof(*n));
        if (n == NULL) abort();
        ctx->am = n;
        ctx->am_cap = ncap;
    }
    ctx->am[ctx->am_len].kind = kind;
    ctx->am[ctx->am_len].ptr = ptr;
    ctx->am_len++;
}

void mh_am_forget(RedisModuleCtx *ctx, void *ptr) {
    if (ctx == NULL || ptr == NULL) return;
    /* Recent objects are the likeliest to be freed: search backwards. */
    for (size_t i = ctx->am_len; i > 0; i--) {
        if (ctx->am[i - 1].kind != 0 && ctx->am[i - 1].ptr == ptr) {
            if (i == ctx->am_len) {
                ctx->am_len--;
            } else {
                ctx->am[i - 1].kind = 0;
                ctx->am[i - 1].ptr = NULL;
            }
            return;
        }
    }
}

/* Returns bytes of memory that live until the callback returns and are
 * then freed all at once; the module must not free them. Cheap and fast,
 * for short-lived allocations. Returns NULL for 0 bytes, as Redis does.
 * Memory is word aligned, or aligned to the next power of two at or above
 * the size for requests smaller than a word. */
void *mh_PoolAlloc(RedisModuleCtx *ctx, size_t bytes) {
    if (bytes == 0 || ctx == NULL) return NULL;
    struct mh_pool_block *b = ctx->pool;
    size_t left = b ? b->size - b->used : 0;
    if (left >= bytes) {
        size_t align = MH_POOL_ALIGN;
        while (bytes < align && align / 2 >= bytes) align /= 2;
        if (b->used % align) b->used += align - (b->used % align);
        left = b->used > b->size ? 0 : b->size - b->used;
    }
    if (left < bytes) {
        size_t size = bytes > MH_POOL_MIN_BLOCK ? bytes : MH_POOL_MIN_BLOCK;
        b = malloc(sizeof(*b) + size);
        if (b == NULL) abort();
        b->size = size;
        b->used = 0;
        b->next = ctx->pool;
        ctx->pool = b;
    }
    void *p = b->mem + b->used;
    b->used += bytes;
    return p;
}
