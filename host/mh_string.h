/*
 * mh_string.h - RedisModuleString as modhost lays it out in C memory.
 *
 * A module string is C memory so that StringPtrLen, StringToLongLong and
 * the argv accessors never enter Go. Short-lived strings (argv, strings a
 * module creates) live in one allocation: the struct followed by the bytes
 * (MH_STR_EMBED). StringAppendBuffer moves the bytes to a buffer of their
 * own when it has to grow them.
 *
 * Reference counts are not atomic, as in Redis: a module that shares
 * strings with its threads must hold the server lock (the GIL) around
 * RetainString/FreeString, exactly as Redis requires.
 */
#ifndef MODHOST_MH_STRING_H
#define MODHOST_MH_STRING_H

#include <stddef.h>
#include <stdint.h>

#include "ctx.h"

/* RedisModuleString.flags */
#define MH_STR_EMBED (1u << 0) /* ptr points into the struct's own allocation */
#define MH_STR_ARGV_HELD (1u << 1) /* a command argument the host still owns */

struct RedisModuleString {
    char *ptr;       /* the bytes, always followed by a NUL */
    size_t len;      /* bytes in ptr, not counting the NUL */
    size_t cap;      /* bytes ptr can hold, not counting the NUL */
    int refcount;    /* owners: FreeString/Release drop one, 0 frees */
    uint32_t flags;  /* MH_STR_* */
    struct mh_argv_block *block; /* argv block the struct lives in, or NULL */
    uint32_t magic;      /* MH_MAGIC_LIVE; poisoned when freed (misuse.h) */
    const char *origin;  /* command that created it ("" outside commands) */
};

/* Reports a use of a string that is no longer live by API function fn
 * ("mh_StringPtrLen" or "StringPtrLen"). */
void mh_string_dead(const RedisModuleString *s, const char *fn);

/* Releases a command argument the host owned (end of the command): the
 * module may keep it only if it retained it. */
void mh_argv_release(RedisModuleString *s);

/* Builds argc command arguments in one allocation (an argv block): the
 * structs, then the bytes of each (buf holds them back to back, lens[i]
 * bytes each). Every string has refcount 1 and is released on its own with
 * mh_string_release; the block is freed when the last of its strings is,
 * so a string the module retained outlives the others. */
void mh_argv_build(RedisModuleString **argv, const char *buf, const size_t *lens, int argc);

/* Creates a string holding a copy of p[0:len] (p may be NULL when len is
 * 0), refcount 1, NUL-terminated. Never returns NULL (aborts on OOM). */
RedisModuleString *mh_string_new(const char *p, size_t len);

/* Drops one reference; the string is freed when none are left. NULL is
 * ignored. */
void mh_string_release(RedisModuleString *s);

/* Returns the bytes of s and stores their count in *len (if len is not
 * NULL). s must not be NULL. */
const char *mh_string_ptr(const RedisModuleString *s, size_t *len);

/* Memory the string uses, struct and bytes (MallocSizeString). */
size_t mh_string_alloc_size(const RedisModuleString *s);

/* Formats a double the way Redis 7.2+ does for replies and
 * CreateStringFromDouble (shortest round-trip digits, fpconv layout,
 * integers without exponent, "inf"/"-inf"/"nan", "-0"). buf must hold at
 * least MH_DOUBLE_BUF bytes; returns the length, buf is NUL-terminated. */
#define MH_DOUBLE_BUF 32
int mh_format_double(char *buf, double d);

/* Formats a long double as Redis's ld2string: human (humanfriendly != 0:
 * "%.17Lf" without trailing zeros, "-0" becomes "0") or auto ("%.17Lg").
 * Returns the length, or 0 when buf (len bytes) is too small. */
#define MH_LONG_DOUBLE_BUF 5120
int mh_format_long_double(char *buf, size_t len, long double ld, int humanfriendly);

/* Redis's string2ll: strict decimal long long, no spaces, no leading
 * zeros, no '+'. Returns 1 on success. */
int mh_parse_ll(const char *s, size_t slen, long long *value);

/* Accounted heap used for module strings (api_heap.c); mh_heap_uncount
 * stops counting p, which the caller then frees with free(). */
void mh_heap_uncount(void *p);
void *mh_heap_alloc(size_t bytes);
void *mh_heap_realloc(void *ptr, size_t bytes);
void mh_heap_free(void *ptr);

/* Bytes currently allocated through RedisModule_Alloc & co and module
 * strings, by malloc_usable_size (api_heap.c). */
size_t mh_alloc_used(void);

#endif /* MODHOST_MH_STRING_H */
