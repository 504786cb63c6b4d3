package server

// The propagation stream: what each write command changed, in the form
// that replays it deterministically, goes to one feed that the
// replication link and the AOF subscribe to. The rules are Redis 7.2's
// execution units (server.c call/alsoPropagate/propagatePendingCommands/
// postExecutionUnitOperations):
//
//   - a command propagates only when it changed the dataset (the dirty
//     counter moved), possibly rewritten (propagate_rewrite.go);
//   - everything one execution unit causes is collected and emitted when
//     the unit ends, wrapped in MULTI/EXEC when it is more than one op.
//     A unit is a top-level command (its own op, lazily expired keys,
//     module Replicate calls, nested Call "!" commands, the writes of
//     keyspace-notification handlers, the commands of EXEC, and the
//     post-notification jobs, which run at the end of the unit, before it
//     is emitted), one module callback outside a command (a timer, an
//     event), a module thread's ThreadSafeContextLock section, or one key
//     deleted by active expiry or eviction (its DEL after what the
//     "expired"/"evicted" handlers wrote);
//   - module commands never propagate themselves (they use Replicate),
//     and a module Call without "!" keeps what it runs out of the stream.
//
// SELECT is each sink's business (each tracks the database its stream
// has selected). MULTI and EXEC carry no database, so a SELECT a unit
// needs comes after its MULTI, as in Redis 7.2 (7.0 put it before).

import (
	"github.com/modhost/modhost/commands"
	"github.com/modhost/modhost/keyspace"
)

// Propagation targets (Redis's PROPAGATE_AOF and PROPAGATE_REPL).
const (
	PropagateAOF  = 1
	PropagateRepl = 2
	PropagateAll  = PropagateAOF | PropagateRepl
)

// PropagationSink is a subscriber of the propagation feed: the
// replication link now, an AOF writer later. Both methods run under the
// server lock.
type PropagationSink interface {
	// Wants reports whether the sink takes ops for target now. It is asked
	// before any op is built, so it must be cheap.
	Wants(target int) bool
	// Propagate receives one op of the stream, MULTI and EXEC included,
	// in order; argv is only valid during the call.
	Propagate(db int, argv [][]byte, target int)
}

// propOp is one op waiting for its command to end.
type propOp struct {
	db     int
	argv   [][]byte
	target int
}

// propagation is the server's propagation state (guarded by the lock).
type propagation struct {
	sinks []PropagationSink
	ops   []propOp // also_propagate
	// nesting is server.execution_nesting: call()s and other execution
	// units (module callbacks, thread-safe lock sections, expiry and
	// eviction of one key) now running.
	nesting int
	// postUnit are the hooks run when the outermost unit ends, before its
	// ops are emitted (module post-notification jobs).
	postUnit []func()
	// blocked is !server.replication_allowed: set while a module Call
	// without "!" runs.
	blocked bool
	// nestedTarget is the target of commands run by fake (module)
	// clients: set around a module Call by its "!", "A" and "R".
	nestedTarget int
	// loading is set while the AOF is replayed: nothing propagates then
	// (Redis's shouldPropagate checks server.loading).
	loading bool
	// enders are the sinks that implement batchEnder; inBatch is set
	// while a connection's batch holds the lock: they are told once, when
	// it releases the lock before writing its replies (as Redis writes the
	// AOF once per event-loop iteration), instead of after every command.
	enders  []batchEnder
	inBatch bool
	// removalUnit is set while the unit KeyRemoving opened for a key
	// that active expiry or eviction removes is open (keyHooks.Notify
	// closes it).
	removalUnit bool
}

// batchEnder is a sink that wants to know when the ops emitted so far
// must reach their destination: at the end of a connection's batch,
// before its replies are written, and after each unit emitted outside a
// batch (timers, cron, module threads). The AOF writes its buffer then.
type batchEnder interface{ EndBatch() }

