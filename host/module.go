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

// APIRequest is one name a module asked GetApi for.
type APIRequest struct {
	// Name is the name as asked, e.g. "RedisModule_Alloc".
	Name string
	// Bare is Name without its RedisModule_/ValkeyModule_ prefix ("" when
	// the name had no known prefix).
	Bare string
	// Found is true when GetApi returned a function.
	Found bool
}

// TakeAPIRequests returns, in request order and without duplicates, the
// names asked for through GetApi since the last call, and clears the list.
func TakeAPIRequests() []APIRequest {
	var n, nmissing C.size_t
	var missing **C.char
	list := C.mh_take_api_requests(&n, &missing, &nmissing)
	var names []*C.char
	if missing != nil {
		names = unsafe.Slice(missing, int(nmissing))
		defer C.free(unsafe.Pointer(missing))
	}
	var out []APIRequest
	if list != nil {
		entries := unsafe.Slice(list, int(n))
		out = make([]APIRequest, 0, len(entries))
		for _, e := range entries {
			if e < 0 {
				name := C.GoString(names[-e-1])
				out = append(out, APIRequest{Name: name, Bare: barePart(name)})
				continue
			}
			bare := C.GoString(C.mh_api_name(e))
			prefix := "RedisModule_"
			if e&1 != 0 {
				prefix = "ValkeyModule_"
			}
			out = append(out, APIRequest{Name: prefix + bare, Bare: bare, Found: true})
		}
		C.free(unsafe.Pointer(list))
	}
	for _, p := range names {
		C.free(unsafe.Pointer(p))
	}
	return out
}

// barePart strips a RedisModule_ or ValkeyModule_ prefix; "" without one.
func barePart(name string) string {
	for _, p := range []string{"RedisModule_", "ValkeyModule_"} {
		if rest, ok := strings.CutPrefix(name, p); ok {
			return rest
		}
	}
	return ""
}

// TakeMissingAPIs returns, in request order and without duplicates, the
// names modules asked GetApi for that the host does not implement, and
// clears the request list (TakeAPIRequests) so that each is logged once.
func TakeMissingAPIs() []string {
	return missingOf(TakeAPIRequests())
}

// missingOf returns the names of the requests GetApi could not satisfy.
func missingOf(reqs []APIRequest) []string {
	var out []string
	for _, r := range reqs {
		if !r.Found {
			out = append(out, r.Name)
		}
	}
	return out
}
