package host

// Replication for modules: RedisModule_Replicate, ReplicateVerbatim and
// Call's "!" modifier. What they propagate goes to the server's
// propagation feed (replicas, later the AOF); a copy of what modules asked
// for is kept per server and listed by DEBUG MODHOST-REPLICATED [RESET].

/*
#include "ctx.h"
#include "api_call.h"
*/
import "C"

import (
	"encoding/binary"
	"strings"
)

// replicated is one command recorded for propagation. Its arguments are
// packed in one buffer, each as a 4-byte little-endian length and the
// bytes, so that recording allocates at most once (nothing once the record
// is full: the oldest entry's buffer is reused).
type replicated struct {
	db    int
	flags int // MH_CALL_* modifiers: the propagation target
	args  []byte
}

// each calls fn with every argument of r, in order.
func (r replicated) each(fn func(arg []byte)) {
	for b := r.args; len(b) >= 4; {
		n := int(binary.LittleEndian.Uint32(b))
		fn(b[4 : 4+n])
		b = b[4+n:]
	}
}

// count returns the number of arguments of r.
func (r replicated) count() int {
	n := 0
	r.each(func([]byte) { n++ })
	return n
}

// maxReplicated bounds the record; older entries are dropped first.
const maxReplicated = 10000

// targetName names the propagation target the "A"/"R" modifiers leave.
func targetName(flags int) string {
	aof := flags&C.MH_CALL_NO_AOF == 0
	repl := flags&C.MH_CALL_NO_REPLICAS == 0
	switch {
	case aof && repl:
		return "aof+repl"
	case aof:
		return "aof"
	case repl:
		return "repl"
	}
	return "none"
}

// propagationTarget maps the "A"/"R" modifiers to the server's target
// bits (1 AOF, 2 replicas).
func propagationTarget(flags int) int {
	t := 0
	if flags&C.MH_CALL_NO_AOF == 0 {
		t |= 1
	}
	if flags&C.MH_CALL_NO_REPLICAS == 0 {
		t |= 2
	}
	return t
}

// replicate sends args to the server's propagation feed and keeps a copy
// in the record DEBUG MODHOST-REPLICATED lists.
func (f *callFamily) replicate(db int, args [][]byte, flags int) {
	f.sys.srv.AlsoPropagate(db, args, propagationTarget(flags))
	f.record(db, args, flags)
}

// record appends a copy of args to the propagation record; once it holds
// maxReplicated entries the oldest one's slot (and buffer) is reused, so
// recording allocates nothing in the steady state.
func (f *callFamily) record(db int, args [][]byte, flags int) {
	var slot *replicated
	if len(f.replicated) < maxReplicated {
		f.replicated = append(f.replicated, replicated{})
		slot = &f.replicated[len(f.replicated)-1]
	} else {
		slot = &f.replicated[f.replStart]
		f.replStart = (f.replStart + 1) % maxReplicated
	}
	buf := slot.args[:0]
	for _, a := range args {
		buf = binary.LittleEndian.AppendUint32(buf, uint32(len(a)))
		buf = append(buf, a...)
	}
	*slot = replicated{db: db, flags: flags, args: buf}
}

// eachReplicated calls fn on the recorded entries, oldest first.
func (f *callFamily) eachReplicated(fn func(r *replicated)) {
	n := len(f.replicated)
	for i := 0; i < n; i++ {
		fn(&f.replicated[(f.replStart+i)%n])
	}
}

// debugReplicated is DEBUG MODHOST-REPLICATED [RESET]: an array with one
// entry per recorded command, [target, db, [args...]], oldest first;
// RESET empties the record and answers OK.
func (f *callFamily) debugReplicated(c Client, a [][]byte) {
	if len(a) == 3 && strings.EqualFold(string(a[2]), "reset") {
		f.replicated, f.replStart = nil, 0
		c.OK()
		return
	}
	if len(a) != 2 {
		c.Error("ERR unknown subcommand or wrong number of arguments for 'modhost-replicated'. Try DEBUG HELP.")
		return
	}
	c.Writer().ArrayLen(len(f.replicated))
	f.eachReplicated(func(r *replicated) {
		c.Writer().ArrayLen(3)
		c.Writer().BulkString(targetName(r.flags))
		c.Writer().Int(int64(r.db))
		c.Writer().ArrayLen(r.count())
		r.each(func(a []byte) { c.Writer().Bulk(a) })
	})
}

// mhv_replicate records the request built by mh_Replicate: REDISMODULE_ERR
// when the command is unknown, else REDISMODULE_OK. As in Redis, nothing
// is recorded while a Call without "!" runs, and the dirty counter grows.
//
//export mhv_replicate
func mhv_replicate(ctx *C.RedisModuleCtx, req *C.mh_call_req) (rc C.int) {
	rc = C.REDISMODULE_ERR
	defer guardExport(ctx, "Replicate")
	st := stateOf(ctx)
	if st == nil || st.sys == nil {
		return C.REDISMODULE_ERR
	}
	args := reqArgs(req)
	if st.sys.srv.Commands().Get(string(args[0])) == nil {
		return C.REDISMODULE_ERR
	}
	strictNoteReplicate(ctx, "Replicate")
	f := familyOf(st.sys)
	if !f.replBlocked {
		f.replicate(int(ctx.dbid), args, int(req.flags))
	}
	st.sys.srv.Keyspace().Dirty++
	return C.REDISMODULE_OK
}

// apiReplicateVerbatim implements RedisModule_ReplicateVerbatim: the
// command being run is recorded for propagation exactly as the client sent
// it, in the context's database. Always REDISMODULE_OK.
func apiReplicateVerbatim(ctx *C.RedisModuleCtx) (rc C.int) {
	st := stateOf(ctx)
	if st == nil || st.sys == nil || len(st.args) == 0 {
		return C.REDISMODULE_OK
	}
	strictNoteReplicate(ctx, "ReplicateVerbatim")
	f := familyOf(st.sys)
	if !f.replBlocked {
		f.replicate(int(ctx.dbid), st.args, 0)
	}
	st.sys.srv.Keyspace().Dirty++
	return C.REDISMODULE_OK
}
