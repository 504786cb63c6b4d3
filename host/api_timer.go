package host

// "Modules Timers API": one-shot millisecond timers whose callbacks run
// on the event goroutine under the server lock, in expiry order. One Go
// time.Timer, armed for the earliest timer, drives them all. This file
// exports to C, so its preamble only declares.

/*
#include <stdint.h>
#include "api_block.h"
*/
import "C"

import (
	"container/heap"
	"time"
	"unsafe"
)

// modTimer is one pending module timer.
type modTimer struct {
	id    uint64
	mod   *Module
	when  time.Time
	fn    unsafe.Pointer // RedisModuleTimerProc
	data  unsafe.Pointer
	dbid  int
	index int // position in the heap
}

// timerQueue holds the pending timers of a System, ordered by expiry then
// creation (guarded by the server lock).
type timerQueue struct {
	byID   map[uint64]*modTimer
	heap   timerHeap
	nextID uint64
	clock  *time.Timer // armed for the earliest timer
	armed  time.Time
}

func (q *timerQueue) init() { q.byID = map[uint64]*modTimer{} }

// timerHeap is a container/heap of timers by (when, id).
type timerHeap []*modTimer

func (h timerHeap) Len() int { return len(h) }
func (h timerHeap) Less(i, j int) bool {
	if !h[i].when.Equal(h[j].when) {
		return h[i].when.Before(h[j].when)
	}
	return h[i].id < h[j].id
}
func (h timerHeap) Swap(i, j int) {
	h[i], h[j] = h[j], h[i]
	h[i].index, h[j].index = i, j
}
func (h *timerHeap) Push(x any) {
	t := x.(*modTimer)
	t.index = len(*h)
	*h = append(*h, t)
}
func (h *timerHeap) Pop() any {
	old := *h
	t := old[len(old)-1]
	old[len(old)-1] = nil
	*h = old[:len(old)-1]
	t.index = -1
	return t
}

// remove drops t from the queue.
func (q *timerQueue) remove(t *modTimer) {
	heap.Remove(&q.heap, t.index)
	delete(q.byID, t.id)
	liveTimers.Add(-1)
}

// arm sets the Go timer for the earliest pending timer.
func (rt *runtimeState) armLocked() {
	q := &rt.timers
	if len(q.heap) == 0 {
		if q.clock != nil {
			q.clock.Stop()
		}
		return
	}
	when := q.heap[0].when
	if q.clock != nil && q.armed.Equal(when) {
		return
	}
	d := time.Until(when)
	if d < 0 {
		d = 0
	}
	q.armed = when
	if q.clock == nil {
		q.clock = time.AfterFunc(d, rt.kick)
		return
	}
	q.clock.Reset(d)
}

// fireTimersLocked runs every due timer, earliest first, each with a
// temporary context in the database of the client that created it.
// Timers created by callbacks run in a later pass if already due.
func (rt *runtimeState) fireTimersLocked() {
	q := &rt.timers
	now := time.Now()
	for len(q.heap) > 0 && !q.heap[0].when.After(now) {
		t := q.heap[0]
		if !rt.sys.loaded(t.mod) && t.mod.cname != nil {
			// Created in an OnLoad that has not returned yet (start-up
			// loads run outside the lock): fire once it has.
			t.when = now.Add(time.Millisecond)
			heap.Fix(&q.heap, t.index)
			break
		}
		q.remove(t)
		// Each callback is one execution unit: what it propagates goes
		// out together when it returns.
		rt.sys.srv.EnterExecutionUnit()
		st := &ctxState{sys: rt.sys, mod: t.mod}
		ctx := newCtx(st, 2, C.MH_CTX_TEMP)
		ctx.dbid = C.int(t.dbid)
		C.mh_call_timer(t.fn, ctx, t.data)
		freeCtx(ctx)
		rt.sys.srv.ExitExecutionUnit()
	}
	q.armed = time.Time{}
	rt.armLocked()
}

