package host

// The data-type contract check of module-strict mode: after a module
// command returns, every module-type value it opened for writing is put
// through the type's callbacks the way persistence and the keyspace will
// use them (what module test suites do by hand with DEBUG RELOAD and
// digests):
//
//   - rdb_save, then rdb_load of those bytes into a scratch value, which
//     must read every saved byte and equal the original: by the type's
//     digest callback when it has one, else a second rdb_save of the
//     scratch value compared byte for byte. The scratch value lives, for
//     its callbacks, under the same key name in another database where
//     that name is absent, as a DEBUG RELOAD would rebuild it in a fresh
//     keyspace: modules that keep state per database and key name (Redis's
//     datatype2 test module does) must not see their live key's state
//     replaced or freed by the check. With one database, or the name
//     present in every other, only rdb_save and aof_rewrite are checked;
//   - aof_rewrite (when the type has one): every emitted command must be a
//     well-formed RESP array naming a known command with a valid arity,
//     and replayed (strict_aof.go) they must build a value equal to the
//     key's;
//   - mem_usage, free_effort, copy (into a second scratch database) and
//     unlink are called on the scratch value, then unlink and free on the
//     copy and free on the scratch value, in the order Redis calls them
//     when keys are copied and deleted: they must not crash.
//
// A disagreement is one line naming the type, key, command and callback
// (kind "datatype").

/*
#include <stdlib.h>
#include "ctx.h"
#include "api_type.h"
#include "mh_string.h"
#include "misuse.h"
*/
import "C"

import (
	"bytes"
	"fmt"
	"runtime/cgo"
	"strconv"
	"unsafe"

	"github.com/modhost/modhost/keyspace"
	"github.com/modhost/modhost/keyspace/rdb"
)

// checkWrittenTypes checks the module-type values among keys, which the
// module command cmd opened for writing.
func (s *System) checkWrittenTypes(cmd string, keys []strictKey) {
	if aofReplaying {
		return
	}
	for _, k := range keys {
		mv, ok := s.srv.Keyspace().Peek(k.db, []byte(k.name)).(*keyspace.ModuleValue)
		if !ok || mv.Ptr == nil {
			continue
		}
		if t, ok := mv.Type.(*moduleType); ok {
			s.checkTypeContract(t, cmd, k.db, []byte(k.name), mv)
		}
	}
}

// typeCheck is one contract check of a value of t at key, run by cmd.
type typeCheck struct {
	t   *moduleType
	cmd string
	db  int
	key []byte
}

// fail reports a callback that broke the contract.
func (tc typeCheck) fail(callback, what string) {
	mod := "?"
	if tc.t.mod != nil {
		mod = tc.t.mod.Name
	}
	reportMisuse(mod, tc.cmd, C.MH_MISUSE_TYPE, fmt.Sprintf(
		"RedisModule_CreateDataType: type '%s', key '%s': %s %s", tc.t.name, tc.key, callback, what))
}

// failAPI reports a callback that misused the API function fn.
func (tc typeCheck) failAPI(fn, callback, what string) {
	mod := "?"
	if tc.t.mod != nil {
		mod = tc.t.mod.Name
	}
	reportMisuse(mod, tc.cmd, C.MH_MISUSE_TYPE, fmt.Sprintf(
		"%s: type '%s', key '%s': %s %s", fn, tc.t.name, tc.key, callback, what))
}

// save runs rdb_save on ptr and returns the bytes; ok is false when the
// callback marked its io failed.
func (tc typeCheck) save(ptr unsafe.Pointer) ([]byte, bool) {
	io := newIO(tc.t, C.MH_IO_SAVE, tc.key, tc.db)
	defer freeIO(io)
	C.mh_type_call_save(tc.t.c, io, ptr)
	return ioOutput(io), io.error == 0
}

