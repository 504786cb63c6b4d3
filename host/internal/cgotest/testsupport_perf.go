package cgotest

/*
#include "testsupport_perf.h"
*/
import "C"

import "unsafe"

// Helpers for the tests of the module command fast paths (argv blocks,
// pooled contexts, the reply integer formatter); they run C in testsupport.c.

// ArgvRetainBits runs tp_argv_retain.
func ArgvRetainBits() int { return int(C.tp_argv_retain()) }

// CtxRecycleBits runs tp_ctx_recycle.
func CtxRecycleBits() int { return int(C.tp_ctx_recycle()) }

// ReplyLongLong returns the RESP ReplyWithLongLong writes for v.
func ReplyLongLong(v int64) string {
	var out [64]byte
	n := C.tp_reply_ll(C.longlong(v), (*C.char)(unsafe.Pointer(&out[0])), C.size_t(len(out)))
	return string(out[:n])
}
