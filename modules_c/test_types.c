/*
 * test_types.c - coverage module for module data types and RDB I/O.
 *
 * Type "mhtypes01" (encver 3, methods version 5, every callback) holds a
 * record: a label, a double, a float, a long double and a list of signed
 * integers. Types "mhtypev01".."mhtypev04" register the same callbacks with
 * methods versions 1-4 (the host must ignore fields past the version).
 *
 *   TYPES.SET key label d f ld [int ...]  -> OK (ModuleTypeSetValue)
 *   TYPES.SETV n key label                -> OK, value of type mhtypev0<n>
 *   TYPES.GET key                         -> [label, d, f, ld, [ints]] or null
 *   TYPES.INFO key                        -> [KeyType, GetType is ours, GetValue != NULL]
 *   TYPES.SETRO key                       -> ModuleTypeSetValue on a READ key
 *   TYPES.CHECKS                          -> CreateDataType results recorded in OnLoad
 *   TYPES.LATE                            -> CreateDataType after OnLoad (NULL expected)
 *   TYPES.TOSTR key / TYPES.FROMSTR key s -> SaveDataTypeToString / LoadDataTypeFromString
 *   TYPES.AUX [n]                         -> the aux counter (set it with n)
 *   TYPES.IOKEYS                          -> key names and dbs rdb_save/rdb_load saw last
 *   TYPES.COUNTERS                        -> [free, unlink, free_effort, copy, aux_save, aux_save v1]
 *   TYPES.FORK code | TYPES.FORKKILL      -> child pid > 0 (child exits with code / sleeps and is killed)
 *   TYPES.FORKDONE                        -> [done calls, last exitcode, last bysignal]
 *   TYPES.LASTOPT                         -> [copy2 from, to, from db, to db, unlink2 key, db,
 *                                             free_effort2 key, db] (mhtypes01 only)
 *   TYPES.REPLACE key label               -> old label (ModuleTypeReplaceValue; the old
 *                                             value is freed by the command), error if ERR
 *   TYPES.DELKEY key / TYPES.UNLINKKEY key -> DeleteKey / UnlinkKey result
 *   TYPES.INSLOWLOAD / TYPES.SLOWRELEASE    -> (allow-loading) 1 while rdb_load of a
 *                                             record labelled "slowload" yields; lets it finish
 *
 * mhtypes01 uses copy2/unlink2/free_effort2 (the v4 callbacks, preferred
 * over copy/unlink/free_effort); copy2 returns NULL for a value labelled
 * "nocopy". The v1/v2 types have no copy callback at all.
 *
 * Module arguments: "handleio" sets REDISMODULE_OPTIONS_HANDLE_IO_ERRORS;
 * "badload" makes rdb_load return NULL.
 *
 * A record labelled "slowload" makes rdb_load loop on RedisModule_Yield
 * until TYPES.SLOWRELEASE (then the flag is re-armed for the next load).
 *
 * A record labelled "failload" saves normally, but rdb_load reads it whole
 * and then returns NULL (a module refusing a value: RESTORE answers "Bad
 * data format", a start-up load stops).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "redismodule.h"

#define ENCVER 3

typedef struct rec {
    char *label;
    double d;
    float f;
    long double ld;
    long long *ints;
    size_t n;
} rec;

static RedisModuleType *rtype;
static RedisModuleType *vtypes[5];
static long long aux_counter, n_free, n_unlink, n_effort, n_copy, n_auxsave, n_auxsave_v1;
static int badload;
static int checks[8];
static char savekey[64], loadkey[64];
static int savedb = -2, loaddb = -2;
static char copyfrom[64] = "-", copyto[64] = "-", unlinkkey[64] = "-", effortkey[64] = "-";
static int copyfromdb = -2, copytodb = -2, unlinkdb = -2, effortdb = -2;

static rec *rec_new(const char *label, size_t n) {
    rec *r = RedisModule_Calloc(1, sizeof(*r));
    r->label = RedisModule_Strdup(label);
    r->n = n;
    r->ints = n ? RedisModule_Calloc(n, sizeof(long long)) : NULL;
    return r;
}

static void rec_free(void *p) {
    rec *r = p;
    n_free++;
    RedisModule_Free(r->label);
    RedisModule_Free(r->ints);
    RedisModule_Free(r);
}

static void note_key(char *dst, int *db, const RedisModuleString *k, int dbid) {
    size_t len = 0;
    const char *s = k ? RedisModule_StringPtrLen(k, &len) : "(null)";
    if (!k) len = 6;
    if (len > 63) len = 63;
    memcpy(dst, s, len);
    dst[len] = 0;
    *db = dbid;
}

static void rec_save(RedisModuleIO *io, void *value) {
    rec *r = value;
    note_key(savekey, &savedb, RedisModule_GetKeyNameFromIO(io), RedisModule_GetDbIdFromIO(io));
    RedisModule_SaveStringBuffer(io, r->label, strlen(r->label));
    RedisModule_SaveDouble(io, r->d);
    RedisModule_SaveFloat(io, r->f);
    RedisModule_SaveLongDouble(io, r->ld);
    RedisModule_SaveUnsigned(io, r->n);
    for (size_t i = 0; i < r->n; i++) RedisModule_SaveSigned(io, r->ints[i]);
}

static volatile int in_slow_load, slow_release;

/* rdb_load of a "slowload" record: yield until TYPES.SLOWRELEASE. */
static void slow_load(RedisModuleIO *io) {
    RedisModuleCtx *ctx = RedisModule_GetContextFromIO(io);
    in_slow_load = 1;
    while (!slow_release) {
        RedisModule_Yield(ctx, REDISMODULE_YIELD_FLAG_CLIENTS, "Slow load");
        usleep(1000);
    }
    in_slow_load = 0;
    slow_release = 0;
}

