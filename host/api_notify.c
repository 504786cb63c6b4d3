/*
 * api_notify.c - the C side of "Module Keyspace Notifications API": calls
 * into module callbacks (see api_notify.h). The subscriptions themselves
 * live in Go (api_notify.go).
 */
#include <stdlib.h>
#include <string.h>

#include "ctx.h"
#include "api_notify.h"
#include "mh_string.h"
#include "gil.h"

/* Event names up to this length are copied on the stack. */
#define MH_EVENT_STACK 64

void mh_notify_call(RedisModuleCtx *ctx, RedisModuleNotificationFunc fn, int type,
                    const char *event, size_t elen, const char *key, size_t klen) {
    char small[MH_EVENT_STACK];
    char *ev = small;
    if (elen >= sizeof(small)) {
        ev = malloc(elen + 1);
        if (ev == NULL) abort();
    }
    memcpy(ev, event, elen);
    ev[elen] = '\0';
    RedisModuleString *k = mh_string_new(key, klen);
    MH_HOST_CALLV(fn(ctx, type, ev, k));
    mh_string_release(k);
    if (ev != small) free(ev);
}

void mh_postjob_call(RedisModuleCtx *ctx, RedisModulePostNotificationJobFunc fn, void *pd,
                     void (*free_pd)(void *)) {
    MH_HOST_CALLV(fn(ctx, pd));
    if (free_pd != NULL) MH_HOST_CALLV(free_pd(pd));
}
