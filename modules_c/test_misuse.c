/*
 * test_misuse.c - one command per module API misuse, for modhost's
 * conformance diagnostics (cmd/modhost/conformance_test.go). Each command
 * commits exactly one misuse; modhost must name it in its log, give the
 * client an error or a repaired reply, and keep serving. Never run these
 * commands against real Redis: most of them crash it.
 *
 *   misuse.doublefree_string     FreeString twice
 *   misuse.doublefree_callreply  FreeCallReply twice
 *   misuse.free_argv             FreeString on an argument the server owns
 *   misuse.use_freed_string      StringPtrLen after FreeString -> its length
 *   misuse.use_freed_callreply   CallReplyType after FreeCallReply
 *   misuse.keep_string           keeps an AutoMemory string past the command
 *   misuse.use_kept              replies with the string keep_string kept
 *   misuse.array_short           array of 3 with 2 elements
 *   misuse.array_long            array of 1 with 2 elements
 *   misuse.map_short             map of 2 pairs with 1
 *   misuse.postponed_never       postponed array never given a length
 *   misuse.postponed_wrong       postponed array of 2 given length 5
 *   misuse.two_replies           two top-level replies
 *   misuse.key_unclosed k        OpenKey without AutoMemory, never closed
 *   misuse.write_readkey k v     StringSet on a READ key -> its result (0 OK, 1 ERR)
 *   misuse.ro_keywrite k v       "readonly" command writing with StringSet
 *   misuse.ro_call k v           "readonly" command calling SET
 *   misuse.repl_noflag [v]       no "write" flag, Replicate (ReplicateVerbatim with v)
 *   misuse.leak_timer            a timer still armed at SHUTDOWN
 *   misuse.leak_block            a client blocked and never unblocked at SHUTDOWN
 *   misuse.leak_key k            a key held (detached context) at MODULE UNLOAD
 *   misuse.lossy_set k a b       a value of type mislossy0, whose rdb_load drops b
 *                                (the type exists when the module is loaded with "types")
 *   misuse.keyed_set k v         a value of type miskeyed0, whose text the module
 *                                keeps outside the value, per database and key
 *                                name (as Redis's datatype2 test module does), and
 *                                whose digest never calls DigestEndSequence
 *   misuse.keyed_get k           that text, or nil
 *   misuse.no_reply              returns without replying
 *   misuse.save_ctx              keeps its context pointer
 *   misuse.late_reply            replies through the kept context, then 1
 */
#include <stdio.h>
#include <strings.h>
#include <string.h>

#include "redismodule.h"

static RedisModuleString *kept;
static RedisModuleCtx *saved_ctx;

static int doublefree_string(RedisModuleCtx *ctx, RedisModuleString **argv, int argc) {
    REDISMODULE_NOT_USED(argv);
    REDISMODULE_NOT_USED(argc);
    RedisModuleString *s = RedisModule_CreateString(ctx, "twice", 5);
    RedisModule_FreeString(ctx, s);
    RedisModule_FreeString(ctx, s);
    return RedisModule_ReplyWithSimpleString(ctx, "OK");
}

static int doublefree_callreply(RedisModuleCtx *ctx, RedisModuleString **argv, int argc) {
    REDISMODULE_NOT_USED(argv);
    REDISMODULE_NOT_USED(argc);
    RedisModuleCallReply *r = RedisModule_Call(ctx, "PING", "");
    RedisModule_FreeCallReply(r);
    RedisModule_FreeCallReply(r);
    return RedisModule_ReplyWithSimpleString(ctx, "OK");
}

static int free_argv(RedisModuleCtx *ctx, RedisModuleString **argv, int argc) {
    REDISMODULE_NOT_USED(argc);
    RedisModule_FreeString(ctx, argv[0]);
    return RedisModule_ReplyWithSimpleString(ctx, "OK");
}

