package host

// "Server hooks implementation": module listeners of server events. The
// host fires events through Server.OnServerEvent (flushes, client
// connections, shutdown, cron, synchronous saves, loading, SWAPDB, keys
// leaving the keyspace); this
// file adds the module-side ones (module load/unload, CONFIG SET) and
// calls each listener with a temporary context and the event's data
// struct in C memory. This file exports to C, so its preamble only
// declares; the C side is api_events.c.

/*
#include <stdlib.h>
#include "ctx.h"
#include "api_events.h"
*/
import "C"

import (
	"strings"
	"unsafe"
)

// listener is one SubscribeToServerEvent registration.
type listener struct {
	mod *Module
	id  uint64
	cb  unsafe.Pointer
}

// extState is the per-System state of the server event, command filter
// and module INFO families. It is guarded by the server lock.
type extState struct {
	sys       *System
	listeners []*listener
	filters   []*cmdFilter
	// configNames collects the parameters one CONFIG SET set; the
	// Config event fires after the command with all of them.
	configNames []string
}

// extOf returns sys's state of these families (made by New).
func extOf(sys *System) *extState { return sys.ext }

// newExtState makes the state New installs.
func newExtState(sys *System) *extState {
	return &extState{sys: sys}
}

// installExtHooks connects these families to the server, once, from New.
func installExtHooks(sys *System) {
	e := extOf(sys)
	srv := sys.srv
	srv.OnServerEvent(e.fire)
	srv.SetModuleInfo(e.collectInfo)
	srv.OnClientFree(func(c Client) {
		if !c.IsFake() {
			e.fire(&ServerEvent{ID: EventClientChange, Sub: SubClientDisconnected, Client: c})
		}
	})
	srv.Config().OnSet(func(names []string) {
		if e.hasListener(C.REDISMODULE_EVENT_CONFIG) {
			e.configNames = append(e.configNames, names...)
		}
	})
	srv.AfterCommand(e.fireConfigChange)
}

// live reports whether m may still receive callbacks: loaded, or inside
// its OnLoad.
func (e *extState) live(m *Module) bool {
	return m != nil && (m.onload || e.sys.Module(m.Name) == m)
}

// hasListener reports whether a live module listens to event id.
func (e *extState) hasListener(id uint64) bool {
	for _, l := range e.listeners {
		if l.id == id && e.live(l.mod) {
			return true
		}
	}
	return false
}

// mhev_subscribe is RedisModule_SubscribeToServerEvent's Go half (see
// mh_SubscribeToServerEvent in api_events.c for the contract).
//
//export mhev_subscribe
func mhev_subscribe(ctx *C.RedisModuleCtx, id C.uint64_t, dataver C.uint64_t, cb unsafe.Pointer) (rc C.int) {
	rc = C.REDISMODULE_ERR
	defer guardExport(ctx, "SubscribeToServerEvent")
	st := stateOf(ctx)
	if st == nil || st.sys == nil {
		return C.REDISMODULE_ERR
	}
	mod := st.mod
	if mod == nil {
		mod = st.loading
	}
	if mod == nil || id >= C._REDISMODULE_EVENT_NEXT || dataver > 1 {
		return C.REDISMODULE_ERR
	}
	e := extOf(st.sys)
	for i, l := range e.listeners {
		if l.mod == mod && l.id == uint64(id) {
			if cb == nil {
				e.listeners = append(e.listeners[:i], e.listeners[i+1:]...)
			} else {
				l.cb = cb
			}
			return C.REDISMODULE_OK
		}
	}
	if cb != nil {
		e.listeners = append(e.listeners, &listener{mod: mod, id: uint64(id), cb: cb})
		switch id {
		case C.REDISMODULE_EVENT_EVENTLOOP:
			st.sys.srv.WantEventLoopEvents(true)
		case C.REDISMODULE_EVENT_KEY:
			st.sys.srv.WantKeyEvents(true)
		}
	}
	return C.REDISMODULE_OK
}

// fire delivers one host event to the listeners of its id, in
// subscription order, building the event's data struct once.
func (e *extState) fire(ev *ServerEvent) {
	id := uint64(ev.ID)
	if ev.ID == EventShutdown {
		e.sys.reportShutdownLeaks()
	}
	if !e.hasListener(id) {
		return
	}
	data, free := eventData(ev)
	defer free()
	for _, l := range append([]*listener(nil), e.listeners...) {
		if l.id != id || !e.live(l.mod) {
			continue
		}
		if ev.ID == EventModuleChange && l.mod.Name == ev.Module {
			continue // a module does not hear about itself
		}
		e.callListener(l, ev, data)
	}
}

// callListener runs one callback with a temporary context: the event's
// client for ClientChange, the flushed database selected for FlushDB, the
// key's for Key (whose data, a RedisModuleKeyInfoV1, is made here: its
// key handle belongs to the listener's context).
func (e *extState) callListener(l *listener, ev *ServerEvent, data unsafe.Pointer) {
	st := &ctxState{sys: e.sys, mod: l.mod}
	if ev.ID == EventClientChange {
		st.client = ev.Client
	}
	e.sys.srv.EnterExecutionUnit() // one execution unit per callback
	ctx := newCtx(st, 2, C.MH_CTX_TEMP)
	if (ev.ID == EventFlushDB || ev.ID == EventKey) && ev.DB >= 0 {
		ctx.dbid = C.int(ev.DB)
	}
	defer func() {
		freeCtx(ctx)
		e.sys.srv.ExitExecutionUnit()
	}()
	if ev.ID == EventKey {
		// Each listener gets its own handle, opened in its context.
		name := (*C.char)(C.CBytes(ev.Key))
		defer C.free(unsafe.Pointer(name))
		C.mh_event_call_key(ctx, l.cb, C.uint64_t(ev.Sub), name, C.size_t(len(ev.Key)), C.int(ev.DB))
		return
	}
	C.mh_event_call(ctx, l.cb, C.uint64_t(ev.ID), C.uint64_t(ev.Sub), data)
}

