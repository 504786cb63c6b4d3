/*
 * crash.c - the crash report for faults in module code (see crash.h).
 *
 * The Go runtime installs its own handlers for the synchronous signals and
 * turns a fault in Go code into a panic. Ours is installed after it (from
 * host.New) and looks at the faulting thread's C stack: when a frame
 * belongs to a tracked module library the fault is the module's (or the
 * host's C code misused by the module) and we report; otherwise the
 * signal is handed to the previous handler unchanged. The unwinder stops
 * at the first Go frame (Go code has no unwind tables for it), so a fault
 * in Go code never looks like module code.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <execinfo.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <ucontext.h>
#include <unistd.h>

#include "crash.h"
#include "mh_string.h"

__thread mh_cmd_frame *mh_cur_cmd;
__thread const char *mh_last_api;

/* The Go reporter (crash.go): a goroutine that, on a byte read from
 * info_req, writes INFO and CLIENT LIST to the log and answers a byte on
 * info_done. Go code cannot run on a thread inside a signal handler, so
 * the handler asks this goroutine and waits. -1 when not set up. */
static int info_req = -1, info_done = -1;
#define MH_CRASH_INFO_WAIT_MS 10000

#define MH_CRASH_FRAMES 64
#define MH_CRASH_ARG_MAX 128 /* bytes of one argument shown */
#define MH_CRASH_ARGS_MAX 32 /* arguments shown */

static const int fatal_signals[] = {SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGABRT};
#define MH_FATAL_N (int)(sizeof(fatal_signals) / sizeof(fatal_signals[0]))

static struct sigaction prev_actions[MH_FATAL_N];
static atomic_int installed;
static atomic_int crashing;
static char log_path[4096];
static long log_tz_offset;

static struct {
    void *lib;
    void *base; /* dli_fbase of the library's code */
} libs[MH_CRASH_LIBS];
static pthread_mutex_t libs_mu = PTHREAD_MUTEX_INITIALIZER;

/* Returns the load base of a library handle, through one of its symbols. */
static void *lib_base(void *lib) {
    static const char *const syms[] = {"RedisModule_OnLoad", "ValkeyModule_OnLoad"};
    for (size_t i = 0; i < sizeof(syms) / sizeof(syms[0]); i++) {
        void *sym = dlsym(lib, syms[i]);
        Dl_info info;
        if (sym != NULL && dladdr(sym, &info) != 0) return info.dli_fbase;
    }
    return NULL;
}

void mh_crash_track_lib(void *lib) {
    void *base = lib_base(lib);
    if (base == NULL) return;
    pthread_mutex_lock(&libs_mu);
    for (int i = 0; i < MH_CRASH_LIBS; i++) {
        if (libs[i].lib == NULL) {
            libs[i].base = base;
            libs[i].lib = lib;
            break;
        }
    }
    pthread_mutex_unlock(&libs_mu);
}

void mh_crash_forget_lib(void *lib) {
    pthread_mutex_lock(&libs_mu);
    for (int i = 0; i < MH_CRASH_LIBS; i++) {
        if (libs[i].lib == lib) {
            libs[i].base = NULL;
            libs[i].lib = NULL;
        }
    }
    pthread_mutex_unlock(&libs_mu);
}

/* Reports whether addr lies in a tracked module library (read without the
 * mutex: a signal handler may not take it; entries are single words). */
static int in_module(void *addr) {
    Dl_info info;
    if (addr == NULL || dladdr(addr, &info) == 0) return 0;
    for (int i = 0; i < MH_CRASH_LIBS; i++) {
        if (libs[i].base != NULL && libs[i].base == info.dli_fbase) return 1;
    }
    return 0;
}

int mh_crash_in_module(void *addr) { return in_module(addr); }

/* ---- output: plain write(2) on the log file or standard output ---- */

static int out_fd = -1;

static void out_write(const char *s, size_t n) {
    while (n > 0) {
        ssize_t w = write(out_fd, s, n);
        if (w <= 0) return;
        s += w;
        n -= (size_t)w;
    }
}

static void out_str(const char *s) { out_write(s, strlen(s)); }

