/*
 * api_call.c - the varargs side of RedisModule_Call and
 * RedisModule_Replicate: walk the format, collect the arguments into a
 * request (api_call.h), cross into Go once, and turn the bytes Go left in
 * the request into a CallReply tree.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ctx.h"
#include "api_gen.h"
#include "api_call.h"
#include "api_callreply.h"
#include "api_key.h"
#include "mh_string.h"
#include "gil.h"

/* Reply buffers by nesting depth: a Call made while another one runs (a
 * module command called through Call that calls again) uses the next
 * level, so an outer request's buffer never moves under it. Everything
 * here runs under the server lock. */
#define MH_CALL_LEVELS 8
static struct {
    char *buf;
    size_t cap;
} levels[MH_CALL_LEVELS];
static int depth;

static void add_arg(mh_call_req *r, const char *p, size_t len) {
    if (r->argc == r->cap) {
        int ncap = r->cap * 2;
        const char **na = malloc(sizeof(*na) * (size_t)ncap);
        size_t *nl = malloc(sizeof(*nl) * (size_t)ncap);
        if (na == NULL || nl == NULL) abort();
        memcpy(na, r->argv, sizeof(*na) * (size_t)r->argc);
        memcpy(nl, r->lens, sizeof(*nl) * (size_t)r->argc);
        if (r->argv != r->small_argv) {
            free(r->argv);
            free(r->lens);
        }
        r->argv = na;
        r->lens = nl;
        r->cap = ncap;
    }
    r->argv[r->argc] = p;
    r->lens[r->argc] = len;
    r->argc++;
}

/* Fills r from cmdname, fmt and ap as Redis's format rules say. A letter
 * that is not understood stops the walk and sets fmt_err. */
static void build(mh_call_req *r, const char *cmdname, const char *fmt, va_list ap) {
    memset(r, 0, sizeof(*r));
    r->argv = r->small_argv;
    r->lens = r->small_lens;
    r->cap = MH_CALL_SMALL;
    add_arg(r, cmdname, strlen(cmdname));
    size_t nl = 0;
    for (const char *p = fmt; *p; p++) nl += *p == 'l';
    if (nl > 0) {
        r->nums = malloc(sizeof(*r->nums) * nl);
        if (r->nums == NULL) abort();
    }
    for (const char *p = fmt; *p; p++) {
        switch (*p) {
        case 'c': {
            const char *s = va_arg(ap, const char *);
            add_arg(r, s, strlen(s));
            break;
        }
        case 's': {
            RedisModuleString *s = va_arg(ap, RedisModuleString *);
            add_arg(r, s->ptr, s->len);
            break;
        }
        case 'b': {
            const char *s = va_arg(ap, const char *);
            size_t len = va_arg(ap, size_t);
            add_arg(r, s, len);
            break;
        }
        case 'l': {
            long long ll = va_arg(ap, long long);
            char *dst = r->nums[r->nnums++];
            int n = snprintf(dst, 24, "%lld", ll);
            add_arg(r, dst, (size_t)n);
            break;
        }
        case 'v': {
            RedisModuleString **v = va_arg(ap, RedisModuleString **);
            size_t vlen = va_arg(ap, size_t);
            for (size_t i = 0; i < vlen; i++) add_arg(r, v[i]->ptr, v[i]->len);
            break;
        }
        case '!': r->flags |= MH_CALL_REPLICATE; break;
        case 'A': r->flags |= MH_CALL_NO_AOF; break;
        case 'R': r->flags |= MH_CALL_NO_REPLICAS; break;
        case '3': r->flags |= MH_CALL_RESP3; break;
        case '0': r->flags |= MH_CALL_RESP_AUTO; break;
        case 'C': r->flags |= MH_CALL_RUN_AS_USER; break;
        case 'S': r->flags |= MH_CALL_SCRIPT_MODE; break;
        case 'W': r->flags |= MH_CALL_NO_WRITES; break;
        case 'M': r->flags |= MH_CALL_DENY_OOM; break;
        case 'E': r->flags |= MH_CALL_ERRORS; break;
        case 'D': r->flags |= MH_CALL_DRY_RUN | MH_CALL_ERRORS; break;
        case 'K': r->flags |= MH_CALL_ALLOW_BLOCK; break;
        default:
            r->fmt_err = 1;
            return;
        }
    }
}