static int c_inslowload(RedisModuleCtx *ctx, RedisModuleString **argv, int argc) {
    REDISMODULE_NOT_USED(argv);
    REDISMODULE_NOT_USED(argc);
    return RedisModule_ReplyWithLongLong(ctx, in_slow_load);
}

static int c_slowrelease(RedisModuleCtx *ctx, RedisModuleString **argv, int argc) {
    REDISMODULE_NOT_USED(argv);
    REDISMODULE_NOT_USED(argc);
    slow_release = 1;
    return RedisModule_ReplyWithSimpleString(ctx, "OK");
}

static void *rec_load(RedisModuleIO *io, int encver) {
    if (encver > ENCVER || badload) {
        RedisModule_LogIOError(io, "warning", "cannot load encver %d", encver);
        return NULL;
    }
    note_key(loadkey, &loaddb, RedisModule_GetKeyNameFromIO(io), RedisModule_GetDbIdFromIO(io));
    size_t len;
    char *label = RedisModule_LoadStringBuffer(io, &len);
    if (label == NULL) return NULL;
    char buf[256];
    if (len > 255) len = 255;
    memcpy(buf, label, len);
    buf[len] = 0;
    RedisModule_Free(label);
    if (strcmp(buf, "slowload") == 0) slow_load(io);
    double d = RedisModule_LoadDouble(io);
    float f = RedisModule_LoadFloat(io);
    long double ld = RedisModule_LoadLongDouble(io);
    uint64_t n = RedisModule_LoadUnsigned(io);
    if (RedisModule_IsIOError(io) || n > 1000000) return NULL;
    rec *r = rec_new(buf, n);
    r->d = d;
    r->f = f;
    r->ld = ld;
    for (size_t i = 0; i < n; i++) r->ints[i] = RedisModule_LoadSigned(io);
    if (RedisModule_IsIOError(io) || strcmp(buf, "failload") == 0) {
        rec_free(r);
        n_free--;
        return NULL;
    }
    return r;
}

static void rec_rewrite(RedisModuleIO *aof, RedisModuleString *key, void *value) {
    rec *r = value;
    char d[64], f[64], ld[64];
    snprintf(d, sizeof(d), "%.17g", r->d);
    snprintf(f, sizeof(f), "%.9g", (double)r->f);
    snprintf(ld, sizeof(ld), "%.6Lf", r->ld);
    RedisModule_EmitAOF(aof, "TYPES.SET", "scccc", key, r->label, d, f, ld);
    for (size_t i = 0; i < r->n; i++) RedisModule_EmitAOF(aof, "RPUSH", "cl", "ints", r->ints[i]);
}

