package host

// Leak summaries of module-strict mode: at MODULE UNLOAD (after OnUnload
// succeeded) and at SHUTDOWN, one line per kind of resource a module
// still holds (kind "leak"): keys never closed, timers still armed,
// blocked clients never unblocked. (MODULE UNLOAD is refused while
// timers or blocked clients remain, as in Redis, so there only keys can
// be reported.) Module allocations, strings and call replies carry no
// owner, so they are not summarised per module.

/*
#include "ctx.h"
#include "api_key.h"
#include "misuse.h"
*/
import "C"

import "fmt"

// reportLeaks logs what m still holds when (a label: "MODULE UNLOAD",
// "SHUTDOWN"), in strict mode.
func (s *System) reportLeaks(m *Module, when string) {
	if !strictOn() || m == nil {
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
}

// reportShutdownLeaks runs reportLeaks for every loaded module.
func (s *System) reportShutdownLeaks() {
	for _, m := range s.mods {
		s.reportLeaks(m, "SHUTDOWN")
	}
}
