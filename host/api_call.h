/*
 * api_call.h - the request RedisModule_Call and RedisModule_Replicate
 * hand to Go (api_call.c builds it from the va_list, api_call.go runs it).
 *
 * One request is one C->Go crossing: the arguments stay in module memory
 * (Go reads them in place) and Go writes the reply's RESP bytes into the
 * request's C buffer, growing it through mh_call_grow only when it is too
 * small. C then parses the bytes into a CallReply tree after Go returns.
 */
#ifndef MODHOST_API_CALL_H
#define MODHOST_API_CALL_H

#include <stddef.h>
#include <stdint.h>

#include "ctx.h"

/* Format modifiers (mh_call_req.flags), one per letter. */
#define MH_CALL_REPLICATE (1 << 0)    /* '!' */
#define MH_CALL_NO_AOF (1 << 1)       /* 'A' */
#define MH_CALL_NO_REPLICAS (1 << 2)  /* 'R' */
#define MH_CALL_RESP3 (1 << 3)        /* '3' */
#define MH_CALL_RESP_AUTO (1 << 4)    /* '0' */
#define MH_CALL_RUN_AS_USER (1 << 5)  /* 'C' */
#define MH_CALL_SCRIPT_MODE (1 << 6)  /* 'S' */
#define MH_CALL_NO_WRITES (1 << 7)    /* 'W' */
#define MH_CALL_DENY_OOM (1 << 8)     /* 'M' */
#define MH_CALL_ERRORS (1 << 9)       /* 'E' */
#define MH_CALL_DRY_RUN (1 << 10)     /* 'D' (implies 'E') */
#define MH_CALL_ALLOW_BLOCK (1 << 11) /* 'K' */

/* Arguments kept in the request itself up to this count. */
#define MH_CALL_SMALL 16

typedef struct mh_call_req {
    /* In: argv[0] is the command name; argv[i] has lens[i] bytes. */
    const char **argv;
    size_t *lens;
    int argc;
    int flags;   /* MH_CALL_* */
    int fmt_err; /* a format letter was not understood */
    /* Out, set by Go. */
    int err;       /* errno value, 0 for none */
    int has_reply; /* out holds one reply to return */
    uintptr_t promise; /* non-zero: the command blocked ("K"); return a promise */
    char *out;     /* reply bytes: C memory, grown by mh_call_grow */
    size_t out_len, out_cap;

    /* Storage owned by the request (api_call.c). */
    const char *small_argv[MH_CALL_SMALL];
    size_t small_lens[MH_CALL_SMALL];
    char (*nums)[24]; /* text of 'l' arguments */
    int nnums;
    int cap;
} mh_call_req;

/* Makes room for n bytes in req->out (Go calls it when out_cap < n). */
void mh_call_grow(mh_call_req *req, size_t n);

/* Implemented in Go (api_call.go). */
extern void mhv_call(RedisModuleCtx *ctx, mh_call_req *req);
extern int mhv_replicate(RedisModuleCtx *ctx, mh_call_req *req);

#endif /* MODHOST_API_CALL_H */
