package host

/*
#include "testsupport_perf.h"
*/
import "C"

import "unsafe"

// Helpers for the tests of the module command fast paths (argv blocks,
// pooled contexts, the reply integer formatter); they run C in testsupport.c.

// argvRetainBits runs tp_argv_retain.
func argvRetainBits() int { return int(C.tp_argv_retain()) }

// ctxRecycleBits runs tp_ctx_recycle.
func ctxRecycleBits() int { return int(C.tp_ctx_recycle()) }

// replyLongLong returns the RESP ReplyWithLongLong writes for v.
func replyLongLong(v int64) string {
	var out [64]byte
	n := C.tp_reply_ll(C.longlong(v), (*C.char)(unsafe.Pointer(&out[0])), C.size_t(len(out)))
	return string(out[:n])
}