static void release(mh_call_req *r) {
    if (r->argv != r->small_argv) {
        free(r->argv);
        free(r->lens);
    }
    free(r->nums);
}

void mh_call_grow(mh_call_req *req, size_t n) {
    if (n <= req->out_cap) return;
    size_t ncap = req->out_cap ? req->out_cap : 256;
    while (ncap < n) ncap *= 2;
    char *b = realloc(req->out, ncap);
    if (b == NULL) abort();
    req->out = b;
    req->out_cap = ncap;
}

/* Runs a Redis command (or a module's) and returns its reply; see the
 * RedisModule_Call documentation for the format letters and modifiers.
 * The command runs nested in the caller's command, in the context's
 * selected database, as the context's user, on a client that cannot
 * block unless "K" is given: a command that then blocks returns a
 * REDISMODULE_REPLY_PROMISE reply (see CallReplyPromiseSetUnblockHandler).
 * Returns NULL with errno set: EBADF (bad format), ENOENT (unknown
 * command), EINVAL (arity), ENOTSUP ("C" without a user), ESPIPE ("S" and
 * a no-script command, or a command a script could not run now: a write
 * on a read-only replica, without enough good replicas or while AOF
 * writes fail, a non-stale
 * command on a stale replica), ENOSPC ("W" and a write command, "M" over
 * maxmemory), EACCES ("C" and a command the user may not run), in
 * cluster mode (unless the caller is the master's link) EPERM for keys
 * another node serves, ENETDOWN while the cluster is down, EROFS for a
 * write while it is down and read-only; with "E" those failures also
 * return an error reply. "D" checks and returns NULL without running. EVAL, EVALSHA and FCALL count as write / deny-oom
 * commands as their script's flags say; a script run with "C" checks its
 * own commands against the user, and without "M" ignores maxmemory.
 * The reply is parsed once into C memory: every CallReply accessor runs
 * without leaving C. */
RedisModuleCallReply *mh_Call(RedisModuleCtx *ctx, const char *cmdname, const char *fmt, ...) {
    MH_GIL_CHECK("Call");
    mh_call_req req;
    va_list ap;
    va_start(ap, fmt);
    build(&req, cmdname, fmt, ap);
    va_end(ap);
    int level = depth++;
    if (level < MH_CALL_LEVELS) {
        req.out = levels[level].buf;
        req.out_cap = levels[level].cap;
    }
    mhv_call(ctx, &req);
    mh_key_epoch++; /* the command may have written keys a handle caches */
    RedisModuleCallReply *reply = NULL;
    if (req.promise != 0)
        reply = mh_callreply_promise_new(ctx, req.promise);
    else if (req.has_reply)
        reply = mh_callreply_new(ctx, req.out, req.out_len);
    if (level < MH_CALL_LEVELS) {
        levels[level].buf = req.out;
        levels[level].cap = req.out_cap;
    } else {
        free(req.out);
    }
    depth--;
    release(&req);
    if (reply != NULL) mh_am_add(ctx, MH_AM_REPLY, reply);
    if (req.err != 0) errno = req.err;
    return reply;
}

/* Records a command for propagation to AOF and replicas, with the same
 * format as Call ("A" and "R" exclude one target). Returns
 * REDISMODULE_ERR for an unknown command or a bad format. The command
 * goes to the server's propagation feed when the running command ends
 * (DEBUG MODHOST-REPLICATED also lists it). */
int mh_Replicate(RedisModuleCtx *ctx, const char *cmdname, const char *fmt, ...) {
    MH_GIL_CHECK("Replicate");
    mh_call_req req;
    va_list ap;
    va_start(ap, fmt);
    build(&req, cmdname, fmt, ap);
    va_end(ap);
    int rc = req.fmt_err ? REDISMODULE_ERR : mhv_replicate(ctx, &req);
    release(&req);
    return rc;
}
