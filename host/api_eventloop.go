package host

// "Modules EventLoop API" and the server-side event goroutine that runs
// everything a module scheduled outside a command: unblocked clients'
// reply callbacks, timers, one-shot events and readable/writable fd
// callbacks, always under the server lock, as Redis's event loop runs
// them on its main thread. This file exports to C, so its preamble only
// declares.

/*
#include <errno.h>
#include "loader.h"
#include "api_block.h"
*/
import "C"

import (
	"fmt"
	"runtime"
	"sync"
	"sync/atomic"
	"syscall"
	"unsafe"
)

// runtimeState is the per-System state of this file's families. Fields
// after mu are guarded by mu (module threads touch them); the rest by the
// server lock.
type runtimeState struct {
	sys  *System
	srv  Server
	wake chan struct{} // kicks the event goroutine (buffered, 1)

	mu        sync.Mutex
	oneshots  []oneshot
	unblocked []*blockedClient
	// tsHeld: a module thread holds the server lock through
	// ThreadSafeContextLock and serves unblocked clients when it unlocks.
	tsHeld bool

	timers       timerQueue
	fds          map[int]*fdWatch
	epfd         int // epoll instance, -1 until the first EventLoopAdd
	debugDone    bool
	pollerActive bool
}

type oneshot struct {
	fn, data unsafe.Pointer
	base     unsafe.Pointer // load address of fn's library (mh_dl_base)
}

// fdWatch is one fd registered with EventLoopAdd.
type fdWatch struct {
	mod      *Module // the module whose library holds the callbacks (nil: unknown)
	mask     int
	rfn, wfn unsafe.Pointer
	data     unsafe.Pointer
}

// Counters for leak checks (DEBUG MODHOST-MODRUNTIME).
var (
	liveBlocked atomic.Int64 // blockedClient handles not yet freed
	liveTimers  atomic.Int64 // pending timers
)

// newRuntime makes the runtime of sys and starts its event goroutine (New
// does, once).
func newRuntime(sys *System) *runtimeState {
	rt := &runtimeState{sys: sys, srv: sys.srv, wake: make(chan struct{}, 1), fds: map[int]*fdWatch{}, epfd: -1}
	rt.timers.init()
	go rt.loop()
	return rt
}

// runtimeOf returns the runtime of sys (made by New). Safe from any
// thread.
func runtimeOf(sys *System) *runtimeState { return sys.rt }

// kick wakes the event goroutine. Safe from any thread.
func (rt *runtimeState) kick() {
	select {
	case rt.wake <- struct{}{}:
	default:
	}
}

// loop is the event goroutine: each kick runs the pending work under the
// server lock. It ends when the server shuts down.
func (rt *runtimeState) loop() {
	for {
		select {
		case <-rt.wake:
		case <-rt.srv.Done():
			return
		}
		rt.srv.Lock()
		rt.runLocked()
		rt.srv.Unlock()
	}
}

// runLocked runs one-shot events, unblocked clients and due timers, then
// serves clients blocked on keys those made ready.
func (rt *runtimeState) runLocked() {
	defer func() {
		if r := recover(); r != nil {
			rt.srv.Logger().Warningf("Panic in the module event loop: %v", r)
		}
	}()
	rt.registerDebugLocked()
	for {
		rt.mu.Lock()
		shots := rt.oneshots
		rt.oneshots = nil
		rt.mu.Unlock()
		if len(shots) == 0 {
			break
		}
		for _, o := range shots {
			C.mh_call_oneshot(o.fn, o.data)
		}
	}
	rt.handleUnblockedLocked()
	rt.fireTimersLocked()
	rt.srv.AfterCallbackLocked()
}

// tsRuntime returns the runtime of srv's module system, nil without one.
func tsRuntime(srv Server) *runtimeState {
	if sys := systemOf(srv); sys != nil {
		return runtimeOf(sys)
	}
	return nil
}

// setHeld records that a module thread took the server lock through
// ThreadSafeContextLock (nil rt: no module system).
func (rt *runtimeState) setHeld(held bool) {
	if rt == nil {
		return
	}
	rt.mu.Lock()
	rt.tsHeld = held
	rt.mu.Unlock()
}

// releaseHeld ends a module thread's ThreadSafeContextLock section: it
// finishes the host-only handles the section unblocked (see
// hostOnlyLocked), clears tsHeld and releases the server lock. Handles
// that run module code, and clients blocked on keys the section made
// ready, go to the event goroutine as before. tsHeld is cleared under mu
// together with the last look at the queue, so a handle queued while it
// was set is never left behind.
func (rt *runtimeState) releaseHeld() {
	done := rt.drainHostOnlyLocked()
	rt.mu.Lock()
	if len(rt.unblocked) > 0 {
		done = false
	}
	rt.tsHeld = false
	rt.mu.Unlock()
	if !done || rt.srv.ReadyKeysPendingLocked() {
		rt.kick()
	}
	rt.srv.Unlock()
}

