/*
 * api_dict.h - RedisModuleDict and RedisModuleDictIter in C memory: each
 * holds the cgo.Handle of its Go state (api_dict.go); the dict keeps its
 * size in C so that DictSize does not cross into Go, and the iterator owns
 * the buffer DictNextC/DictPrevC return keys in.
 */
#ifndef MODHOST_API_DICT_H
#define MODHOST_API_DICT_H

#include <stddef.h>
#include <stdint.h>

#include "ctx.h"

struct RedisModuleDict {
    uintptr_t handle; /* cgo.Handle of the Go dict */
    uint64_t size;    /* entries, maintained by Go */
};

struct RedisModuleDictIter {
    uintptr_t handle; /* cgo.Handle of the Go iterator */
    char *keybuf;     /* last key returned by NextC/PrevC (NUL-terminated) */
    size_t keycap;    /* bytes allocated in keybuf */
};

#endif /* MODHOST_API_DICT_H */