// endBatches tells the batchEnder sinks that replies are about to leave.
func (s *Server) endBatches() {
	for _, e := range s.prop.enders {
		e.EndBatch()
	}
}

// Shared argv of the ops the layer itself emits.
var (
	argvMulti = [][]byte{[]byte("MULTI")}
	argvExec  = [][]byte{[]byte("EXEC")}
)

// AddPropagationSink subscribes sink to the propagation feed.
func (s *Server) AddPropagationSink(sink PropagationSink) {
	s.prop.sinks = append(s.prop.sinks, sink)
	if e, ok := sink.(batchEnder); ok {
		s.prop.enders = append(s.prop.enders, e)
	}
}

// wantsPropagation reports whether some sink takes target now.
func (s *Server) wantsPropagation(target int) bool {
	for _, k := range s.prop.sinks {
		if k.Wants(target) {
			return true
		}
	}
	return false
}

// AlsoPropagate queues an op for the stream (Redis's alsoPropagate): it
// is emitted when the running top-level command ends, or at the next
// flush when none runs. argv is copied. Nothing is queued while a module
// Call without "!" runs or when no sink wants the target.
func (s *Server) AlsoPropagate(db int, argv [][]byte, target int) {
	if s.prop.blocked {
		return
	}
	s.queueOp(db, argv, target)
}

// queueOp appends a copy of argv to the pending ops if a sink wants it.
func (s *Server) queueOp(db int, argv [][]byte, target int) {
	if target == 0 || s.prop.loading || !s.wantsPropagation(target) {
		return
	}
	n := 0
	for _, a := range argv {
		n += len(a)
	}
	buf := make([]byte, 0, n)
	cp := make([][]byte, len(argv))
	for i, a := range argv {
		buf = append(buf, a...)
		cp[i] = buf[len(buf)-len(a):]
	}
	s.prop.ops = append(s.prop.ops, propOp{db: db, argv: cp, target: target})
}

// propagateDeletion queues the DEL (UNLINK with lazy freeing) of a key
// the server expired or evicted; it goes out even while a module Call
// without "!" runs, as Redis's propagateDeletion forces.
func (s *Server) propagateDeletion(db int, key []byte, lazy bool) {
	name := []byte("DEL")
	if lazy {
		name = []byte("UNLINK")
	}
	s.queueOp(db, [][]byte{name, key}, PropagateAll)
}

// propagateKeyEvent turns the keyspace's "expired" and "evicted"
// notifications into DELs (keyhooks.go calls it for every event).
func (s *Server) propagateKeyEvent(class keyspace.NotifyClass, key []byte, db int) {
	switch class {
	case keyspace.NotifyExpired:
		s.propagateDeletion(db, key, s.Config.Bool("lazyfree-lazy-expire"))
	case keyspace.NotifyEvicted:
		s.propagateDeletion(db, key, s.Config.Bool("lazyfree-lazy-eviction"))
	}
}

// propagatePending emits the queued ops (propagatePendingCommands):
// wrapped in MULTI/EXEC when there is more than one and multi is allowed.
func (s *Server) propagatePending(multi bool) {
	ops := s.prop.ops
	if len(ops) == 0 {
		return
	}
	s.prop.ops = nil
	tx := multi && len(ops) > 1
	if tx {
		// No database: the SELECT goes inside, with the first op (7.2).
		s.propagateNow(-1, argvMulti, PropagateAll)
	}
	for _, op := range ops {
		s.propagateNow(op.db, op.argv, op.target)
	}
	if tx {
		s.propagateNow(-1, argvExec, PropagateAll)
	}
	if !s.prop.inBatch {
		s.endBatches()
	}
}

// propagateNow hands one op to every sink that wants it.
func (s *Server) propagateNow(db int, argv [][]byte, target int) {
	for _, k := range s.prop.sinks {
		if k.Wants(target) {
			k.Propagate(db, argv, target)
		}
	}
}

// callPropagation is the per-call state call() keeps around a handler.
type callPropagation struct {
	dirty int64
	mark  int // start of the command's reply in c.W.Buf
}

