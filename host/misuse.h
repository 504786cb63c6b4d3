/*
 * misuse.h - API misuse diagnostics (misuse.c, misuse.go).
 *
 * Every misuse a check can see is reported through mh_misuse as one log
 * line "module <name>: <command>: RedisModule_<Function>: <what>", counted
 * per module by kind and kept in a bounded log (MODULE STRICT-REPORT).
 * Cheap checks run always; costlier ones only while mh_strict is set
 * (module-strict yes).
 */
#ifndef MODHOST_MISUSE_H
#define MODHOST_MISUSE_H

#include <stdint.h>

#include "ctx.h"

/* Kinds of misuse, counted separately (names in misuse.go). */
enum mh_misuse_kind {
    MH_MISUSE_REPLY = 0,      /* malformed reply: lengths, count, late reply */
    MH_MISUSE_DOUBLE_FREE,    /* an object freed twice */
    MH_MISUSE_USE_AFTER_FREE, /* an object used after it was freed */
    MH_MISUSE_KEY,            /* key misuse: never closed, write on READ */
    MH_MISUSE_FLAGS,          /* command flags that do not match behaviour */
    MH_MISUSE_LEAK,           /* resources held at unload or shutdown */
    MH_MISUSE_THREAD,         /* GIL not held, lock taken twice, TS context reuse */
    MH_MISUSE_KINDS
};

/* Non-zero while module-strict is yes (set by misuse.go). */
extern int mh_strict;

/* Full name of the module command being run and its module ("" none);
 * the dispatcher sets them around each call (command names are interned:
 * the pointers stay valid for the life of the process). */
extern const char *mh_cur_cmd_name;
extern const char *mh_cur_module_name;

/* Reports one misuse of RedisModule_<func> (func without the prefix) in
 * ctx's module and command (ctx may be NULL: the running command is
 * named). fmt describes what was wrong. */
void mh_misuse(RedisModuleCtx *ctx, int kind, const char *func, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* Keeps freed memory p (allocated with malloc) out of malloc's hands for a
 * while so that a poisoned header in it can still be recognised; the
 * oldest quarantined block is freed when the quarantine is full. */
void mh_quarantine(void *p);

/* Magic words in object headers: live, freed, released by auto memory. */
#define MH_MAGIC_LIVE 0x4d484c56u    /* "MHLV" */
#define MH_MAGIC_FREED 0x4d484644u   /* "MHFD" */
#define MH_MAGIC_AMFREED 0x4d48414du /* "MHAM" */

/* Describes a dead magic for a message ("freed", "released by auto
 * memory") or "corrupt" for anything else. */
const char *mh_magic_state(uint32_t magic);

#endif /* MODHOST_MISUSE_H */