static int use_freed_string(RedisModuleCtx *ctx, RedisModuleString **argv, int argc) {
    REDISMODULE_NOT_USED(argv);
    REDISMODULE_NOT_USED(argc);
    RedisModuleString *s = RedisModule_CreateString(ctx, "gone", 4);
    RedisModule_FreeString(ctx, s);
    size_t len = 99;
    RedisModule_StringPtrLen(s, &len);
    return RedisModule_ReplyWithLongLong(ctx, (long long)len);
}

static int use_freed_callreply(RedisModuleCtx *ctx, RedisModuleString **argv, int argc) {
    REDISMODULE_NOT_USED(argv);
    REDISMODULE_NOT_USED(argc);
    RedisModuleCallReply *r = RedisModule_Call(ctx, "PING", "");
    RedisModule_FreeCallReply(r);
    return RedisModule_ReplyWithLongLong(ctx, RedisModule_CallReplyType(r));
}

static int keep_string(RedisModuleCtx *ctx, RedisModuleString **argv, int argc) {
    REDISMODULE_NOT_USED(argv);
    REDISMODULE_NOT_USED(argc);
    RedisModule_AutoMemory(ctx);
    kept = RedisModule_CreateString(ctx, "kept", 4);
    return RedisModule_ReplyWithSimpleString(ctx, "OK");
}

static int use_kept(RedisModuleCtx *ctx, RedisModuleString **argv, int argc) {
    REDISMODULE_NOT_USED(argv);
    REDISMODULE_NOT_USED(argc);
    if (kept == NULL) return RedisModule_ReplyWithError(ctx, "ERR call misuse.keep_string first");
    return RedisModule_ReplyWithString(ctx, kept);
}

static int array_short(RedisModuleCtx *ctx, RedisModuleString **argv, int argc) {
    REDISMODULE_NOT_USED(argv);
    REDISMODULE_NOT_USED(argc);
    RedisModule_ReplyWithArray(ctx, 3);
    RedisModule_ReplyWithLongLong(ctx, 1);
    RedisModule_ReplyWithLongLong(ctx, 2);
    return REDISMODULE_OK;
}

static int array_long(RedisModuleCtx *ctx, RedisModuleString **argv, int argc) {
    REDISMODULE_NOT_USED(argv);
    REDISMODULE_NOT_USED(argc);
    RedisModule_ReplyWithArray(ctx, 1);
    RedisModule_ReplyWithLongLong(ctx, 1);
    RedisModule_ReplyWithLongLong(ctx, 2);
    return REDISMODULE_OK;
}

static int map_short(RedisModuleCtx *ctx, RedisModuleString **argv, int argc) {
    REDISMODULE_NOT_USED(argv);
    REDISMODULE_NOT_USED(argc);
    RedisModule_ReplyWithMap(ctx, 2);
    RedisModule_ReplyWithCString(ctx, "k");
    RedisModule_ReplyWithLongLong(ctx, 1);
    return REDISMODULE_OK;
}

static int postponed_never(RedisModuleCtx *ctx, RedisModuleString **argv, int argc) {
    REDISMODULE_NOT_USED(argv);
    REDISMODULE_NOT_USED(argc);
    RedisModule_ReplyWithArray(ctx, REDISMODULE_POSTPONED_LEN);
    RedisModule_ReplyWithLongLong(ctx, 1);
    return REDISMODULE_OK;
}

static int postponed_wrong(RedisModuleCtx *ctx, RedisModuleString **argv, int argc) {
    REDISMODULE_NOT_USED(argv);
    REDISMODULE_NOT_USED(argc);
    RedisModule_ReplyWithArray(ctx, REDISMODULE_POSTPONED_LEN);
    RedisModule_ReplyWithLongLong(ctx, 1);
    RedisModule_ReplyWithLongLong(ctx, 2);
    RedisModule_ReplySetArrayLength(ctx, 5);
    return REDISMODULE_OK;
}

