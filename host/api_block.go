package host

// "Blocking clients from modules": BlockClient, BlockClientOnKeys,
// UnblockClient (from any thread) and the handling of unblocked clients
// on the event goroutine, as Redis's moduleHandleBlockedClients. The
// pure-C accessors are in api_block.c. This file exports to C, so its
// preamble only declares.

/*
#include <stdlib.h>
#include "loader.h"
#include "api_block.h"
*/
import "C"

import (
	"math"
	"runtime/cgo"
	"sync"
	"time"
	"unsafe"
)

// blockedClient is the Go side of a RedisModuleBlockedClient. Fields are
// guarded by the server lock unless noted.
type blockedClient struct {
	rt     *runtimeState
	mod    *Module
	c      *C.RedisModuleBlockedClient
	h      cgo.Handle
	client Client   // nil once the client is gone or was never blocked
	args   [][]byte // the command's arguments, for the callbacks
	onKeys bool
	auth   bool // BlockClientOnAuth: replyFn is an auth callback
	flags  int  // REDISMODULE_BLOCK_* of BlockClientOnKeysWithFlags
	// Fixed at block time, read by module threads.
	resp     int
	clientID int64
	dbid     int

	// Guarded by rt.mu (module threads write them).
	replyFn, timeoutFn, freeFn, disconnectFn unsafe.Pointer
	unblocked                                bool // queued for handling
	explicitKeysUnblock                      bool // UnblockClient on a keys block

	// Replies of bound thread-safe contexts, guarded by tsMu.
	tsMu    sync.Mutex
	tsReply []byte
	tsCtxs  map[*C.RedisModuleCtx]struct{}
	done    bool // handled: later thread-safe replies are dropped
}

// Refusals of BlockClient, Redis's texts.
const (
	msgBlockInMulti      = "ERR Blocking module command called from transaction"
	msgBlockInScript     = "ERR Blocking module command called from Lua script"
	msgBlockInReply      = "ERR Blocking module command called from a Reply callback context"
	msgBlockTimeoutRange = "ERR timeout is out of range"
	msgHasBlocked        = "the module has blocked clients. Please wait for them to be unblocked and try again"
)

// bcOf returns the Go side of a handle a module passed in (panics, and so
// the export fails, on a freed or bogus handle).
func bcOf(bc *C.RedisModuleBlockedClient) *blockedClient {
	return cgo.Handle(bc.handle).Value().(*blockedClient)
}

// apiBlockClient implements RedisModule_BlockClient: blocks the client
// running the command until a thread calls UnblockClient (then
// reply_callback writes its reply), or timeout_ms passes (0: never; then
// timeout_callback replies). Inside MULTI, for a client that cannot block
// (a fake client) or inside a reply callback, the client is not blocked:
// an error is replied and the returned handle is already aborted, as in
// Redis; UnblockClient must still be called on it.
func apiBlockClient(ctx *C.RedisModuleCtx, reply_callback unsafe.Pointer, timeout_callback unsafe.Pointer, free_privdata unsafe.Pointer, timeout_ms C.longlong) (bc *C.RedisModuleBlockedClient) {
	return blockCommon(ctx, reply_callback, timeout_callback, free_privdata, int64(timeout_ms), nil, 0, nil, 0)
}

// apiBlockClientOnKeys implements RedisModule_BlockClientOnKeys: as
// BlockClient, but the client is served when one of keys is signalled
// ready (a core write that wakes blocking commands, or SignalKeyAsReady)
// and the key exists: reply_callback then runs with the ready key and
// privdata; REDISMODULE_OK unblocks, REDISMODULE_ERR keeps waiting.
func apiBlockClientOnKeys(ctx *C.RedisModuleCtx, reply_callback unsafe.Pointer, timeout_callback unsafe.Pointer, free_privdata unsafe.Pointer, timeout_ms C.longlong, keys **C.RedisModuleString, numkeys C.int, privdata unsafe.Pointer) (bc *C.RedisModuleBlockedClient) {
	return blockCommon(ctx, reply_callback, timeout_callback, free_privdata, int64(timeout_ms), keys, int(numkeys), privdata, 0)
}

// apiBlockClientOnKeysWithFlags implements
// RedisModule_BlockClientOnKeysWithFlags: BlockClientOnKeys with
// REDISMODULE_BLOCK_UNBLOCK_DELETED, which also serves the client when a
// key is signalled ready while it does not exist (deleted).
func apiBlockClientOnKeysWithFlags(ctx *C.RedisModuleCtx, reply_callback unsafe.Pointer, timeout_callback unsafe.Pointer, free_privdata unsafe.Pointer, timeout_ms C.longlong, keys **C.RedisModuleString, numkeys C.int, privdata unsafe.Pointer, flags C.int) (bc *C.RedisModuleBlockedClient) {
	return blockCommon(ctx, reply_callback, timeout_callback, free_privdata, int64(timeout_ms), keys, int(numkeys), privdata, int(flags))
}

