/*
 * loader.c - dlopen/dlsym/dlclose and calls into module entry points.
 *
 * dlopen of a path that is already loaded returns the same library (the
 * dynamic linker counts references), so a second load of a loaded module
 * shares its globals; RedisModule_Init then fails on the busy name.
 */
#define _GNU_SOURCE /* dladdr */
#include <dlfcn.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "ctx.h"
#include "loader.h"
#include "gil.h"

static char *dup_dlerror(void) {
    const char *e = dlerror();
    return strdup(e ? e : "Unknown error");
}

void *mh_dl_open(const char *path, char **err) {
    void *lib = dlopen(path, RTLD_NOW | RTLD_LOCAL);
    if (lib == NULL) *err = dup_dlerror();
    return lib;
}

void *mh_dl_sym(void *lib, const char *name) {
    return dlsym(lib, name);
}

int mh_dl_close(void *lib, char **err) {
    if (dlclose(lib) != 0) {
        *err = dup_dlerror();
        return -1;
    }
    return 0;
}

void *mh_dl_base(const void *addr) {
    Dl_info info;
    if (addr == NULL || dladdr(addr, &info) == 0) return NULL;
    return info.dli_fbase;
}

RedisModuleString **mh_argv_new(const char *buf, const size_t *lens, int argc) {
    if (argc <= 0) return NULL;
    RedisModuleString **argv = malloc(sizeof(*argv) * ((size_t)argc + 1));
    if (argv == NULL) abort();
    argv[argc] = NULL; /* as in C's main (and mh_cmd_run) */
    size_t off = 0;
    for (int i = 0; i < argc; i++) {
        argv[i] = mh_string_new(buf ? buf + off : "", lens[i]);
        off += lens[i];
    }
    return argv;
}

void mh_argv_free(RedisModuleString **argv, int argc) {
    if (argv == NULL) return;
    for (int i = 0; i < argc; i++) mh_string_release(argv[i]);
    free(argv);
}

int mh_call_onload(void *fn, RedisModuleCtx *ctx, RedisModuleString **argv, int argc) {
    return MH_HOST_CALL(((mh_onload_fn)fn)(ctx, argv, argc));
}

int mh_call_onunload(void *fn, RedisModuleCtx *ctx) {
    return MH_HOST_CALL(((mh_onunload_fn)fn)(ctx));
}

void mh_seed_libc_rand(void) {
    unsigned seed = (unsigned)time(NULL) ^ (unsigned)getpid();
    srand(seed);
    srandom(seed);
}
