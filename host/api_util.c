/*
 * api_util.c - logging, assertions and the small context/server queries
 * that only read C state ("Logging", parts of "DB and Key APIs -- Generic
 * API", "Modules utility APIs", "Miscellaneous APIs"). The queries that
 * need the server are in api_util.go.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <strings.h>

#include "ctx.h"
#include "api_gen.h"
#include "api_util.h"

/* Redis's LOG_MAX_LEN: longer messages are truncated. */
#define MH_LOG_MAX 1024

/* Maps a RedisModule_Log level name (any case) to a level; unknown names
 * mean verbose, as in Redis. */
static int log_level(const char *s) {
    if (s == NULL) return MH_LL_VERBOSE;
    if (!strcasecmp(s, "debug")) return MH_LL_DEBUG;
    if (!strcasecmp(s, "verbose")) return MH_LL_VERBOSE;
    if (!strcasecmp(s, "notice")) return MH_LL_NOTICE;
    if (!strcasecmp(s, "warning")) return MH_LL_WARNING;
    return MH_LL_VERBOSE;
}

/* Writes "<module> message" to the server log at the level named by
 * levelstr ("debug", "verbose", "notice", "warning"; anything else is
 * verbose). With a NULL ctx the name is "module". Lines longer than 1023
 * bytes are truncated, as in Redis. */
void mh_Log(RedisModuleCtx *ctx, const char *levelstr, const char *fmt, ...) {
    char msg[MH_LOG_MAX];
    const char *name = ctx && ctx->module_name ? ctx->module_name : "module";
    int n = snprintf(msg, sizeof(msg), "<%s> ", name);
    if (n < 0 || n >= (int)sizeof(msg)) n = 0;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg + n, sizeof(msg) - (size_t)n, fmt, ap);
    va_end(ap);
    mhv_log(ctx, log_level(levelstr), msg);
}

/* Logs Redis's assertion banner ("=== ASSERTION FAILED ===" and
 * "==> file:line 'estr' is not true") as warnings and aborts the process.
 * Redis also prints a crash report; modhost leaves that to the Go runtime's
 * signal handling. */
void mh__Assert(const char *estr, const char *file, int line) {
    char msg[MH_LOG_MAX];
    mhv_log(NULL, MH_LL_WARNING, "=== ASSERTION FAILED ===");
    snprintf(msg, sizeof(msg), "==> %s:%d '%s' is not true", file, line, estr);
    mhv_log(NULL, MH_LL_WARNING, msg);
    fprintf(stderr, "modhost: module assertion failed: %s:%d '%s'\n", file, line, estr);
    abort();
}

/* Adds latency (milliseconds) to the latency monitor's series of event
 * when it reaches latency-monitor-threshold (even when that is 0, the
 * monitor off), as Redis does: LATENCY LATEST, HISTORY, GRAPH and DOCTOR
 * show it. Call with the GIL held. */
void mh_LatencyAddSample(const char *event, mstime_t latency) {
    if (event == NULL) return;
    mhv_latency_add_sample((char *)event, (long long)latency);
}

/* Returns the ID of the client the context serves, 0 when there is none
 * (OnLoad, timers). */
unsigned long long mh_GetClientId(RedisModuleCtx *ctx) {
    return ctx->client_id;
}

/* Returns the database the context's client has selected. */
int mh_GetSelectedDb(RedisModuleCtx *ctx) {
    return ctx->dbid;
}

/* Whether modules should hold back writes that feed replicas (true in
 * Redis while replica-bound traffic is paused). modhost has no
 * replication: always 0. */
int mh_AvoidReplicaTraffic(void) {
    return 0;
}

extern const char *mhv_cluster_myid(void);
extern size_t mhv_cluster_size(void);

/* The node's cluster ID (REDISMODULE_NODE_ID_LEN characters); NULL outside
 * cluster mode. */
const char *mh_GetMyClusterID(void) {
    return mhv_cluster_myid();
}

/* The number of known cluster nodes, whatever their state; 0 outside
 * cluster mode. */
size_t mh_GetClusterSize(void) {
    return mhv_cluster_size();
}

/* Returns REDISMODULE_TYPE_METHOD_VERSION, the newest RedisModuleTypeMethods
 * layout the host reads. */
int mh_GetTypeMethodVersion(void) {
    return REDISMODULE_TYPE_METHOD_VERSION;
}

/* Every REDISMODULE_CTX_FLAGS_* bit this header knows, as Redis returns;
 * GetContextFlags says which are set. */
int mh_GetContextFlagsAll(void) {
    return _REDISMODULE_CTX_FLAGS_NEXT - 1;
}