static int two_replies(RedisModuleCtx *ctx, RedisModuleString **argv, int argc) {
    REDISMODULE_NOT_USED(argv);
    REDISMODULE_NOT_USED(argc);
    RedisModule_ReplyWithLongLong(ctx, 1);
    RedisModule_ReplyWithLongLong(ctx, 2);
    return REDISMODULE_OK;
}

static int no_reply(RedisModuleCtx *ctx, RedisModuleString **argv, int argc) {
    REDISMODULE_NOT_USED(ctx);
    REDISMODULE_NOT_USED(argv);
    REDISMODULE_NOT_USED(argc);
    return REDISMODULE_OK;
}

static int save_ctx(RedisModuleCtx *ctx, RedisModuleString **argv, int argc) {
    REDISMODULE_NOT_USED(argv);
    REDISMODULE_NOT_USED(argc);
    saved_ctx = ctx;
    return RedisModule_ReplyWithSimpleString(ctx, "OK");
}

static int late_reply(RedisModuleCtx *ctx, RedisModuleString **argv, int argc) {
    REDISMODULE_NOT_USED(argv);
    REDISMODULE_NOT_USED(argc);
    if (saved_ctx == NULL) return RedisModule_ReplyWithError(ctx, "ERR call misuse.save_ctx first");
    RedisModule_ReplyWithLongLong(saved_ctx, 7);
    return RedisModule_ReplyWithLongLong(ctx, 1);
}

/* ---- keys, command flags, leaks (docs/CONFORMANCE.md) ---- */

/* Opens argv[1] for writing without AutoMemory and never closes it. */
static int key_unclosed(RedisModuleCtx *ctx, RedisModuleString **argv, int argc) {
    if (argc != 2) return RedisModule_WrongArity(ctx);
    RedisModule_OpenKey(ctx, argv[1], REDISMODULE_READ | REDISMODULE_WRITE);
    return RedisModule_ReplyWithSimpleString(ctx, "OK");
}

/* StringSet through a key opened READ only: replies with its result. */
static int write_readkey(RedisModuleCtx *ctx, RedisModuleString **argv, int argc) {
    if (argc != 3) return RedisModule_WrongArity(ctx);
    RedisModuleKey *k = RedisModule_OpenKey(ctx, argv[1], REDISMODULE_READ);
    if (k == NULL) return RedisModule_ReplyWithError(ctx, "ERR no such key");
    int rc = RedisModule_StringSet(k, argv[2]);
    RedisModule_CloseKey(k);
    return RedisModule_ReplyWithLongLong(ctx, rc);
}

/* A "readonly" command that writes through the key API. */
static int ro_keywrite(RedisModuleCtx *ctx, RedisModuleString **argv, int argc) {
    if (argc != 3) return RedisModule_WrongArity(ctx);
    RedisModuleKey *k = RedisModule_OpenKey(ctx, argv[1], REDISMODULE_WRITE);
    RedisModule_StringSet(k, argv[2]);
    RedisModule_CloseKey(k);
    return RedisModule_ReplyWithSimpleString(ctx, "OK");
}

/* A "readonly" command that calls SET. */
static int ro_call(RedisModuleCtx *ctx, RedisModuleString **argv, int argc) {
    if (argc != 3) return RedisModule_WrongArity(ctx);
    RedisModuleCallReply *r = RedisModule_Call(ctx, "SET", "ss", argv[1], argv[2]);
    RedisModule_FreeCallReply(r);
    return RedisModule_ReplyWithSimpleString(ctx, "OK");
}

/* A command with no flags that replicates (argv[1]: "verbatim" or not). */
static int repl_noflag(RedisModuleCtx *ctx, RedisModuleString **argv, int argc) {
    if (argc == 2) RedisModule_ReplicateVerbatim(ctx);
    else RedisModule_Replicate(ctx, "SET", "cc", "misuse.repl", "1");
    return RedisModule_ReplyWithSimpleString(ctx, "OK");
}

static void timer_cb(RedisModuleCtx *ctx, void *data) {
    REDISMODULE_NOT_USED(ctx);
    REDISMODULE_NOT_USED(data);
}