// beginCallPropagation is called by call() before the handler: ops left
// from outside any command (evictions made before it) go out on their
// own first.
func (s *Server) beginCallPropagation(c *Client) callPropagation {
	if s.prop.nesting == 0 && len(s.prop.ops) > 0 {
		s.propagatePending(false)
	}
	c.noProp = false
	s.prop.nesting++
	return callPropagation{dirty: s.Keys.Dirty, mark: len(c.W.Buf)}
}

// endCallPropagation is called by call() after the handler: the command
// is queued (rewritten) when it changed the dataset, and the top-level
// call emits everything queued.
func (s *Server) endCallPropagation(c *Client, cmd *commands.Command, args [][]byte, cp callPropagation) {
	if c.noProp {
		c.noProp = false
	} else if s.Keys.Dirty > cp.dirty && cmd.FullName != "exec" && cmd.Flags&commands.FlagModule == 0 && !s.prop.blocked {
		target := PropagateAll
		if c.conn == nil {
			target = s.prop.nestedTarget
		}
		if target != 0 && s.wantsPropagation(target) {
			var reply []byte
			if cp.mark <= len(c.W.Buf) {
				reply = c.W.Buf[cp.mark:]
			}
			for _, argv := range s.rewriteForPropagation(c, cmd, args, reply) {
				s.queueOp(c.DB, argv, target)
			}
		}
	}
	s.prop.nesting--
	if s.prop.nesting == 0 {
		s.postExecutionUnit()
		c.woff = s.repl.offset
	}
}

// flushPropagation emits what work outside a command queued (served
// blocked clients, timers, module threads) at the end of that work.
func (s *Server) flushPropagation() {
	if s.prop.nesting == 0 {
		s.postExecutionUnit()
	}
}

// EnterExecutionUnit opens an execution unit (enterExecutionUnit): what
// is propagated until the matching ExitExecutionUnit goes out together.
// Units nest; only the outermost one's end emits. Called under the lock.
func (s *Server) EnterExecutionUnit() { s.prop.nesting++ }

// ExitExecutionUnit closes the unit EnterExecutionUnit opened; at the
// outermost level it runs the post-unit hooks and emits what the unit
// queued (exitExecutionUnit + postExecutionUnitOperations).
func (s *Server) ExitExecutionUnit() {
	s.prop.nesting--
	if s.prop.nesting == 0 {
		s.postExecutionUnit()
	}
}

// OnPostExecutionUnit registers fn to run when the outermost execution
// unit ends, inside it (its writes join the unit), before the unit's ops
// are emitted: module post-notification jobs.
func (s *Server) OnPostExecutionUnit(fn func()) { s.prop.postUnit = append(s.prop.postUnit, fn) }

// postExecutionUnit is postExecutionUnitOperations: the post-unit hooks
// run inside a nested unit (so that what they run does not emit on its
// own), then the unit's ops are emitted.
func (s *Server) postExecutionUnit() {
	if s.prop.nesting != 0 {
		return
	}
	if len(s.prop.postUnit) > 0 {
		s.prop.nesting++
		for _, fn := range s.prop.postUnit {
			fn()
		}
		s.prop.nesting--
	}
	s.propagatePending(true)
}

// inUnit runs fn as one execution unit.
func (s *Server) inUnit(fn func()) {
	s.EnterExecutionUnit()
	fn()
	s.ExitExecutionUnit()
}

// SetCallPropagation sets how commands of the module Call about to run
// propagate: target (0 when the Call has no "!") and whether anything it
// causes may propagate at all. It returns the previous settings, to be
// restored after the Call.
func (s *Server) SetCallPropagation(target int, allowed bool) (prevTarget int, prevAllowed bool) {
	prevTarget, prevAllowed = s.prop.nestedTarget, !s.prop.blocked
	s.prop.nestedTarget, s.prop.blocked = target, !allowed
	return
}
