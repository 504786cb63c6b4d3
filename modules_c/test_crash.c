/*
 * test_crash.c - module for the host's diagnostics: crash reports, DMA
 * fidelity and thread/blocking misuse.
 *
 *   TCRASH.SEGV ...        -> calls StringPtrLen, then dereferences NULL in
 *                             tcrash_null_deref
 *   TCRASH.ABORT           -> calls GetSelectedDb, then abort() in
 *                             tcrash_call_abort
 *   TCRASH.DMAINCR key     -> opens key READ|WRITE, takes a READ StringDMA
 *                             and adds 1 to every byte through it (as
 *                             countminsketch does); replies the length
 *   TCRASH.UNLOCKED key    -> a thread opens key with a thread-safe context
 *                             without ThreadSafeContextLock; replies OK
 *   TCRASH.LOCKTWICE       -> a thread takes ThreadSafeContextLock twice,
 *                             then unlocks once; replies OK
 *   TCRASH.TSAFTERFREE     -> a thread frees a thread-safe context, then
 *                             locks through it; replies OK
 *   TCRASH.UNBLOCKTWICE    -> blocks the client and unblocks it twice from
 *                             a thread; the client gets "unblocked"
 *   TCRASH.BLOCKFOREVER    -> blocks the client with no timeout; nothing
 *                             unblocks it
 *
 * The misuse commands are for modhost only: in Redis some of them hang or
 * crash. TCRASH.DMAINCR behaves the same in Redis and modhost.
 */
#include <pthread.h>
#include <stdlib.h>

#include "redismodule.h"

/* Not static and not inlined, so backtraces name them. */
__attribute__((noinline)) int tcrash_null_deref(volatile int *p) {
    return *p + 1;
}

__attribute__((noinline)) void tcrash_call_abort(void) {
    abort();
}

static int t_segv(RedisModuleCtx *ctx, RedisModuleString **argv, int argc) {
    size_t len;
    RedisModule_StringPtrLen(argv[argc - 1], &len); /* the last API call */
    RedisModule_ReplyWithLongLong(ctx, tcrash_null_deref(NULL) + (int)len);
    return REDISMODULE_OK;
}

static int t_abort(RedisModuleCtx *ctx, RedisModuleString **argv, int argc) {
    (void)argv;
    (void)argc;
    RedisModule_GetSelectedDb(ctx); /* the last API call */
    tcrash_call_abort();
    return RedisModule_ReplyWithSimpleString(ctx, "OK");
}

static int t_dmaincr(RedisModuleCtx *ctx, RedisModuleString **argv, int argc) {
    if (argc != 2) return RedisModule_WrongArity(ctx);
    RedisModuleKey *key = RedisModule_OpenKey(ctx, argv[1], REDISMODULE_READ | REDISMODULE_WRITE);
    if (RedisModule_KeyType(key) != REDISMODULE_KEYTYPE_STRING) {
        RedisModule_CloseKey(key);
        return RedisModule_ReplyWithError(ctx, "ERR not a string");
    }
    size_t len = 0;
    char *p = RedisModule_StringDMA(key, &len, REDISMODULE_READ);
    for (size_t i = 0; i < len; i++) p[i]++;
    RedisModule_CloseKey(key);
    return RedisModule_ReplyWithLongLong(ctx, (long long)len);
}

/* Runs fn(arg) on a new thread and waits for it. */
static void run_thread(void *(*fn)(void *), void *arg) {
    pthread_t t;
    if (pthread_create(&t, NULL, fn, arg) == 0) pthread_join(t, NULL);
}

static void *unlocked_thread(void *arg) {
    RedisModuleString *name = arg;
    RedisModuleCtx *ts = RedisModule_GetThreadSafeContext(NULL);
    RedisModuleKey *k = RedisModule_OpenKey(ts, name, REDISMODULE_READ);
    if (k != NULL) RedisModule_CloseKey(k);
    RedisModule_FreeThreadSafeContext(ts);
    return NULL;
}

static int t_unlocked(RedisModuleCtx *ctx, RedisModuleString **argv, int argc) {
    if (argc != 2) return RedisModule_WrongArity(ctx);
    /* The command's thread holds the lock; the thread does not, and runs
     * while the command waits for it (a data race in Redis). */
    run_thread(unlocked_thread, argv[1]);
    return RedisModule_ReplyWithSimpleString(ctx, "OK");
}

