package server

import (
	"runtime/metrics"
	"sync"
	"time"
)

// Used memory, cheaply. Redis compares zmalloc's counter with maxmemory
// before every command; modhost's equivalent must be as cheap, and it must
// not count garbage the Go collector has not reclaimed yet as data, or the
// limit would be hit at half the data.
//
// The figure is
//
//	live heap marked by the last GC            (/gc/heap/live:bytes)
//	+ heap bytes allocated since that GC        (/gc/heap/allocs:bytes delta)
//	+ module allocations (RedisModule_Alloc)   (exact counter)
//	- bytes of keys evicted since that GC       (MEMORY USAGE estimates)
//	+ argument bytes of writes since the sample (incremental estimate)
//
// The runtime/metrics counters are read at most every memSampleEvery
// (reading them does not stop the world, but it walks per-P caches);
// between two readings each deny-oom command adds its argument bytes, an
// upper bound of what it can store. Allocations since the last GC include
// garbage (reply buffers, overwritten values): an over-estimate, kept
// small by the GC pacing tied to maxmemory (gctune.go), and removed by
// forcing a collection when the figure alone would refuse or evict
// (Server.performEvictions).
const memSampleEvery = 2 * time.Millisecond

// memMetrics are the runtime/metrics samples the account reads.
var memMetrics = []string{
	"/gc/cycles/total:gc-cycles",
	"/gc/heap/live:bytes",
	"/gc/heap/allocs:bytes",
	"/memory/classes/heap/objects:bytes",
}

// memAccount is the cached used-memory figure. It has its own lock:
// modules read it from their threads (GetUsedMemoryRatio).
type memAccount struct {
	mu      sync.Mutex
	at      time.Time
	samples []metrics.Sample
	cycles  uint64 // GC cycles seen at the last reading
	atGC    uint64 // cumulative allocations when that cycle was first seen
	heap    uint64 // Go heap part of the figure at the last reading
	evicted uint64 // bytes of keys evicted since the last GC
	pending uint64 // argument bytes of writes since the last reading
	module  func() uint64
}

// read refreshes the heap part from runtime/metrics. Call with mu held.
func (m *memAccount) read(now time.Time) {
	if m.samples == nil {
		m.samples = make([]metrics.Sample, len(memMetrics))
		for i, name := range memMetrics {
			m.samples[i].Name = name
		}
	}
	metrics.Read(m.samples)
	v := func(i int) uint64 {
		if m.samples[i].Value.Kind() != metrics.KindUint64 {
			return 0
		}
		return m.samples[i].Value.Uint64()
	}
	cycles, live, allocs, objects := v(0), v(1), v(2), v(3)
	if cycles != m.cycles {
		// A collection ended since the last reading: its live figure
		// includes none of the keys evicted before it. The tuner's
		// finalizer noted the allocation counter right after the cycle;
		// use it when it is for this cycle.
		m.cycles = cycles
		m.atGC = allocs
		if c, a := gcMark(); c == cycles && a <= allocs {
			m.atGC = a
		}
		m.evicted = 0
	}
	if cycles == 0 || live == 0 {
		m.heap = objects // no collection yet: everything allocated
	} else {
		m.heap = live + (allocs - m.atGC)
	}
	m.pending = 0
	m.at = now
}

// used returns the figure, reading the counters when the last reading is
// older than memSampleEvery (or when fresh is set).
func (m *memAccount) used(fresh bool) uint64 {
	m.mu.Lock()
	defer m.mu.Unlock()
	if now := time.Now(); fresh || now.Sub(m.at) >= memSampleEvery {
		m.read(now)
	}
	var mod uint64
	if m.module != nil {
		mod = m.module()
	}
	heap := m.heap + m.pending
	if m.evicted >= heap {
		heap = 0
	} else {
		heap -= m.evicted
	}
	return heap + mod
}

// sinceGC returns the bytes allocated since the last collection (garbage
// included), as of the last reading.
func (m *memAccount) sinceGC() uint64 {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.samples == nil || m.samples[2].Value.Kind() != metrics.KindUint64 {
		return 0
	}
	return m.samples[2].Value.Uint64() - m.atGC
}

// addPending adds the argument bytes of a write about to run.
func (m *memAccount) addPending(n uint64) {
	m.mu.Lock()
	m.pending += n
	m.mu.Unlock()
}

// addEvicted subtracts an evicted key's estimated size until the next GC.
func (m *memAccount) addEvicted(n uint64) {
	m.mu.Lock()
	m.evicted += n
	m.mu.Unlock()
}
