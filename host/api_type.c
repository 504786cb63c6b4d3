/*
 * api_type.c - the C half of "Modules data types": copying a module's
 * RedisModuleTypeMethods by version, calling type callbacks for Go, I/O
 * contexts, and the accessors that only read C state (GetKeyNameFromIO,
 * GetDbIdFromIO, IsIOError, the digest and key-option context getters).
 */
#include <stdlib.h>
#include <string.h>

#include "ctx.h"
#include "api_gen.h"
#include "api_type.h"
#include "mh_string.h"
#include "gil.h"

/* Bytes of RedisModuleTypeMethods each version defines: everything up to
 * and including its last field. */
static size_t methods_size(uint64_t version) {
    switch (version) {
    case 1: return offsetof(RedisModuleTypeMethods, aux_load);
    case 2: return offsetof(RedisModuleTypeMethods, free_effort);
    case 3: return offsetof(RedisModuleTypeMethods, mem_usage2);
    case 4: return offsetof(RedisModuleTypeMethods, aux_save2);
    default: return sizeof(RedisModuleTypeMethods);
    }
}

int mh_type_copy_methods(RedisModuleType *mt, const void *methods) {
    uint64_t version = *(const uint64_t *)methods;
    if (version == 0) return 0;
    memset(&mt->m, 0, sizeof(mt->m));
    memcpy(&mt->m, methods, methods_size(version));
    return 1;
}

RedisModuleIO *mh_io_new(RedisModuleType *mt, int mode, RedisModuleString *key, int dbid) {
    RedisModuleIO *io = calloc(1, sizeof(*io));
    if (io == NULL) abort();
    io->type = mt;
    io->mode = mode;
    io->key = key;
    io->dbid = dbid;
    return io;
}

void mh_io_free(RedisModuleIO *io) {
    if (io == NULL) return;
    free(io->out.buf);
    free(io);
}

void *mh_type_call_load(RedisModuleType *mt, RedisModuleIO *io, int encver) {
    return mt->m.rdb_load ? MH_HOST_CALL(mt->m.rdb_load(io, encver)) : NULL;
}

void mh_type_call_save(RedisModuleType *mt, RedisModuleIO *io, void *value) {
    if (mt->m.rdb_save) MH_HOST_CALLV(mt->m.rdb_save(io, value));
}

int mh_type_call_aux_load(RedisModuleType *mt, RedisModuleIO *io, int encver, int when) {
    return mt->m.aux_load ? MH_HOST_CALL(mt->m.aux_load(io, encver, when)) : REDISMODULE_ERR;
}

void mh_type_call_aux_save(RedisModuleType *mt, RedisModuleIO *io, int when) {
    if (mt->m.aux_save2) MH_HOST_CALLV(mt->m.aux_save2(io, when));
    else if (mt->m.aux_save) MH_HOST_CALLV(mt->m.aux_save(io, when));
}

void mh_type_call_rewrite(RedisModuleType *mt, RedisModuleIO *io, RedisModuleString *key, void *value) {
    if (mt->m.aof_rewrite) MH_HOST_CALLV(mt->m.aof_rewrite(io, key, value));
}

void mh_type_call_free(RedisModuleType *mt, void *value) {
    if (mt->m.free) MH_HOST_CALLV(mt->m.free(value));
}

/* Frees a value on the lazy-free goroutine: the thread holds no GIL, as
 * Redis's bio thread does not, so API calls that need it are reported. */
void mh_type_call_free_lazy(RedisModuleType *mt, void *value) {
    if (!mt->m.free) return;
    int prev = mh_gil;
    mh_gil = MH_GIL_NONE;
    mt->m.free(value);
    mh_gil = prev;
}

size_t mh_type_call_mem_usage(RedisModuleType *mt, RedisModuleKeyOptCtx *oc, void *value) {
    if (mt->m.mem_usage2) return MH_HOST_CALL(mt->m.mem_usage2(oc, value, 0));
    if (mt->m.mem_usage) return MH_HOST_CALL(mt->m.mem_usage(value));
    return 0;
}

size_t mh_type_call_free_effort(RedisModuleType *mt, RedisModuleKeyOptCtx *oc, void *value) {
    if (mt->m.free_effort2) return MH_HOST_CALL(mt->m.free_effort2(oc, value));
    if (mt->m.free_effort) return MH_HOST_CALL(mt->m.free_effort(oc->from_key, value));
    return 1;
}

void mh_type_call_unlink(RedisModuleType *mt, RedisModuleKeyOptCtx *oc, void *value) {
    if (mt->m.unlink2) MH_HOST_CALLV(mt->m.unlink2(oc, value));
    else if (mt->m.unlink) MH_HOST_CALLV(mt->m.unlink(oc->from_key, value));
}

void *mh_type_call_copy(RedisModuleType *mt, RedisModuleKeyOptCtx *oc, void *value, int *has) {
    *has = mt->m.copy2 != NULL || mt->m.copy != NULL;
    if (mt->m.copy2) return MH_HOST_CALL(mt->m.copy2(oc, value));
    if (mt->m.copy) return MH_HOST_CALL(mt->m.copy(oc->from_key, oc->to_key, value));
    return NULL;
}

void mh_type_call_digest(RedisModuleType *mt, RedisModuleDigest *md, void *value) {
    if (mt->m.digest) MH_HOST_CALLV(mt->m.digest(md, value));
}

/* Returns true if a previous load or save through io failed. With
 * REDISMODULE_OPTIONS_HANDLE_IO_ERRORS a failed Load* sets it instead of
 * ending the server, and the module should check it after loading. */
int mh_IsIOError(RedisModuleIO *io) {
    return io ? io->error : 0;
}

/* Returns the name of the key whose value is being saved or loaded, or
 * NULL when there is none (aux data, SaveDataTypeToString). The string is
 * owned by the host. */
const RedisModuleString *mh_GetKeyNameFromIO(RedisModuleIO *io) {
    return io ? io->key : NULL;
}

/* Returns the database of the key being saved or loaded, -1 when there is
 * none. */
int mh_GetDbIdFromIO(RedisModuleIO *io) {
    return io ? io->dbid : -1;
}

/* Returns the name of the key being digested (DEBUG DIGEST), owned by the
 * host; NULL when the digest is not about a key. */
const RedisModuleString *mh_GetKeyNameFromDigest(RedisModuleDigest *dig) {
    return dig ? dig->key : NULL;
}

/* Returns the database of the key being digested. */
int mh_GetDbIdFromDigest(RedisModuleDigest *dig) {
    return dig ? dig->dbid : -1;
}

/* Returns the name of the source key of a key-option callback (mem_usage2,
 * free_effort2, unlink2, copy2), or NULL. */
const RedisModuleString *mh_GetKeyNameFromOptCtx(RedisModuleKeyOptCtx *ctx) {
    return ctx ? ctx->from_key : NULL;
}

/* Returns the name of the destination key of a copy2 callback, or NULL. */
const RedisModuleString *mh_GetToKeyNameFromOptCtx(RedisModuleKeyOptCtx *ctx) {
    return ctx ? ctx->to_key : NULL;
}

/* Returns the database of the source key of a key-option callback. */
int mh_GetDbIdFromOptCtx(RedisModuleKeyOptCtx *ctx) {
    return ctx ? ctx->from_dbid : -1;
}

/* Returns the database of the destination key of a copy2 callback. */
int mh_GetToDbIdFromOptCtx(RedisModuleKeyOptCtx *ctx) {
    return ctx ? ctx->to_dbid : -1;
}
