package host

// Key and command-flag diagnostics (docs/CONFORMANCE.md): writes through a
// key opened without REDISMODULE_WRITE (always on; the call fails as in
// Redis), and, in strict mode, commands whose declared flags do not match
// what they do: a "readonly" command that writes (key API or Call of a
// write command) and a command without "write" or "may-replicate" that
// calls Replicate or ReplicateVerbatim, each reported once per command.
// The never-closed key check is C (strict_keys.c).
//
// A strictFrame is pushed by the dispatcher around each module command
// while module-strict is yes; it also collects the keys the command opened
// for writing, which the data-type contract check (strict_types.go)
// examines when the command returns.

/*
#include <stdlib.h>
#include "ctx.h"
#include "api_key.h"
#include "misuse.h"
*/
import "C"

import (
	"fmt"
	"unsafe"

	"github.com/modhost/modhost/commands"
)

// strictFrame is the strict-mode record of one running module command.
type strictFrame struct {
	mc    *command
	ctx   *C.RedisModuleCtx
	wrote []strictKey // keys opened for writing, in order, no repeats
}

// strictKey names a key a command opened for writing.
type strictKey struct {
	db   int
	name string
}

// strictCur is the frame of the module command running now (nil when
// none, or when module-strict is no). Commands run under the server lock.
var strictCur *strictFrame

// strictBegin pushes mc's frame (strict mode only) and returns the one it
// replaces, for strictEnd.
func (mc *command) strictBegin(ctx *C.RedisModuleCtx) (prev *strictFrame) {
	prev = strictCur
	if C.mh_strict == 0 {
		strictCur = nil
		return prev
	}
	strictCur = &strictFrame{mc: mc, ctx: ctx}
	return prev
}

// strictEnd runs the checks due when mc returns (the data-type contract
// of the module keys it wrote) and restores prev.
func (mc *command) strictEnd(prev *strictFrame) {
	fr := strictCur
	strictCur = prev
	if fr == nil || len(fr.wrote) == 0 {
		return
	}
	mc.mod.sys.checkWrittenTypes(mc.hc.FullName, fr.wrote)
}

// strictNoteWriteOpen records a key opened for writing by the running
// command (strict mode).
func strictNoteWriteOpen(ctx *C.RedisModuleCtx, db int, name []byte) {
	fr := strictCur
	if fr == nil || fr.ctx != ctx {
		return
	}
	for _, k := range fr.wrote {
		if k.db == db && k.name == string(name) {
			return
		}
	}
	fr.wrote = append(fr.wrote, strictKey{db: db, name: string(name)})
}

// reportOnce reports a flags misuse of the running command once per
// command and check.
func (fr *strictFrame) reportOnce(check, fn, what string) {
	name := fr.mc.hc.FullName
	if !misuses.firstTime("flags\x00" + name + "\x00" + check) {
		return
	}
	reportMisuse(fr.mc.mod.Name, name, C.MH_MISUSE_FLAGS, "RedisModule_"+fn+": "+what)
}

// readonly reports whether the running command is declared "readonly"
// (and not "write").
func (fr *strictFrame) readonly() bool {
	f := fr.mc.hc.Flags
	return f&commands.FlagReadonly != 0 && f&commands.FlagWrite == 0
}

// mayWrite is the write check of every key-API write function fn: false
// (and a key misuse logged) when the key was opened without
// REDISMODULE_WRITE, where Redis's function fails too; in strict mode a
// write by a "readonly" command is reported.
func (r keyRef) mayWrite(fn string) bool {
	if !r.writable() {
		misuseCtx(r.k.ctx, C.MH_MISUSE_KEY, fn, fmt.Sprintf(
			"write through key '%s' opened without REDISMODULE_WRITE; refused (the call failed, as in Redis)", r.name))
		return false
	}
	if fr := strictCur; fr != nil && fr.ctx == r.k.ctx && fr.readonly() {
		fr.reportOnce("readonly-key", fn, fmt.Sprintf(
			"command declared \"readonly\" writes key '%s' through the key API", r.name))
	}
	return true
}

// strictNoteCall reports a write command called through RedisModule_Call
// by a "readonly" command (strict mode).
func strictNoteCall(ctx *C.RedisModuleCtx, cmd *commands.Command) {
	fr := strictCur
	if fr == nil || fr.ctx != ctx || cmd.Flags&commands.FlagWrite == 0 || !fr.readonly() {
		return
	}
	fr.reportOnce("readonly-call", "Call", fmt.Sprintf(
		"command declared \"readonly\" called write command '%s'", cmd.FullName))
}

// strictNoteReplicate reports Replicate or ReplicateVerbatim (fn) called
// by a command declared with neither "write" nor "may-replicate" (strict
// mode).
func strictNoteReplicate(ctx *C.RedisModuleCtx, fn string) {
	fr := strictCur
	if fr == nil || fr.ctx != ctx || fr.mc.hc.Flags&(commands.FlagWrite|commands.FlagMayReplicate) != 0 {
		return
	}
	fr.reportOnce("replicate-"+fn, fn, "command declared without \"write\" or \"may-replicate\" replicates")
}

// misuseCtx reports a misuse found in Go through mh_misuse, which names
// ctx's module and the running command.
func misuseCtx(ctx *C.RedisModuleCtx, kind int, fn, what string) {
	cfn, cwhat := C.CString(fn), C.CString(what)
	C.mh_misuse_text(ctx, C.int(kind), cfn, cwhat)
	C.free(unsafe.Pointer(cfn))
	C.free(unsafe.Pointer(cwhat))
}

// expireFn names the expiry function setExpire serves.
func expireFn(rel bool) string {
	if rel {
		return "SetExpire"
	}
	return "SetAbsExpire"
}

// zsetFn names the sorted-set write zsetFor serves.
func zsetFn(create bool) string {
	if create {
		return "ZsetAdd"
	}
	return "ZsetRem"
}