/* Arms a timer an hour away (held at SHUTDOWN). */
static int leak_timer(RedisModuleCtx *ctx, RedisModuleString **argv, int argc) {
    REDISMODULE_NOT_USED(argv);
    REDISMODULE_NOT_USED(argc);
    RedisModule_CreateTimer(ctx, 3600 * 1000, timer_cb, NULL);
    return RedisModule_ReplyWithSimpleString(ctx, "OK");
}

/* Blocks its client with no timeout and never unblocks it (held at
 * SHUTDOWN). */
static int leak_block(RedisModuleCtx *ctx, RedisModuleString **argv, int argc) {
    REDISMODULE_NOT_USED(argv);
    REDISMODULE_NOT_USED(argc);
    RedisModule_BlockClient(ctx, NULL, NULL, NULL, 0);
    return REDISMODULE_OK;
}

/* Opens argv[1] with a detached thread-safe context, both kept forever. */
static int leak_key(RedisModuleCtx *ctx, RedisModuleString **argv, int argc) {
    if (argc != 2) return RedisModule_WrongArity(ctx);
    RedisModuleCtx *tsc = RedisModule_GetDetachedThreadSafeContext(ctx);
    RedisModule_OpenKey(tsc, argv[1], REDISMODULE_READ);
    return RedisModule_ReplyWithSimpleString(ctx, "OK");
}

/* Leaks for the strict-mode summaries at MODULE UNLOAD and SHUTDOWN: what
 * the commands below keep is never freed. */
static void *kept_allocs[16];
static int n_kept_allocs;
static RedisModuleString *kept_strings[16];
static int n_kept_strings;
static RedisModuleCallReply *kept_replies[16];
static int n_kept_replies;

static void keep_alloc(void *p) {
    if (n_kept_allocs < 16) kept_allocs[n_kept_allocs++] = p;
}

/* Keeps five blocks (Alloc, Calloc, Realloc, Strdup, TryAlloc: 79 bytes)
 * and frees two others properly. */
static int leak_alloc(RedisModuleCtx *ctx, RedisModuleString **argv, int argc) {
    REDISMODULE_NOT_USED(argv);
    REDISMODULE_NOT_USED(argc);
    keep_alloc(RedisModule_Alloc(10));
    keep_alloc(RedisModule_Calloc(2, 8));
    keep_alloc(RedisModule_Realloc(RedisModule_Alloc(4), 40));
    keep_alloc(RedisModule_Strdup("leak"));
    keep_alloc(RedisModule_TryAlloc(8));
    void *freed = RedisModule_Realloc(RedisModule_Alloc(100), 200);
    RedisModule_Free(freed);
    RedisModule_Free(RedisModule_Calloc(1, 64));
    return RedisModule_ReplyWithSimpleString(ctx, "OK");
}

/* Frees what leak_alloc kept (with strict mode off when it was kept, the
 * frees must still work). */
static int free_kept(RedisModuleCtx *ctx, RedisModuleString **argv, int argc) {
    REDISMODULE_NOT_USED(argv);
    REDISMODULE_NOT_USED(argc);
    while (n_kept_allocs > 0) RedisModule_Free(kept_allocs[--n_kept_allocs]);
    return RedisModule_ReplyWithSimpleString(ctx, "OK");
}

/* Keeps a string created without AutoMemory and the retained argv[1];
 * frees a third string properly. */
static int leak_string(RedisModuleCtx *ctx, RedisModuleString **argv, int argc) {
    if (argc != 2) return RedisModule_WrongArity(ctx);
    if (n_kept_strings < 15) {
        kept_strings[n_kept_strings++] = RedisModule_CreateString(NULL, "leak", 4);
        RedisModule_RetainString(NULL, argv[1]);
        kept_strings[n_kept_strings++] = argv[1];
    }
    RedisModule_FreeString(ctx, RedisModule_CreateString(ctx, "freed", 5));
    return RedisModule_ReplyWithSimpleString(ctx, "OK");
}

