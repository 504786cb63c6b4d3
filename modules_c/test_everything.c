/*
 * test_everything.c - registers one of every kind of thing a module can
 * register, for the load/unload leak test (cmd/modhost module_registry_test.go).
 *
 * OnLoad registers: commands (everything.cmd, everything.disarm) and a
 * container command with a subcommand (everything.container sub), a
 * server-event subscription (FlushDB), a keyspace-notification subscriber
 * (which queues a post-notification job where the API exists), a command
 * filter, an exported shared API, a bool and a numeric configuration, a
 * timer (far in the future), an event-loop fd (a pipe's read end), an
 * info callback, a cluster message receiver, a module user, and an auth
 * callback where the API exists. It then SETs everything:key so that its
 * notification callback queues a post-notification job.
 *
 * Module arguments (any order):
 *   fail   -> after all that, also create a data type, fetch its own shared
 *             API, add an ACL category (where supported), then return
 *             REDISMODULE_ERR: the server must undo everything. Redis 7.0
 *             does not (its failed OnLoad leaves filters and subscriptions
 *             behind, and crashes later); Redis 7.2 and modhost do.
 *   nodel  -> close the pipe without EventLoopDel (on unload or failure),
 *             leaving the registration for the server to drop. Redis does
 *             not drop it (the next EventLoopAdd of that fd number fails),
 *             so without nodel the module deletes it first, as Redis needs.
 *
 * Commands:
 *   EVERYTHING.CMD            -> "OK"
 *   EVERYTHING.DISARM         -> stops the timer (a module with a pending
 *                                timer cannot be unloaded); 1 if stopped
 *   EVERYTHING.CONTAINER SUB  -> "SUB"
 *   EVERYTHING.JOBS           -> post-notification jobs run so far
 *
 * OnUnload closes the pipe and leaves the module user and everything else
 * to the server.
 */
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "redismodule.h"

static RedisModuleTimerID timer_id;
static int timer_armed;
static int pipe_fds[2] = {-1, -1};
static int no_del;
static long long jobs_run;
static int flag_value;
static long long num_value;

static int cmd_ok(RedisModuleCtx *ctx, RedisModuleString **argv, int argc) {
    REDISMODULE_NOT_USED(argv);
    REDISMODULE_NOT_USED(argc);
    return RedisModule_ReplyWithSimpleString(ctx, "OK");
}

static int cmd_disarm(RedisModuleCtx *ctx, RedisModuleString **argv, int argc) {
    REDISMODULE_NOT_USED(argv);
    REDISMODULE_NOT_USED(argc);
    int stopped = timer_armed && RedisModule_StopTimer(ctx, timer_id, NULL) == REDISMODULE_OK;
    timer_armed = 0;
    return RedisModule_ReplyWithLongLong(ctx, stopped);
}

static int cmd_sub(RedisModuleCtx *ctx, RedisModuleString **argv, int argc) {
    REDISMODULE_NOT_USED(argv);
    REDISMODULE_NOT_USED(argc);
    return RedisModule_ReplyWithSimpleString(ctx, "SUB");
}

static int cmd_jobs(RedisModuleCtx *ctx, RedisModuleString **argv, int argc) {
    REDISMODULE_NOT_USED(argv);
    REDISMODULE_NOT_USED(argc);
    return RedisModule_ReplyWithLongLong(ctx, jobs_run);
}

static void on_timer(RedisModuleCtx *ctx, void *data) {
    REDISMODULE_NOT_USED(ctx);
    REDISMODULE_NOT_USED(data);
    timer_armed = 0;
}

static void on_flush(RedisModuleCtx *ctx, RedisModuleEvent e, uint64_t sub, void *data) {
    REDISMODULE_NOT_USED(ctx);
    REDISMODULE_NOT_USED(e);
    REDISMODULE_NOT_USED(sub);
    REDISMODULE_NOT_USED(data);
}

static void job(RedisModuleCtx *ctx, void *pd) {
    REDISMODULE_NOT_USED(ctx);
    REDISMODULE_NOT_USED(pd);
    jobs_run++;
}

static void free_job_pd(void *pd) { RedisModule_Free(pd); }