// load runs rdb_load over saved and returns the scratch value (nil when
// the load failed, after reporting it).
func (tc typeCheck) load(saved []byte) unsafe.Pointer {
	r := rdb.NewReader(saved, rdb.Version)
	io := newIO(tc.t, C.MH_IO_LOAD, tc.key, tc.db)
	st := &ioLoad{r: r, t: tc.t, check: true}
	io.handle = C.uintptr_t(cgo.NewHandle(st))
	ptr := C.mh_type_call_load(tc.t.c, io, C.int(tc.t.id&1023))
	failed := io.error != 0
	freeIO(io)
	switch {
	case failed:
		tc.fail("rdb_load", fmt.Sprintf("failed reading back the %d bytes rdb_save wrote (it reads more, or other fields, than rdb_save saves)", len(saved)))
	case ptr == nil:
		tc.fail("rdb_load", "returned NULL for what rdb_save wrote")
	case r.Remaining() > 0:
		tc.fail("rdb_load", fmt.Sprintf("left %d of the %d bytes rdb_save wrote unread", r.Remaining(), len(saved)))
	}
	if failed && ptr != nil {
		C.mh_type_call_free(tc.t.c, ptr)
		return nil
	}
	return ptr
}

// checkTypeContract runs every check of the file comment on mv.
func (s *System) checkTypeContract(t *moduleType, cmd string, db int, key []byte, mv *keyspace.ModuleValue) {
	tc := typeCheck{t: t, cmd: cmd, db: db, key: key}
	saved, ok := tc.save(mv.Ptr)
	if !ok {
		tc.fail("rdb_save", "marked its io failed")
		return
	}
	if dbs := s.scratchDBs(db, key, 2); len(dbs) > 0 {
		sc := tc
		sc.db = dbs[0]
		if scratch := sc.load(saved); scratch != nil {
			tc.compare(mv.Ptr, scratch, saved, sc.db)
			copyDB := -1
			if len(dbs) > 1 {
				copyDB = dbs[1]
			}
			sc.exercise(scratch, copyDB)
		}
	}
	if t.c.m.aof_rewrite != nil {
		out, err := s.RewriteModuleValue(db, key, mv)
		if err != nil {
			tc.fail("aof_rewrite", "failed: "+err.Error())
		} else if msg := checkEmitted(s.srv, out); msg != "" {
			tc.fail("aof_rewrite", msg)
		} else {
			s.replayAOF(tc, mv, out)
		}
	}
}

// digest returns the digest of the value at ptr (of tc.key in tc.db) when
// it can tell values apart: false when the type has no digest callback,
// or when the callback leaves its elements in an open sequence, which
// DEBUG DIGEST ignores (reported: the type's digest is then the same
// for every value, and DEBUG DIGEST cannot catch a replica or a reload
// that lost data).
func (tc typeCheck) digest(ptr unsafe.Pointer) (rdb.Digest, bool) {
	d, open, ok := tc.t.digestSequences(ptr, tc.key, tc.db)
	if ok && open {
		if tc.t.digestOpenReported {
			return d, false
		}
		tc.t.digestOpenReported = true
		tc.failAPI("RedisModule_DigestEndSequence", "digest", "added elements it never closed with RedisModule_DigestEndSequence: DEBUG DIGEST ignores them (as Redis does), so they count for nothing in the key's digest")
		return d, false
	}
	return d, ok
}

// noDigestWhy says why a comparison fell back to rdb_save bytes.
func (tc typeCheck) noDigestWhy() string {
	if tc.t.c.m.digest == nil {
		return "the type has no digest callback to compare with"
	}
	return "its digest callback leaves its elements in an open sequence, so digests cannot tell values apart"
}

// compare checks that the scratch value equals the original: by digest
// when the type has one, else by a second rdb_save.
// The scratch value is in database sdb.
func (tc typeCheck) compare(orig, scratch unsafe.Pointer, saved []byte, sdb int) {
	if d1, ok := tc.digest(orig); ok {
		d2, _ := tc.t.ModuleDigest(scratch, tc.key, sdb)
		if d1 != d2 {
			tc.fail("rdb_load", "lost data: the digest of the value rdb_load rebuilt from rdb_save's bytes differs from the original's")
		}
		return
	}
	sc := tc
	sc.db = sdb
	again, ok := sc.save(scratch)
	switch {
	case !ok:
		tc.fail("rdb_save", "marked its io failed saving the value rdb_load rebuilt")
	case !bytes.Equal(again, saved):
		tc.fail("rdb_load", fmt.Sprintf("lost data: rdb_save of the value it rebuilt gives %d bytes that differ from the original's %d (%s)", len(again), len(saved), tc.noDigestWhy()))
	}
}