static size_t rec_mem(const void *value) {
    const rec *r = value;
    return sizeof(*r) + strlen(r->label) + 1 + r->n * sizeof(long long);
}

static void rec_digest(RedisModuleDigest *md, void *value) {
    rec *r = value;
    RedisModule_DigestAddStringBuffer(md, r->label, strlen(r->label));
    RedisModule_DigestAddLongLong(md, (long long)r->d);
    RedisModule_DigestEndSequence(md);
    for (size_t i = 0; i < r->n; i++) {
        RedisModule_DigestAddLongLong(md, r->ints[i]);
        RedisModule_DigestEndSequence(md);
    }
}

static int aux_load(RedisModuleIO *io, int encver, int when) {
    if (encver > ENCVER) return REDISMODULE_ERR;
    long long v = RedisModule_LoadSigned(io);
    long long w = (long long)RedisModule_LoadUnsigned(io);
    if (RedisModule_IsIOError(io) || w != when) return REDISMODULE_ERR;
    if (when == REDISMODULE_AUX_AFTER_RDB) aux_counter = v;
    return REDISMODULE_OK;
}

static void aux_save(RedisModuleIO *io, int when) {
    n_auxsave++;
    RedisModule_SaveSigned(io, when == REDISMODULE_AUX_AFTER_RDB ? aux_counter : -1);
    RedisModule_SaveUnsigned(io, (uint64_t)when);
}

static void aux_save_v1(RedisModuleIO *io, int when) {
    n_auxsave_v1++;
    aux_save(io, when);
}

static size_t rec_effort(RedisModuleString *key, const void *value) {
    REDISMODULE_NOT_USED(key);
    n_effort++;
    return ((const rec *)value)->n;
}

static void rec_unlink(RedisModuleString *key, const void *value) {
    REDISMODULE_NOT_USED(key);
    REDISMODULE_NOT_USED(value);
    n_unlink++;
}

static void *rec_copy(RedisModuleString *from, RedisModuleString *to, const void *value) {
    REDISMODULE_NOT_USED(from);
    REDISMODULE_NOT_USED(to);
    const rec *src = value;
    rec *r = rec_new(src->label, src->n);
    r->d = src->d;
    r->f = src->f;
    r->ld = src->ld;
    if (src->n) memcpy(r->ints, src->ints, src->n * sizeof(long long));
    n_copy++;
    return r;
}

static void *rec_copy2(RedisModuleKeyOptCtx *oc, const void *value) {
    int ignored;
    note_key(copyfrom, &copyfromdb, RedisModule_GetKeyNameFromOptCtx(oc), RedisModule_GetDbIdFromOptCtx(oc));
    note_key(copyto, &ignored, RedisModule_GetToKeyNameFromOptCtx(oc), 0);
    copytodb = RedisModule_GetToDbIdFromOptCtx(oc);
    if (!strcmp(((const rec *)value)->label, "nocopy")) return NULL;
    return rec_copy(NULL, NULL, value);
}

static void rec_unlink2(RedisModuleKeyOptCtx *oc, const void *value) {
    note_key(unlinkkey, &unlinkdb, RedisModule_GetKeyNameFromOptCtx(oc), RedisModule_GetDbIdFromOptCtx(oc));
    rec_unlink(NULL, value);
}

static size_t rec_effort2(RedisModuleKeyOptCtx *oc, const void *value) {
    note_key(effortkey, &effortdb, RedisModule_GetKeyNameFromOptCtx(oc), RedisModule_GetDbIdFromOptCtx(oc));
    return rec_effort(NULL, value);
}

static RedisModuleType *open_rec(RedisModuleCtx *ctx, RedisModuleString *key, int mode, RedisModuleKey **out) {
    RedisModuleKey *k = RedisModule_OpenKey(ctx, key, mode);
    *out = k;
    if (RedisModule_KeyType(k) != REDISMODULE_KEYTYPE_MODULE) return NULL;
    return RedisModule_ModuleTypeGetType(k);
}

