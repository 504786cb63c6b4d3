/*
 * api_fork.c - "Module fork API". The fork happens here, in C, so the
 * child returns straight into the module's C code and never runs Go: the
 * Go runtime does not survive fork(2) (only the calling thread exists in
 * the child). A child must therefore do C work only and end with
 * RedisModule_ExitFromChild; any API call that enters Go would hang or
 * crash it. The parent's bookkeeping (one child at a time, reaping, the
 * done handler under the server lock) is in api_fork.go.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/types.h>
#include <time.h>
#include <unistd.h>

#include "ctx.h"
#include "api_gen.h"
#include "api_util.h"
#include "gil.h"

/* The running module child, 0 when none. */
static volatile pid_t fork_child;

/* Implemented in Go (api_fork.go): starts reaping pid. */
extern void mhv_fork_started(int pid, RedisModuleForkDoneHandler cb, void *user_data);
/* Implemented in Go (api_fork.go): where the child's SIGUSR1 line goes. */
extern int mhv_fork_log_target(char *path, int size);

/* Where the child's signal handler logs, read in the parent before the
 * fork: kill_log < 0 means verbose lines are not logged, 0 standard
 * output, 1 the file kill_log_path. */
static int kill_log = -1;
static char kill_log_path[4096];

/* Appends the decimal v to buf at *n (async-signal-safe). */
static void put_num(char *buf, size_t *n, long long v) {
    char tmp[24];
    int i = 0;
    if (v < 0) {
        buf[(*n)++] = '-';
        v = -v;
    }
    do {
        tmp[i++] = (char)('0' + v % 10);
        v /= 10;
    } while (v > 0);
    while (i > 0) buf[(*n)++] = tmp[--i];
}

/* The child's SIGUSR1 handler (KillForkChild): logs Redis's line in the
 * format of its signal-handler log ("pid:signal-handler (unixtime) msg",
 * at verbose level for a module child) and exits with 255, the code
 * the parent reads as "ended by SIGUSR1", as Redis's sigKillChildHandler.
 * Only async-signal-safe calls. */
static void child_sigusr1(int sig) {
    (void)sig;
    if (kill_log >= 0) {
        static const char text[] = ") Received SIGUSR1 in child, exiting now.\n";
        static const char tag[] = ":signal-handler (";
        char line[128];
        size_t n = 0;
        put_num(line, &n, (long long)getpid());
        memcpy(line + n, tag, sizeof(tag) - 1);
        n += sizeof(tag) - 1;
        put_num(line, &n, (long long)time(NULL));
        memcpy(line + n, text, sizeof(text) - 1);
        n += sizeof(text) - 1;
        int fd = kill_log == 0 ? STDOUT_FILENO : open(kill_log_path, O_APPEND | O_CREAT | O_WRONLY, 0644);
        if (fd >= 0) {
            ssize_t w = write(fd, line, n);
            (void)w;
            if (kill_log != 0) close(fd);
        }
    }
    _exit(255);
}

/* Creates a child process sharing a copy-on-write snapshot of memory.
 * Returns the child's pid in the parent, 0 in the child and -1 on error
 * (errno EEXIST while another module child runs). When the child exits,
 * cb(exitcode, bysignal, user_data) runs in the parent under the server
 * lock. In modhost the child may only run C code (see above). */
int mh_Fork(RedisModuleForkDoneHandler cb, void *user_data) {
    if (fork_child > 0) {
        /* Logged as any failed fork, as Redis (its redisFork fails with
         * EEXIST while a child is active). */
        char msg[256];
        errno = EEXIST;
        snprintf(msg, sizeof(msg), "Can't fork for module: %s", strerror(errno));
        mhv_log(NULL, MH_LL_WARNING, msg);
        errno = EEXIST;
        return -1;
    }
    /* Every signal stays blocked across fork until the child has default
     * handlers: a SIGUSR1 from KillForkChild that reaches the child
     * before that (the parent may run first) would otherwise go to the
     * inherited Go handler, which swallows it, and the kill would wait
     * for a child that never dies. The parent restores its mask. */
    kill_log = mhv_fork_log_target(kill_log_path, (int)sizeof(kill_log_path));
    sigset_t all, old;
    sigfillset(&all);
    pthread_sigmask(SIG_SETMASK, &all, &old);
    pid_t pid = fork();
    if (pid == 0) {
        /* The child inherits the Go runtime's signal handlers, which need
         * threads the child does not have: restore the defaults, and
         * Redis's SIGUSR1 handler, so that KillForkChild's SIGUSR1 (and
         * SIGTERM) end it as in Redis. */
        sigset_t none;
        for (int sig = 1; sig < NSIG; sig++) signal(sig, SIG_DFL);
        struct sigaction act;
        memset(&act, 0, sizeof(act));
        sigemptyset(&act.sa_mask);
        act.sa_handler = child_sigusr1;
        sigaction(SIGUSR1, &act, NULL);
        sigemptyset(&none);
        sigprocmask(SIG_SETMASK, &none, NULL);
        return 0;
    }
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    if (pid < 0) {
        char msg[256];
        snprintf(msg, sizeof(msg), "Can't fork for module: %s", strerror(errno));
        mhv_log(NULL, MH_LL_WARNING, msg);
        return -1;
    }
    fork_child = pid;
    mhv_fork_started((int)pid, cb, user_data);
    return (int)pid;
}

/* Reports progress from the child; modhost has no child info pipe, so it
 * is accepted and dropped. */
/* modhost:partial progress is not reported (no child info pipe) */
void mh_SendChildHeartbeat(double progress) {
    (void)progress;
}

/* Ends the child with retcode (_exit: no atexit handlers, no stdio
 * flush, as Redis's exitFromChild). Never returns in a child. */
int mh_ExitFromChild(int retcode) {
    _exit(retcode);
    return REDISMODULE_OK;
}

/* Helpers for api_fork.go. */
void mh_fork_call_done(RedisModuleForkDoneHandler cb, int exitcode, int bysignal, void *user_data) {
    if (cb) MH_HOST_CALLV(cb(exitcode, bysignal, user_data));
}

int mh_fork_child(void) { return (int)fork_child; }

void mh_fork_clear(void) { fork_child = 0; }