// registerDebugLocked adds DEBUG MODHOST-MODRUNTIME once per server: the
// counters leak tests watch (goroutines, contexts, blocked-client
// handles, timers, module heap bytes).
func (rt *runtimeState) registerDebugLocked() {
	if rt.debugDone {
		return
	}
	rt.debugDone = true
	if rt.srv.DebugRegistered("modhost-modruntime") {
		return
	}
	rt.srv.RegisterDebug("modhost-modruntime", func(c Client, a [][]byte) {
		s := fmt.Sprintf("goroutines:%d\r\ncontexts:%d\r\nblocked_handles:%d\r\ntimers:%d\r\nmodule_alloc:%d\r\n",
			runtime.NumGoroutine(), liveCtxs.Load(), liveBlocked.Load(), liveTimers.Load(), uint64(C.mh_alloc_used()))
		c.Writer().BulkString(s)
	})
}

// apiEventLoopAdd implements RedisModule_EventLoopAdd: calls func(fd,
// user_data, mask) under the server lock whenever fd is readable
// (REDISMODULE_EVENTLOOP_READABLE) or writable (..._WRITABLE), level
// triggered, readable first, as Redis's ae loop does. Adding a mask to a
// registered fd keeps the other one; the last user_data wins. errno
// ERANGE for a negative fd or one at or above maxclients+128 (Redis's
// event loop size), EINVAL for a NULL func or unknown mask bits.
func apiEventLoopAdd(fd C.int, mask C.int, fn unsafe.Pointer, user_data unsafe.Pointer, mh_errno *C.int) (rc C.int) {
	rc = C.REDISMODULE_ERR
	rt, ok := eventLoopArgs(fd, mask, mh_errno)
	if !ok {
		return rc
	}
	if fn == nil {
		*mh_errno = C.EINVAL
		return rc
	}
	w := rt.fds[int(fd)]
	if w == nil {
		w = &fdWatch{}
	}
	w.mod = rt.sys.moduleOfFunc(fn)
	newMask := w.mask | int(mask)
	if err := rt.epollSet(int(fd), w.mask, newMask); err != nil {
		*mh_errno = C.int(err.(syscall.Errno))
		return rc
	}
	w.mask = newMask
	w.data = user_data
	if mask&C.REDISMODULE_EVENTLOOP_READABLE != 0 {
		w.rfn = fn
	}
	if mask&C.REDISMODULE_EVENTLOOP_WRITABLE != 0 {
		w.wfn = fn
	}
	rt.fds[int(fd)] = w
	rt.startPoller()
	*mh_errno = 0 // Redis clears errno on success
	return C.REDISMODULE_OK
}

// apiEventLoopDel implements RedisModule_EventLoopDel: stops watching
// fd for the events in mask. errno ERANGE / EINVAL as EventLoopAdd.
func apiEventLoopDel(fd C.int, mask C.int, mh_errno *C.int) (rc C.int) {
	rc = C.REDISMODULE_ERR
	rt, ok := eventLoopArgs(fd, mask, mh_errno)
	if !ok {
		return rc
	}
	*mh_errno = 0 // Redis clears errno on success, a never-added fd included
	w := rt.fds[int(fd)]
	if w == nil {
		return C.REDISMODULE_OK
	}
	newMask := w.mask &^ int(mask)
	_ = rt.epollSet(int(fd), w.mask, newMask)
	w.mask = newMask
	if newMask&C.REDISMODULE_EVENTLOOP_READABLE == 0 {
		w.rfn = nil
	}
	if newMask&C.REDISMODULE_EVENTLOOP_WRITABLE == 0 {
		w.wfn = nil
	}
	if newMask == 0 {
		delete(rt.fds, int(fd))
	}
	return C.REDISMODULE_OK
}

// eventLoopArgs checks fd and mask as Redis does and finds the runtime.
func eventLoopArgs(fd, mask C.int, mh_errno *C.int) (*runtimeState, bool) {
	sys := defaultSystem.Load()
	if sys == nil {
		*mh_errno = C.EINVAL
		return nil, false
	}
	if fd < 0 || int64(fd) >= sys.srv.Config().Int("maxclients")+128 {
		*mh_errno = C.ERANGE
		return nil, false
	}
	if mask&^(C.REDISMODULE_EVENTLOOP_READABLE|C.REDISMODULE_EVENTLOOP_WRITABLE) != 0 {
		*mh_errno = C.EINVAL
		return nil, false
	}
	return runtimeOf(sys), true
}

