package host

// "Module Keyspace Notifications API": subscriptions, module-generated
// events and post-notification jobs. Callbacks run synchronously under the
// server lock, on the goroutine of the command (or cron) whose write fired
// the event, with a temporary context whose selected database is the
// event's. The C calls into module code are in api_notify.c.

/*
#include "ctx.h"
#include "api_notify.h"
*/
import "C"

import (
	"unsafe"

	"github.com/modhost/modhost/keyspace"
)

// subscriber is one SubscribeToKeyspaceEvents registration.
type subscriber struct {
	mod    *Module
	mask   int
	fn     C.RedisModuleNotificationFunc
	active bool // its callback is running: do not call it again (no loops)
}

// postJob is one AddPostNotificationJob registration.
type postJob struct {
	mod    *Module
	fn     C.RedisModulePostNotificationJobFunc
	pd     unsafe.Pointer
	freePD unsafe.Pointer
	db     int
}

// notifyClassMask removes the keyspace/keyevent channel bits from a class,
// as Redis does before matching subscribers.
const notifyClassMask = ^int(keyspace.NotifyKeyspace | keyspace.NotifyKeyevent)

// apiSubscribeToKeyspaceEvents implements
// RedisModule_SubscribeToKeyspaceEvents: cb is called for every keyspace
// event whose type bit is in types (REDISMODULE_NOTIFY_*, KEYMISS and
// LOADED only when asked for), whatever notify-keyspace-events says. The
// callback gets a context with the event's database selected, no client to
// reply to, the type bit, the event name and the key. A callback is not
// called for events its own actions cause, unless the module set
// REDISMODULE_OPTIONS_ALLOW_NESTED_KEYSPACE_NOTIFICATIONS. Subscriptions
// end when the module unloads. Always REDISMODULE_OK.
func apiSubscribeToKeyspaceEvents(ctx *C.RedisModuleCtx, types C.int, cb C.RedisModuleNotificationFunc) (rc C.int) {
	st := stateOf(ctx)
	if st == nil || st.sys == nil || cb == nil {
		return C.REDISMODULE_ERR
	}
	mod := st.mod
	if mod == nil {
		mod = st.loading
	}
	f := familyOf(st.sys)
	f.subs = append(f.subs, &subscriber{mod: mod, mask: int(types), fn: cb})
	if !f.subsHooked {
		f.subsHooked = true
		st.sys.srv.OnKeyspaceEvent(f.dispatchEvent)
	}
	return C.REDISMODULE_OK
}

// dispatchEvent calls the subscribers interested in one keyspace event.
func (f *callFamily) dispatchEvent(class keyspace.NotifyClass, event string, key []byte, db int) {
	typ := int(class) & notifyClassMask
	if len(f.subs) == 0 {
		return
	}
	for _, s := range append([]*subscriber(nil), f.subs...) {
		if s.mask&typ == 0 {
			continue
		}
		if s.active && s.mod.options&C.REDISMODULE_OPTIONS_ALLOW_NESTED_KEYSPACE_NOTIFICATIONS == 0 {
			continue
		}
		f.callSubscriber(s, typ, event, key, db)
	}
}

// callSubscriber runs one callback with a temporary context (one crossing).
func (f *callFamily) callSubscriber(s *subscriber, typ int, event string, key []byte, db int) {
	f.sys.srv.EnterExecutionUnit() // part of the unit that fired the event
	ctx := newCtx(&ctxState{sys: f.sys, mod: s.mod}, 2, C.MH_CTX_TEMP)
	ctx.dbid = C.int(db)
	prev := s.active
	s.active = true
	defer func() {
		s.active = prev
		freeCtx(ctx)
		f.sys.srv.ExitExecutionUnit()
	}()
	var ep, kp *C.char
	if len(event) > 0 {
		ep = (*C.char)(unsafe.Pointer(unsafe.StringData(event)))
	}
	if len(key) > 0 {
		kp = (*C.char)(unsafe.Pointer(&key[0]))
	}
	C.mh_notify_call(ctx, s.fn, C.int(typ), ep, C.size_t(len(event)), kp, C.size_t(len(key)))
}

// apiNotifyKeyspaceEvent implements RedisModule_NotifyKeyspaceEvent:
// fires event for key in the context's database with the type bit given
// (usually REDISMODULE_NOTIFY_MODULE). Module subscribers receive it, and
// it is published to keyspace/keyevent channels when
// notify-keyspace-events enables its class. REDISMODULE_ERR without a
// context.
func apiNotifyKeyspaceEvent(ctx *C.RedisModuleCtx, typ C.int, event *C.char, key *C.RedisModuleString) (rc C.int) {
	st := stateOf(ctx)
	if st == nil || st.sys == nil || event == nil || key == nil {
		return C.REDISMODULE_ERR
	}
	k := C.GoBytes(unsafe.Pointer(key.ptr), C.int(key.len))
	st.sys.srv.Keyspace().Notify(keyspace.NotifyClass(typ), C.GoString(event), k, int(ctx.dbid))
	return C.REDISMODULE_OK
}

// apiGetNotifyKeyspaceEvents implements
// RedisModule_GetNotifyKeyspaceEvents: the notify-keyspace-events
// configuration as REDISMODULE_NOTIFY_* bits.
func apiGetNotifyKeyspaceEvents() C.int {
	if s := serverFor(nil); s != nil {
		return C.int(s.Config().KeyspaceEvents())
	}
	return 0
}

// apiAddPostNotificationJob implements RedisModule_AddPostNotificationJob:
// callback(ctx, pd) runs once the execution unit whose notification
// registered it (a command, a module timer or thread section, the active
// expiry or eviction of one key) has finished its own work, before the
// next one (jobs may add more jobs), with a temporary context in the
// database selected in ctx; then free_pd(pd) if free_pd is not NULL.
// Writes are safe there, unlike in the notification callback, and they
// are propagated in the same MULTI/EXEC as the unit, after its writes.
// REDISMODULE_ERR without a context.
func apiAddPostNotificationJob(ctx *C.RedisModuleCtx, callback C.RedisModulePostNotificationJobFunc, pd unsafe.Pointer, freePD unsafe.Pointer) (rc C.int) {
	st := stateOf(ctx)
	if st == nil || st.sys == nil || callback == nil {
		return C.REDISMODULE_ERR
	}
	f := familyOf(st.sys)
	f.jobs = append(f.jobs, &postJob{mod: st.mod, fn: callback, pd: pd, freePD: freePD, db: int(ctx.dbid)})
	return C.REDISMODULE_OK
}

// runJobs runs the queued post-notification jobs, oldest first, including
// jobs they queue themselves. It is the server's post-execution-unit
// hook: jobs run when the outermost execution unit (a command, a timer
// callback, the expiry of one key, ...) ends, and what they write is
// propagated with the rest of that unit, after it.
func (f *callFamily) runJobs() {
	for len(f.jobs) > 0 {
		j := f.jobs[0]
		f.jobs[0] = nil
		f.jobs = f.jobs[1:]
		f.runJob(j)
	}
}

// runJob calls one job with a temporary context (one crossing).
func (f *callFamily) runJob(j *postJob) {
	ctx := newCtx(&ctxState{sys: f.sys, mod: j.mod}, 2, C.MH_CTX_TEMP)
	ctx.dbid = C.int(j.db)
	defer freeCtx(ctx)
	C.mh_postjob_call(ctx, j.fn, j.pd, (*[0]byte)(j.freePD))
}
