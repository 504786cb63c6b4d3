/* testsupport_perf.h - C helpers (testsupport.c, tp_ prefix) for the tests
 * of the module command fast paths. */
#ifndef MODHOST_TESTSUPPORT_PERF_H
#define MODHOST_TESTSUPPORT_PERF_H

#include <stddef.h>

/* Builds an argv block, retains one string and appends to another; the
 * result has bit 1 (layout), 2 (append), 4 (retained survives) and 8 (all
 * memory returned) set when each holds. */
int tp_argv_retain(void);

/* Recycles a used context: bits 1 (identity kept), 2 (state cleared),
 * 4 (reply bytes kept), 8 (auto memory and pool released). */
int tp_ctx_recycle(void);

/* Writes ReplyWithLongLong(v) into out (at most cap bytes), returns the
 * length. */
int tp_reply_ll(long long v, char *out, size_t cap);

#endif /* MODHOST_TESTSUPPORT_PERF_H */
