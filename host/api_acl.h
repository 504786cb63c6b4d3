/*
 * api_acl.h - module users and authentication callbacks (api_acl.go,
 * api_auth.go).
 */
#ifndef MODHOST_API_ACL_H
#define MODHOST_API_ACL_H

#include "ctx.h"

/* A RedisModuleUser is C memory naming a Go-side user by a handle into the
 * users table of api_acl.go; the Go side forgets the handle when the module
 * frees the user, so a freed user is reported instead of reused. */
struct RedisModuleUser {
    uint64_t id; /* key in the Go users table, never 0 */
};

/* Allocates a user struct with the given id. */
RedisModuleUser *mh_user_new(uint64_t id);

/* Calls a RedisModuleUserChangedFunc. */
void mh_user_changed_call(RedisModuleUserChangedFunc fn, uint64_t id, void *privdata);

/* Calls a RedisModuleAuthCallback; *err receives the module's error string
 * (or NULL). */
int mh_auth_cb_call(RedisModuleAuthCallback fn, RedisModuleCtx *ctx, RedisModuleString *user,
                    RedisModuleString *pass, RedisModuleString **err);

#endif /* MODHOST_API_ACL_H */