static void *locktwice_thread(void *arg) {
    (void)arg;
    RedisModuleCtx *ts = RedisModule_GetThreadSafeContext(NULL);
    RedisModule_ThreadSafeContextLock(ts);
    RedisModule_ThreadSafeContextLock(ts);
    RedisModule_ThreadSafeContextUnlock(ts);
    RedisModule_FreeThreadSafeContext(ts);
    return NULL;
}

static void *tsafterfree_thread(void *arg) {
    (void)arg;
    RedisModuleCtx *ts = RedisModule_GetThreadSafeContext(NULL);
    RedisModule_FreeThreadSafeContext(ts);
    RedisModule_ThreadSafeContextLock(ts);
    RedisModule_ThreadSafeContextUnlock(ts);
    return NULL;
}

static pthread_t bg_thread;

/* Runs fn on a detached thread: the command returns without waiting, so
 * the thread can take the lock the command holds. */
static void run_background(void *(*fn)(void *), void *arg) {
    if (pthread_create(&bg_thread, NULL, fn, arg) == 0) pthread_detach(bg_thread);
}

static int t_locktwice(RedisModuleCtx *ctx, RedisModuleString **argv, int argc) {
    (void)argv;
    (void)argc;
    run_background(locktwice_thread, NULL);
    return RedisModule_ReplyWithSimpleString(ctx, "OK");
}

static int t_tsafterfree(RedisModuleCtx *ctx, RedisModuleString **argv, int argc) {
    (void)argv;
    (void)argc;
    run_background(tsafterfree_thread, NULL);
    return RedisModule_ReplyWithSimpleString(ctx, "OK");
}

static int reply_unblocked(RedisModuleCtx *ctx, RedisModuleString **argv, int argc) {
    (void)argv;
    (void)argc;
    return RedisModule_ReplyWithSimpleString(ctx, "unblocked");
}

static void *unblocktwice_thread(void *arg) {
    RedisModuleBlockedClient *bc = arg;
    RedisModule_UnblockClient(bc, NULL);
    RedisModule_UnblockClient(bc, NULL);
    return NULL;
}

static int t_unblocktwice(RedisModuleCtx *ctx, RedisModuleString **argv, int argc) {
    (void)argv;
    (void)argc;
    RedisModuleBlockedClient *bc = RedisModule_BlockClient(ctx, reply_unblocked, NULL, NULL, 0);
    run_background(unblocktwice_thread, bc);
    return REDISMODULE_OK;
}

static int t_blockforever(RedisModuleCtx *ctx, RedisModuleString **argv, int argc) {
    (void)argv;
    (void)argc;
    RedisModule_BlockClient(ctx, reply_unblocked, NULL, NULL, 0);
    return REDISMODULE_OK;
}

int RedisModule_OnLoad(RedisModuleCtx *ctx, RedisModuleString **argv, int argc) {
    (void)argv;
    (void)argc;
    if (RedisModule_Init(ctx, "tcrash", 1, REDISMODULE_APIVER_1) == REDISMODULE_ERR) return REDISMODULE_ERR;
    struct {
        const char *name;
        RedisModuleCmdFunc fn;
        const char *flags;
        int first;
    } cmds[] = {
        {"tcrash.segv", t_segv, "", 0},
        {"tcrash.abort", t_abort, "", 0},
        {"tcrash.dmaincr", t_dmaincr, "write", 1},
        {"tcrash.unlocked", t_unlocked, "readonly", 1},
        {"tcrash.locktwice", t_locktwice, "", 0},
        {"tcrash.tsafterfree", t_tsafterfree, "", 0},
        {"tcrash.unblocktwice", t_unblocktwice, "", 0},
        {"tcrash.blockforever", t_blockforever, "", 0},
    };
    for (size_t i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++) {
        int f = cmds[i].first;
        if (RedisModule_CreateCommand(ctx, cmds[i].name, cmds[i].fn, cmds[i].flags, f, f, f) == REDISMODULE_ERR)
            return REDISMODULE_ERR;
    }
    return REDISMODULE_OK;
}
