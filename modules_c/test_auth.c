/*
 * test_auth.c - coverage module for module authentication callbacks
 * (Redis 7.2+; on older servers the callbacks are simply not registered).
 *
 * The callback registered first ("first") handles user "foo": password
 * "allow" authenticates as a module user with every permission except
 * SET, "deny" denies with a custom error, "plain" denies with the default
 * error. The callback registered second ("second") handles user "bar"
 * with password "ok" (authenticated as "default") and logs the attempt.
 * Everything else is NOT_HANDLED, so password auth follows.
 *
 * The callback registered last ("block") handles user "baz" by blocking
 * the client (BlockClientOnAuth) and deciding in a thread: password "ok"
 * authenticates as "default", "no" denies with "denied in background",
 * anything else is NOT_HANDLED from the reply callback (password auth).
 *
 *   TAUTH.ORDER         -> the callbacks that ran for the last AUTH, in order
 *   TAUTH.BLOCK         -> BlockClientOnAuth outside auth: null (and an error)
 */
#include <pthread.h>
#include <stdint.h>
#include <string.h>

#include "redismodule.h"

static RedisModuleUser *foo;
static char order[64];

static int is(RedisModuleString *s, const char *want) {
    size_t n;
    const char *p = RedisModule_StringPtrLen(s, &n);
    return n == strlen(want) && memcmp(p, want, n) == 0;
}

static void note(const char *who) {
    if (strlen(order) + strlen(who) + 2 < sizeof(order)) {
        if (order[0]) strcat(order, ",");
        strcat(order, who);
    }
}

static int first_cb(RedisModuleCtx *ctx, RedisModuleString *user, RedisModuleString *pass, RedisModuleString **err) {
    note("first");
    if (!is(user, "foo")) return REDISMODULE_AUTH_NOT_HANDLED;
    if (is(pass, "allow")) {
        RedisModule_AuthenticateClientWithUser(ctx, foo, NULL, NULL, NULL);
        return REDISMODULE_AUTH_HANDLED;
    }
    if (is(pass, "deny")) {
        *err = RedisModule_CreateString(ctx, "Auth denied by tauth.", 21);
        return REDISMODULE_AUTH_HANDLED;
    }
    if (is(pass, "plain")) return REDISMODULE_AUTH_HANDLED;
    return REDISMODULE_AUTH_NOT_HANDLED;
}

static int second_cb(RedisModuleCtx *ctx, RedisModuleString *user, RedisModuleString *pass, RedisModuleString **err) {
    REDISMODULE_NOT_USED(err);
    order[0] = '\0';
    note("second");
    if (!is(user, "bar") || !is(pass, "ok")) return REDISMODULE_AUTH_NOT_HANDLED;
    RedisModuleString *obj = RedisModule_CreateString(ctx, "tauth", 5);
    RedisModule_ACLAddLogEntryByUserName(ctx, user, obj, REDISMODULE_ACL_LOG_AUTH);
    RedisModule_FreeString(ctx, obj);
    RedisModule_AuthenticateClientWithACLUser(ctx, "default", 7, NULL, NULL, NULL);
    return REDISMODULE_AUTH_HANDLED;
}

/* The blocking callback: the thread passes its verdict as privdata. */
static int block_reply(RedisModuleCtx *ctx, RedisModuleString *user, RedisModuleString *pass, RedisModuleString **err) {
    REDISMODULE_NOT_USED(user);
    REDISMODULE_NOT_USED(pass);
    intptr_t *verdict = RedisModule_GetBlockedClientPrivateData(ctx);
    if (*verdict == 1) {
        RedisModule_AuthenticateClientWithACLUser(ctx, "default", 7, NULL, NULL, NULL);
        return REDISMODULE_AUTH_HANDLED;
    }
    if (*verdict == 0) {
        *err = RedisModule_CreateString(ctx, "denied in background", 20);
        return REDISMODULE_AUTH_HANDLED;
    }
    return REDISMODULE_AUTH_NOT_HANDLED;
}

