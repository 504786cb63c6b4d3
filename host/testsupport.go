package host

/*
#include <stdlib.h>
#include "testsupport.h"
*/
import "C"

import "unsafe"

// The helpers below exist for the package tests: they drive API functions
// from C through pointers that GetApi returned, as a module would.

// getAPIRaw calls GetApi with the result slot preset to preset and returns
// the status and the slot afterwards.
func getAPIRaw(name string, preset uintptr) (int, uintptr) {
	cname := C.CString(name)
	defer C.free(unsafe.Pointer(cname))
	var out C.uintptr_t
	rc := C.mh_test_getapi(cname, C.uintptr_t(preset), &out)
	return int(rc), uintptr(out)
}

// callIntVoid calls fn as int fn(void).
func callIntVoid(fn unsafe.Pointer) int {
	return int(C.mh_test_call_int_void(fn))
}

// callLongLongVoid calls fn as long long fn(void).
func callLongLongVoid(fn unsafe.Pointer) int64 {
	return int64(C.mh_test_call_ll_void(fn))
}

// allocCycle runs Alloc, Realloc, MallocUsableSize and Free from C.
func allocCycle(alloc, realloc, usable, free unsafe.Pointer, n int) bool {
	return C.mh_test_alloc_cycle(alloc, realloc, usable, free, C.size_t(n)) != 0
}

// callFill calls fn as void fn(char *dst, size_t len) and returns dst.
func callFill(fn unsafe.Pointer, n int) []byte {
	buf := (*C.char)(C.malloc(C.size_t(n)))
	defer C.free(unsafe.Pointer(buf))
	C.mh_test_call_fill(fn, buf, C.size_t(n))
	return C.GoBytes(unsafe.Pointer(buf), C.int(n))
}