static int c_set(RedisModuleCtx *ctx, RedisModuleString **argv, int argc) {
    if (argc < 6) return RedisModule_WrongArity(ctx);
    RedisModule_AutoMemory(ctx);
    RedisModuleKey *k = RedisModule_OpenKey(ctx, argv[1], REDISMODULE_READ | REDISMODULE_WRITE);
    int t = RedisModule_KeyType(k);
    if (t != REDISMODULE_KEYTYPE_EMPTY && RedisModule_ModuleTypeGetType(k) != rtype)
        return RedisModule_ReplyWithError(ctx, REDISMODULE_ERRORMSG_WRONGTYPE);
    double d;
    long double ld;
    if (RedisModule_StringToDouble(argv[3], &d) != REDISMODULE_OK ||
        RedisModule_StringToLongDouble(argv[5], &ld) != REDISMODULE_OK)
        return RedisModule_ReplyWithError(ctx, "ERR bad number");
    double f;
    if (RedisModule_StringToDouble(argv[4], &f) != REDISMODULE_OK)
        return RedisModule_ReplyWithError(ctx, "ERR bad number");
    rec *r = rec_new(RedisModule_StringPtrLen(argv[2], NULL), (size_t)(argc - 6));
    r->d = d;
    r->f = (float)f;
    r->ld = ld;
    for (int i = 6; i < argc; i++) {
        if (RedisModule_StringToLongLong(argv[i], &r->ints[i - 6]) != REDISMODULE_OK) {
            rec_free(r);
            n_free--;
            return RedisModule_ReplyWithError(ctx, "ERR bad integer");
        }
    }
    RedisModule_ModuleTypeSetValue(k, rtype, r);
    RedisModule_ReplicateVerbatim(ctx);
    return RedisModule_ReplyWithSimpleString(ctx, "OK");
}

static int c_setv(RedisModuleCtx *ctx, RedisModuleString **argv, int argc) {
    if (argc != 4) return RedisModule_WrongArity(ctx);
    RedisModule_AutoMemory(ctx);
    long long n;
    if (RedisModule_StringToLongLong(argv[1], &n) != REDISMODULE_OK || n < 1 || n > 4)
        return RedisModule_ReplyWithError(ctx, "ERR version 1-4");
    RedisModuleKey *k = RedisModule_OpenKey(ctx, argv[2], REDISMODULE_WRITE);
    rec *r = rec_new(RedisModule_StringPtrLen(argv[3], NULL), 0);
    RedisModule_ModuleTypeSetValue(k, vtypes[n], r);
    return RedisModule_ReplyWithSimpleString(ctx, "OK");
}

static int c_get(RedisModuleCtx *ctx, RedisModuleString **argv, int argc) {
    if (argc != 2) return RedisModule_WrongArity(ctx);
    RedisModule_AutoMemory(ctx);
    RedisModuleKey *k;
    RedisModuleType *t = open_rec(ctx, argv[1], REDISMODULE_READ, &k);
    if (k == NULL || RedisModule_KeyType(k) == REDISMODULE_KEYTYPE_EMPTY) return RedisModule_ReplyWithNull(ctx);
    if (t == NULL) return RedisModule_ReplyWithError(ctx, REDISMODULE_ERRORMSG_WRONGTYPE);
    rec *r = RedisModule_ModuleTypeGetValue(k);
    char ld[64];
    snprintf(ld, sizeof(ld), "%.6Lf", r->ld);
    RedisModule_ReplyWithArray(ctx, 5);
    RedisModule_ReplyWithCString(ctx, r->label);
    RedisModule_ReplyWithDouble(ctx, r->d);
    RedisModule_ReplyWithDouble(ctx, (double)r->f);
    RedisModule_ReplyWithCString(ctx, ld);
    RedisModule_ReplyWithArray(ctx, (long)r->n);
    for (size_t i = 0; i < r->n; i++) RedisModule_ReplyWithLongLong(ctx, r->ints[i]);
    return REDISMODULE_OK;
}

