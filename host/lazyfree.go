package host

// Lazy free of module values, as Redis's lazyfree.c: a value removed by
// UNLINK or RedisModule_UnlinkKey whose type's free_effort callback
// answers more than lazyfreeThreshold, or 0 (unknown), is freed by one background
// goroutine (Redis's bio lazy-free thread), in the order values were
// unlinked, without the server lock. Its free callback therefore runs
// without the GIL, which is what Redis promises module authors: a free
// callback must not call APIs that need it.

/*
#include "ctx.h"
#include "api_type.h"
*/
import "C"

import (
	"sync"
	"sync/atomic"
	"unsafe"
)

// lazyfreeThreshold is Redis's LAZYFREE_THRESHOLD: values whose free
// effort is at most this are freed at once.
const lazyfreeThreshold = 64

// lazyJob is one value waiting for its free callback.
type lazyJob struct {
	t   *moduleType
	ptr unsafe.Pointer
}

// lazyfree is the queue of the background free goroutine and its INFO
// counters (lazyfree_pending_objects, lazyfreed_objects).
var lazyfree struct {
	mu      sync.Mutex
	cond    *sync.Cond
	queue   []lazyJob
	running bool
	pending atomic.Int64
	freed   atomic.Int64
}

// freeLazily queues ptr for its type's free callback on the background
// goroutine, starting the goroutine the first time.
func freeLazily(t *moduleType, ptr unsafe.Pointer) {
	lazyfree.pending.Add(1)
	lazyfree.mu.Lock()
	if !lazyfree.running {
		lazyfree.running = true
		lazyfree.cond = sync.NewCond(&lazyfree.mu)
		go lazyfreeLoop()
	}
	lazyfree.queue = append(lazyfree.queue, lazyJob{t, ptr})
	lazyfree.cond.Signal()
	lazyfree.mu.Unlock()
}

// lazyfreeLoop frees queued values one at a time, for the life of the
// process.
func lazyfreeLoop() {
	for {
		lazyfree.mu.Lock()
		for len(lazyfree.queue) == 0 {
			lazyfree.cond.Wait()
		}
		j := lazyfree.queue[0]
		lazyfree.queue[0] = lazyJob{}
		lazyfree.queue = lazyfree.queue[1:]
		lazyfree.mu.Unlock()
		C.mh_type_call_free_lazy(j.t.c, j.ptr)
		lazyfree.pending.Add(-1)
		lazyfree.freed.Add(1)
	}
}

// LazyfreeStats returns INFO's lazyfree_pending_objects (values queued
// and not yet freed) and lazyfreed_objects (values freed in the
// background since start or CONFIG RESETSTAT).
func (s *System) LazyfreeStats() (pending, freed int64) {
	return lazyfree.pending.Load(), lazyfree.freed.Load()
}

// ResetLazyfreeStats zeroes lazyfreed_objects (CONFIG RESETSTAT).
func (s *System) ResetLazyfreeStats() { lazyfree.freed.Store(0) }
