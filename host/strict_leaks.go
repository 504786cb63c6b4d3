package host

// Leak summaries of module-strict mode: at MODULE UNLOAD (after OnUnload
// succeeded) and at SHUTDOWN, one line per kind of resource a module
// still holds (kind "leak"): keys never closed, timers still armed,
// blocked clients never unblocked, RedisModule_Alloc-family blocks,
// strings and call replies never freed. (MODULE UNLOAD is refused while
// timers or blocked clients remain, as in Redis, so there they are not
// reported.) Blocks, strings and replies are those strict_alloc.c
// recorded for the module while strict mode was on, each line saying
// how many came from which command (or OnLoad/OnUnload).

/*
#include <stdlib.h>
#include "ctx.h"
#include "api_key.h"
#include "misuse.h"
#include "strict_alloc.h"
*/
import "C"

import (
	"fmt"
	"unsafe"
)

// trackedLeaks are the kinds strict_alloc.c records: the API function
// that makes them and how a line counts them.
var trackedLeaks = []struct {
	kind C.int
	fn   string
	what string
}{
	{C.MH_TRACK_ALLOC, "Alloc", "allocation(s) (%d bytes) never freed still live"},
	{C.MH_TRACK_STRING, "CreateString", "string(s) (%d bytes) never freed still held"},
	{C.MH_TRACK_REPLY, "Call", "call reply(ies) (%d bytes) never freed still held"},
}

// trackedLeakLines summarises, and forgets, what strict_alloc.c still
// records for m: one line text per kind with any.
func trackedLeakLines(m *Module, when string) []string {
	if m.owner == 0 {
		return nil
	}
	var out []string
	buf := (*C.char)(C.malloc(1024))
	defer C.free(unsafe.Pointer(buf))
	for _, k := range trackedLeaks {
		var bytes C.size_t
		n := C.mh_track_summary(m.owner, k.kind, &bytes, buf, 1024, 1)
		if n == 0 {
			continue
		}
		what := fmt.Sprintf(k.what, uint64(bytes))
		line := fmt.Sprintf("RedisModule_%s: %d %s at %s (%s)", k.fn, int64(n), what, when, C.GoString(buf))
		if when == "SHUTDOWN" && len(m.reg.types) > 0 {
			line += "; values of its data types still in the keyspace hold some of them"
		}
		out = append(out, line)
	}
	return out
}

// reportLeaks logs what m still holds when (a label: "MODULE UNLOAD",
// "SHUTDOWN"), in strict mode.
func (s *System) reportLeaks(m *Module, when string) {
	if m == nil {
		return
	}
	if !strictOn() { // strict mode was turned off: drop what it recorded
		trackedLeakLines(m, when)
		return
	}
	cmd := "(" + when + ")"
	leak := func(fn string, n int, what string) {
		if n > 0 {
			reportMisuse(m.Name, cmd, C.MH_MISUSE_LEAK, fmt.Sprintf("RedisModule_%s: %d %s at %s", fn, n, what, when))
		}
	}
	if m.cname != nil {
		leak("OpenKey", int(C.mh_key_count_module(m.cname)), "key(s) opened and never closed still held")
	}
	timers := 0
	for _, t := range s.rt.timers.heap {
		if t.mod == m {
			timers++
		}
	}
	leak("CreateTimer", timers, "timer(s) still armed")
	leak("BlockClient", m.reg.blockedClients, "blocked client(s) never unblocked")
	for _, l := range trackedLeakLines(m, when) {
		reportMisuse(m.Name, cmd, C.MH_MISUSE_LEAK, l)
	}
}

// reportShutdownLeaks runs reportLeaks for every loaded module.
func (s *System) reportShutdownLeaks() {
	for _, m := range s.mods {
		s.reportLeaks(m, "SHUTDOWN")
	}
}
