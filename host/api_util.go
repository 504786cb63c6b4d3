package host

// Go halves of the utility API: the log sink C calls (mhv_log) and the
// context queries that need the server (SelectDb, DbSize, GetContextFlags,
// GetUsedMemoryRatio, WrongArity). Only //export functions live here: cgo
// forbids C definitions in the preamble of a file that exports.

/*
#include <stdlib.h>
#include "ctx.h"
#include "api_reply.h"
*/
import "C"

import (
	"os"
	"sync"
	"sync/atomic"
	"unsafe"

	"github.com/modhost/modhost/internal/logging"
)

// defaultSystem is the module system whose server serves API calls that
// have no context (Log with a NULL ctx, GetUsedMemoryRatio, assertions).
var defaultSystem atomic.Pointer[System]

// systems maps each Server to its module system (see systemOf).
var systems sync.Map

// fallbackLog receives module log lines when no server is known yet.
var fallbackLog = logging.NewWriter(os.Stderr, logging.Notice)

// setDefaultSystem makes sys the module system of context-free API calls
// and records it as its server's. New calls it.
func setDefaultSystem(sys *System) {
	systems.Store(sys.srv, sys)
	defaultSystem.Store(sys)
}

// defaultServer returns the server of context-free API calls (nil if none).
func defaultServer() Server {
	if sys := defaultSystem.Load(); sys != nil {
		return sys.srv
	}
	return nil
}

// systemOf returns the module system of srv (nil if it has none).
func systemOf(srv Server) *System {
	if srv == nil {
		return nil
	}
	v, _ := systems.Load(srv)
	sys, _ := v.(*System)
	return sys
}

// serverFor returns ctx's server, else the default one (nil if none).
// The first system seen through a context becomes the default when none
// was set.
func serverFor(ctx *C.RedisModuleCtx) Server {
	if st := stateOf(ctx); st != nil && st.sys != nil {
		defaultSystem.CompareAndSwap(nil, st.sys)
		return st.sys.srv
	}
	return defaultServer()
}

// mhv_log writes msg at level (logging.Level values) to the log of ctx's
// server (or the default server's, or standard error).
//
//export mhv_log
func mhv_log(ctx *C.RedisModuleCtx, level C.int, msg *C.char) {
	defer guardExport(ctx, "Log")
	lg := fallbackLog
	if s := serverFor(ctx); s != nil && s.Logger() != nil {
		lg = s.Logger()
	}
	lg.Log(logging.Level(level), C.GoString(msg))
}

// mhv_latency_add_sample is RedisModule_LatencyAddSample's Go half: the
// sample goes to the default server's latency monitor.
//
//export mhv_latency_add_sample
func mhv_latency_add_sample(event *C.char, ms C.longlong) {
	defer guardExport(nil, "LatencyAddSample")
	if s := defaultServer(); s != nil {
		s.ModuleLatencySample(C.GoString(event), int64(ms))
	}
}

// apiWrongArity implements RedisModule_WrongArity: replies
// "ERR wrong number of arguments for '<command>' command" naming the
// command being executed (its full name, "parent|sub" for subcommands).
// Always REDISMODULE_OK.
func apiWrongArity(ctx *C.RedisModuleCtx) C.int {
	name := ""
	if c := ctxClient(ctx); c != nil {
		name = c.LastCommand()
	}
	msg := C.CString("ERR wrong number of arguments for '" + name + "' command")
	defer C.free(unsafe.Pointer(msg))
	C.mh_reply_error_msg(ctx, msg)
	return C.REDISMODULE_OK
}

// apiSelectDb implements RedisModule_SelectDb: selects database newid
// for the context's client (which keeps it after the command, as in
// Redis). REDISMODULE_ERR when newid is out of range.
func apiSelectDb(ctx *C.RedisModuleCtx, newid C.int) C.int {
	s := serverFor(ctx)
	if s == nil || newid < 0 || int(newid) >= s.Keyspace().NumDBs() {
		return C.REDISMODULE_ERR
	}
	if c := ctxClient(ctx); c != nil {
		c.SelectDB(int(newid))
	}
	ctx.dbid = newid
	return C.REDISMODULE_OK
}

// apiDbSize implements RedisModule_DbSize: the number of keys in the
// context's selected database.
func apiDbSize(ctx *C.RedisModuleCtx) C.ulonglong {
	s := serverFor(ctx)
	db := int(ctx.dbid)
	if s == nil || db < 0 || db >= s.Keyspace().NumDBs() {
		return 0
	}
	return C.ulonglong(s.Keyspace().Size(db))
}