static int c_info(RedisModuleCtx *ctx, RedisModuleString **argv, int argc) {
    if (argc != 2) return RedisModule_WrongArity(ctx);
    RedisModule_AutoMemory(ctx);
    RedisModuleKey *k = RedisModule_OpenKey(ctx, argv[1], REDISMODULE_READ);
    RedisModuleType *t = RedisModule_ModuleTypeGetType(k);
    int which = -1;
    if (t == rtype) which = 0;
    for (int i = 1; i <= 4; i++)
        if (t != NULL && t == vtypes[i]) which = i;
    RedisModule_ReplyWithArray(ctx, 3);
    RedisModule_ReplyWithLongLong(ctx, RedisModule_KeyType(k));
    RedisModule_ReplyWithLongLong(ctx, which);
    RedisModule_ReplyWithLongLong(ctx, RedisModule_ModuleTypeGetValue(k) != NULL);
    return REDISMODULE_OK;
}

static int c_setro(RedisModuleCtx *ctx, RedisModuleString **argv, int argc) {
    if (argc != 2) return RedisModule_WrongArity(ctx);
    RedisModule_AutoMemory(ctx);
    RedisModuleKey *k = RedisModule_OpenKey(ctx, argv[1], REDISMODULE_READ);
    if (k == NULL) return RedisModule_ReplyWithNull(ctx);
    rec *r = rec_new("ro", 0);
    int rc = RedisModule_ModuleTypeSetValue(k, rtype, r);
    if (rc != REDISMODULE_OK) {
        rec_free(r);
        n_free--;
    }
    return RedisModule_ReplyWithLongLong(ctx, rc);
}

static long long fork_done_calls, fork_code, fork_sig;

static void fork_done(int exitcode, int bysignal, void *ud) {
    REDISMODULE_NOT_USED(ud);
    fork_done_calls++;
    fork_code = exitcode;
    fork_sig = bysignal;
}

static int c_fork(RedisModuleCtx *ctx, RedisModuleString **argv, int argc) {
    long long code = 0;
    int kill = !strcasecmp(RedisModule_StringPtrLen(argv[0], NULL), "types.forkkill");
    if ((!kill && argc != 2) || (kill && argc != 1)) return RedisModule_WrongArity(ctx);
    if (!kill && RedisModule_StringToLongLong(argv[1], &code) != REDISMODULE_OK)
        return RedisModule_ReplyWithError(ctx, "ERR bad integer");
    int pid = RedisModule_Fork(fork_done, NULL);
    if (pid == 0) { /* child: C work only */
        if (kill) sleep(30);
        RedisModule_ExitFromChild((int)code);
    }
    if (pid < 0) return RedisModule_ReplyWithError(ctx, "ERR fork failed");
    if (kill) return RedisModule_ReplyWithLongLong(ctx, RedisModule_KillForkChild(pid) == REDISMODULE_OK ? pid : -1);
    return RedisModule_ReplyWithLongLong(ctx, pid > 0);
}

/* TYPES.FORKHOLD: a child that sleeps until TYPES.FORKRELEASE kills it
 * (so a second fork meanwhile fails); replies 1. */
static int held_pid = -1;

static int c_forkhold(RedisModuleCtx *ctx, RedisModuleString **argv, int argc) {
    REDISMODULE_NOT_USED(argv);
    if (argc != 1) return RedisModule_WrongArity(ctx);
    int pid = RedisModule_Fork(NULL, NULL);
    if (pid == 0) {
        sleep(30);
        RedisModule_ExitFromChild(0);
    }
    if (pid < 0) return RedisModule_ReplyWithError(ctx, "ERR fork failed");
    held_pid = pid;
    return RedisModule_ReplyWithLongLong(ctx, 1);
}

static int c_forkrelease(RedisModuleCtx *ctx, RedisModuleString **argv, int argc) {
    REDISMODULE_NOT_USED(argv);
    if (argc != 1) return RedisModule_WrongArity(ctx);
    int rc = RedisModule_KillForkChild(held_pid);
    held_pid = -1;
    return RedisModule_ReplyWithLongLong(ctx, rc == REDISMODULE_OK);
}

