/*
 * strict_keys.c - the open-key list behind the key diagnostics: a key a
 * command (or a context) opened without AutoMemory and never closed is
 * named and closed when its command returns or its context is freed, and
 * keys a module still holds are counted at MODULE UNLOAD and SHUTDOWN.
 *
 * Keys are opened and closed under the server lock (the GIL for module
 * threads), so the list needs no lock of its own.
 */
#include "ctx.h"
#include "api_gen.h"
#include "api_key.h"
#include "misuse.h"
#include "mh_string.h"

static RedisModuleKey *open_keys; /* newest first */
static size_t open_count;

void mh_key_track(RedisModuleKey *key) {
    key->open_prev = NULL;
    key->open_next = open_keys;
    if (open_keys != NULL) open_keys->open_prev = key;
    open_keys = key;
    open_count++;
}

void mh_key_untrack(RedisModuleKey *key) {
    if (key->open_prev != NULL) key->open_prev->open_next = key->open_next;
    else if (open_keys == key) open_keys = key->open_next;
    else return; /* not on the list */
    if (key->open_next != NULL) key->open_next->open_prev = key->open_prev;
    key->open_prev = key->open_next = NULL;
    open_count--;
}

void mh_key_check_unclosed(RedisModuleCtx *ctx, const char *when) {
    if (open_count == 0) return;
    RedisModuleKey *k = open_keys;
    while (k != NULL) {
        RedisModuleKey *next = k->open_next;
        if (k->ctx == ctx) {
            mh_misuse(ctx, MH_MISUSE_KEY, "OpenKey",
                      "key '%.*s' opened without AutoMemory was never closed; closed when %s",
                      (int)k->name->len, k->name->ptr, when);
            mh_CloseKey(k);
            next = open_keys; /* closing may have closed others: rescan */
        }
        k = next;
    }
}

size_t mh_key_count_module(const char *module) {
    size_t n = 0;
    for (RedisModuleKey *k = open_keys; k != NULL; k = k->open_next)
        if (k->module == module) n++;
    return n;
}
