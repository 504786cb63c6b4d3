/*
 * test_keyevent.c - coverage module for the Key server event (Redis 7.2,
 * RedisModuleEvent_Key).
 *
 * On load it subscribes to the Key event when the server knows it; a
 * server without it (Redis 7.0) refuses the subscription and the module
 * still loads, answering 0 to TKEYEV.AVAILABLE. Each event is recorded as
 * a line
 *
 *   <subevent>:db=<selected db>:<key>:<value>:ttl=<has TTL>:open=<o>:call=<c>
 *
 * subevent being deleted, expired, evicted or overwritten; value the
 * string value read through the event's key handle (StringDMA, read-only)
 * or <type>/<ValueLength> for other types; o is 1 when OpenKey(READ) in
 * the callback finds the key with the same length, c the reply of
 * RM_Call("EXISTS", key) from the callback (the key is still there, even
 * an expired one: lazy expiry is off during the callback).
 *
 *   TKEYEV.AVAILABLE   -> 1 if the Key event subscription succeeded
 *   TKEYEV.LIST        -> the recorded lines, oldest first; clears
 *   TKEYEV.SUPPORTED   -> IsSubEventSupported(Key, 0..4) as 5 integers
 */
#include <stdio.h>
#include <string.h>

#include "redismodule.h"

#define MAX_LINES 256

static char *lines[MAX_LINES];
static int nlines;
static int available;

static const char *subname(uint64_t sub) {
    switch (sub) {
    case REDISMODULE_SUBEVENT_KEY_DELETED: return "deleted";
    case REDISMODULE_SUBEVENT_KEY_EXPIRED: return "expired";
    case REDISMODULE_SUBEVENT_KEY_EVICTED: return "evicted";
    case REDISMODULE_SUBEVENT_KEY_OVERWRITTEN: return "overwritten";
    }
    return "unknown";
}

static void on_key(RedisModuleCtx *ctx, RedisModuleEvent e, uint64_t sub, void *data) {
    REDISMODULE_NOT_USED(e);
    RedisModuleKeyInfoV1 *ki = data;
    RedisModuleKey *k = ki->key;
    const RedisModuleString *name = RedisModule_GetKeyNameFromModuleKey(k);
    size_t namelen;
    const char *kname = RedisModule_StringPtrLen(name, &namelen);

    char value[96];
    int type = RedisModule_KeyType(k);
    size_t len = RedisModule_ValueLength(k);
    if (type == REDISMODULE_KEYTYPE_STRING) {
        size_t n;
        char *p = RedisModule_StringDMA(k, &n, REDISMODULE_READ);
        snprintf(value, sizeof(value), "%.*s", (int)(n < 64 ? n : 64), p ? p : "");
    } else {
        snprintf(value, sizeof(value), "type%d/%zu", type, len);
    }

    int open = 0;
    RedisModuleKey *again = RedisModule_OpenKey(ctx, (RedisModuleString *)name, REDISMODULE_READ);
    if (again != NULL) {
        open = RedisModule_ValueLength(again) == len;
        RedisModule_CloseKey(again);
    }
    long long exists = -1;
    RedisModuleCallReply *r = RedisModule_Call(ctx, "EXISTS", "s", name);
    if (r != NULL) {
        exists = RedisModule_CallReplyInteger(r);
        RedisModule_FreeCallReply(r);
    }

    char line[256];
    snprintf(line, sizeof(line), "%s:db=%d:%.*s:%s:ttl=%d:open=%d:call=%lld", subname(sub),
             RedisModule_GetSelectedDb(ctx), (int)namelen, kname, value,
             RedisModule_GetExpire(k) != REDISMODULE_NO_EXPIRE, open, exists);
    if (nlines < MAX_LINES) lines[nlines++] = RedisModule_Strdup(line);
}

static int t_available(RedisModuleCtx *ctx, RedisModuleString **argv, int argc) {
    REDISMODULE_NOT_USED(argv);
    REDISMODULE_NOT_USED(argc);
    return RedisModule_ReplyWithLongLong(ctx, available);
}

static int t_list(RedisModuleCtx *ctx, RedisModuleString **argv, int argc) {
    REDISMODULE_NOT_USED(argv);
    REDISMODULE_NOT_USED(argc);
    int n = nlines;
    nlines = 0;
    RedisModule_ReplyWithArray(ctx, n);
    for (int i = 0; i < n; i++) {
        RedisModule_ReplyWithSimpleString(ctx, lines[i]);
        RedisModule_Free(lines[i]);
    }
    return REDISMODULE_OK;
}

static int t_supported(RedisModuleCtx *ctx, RedisModuleString **argv, int argc) {
    REDISMODULE_NOT_USED(argv);
    REDISMODULE_NOT_USED(argc);
    RedisModuleEvent e = {.id = REDISMODULE_EVENT_KEY, .dataver = 1};
    RedisModule_ReplyWithArray(ctx, 5);
    for (uint64_t sub = 0; sub < 5; sub++) RedisModule_ReplyWithLongLong(ctx, RedisModule_IsSubEventSupported(e, sub) != 0);
    return REDISMODULE_OK;
}

int RedisModule_OnLoad(RedisModuleCtx *ctx, RedisModuleString **argv, int argc) {
    REDISMODULE_NOT_USED(argv);
    REDISMODULE_NOT_USED(argc);
    if (RedisModule_Init(ctx, "testkeyevent", 1, REDISMODULE_APIVER_1) == REDISMODULE_ERR) return REDISMODULE_ERR;
    RedisModuleEvent e = {.id = REDISMODULE_EVENT_KEY, .dataver = 1};
    /* Redis 7.0 does not know the event: the module loads without it. */
    available = RedisModule_SubscribeToServerEvent(ctx, e, on_key) == REDISMODULE_OK;
    struct {
        const char *name;
        RedisModuleCmdFunc fn;
    } cmds[] = {
        {"tkeyev.available", t_available},
        {"tkeyev.list", t_list},
        {"tkeyev.supported", t_supported},
    };
    for (size_t i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++)
        if (RedisModule_CreateCommand(ctx, cmds[i].name, cmds[i].fn, "", 0, 0, 0) == REDISMODULE_ERR)
            return REDISMODULE_ERR;
    return REDISMODULE_OK;
}
