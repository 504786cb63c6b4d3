/*
 * misuse.c - the C half of API misuse diagnostics: formatting a report and
 * handing it to the Go log (misuse.go), and the quarantine that keeps
 * freed object headers recognisable.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include "misuse.h"

int mh_strict;
const char *mh_cur_cmd_name = "";
const char *mh_cur_module_name = "";

/* Implemented in Go (misuse.go). */
extern void mhv_misuse(char *module, char *command, int kind, char *what);

void mh_misuse(RedisModuleCtx *ctx, int kind, const char *func, const char *fmt, ...) {
    char what[900];
    int n = snprintf(what, sizeof(what), "RedisModule_%s: ", func);
    if (n < 0 || (size_t)n >= sizeof(what)) n = 0;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(what + n, sizeof(what) - (size_t)n, fmt, ap);
    va_end(ap);
    const char *module = mh_cur_module_name;
    if (ctx != NULL && ctx->module_name != NULL) module = ctx->module_name;
    const char *cmd = mh_cur_cmd_name;
    if (ctx != NULL && (ctx->flags & MH_CTX_THREAD_SAFE)) cmd = "(thread-safe context)";
    else if (cmd == NULL || cmd[0] == '\0') cmd = "(no command)";
    if (module == NULL || module[0] == '\0') module = "?";
    mhv_misuse((char *)module, (char *)cmd, kind, what);
}

const char *mh_magic_state(uint32_t magic) {
    switch (magic) {
    case MH_MAGIC_FREED: return "freed";
    case MH_MAGIC_AMFREED: return "released by AutoMemory when its command returned";
    case MH_MAGIC_LIVE: return "live";
    default: return "not a valid object (corrupt or never created by the API)";
    }
}

/* Quarantine sizes: blocks held per OS thread (no lock: every thread has
 * its own ring, so module threads freeing their own objects never
 * contend). Strict mode holds more, catching uses further after the free. */
#define MH_QUARANTINE_CHEAP 256
#define MH_QUARANTINE_STRICT 4096

static __thread void **q_ring;
static __thread size_t q_next, q_cap;

void mh_quarantine(void *p) {
    if (p == NULL) return;
    size_t want = mh_strict ? MH_QUARANTINE_STRICT : MH_QUARANTINE_CHEAP;
    if (q_ring == NULL || q_cap < want) {
        void **n = calloc(want, sizeof(*n));
        if (n == NULL) { free(p); return; }
        if (q_ring != NULL) {
            for (size_t i = 0; i < q_cap; i++) n[i] = q_ring[i];
            free(q_ring);
        }
        q_ring = n;
        q_cap = want;
    }
    size_t i = q_next++ % q_cap;
    free(q_ring[i]); /* the oldest block leaves quarantine */
    q_ring[i] = p;
}
