/*
 * test_eventloop.c - coverage module for the "Modules EventLoop API".
 *
 *   TEL.PIPE            -> creates a pipe and watches its read end
 *                          (READABLE); replies OK
 *   TEL.WRITE data      -> writes data into the pipe; the readable callback
 *                          reads it later, on the event loop
 *   TEL.KICK            -> watches the write end (WRITABLE): the callback
 *                          writes "w" once and unregisters itself
 *   TEL.READ            -> what readable callbacks read so far (cleared)
 *   TEL.DEL             -> EventLoopDel of the read end, replies OK
 *   TEL.CLOSE           -> unregisters and closes the pipe
 *   TEL.ONESHOT n       -> a thread schedules n one-shot callbacks; each
 *                          logs its number; replies OK
 *   TEL.SHOTS           -> the one-shot log, in order (cleared)
 *   TEL.ERRORS          -> [ERANGE for fd -1, EINVAL for a bad mask,
 *                          EINVAL for a NULL callback, ERANGE on Del of
 *                          fd -1, EINVAL for a NULL one-shot], each 1|0
 *   TEL.ERRNO           -> errno after successful calls, each made with
 *                          errno set to EBADF first: [Del of a never added
 *                          fd, Add, Del, AddOneShot] (Redis clears it)
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "redismodule.h"

static int fds[2] = {-1, -1};
static char got[4096];
static size_t got_len;
static pthread_mutex_t shots_mu = PTHREAD_MUTEX_INITIALIZER;
static long long shots[1024];
static int nshots;

static void on_read(int fd, void *user_data, int mask) {
    REDISMODULE_NOT_USED(user_data);
    if (!(mask & REDISMODULE_EVENTLOOP_READABLE)) return;
    char buf[512];
    ssize_t n = read(fd, buf, sizeof(buf));
    if (n > 0 && got_len + (size_t)n <= sizeof(got)) {
        memcpy(got + got_len, buf, (size_t)n);
        got_len += (size_t)n;
    }
}

static void on_write(int fd, void *user_data, int mask) {
    REDISMODULE_NOT_USED(user_data);
    if (!(mask & REDISMODULE_EVENTLOOP_WRITABLE)) return;
    if (write(fd, "w", 1) != 1) return;
    RedisModule_EventLoopDel(fd, REDISMODULE_EVENTLOOP_WRITABLE);
}

static int t_pipe(RedisModuleCtx *ctx, RedisModuleString **argv, int argc) {
    REDISMODULE_NOT_USED(argv);
    REDISMODULE_NOT_USED(argc);
    if (fds[0] != -1) return RedisModule_ReplyWithError(ctx, "ERR pipe exists");
    if (pipe(fds) != 0) return RedisModule_ReplyWithError(ctx, "ERR pipe failed");
    if (RedisModule_EventLoopAdd(fds[0], REDISMODULE_EVENTLOOP_READABLE, on_read, NULL) != REDISMODULE_OK)
        return RedisModule_ReplyWithError(ctx, "ERR EventLoopAdd failed");
    return RedisModule_ReplyWithSimpleString(ctx, "OK");
}

static int t_write(RedisModuleCtx *ctx, RedisModuleString **argv, int argc) {
    if (argc != 2) return RedisModule_WrongArity(ctx);
    if (fds[1] == -1) return RedisModule_ReplyWithError(ctx, "ERR no pipe");
    size_t len;
    const char *p = RedisModule_StringPtrLen(argv[1], &len);
    if (write(fds[1], p, len) != (ssize_t)len) return RedisModule_ReplyWithError(ctx, "ERR write failed");
    return RedisModule_ReplyWithSimpleString(ctx, "OK");
}

static int t_kick(RedisModuleCtx *ctx, RedisModuleString **argv, int argc) {
    REDISMODULE_NOT_USED(argv);
    REDISMODULE_NOT_USED(argc);
    if (fds[1] == -1) return RedisModule_ReplyWithError(ctx, "ERR no pipe");
    if (RedisModule_EventLoopAdd(fds[1], REDISMODULE_EVENTLOOP_WRITABLE, on_write, NULL) != REDISMODULE_OK)
        return RedisModule_ReplyWithError(ctx, "ERR EventLoopAdd failed");
    return RedisModule_ReplyWithSimpleString(ctx, "OK");
}

static int t_read(RedisModuleCtx *ctx, RedisModuleString **argv, int argc) {
    REDISMODULE_NOT_USED(argv);
    REDISMODULE_NOT_USED(argc);
    RedisModule_ReplyWithStringBuffer(ctx, got, got_len);
    got_len = 0;
    return REDISMODULE_OK;
}

static int t_del(RedisModuleCtx *ctx, RedisModuleString **argv, int argc) {
    REDISMODULE_NOT_USED(argv);
    REDISMODULE_NOT_USED(argc);
    if (fds[0] == -1) return RedisModule_ReplyWithError(ctx, "ERR no pipe");
    RedisModule_EventLoopDel(fds[0], REDISMODULE_EVENTLOOP_READABLE);
    return RedisModule_ReplyWithSimpleString(ctx, "OK");
}

static int t_close(RedisModuleCtx *ctx, RedisModuleString **argv, int argc) {
    REDISMODULE_NOT_USED(argv);
    REDISMODULE_NOT_USED(argc);
    for (int i = 0; i < 2; i++) {
        if (fds[i] == -1) continue;
        RedisModule_EventLoopDel(fds[i], REDISMODULE_EVENTLOOP_READABLE | REDISMODULE_EVENTLOOP_WRITABLE);
        close(fds[i]);
        fds[i] = -1;
    }
    return RedisModule_ReplyWithSimpleString(ctx, "OK");
}

static void on_shot(void *user_data) {
    pthread_mutex_lock(&shots_mu);
    if (nshots < 1024) shots[nshots++] = (long long)(intptr_t)user_data;
    pthread_mutex_unlock(&shots_mu);
}

static void *shot_thread(void *arg) {
    long long n = (long long)(intptr_t)arg;
    for (long long i = 1; i <= n; i++) RedisModule_EventLoopAddOneShot(on_shot, (void *)(intptr_t)i);
    return NULL;
}

static int t_oneshot(RedisModuleCtx *ctx, RedisModuleString **argv, int argc) {
    if (argc != 2) return RedisModule_WrongArity(ctx);
    long long n;
    if (RedisModule_StringToLongLong(argv[1], &n) != REDISMODULE_OK || n < 0)
        return RedisModule_ReplyWithError(ctx, "ERR bad number");
    pthread_t tid;
    if (pthread_create(&tid, NULL, shot_thread, (void *)(intptr_t)n) != 0)
        return RedisModule_ReplyWithError(ctx, "ERR can't start thread");
    pthread_detach(tid);
    return RedisModule_ReplyWithSimpleString(ctx, "OK");
}

static int t_shots(RedisModuleCtx *ctx, RedisModuleString **argv, int argc) {
    REDISMODULE_NOT_USED(argv);
    REDISMODULE_NOT_USED(argc);
    pthread_mutex_lock(&shots_mu);
    RedisModule_ReplyWithArray(ctx, nshots);
    for (int i = 0; i < nshots; i++) RedisModule_ReplyWithLongLong(ctx, shots[i]);
    nshots = 0;
    pthread_mutex_unlock(&shots_mu);
    return REDISMODULE_OK;
}

static int t_errors(RedisModuleCtx *ctx, RedisModuleString **argv, int argc) {
    REDISMODULE_NOT_USED(argv);
    REDISMODULE_NOT_USED(argc);
    int r[5];
    errno = 0;
    r[0] = RedisModule_EventLoopAdd(-1, REDISMODULE_EVENTLOOP_READABLE, on_read, NULL) == REDISMODULE_ERR && errno == ERANGE;
    errno = 0;
    r[1] = RedisModule_EventLoopAdd(0, 8, on_read, NULL) == REDISMODULE_ERR && errno == EINVAL;
    errno = 0;
    r[2] = RedisModule_EventLoopAdd(0, REDISMODULE_EVENTLOOP_READABLE, NULL, NULL) == REDISMODULE_ERR && errno == EINVAL;
    errno = 0;
    r[3] = RedisModule_EventLoopDel(-1, REDISMODULE_EVENTLOOP_READABLE) == REDISMODULE_ERR && errno == ERANGE;
    errno = 0;
    r[4] = RedisModule_EventLoopAddOneShot(NULL, NULL) == REDISMODULE_ERR && errno == EINVAL;
    RedisModule_ReplyWithArray(ctx, 5);
    for (int i = 0; i < 5; i++) RedisModule_ReplyWithLongLong(ctx, r[i]);
    return REDISMODULE_OK;
}

static void noop_shot(void *arg) { REDISMODULE_NOT_USED(arg); }

static int t_errno(RedisModuleCtx *ctx, RedisModuleString **argv, int argc) {
    REDISMODULE_NOT_USED(argv);
    REDISMODULE_NOT_USED(argc);
    int p[2];
    if (pipe(p) != 0) return RedisModule_ReplyWithError(ctx, "ERR pipe failed");
    int r[4], rc[4];
    errno = EBADF;
    rc[0] = RedisModule_EventLoopDel(p[0], REDISMODULE_EVENTLOOP_READABLE);
    r[0] = errno;
    errno = EBADF;
    rc[1] = RedisModule_EventLoopAdd(p[0], REDISMODULE_EVENTLOOP_READABLE, on_read, NULL);
    r[1] = errno;
    errno = EBADF;
    rc[2] = RedisModule_EventLoopDel(p[0], REDISMODULE_EVENTLOOP_READABLE);
    r[2] = errno;
    errno = EBADF;
    rc[3] = RedisModule_EventLoopAddOneShot(noop_shot, NULL);
    r[3] = errno;
    close(p[0]);
    close(p[1]);
    for (int i = 0; i < 4; i++)
        if (rc[i] != REDISMODULE_OK) return RedisModule_ReplyWithError(ctx, "ERR call failed");
    RedisModule_ReplyWithArray(ctx, 4);
    for (int i = 0; i < 4; i++) RedisModule_ReplyWithLongLong(ctx, r[i]);
    return REDISMODULE_OK;
}

int RedisModule_OnLoad(RedisModuleCtx *ctx, RedisModuleString **argv, int argc) {
    REDISMODULE_NOT_USED(argv);
    REDISMODULE_NOT_USED(argc);
    if (RedisModule_Init(ctx, "tevloop", 1, REDISMODULE_APIVER_1) == REDISMODULE_ERR) return REDISMODULE_ERR;
    static const struct {
        const char *name;
        RedisModuleCmdFunc fn;
    } cmds[] = {
        {"tel.pipe", t_pipe}, {"tel.write", t_write}, {"tel.kick", t_kick}, {"tel.read", t_read},
        {"tel.del", t_del}, {"tel.close", t_close}, {"tel.oneshot", t_oneshot}, {"tel.shots", t_shots},
        {"tel.errors", t_errors}, {"tel.errno", t_errno},
    };
    for (size_t i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++) {
        if (RedisModule_CreateCommand(ctx, cmds[i].name, cmds[i].fn, "", 0, 0, 0) == REDISMODULE_ERR)
            return REDISMODULE_ERR;
    }
    return REDISMODULE_OK;
}