// dropTimers removes m's pending timers (a failed OnLoad: a loaded module
// with timers cannot be unloaded).
func (rt *runtimeState) dropTimers(m *Module) {
	q := &rt.timers
	for _, t := range append([]*modTimer(nil), q.heap...) {
		if t.mod == m {
			q.remove(t)
		}
	}
	rt.armLocked()
}

// holdsTimer reports whether m has a pending timer.
func (rt *runtimeState) holdsTimer(m *Module) bool {
	for _, t := range rt.timers.heap {
		if t.mod == m {
			return true
		}
	}
	return false
}

// loaded reports whether m is loaded (not loading, not failed).
func (s *System) loaded(m *Module) bool {
	for _, x := range s.mods {
		if x == m {
			return true
		}
	}
	return false
}

// msgHoldsTimer is Redis's refusal to unload a module with pending timers.
const msgHoldsTimer = "the module holds timer that is not fired. Please stop the timer or wait until it fires."

// apiCreateTimer implements RedisModule_CreateTimer: calls
// callback(ctx, data) once, period milliseconds from now, under the
// server lock with a temporary context whose database is the one the
// creating client had selected. Returns the timer's id (never 0). Timers
// due at the same time fire in creation order. A module with pending
// timers cannot be unloaded, as in Redis.
func apiCreateTimer(ctx *C.RedisModuleCtx, period C.mstime_t, callback unsafe.Pointer, data unsafe.Pointer) (id C.RedisModuleTimerID) {
	st := stateOf(ctx)
	if st == nil || st.sys == nil || callback == nil {
		return 0
	}
	m := st.mod
	if m == nil {
		m = st.loading
	}
	if m == nil {
		return 0
	}
	rt := runtimeOf(st.sys)
	rt.registerDebugLocked()
	q := &rt.timers
	q.nextID++
	t := &modTimer{id: q.nextID, mod: m, when: time.Now().Add(time.Duration(period) * time.Millisecond),
		fn: callback, data: data, dbid: int(ctx.dbid)}
	heap.Push(&q.heap, t)
	q.byID[t.id] = t
	liveTimers.Add(1)
	rt.armLocked()
	return C.RedisModuleTimerID(t.id)
}

// timerOf finds a pending timer of ctx's module.
func timerOf(ctx *C.RedisModuleCtx, id C.RedisModuleTimerID) (*runtimeState, *modTimer) {
	st := stateOf(ctx)
	if st == nil || st.sys == nil {
		return nil, nil
	}
	rt := runtimeOf(st.sys)
	t := rt.timers.byID[uint64(id)]
	m := st.mod
	if m == nil {
		m = st.loading
	}
	if t == nil || t.mod != m {
		return nil, nil
	}
	return rt, t
}

// apiStopTimer implements RedisModule_StopTimer: cancels a pending
// timer of the calling module and stores its data in *data (if not NULL).
// REDISMODULE_ERR if the timer does not exist (fired or stopped) or
// belongs to another module.
func apiStopTimer(ctx *C.RedisModuleCtx, id C.RedisModuleTimerID, data *unsafe.Pointer) (rc C.int) {
	rc = C.REDISMODULE_ERR
	rt, t := timerOf(ctx, id)
	if t == nil {
		return rc
	}
	C.mh_store_ptr(data, t.data)
	rt.timers.remove(t)
	rt.armLocked()
	return C.REDISMODULE_OK
}

// apiGetTimerInfo implements RedisModule_GetTimerInfo: the remaining
// milliseconds before a pending timer of the calling module fires (0 when
// overdue) and its data, each stored only when the pointer is not NULL.
// REDISMODULE_ERR if there is no such timer.
func apiGetTimerInfo(ctx *C.RedisModuleCtx, id C.RedisModuleTimerID, remaining *C.uint64_t, data *unsafe.Pointer) (rc C.int) {
	rc = C.REDISMODULE_ERR
	_, t := timerOf(ctx, id)
	if t == nil {
		return rc
	}
	left := time.Until(t.when).Milliseconds()
	if left < 0 {
		left = 0
	}
	C.mh_store_u64(remaining, C.uint64_t(left))
	C.mh_store_ptr(data, t.data)
	return C.REDISMODULE_OK
}
