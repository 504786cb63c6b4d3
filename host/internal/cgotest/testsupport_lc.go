package cgotest

/*
#include "testsupport_lc.h"
*/
import "C"

// Helpers for the lifecycle tests: they drive contexts from C.

// PoolAllocOK runs ts_lc_pool over sizes.
func PoolAllocOK(sizes []int) bool {
	cs := make([]C.size_t, len(sizes))
	for i, s := range sizes {
		cs[i] = C.size_t(s)
	}
	return C.ts_lc_pool(&cs[0], C.int(len(cs))) == 1
}

// AutoMemoryReleased runs ts_lc_automem.
func AutoMemoryReleased(n int, enable bool, forget int) int {
	e := 0
	if enable {
		e = 1
	}
	return int(C.ts_lc_automem(C.int(n), C.int(e), C.int(forget)))
}
