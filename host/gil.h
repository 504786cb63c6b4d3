/*
 * gil.h - which thread holds the module GIL (the server lock), tracked
 * per thread in C so that a check costs one thread-local load.
 *
 * mh_gil says what this thread holds: MH_GIL_HOST while it runs module
 * code the host called under the server lock (a command, a callback,
 * OnLoad: every host->module trampoline makes its call through
 * MH_HOST_CALL), MH_GIL_THREAD between a module thread's
 * ThreadSafeContextLock and Unlock, MH_GIL_NONE otherwise. API functions
 * that touch server state start with MH_GIL_CHECK: a call from a thread
 * holding nothing is reported (gil.c -> diag.go) and then proceeds, as it
 * would in Redis.
 */
#ifndef MODHOST_GIL_H
#define MODHOST_GIL_H

#include <stddef.h>

#define MH_GIL_NONE 0
#define MH_GIL_HOST 1
#define MH_GIL_THREAD 2

extern __thread int mh_gil;


/* MH_HOST_CALL(expr) evaluates a call into module code as the host
 * (MH_GIL_HOST) and yields its value; MH_HOST_CALLV for void calls. */
#define MH_HOST_CALL(expr)                                                  \
    ({                                                                      \
        int mh_gil_prev = mh_gil;                                           \
        mh_gil = MH_GIL_HOST;                                               \
        __typeof__(expr) mh_host_r = (expr);                                \
        mh_gil = mh_gil_prev;                                               \
        mh_host_r;                                                          \
    })
#define MH_HOST_CALLV(expr)                                                 \
    do {                                                                    \
        int mh_gil_prev = mh_gil;                                           \
        mh_gil = MH_GIL_HOST;                                               \
        expr;                                                               \
        mh_gil = mh_gil_prev;                                               \
    } while (0)

/* Non-zero when this thread holds the GIL (runs module code for the host,
 * or is inside ThreadSafeContextLock). */
int mh_gil_held(void);

/* Reports that fn (an API name without prefix) was called from a thread
 * that does not hold the GIL. */
void mh_gil_violation(const char *fn);

#define MH_GIL_CHECK(fn)                                                    \
    do {                                                                    \
        if (__builtin_expect(mh_gil == MH_GIL_NONE, 0)) mh_gil_violation(fn); \
    } while (0)

/* Reports a misuse of the thread API, "RedisModule_<fn>: <what>", naming
 * the module whose code is the nearest module frame on this stack. */
void mh_thread_misuse(const char *fn, const char *what);

/* The name of the module command running on this thread (*len bytes), or
 * NULL on a module thread. */
char *mh_gil_current_command(size_t *len);

#endif /* MODHOST_GIL_H */