// apiEventLoopAddOneShot implements RedisModule_EventLoopAddOneShot:
// from any thread, schedules func(user_data) to run once on the event
// goroutine under the server lock, in the order scheduled. errno EINVAL
// and REDISMODULE_ERR for a NULL func.
func apiEventLoopAddOneShot(fn unsafe.Pointer, user_data unsafe.Pointer, mh_errno *C.int) (rc C.int) {
	rc = C.REDISMODULE_ERR
	sys := defaultSystem.Load()
	if fn == nil || sys == nil {
		*mh_errno = C.EINVAL
		return rc
	}
	rt := runtimeOf(sys)
	rt.mu.Lock()
	rt.oneshots = append(rt.oneshots, oneshot{fn: fn, data: user_data, base: C.mh_dl_base(fn)})
	rt.mu.Unlock()
	rt.kick()
	*mh_errno = 0 // Redis clears errno on success
	return C.REDISMODULE_OK
}

// epollSet moves fd's epoll registration from mask old to mask new.
func (rt *runtimeState) epollSet(fd, old, new int) error {
	if rt.epfd < 0 {
		epfd, err := syscall.EpollCreate1(syscall.EPOLL_CLOEXEC)
		if err != nil {
			return err
		}
		rt.epfd = epfd
	}
	ev := syscall.EpollEvent{Fd: int32(fd)}
	if new&C.REDISMODULE_EVENTLOOP_READABLE != 0 {
		ev.Events |= syscall.EPOLLIN
	}
	if new&C.REDISMODULE_EVENTLOOP_WRITABLE != 0 {
		ev.Events |= syscall.EPOLLOUT
	}
	switch {
	case old == 0 && new == 0:
		return nil
	case old == 0:
		return syscall.EpollCtl(rt.epfd, syscall.EPOLL_CTL_ADD, fd, &ev)
	case new == 0:
		return syscall.EpollCtl(rt.epfd, syscall.EPOLL_CTL_DEL, fd, &ev)
	default:
		return syscall.EpollCtl(rt.epfd, syscall.EPOLL_CTL_MOD, fd, &ev)
	}
}

// startPoller starts the goroutine that waits on the epoll instance, once.
func (rt *runtimeState) startPoller() {
	if rt.pollerActive {
		return
	}
	rt.pollerActive = true
	go rt.poll(rt.epfd)
}

// pollWaitMs bounds one epoll_wait so the poller notices shutdown.
const pollWaitMs = 100

// poll waits for fd events and runs their callbacks under the lock, one
// batch at a time, until the server shuts down.
func (rt *runtimeState) poll(epfd int) {
	events := make([]syscall.EpollEvent, 64)
	for {
		select {
		case <-rt.srv.Done():
			return
		default:
		}
		n, err := syscall.EpollWait(epfd, events, pollWaitMs)
		if err != nil && err != syscall.EINTR {
			rt.srv.Logger().Warningf("Module event loop: epoll_wait: %v", err)
			return
		}
		if n <= 0 {
			continue
		}
		rt.srv.Lock()
		rt.dispatchFdEventsLocked(events[:n])
		rt.srv.AfterCallbackLocked()
		rt.srv.Unlock()
	}
}

// dispatchFdEventsLocked calls the callbacks of ready fds: readable, then
// writable, each only if still registered (a callback may delete another
// fd's registration).
func (rt *runtimeState) dispatchFdEventsLocked(events []syscall.EpollEvent) {
	defer func() {
		if r := recover(); r != nil {
			rt.srv.Logger().Warningf("Panic in a module event loop callback: %v", r)
		}
	}()
	for _, ev := range events {
		fd := int(ev.Fd)
		readable := ev.Events&(syscall.EPOLLIN|syscall.EPOLLHUP|syscall.EPOLLERR) != 0
		writable := ev.Events&(syscall.EPOLLOUT|syscall.EPOLLHUP|syscall.EPOLLERR) != 0
		if w := rt.fds[fd]; w != nil && readable && w.rfn != nil {
			C.mh_call_eventloop(w.rfn, C.int(fd), w.data, C.REDISMODULE_EVENTLOOP_READABLE)
		}
		if w := rt.fds[fd]; w != nil && writable && w.wfn != nil {
			C.mh_call_eventloop(w.wfn, C.int(fd), w.data, C.REDISMODULE_EVENTLOOP_WRITABLE)
		}
	}
}
