package host

// API misuse diagnostics, the Go half: the log line, per-module counters
// by kind, the bounded misuse log (MODULE STRICT-REPORT), the INFO lines
// and the module-strict directive. C reports through mh_misuse
// (misuse.c), which calls mhv_misuse here.

/*
#include "misuse.h"
*/
import "C"

import (
	"fmt"
	"strings"
	"sync"

	"github.com/modhost/modhost/server"
)

// misuseKindNames are the INFO field names of the mh_misuse_kind values.
var misuseKindNames = [C.MH_MISUSE_KINDS]string{
	C.MH_MISUSE_REPLY:          "reply",
	C.MH_MISUSE_DOUBLE_FREE:    "double_free",
	C.MH_MISUSE_USE_AFTER_FREE: "use_after_free",
	C.MH_MISUSE_KEY:            "key",
	C.MH_MISUSE_FLAGS:          "flags",
	C.MH_MISUSE_LEAK:           "leak",
	C.MH_MISUSE_THREAD:         "thread",
}

// misuseLogMax bounds the misuse log MODULE STRICT-REPORT returns; older
// lines are dropped (and counted in dropped).
const misuseLogMax = 1000

// misuseState is the process-wide record of misuses. Reports may come
// from module threads, so it has its own lock.
type misuseState struct {
	mu      sync.Mutex
	counts  map[string]*[C.MH_MISUSE_KINDS]int64 // by module name
	log     []string
	dropped int64
	once    map[string]bool // keys of report-once diagnostics already made
}

var misuses = misuseState{counts: map[string]*[C.MH_MISUSE_KINDS]int64{}, once: map[string]bool{}}

// record counts a misuse of module and appends line to the log.
func (m *misuseState) record(module string, kind int, line string) {
	m.mu.Lock()
	defer m.mu.Unlock()
	c := m.counts[module]
	if c == nil {
		c = new([C.MH_MISUSE_KINDS]int64)
		m.counts[module] = c
	}
	if kind >= 0 && kind < len(c) {
		c[kind]++
	}
	if len(m.log) >= misuseLogMax {
		copy(m.log, m.log[1:])
		m.log = m.log[:len(m.log)-1]
		m.dropped++
	}
	m.log = append(m.log, line)
}

// firstTime reports whether key is seen for the first time (diagnostics
// made once per command).
func (m *misuseState) firstTime(key string) bool {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.once[key] {
		return false
	}
	m.once[key] = true
	return true
}

// report returns the misuse log, oldest first.
func (m *misuseState) report() []string {
	m.mu.Lock()
	defer m.mu.Unlock()
	return append([]string(nil), m.log...)
}

// reset empties the misuse log (counters stay, like INFO stats).
func (m *misuseState) reset() {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.log = nil
	m.dropped = 0
	m.once = map[string]bool{}
}

// infoLine renders module's counters for INFO modules, or "" when the
// module has none and strict mode is off.
func (m *misuseState) infoLine(module string) string {
	m.mu.Lock()
	c := m.counts[module]
	var counts [C.MH_MISUSE_KINDS]int64
	if c != nil {
		counts = *c
	}
	m.mu.Unlock()
	if c == nil && C.mh_strict == 0 {
		return ""
	}
	var b strings.Builder
	fmt.Fprintf(&b, "module_misuse:name=%s", module)
	total := int64(0)
	for k, n := range counts {
		fmt.Fprintf(&b, ",%s=%d", misuseKindNames[k], n)
		total += n
	}
	fmt.Fprintf(&b, ",total=%d", total)
	return b.String()
}

// misuseLine formats a diagnostic exactly as it is logged.
func misuseLine(module, command, what string) string {
	return fmt.Sprintf("module %s: %s: %s", module, command, what)
}

// reportMisuse logs, counts and records one misuse found on the Go side.
func reportMisuse(module, command string, kind int, what string) {
	line := misuseLine(module, command, what)
	misuses.record(module, kind, line)
	lg := fallbackLog
	if s := defaultServer.Load(); s != nil && s.Log != nil {
		lg = s.Log
	}
	lg.Warningf("%s", line)
}

// mhv_misuse is mh_misuse's sink: one warning line in the server log,
// the module's counter for kind and the misuse log.
//
//export mhv_misuse
func mhv_misuse(module, command *C.char, kind C.int, what *C.char) {
	defer guardExport(nil, "misuse report")
	reportMisuse(C.GoString(module), C.GoString(command), int(kind), C.GoString(what))
}

// setStrict applies the module-strict directive.
func setStrict(on bool) {
	if on {
		C.mh_strict = 1
	} else {
		C.mh_strict = 0
	}
}

// strictOn reports whether module-strict is yes.
func strictOn() bool { return C.mh_strict != 0 }

// installStrict reads module-strict now and after every CONFIG SET.
func installStrict(s *System) {
	cfg := s.srv.Config
	if cfg == nil {
		return
	}
	setStrict(cfg.Bool("module-strict"))
	cfg.OnChange(func(name string) {
		if name == "module-strict" {
			setStrict(cfg.Bool("module-strict"))
		}
	})
}

// misuseInfoLines are the module_misuse lines of INFO modules, one per
// loaded module with misuses (every loaded module in strict mode).
func (s *System) misuseInfoLines() []string {
	var out []string
	for _, m := range s.mods {
		if l := misuses.infoLine(m.Name); l != "" {
			out = append(out, l)
		}
	}
	return out
}

// cmdStrictReport is MODULE STRICT-REPORT [RESET]: the misuse log as an
// array of lines, or OK after emptying it.
func (s *System) cmdStrictReport(c *server.Client, a [][]byte) {
	if len(a) > 3 {
		c.Error("ERR syntax error")
		return
	}
	if len(a) == 3 {
		if !strings.EqualFold(string(a[2]), "reset") {
			c.Error("ERR syntax error")
			return
		}
		misuses.reset()
		c.OK()
		return
	}
	lines := misuses.report()
	c.W.ArrayLen(len(lines))
	for _, l := range lines {
		c.W.Bulk([]byte(l))
	}
}

// msgNoReply is the error a client gets when a module command returned
// without replying (Redis would leave the client waiting forever).
const msgNoReply = "ERR module command '%s' returned without replying"

// enterDiagnostics names mc as the running command for diagnostics made
// without a context and returns the previous names to restore.
func (mc *command) enterDiagnostics() (prevCmd, prevMod *C.char) {
	if mc.cname == nil {
		mc.cname = C.CString(mc.hc.FullName)
	}
	prevCmd, prevMod = C.mh_cur_cmd_name, C.mh_cur_module_name
	C.mh_cur_cmd_name = mc.cname
	if mc.mod != nil && mc.mod.cname != nil {
		C.mh_cur_module_name = mc.mod.cname
	}
	return prevCmd, prevMod
}

// noReply reports a command that returned without replying or blocking
// and answers its client with an error instead.
func (mc *command) noReply(c *server.Client) {
	reportMisuse(mc.mod.Name, mc.hc.FullName, C.MH_MISUSE_REPLY,
		"RedisModule_ReplyWith*: the command returned without replying; replied with an error")
	c.Error(sprintf(msgNoReply, mc.hc.FullName))
}