// blockCommon is Redis's moduleBlockClient.
func blockCommon(ctx *C.RedisModuleCtx, replyFn, timeoutFn, freeFn unsafe.Pointer, timeoutMs int64,
	keys **C.RedisModuleString, numkeys int, privdata unsafe.Pointer, flags int) *C.RedisModuleBlockedClient {
	st := stateOf(ctx)
	if st == nil || st.sys == nil || st.mod == nil {
		return nil
	}
	rt := runtimeOf(st.sys)
	rt.registerDebugLocked()
	b := &blockedClient{rt: rt, mod: st.mod, onKeys: keys != nil, flags: flags, resp: 2,
		replyFn: replyFn, timeoutFn: timeoutFn, freeFn: freeFn, tsCtxs: map[*C.RedisModuleCtx]struct{}{}}
	b.h = cgo.NewHandle(b)
	b.c = C.mh_bc_new(C.uintptr_t(b.h), privdata)
	liveBlocked.Add(1)
	st.mod.reg.blockedClients++
	for _, a := range st.args {
		b.args = append(b.args, append([]byte(nil), a...))
	}
	c := st.client
	if c != nil {
		b.resp, b.clientID, b.dbid = c.Proto(), c.ClientID(), c.DBIndex()
	}
	refuse := ""
	switch {
	case c == nil:
		return b.c // no client to block (a timer or thread context)
	case timeoutMs > 0 && timeoutMs > math.MaxInt64-time.Now().UnixMilli():
		refuse = msgBlockTimeoutRange
	case c.InExec():
		refuse = msgBlockInMulti
	case !c.Connected() && !(c.IsFake() && c.CanBlock()):
		// A fake client blocks only for a Call with "K" (a promise).
		refuse = msgBlockInScript
	case ctx.flags&C.MH_CTX_BLOCKED_REPLY != 0:
		refuse = msgBlockInReply
	}
	if refuse != "" {
		msg := C.CString(refuse)
		C.mh_reply_error_msg(ctx, msg)
		C.free(unsafe.Pointer(msg))
		return b.c
	}
	opts := BlockOptions{
		OnTimeout:       b.onTimeout,
		MayTimeout:      func(Client) bool { return !b.isUnblocked() },
		OnError:         b.onError,
		OnDisconnect:    b.endFromHost,
		NoClientUnblock: timeoutFn == nil,
	}
	switch {
	case timeoutMs > 0:
		opts.Timeout = time.Duration(timeoutMs) * time.Millisecond
	case timeoutMs < 0:
		opts.Timeout = time.Nanosecond // already past: time out at once
	}
	if keys != nil {
		for _, k := range unsafe.Slice(keys, numkeys) {
			opts.Keys = append(opts.Keys, stringBytes(k))
		}
		opts.OnReady = b.onReady
	}
	b.client = c
	c.Block(opts)
	return b.c
}

// stringBytes copies a module string's bytes into Go memory.
func stringBytes(s *C.RedisModuleString) []byte {
	var n C.size_t
	p := C.mh_string_ptr(s, &n)
	return C.GoBytes(unsafe.Pointer(p), C.int(n))
}

func (b *blockedClient) isUnblocked() bool {
	b.rt.mu.Lock()
	defer b.rt.mu.Unlock()
	return b.unblocked
}

// fns reads the callbacks under rt.mu (AbortBlock may clear them from a
// thread).
func (b *blockedClient) fns() (reply, timeout, free, disconnect unsafe.Pointer) {
	b.rt.mu.Lock()
	defer b.rt.mu.Unlock()
	return b.replyFn, b.timeoutFn, b.freeFn, b.disconnectFn
}

// callbackCtx makes the context of a callback for this blocked client.
func (b *blockedClient) callbackCtx(c Client, flags C.uint32_t) *C.RedisModuleCtx {
	resp := b.resp
	if c != nil {
		resp = c.Proto()
	}
	ctx := newCtx(&ctxState{sys: b.rt.sys, mod: b.mod, client: c, args: b.args}, resp, flags)
	ctx.blocked_client = b.c
	ctx.blocked_privdata = b.c.privdata
	return ctx
}

