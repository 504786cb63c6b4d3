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
#include "../../redismodule.h"

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
    /* More fields are added by the host as API families arrive. */
};

/* Context flags (RedisModuleCtx.flags). */
#define MH_CTX_NONE 0u
#define MH_CTX_TEMP (1u << 0) /* created for one call (OnLoad, a callback) */

/* mh_GetApi is the GetApi every context carries (getapi.c). */
int mh_GetApi(const char *name, void *out);

/* Initialise a zeroed context in place; getapi is set to mh_GetApi. */
void mh_ctx_init(RedisModuleCtx *ctx, uintptr_t handle, int resp);

/* Release what the context owns (the reply buffer), not the struct. */
void mh_ctx_release(RedisModuleCtx *ctx);

/* Names asked for through GetApi that the host does not implement.
 * Returns a malloc'd array of malloc'd strings (the caller frees all of it)
 * and clears the list; *n receives the count. */
char **mh_take_missing(size_t *n);

/* Calls ctx->getapi(name, &out) exactly as a module's Init would.
 * Returns the GetApi status; *out is untouched on failure. */
int mh_ctx_getapi(RedisModuleCtx *ctx, const char *name, void **out);

#endif /* MODHOST_CTX_H */
