// Package cgotest holds the C callers that host's tests use to drive API
// functions from C, the way a module does. cgo cannot be used in _test.go
// files, and host's own .c files end up in the release binary, so these live
// in a package that only host's _test.go files import. The C here calls
// host's C functions (mh_*), which are global symbols at link time; their
// headers come from host's directory.
package cgotest

/*
#cgo CFLAGS: -std=gnu11 -Wall -I${SRCDIR}/../..
#include <stdlib.h>
#include "testsupport.h"
*/
import "C"

import "unsafe"

// The helpers below exist for the package tests: they drive API functions
// from C through pointers that GetApi returned, as a module would.

// GetAPIRaw calls GetApi with the result slot preset to preset and returns
// the status and the slot afterwards.
func GetAPIRaw(name string, preset uintptr) (int, uintptr) {
	cname := C.CString(name)
	defer C.free(unsafe.Pointer(cname))
	var out C.uintptr_t
	rc := C.mh_test_getapi(cname, C.uintptr_t(preset), &out)
	return int(rc), uintptr(out)
}

// CallIntVoid calls fn as int fn(void).
func CallIntVoid(fn unsafe.Pointer) int {
	return int(C.mh_test_call_int_void(fn))
}

// CallLongLongVoid calls fn as long long fn(void).
func CallLongLongVoid(fn unsafe.Pointer) int64 {
	return int64(C.mh_test_call_ll_void(fn))
}

// AllocCycle runs Alloc, Realloc, MallocUsableSize and Free from C.
func AllocCycle(alloc, realloc, usable, free unsafe.Pointer, n int) bool {
	return C.mh_test_alloc_cycle(alloc, realloc, usable, free, C.size_t(n)) != 0
}

// CallFill calls fn as void fn(char *dst, size_t len) and returns dst.
func CallFill(fn unsafe.Pointer, n int) []byte {
	buf := (*C.char)(C.malloc(C.size_t(n)))
	defer C.free(unsafe.Pointer(buf))
	C.mh_test_call_fill(fn, buf, C.size_t(n))
	return C.GoBytes(unsafe.Pointer(buf), C.int(n))
}