// runCmdCallback calls a RedisModuleCmdFunc with the command's arguments
// and appends what it replied to c (if any). It returns the callback's
// result.
func (b *blockedClient) runCmdCallback(fn unsafe.Pointer, c Client, flags C.uint32_t, readyKey []byte) C.int {
	srv := b.rt.sys.srv
	srv.EnterExecutionUnit() // one execution unit per callback
	defer srv.ExitExecutionUnit()
	ctx := b.callbackCtx(c, flags)
	if readyKey != nil {
		kb := C.CBytes(readyKey)
		ctx.blocked_ready_key = C.mh_string_new((*C.char)(kb), C.size_t(len(readyKey)))
		C.free(kb)
	}
	buf, lens := b.rt.sys.packArgs(b.args)
	var pending C.int
	rc := C.mh_cmd_run(ctx, fn, buf, lens, C.int(len(b.args)), &pending)
	if c != nil && pending == 0 {
		appendModuleReply(c, replyBytes(ctx))
	}
	if ctx.blocked_ready_key != nil {
		C.mh_string_release(ctx.blocked_ready_key)
	}
	freeCtx(ctx)
	return rc
}

// appendModuleReply copies module reply bytes to the client, counting a
// single error reply in errorstats as the dispatcher does.
func appendModuleReply(c Client, out []byte) {
	if len(out) == 0 {
		return
	}
	if msg, ok := singleError(out); ok {
		c.CountError(msg)
	}
	w := c.Writer()
	w.Buf = append(w.Buf, out...)
}

// onTimeout is Redis's moduleBlockedClientTimedOut followed by
// unblockClientFromModule: the timeout callback replies, then the block
// ends without the disconnect callback.
func (b *blockedClient) onTimeout(c Client) {
	_, timeout, _, _ := b.fns()
	if timeout != nil {
		b.runCmdCallback(timeout, c, C.MH_CTX_BLOCKED_TIMEOUT, nil)
	}
	b.addBackgroundTime(c)
	b.rt.mu.Lock()
	b.disconnectFn = nil
	b.rt.mu.Unlock()
	b.endFromHost(c)
}

// addBackgroundTime adds the time the module measured with
// BlockedClientMeasureTimeStart/End to the blocked command's time, as
// Redis's updateStatsOnUnblock does.
func (b *blockedClient) addBackgroundTime(c Client) {
	c.AddBlockedTime(time.Duration(b.c.background_us) * time.Microsecond)
	b.c.background_us = 0
}

// onError handles CLIENT UNBLOCK ERROR: the error reply, then the block
// ends as for a disconnect (the disconnect callback runs if set, as in
// Redis).
func (b *blockedClient) onError(c Client, msg string) {
	c.Error(msg)
	b.endFromHost(c)
}

// endFromHost is Redis's unblockClientFromModule: the host ended the block
// (timeout, CLIENT UNBLOCK, disconnect). The disconnect callback runs if
// still set; a client blocked on keys is queued for release; the handle
// forgets the client, so a later UnblockClient only frees the private data.
func (b *blockedClient) endFromHost(c Client) {
	_, _, _, disconnect := b.fns()
	if disconnect != nil {
		ctx := b.callbackCtx(c, C.MH_CTX_NONE)
		C.mh_call_disconnect(disconnect, ctx, b.c)
		freeCtx(ctx)
	}
	if b.onKeys {
		b.queue(false, nil)
	}
	b.client = nil
}

// onReady serves a client blocked on keys after key was signalled ready.
func (b *blockedClient) onReady(c Client, key []byte) bool {
	if b.isUnblocked() {
		return false
	}
	if b.flags&C.REDISMODULE_BLOCK_UNBLOCK_DELETED == 0 && b.rt.srv.Keyspace().Peek(c.DBIndex(), key) == nil {
		return false
	}
	reply, _, _, _ := b.fns()
	if reply == nil || b.runCmdCallback(reply, c, C.MH_CTX_BLOCKED_REPLY, key) != C.REDISMODULE_OK {
		return false
	}
	b.rt.mu.Lock()
	b.unblocked = true
	b.rt.mu.Unlock()
	b.finishLocked(c)
	return true
}

// queue marks the handle unblocked and queues it for the event goroutine
// (any thread). setPriv replaces the private data first. It returns false
// if it was already queued.
func (b *blockedClient) queue(setPriv bool, privdata unsafe.Pointer) bool {
	rt := b.rt
	rt.mu.Lock()
	if b.unblocked {
		rt.mu.Unlock()
		return false
	}
	if setPriv {
		b.c.privdata = privdata
	}
	b.unblocked = true
	rt.unblocked = append(rt.unblocked, b)
	held, shots := rt.tsHeld, len(rt.oneshots) > 0
	rt.mu.Unlock()
	switch {
	case held:
		// The module thread holding the lock serves it when it unlocks.
	case !shots && rt.srv.TryLock():
		// Nobody holds the lock: finish host-only handles on this thread
		// now rather than waking the event goroutine (one-shot events
		// queued first keep their turn there).
		done := rt.drainHostOnlyLocked()
		rt.srv.Unlock()
		if !done {
			rt.kick()
		}
	default:
		rt.kick()
	}
	return true
}

