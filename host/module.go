// Package module hosts Redis modules: the C module context, the GetApi
// table through which modules find the API, and the implementations of the
// RedisModule_* functions.
//
// Naming: the host implements RedisModule_Foo as a C function mh_Foo, either
// written in C in this directory or generated as a trampoline that calls
// the generated Go export mhgo_Foo (exports_gen.go), which calls the Go
// implementation apiFoo under guardExport. No symbol named RedisModule_* is
// ever defined here: modules own global pointers with those names.
//
// After adding or removing an mh_Foo or apiFoo function, run
// `go generate ./abi` to refresh the GetApi table (getapi_gen.c,
// api_gen.h), the exports (exports_gen.go) and docs/API.md.
//
// Go implementations: a plain Go function apiFoo (no //export; write its
// signature on one line) must take the header's parameters in order,
// spelled with cgo's C types of the same size (C.int for int, C.longlong
// for long long, *C.char for const char *, ...), and return the header's
// return type. Its file's cgo preamble must include the headers that
// declare those types. The generated export recovers a panic, logs it and
// returns the function's error value (REDISMODULE_ERR, NULL or 0; see
// failOverride in abi/gen for the exceptions). If the function reports
// errors through errno, add a last parameter `mh_errno *C.int` and store
// the errno value there; the trampoline copies a nonzero value into errno
// after Go returns (Go cannot set the C thread's errno itself).
//
// Other Go functions C calls (the mhv_*, mhev_* and mhts_* halves of
// C-implemented functions) are hand-written exports; they too defer
// guardExport first thing.
package host

/*
#cgo CFLAGS: -std=gnu11 -Wall
#include <stdlib.h>
#include "ctx.h"
*/
import "C"

import (
	"errors"
	"strings"
	"unsafe"
)

// ErrUnknownAPI is returned by LookupAPI for names GetApi does not resolve.
var ErrUnknownAPI = errors.New("module: unknown or unimplemented API function")

// LookupAPI asks GetApi for name exactly as a module's RedisModule_Init
// does (through the first word of a fresh context) and returns the function
// pointer. Names may carry the RedisModule_ or ValkeyModule_ prefix. A
// failed lookup is also recorded for TakeMissingAPIs.
func LookupAPI(name string) (unsafe.Pointer, error) {
	ctx := (*C.RedisModuleCtx)(C.calloc(1, C.sizeof_RedisModuleCtx))
	defer C.free(unsafe.Pointer(ctx))
	C.mh_ctx_init(ctx, 0, 2)
	cname := C.CString(name)
	defer C.free(unsafe.Pointer(cname))
	var out unsafe.Pointer
	if C.mh_ctx_getapi(ctx, cname, &out) != C.REDISMODULE_OK {
		return nil, ErrUnknownAPI
	}
	return out, nil
}

// TakeMissingAPIs returns, in request order and without duplicates, the
// names modules asked GetApi for that the host does not implement, and
// clears the list so that each is logged once.
func TakeMissingAPIs() []string {
	var n C.size_t
	list := C.mh_take_missing(&n)
	if list == nil {
		return nil
	}
	defer C.free(unsafe.Pointer(list))
	names := unsafe.Slice(list, int(n))
	out := make([]string, 0, len(names))
	for _, p := range names {
		out = append(out, strings.Clone(C.GoString(p)))
		C.free(unsafe.Pointer(p))
	}
	return out
}