static int on_keyspace(RedisModuleCtx *ctx, int type, const char *event, RedisModuleString *key) {
    REDISMODULE_NOT_USED(type);
    REDISMODULE_NOT_USED(event);
    size_t len;
    const char *k = RedisModule_StringPtrLen(key, &len);
    if (len == 14 && memcmp(k, "everything:key", 14) == 0 && RMAPI_FUNC_SUPPORTED(RedisModule_AddPostNotificationJob))
        RedisModule_AddPostNotificationJob(ctx, job, RedisModule_Alloc(16), free_job_pd);
    return REDISMODULE_OK;
}

static void filter(RedisModuleCommandFilterCtx *fctx) { REDISMODULE_NOT_USED(fctx); }

static int shared_fn(int x) { return x + 1; }

static int get_flag(const char *name, void *privdata) {
    REDISMODULE_NOT_USED(name);
    REDISMODULE_NOT_USED(privdata);
    return flag_value;
}

static int set_flag(const char *name, int val, void *privdata, RedisModuleString **err) {
    REDISMODULE_NOT_USED(name);
    REDISMODULE_NOT_USED(privdata);
    REDISMODULE_NOT_USED(err);
    flag_value = val;
    return REDISMODULE_OK;
}

static long long get_num(const char *name, void *privdata) {
    REDISMODULE_NOT_USED(name);
    REDISMODULE_NOT_USED(privdata);
    return num_value;
}

static int set_num(const char *name, long long val, void *privdata, RedisModuleString **err) {
    REDISMODULE_NOT_USED(name);
    REDISMODULE_NOT_USED(privdata);
    REDISMODULE_NOT_USED(err);
    num_value = val;
    return REDISMODULE_OK;
}

static void on_readable(int fd, void *user_data, int mask) {
    REDISMODULE_NOT_USED(user_data);
    REDISMODULE_NOT_USED(mask);
    char buf[64];
    if (read(fd, buf, sizeof(buf)) < 0) return;
}

static void info(RedisModuleInfoCtx *ctx, int for_crash_report) {
    REDISMODULE_NOT_USED(for_crash_report);
    RedisModule_InfoAddSection(ctx, "");
    RedisModule_InfoAddFieldLongLong(ctx, "jobs", jobs_run);
}

static void on_cluster_msg(RedisModuleCtx *ctx, const char *sender_id, uint8_t type, const unsigned char *payload, uint32_t len) {
    REDISMODULE_NOT_USED(ctx);
    REDISMODULE_NOT_USED(sender_id);
    REDISMODULE_NOT_USED(type);
    REDISMODULE_NOT_USED(payload);
    REDISMODULE_NOT_USED(len);
}

static int auth_cb(RedisModuleCtx *ctx, RedisModuleString *user, RedisModuleString *pass, RedisModuleString **err) {
    REDISMODULE_NOT_USED(ctx);
    REDISMODULE_NOT_USED(user);
    REDISMODULE_NOT_USED(pass);
    REDISMODULE_NOT_USED(err);
    return REDISMODULE_AUTH_NOT_HANDLED;
}

static void *type_load(RedisModuleIO *rdb, int encver) {
    REDISMODULE_NOT_USED(rdb);
    REDISMODULE_NOT_USED(encver);
    return NULL;
}

static void type_save(RedisModuleIO *rdb, void *value) {
    REDISMODULE_NOT_USED(rdb);
    REDISMODULE_NOT_USED(value);
}

static void type_free(void *value) { REDISMODULE_NOT_USED(value); }

/* Logs why OnLoad fails and returns REDISMODULE_ERR. */
static int load_failed(RedisModuleCtx *ctx, const char *what) {
    RedisModule_Log(ctx, "warning", "everything: %s failed", what);
    return REDISMODULE_ERR;
}

static void close_pipe(void) {
    if (!no_del && pipe_fds[0] != -1) RedisModule_EventLoopDel(pipe_fds[0], REDISMODULE_EVENTLOOP_READABLE);
    for (int i = 0; i < 2; i++) {
        if (pipe_fds[i] != -1) close(pipe_fds[i]);
        pipe_fds[i] = -1;
    }
}

/* Registers the data type, uses its own API and adds an ACL category:
 * the extra registrations of the "fail" mode. */
static void register_fail_extras(RedisModuleCtx *ctx) {
    RedisModuleTypeMethods tm = {
        .version = REDISMODULE_TYPE_METHOD_VERSION,
        .rdb_load = type_load,
        .rdb_save = type_save,
        .free = type_free,
    };
    RedisModule_CreateDataType(ctx, "everytype", 0, &tm);
    RedisModule_GetSharedAPI(ctx, "everything.api");
    if (RMAPI_FUNC_SUPPORTED(RedisModule_AddACLCategory))
        RedisModule_AddACLCategory(ctx, "everything");
}