// eventData builds the C data struct of ev (nil for events without one)
// and returns the function that frees it.
func eventData(ev *ServerEvent) (unsafe.Pointer, func()) {
	nothing := func() {}
	switch ev.ID {
	case EventFlushDB:
		fi := (*C.RedisModuleFlushInfoV1)(C.calloc(1, C.sizeof_RedisModuleFlushInfoV1))
		fi.version = C.REDISMODULE_FLUSHINFO_VERSION
		if ev.Sync {
			fi.sync = 1
		}
		fi.dbnum = C.int32_t(ev.DB)
		return unsafe.Pointer(fi), func() { C.free(unsafe.Pointer(fi)) }
	case EventClientChange:
		ci := (*C.RedisModuleClientInfoV1)(C.calloc(1, C.sizeof_RedisModuleClientInfoV1))
		fillClientInfo(ci, ev.Client)
		return unsafe.Pointer(ci), func() { C.free(unsafe.Pointer(ci)) }
	case EventReplicationRoleChanged:
		return replicationInfoData(ev.Repl)
	case EventCronLoop:
		cl := (*C.RedisModuleCronLoopV1)(C.calloc(1, C.sizeof_RedisModuleCronLoopV1))
		cl.version = C.REDISMODULE_CRON_LOOP_VERSION
		cl.hz = C.int32_t(ev.Hz)
		return unsafe.Pointer(cl), func() { C.free(unsafe.Pointer(cl)) }
	case EventLoadingProgress:
		lp := (*C.RedisModuleLoadingProgressV1)(C.calloc(1, C.sizeof_RedisModuleLoadingProgressV1))
		lp.version = C.REDISMODULE_LOADING_PROGRESS_VERSION
		lp.hz, lp.progress = C.int32_t(ev.Hz), C.int32_t(ev.Progress)
		return unsafe.Pointer(lp), func() { C.free(unsafe.Pointer(lp)) }
	case EventSwapDB:
		si := (*C.RedisModuleSwapDbInfoV1)(C.calloc(1, C.sizeof_RedisModuleSwapDbInfoV1))
		si.version = C.REDISMODULE_SWAPDBINFO_VERSION
		si.dbnum_first, si.dbnum_second = C.int32_t(ev.DB), C.int32_t(ev.DB2)
		return unsafe.Pointer(si), func() { C.free(unsafe.Pointer(si)) }
	case EventModuleChange:
		mc := (*C.RedisModuleModuleChangeV1)(C.calloc(1, C.sizeof_RedisModuleModuleChangeV1))
		name := C.CString(ev.Module)
		mc.version = C.REDISMODULE_MODULE_CHANGE_VERSION
		mc.module_name = name
		mc.module_version = C.int32_t(ev.ModVer)
		return unsafe.Pointer(mc), func() {
			C.free(unsafe.Pointer(name))
			C.free(unsafe.Pointer(mc))
		}
	case EventConfig:
		joined := strings.Join(ev.Names, "\x00") + "\x00"
		cs := C.CString(joined)
		cc := C.mh_config_change_new(cs, C.uint32_t(len(ev.Names)))
		C.free(unsafe.Pointer(cs))
		return unsafe.Pointer(cc), func() { C.mh_config_change_free(cc) }
	}
	return nil, nothing
}

// fireModuleChange fires ModuleChange for m (loaded or unloaded); the
// loader calls it once the load or unload is complete.
func (s *System) fireModuleChange(m *Module, loaded bool) {
	sub := SubModuleUnloaded
	if loaded {
		sub = SubModuleLoaded
	}
	extOf(s).fire(&ServerEvent{ID: EventModuleChange, Sub: sub, Module: m.Name, ModVer: m.Version})
}

// fireConfigChange fires one Config event for the parameters the command
// changed (an after-command hook).
func (e *extState) fireConfigChange() {
	if len(e.configNames) == 0 {
		return
	}
	names := e.configNames
	e.configNames = nil
	e.fire(&ServerEvent{ID: EventConfig, Sub: C.REDISMODULE_SUBEVENT_CONFIG_CHANGE, Names: names})
}

// replicationInfoData builds RedisModuleReplicationInfoV1 from ri.
func replicationInfoData(ri *ReplicationInfo) (unsafe.Pointer, func()) {
	if ri == nil {
		ri = &ReplicationInfo{Master: true}
	}
	p := (*C.RedisModuleReplicationInfoV1)(C.calloc(1, C.sizeof_RedisModuleReplicationInfoV1))
	host, id1, id2 := C.CString(ri.MasterHost), C.CString(ri.ReplID1), C.CString(ri.ReplID2)
	p.version = 1
	if ri.Master {
		p.master = 1
	}
	p.masterhost, p.masterport = host, C.int(ri.MasterPort)
	p.replid1, p.replid2 = id1, id2
	p.repl1_offset, p.repl2_offset = C.uint64_t(ri.Repl1Offset), C.uint64_t(ri.Repl2Offset)
	return unsafe.Pointer(p), func() {
		C.free(unsafe.Pointer(host))
		C.free(unsafe.Pointer(id1))
		C.free(unsafe.Pointer(id2))
		C.free(unsafe.Pointer(p))
	}
}