// exercise calls mem_usage, free_effort, copy and unlink on the scratch
// value (in database tc.db), then unlink and free on the copy (made in
// database copyDB; no copy when it is -1) and free on the scratch value.
func (tc typeCheck) exercise(scratch unsafe.Pointer, copyDB int) {
	var oc C.RedisModuleKeyOptCtx
	oc.from_key = newCString(nil, tc.key)
	defer C.mh_string_release(oc.from_key)
	oc.from_dbid, oc.to_dbid = C.int(tc.db), -1
	C.mh_type_call_mem_usage(tc.t.c, &oc, scratch)
	C.mh_type_call_free_effort(tc.t.c, &oc, scratch)
	if copyDB >= 0 {
		var has C.int
		oc.to_key, oc.to_dbid = oc.from_key, C.int(copyDB)
		cp := C.mh_type_call_copy(tc.t.c, &oc, scratch, &has)
		if cp != nil {
			var cc C.RedisModuleKeyOptCtx
			cc.from_key, cc.from_dbid, cc.to_dbid = oc.from_key, C.int(copyDB), -1
			C.mh_type_call_unlink(tc.t.c, &cc, cp)
			C.mh_type_call_free(tc.t.c, cp)
		}
		oc.to_key, oc.to_dbid = nil, -1
	}
	C.mh_type_call_unlink(tc.t.c, &oc, scratch)
	C.mh_type_call_free(tc.t.c, scratch)
}

// scratchDBs returns up to n databases other than db where key is absent,
// highest first: where the contract checks build their scratch values.
func (s *System) scratchDBs(db int, key []byte, n int) []int {
	ks := s.srv.Keyspace()
	var out []int
	for d := ks.NumDBs() - 1; d >= 0 && len(out) < n; d-- {
		if d != db && !ks.Exists(d, key) {
			out = append(out, d)
		}
	}
	return out
}

// checkEmitted checks the commands an aof_rewrite emitted: RESP arrays of
// bulk strings, each a known command with a valid arity; "" when well
// formed, else what is wrong.
func checkEmitted(srv Server, out []byte) string {
	n := 0
	for pos := 0; pos < len(out); n++ {
		args, next, ok := parseCommand(out, pos)
		if !ok {
			return fmt.Sprintf("emitted malformed RESP at byte %d of %d", pos, len(out))
		}
		pos = next
		if _, check, msg := srv.ResolveCall(args); check == CallUnknown || check == CallArity {
			return fmt.Sprintf("emitted command %d cannot run: %s", n+1, msg)
		}
	}
	if n == 0 {
		return "emitted no command (the key would be missing after an AOF rewrite)"
	}
	return ""
}

// parseCommand reads one RESP array of bulk strings at out[pos].
func parseCommand(out []byte, pos int) (args [][]byte, next int, ok bool) {
	line := func() ([]byte, bool) {
		i := bytes.Index(out[pos:], []byte("\r\n"))
		if i < 1 {
			return nil, false
		}
		l := out[pos : pos+i]
		pos += i + 2
		return l, true
	}
	l, ok := line()
	if !ok || l[0] != '*' {
		return nil, 0, false
	}
	n, err := strconv.Atoi(string(l[1:]))
	if err != nil || n < 1 {
		return nil, 0, false
	}
	for i := 0; i < n; i++ {
		l, ok := line()
		if !ok || l[0] != '$' {
			return nil, 0, false
		}
		m, err := strconv.Atoi(string(l[1:]))
		if err != nil || m < 0 || pos+m+2 > len(out) || out[pos+m] != '\r' || out[pos+m+1] != '\n' {
			return nil, 0, false
		}
		args = append(args, out[pos:pos+m])
		pos += m + 2
	}
	return args, pos, true
}