int RedisModule_OnLoad(RedisModuleCtx *ctx, RedisModuleString **argv, int argc) {
    if (RedisModule_Init(ctx, "everything", 1, REDISMODULE_APIVER_1) == REDISMODULE_ERR)
        return load_failed(ctx, "Init");
    int fail = 0;
    no_del = 0;
    for (int i = 0; i < argc; i++) {
        const char *a = RedisModule_StringPtrLen(argv[i], NULL);
        if (strcasecmp(a, "fail") == 0) fail = 1;
        if (strcasecmp(a, "nodel") == 0) no_del = 1;
    }

    if (RedisModule_CreateCommand(ctx, "everything.cmd", cmd_ok, "readonly", 0, 0, 0) == REDISMODULE_ERR ||
        RedisModule_CreateCommand(ctx, "everything.disarm", cmd_disarm, "readonly", 0, 0, 0) == REDISMODULE_ERR ||
        RedisModule_CreateCommand(ctx, "everything.jobs", cmd_jobs, "readonly", 0, 0, 0) == REDISMODULE_ERR ||
        RedisModule_CreateCommand(ctx, "everything.container", NULL, "", 0, 0, 0) == REDISMODULE_ERR)
        return load_failed(ctx, "CreateCommand");
    RedisModuleCommand *parent = RedisModule_GetCommand(ctx, "everything.container");
    if (parent == NULL || RedisModule_CreateSubcommand(parent, "sub", cmd_sub, "readonly", 0, 0, 0) == REDISMODULE_ERR)
        return load_failed(ctx, "CreateSubcommand");

    RedisModule_SubscribeToServerEvent(ctx, RedisModuleEvent_FlushDB, on_flush);
    RedisModule_SubscribeToKeyspaceEvents(ctx, REDISMODULE_NOTIFY_STRING, on_keyspace);
    if (RedisModule_RegisterCommandFilter(ctx, filter, 0) == NULL) return load_failed(ctx, "RegisterCommandFilter");
    if (RedisModule_ExportSharedAPI(ctx, "everything.api", (void *)shared_fn) == REDISMODULE_ERR)
        return load_failed(ctx, "ExportSharedAPI");
    if (RedisModule_RegisterBoolConfig(ctx, "flag", 0, REDISMODULE_CONFIG_DEFAULT, get_flag, set_flag, NULL, NULL) == REDISMODULE_ERR ||
        RedisModule_RegisterNumericConfig(ctx, "num", 5, REDISMODULE_CONFIG_DEFAULT, 0, 100, get_num, set_num, NULL, NULL) == REDISMODULE_ERR ||
        RedisModule_LoadConfigs(ctx) == REDISMODULE_ERR)
        return load_failed(ctx, "configurations");
    timer_id = RedisModule_CreateTimer(ctx, 3600 * 1000, on_timer, NULL);
    timer_armed = 1;
    if (pipe(pipe_fds) != 0) return load_failed(ctx, "pipe");
    if (RedisModule_EventLoopAdd(pipe_fds[0], REDISMODULE_EVENTLOOP_READABLE, on_readable, NULL) == REDISMODULE_ERR) {
        close_pipe();
        return load_failed(ctx, "EventLoopAdd");
    }
    RedisModule_RegisterInfoFunc(ctx, info);
    RedisModule_RegisterClusterMessageReceiver(ctx, 1, on_cluster_msg);
    RedisModule_CreateModuleUser("everything-user");
    if (RMAPI_FUNC_SUPPORTED(RedisModule_RegisterAuthCallback))
        RedisModule_RegisterAuthCallback(ctx, auth_cb);
    RedisModuleCallReply *r = RedisModule_Call(ctx, "SET", "cc", "everything:key", "1");
    if (r) RedisModule_FreeCallReply(r);

    if (fail) {
        register_fail_extras(ctx);
        close_pipe(); /* the fd itself is the module's to close */
        timer_armed = 0;
        return REDISMODULE_ERR;
    }
    return REDISMODULE_OK;
}

int RedisModule_OnUnload(RedisModuleCtx *ctx) {
    REDISMODULE_NOT_USED(ctx);
    close_pipe();
    return REDISMODULE_OK;
}
