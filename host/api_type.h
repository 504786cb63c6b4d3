/*
 * api_type.h - module data types, RDB I/O contexts and digests as modhost
 * lays them out in C memory.
 *
 * A RedisModuleType keeps the module's callbacks in C so that calling one
 * is a plain C call made from Go in one crossing. A RedisModuleIO being
 * saved collects the encoded fields in a C buffer (no crossing per
 * RedisModule_Save*); Go copies the buffer into the RDB writer once the
 * callback returns. Loading reads through Go (the file is Go memory).
 */
#ifndef MODHOST_API_TYPE_H
#define MODHOST_API_TYPE_H

#include <stddef.h>
#include <stdint.h>

#include "ctx.h"

struct RedisModuleType {
    uint64_t id;                  /* 54-bit name id << 10 | encver */
    char name[10];                /* 9 characters and a NUL */
    int encver;                   /* encoding version 0..1023 */
    RedisModuleTypeMethods m;     /* fields past the module's version are zero */
    const char *module_name;      /* owner's name (C memory of the Module) */
};

/* What an I/O context is used for. */
#define MH_IO_SAVE 1 /* rdb_save, aux_save, SaveDataTypeToString */
#define MH_IO_LOAD 2 /* rdb_load, aux_load, LoadDataTypeFromString */
#define MH_IO_AOF 3  /* aof_rewrite: EmitAOF appends RESP commands */

struct RedisModuleIO {
    RedisModuleType *type;
    int mode;                /* MH_IO_* */
    int error;               /* IsIOError */
    uintptr_t handle;        /* cgo.Handle of the Go load state (MH_IO_LOAD) */
    uint64_t bytes;          /* bytes written or read so far */
    RedisModuleString *key;  /* key of the value, NULL for aux data */
    int dbid;                /* database of the key, -1 when none */
    RedisModuleCtx *ctx;     /* made by GetContextFromIO, freed with the io */
    mh_reply_buf out;        /* MH_IO_SAVE: encoded fields; MH_IO_AOF: RESP */
};

struct RedisModuleDigest {
    unsigned char o[20];    /* digest of the open sequence */
    unsigned char x[20];    /* xor of the closed sequences */
    RedisModuleString *key; /* key being digested (may be NULL) */
    int dbid;
};

struct RedisModuleKeyOptCtx {
    RedisModuleString *from_key, *to_key; /* NULL when not applicable */
    int from_dbid, to_dbid;
};

/* Allocates an I/O context (never NULL); free with mh_io_free. */
RedisModuleIO *mh_io_new(RedisModuleType *mt, int mode, RedisModuleString *key, int dbid);
/* Frees the io and its buffer. The context GetContextFromIO made is freed
 * by Go first (it owns a handle); the key is not released (the caller
 * owns it). */
void mh_io_free(RedisModuleIO *io);

/* Calls into module callbacks (api_type.c), so Go never calls C function
 * pointers directly. */
void *mh_type_call_load(RedisModuleType *mt, RedisModuleIO *io, int encver);
void mh_type_call_save(RedisModuleType *mt, RedisModuleIO *io, void *value);
int mh_type_call_aux_load(RedisModuleType *mt, RedisModuleIO *io, int encver, int when);
/* Calls aux_save2 if the type has it, else aux_save. */
void mh_type_call_aux_save(RedisModuleType *mt, RedisModuleIO *io, int when);
void mh_type_call_rewrite(RedisModuleType *mt, RedisModuleIO *io, RedisModuleString *key, void *value);
void mh_type_call_free(RedisModuleType *mt, void *value);
void mh_type_call_free_lazy(RedisModuleType *mt, void *value);
size_t mh_type_call_mem_usage(RedisModuleType *mt, RedisModuleKeyOptCtx *oc, void *value);
size_t mh_type_call_free_effort(RedisModuleType *mt, RedisModuleKeyOptCtx *oc, void *value);
void mh_type_call_unlink(RedisModuleType *mt, RedisModuleKeyOptCtx *oc, void *value);
/* Returns the copy, or NULL; *has is 0 when the type has no copy callback. */
void *mh_type_call_copy(RedisModuleType *mt, RedisModuleKeyOptCtx *oc, void *value, int *has);
void mh_type_call_digest(RedisModuleType *mt, RedisModuleDigest *md, void *value);

/* Fills mt->m from the module's methods struct, copying only the fields
 * its version has. Returns 0 for version 0 (rejected, as in Redis). */
int mh_type_copy_methods(RedisModuleType *mt, const void *methods);

#endif /* MODHOST_API_TYPE_H */