static int c_forkdone(RedisModuleCtx *ctx, RedisModuleString **argv, int argc) {
    REDISMODULE_NOT_USED(argv);
    if (argc != 1) return RedisModule_WrongArity(ctx);
    RedisModule_ReplyWithArray(ctx, 3);
    RedisModule_ReplyWithLongLong(ctx, fork_done_calls);
    RedisModule_ReplyWithLongLong(ctx, fork_code);
    return RedisModule_ReplyWithLongLong(ctx, fork_sig);
}

static int c_lastopt(RedisModuleCtx *ctx, RedisModuleString **argv, int argc) {
    REDISMODULE_NOT_USED(argv);
    if (argc != 1) return RedisModule_WrongArity(ctx);
    RedisModule_ReplyWithArray(ctx, 8);
    RedisModule_ReplyWithCString(ctx, copyfrom);
    RedisModule_ReplyWithCString(ctx, copyto);
    RedisModule_ReplyWithLongLong(ctx, copyfromdb);
    RedisModule_ReplyWithLongLong(ctx, copytodb);
    RedisModule_ReplyWithCString(ctx, unlinkkey);
    RedisModule_ReplyWithLongLong(ctx, unlinkdb);
    RedisModule_ReplyWithCString(ctx, effortkey);
    return RedisModule_ReplyWithLongLong(ctx, effortdb);
}

static int c_replace(RedisModuleCtx *ctx, RedisModuleString **argv, int argc) {
    if (argc != 3) return RedisModule_WrongArity(ctx);
    if (!RMAPI_FUNC_SUPPORTED(RedisModule_ModuleTypeReplaceValue))
        return RedisModule_ReplyWithError(ctx, "ERR ModuleTypeReplaceValue not supported");
    RedisModule_AutoMemory(ctx);
    RedisModuleKey *k = RedisModule_OpenKey(ctx, argv[1], REDISMODULE_READ | REDISMODULE_WRITE);
    rec *r = rec_new(RedisModule_StringPtrLen(argv[2], NULL), 0);
    void *old = NULL;
    if (RedisModule_ModuleTypeReplaceValue(k, rtype, r, &old) != REDISMODULE_OK) {
        rec_free(r);
        n_free--;
        return RedisModule_ReplyWithError(ctx, "ERR replace failed");
    }
    RedisModule_ReplyWithCString(ctx, ((rec *)old)->label);
    rec_free(old);
    return REDISMODULE_OK;
}

static int c_delkey(RedisModuleCtx *ctx, RedisModuleString **argv, int argc) {
    if (argc != 2) return RedisModule_WrongArity(ctx);
    RedisModule_AutoMemory(ctx);
    RedisModuleKey *k = RedisModule_OpenKey(ctx, argv[1], REDISMODULE_READ | REDISMODULE_WRITE);
    int unlink = !strcasecmp(RedisModule_StringPtrLen(argv[0], NULL), "types.unlinkkey");
    return RedisModule_ReplyWithLongLong(ctx, unlink ? RedisModule_UnlinkKey(k) : RedisModule_DeleteKey(k));
}

static int c_checks(RedisModuleCtx *ctx, RedisModuleString **argv, int argc) {
    REDISMODULE_NOT_USED(argv);
    if (argc != 1) return RedisModule_WrongArity(ctx);
    RedisModule_ReplyWithArray(ctx, 8);
    for (int i = 0; i < 8; i++) RedisModule_ReplyWithLongLong(ctx, checks[i]);
    return REDISMODULE_OK;
}

static RedisModuleTypeMethods methods(int version) {
    RedisModuleTypeMethods tm = {
        .version = (uint64_t)version,
        .rdb_load = rec_load,
        .rdb_save = rec_save,
        .aof_rewrite = rec_rewrite,
        .mem_usage = rec_mem,
        .digest = rec_digest,
        .free = rec_free,
        .aux_load = aux_load,
        .aux_save = version == 1 ? aux_save_v1 : NULL,
        .aux_save_triggers = version == 1 ? REDISMODULE_AUX_BEFORE_RDB | REDISMODULE_AUX_AFTER_RDB : 0,
        .free_effort = rec_effort,
        .unlink = rec_unlink,
        .copy = rec_copy,
    };
    return tm;
}