// hostOnlyLocked reports whether finishing b runs no module code: no
// reply callback, no private data to free, not a keys block. Such a
// handle may be finished on whatever thread holds the server lock, even
// a module thread that holds module mutexes. Call it with rt.mu held.
func (b *blockedClient) hostOnlyLocked() bool {
	return !b.onKeys && b.replyFn == nil && (b.freeFn == nil || b.c.privdata == nil)
}

// drainHostOnlyLocked finishes queued handles, in order, while they are
// host-only; it returns false if others remain for the event goroutine.
// Call it under the server lock.
func (rt *runtimeState) drainHostOnlyLocked() bool {
	for {
		rt.mu.Lock()
		if len(rt.unblocked) == 0 {
			rt.unblocked = nil
			rt.mu.Unlock()
			return true
		}
		b := rt.unblocked[0]
		if !b.hostOnlyLocked() {
			rt.mu.Unlock()
			return false
		}
		rt.unblocked = rt.unblocked[1:]
		rt.mu.Unlock()
		b.finishLocked(b.client)
	}
}

// handleUnblockedLocked handles queued handles in order (Redis's
// moduleHandleBlockedClients).
func (rt *runtimeState) handleUnblockedLocked() {
	for {
		rt.mu.Lock()
		if len(rt.unblocked) == 0 {
			rt.unblocked = nil
			rt.mu.Unlock()
			return
		}
		b := rt.unblocked[0]
		rt.unblocked = rt.unblocked[1:]
		rt.mu.Unlock()
		b.finishLocked(b.client)
	}
}

// finishLocked ends a handle: the reply callback (not for keys blocks,
// already served), the timeout callback for an explicit unblock of a keys
// block, free_privdata, the replies of bound thread-safe contexts, the
// end of the client's block, then the handle is freed.
func (b *blockedClient) finishLocked(c Client) {
	if b.auth {
		a := authOf(b.rt.sys)
		if c != nil {
			a.resumeBlocked(b, c)
			return
		}
		delete(a.pending, b.clientID) // the client went away
	}
	reply, timeout, free, _ := b.fns()
	b.rt.mu.Lock()
	explicit := b.explicitKeysUnblock
	b.rt.mu.Unlock()
	if c != nil && !b.onKeys && reply != nil {
		t0 := time.Now()
		b.runCmdCallback(reply, c, C.MH_CTX_BLOCKED_REPLY, nil)
		c.AddBlockedTime(time.Since(t0))
	}
	if c != nil {
		b.addBackgroundTime(c)
	}
	if c != nil && b.onKeys && explicit && timeout != nil {
		b.runCmdCallback(timeout, c, C.MH_CTX_BLOCKED_TIMEOUT, nil)
	}
	if priv := b.c.privdata; priv != nil && free != nil {
		flags := C.uint32_t(C.MH_CTX_NONE)
		if c == nil {
			flags = C.MH_CTX_BLOCKED_DISCONNECTED
		}
		ctx := b.callbackCtx(c, flags)
		C.mh_call_free_privdata(free, ctx, priv)
		freeCtx(ctx)
	}
	ts := b.takeThreadSafeReplies()
	if c != nil {
		// Errors replied through thread-safe contexts count now, against
		// the client they reach (errorstats, and failed_calls of the
		// blocked command), as Redis's AddReplyFromClient does.
		countReplyErrors(c, ts)
		w := c.Writer()
		w.Buf = append(w.Buf, ts...)
		b.rt.mu.Lock()
		b.disconnectFn = nil
		b.rt.mu.Unlock()
		b.rt.srv.Unblock(c)
	}
	b.release()
}

// release frees the handle once it is finished.
func (b *blockedClient) release() {
	b.client = nil
	b.mod.reg.blockedClients--
	liveBlocked.Add(-1)
	b.h.Delete()
	retireBlocked(b.c, b.mod.Name)
	b.c = nil
}

// retiredBlocked keeps the last blockedRetireKeep released handles
// allocated (their memory is freed only when they leave) with the name of
// their module, so that a late UnblockClient or AbortBlock on one (a
// thread unblocking twice, after the first call was already served) is
// named as the misuse it is instead of reading freed memory.
var retiredBlocked = struct {
	sync.Mutex
	names map[*C.RedisModuleBlockedClient]string
	ring  []*C.RedisModuleBlockedClient
	next  int
}{names: map[*C.RedisModuleBlockedClient]string{}}

