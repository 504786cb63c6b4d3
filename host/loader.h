/*
 * loader.h - dynamic loading of module libraries and the C side of calls
 * into module code (loader.c, api_command.c).
 */
#ifndef MODHOST_LOADER_H
#define MODHOST_LOADER_H

#include <stddef.h>
#include <stdint.h>

#include "ctx.h"
#include "mh_string.h"
#include "api_reply.h"

/* Signatures of the entry points a module library exports. */
typedef int (*mh_onload_fn)(RedisModuleCtx *ctx, RedisModuleString **argv, int argc);
typedef int (*mh_onunload_fn)(RedisModuleCtx *ctx);

/* dlopen(path, RTLD_NOW|RTLD_LOCAL). On failure returns NULL and stores a
 * malloc'd copy of dlerror()'s text in *err (the caller frees it). */
void *mh_dl_open(const char *path, char **err);
/* dlsym; NULL when absent. */
void *mh_dl_sym(void *lib, const char *name);
/* dlclose; returns 0, or -1 with a malloc'd error text in *err. */
int mh_dl_close(void *lib, char **err);
/* The load address of the shared object that holds addr (dladdr's
 * dli_fbase), NULL when none does. */
void *mh_dl_base(const void *addr);

/* Builds an argv of argc strings from one buffer holding the arguments
 * back to back, lens[i] bytes each. Returns NULL for argc 0. */
RedisModuleString **mh_argv_new(const char *buf, const size_t *lens, int argc);
/* Releases every string of argv and the array. */
void mh_argv_free(RedisModuleString **argv, int argc);

/* Seeds libc's rand()/random() from the time and pid, as redis-server does
 * at start-up: modules that use rand() must not all see the same sequence. */
void mh_seed_libc_rand(void);

/* Calls a module's OnLoad / OnUnload. */
int mh_call_onload(void *fn, RedisModuleCtx *ctx, RedisModuleString **argv, int argc);
int mh_call_onunload(void *fn, RedisModuleCtx *ctx);

/* Runs a module command: builds argv from buf/lens, calls fn, releases
 * argv and returns fn's result. *pending receives mh_reply_pending. */
int mh_cmd_run(RedisModuleCtx *ctx, void *fn, const char *buf, const size_t *lens, int argc, int *pending);

/* mh_cmd_run on a pooled context: drops an oversized reply buffer first,
 * and afterwards recycles the context (mh_ctx_recycle), keeping the reply
 * bytes for the caller. Returns the count of unset postponed lengths. */
int mh_cmd_run_pooled(RedisModuleCtx *ctx, void *fn, const char *buf, const size_t *lens, int argc);

/* The C object a module holds for one of its commands (GetCommand). */
struct RedisModuleCommand {
    uintptr_t handle; /* cgo.Handle of the Go *command */
};

/* Allocates a RedisModuleCommand bound to handle; freed with free(). */
RedisModuleCommand *mh_command_new(uintptr_t handle);

#endif /* MODHOST_LOADER_H */