static void block_free(RedisModuleCtx *ctx, void *privdata) {
    REDISMODULE_NOT_USED(ctx);
    RedisModule_Free(privdata);
}

struct block_job {
    RedisModuleBlockedClient *bc;
    intptr_t verdict;
};

static void *block_thread(void *arg) {
    struct block_job *job = arg;
    intptr_t *verdict = RedisModule_Alloc(sizeof(*verdict));
    *verdict = job->verdict;
    RedisModule_UnblockClient(job->bc, verdict);
    RedisModule_Free(job);
    return NULL;
}

static int block_cb(RedisModuleCtx *ctx, RedisModuleString *user, RedisModuleString *pass, RedisModuleString **err) {
    REDISMODULE_NOT_USED(err);
    if (!is(user, "baz")) return REDISMODULE_AUTH_NOT_HANDLED;
    RedisModuleBlockedClient *bc = RedisModule_BlockClientOnAuth(ctx, block_reply, block_free);
    if (bc == NULL) return REDISMODULE_AUTH_HANDLED;
    struct block_job *job = RedisModule_Alloc(sizeof(*job));
    job->bc = bc;
    job->verdict = is(pass, "ok") ? 1 : is(pass, "no") ? 0 : 2;
    pthread_t tid;
    if (pthread_create(&tid, NULL, block_thread, job) != 0) {
        RedisModule_Free(job);
        RedisModule_AbortBlock(bc);
    } else {
        pthread_detach(tid);
    }
    return REDISMODULE_AUTH_HANDLED;
}

static int t_order(RedisModuleCtx *ctx, RedisModuleString **argv, int argc) {
    REDISMODULE_NOT_USED(argv);
    REDISMODULE_NOT_USED(argc);
    return RedisModule_ReplyWithCString(ctx, order);
}

static int t_block(RedisModuleCtx *ctx, RedisModuleString **argv, int argc) {
    REDISMODULE_NOT_USED(argv);
    REDISMODULE_NOT_USED(argc);
    if (!RMAPI_FUNC_SUPPORTED(RedisModule_BlockClientOnAuth))
        return RedisModule_ReplyWithError(ctx, "ERR unsupported by this server");
    /* Redis replies the misuse error itself and returns NULL. */
    if (RedisModule_BlockClientOnAuth(ctx, first_cb, NULL) != NULL)
        return RedisModule_ReplyWithError(ctx, "ERR blocked outside auth");
    return REDISMODULE_OK;
}

int RedisModule_OnLoad(RedisModuleCtx *ctx, RedisModuleString **argv, int argc) {
    REDISMODULE_NOT_USED(argv);
    REDISMODULE_NOT_USED(argc);
    if (RedisModule_Init(ctx, "tauth", 1, REDISMODULE_APIVER_1) == REDISMODULE_ERR) return REDISMODULE_ERR;
    foo = RedisModule_CreateModuleUser("foo");
    RedisModule_SetModuleUserACL(foo, "on");
    RedisModule_SetModuleUserACL(foo, "allkeys");
    RedisModule_SetModuleUserACL(foo, "allchannels");
    RedisModule_SetModuleUserACL(foo, "+@all");
    RedisModule_SetModuleUserACL(foo, "-set");
    if (RMAPI_FUNC_SUPPORTED(RedisModule_RegisterAuthCallback)) {
        RedisModule_RegisterAuthCallback(ctx, first_cb);
        RedisModule_RegisterAuthCallback(ctx, second_cb);
        if (RMAPI_FUNC_SUPPORTED(RedisModule_BlockClientOnAuth))
            RedisModule_RegisterAuthCallback(ctx, block_cb);
    }
    if (RedisModule_CreateCommand(ctx, "tauth.order", t_order, "no-auth", 0, 0, 0) == REDISMODULE_ERR ||
        RedisModule_CreateCommand(ctx, "tauth.block", t_block, "", 0, 0, 0) == REDISMODULE_ERR)
        return REDISMODULE_ERR;
    return REDISMODULE_OK;
}
