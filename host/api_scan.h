/*
 * api_scan.h - RedisModuleScanCursor as modhost lays it out (api_scan.c).
 *
 * The cursor is plain C memory: Scan and ScanKey (api_scan.go) read and
 * advance it; the module owns it between calls.
 */
#ifndef MODHOST_API_SCAN_H
#define MODHOST_API_SCAN_H

#include <stdint.h>

#include "ctx.h"

struct RedisModuleScanCursor {
    uint64_t cursor; /* next SCAN cursor (keyspace, or a hash/set/zset) */
    int done;        /* the last step returned cursor 0 */
};

/* Calls a RedisModuleScanCB (Go cannot call C function pointers). */
void mh_scan_call(RedisModuleScanCB fn, RedisModuleCtx *ctx, RedisModuleString *keyname,
                  RedisModuleKey *key, void *privdata);

/* Calls a RedisModuleScanKeyCB. */
void mh_scankey_call(RedisModuleScanKeyCB fn, RedisModuleKey *key, RedisModuleString *field,
                     RedisModuleString *value, void *privdata);

#endif /* MODHOST_API_SCAN_H */
