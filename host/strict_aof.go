package host

// The aof_rewrite part of the data-type contract check (strict mode): the
// commands a type's aof_rewrite emits for a key are replayed, and the
// value they build must equal the key's (by the type's digest callback
// when it has one, else by rdb_save bytes), as an AOF rewrite followed by
// a restart would need.
//
// Only commands whose keys are all the rewritten key are replayed (a
// command for another key is named instead). The keyspace has no
// database of its own for this, so the replay borrows another numbered
// database where the key name is absent (the highest such): the commands
// run there on a fake client with propagation off, the value they built
// is compared and deleted, all under the server lock, so no client sees
// it. Module state kept per database and key name (as Redis's datatype2
// test module keeps it) is therefore not disturbed; with one database
// (databases 1) nothing is replayed. The server's dirty counter is
// restored; keyspace notifications of the replayed commands do reach
// subscribers.

import (
	"bytes"
	"fmt"

	"github.com/modhost/modhost/keyspace"
)

// aofReplaying is set while replayed commands run, so that the module
// commands among them are not checked again (they would recurse).
var aofReplaying bool

// replayAOF replays out (aof_rewrite's commands for tc.key, well formed)
// and compares what they build with mv.
func (s *System) replayAOF(tc typeCheck, mv *keyspace.ModuleValue, out []byte) {
	if !s.replayable(tc, out) {
		return
	}
	ks := s.srv.Keyspace()
	dbs := s.scratchDBs(tc.db, tc.key, 1)
	if len(dbs) == 0 { // one database only, or the key name is in every other
		return
	}
	scratch := dbs[0]
	dirty := ks.Dirty
	failed := s.runReplay(tc, scratch, out)
	ks.Dirty = dirty
	if !failed {
		tc.compareReplayed(mv, ks.Peek(scratch, tc.key), scratch)
	}
	ks.Delete(scratch, tc.key)
}

// replayable reports whether every command of out names only tc.key as
// its key, so that replaying them touches nothing else. A command for
// another key is reported; a command whose keys cannot be found (a module
// command declared without key positions) silently prevents the replay.
func (s *System) replayable(tc typeCheck, out []byte) bool {
	for pos, n := 0, 1; pos < len(out); n++ {
		args, next, _ := parseCommand(out, pos)
		pos = next
		cmd, _, _ := s.srv.ResolveCall(args)
		keys, ok := cmd.Keys(args)
		if !ok {
			return false
		}
		for _, k := range keys {
			if k.Pos < len(args) && !bytes.Equal(args[k.Pos], tc.key) {
				tc.fail("aof_rewrite", fmt.Sprintf("emitted command %d (%s) for key '%s', not for the key being rewritten (not replayed)", n, args[0], args[k.Pos]))
				return false
			}
		}
	}
	return true
}

// runReplay runs the commands of out on a fake client in database db,
// without propagation; true (after reporting) when one of them failed.
func (s *System) runReplay(tc typeCheck, db int, out []byte) (failed bool) {
	srv := s.srv
	f := familyOf(s)
	fc := f.takeFake(db, 2)
	prevTarget, prevAllowed := srv.SetCallPropagation(0, false)
	aofReplaying = true
	defer func() {
		aofReplaying = false
		srv.SetCallPropagation(prevTarget, prevAllowed)
		f.putFake(fc)
	}()
	for pos, n := 0, 1; pos < len(out); n++ {
		args, next, _ := parseCommand(out, pos)
		pos = next
		cmd, _, _ := srv.ResolveCall(args)
		start := len(fc.Writer().Buf)
		srv.CallNested(fc, cmd, args)
		if reply := fc.Writer().Buf[start:]; len(reply) > 0 && reply[0] == '-' {
			msg := string(bytes.TrimRight(reply[1:], "\r\n"))
			tc.fail("aof_rewrite", fmt.Sprintf("emitted command %d (%s) failed when replayed: %s", n, args[0], msg))
			return true
		}
	}
	return false
}

// compareReplayed checks the value the replay left at the key in
// database scratch (which the callbacks see as the replayed value's).
func (tc typeCheck) compareReplayed(orig *keyspace.ModuleValue, got keyspace.Value, scratch int) {
	rc := tc
	rc.db = scratch
	mv, ok := got.(*keyspace.ModuleValue)
	if !ok || mv.Ptr == nil || mv.Type != orig.Type {
		what := "left the key missing"
		if got != nil {
			what = "left a value of another type at the key"
		}
		tc.fail("aof_rewrite", "emitted commands that, replayed into a scratch database, "+what)
		return
	}
	if d1, ok := tc.digest(orig.Ptr); ok {
		if d2, _ := rc.t.ModuleDigest(mv.Ptr, rc.key, rc.db); d1 != d2 {
			tc.fail("aof_rewrite", "emitted commands that, replayed into a scratch database, build a different value: its digest differs from the key's")
		}
		return
	}
	a, okA := tc.save(orig.Ptr)
	b, okB := rc.save(mv.Ptr)
	if okA && okB && !bytes.Equal(a, b) {
		tc.fail("aof_rewrite", fmt.Sprintf("emitted commands that, replayed into a scratch database, build a different value: its rdb_save gives %d bytes that differ from the key's %d (%s)", len(b), len(a), tc.noDigestWhy()))
	}
}