/* Writes the log-line prefix "pid:M dd Mon yyyy hh:mm:ss.mmm # ". */
static void out_prefix(void) {
    static const char *const months[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                         "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    long long t = (long long)ts.tv_sec + log_tz_offset;
    long long days = t / 86400, secs = t % 86400;
    if (secs < 0) {
        secs += 86400;
        days--;
    }
    /* Civil date from days since 1970-01-01 (proleptic Gregorian). */
    long long z = days + 719468, era = (z >= 0 ? z : z - 146096) / 146097;
    long long doe = z - era * 146097;
    long long yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    long long doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    long long mp = (5 * doy + 2) / 153, d = doy - (153 * mp + 2) / 5 + 1;
    long long m = mp < 10 ? mp + 3 : mp - 9, y = yoe + era * 400 + (m <= 2);
    char buf[96];
    int n = snprintf(buf, sizeof(buf), "%d:M %02lld %s %lld %02lld:%02lld:%02lld.%03ld # ", (int)getpid(), d,
                     months[m - 1], y, secs / 3600, secs / 60 % 60, secs % 60, ts.tv_nsec / 1000000);
    if (n > 0) out_write(buf, (size_t)n < sizeof(buf) ? (size_t)n : sizeof(buf) - 1);
}

/* Writes one log line: prefix, text, newline. */
static void out_line(const char *text) {
    out_prefix();
    out_str(text);
    out_str("\n");
}

/* Writes s[0:n] with non-printable bytes as \xHH, at most max bytes. */
static void out_escaped(const char *s, size_t n, size_t max) {
    char buf[8];
    for (size_t i = 0; i < n && i < max; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c >= 32 && c < 127 && c != '"' && c != '\\') {
            out_write((const char *)&c, 1);
        } else {
            int k = snprintf(buf, sizeof(buf), "\\x%02x", c);
            out_write(buf, (size_t)k);
        }
    }
    if (n > max) out_str("...");
}

/* ---- the report ---- */

static const char *signal_name(int sig) {
    switch (sig) {
    case SIGSEGV: return "SIGSEGV";
    case SIGBUS: return "SIGBUS";
    case SIGILL: return "SIGILL";
    case SIGFPE: return "SIGFPE";
    case SIGABRT: return "SIGABRT";
    }
    return "signal";
}

static void *fault_pc(void *uc) {
#if defined(__x86_64__)
    return (void *)((ucontext_t *)uc)->uc_mcontext.gregs[REG_RIP];
#elif defined(__aarch64__)
    return (void *)((ucontext_t *)uc)->uc_mcontext.pc;
#else
    (void)uc;
    return NULL;
#endif
}

static void report_command(void) {
    char buf[256];
    mh_cmd_frame *f = mh_cur_cmd;
    out_str("\n------ MODULE COMMAND ------\n");
    if (f == NULL) {
        out_str("not in a module command on this thread (module thread or callback)\n");
    }
    for (int depth = 0; f != NULL; f = f->prev, depth++) {
        const char *mod = f->ctx != NULL && f->ctx->module_name != NULL ? f->ctx->module_name : "?";
        snprintf(buf, sizeof(buf), "%smodule: %s\ncommand:", depth ? "called from " : "", mod);
        out_str(buf);
        for (int i = 0; i < f->argc && i < MH_CRASH_ARGS_MAX; i++) {
            size_t n = 0;
            const char *p = f->argv[i] != NULL ? mh_string_ptr(f->argv[i], &n) : "";
            out_str(" \"");
            out_escaped(p, n, MH_CRASH_ARG_MAX);
            out_str("\"");
        }
        if (f->argc > MH_CRASH_ARGS_MAX) {
            snprintf(buf, sizeof(buf), " ... (%d arguments)", f->argc);
            out_str(buf);
        }
        out_str("\n");
    }
    snprintf(buf, sizeof(buf), "last module API call on this thread: %s%s\n",
             mh_last_api ? "RedisModule_" : "", mh_last_api ? mh_last_api : "(none recorded)");
    out_str(buf);
}

static void report_backtrace(void **frames, int n, void *pc) {
    char buf[512];
    out_str("\n------ STACK TRACE ------\n");
    if (pc != NULL) {
        Dl_info info;
        if (dladdr(pc, &info) != 0 && info.dli_sname != NULL)
            snprintf(buf, sizeof(buf), "Faulting instruction: %p in %s (%s)\n", pc, info.dli_sname, info.dli_fname);
        else
            snprintf(buf, sizeof(buf), "Faulting instruction: %p\n", pc);
        out_str(buf);
    }
    out_str("\nBacktrace:\n");
    for (int i = 0; i < n; i++) {
        Dl_info info;
        const char *file = "?", *sym = "?";
        uintptr_t off = 0;
        /* A return address may lie past the end of a noreturn caller:
         * name the byte before it, as debuggers do (not the exact PC). */
        char *at = (char *)frames[i] - (frames[i] != pc ? 1 : 0);
        if (dladdr(at, &info) != 0) {
            file = info.dli_fname ? info.dli_fname : "?";
            if (info.dli_sname != NULL) {
                sym = info.dli_sname;
                off = (uintptr_t)frames[i] - (uintptr_t)info.dli_saddr;
            } else {
                off = (uintptr_t)frames[i] - (uintptr_t)info.dli_fbase;
            }
        }
        snprintf(buf, sizeof(buf), "%s%s(%s+0x%lx) [%p]\n", in_module(frames[i]) ? "module " : "", file, sym,
                 (unsigned long)off, frames[i]);
        out_str(buf);
    }
}

