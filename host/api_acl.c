/*
 * api_acl.c - C helpers of the module users and authentication families:
 * the user struct and calls into module callbacks (Go cannot call C
 * function pointers directly).
 */
#include <stdlib.h>
#include "api_acl.h"
#include "gil.h"

RedisModuleUser *mh_user_new(uint64_t id) {
    RedisModuleUser *u = malloc(sizeof(*u));
    if (u == NULL) abort();
    u->id = id;
    return u;
}

void mh_user_changed_call(RedisModuleUserChangedFunc fn, uint64_t id, void *privdata) {
    MH_HOST_CALLV(fn(id, privdata));
}

int mh_auth_cb_call(RedisModuleAuthCallback fn, RedisModuleCtx *ctx, RedisModuleString *user,
                    RedisModuleString *pass, RedisModuleString **err) {
    *err = NULL;
    return MH_HOST_CALL(fn(ctx, user, pass, err));
}
