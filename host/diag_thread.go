package host

// Thread misuse reports from C (gil.c): an API call from a thread that
// does not hold the module GIL, ThreadSafeContextLock taken twice, a
// thread-safe context used after it was freed. They may come from module
// threads that do not hold the server lock, so nothing here touches
// server state: the module is found by the library path of the calling
// code among the process-wide module names.

/*
#include "gil.h"
#include "misuse.h"
*/
import "C"

import "sync"

// threadMisuseOnce keeps one report per module, command and diagnostic:
// a module thread looping on a misuse must not flood the log.
var threadMisuseOnce sync.Map

// mhdiag_thread_misuse reports a thread misuse made by the code of library
// lib (a path as dlopen got it; NULL when unknown), while command runs on
// this thread (NULL: a module thread).
//
//export mhdiag_thread_misuse
func mhdiag_thread_misuse(lib *C.char, command *C.char, commandLen C.int, fn, what *C.char) {
	defer guardExport(nil, "thread misuse report")
	where := "thread"
	if command != nil {
		where = C.GoStringN(command, commandLen)
	}
	misuseOnce(moduleOfLib(goStringOrEmpty(lib)), where, C.GoString(fn), C.GoString(what))
}

// threadMisuse reports a thread misuse found on the Go side, where the
// module is known (the C stack cannot be walked from Go).
func threadMisuse(module, fn, what string) {
	where := "thread"
	var n C.size_t
	if cmd := C.mh_gil_current_command(&n); cmd != nil {
		where = C.GoStringN(cmd, C.int(n))
	}
	misuseOnce(module, where, fn, what)
}

// misuseOnce logs a misuse the first time it is seen.
func misuseOnce(module, where, fn, what string) {
	if _, seen := threadMisuseOnce.LoadOrStore(module+"\x00"+where+"\x00"+fn+"\x00"+what, true); !seen {
		misuse(module, where, fn, what)
	}
}

// moduleOfLib names the loaded module whose library path is lib, or
// returns "unknown".
func moduleOfLib(lib string) string {
	processNames.Lock()
	defer processNames.Unlock()
	for name, m := range processNames.m {
		if m.Path == lib {
			return name
		}
	}
	return "unknown"
}

// misuse reports one thread misuse of RedisModule_<fn> (fn without its
// prefix) through the common diagnostics: the one log line, the module's
// "thread" counter and MODULE STRICT-REPORT.
func misuse(module, command, fn, what string) {
	reportMisuse(module, command, C.MH_MISUSE_THREAD, "RedisModule_"+fn+": "+what)
}
