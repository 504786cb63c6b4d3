/*
 * gil.c - the per-thread GIL state (gil.h) and its slow paths.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <execinfo.h>
#include <stddef.h>

#include "crash.h"
#include "mh_string.h"
#include "gil.h"

__thread int mh_gil;

int mh_gil_held(void) {
    return mh_gil != MH_GIL_NONE;
}

/* Go side (diag_thread.go). */
extern void mhdiag_thread_misuse(char *lib, char *command, int command_len, char *fn, char *what);

char *mh_gil_current_command(size_t *len) {
    *len = 0;
    if (mh_cur_cmd == NULL || mh_cur_cmd->argc == 0) return NULL;
    return (char *)mh_string_ptr(mh_cur_cmd->argv[0], len);
}

/* The path (as dlopen got it) of the module library nearest on this
 * thread's stack, or NULL. */
static char *calling_module(void) {
    void *frames[32];
    int n = backtrace(frames, 32);
    for (int i = 0; i < n; i++) {
        Dl_info info;
        if (mh_crash_in_module(frames[i]) && dladdr(frames[i], &info) != 0) return (char *)info.dli_fname;
    }
    return NULL;
}

void mh_thread_misuse(const char *fn, const char *what) {
    char *lib = calling_module();
    size_t len;
    char *cmd = mh_gil_current_command(&len);
    mhdiag_thread_misuse(lib, cmd, (int)len, (char *)fn, (char *)what);
}

void mh_gil_violation(const char *fn) {
    mh_thread_misuse(fn, "called from a thread that does not hold the module GIL");
}
