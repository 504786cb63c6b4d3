/*
 * api_scan.c - the scan cursor of RedisModule_Scan and RedisModule_ScanKey
 * (the scans themselves are in api_scan.go).
 */
#include <stdlib.h>

#include "api_scan.h"

/* Returns a new cursor at the start of a scan; ScanCursorDestroy frees
 * it. */
RedisModuleScanCursor *mh_ScanCursorCreate(void) {
    RedisModuleScanCursor *c = calloc(1, sizeof(*c));
    if (c == NULL) abort();
    return c;
}

/* Puts the cursor back at the start: the next Scan or ScanKey starts a
 * new scan. */
void mh_ScanCursorRestart(RedisModuleScanCursor *cursor) {
    if (cursor == NULL) return;
    cursor->cursor = 0;
    cursor->done = 0;
}

/* Frees a cursor from ScanCursorCreate (NULL is ignored). */
void mh_ScanCursorDestroy(RedisModuleScanCursor *cursor) {
    free(cursor);
}

void mh_scan_call(RedisModuleScanCB fn, RedisModuleCtx *ctx, RedisModuleString *keyname,
                  RedisModuleKey *key, void *privdata) {
    fn(ctx, keyname, key, privdata);
}

void mh_scankey_call(RedisModuleScanKeyCB fn, RedisModuleKey *key, RedisModuleString *field,
                     RedisModuleString *value, void *privdata) {
    fn(key, field, value, privdata);
}