static int c_late(RedisModuleCtx *ctx, RedisModuleString **argv, int argc) {
    REDISMODULE_NOT_USED(argv);
    if (argc != 1) return RedisModule_WrongArity(ctx);
    RedisModuleTypeMethods tm = methods(1);
    return RedisModule_ReplyWithLongLong(ctx, RedisModule_CreateDataType(ctx, "mhtypelat", 0, &tm) != NULL);
}

static int c_tostr(RedisModuleCtx *ctx, RedisModuleString **argv, int argc) {
    if (argc != 2) return RedisModule_WrongArity(ctx);
    RedisModule_AutoMemory(ctx);
    RedisModuleKey *k;
    if (open_rec(ctx, argv[1], REDISMODULE_READ, &k) != rtype) return RedisModule_ReplyWithNull(ctx);
    RedisModuleString *s = RedisModule_SaveDataTypeToString(ctx, RedisModule_ModuleTypeGetValue(k), rtype);
    if (s == NULL) return RedisModule_ReplyWithError(ctx, "ERR save failed");
    return RedisModule_ReplyWithString(ctx, s);
}

static int c_fromstr(RedisModuleCtx *ctx, RedisModuleString **argv, int argc) {
    if (argc != 3) return RedisModule_WrongArity(ctx);
    RedisModule_AutoMemory(ctx);
    rec *r = RedisModule_LoadDataTypeFromString(argv[2], rtype);
    if (r == NULL) return RedisModule_ReplyWithError(ctx, "ERR load failed");
    RedisModuleKey *k = RedisModule_OpenKey(ctx, argv[1], REDISMODULE_WRITE);
    RedisModule_ModuleTypeSetValue(k, rtype, r);
    return RedisModule_ReplyWithSimpleString(ctx, "OK");
}

static int c_aux(RedisModuleCtx *ctx, RedisModuleString **argv, int argc) {
    if (argc > 2) return RedisModule_WrongArity(ctx);
    if (argc == 2 && RedisModule_StringToLongLong(argv[1], &aux_counter) != REDISMODULE_OK)
        return RedisModule_ReplyWithError(ctx, "ERR bad integer");
    return RedisModule_ReplyWithLongLong(ctx, aux_counter);
}

static int c_iokeys(RedisModuleCtx *ctx, RedisModuleString **argv, int argc) {
    REDISMODULE_NOT_USED(argv);
    if (argc != 1) return RedisModule_WrongArity(ctx);
    RedisModule_ReplyWithArray(ctx, 4);
    RedisModule_ReplyWithCString(ctx, savekey);
    RedisModule_ReplyWithLongLong(ctx, savedb);
    RedisModule_ReplyWithCString(ctx, loadkey);
    RedisModule_ReplyWithLongLong(ctx, loaddb);
    return REDISMODULE_OK;
}

static int c_counters(RedisModuleCtx *ctx, RedisModuleString **argv, int argc) {
    REDISMODULE_NOT_USED(argv);
    if (argc != 1) return RedisModule_WrongArity(ctx);
    long long v[6] = {n_free, n_unlink, n_effort, n_copy, n_auxsave, n_auxsave_v1};
    RedisModule_ReplyWithArray(ctx, 6);
    for (int i = 0; i < 6; i++) RedisModule_ReplyWithLongLong(ctx, v[i]);
    return REDISMODULE_OK;
}

/* Records what CreateDataType answers for invalid requests (1 = NULL). */
static void record_checks(RedisModuleCtx *ctx) {
    RedisModuleTypeMethods tm = methods(1);
    RedisModuleTypeMethods zero = methods(1);
    zero.version = 0;
    checks[0] = RedisModule_CreateDataType(ctx, "short", 0, &tm) == NULL;
    checks[1] = RedisModule_CreateDataType(ctx, "bad name!", 0, &tm) == NULL;
    checks[2] = RedisModule_CreateDataType(ctx, "mhtypeneg", -1, &tm) == NULL;
    checks[3] = RedisModule_CreateDataType(ctx, "mhtypebig", 1024, &tm) == NULL;
    checks[4] = RedisModule_CreateDataType(ctx, "mhtypes01", 0, &tm) == NULL; /* busy */
    checks[5] = RedisModule_CreateDataType(ctx, "mhtypezer", 0, &zero) == NULL;
    checks[6] = RedisModule_CreateDataType(ctx, "mhtypelong", 0, &tm) == NULL;
    checks[7] = RedisModule_CreateDataType(ctx, "mhtype-_9", 1023, &tm) == NULL; /* valid */
}