/* Keeps the reply of a Call made without AutoMemory. */
static int leak_callreply(RedisModuleCtx *ctx, RedisModuleString **argv, int argc) {
    REDISMODULE_NOT_USED(argv);
    REDISMODULE_NOT_USED(argc);
    if (n_kept_replies < 16) kept_replies[n_kept_replies++] = RedisModule_Call(ctx, "PING", "");
    RedisModule_FreeCallReply(RedisModule_Call(ctx, "PING", ""));
    return RedisModule_ReplyWithSimpleString(ctx, "OK");
}

/* The same commands with AutoMemory on: nothing is left. */
static int no_leak_am(RedisModuleCtx *ctx, RedisModuleString **argv, int argc) {
    REDISMODULE_NOT_USED(argv);
    REDISMODULE_NOT_USED(argc);
    RedisModule_AutoMemory(ctx);
    RedisModule_CreateString(ctx, "am", 2);
    RedisModule_Call(ctx, "PING", "");
    return RedisModule_ReplyWithSimpleString(ctx, "OK");
}

/* Type "misaof": one integer whose aof_rewrite emits the wrong value. */
static RedisModuleType *aof_type;

static void aof_save(RedisModuleIO *io, void *v) { RedisModule_SaveSigned(io, *(long long *)v); }

static void *aof_load(RedisModuleIO *io, int encver) {
    REDISMODULE_NOT_USED(encver);
    long long *p = RedisModule_Alloc(sizeof(*p));
    *p = RedisModule_LoadSigned(io);
    return p;
}

static void aof_rewrite_wrong(RedisModuleIO *io, RedisModuleString *key, void *v) {
    RedisModule_EmitAOF(io, "misuse.aof_set", "sl", key, *(long long *)v + 1); /* the bug: off by one */
}

static void aof_free(void *v) { RedisModule_Free(v); }

/* MISUSE.AOF_SET key n: stores a misaof value. */
static int aof_set(RedisModuleCtx *ctx, RedisModuleString **argv, int argc) {
    if (argc != 3) return RedisModule_WrongArity(ctx);
    long long n;
    if (RedisModule_StringToLongLong(argv[2], &n) != REDISMODULE_OK)
        return RedisModule_ReplyWithError(ctx, "ERR not an integer");
    RedisModuleKey *k = RedisModule_OpenKey(ctx, argv[1], REDISMODULE_WRITE);
    long long *p = RedisModule_Alloc(sizeof(*p));
    *p = n;
    RedisModule_ModuleTypeSetValue(k, aof_type, p);
    RedisModule_CloseKey(k);
    return RedisModule_ReplyWithSimpleString(ctx, "OK");
}

/* Type "mislossy": a pair of integers whose rdb_load drops the second. */
typedef struct { long long a, b; } lossy;
static RedisModuleType *lossy_type;

static void lossy_save(RedisModuleIO *io, void *v) {
    lossy *p = v;
    RedisModule_SaveSigned(io, p->a);
    RedisModule_SaveSigned(io, p->b);
}

static void *lossy_load(RedisModuleIO *io, int encver) {
    REDISMODULE_NOT_USED(encver);
    lossy *p = RedisModule_Calloc(1, sizeof(*p));
    p->a = RedisModule_LoadSigned(io);
    (void)RedisModule_LoadSigned(io); /* the bug: b is read but not kept */
    return p;
}

static void lossy_rewrite(RedisModuleIO *io, RedisModuleString *key, void *v) {
    lossy *p = v;
    RedisModule_EmitAOF(io, "misuse.lossy_set", "sll", key, p->a, p->b);
}

static void lossy_free(void *v) { RedisModule_Free(v); }

