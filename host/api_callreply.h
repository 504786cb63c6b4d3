/*
 * api_callreply.h - RedisModuleCallReply as a C tree (api_callreply.c).
 *
 * RedisModule_Call captures the command's reply as RESP bytes and parses
 * them once into this tree, so that every CallReply accessor is plain C
 * and a walk of any length never enters Go. The root owns a copy of the
 * protocol bytes; every node points into it.
 */
#ifndef MODHOST_API_CALLREPLY_H
#define MODHOST_API_CALLREPLY_H

#include <stddef.h>
#include <stdint.h>

#include "ctx.h"

/* RedisModuleCallReply.flags */
#define MH_CR_ROOT (1 << 0)  /* returned by Call: FreeCallReply frees it */
#define MH_CR_RESP3 (1 << 1) /* this reply, or a nested one, is RESP3-only */

struct RedisModuleCallReply {
    uint32_t magic;       /* MH_MAGIC_LIVE; a freed root is poisoned (misuse.h) */
    int type;             /* REDISMODULE_REPLY_* */
    int flags;            /* MH_CR_* */
    size_t len;           /* bytes (string, error, big number, verbatim) or
                             elements (array, set) or pairs (map, attribute) */
    const char *str;      /* text of string-like replies, into proto */
    const char *format;   /* verbatim format (3 bytes, not NUL-terminated) */
    long long ll;         /* integer, or bool as 0/1 */
    double d;             /* double */
    struct RedisModuleCallReply *elems;     /* len elements, 2*len for maps */
    struct RedisModuleCallReply *attribute; /* attribute that came first, or NULL */
    const char *proto;    /* this reply's RESP bytes */
    size_t proto_len;
    RedisModuleCtx *ctx;  /* auto-memory context of the root, or NULL */
    char *mem;            /* root only: the owned copy of the bytes */
    uintptr_t promise;    /* REDISMODULE_REPLY_PROMISE: handle of the Go promise */
};

/* Parses len bytes of RESP (one reply) into a new root reply that owns a
 * copy of them. ctx is recorded when auto memory is on (the reply is then
 * released with the context). Returns NULL when the bytes are not one
 * complete reply. */
RedisModuleCallReply *mh_callreply_new(RedisModuleCtx *ctx, const char *p, size_t len);

/* Makes a root reply of type REDISMODULE_REPLY_PROMISE for the Go promise
 * behind handle (api_promise.go); freeing the reply releases the handle. */
RedisModuleCallReply *mh_callreply_promise_new(RedisModuleCtx *ctx, uintptr_t handle);

/* Parses a resolved promise's reply (len bytes at p, no auto memory) and
 * calls the module's unblock handler with it, as the host. */
void mh_promise_call_handler(void *fn, RedisModuleCtx *ctx, const char *p, size_t len, void *privdata);

/* Installs the MH_AM_REPLY auto-memory release function. */
void mh_callreply_init(void);

/* Frees a root reply and everything below it (no auto-memory update). */
void mh_callreply_free(RedisModuleCallReply *r);

#endif /* MODHOST_API_CALLREPLY_H */