int RedisModule_OnLoad(RedisModuleCtx *ctx, RedisModuleString **argv, int argc) {
    if (RedisModule_Init(ctx, "test_types", 1, REDISMODULE_APIVER_1) == REDISMODULE_ERR) return REDISMODULE_ERR;
    for (int i = 0; i < argc; i++) {
        const char *a = RedisModule_StringPtrLen(argv[i], NULL);
        if (!strcasecmp(a, "handleio")) RedisModule_SetModuleOptions(ctx, REDISMODULE_OPTIONS_HANDLE_IO_ERRORS);
        if (!strcasecmp(a, "badload")) badload = 1;
    }
    RedisModuleTypeMethods tm = methods(5);
    tm.aux_save = aux_save;
    tm.aux_save_triggers = REDISMODULE_AUX_BEFORE_RDB | REDISMODULE_AUX_AFTER_RDB;
    tm.copy2 = rec_copy2;
    tm.unlink2 = rec_unlink2;
    tm.free_effort2 = rec_effort2;
    rtype = RedisModule_CreateDataType(ctx, "mhtypes01", ENCVER, &tm);
    if (rtype == NULL) return REDISMODULE_ERR;
    for (int v = 1; v <= 4; v++) {
        char name[10];
        snprintf(name, sizeof(name), "mhtypev0%d", v);
        RedisModuleTypeMethods vm = methods(v);
        vtypes[v] = RedisModule_CreateDataType(ctx, name, 0, &vm);
        if (vtypes[v] == NULL) return REDISMODULE_ERR;
    }
    record_checks(ctx);
    struct {
        const char *name;
        RedisModuleCmdFunc fn;
        const char *flags;
        int first, last;
    } cmds[] = {
        {"types.set", c_set, "write deny-oom", 1, 1},
        {"types.setv", c_setv, "write deny-oom", 2, 2},
        {"types.get", c_get, "readonly", 1, 1},
        {"types.info", c_info, "readonly", 1, 1},
        {"types.setro", c_setro, "write", 1, 1},
        {"types.checks", c_checks, "readonly", 0, 0},
        {"types.late", c_late, "readonly", 0, 0},
        {"types.tostr", c_tostr, "readonly", 1, 1},
        {"types.fromstr", c_fromstr, "write deny-oom", 1, 1},
        {"types.aux", c_aux, "write", 0, 0},
        {"types.iokeys", c_iokeys, "readonly", 0, 0},
        {"types.counters", c_counters, "readonly", 0, 0},
        {"types.fork", c_fork, "readonly", 0, 0},
        {"types.forkkill", c_fork, "readonly", 0, 0},
        {"types.forkdone", c_forkdone, "readonly", 0, 0},
        {"types.forkhold", c_forkhold, "readonly", 0, 0},
        {"types.forkrelease", c_forkrelease, "readonly", 0, 0},
        {"types.lastopt", c_lastopt, "readonly", 0, 0},
        {"types.replace", c_replace, "write", 1, 1},
        {"types.delkey", c_delkey, "write", 1, 1},
        {"types.unlinkkey", c_delkey, "write", 1, 1},
        {"types.inslowload", c_inslowload, "allow-loading", 0, 0},
        {"types.slowrelease", c_slowrelease, "allow-loading", 0, 0},
    };
    for (size_t i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++) {
        if (RedisModule_CreateCommand(ctx, cmds[i].name, cmds[i].fn, cmds[i].flags, cmds[i].first, cmds[i].last,
                                      cmds[i].first ? 1 : 0) == REDISMODULE_ERR)
            return REDISMODULE_ERR;
    }
    return REDISMODULE_OK;
}
