package server

import (
	"math"
	"os"
	"runtime"
	"runtime/debug"
	"runtime/metrics"
	"sync"
	"sync/atomic"
)

// GC tuning: Go's default GOGC=100 lets the heap grow to twice the live
// data before collecting, which for a large keyspace doubles the resident
// memory Redis would use. The tuner lowers the GC percentage as the live
// heap grows, keeping the headroom at about gcHeadroom bytes but never
// below gcMinPercent: small heaps (benchmarks, tests) keep the default and
// its low GC CPU, large ones trade a little GC CPU for memory.
//
// With maxmemory set the headroom is at most maxmemory/16 (and the
// percentage may go down to gcMinPercentLimited): garbage counts in the
// used-memory figure until it is collected (memaccount.go), so it must
// stay a small part of the limit. Go's memory limit is set a little above
// maxmemory, so that the collector and the scavenger (which returns free
// pages to the OS) work to keep the whole process near the limit.
const (
	gcHeadroom          = 32 << 20
	gcMinPercent        = 25
	gcMinPercentLimited = 5
	gcMaxPercent        = 100
)

var (
	gcTunerOnce sync.Once
	// gcMaxMemory is maxmemory as the tuner sees it (0: no limit).
	gcMaxMemory atomic.Uint64
	// gcMarkCycles and gcMarkAllocs are the GC cycle count and the
	// cumulative allocation counter read right after that cycle.
	gcMarkCycles, gcMarkAllocs atomic.Uint64
)

// gcMark returns the last cycle the tuner saw and the allocation counter
// just after it.
func gcMark() (cycles, allocs uint64) {
	return gcMarkCycles.Load(), gcMarkAllocs.Load()
}

// StartGCTuner starts adapting the GC percentage to the live heap after
// every collection. It does not change the percentage when the GOGC
// environment variable is set (the operator's choice wins), but still
// notes each cycle for the used-memory account. Calling it again has no
// effect.
func StartGCTuner() {
	gcTunerOnce.Do(func() {
		armGCTuner(&gcTuner{percent: gcMaxPercent, fixed: os.Getenv("GOGC") != ""})
	})
}

// setGCMemoryLimit ties the tuner and Go's memory limit to maxmemory
// (0: no limit). GOMEMLIMIT in the environment wins over the limit.
func setGCMemoryLimit(maxmemory uint64) {
	gcMaxMemory.Store(maxmemory)
	if os.Getenv("GOMEMLIMIT") != "" {
		return
	}
	if maxmemory == 0 {
		debug.SetMemoryLimit(math.MaxInt64)
		return
	}
	// Runtime overhead beyond the heap (stacks, GC metadata, fragmentation)
	// is not data: allow an eighth plus a fixed amount for it.
	limit := maxmemory + maxmemory/8 + 16<<20
	if limit > math.MaxInt64 || limit < maxmemory {
		limit = math.MaxInt64
	}
	debug.SetMemoryLimit(int64(limit))
}

// gcTuner is the tuner's state, reached only from finalizers, which run
// one at a time.
type gcTuner struct {
	percent int
	fixed   bool // GOGC set: only note cycles
	sample  [3]metrics.Sample
}

// gcSentinel is garbage the tuner allocates so that its finalizer runs
// after the next collection. The pointer field keeps it out of the tiny
// allocator, whose blocks may outlive a cycle.
type gcSentinel struct {
	t *gcTuner
	_ [8]byte
}

func armGCTuner(t *gcTuner) {
	s := &gcSentinel{t: t}
	runtime.SetFinalizer(s, func(s *gcSentinel) {
		s.t.tune()
		armGCTuner(s.t)
	})
}

// tune notes the cycle and sets the GC percentage for the live heap just
// measured.
func (t *gcTuner) tune() {
	t.sample[0].Name = "/gc/heap/live:bytes"
	t.sample[1].Name = "/gc/cycles/total:gc-cycles"
	t.sample[2].Name = "/gc/heap/allocs:bytes"
	metrics.Read(t.sample[:])
	for _, s := range t.sample {
		if s.Value.Kind() != metrics.KindUint64 {
			return
		}
	}
	gcMarkAllocs.Store(t.sample[2].Value.Uint64())
	gcMarkCycles.Store(t.sample[1].Value.Uint64())
	if t.fixed {
		return
	}
	p := gcPercentFor(t.sample[0].Value.Uint64(), gcMaxMemory.Load())
	if p != t.percent {
		t.percent = p
		debug.SetGCPercent(p)
	}
}

// gcPercentFor returns the GC percentage for a live heap of live bytes
// under maxmemory (0: no limit).
func gcPercentFor(live, maxmemory uint64) int {
	if live == 0 {
		return gcMaxPercent
	}
	headroom, floor := uint64(gcHeadroom), uint64(gcMinPercent)
	if maxmemory > 0 {
		headroom = min(headroom, max(maxmemory/16, 1<<20))
		floor = gcMinPercentLimited
	}
	p := headroom * 100 / live
	// Round to steps of 5 so that a slowly growing heap does not call
	// SetGCPercent after every cycle.
	p -= p % 5
	return int(min(max(p, floor), gcMaxPercent))
}