/* MISUSE.LOSSY_SET key a b: stores a mislossy value. */
static int lossy_set(RedisModuleCtx *ctx, RedisModuleString **argv, int argc) {
    if (argc != 4) return RedisModule_WrongArity(ctx);
    long long a, b;
    if (RedisModule_StringToLongLong(argv[2], &a) != REDISMODULE_OK ||
        RedisModule_StringToLongLong(argv[3], &b) != REDISMODULE_OK)
        return RedisModule_ReplyWithError(ctx, "ERR not an integer");
    RedisModuleKey *k = RedisModule_OpenKey(ctx, argv[1], REDISMODULE_WRITE);
    lossy *p = RedisModule_Calloc(1, sizeof(*p));
    p->a = a;
    p->b = b;
    RedisModule_ModuleTypeSetValue(k, lossy_type, p);
    RedisModule_CloseKey(k);
    return RedisModule_ReplyWithSimpleString(ctx, "OK");
}

/* Type "miskeyed": the value is only a marker; its text lives in a module
 * dict under "<db>:<key>", which rdb_load fills and unlink empties (the
 * callbacks learn the key from the io and the KeyOptCtx). Its digest adds
 * the text but never ends the sequence (the misuse). */
static RedisModuleType *keyed_type;
static RedisModuleDict *keyed_texts;

/* keyed_name formats the dict key of key in db into buf. */
static size_t keyed_name(char *buf, size_t cap, int db, const RedisModuleString *key) {
    size_t len;
    const char *k = RedisModule_StringPtrLen(key, &len);
    int n = snprintf(buf, cap, "%d:%.*s", db, (int)len, k);
    return n < 0 ? 0 : ((size_t)n < cap ? (size_t)n : cap - 1);
}

/* keyed_put replaces the text of key in db (freeing the old one). */
static void keyed_put(int db, const RedisModuleString *key, RedisModuleString *text) {
    char buf[256];
    size_t n = keyed_name(buf, sizeof(buf), db, key);
    RedisModuleString *old = NULL;
    RedisModule_DictDelC(keyed_texts, buf, n, &old);
    if (old) RedisModule_FreeString(NULL, old);
    RedisModule_DictSetC(keyed_texts, buf, n, text);
}

/* keyed_text returns the text of key in db, or NULL. */
static RedisModuleString *keyed_text(int db, const RedisModuleString *key) {
    char buf[256];
    size_t n = keyed_name(buf, sizeof(buf), db, key);
    return RedisModule_DictGetC(keyed_texts, buf, n, NULL);
}

static void keyed_save(RedisModuleIO *io, void *v) {
    REDISMODULE_NOT_USED(v);
    RedisModuleString *t = keyed_text(RedisModule_GetDbIdFromIO(io), RedisModule_GetKeyNameFromIO(io));
    if (t)
        RedisModule_SaveString(io, t);
    else
        RedisModule_SaveStringBuffer(io, "", 0);
}

static void *keyed_load(RedisModuleIO *io, int encver) {
    REDISMODULE_NOT_USED(encver);
    keyed_put(RedisModule_GetDbIdFromIO(io), RedisModule_GetKeyNameFromIO(io), RedisModule_LoadString(io));
    return RedisModule_Calloc(1, sizeof(long));
}

static void keyed_rewrite(RedisModuleIO *io, RedisModuleString *key, void *v) {
    REDISMODULE_NOT_USED(v);
    RedisModuleString *t = keyed_text(RedisModule_GetDbIdFromIO(io), key);
    if (t) RedisModule_EmitAOF(io, "misuse.keyed_set", "ss", key, t);
}

static void keyed_digest(RedisModuleDigest *md, void *v) {
    REDISMODULE_NOT_USED(v);
    RedisModuleString *t = keyed_text(RedisModule_GetDbIdFromDigest(md), RedisModule_GetKeyNameFromDigest(md));
    size_t len = 0;
    const char *p = t ? RedisModule_StringPtrLen(t, &len) : "";
    RedisModule_DigestAddStringBuffer(md, p, len); /* the misuse: no DigestEndSequence */
}

