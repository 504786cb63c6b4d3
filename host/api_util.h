/* api_util.h - logging from C through the Go server log (api_util.go). */
#ifndef MODHOST_API_UTIL_H
#define MODHOST_API_UTIL_H

#include "ctx.h"

/* Log levels, as logging.Level in Go. */
#define MH_LL_DEBUG 0
#define MH_LL_VERBOSE 1
#define MH_LL_NOTICE 2
#define MH_LL_WARNING 3

/* Writes one line at level to the log of ctx's server (ctx may be NULL:
 * the default server's log). Implemented in Go (api_util.go). */
extern void mhv_log(RedisModuleCtx *ctx, int level, char *msg);
extern void mhv_latency_add_sample(char *event, long long ms);

#endif /* MODHOST_API_UTIL_H */
