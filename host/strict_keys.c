/*
 * strict_keys.c - the open-key list behind the key diagnostics: a key a
 * command (or a context) opened without AutoMemory and never closed is
 * named and closed when its command returns or its context is freed, and
 * keys a module still holds are counted at MODULE UNLOAD and SHUTDOWN.
 *
 * The list has its own mutex: some modules open and close keys from
 * threads without holding the GIL (a misuse the thread checks report,
 * which must not corrupt the list).
 */
#include <pthread.h>

#include "ctx.h"
#include "api_gen.h"
#include "api_key.h"
#include "misuse.h"
#include "mh_string.h"

static RedisModuleKey *open_keys; /* newest first */
static size_t open_count;
static pthread_mutex_t open_mu = PTHREAD_MUTEX_INITIALIZER;

void mh_key_track(RedisModuleKey *key) {
    pthread_mutex_lock(&open_mu);
    key->open_prev = NULL;
    key->open_next = open_keys;
    if (open_keys != NULL) open_keys->open_prev = key;
    open_keys = key;
    open_count++;
    pthread_mutex_unlock(&open_mu);
}

/* Unlinks key; the caller holds open_mu. */
static void untrack_locked(RedisModuleKey *key) {
    if (key->open_prev != NULL) key->open_prev->open_next = key->open_next;
    else if (open_keys == key) open_keys = key->open_next;
    else return; /* not on the list */
    if (key->open_next != NULL) key->open_next->open_prev = key->open_prev;
    key->open_prev = key->open_next = NULL;
    open_count--;
}

void mh_key_untrack(RedisModuleKey *key) {
    pthread_mutex_lock(&open_mu);
    untrack_locked(key);
    pthread_mutex_unlock(&open_mu);
}

void mh_key_check_unclosed(RedisModuleCtx *ctx, const char *when) {
    for (;;) {
        pthread_mutex_lock(&open_mu);
        RedisModuleKey *k = open_count ? open_keys : NULL;
        while (k != NULL && k->ctx != ctx) k = k->open_next;
        if (k != NULL) untrack_locked(k); /* ours now: closed below */
        pthread_mutex_unlock(&open_mu);
        if (k == NULL) return;
        mh_misuse(ctx, MH_MISUSE_KEY, "OpenKey",
                  "key '%.*s' opened without AutoMemory was never closed; closed when %s",
                  (int)k->name->len, k->name->ptr, when);
        mh_CloseKey(k);
    }
}

size_t mh_key_count_module(const char *module) {
    size_t n = 0;
    pthread_mutex_lock(&open_mu);
    for (RedisModuleKey *k = open_keys; k != NULL; k = k->open_next)
        if (k->module == module) n++;
    pthread_mutex_unlock(&open_mu);
    return n;
}