static void keyed_unlink2(RedisModuleKeyOptCtx *oc, const void *v) {
    REDISMODULE_NOT_USED(v);
    char buf[256];
    size_t n = keyed_name(buf, sizeof(buf), RedisModule_GetDbIdFromOptCtx(oc), RedisModule_GetKeyNameFromOptCtx(oc));
    RedisModuleString *old = NULL;
    RedisModule_DictDelC(keyed_texts, buf, n, &old);
    if (old) RedisModule_FreeString(NULL, old);
}

static void *keyed_copy2(RedisModuleKeyOptCtx *oc, const void *v) {
    REDISMODULE_NOT_USED(v);
    RedisModuleString *t = keyed_text(RedisModule_GetDbIdFromOptCtx(oc), RedisModule_GetKeyNameFromOptCtx(oc));
    if (t == NULL) return NULL;
    keyed_put(RedisModule_GetToDbIdFromOptCtx(oc), RedisModule_GetToKeyNameFromOptCtx(oc),
              RedisModule_CreateStringFromString(NULL, t));
    return RedisModule_Calloc(1, sizeof(long));
}

static void keyed_free(void *v) { RedisModule_Free(v); }

/* MISUSE.KEYED_SET key text: stores a miskeyed value. */
static int keyed_set(RedisModuleCtx *ctx, RedisModuleString **argv, int argc) {
    if (argc != 3) return RedisModule_WrongArity(ctx);
    RedisModuleKey *k = RedisModule_OpenKey(ctx, argv[1], REDISMODULE_WRITE);
    if (RedisModule_KeyType(k) != REDISMODULE_KEYTYPE_EMPTY && RedisModule_ModuleTypeGetType(k) != keyed_type) {
        RedisModule_CloseKey(k);
        return RedisModule_ReplyWithError(ctx, REDISMODULE_ERRORMSG_WRONGTYPE);
    }
    if (RedisModule_KeyType(k) == REDISMODULE_KEYTYPE_EMPTY)
        RedisModule_ModuleTypeSetValue(k, keyed_type, RedisModule_Calloc(1, sizeof(long)));
    keyed_put(RedisModule_GetSelectedDb(ctx), argv[1], RedisModule_CreateStringFromString(NULL, argv[2]));
    RedisModule_CloseKey(k);
    return RedisModule_ReplyWithSimpleString(ctx, "OK");
}

/* MISUSE.KEYED_GET key: the text kept for key, or nil. */
static int keyed_get(RedisModuleCtx *ctx, RedisModuleString **argv, int argc) {
    if (argc != 2) return RedisModule_WrongArity(ctx);
    RedisModuleString *t = keyed_text(RedisModule_GetSelectedDb(ctx), argv[1]);
    return t ? RedisModule_ReplyWithString(ctx, t) : RedisModule_ReplyWithNull(ctx);
}

static void *onload_buf;

