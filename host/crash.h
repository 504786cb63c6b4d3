/*
 * crash.h - the crash report for faults in module code (crash.c).
 *
 * A SIGSEGV, SIGBUS, SIGILL, SIGFPE or SIGABRT whose stack holds a frame of
 * a loaded module library is reported Redis-style in the log (module,
 * command and arguments, last API call, C backtrace with symbol names,
 * INFO and the client list when the crashing thread runs a command under
 * the server lock) and the process then dies of the signal. Any other
 * such signal goes to the handler that was installed before ours (the Go
 * runtime's), so Go's nil-pointer panics keep working.
 */
#ifndef MODHOST_CRASH_H
#define MODHOST_CRASH_H

#include "ctx.h"

/* The module command running on this thread (a stack: a module command
 * may Call another). Pushed and popped by mh_cmd_run. */
typedef struct mh_cmd_frame {
    RedisModuleCtx *ctx;
    RedisModuleString **argv;
    int argc;
    struct mh_cmd_frame *prev;
} mh_cmd_frame;

extern __thread mh_cmd_frame *mh_cur_cmd;

/* The RedisModule_* function this thread called last (its name without
 * the prefix), set on entry by the generated GetApi entry points. */
extern __thread const char *mh_last_api;

/* Installs the handler for the five fatal signals, remembering the
 * previous handlers. logpath NULL or "" writes the report to standard
 * output, else appends to that file; tz_offset is the local time's offset
 * from UTC in seconds (for the log lines' date). Idempotent. */
void mh_crash_install(const char *logpath, long tz_offset);

/* Connects the Go reporter of INFO and CLIENT LIST (crash.go): the
 * handler writes a byte on req_fd and waits for one on done_fd. */
void mh_crash_set_reporter(int req_fd, int done_fd);

/* Records the library handle's address range as module code (called
 * right after dlopen), with its file path; mh_crash_forget_lib removes it
 * (before dlclose). At most MH_CRASH_LIBS libraries are tracked. */
#define MH_CRASH_LIBS 128
void mh_crash_track_lib(void *lib);
void mh_crash_forget_lib(void *lib);
/* Reports whether addr lies in a tracked module library. */
int mh_crash_in_module(void *addr);

#endif /* MODHOST_CRASH_H */
