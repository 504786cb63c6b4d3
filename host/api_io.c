/*
 * api_io.c - "RDB loading and saving functions": the save side in C (each
 * RedisModule_Save* appends the field's opcode and value, in Redis's RDB
 * encoding, to the io's C buffer without entering Go), long doubles, and
 * the variadic LogIOError and EmitAOF.
 *
 * Strings are written as plain length-prefixed bytes: every RDB reader
 * (Redis's and ours) accepts them; Redis may also int-encode or compress
 * them, which changes the size but never the meaning.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "ctx.h"
#include "api_gen.h"
#include "api_type.h"
#include "api_util.h"
#include "mh_string.h"

/* Module field opcodes (RDB_MODULE_OPCODE_*). */
#define MH_OP_UINT 2
#define MH_OP_FLOAT 3
#define MH_OP_DOUBLE 4
#define MH_OP_STRING 5

/* Implemented in Go (api_io.go). */
extern int mhv_io_command_exists(const char *name);
extern void mhv_io_log(RedisModuleIO *io, int level, char *msg);

static void out_reserve(mh_reply_buf *b, size_t n) {
    if (b->len + n <= b->cap) return;
    size_t ncap = b->cap ? b->cap : 256;
    while (ncap < b->len + n) ncap *= 2;
    char *nb = realloc(b->buf, ncap);
    if (nb == NULL) abort();
    b->buf = nb;
    b->cap = ncap;
}

static void out_put(RedisModuleIO *io, const void *p, size_t n) {
    out_reserve(&io->out, n);
    if (n) memcpy(io->out.buf + io->out.len, p, n);
    io->out.len += n;
    io->bytes += n;
}

/* Appends n as an RDB length (rdbSaveLen's 6/14/32/64-bit forms). */
static void put_len(RedisModuleIO *io, uint64_t n) {
    unsigned char b[9];
    size_t k;
    if (n < (1u << 6)) {
        b[0] = (unsigned char)n;
        k = 1;
    } else if (n < (1u << 14)) {
        b[0] = (unsigned char)(0x40 | (n >> 8));
        b[1] = (unsigned char)(n & 0xff);
        k = 2;
    } else if (n <= UINT32_MAX) {
        b[0] = 0x80;
        for (int i = 0; i < 4; i++) b[1 + i] = (unsigned char)(n >> (24 - 8 * i));
        k = 5;
    } else {
        b[0] = 0x81;
        for (int i = 0; i < 8; i++) b[1 + i] = (unsigned char)(n >> (56 - 8 * i));
        k = 9;
    }
    out_put(io, b, k);
}

/* Appends the low n bytes of v, little endian. */
static void put_le(RedisModuleIO *io, uint64_t v, int n) {
    unsigned char b[8];
    for (int i = 0; i < n; i++) b[i] = (unsigned char)(v >> (8 * i));
    out_put(io, b, (size_t)n);
}

/* True when io may take a field now. Saving through a loading io is a
 * module bug: it marks the io failed instead of corrupting anything. */
static int can_save(RedisModuleIO *io) {
    if (io == NULL || io->error) return 0;
    if (io->mode != MH_IO_SAVE) {
        io->error = 1;
        return 0;
    }
    return 1;
}

/* Saves an unsigned 64-bit value; load it with LoadUnsigned. Only valid
 * inside rdb_save/aux_save callbacks (or SaveDataTypeToString). */
void mh_SaveUnsigned(RedisModuleIO *io, uint64_t value) {
    if (!can_save(io)) return;
    put_len(io, MH_OP_UINT);
    put_len(io, value);
}

/* Saves a signed 64-bit value: its two's complement bit pattern as an
 * unsigned field, exactly as Redis does; load it with LoadSigned. */
void mh_SaveSigned(RedisModuleIO *io, int64_t value) {
    mh_SaveUnsigned(io, (uint64_t)value);
}

/* Saves len bytes of str as a string field; load it with LoadString or
 * LoadStringBuffer. */
void mh_SaveStringBuffer(RedisModuleIO *io, const char *str, size_t len) {
    if (!can_save(io)) return;
    put_len(io, MH_OP_STRING);
    put_len(io, len);
    out_put(io, str, len);
}

/* Saves a module string as a string field. */
void mh_SaveString(RedisModuleIO *io, RedisModuleString *s) {
    if (s == NULL) {
        if (io) io->error = 1;
        return;
    }
    mh_SaveStringBuffer(io, s->ptr, s->len);
}

/* Saves a double as 8 binary bytes (little endian); load it with
 * LoadDouble. */
void mh_SaveDouble(RedisModuleIO *io, double value) {
    if (!can_save(io)) return;
    uint64_t bits;
    memcpy(&bits, &value, sizeof(bits));
    put_len(io, MH_OP_DOUBLE);
    put_le(io, bits, 8);
}

/* Saves a float as 4 binary bytes (little endian); load it with
 * LoadFloat. */
void mh_SaveFloat(RedisModuleIO *io, float value) {
    if (!can_save(io)) return;
    uint32_t bits;
    memcpy(&bits, &value, sizeof(bits));
    put_len(io, MH_OP_FLOAT);
    put_le(io, bits, 4);
}

/* Saves a long double as a string field holding its hexadecimal text
 * ("%La"), as Redis does, so the value survives platforms with different
 * long double sizes. */
void mh_SaveLongDouble(RedisModuleIO *io, long double value) {
    char buf[128];
    if (io == NULL || io->error) return;
    int n = snprintf(buf, sizeof(buf), "%La", value);
    if (n < 0 || n >= (int)sizeof(buf)) {
        io->error = 1;
        return;
    }
    mh_SaveStringBuffer(io, buf, (size_t)n);
}