// apiGetContextFlags implements RedisModule_GetContextFlags. modhost
// reports: MASTER, or SLAVE with READONLY (replica-read-only) and the
// link's REPLICA_IS_STALE / CONNECTING / TRANSFERRING / ONLINE as Redis
// sets them, REPLICATED (a command of the master's stream), LOADING (an
// RDB is being loaded, at start-up or from a master), RESP3 (client speaks RESP3),
// MULTI (inside EXEC), MULTI_DIRTY (the client's EXEC would fail),
// DENY_BLOCKING (the client cannot block: inside EXEC, or not a
// connection), MAXMEMORY/EVICT (maxmemory set; policy not noeviction),
// OOM/OOM_WARNING (over maxmemory / above 75% of it), RDB (save rules
// configured), AOF (appendonly yes), LUA (the command was called by an
// EVAL script or a function), CLUSTER (cluster-enabled yes) and the
// replica flags. Never ASYNC_LOADING, ACTIVE_CHILD, IS_CHILD or
// SERVER_STARTUP.
func apiGetContextFlags(ctx *C.RedisModuleCtx) C.int {
	return C.int(contextFlags(ctx))
}

// contextFlags computes GetContextFlags' answer.
func contextFlags(ctx *C.RedisModuleCtx) int {
	f := 0
	if ctx != nil {
		if ctx.resp == 3 {
			f |= C.REDISMODULE_CTX_FLAGS_RESP3
		}
		if c := ctxClient(ctx); c != nil {
			if !c.CanBlock() {
				f |= C.REDISMODULE_CTX_FLAGS_DENY_BLOCKING
			}
			if c.InExec() {
				f |= C.REDISMODULE_CTX_FLAGS_MULTI
			}
			if c.MultiDirty() {
				f |= C.REDISMODULE_CTX_FLAGS_MULTI_DIRTY
			}
			if c.IsScriptClient() {
				f |= C.REDISMODULE_CTX_FLAGS_LUA
			}
			if m, ok := c.(interface{ FromMaster() bool }); ok && m.FromMaster() {
				f |= C.REDISMODULE_CTX_FLAGS_REPLICATED
			}
		}
	}
	s := serverFor(ctx)
	if s == nil {
		return f | C.REDISMODULE_CTX_FLAGS_MASTER
	}
	// MULTI and LUA are server-wide in Redis: a notification callback or a
	// RedisModule_Call'd command sees them though its client is not the
	// one in EXEC or running the script.
	if inExec, inScript := s.ExecOrScript(); inExec || inScript {
		if inExec {
			f |= C.REDISMODULE_CTX_FLAGS_MULTI
		}
		if inScript {
			f |= C.REDISMODULE_CTX_FLAGS_LUA
		}
	}
	f |= replicationFlags(s)
	if s.LoadingLocked() {
		f |= C.REDISMODULE_CTX_FLAGS_LOADING
	}
	if sys := systemOf(s); sys != nil && sys.cluster != nil {
		f |= C.REDISMODULE_CTX_FLAGS_CLUSTER
	}
	if limit := s.Config().Int("maxmemory"); limit > 0 {
		f |= C.REDISMODULE_CTX_FLAGS_MAXMEMORY
		if s.Config().String("maxmemory-policy") != "noeviction" {
			f |= C.REDISMODULE_CTX_FLAGS_EVICT
		}
		used := float64(s.UsedMemory())
		if used > float64(limit) {
			f |= C.REDISMODULE_CTX_FLAGS_OOM
		}
		if used/float64(limit) > 0.75 {
			f |= C.REDISMODULE_CTX_FLAGS_OOM_WARNING
		}
	}
	if len(s.Config().SaveParams()) > 0 {
		f |= C.REDISMODULE_CTX_FLAGS_RDB
	}
	if s.Config().Bool("appendonly") {
		f |= C.REDISMODULE_CTX_FLAGS_AOF
	}
	return f
}

// replicaFlagger is the server's report of its replica state.
type replicaFlagger interface {
	ReplicaContextFlags() (replica, readOnly, stale, connecting, transferring, online bool)
}

// replicationFlags is the MASTER / SLAVE part of GetContextFlags.
func replicationFlags(s Server) int {
	rf, ok := s.(replicaFlagger)
	if !ok {
		return C.REDISMODULE_CTX_FLAGS_MASTER
	}
	replica, ro, stale, connecting, transferring, online := rf.ReplicaContextFlags()
	if !replica {
		return C.REDISMODULE_CTX_FLAGS_MASTER
	}
	f := C.REDISMODULE_CTX_FLAGS_SLAVE
	for _, b := range []struct {
		on  bool
		bit int
	}{
		{ro, C.REDISMODULE_CTX_FLAGS_READONLY},
		{stale, C.REDISMODULE_CTX_FLAGS_REPLICA_IS_STALE},
		{connecting, C.REDISMODULE_CTX_FLAGS_REPLICA_IS_CONNECTING},
		{transferring, C.REDISMODULE_CTX_FLAGS_REPLICA_IS_TRANSFERRING},
		{online, C.REDISMODULE_CTX_FLAGS_REPLICA_IS_ONLINE},
	} {
		if b.on {
			f |= b.bit
		}
	}
	return f
}

// apiGetUsedMemoryRatio implements RedisModule_GetUsedMemoryRatio:
// used memory divided by maxmemory (0 when maxmemory is 0; above 1 when
// over the limit).
func apiGetUsedMemoryRatio() C.float {
	s := defaultServer()
	if s == nil {
		return 0
	}
	limit := s.Config().Int("maxmemory")
	if limit <= 0 {
		return 0
	}
	return C.float(float64(s.UsedMemory()) / float64(limit))
}