int RedisModule_OnLoad(RedisModuleCtx *ctx, RedisModuleString **argv, int argc) {
    REDISMODULE_NOT_USED(argv);
    REDISMODULE_NOT_USED(argc);
    if (RedisModule_Init(ctx, "misuse", 1, REDISMODULE_APIVER_1) == REDISMODULE_ERR) return REDISMODULE_ERR;
    onload_buf = RedisModule_Alloc(32); /* never freed: no OnUnload */
    static const struct {
        const char *name;
        RedisModuleCmdFunc fn;
    } cmds[] = {
        {"misuse.doublefree_string", doublefree_string},
        {"misuse.doublefree_callreply", doublefree_callreply},
        {"misuse.free_argv", free_argv},
        {"misuse.use_freed_string", use_freed_string},
        {"misuse.use_freed_callreply", use_freed_callreply},
        {"misuse.keep_string", keep_string},
        {"misuse.use_kept", use_kept},
        {"misuse.array_short", array_short},
        {"misuse.array_long", array_long},
        {"misuse.map_short", map_short},
        {"misuse.postponed_never", postponed_never},
        {"misuse.postponed_wrong", postponed_wrong},
        {"misuse.two_replies", two_replies},
        {"misuse.no_reply", no_reply},
        {"misuse.save_ctx", save_ctx},
        {"misuse.late_reply", late_reply},
    };
    for (size_t i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++) {
        if (RedisModule_CreateCommand(ctx, cmds[i].name, cmds[i].fn, "readonly", 0, 0, 0) == REDISMODULE_ERR)
            return REDISMODULE_ERR;
    }
    static const struct {
        const char *name;
        RedisModuleCmdFunc fn;
        const char *flags;
        int first, last;
    } more[] = {
        {"misuse.key_unclosed", key_unclosed, "write", 1, 1},
        {"misuse.write_readkey", write_readkey, "write", 1, 1},
        {"misuse.ro_keywrite", ro_keywrite, "readonly", 1, 1},
        {"misuse.ro_call", ro_call, "readonly", 1, 1},
        {"misuse.repl_noflag", repl_noflag, "", 0, 0},
        {"misuse.leak_timer", leak_timer, "", 0, 0},
        {"misuse.leak_block", leak_block, "", 0, 0},
        {"misuse.leak_key", leak_key, "readonly", 1, 1},
        {"misuse.lossy_set", lossy_set, "write", 1, 1},
        {"misuse.aof_set", aof_set, "write", 1, 1},
        {"misuse.keyed_set", keyed_set, "write", 1, 1},
        {"misuse.keyed_get", keyed_get, "readonly", 1, 1},
        {"misuse.leak_alloc", leak_alloc, "", 0, 0},
        {"misuse.free_kept", free_kept, "", 0, 0},
        {"misuse.leak_string", leak_string, "", 0, 0},
        {"misuse.leak_callreply", leak_callreply, "", 0, 0},
        {"misuse.no_leak_am", no_leak_am, "", 0, 0},
    };
    for (size_t i = 0; i < sizeof(more) / sizeof(more[0]); i++) {
        if (RedisModule_CreateCommand(ctx, more[i].name, more[i].fn, more[i].flags, more[i].first, more[i].last,
                                      more[i].first ? 1 : 0) == REDISMODULE_ERR)
            return REDISMODULE_ERR;
    }
    /* The type only with the argument "types": a module with a data type
     * cannot be unloaded. */
    if (argc < 1 || strcasecmp(RedisModule_StringPtrLen(argv[0], NULL), "types") != 0) return REDISMODULE_OK;
    RedisModuleTypeMethods tm = {
        .version = REDISMODULE_TYPE_METHOD_VERSION,
        .rdb_load = lossy_load,
        .rdb_save = lossy_save,
        .aof_rewrite = lossy_rewrite,
        .free = lossy_free,
    };
    lossy_type = RedisModule_CreateDataType(ctx, "mislossy0", 0, &tm);
    if (lossy_type == NULL) return REDISMODULE_ERR;
    RedisModuleTypeMethods am = {
        .version = REDISMODULE_TYPE_METHOD_VERSION,
        .rdb_load = aof_load,
        .rdb_save = aof_save,
        .aof_rewrite = aof_rewrite_wrong,
        .free = aof_free,
    };
    aof_type = RedisModule_CreateDataType(ctx, "misaof000", 0, &am);
    if (aof_type == NULL) return REDISMODULE_ERR;
    RedisModuleTypeMethods km = {
        .version = REDISMODULE_TYPE_METHOD_VERSION,
        .rdb_load = keyed_load,
        .rdb_save = keyed_save,
        .aof_rewrite = keyed_rewrite,
        .digest = keyed_digest,
        .free = keyed_free,
        .unlink2 = keyed_unlink2,
        .copy2 = keyed_copy2,
    };
    keyed_texts = RedisModule_CreateDict(NULL);
    keyed_type = RedisModule_CreateDataType(ctx, "miskeyed0", 0, &km);
    if (keyed_type == NULL) return REDISMODULE_ERR;
    return REDISMODULE_OK;
}