/* Loads a long double saved by SaveLongDouble (0 on error). */
long double mh_LoadLongDouble(RedisModuleIO *io) {
    if (io == NULL || io->error) return 0;
    size_t len;
    char *s = mh_LoadStringBuffer(io, &len);
    if (s == NULL) return 0;
    char buf[128];
    long double v = 0;
    if (len < sizeof(buf)) {
        memcpy(buf, s, len);
        buf[len] = 0;
        v = strtold(buf, NULL);
    }
    mh_Free(s);
    return v;
}

static int level_of(const char *s) {
    if (s == NULL) return MH_LL_VERBOSE;
    if (!strcasecmp(s, "debug")) return MH_LL_DEBUG;
    if (!strcasecmp(s, "notice")) return MH_LL_NOTICE;
    if (!strcasecmp(s, "warning")) return MH_LL_WARNING;
    return MH_LL_VERBOSE;
}

/* Logs "<module> message" as RedisModule_Log does, for callbacks that
 * have an io instead of a context (rdb_load, rdb_save, aof_rewrite ...). */
void mh_LogIOError(RedisModuleIO *io, const char *levelstr, const char *fmt, ...) {
    char msg[1024];
    const char *name = io && io->type && io->type->module_name ? io->type->module_name : "module";
    int n = snprintf(msg, sizeof(msg), "<%s> ", name);
    if (n < 0 || n >= (int)sizeof(msg)) n = 0;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg + n, sizeof(msg) - (size_t)n, fmt, ap);
    va_end(ap);
    mhv_io_log(io, level_of(levelstr), msg);
}

static void aof_bulk(mh_reply_buf *b, const char *p, size_t len) {
    char hdr[32];
    int n = snprintf(hdr, sizeof(hdr), "$%zu\r\n", len);
    out_reserve(b, (size_t)n + len + 2);
    memcpy(b->buf + b->len, hdr, (size_t)n);
    b->len += (size_t)n;
    if (len) memcpy(b->buf + b->len, p, len);
    b->len += len;
    memcpy(b->buf + b->len, "\r\n", 2);
    b->len += 2;
}

/* Walks fmt (c b s l v, as RedisModule_Call) appending bulk strings to b;
 * returns the argument count, or -1 for a letter that is not understood. */
static int aof_args(mh_reply_buf *b, const char *fmt, va_list ap) {
    int argc = 0;
    char num[32];
    for (const char *p = fmt; *p; p++) {
        switch (*p) {
        case 'c': {
            const char *s = va_arg(ap, const char *);
            aof_bulk(b, s, strlen(s));
            argc++;
            break;
        }
        case 's': {
            RedisModuleString *s = va_arg(ap, RedisModuleString *);
            aof_bulk(b, s->ptr, s->len);
            argc++;
            break;
        }
        case 'b': {
            const char *s = va_arg(ap, const char *);
            size_t len = va_arg(ap, size_t);
            aof_bulk(b, s, len);
            argc++;
            break;
        }
        case 'l': {
            long long ll = va_arg(ap, long long);
            int n = snprintf(num, sizeof(num), "%lld", ll);
            aof_bulk(b, num, (size_t)n);
            argc++;
            break;
        }
        case 'v': {
            RedisModuleString **v = va_arg(ap, RedisModuleString **);
            size_t vlen = va_arg(ap, size_t);
            for (size_t i = 0; i < vlen; i++) aof_bulk(b, v[i]->ptr, v[i]->len);
            argc += (int)vlen;
            break;
        }
        case '!': case 'A': case 'R': case '3': case '0': case 'C':
        case 'S': case 'W': case 'M': case 'E': case 'D': case 'K':
            break;
        default:
            return -1;
        }
    }
    return argc;
}

/* Emits one command into the AOF being rewritten, from an aof_rewrite
 * callback; the format is RedisModule_Call's. An unknown command or a bad
 * format logs Redis's "Fatal: AOF method ..." line, marks the io failed
 * and sets errno to EINVAL. modhost keeps what a rewrite would write (the
 * RESP commands) in the io; DEBUG MODHOST-EMITAOF shows it. */
void mh_EmitAOF(RedisModuleIO *io, const char *cmdname, const char *fmt, ...) {
    char msg[512];
    if (io == NULL || io->error) return;
    const char *tname = io->type ? io->type->name : "";
    if (cmdname == NULL || !mhv_io_command_exists(cmdname)) {
        snprintf(msg, sizeof(msg), "Fatal: AOF method for module data type '%s' tried to emit unknown command '%s'",
                 tname, cmdname ? cmdname : "");
        mhv_io_log(io, MH_LL_WARNING, msg);
        io->error = 1;
        errno = EINVAL;
        return;
    }
    mh_reply_buf args = {0};
    va_list ap;
    va_start(ap, fmt);
    int argc = aof_args(&args, fmt ? fmt : "", ap);
    va_end(ap);
    if (argc < 0) {
        free(args.buf);
        snprintf(msg, sizeof(msg), "Fatal: AOF method for module data type '%s' tried to call RedisModule_EmitAOF() with wrong format specifiers '%s'",
                 tname, fmt);
        mhv_io_log(io, MH_LL_WARNING, msg);
        io->error = 1;
        errno = EINVAL;
        return;
    }
    char hdr[32];
    int n = snprintf(hdr, sizeof(hdr), "*%d\r\n", argc + 1);
    out_reserve(&io->out, (size_t)n);
    memcpy(io->out.buf + io->out.len, hdr, (size_t)n);
    io->out.len += (size_t)n;
    aof_bulk(&io->out, cmdname, strlen(cmdname));
    out_reserve(&io->out, args.len);
    if (args.len) memcpy(io->out.buf + io->out.len, args.buf, args.len);
    io->out.len += args.len;
    free(args.buf);
}