// blockedRetireKeep is how many released handles stay allocated.
const blockedRetireKeep = 1024

// retireBlocked quarantines the released handle bc of module mod, freeing
// the oldest one when the quarantine is full.
func retireBlocked(bc *C.RedisModuleBlockedClient, mod string) {
	r := &retiredBlocked
	r.Lock()
	defer r.Unlock()
	if len(r.ring) < blockedRetireKeep {
		r.ring = append(r.ring, bc)
	} else {
		old := r.ring[r.next]
		delete(r.names, old)
		C.mh_bc_free(old)
		r.ring[r.next] = bc
		r.next = (r.next + 1) % blockedRetireKeep
	}
	r.names[bc] = mod
}

// retiredModule returns the module of bc when bc is a released handle.
func retiredModule(bc *C.RedisModuleBlockedClient) (string, bool) {
	retiredBlocked.Lock()
	defer retiredBlocked.Unlock()
	name, ok := retiredBlocked.names[bc]
	return name, ok
}

// takeThreadSafeReplies collects what bound thread-safe contexts replied
// (freed ones and, for contexts still alive, their replies so far) and
// marks the handle done.
func (b *blockedClient) takeThreadSafeReplies() []byte {
	b.tsMu.Lock()
	defer b.tsMu.Unlock()
	out := b.tsReply
	for ctx := range b.tsCtxs {
		out = append(out, replyBytes(ctx)...)
	}
	b.tsReply = nil
	b.done = true
	return out
}

// apiUnblockClient implements RedisModule_UnblockClient: safe from any
// thread. The client is unblocked on the event goroutine: its reply
// callback runs there (under the server lock) with privdata, then
// free_privdata. For a client blocked on keys privdata is ignored and the
// timeout callback replies (REDISMODULE_ERR if it has none). Must be
// called for every BlockClient handle, even after a timeout or a
// disconnect, to release it. A second call is ignored.
func apiUnblockClient(bc *C.RedisModuleBlockedClient, privdata unsafe.Pointer) (rc C.int) {
	rc = C.REDISMODULE_ERR
	if bc == nil {
		return rc
	}
	if mod, ok := retiredModule(bc); ok {
		threadMisuse(mod, "UnblockClient", "blocked client unblocked twice; the second call is ignored")
		return C.REDISMODULE_OK
	}
	return unblockHandle(bcOf(bc), privdata)
}

func unblockHandle(b *blockedClient, privdata unsafe.Pointer) C.int {
	if b.onKeys {
		b.rt.mu.Lock()
		noTimeout := b.timeoutFn == nil
		if !noTimeout && !b.unblocked {
			b.explicitKeysUnblock = true
		}
		b.rt.mu.Unlock()
		if noTimeout {
			return C.REDISMODULE_ERR
		}
		b.queue(false, nil)
		return C.REDISMODULE_OK
	}
	if !b.queue(true, privdata) {
		threadMisuse(b.mod.Name, "UnblockClient", "blocked client unblocked twice; the second call is ignored")
	}
	return C.REDISMODULE_OK
}

// apiAbortBlock implements RedisModule_AbortBlock: unblocks without
// calling the reply or disconnect callbacks (free_privdata still runs on
// private data set earlier). Same result as UnblockClient.
func apiAbortBlock(bc *C.RedisModuleBlockedClient) (rc C.int) {
	rc = C.REDISMODULE_ERR
	if bc == nil {
		return rc
	}
	if mod, ok := retiredModule(bc); ok {
		threadMisuse(mod, "AbortBlock", "blocked client aborted after it was unblocked; the call is ignored")
		return C.REDISMODULE_OK
	}
	b := bcOf(bc)
	b.rt.mu.Lock()
	b.replyFn, b.disconnectFn = nil, nil
	b.rt.mu.Unlock()
	return unblockHandle(b, nil)
}

// apiSetDisconnectCallback implements RedisModule_SetDisconnectCallback:
// callback(ctx, bc) runs when the blocked client disconnects (or is
// killed, or CLIENT UNBLOCK ERROR ends it) before the module unblocked
// it; not on timeouts, as in Redis.
func apiSetDisconnectCallback(bc *C.RedisModuleBlockedClient, callback unsafe.Pointer) {
	if bc == nil {
		return
	}
	b := bcOf(bc)
	b.rt.mu.Lock()
	b.disconnectFn = callback
	b.rt.mu.Unlock()
}