/* INFO and CLIENT LIST, from the Go reporter. Only when the crashing
 * thread runs a module command: its goroutine holds the server lock and is
 * stopped here, so the server's state stands still while it is read. */
static void report_server_state(void) {
    if (mh_cur_cmd == NULL || info_req < 0) {
        out_str("\n------ INFO OUTPUT ------\n"
                "not gathered: the crashing thread was not running a module command under the server lock\n");
        return;
    }
    out_str("\n");
    char b = 1;
    if (write(info_req, &b, 1) != 1) return;
    struct pollfd p = {.fd = info_done, .events = POLLIN};
    if (poll(&p, 1, MH_CRASH_INFO_WAIT_MS) == 1 && read(info_done, &b, 1) == 1) return;
    out_str("(INFO not gathered in time)\n");
}

static void restore_and_raise(int sig) {
    struct sigaction dfl;
    memset(&dfl, 0, sizeof(dfl));
    dfl.sa_handler = SIG_DFL;
    sigemptyset(&dfl.sa_mask);
    sigaction(sig, &dfl, NULL);
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, sig);
    pthread_sigmask(SIG_UNBLOCK, &set, NULL);
    raise(sig);
    _exit(128 + sig); /* a handled SIGSEGV may return here: the signal is re-raised by the fault */
}

/* Hands the signal to the handler that was installed before ours. */
static void chain(int idx, int sig, siginfo_t *info, void *uc) {
    struct sigaction *p = &prev_actions[idx];
    if (p->sa_flags & SA_SIGINFO) {
        if (p->sa_sigaction != NULL) {
            p->sa_sigaction(sig, info, uc);
            return;
        }
    } else if (p->sa_handler == SIG_IGN) {
        return;
    } else if (p->sa_handler != SIG_DFL && p->sa_handler != NULL) {
        p->sa_handler(sig);
        return;
    }
    restore_and_raise(sig);
}

static void crash_handler(int sig, siginfo_t *info, void *uc) {
    int idx = 0;
    while (idx < MH_FATAL_N && fatal_signals[idx] != sig) idx++;
    if (idx == MH_FATAL_N) return;
    void *frames[MH_CRASH_FRAMES];
    int n = backtrace(frames, MH_CRASH_FRAMES);
    void *pc = fault_pc(uc);
    int module = in_module(pc);
    for (int i = 0; i < n && !module; i++) module = in_module(frames[i]);
    if (!module) {
        chain(idx, sig, info, uc);
        return;
    }
    if (atomic_exchange(&crashing, 1)) restore_and_raise(sig); /* a fault while reporting */

    out_fd = 1;
    if (log_path[0] != '\0') {
        int fd = open(log_path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
        if (fd >= 0) out_fd = fd;
    }
    char buf[256];
    out_str("\n\n=== MODHOST BUG REPORT START: module code crashed, cut & paste from here ===\n");
    snprintf(buf, sizeof(buf), "modhost crashed by signal: %d (%s), si_code: %d", sig, signal_name(sig),
             info ? info->si_code : 0);
    out_line(buf);
    if (sig == SIGSEGV || sig == SIGBUS) {
        snprintf(buf, sizeof(buf), "Accessing address: %p", info ? info->si_addr : NULL);
        out_line(buf);
    }
    if (pc != NULL) {
        snprintf(buf, sizeof(buf), "Crashed running the instruction at: %p", pc);
        out_line(buf);
    }
    report_command();
    report_backtrace(frames, n, pc);
    report_server_state();
    out_str("\n=== MODHOST BUG REPORT END. Make sure to include from START to END. ===\n\n");
    restore_and_raise(sig);
}

void mh_crash_set_reporter(int req_fd, int done_fd) {
    info_req = req_fd;
    info_done = done_fd;
}

void mh_crash_install(const char *logpath, long tz_offset) {
    if (logpath != NULL) {
        strncpy(log_path, logpath, sizeof(log_path) - 1);
        log_path[sizeof(log_path) - 1] = '\0';
    }
    log_tz_offset = tz_offset;
    if (atomic_exchange(&installed, 1)) return;
    /* backtrace() loads libgcc on its first call, which allocates: do it
     * now rather than in the handler. */
    void *warm[2];
    backtrace(warm, 2);
    for (int i = 0; i < MH_FATAL_N; i++) {
        struct sigaction act;
        memset(&act, 0, sizeof(act));
        sigaction(fatal_signals[i], NULL, &prev_actions[i]);
        act.sa_sigaction = crash_handler;
        act.sa_mask = prev_actions[i].sa_mask;
        /* SA_ONSTACK: Go's threads run handlers on their signal stacks. */
        act.sa_flags = SA_SIGINFO | SA_ONSTACK | SA_RESTART;
        sigaction(fatal_signals[i], &act, NULL);
    }
}
