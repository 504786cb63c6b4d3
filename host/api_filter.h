/*
 * api_filter.h - the C side of "Module Command Filter API": the filter
 * context a filter callback edits (api_filter.c).
 */
#ifndef MODHOST_API_FILTER_H
#define MODHOST_API_FILTER_H

#include <stdint.h>

#include "ctx.h"

/* The arguments being filtered, as module strings the host owns. */
struct RedisModuleCommandFilterCtx {
    RedisModuleString **argv; /* malloc'd array */
    int argc;
    int argv_len;       /* slots allocated in argv */
    uint64_t client_id; /* the client that sent the command */
};

/* A registered filter; the Go side owns the registration. */
struct RedisModuleCommandFilter {
    void *cb;  /* RedisModuleCommandFilterFunc */
    int flags; /* REDISMODULE_CMDFILTER_* */
};

/* Runs the n callbacks cbs over fctx, in order. */
void mh_filter_run(RedisModuleCommandFilterCtx *fctx, void **cbs, int n);

#endif /* MODHOST_API_FILTER_H */
