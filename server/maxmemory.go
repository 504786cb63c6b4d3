package server

import (
	"math"
	"runtime"
	"runtime/debug"
	"sync/atomic"
	"time"

	"github.com/modhost/modhost/commands"
	"github.com/modhost/modhost/keyspace"
)

// msgOOM is Redis's shared.oomerr.
const msgOOM = "OOM command not allowed when used memory > 'maxmemory'."

// evictResult is performEvictions' outcome (Redis's EVICT_OK, EVICT_RUNNING,
// EVICT_FAIL).
type evictResult int

const (
	evictOK      evictResult = iota // under the limit (after evicting, maybe)
	evictRunning                    // over it, still evicting: commands go on
	evictFail                       // over it and nothing (more) to evict
)

// applyMaxmemory copies the maxmemory directives into s.hot and ties the
// GC to the limit.
func (s *Server) applyMaxmemory(name string) {
	switch name {
	case "", "maxmemory", "maxmemory-policy", "maxmemory-samples", "maxmemory-eviction-tenacity":
	default:
		return
	}
	h := &s.hot
	mm := uint64(s.Config.Int("maxmemory"))
	if name == "" || name == "maxmemory" {
		setGCMemoryLimit(mm)
	}
	h.maxmemory = mm
	h.evictPolicy = keyspace.ParseEvictPolicy(s.Config.String("maxmemory-policy"))
	h.evictSamples = int(s.Config.Int("maxmemory-samples"))
	h.evictBudget = evictionTimeLimit(s.Config.Int("maxmemory-eviction-tenacity"))
	if s.mem.module == nil {
		s.mem.module = s.moduleMemory
	}
	if mm > 0 && s.clients != nil {
		// CONFIG SET maxmemory below the usage evicts at once, as Redis does.
		s.performEvictions()
	}
}

// evictionTimeLimit is how long one eviction pass may run for
// maxmemory-eviction-tenacity t: 50µs per unit up to 10, then growing by
// 15% a unit, unlimited at 100 (Redis's evictionTimeLimitUs). A negative
// duration means no limit.
func evictionTimeLimit(t int64) time.Duration {
	switch {
	case t <= 10:
		return time.Duration(50*t) * time.Microsecond
	case t < 100:
		return time.Duration(500*math.Pow(1.15, float64(t-10))) * time.Microsecond
	}
	return -1
}

// oomRejected performs evictions before a command, as Redis's
// processCommand does when maxmemory is set, and reports whether the
// command must be refused with the OOM error: a deny-oom command (EXEC
// counts as one when it queued one), or any command queued inside MULTI,
// while memory stays over the limit.
func (s *Server) oomRejected(c *Client, cmd *commands.Command, args [][]byte) bool {
	res := s.performEvictions()
	// EVAL and FCALL take deny-oom from the script's flags (FlagsFor)
	cmdDenyOOM := cmd.FlagsFor(args)&commands.FlagDenyOOM != 0
	denyOOM := cmdDenyOOM
	name := top(cmd).Name
	if name == "exec" && c.tx != nil {
		for i, q := range c.tx.cmds {
			denyOOM = denyOOM || q.FlagsFor(c.tx.queue[i])&commands.FlagDenyOOM != 0
		}
	}
	if c.tx != nil {
		switch name {
		case "exec", "discard", "quit", "reset":
		default:
			denyOOM = true
		}
	}
	if !denyOOM {
		return false
	}
	if res == evictFail {
		return true
	}
	if cmdDenyOOM {
		var n uint64
		for _, a := range args {
			n += uint64(len(a))
		}
		s.mem.addPending(n)
	}
	return false
}

// performEvictions evicts keys by maxmemory-policy until the used-memory
// figure is back under maxmemory or the time budget of
// maxmemory-eviction-tenacity is spent (evictRunning: the cron goes on
// later). It fails when nothing more can be evicted.
func (s *Server) performEvictions() evictResult {
	limit := s.hot.maxmemory
	if limit == 0 || s.evictionPaused() || (s.actingAsReplica() && s.Config.Bool("replica-ignore-maxmemory")) {
		return evictOK
	}
	used := s.mem.used(false)
	if used <= limit {
		return evictOK
	}
	// Part of the figure may be garbage: collect it before refusing or
	// evicting when it is a fair share of the limit.
	if s.mem.sinceGC() > limit/16 {
		runtime.GC()
		if used = s.mem.used(true); used <= limit {
			return evictOK
		}
	}
	if s.hot.evictPolicy == keyspace.EvictNone {
		return evictFail
	}
	start := time.Now()
	defer func() { s.LatencyAddSample("eviction-cycle", time.Since(start).Milliseconds()) }()
	tofree := used - limit
	var freed uint64
	for n := 1; freed < tofree; n++ {
		ev, ok := s.Keys.EvictOne(s.hot.evictPolicy, s.hot.evictSamples)
		if !ok {
			return evictFail
		}
		freed += uint64(ev.Bytes)
		s.mem.addEvicted(uint64(ev.Bytes))
		if n%16 == 0 && s.hot.evictBudget >= 0 && time.Since(start) > s.hot.evictBudget {
			s.evictPending = true
			return evictRunning
		}
	}
	s.evictPending = false
	return evictOK
}

// cronEvict goes on with an eviction pass cut short by its time budget.
func (s *Server) cronEvict() {
	if s.evictPending {
		s.evictPending = s.performEvictions() == evictRunning
	}
}

// releasing is set while a goroutine returns freed memory to the OS.
var releasing atomic.Bool

// releaseAfterFlush returns the memory of a large flush to the OS at once
// instead of leaving it to the background scavenger (which gives back a
// few MB a second): a full collection and a release, on their own
// goroutine so that the server lock is not held.
func releaseAfterFlush(keys int) {
	if keys < 10000 || !releasing.CompareAndSwap(false, true) {
		return
	}
	go func() {
		defer releasing.Store(false)
		debug.FreeOSMemory()
	}()
}
