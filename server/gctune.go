package server

import (
	"os"
	"runtime"
	"runtime/debug"
	"runtime/metrics"
	"sync"
)

// GC tuning: Go's default GOGC=100 lets the heap grow to twice the live
// data before collecting, which for a large keyspace doubles the resident
// memory Redis would use. The tuner lowers the GC percentage as the live
// heap grows, keeping the headroom at about gcHeadroom bytes but never
// below gcMinPercent: small heaps (benchmarks, tests) keep the default and
// its low GC CPU, large ones trade a little GC CPU for memory.
const (
	gcHeadroom   = 32 << 20
	gcMinPercent = 25
	gcMaxPercent = 100
)

var gcTunerOnce sync.Once

// StartGCTuner starts adapting the GC percentage to the live heap after
// every collection. It does nothing when the GOGC environment variable is
// set (the operator's choice wins). Calling it again has no effect.
func StartGCTuner() {
	gcTunerOnce.Do(func() {
		if os.Getenv("GOGC") != "" {
			return
		}
		armGCTuner(&gcTuner{percent: gcMaxPercent})
	})
}

// gcTuner is the tuner's state, reached only from finalizers, which run
// one at a time.
type gcTuner struct {
	percent int
	sample  [1]metrics.Sample
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

// tune sets the GC percentage for the live heap just measured.
func (t *gcTuner) tune() {
	t.sample[0].Name = "/gc/heap/live:bytes"
	metrics.Read(t.sample[:])
	if t.sample[0].Value.Kind() != metrics.KindUint64 {
		return
	}
	p := gcPercentFor(t.sample[0].Value.Uint64())
	if p != t.percent {
		t.percent = p
		debug.SetGCPercent(p)
	}
}

// gcPercentFor returns the GC percentage for a live heap of live bytes.
func gcPercentFor(live uint64) int {
	if live == 0 {
		return gcMaxPercent
	}
	p := uint64(gcHeadroom) * 100 / live
	// Round to steps of 5 so that a slowly growing heap does not call
	// SetGCPercent after every cycle.
	p -= p % 5
	return int(min(max(p, gcMinPercent), gcMaxPercent))
}
