package host

// "Key API for generic keys": opening and closing key handles, type and
// length, deletion, expiry, LRU/LFU, random keys, and the signals WATCH and
// blocked clients listen to.
//
// A RedisModuleKey (api_key.h) is C memory naming the key: its context,
// database and a retained copy of the name. It keeps no Go pointer and no
// handle: every Go call looks the value up again (keyRef.value), so a key
// always sees the current value, and KeyType/ValueLength answer in C from a
// cache that key-API writes invalidate (mh_key_epoch).
//
// Notifications follow Redis exactly: the low-level key API fires no
// command event ("lpush", "set", "del" ...); creating a key fires "new"
// (the keyspace's Add), deleting or creating list/zset/stream keys signals
// blocked clients, and closing a key opened for writing invalidates WATCH.
// Modules announce their own events with NotifyKeyspaceEvent, as in Redis.

/*
#include <stdlib.h>
#include "ctx.h"
#include "api_key.h"
#include "mh_string.h"
void mh_key_init(void);
void mh_CloseKey(RedisModuleKey *key);
*/
import "C"

import (
	"unsafe"

	"github.com/modhost/modhost/keyspace"
)

func init() { C.mh_key_init() }

// keyRef is a key handle resolved for one Go call.
type keyRef struct {
	k    *C.RedisModuleKey
	srv  Server
	ks   *keyspace.Keyspace
	db   int
	name []byte // aliases the handle's C name: valid while the key is open
}

// resolve returns the Go view of key; ok is false when the key or its
// server is missing. A pending DMA window of the key is copied back first.
func resolve(key *C.RedisModuleKey) (keyRef, bool) {
	if key == nil {
		return keyRef{}, false
	}
	srv := serverFor(key.ctx)
	if srv == nil {
		return keyRef{}, false
	}
	r := keyRef{k: key, srv: srv, ks: srv.Keyspace(), db: int(key.dbid), name: cStringBytes(key.name)}
	if key.dma != 0 {
		dmaFlush(r)
	}
	return r, true
}

// cStringBytes views a module string's bytes (C memory) as a slice.
func cStringBytes(s *C.RedisModuleString) []byte {
	if s == nil || s.len == 0 {
		return nil
	}
	return unsafe.Slice((*byte)(unsafe.Pointer(s.ptr)), int(s.len))
}

// newCString returns a new module string holding a copy of b, recorded
// with ctx's auto memory.
func newCString(ctx *C.RedisModuleCtx, b []byte) *C.RedisModuleString {
	var p *C.char
	if len(b) > 0 {
		p = (*C.char)(unsafe.Pointer(&b[0]))
	}
	s := C.mh_string_new(p, C.size_t(len(b)))
	if ctx != nil {
		C.mh_am_add(ctx, C.MH_AM_STRING, unsafe.Pointer(s))
	}
	return s
}

// writable reports whether the key was opened with REDISMODULE_WRITE.
func (r keyRef) writable() bool { return r.k.mode&C.REDISMODULE_WRITE != 0 }

// value looks the key's value up without side effects (expired keys read
// as missing unless the key was opened with ACCESS_EXPIRED) and refreshes
// the handle's cached type and length.
func (r keyRef) value() keyspace.Value {
	flags := keyspace.LookupNoEffects
	if r.k.mode&C.REDISMODULE_OPEN_KEY_ACCESS_EXPIRED != 0 {
		flags |= keyspace.LookupAccessExpired
	}
	var v keyspace.Value
	if r.writable() {
		// A write handle's value may be changed in place after this:
		// a running snapshot keeps it first (LookupWrite).
		v = r.ks.LookupWrite(r.db, r.name, flags)
	} else {
		v = r.ks.LookupRead(r.db, r.name, flags)
	}
	r.cache(v)
	return v
}

// cache stores v's type and length in the C handle.
func (r keyRef) cache(v keyspace.Value) { setKeyCache(r.k, v) }

// wrote records a write made through r: other handles' caches are stale.
func (r keyRef) wrote(v keyspace.Value) {
	invalidateKeys()
	r.cache(v)
}

// typeAndLen maps a value to REDISMODULE_KEYTYPE_* and ValueLength.
func typeAndLen(v keyspace.Value) (int, int) {
	switch x := v.(type) {
	case nil:
		return C.REDISMODULE_KEYTYPE_EMPTY, 0
	case *keyspace.String:
		return C.REDISMODULE_KEYTYPE_STRING, x.Len()
	case *keyspace.List:
		return C.REDISMODULE_KEYTYPE_LIST, x.Len()
	case *keyspace.Hash:
		return C.REDISMODULE_KEYTYPE_HASH, x.Len()
	case *keyspace.Set:
		return C.REDISMODULE_KEYTYPE_SET, x.Len()
	case *keyspace.ZSet:
		return C.REDISMODULE_KEYTYPE_ZSET, x.Len()
	case *keyspace.Stream:
		return C.REDISMODULE_KEYTYPE_STREAM, x.Len()
	case *keyspace.ModuleValue:
		return C.REDISMODULE_KEYTYPE_MODULE, 0
	}
	return C.REDISMODULE_KEYTYPE_EMPTY, 0
}

// deleteIfEmpty deletes a collection left empty by a write (Redis's
// moduleDelKeyIfEmpty; streams are never empty-deleted here) and reports
// whether it did.
func (r keyRef) deleteIfEmpty(v keyspace.Value) bool {
	_, n := typeAndLen(v)
	if n > 0 || !r.writable() {
		return false
	}
	switch v.(type) {
	case *keyspace.List, *keyspace.Hash, *keyspace.ZSet, *keyspace.Set:
		r.ks.Delete(r.db, r.name)
		r.wrote(nil)
		return true
	}
	return false
}

// lookupFlags maps OpenKey mode bits onto keyspace lookup flags.
func lookupFlags(mode C.int) keyspace.LookupFlags {
	var f keyspace.LookupFlags
	pairs := []struct {
		bit  C.int
		flag keyspace.LookupFlags
	}{
		{C.REDISMODULE_OPEN_KEY_NOTOUCH, keyspace.LookupNoTouch},
		{C.REDISMODULE_OPEN_KEY_NONOTIFY, keyspace.LookupNoNotify},
		{C.REDISMODULE_OPEN_KEY_NOSTATS, keyspace.LookupNoStats},
		{C.REDISMODULE_OPEN_KEY_NOEXPIRE, keyspace.LookupNoExpire},
		{C.REDISMODULE_OPEN_KEY_NOEFFECTS, keyspace.LookupNoEffects},
		{C.REDISMODULE_OPEN_KEY_ACCESS_EXPIRED, keyspace.LookupAccessExpired},
	}
	for _, p := range pairs {
		if mode&p.bit != 0 {
			f |= p.flag
		}
	}
	return f
}

// mhv_key_open is the Go half of RedisModule_OpenKey (mh_OpenKey in
// api_key.c, which allocates the handle k in C first): it looks the key up
// in k's database and caches its type and length in k. It returns 0 when
// the handle must not be handed out (a READ-only open of a missing key, or
// a context without a server). The OPEN_KEY_* flags map onto the keyspace
// lookup flags (NOTOUCH, NONOTIFY, NOSTATS, NOEXPIRE, NOEFFECTS,
// ACCESS_EXPIRED).
//
//export mhv_key_open
func mhv_key_open(ctx *C.RedisModuleCtx, k *C.RedisModuleKey) (rc C.int) {
	defer guardExport(ctx, "OpenKey")
	srv := serverFor(ctx)
	if srv == nil {
		return 0
	}
	db := int(k.dbid)
	name := cStringBytes(k.name)
	if len(dmaWins) > 0 {
		dmaFlushName(srv, db, name)
	}
	noteDirty(srv)
	var v keyspace.Value
	if k.mode&C.REDISMODULE_WRITE != 0 {
		v = srv.Keyspace().LookupWrite(db, name, lookupFlags(k.mode))
		strictNoteWriteOpen(ctx, db, name)
	} else {
		v = srv.Keyspace().LookupRead(db, name, lookupFlags(k.mode))
		if v == nil {
			return 0
		}
	}
	setKeyCache(k, v)
	return 1
}

// setKeyCache stores v's type and length in the C handle, current for the
// present epoch (field writes: no C call).
func setKeyCache(k *C.RedisModuleKey, v keyspace.Value) {
	t, n := typeAndLen(v)
	k._type = C.int(t)
	k.len = C.size_t(n)
	k.epoch = C.mh_key_epoch
}

// invalidateKeys makes the cached facts of every open key stale (as
// mh_key_invalidate, without a C call).
func invalidateKeys() { C.mh_key_epoch++ }

// lastDirty is the keyspace's dirty counter when a key was last opened.
var lastDirty int64

// noteDirty invalidates cached key facts when the keyspace changed by
// another path (commands, Call) since the last OpenKey.
func noteDirty(srv Server) {
	if srv.Keyspace().Dirty != lastDirty {
		lastDirty = srv.Keyspace().Dirty
		invalidateKeys()
	}
}

// mhv_key_close is the Go half of RedisModule_CloseKey (mh_CloseKey in
// api_key.c, which frees the handle afterwards), called only for a key
// opened for writing, with a DMA window or a pending ready signal: it
// copies back the DMA window, signals a key opened for writing as modified
// (WATCH) and signals blocked clients after StreamAdd to an existing
// stream.
//
//export mhv_key_close
func mhv_key_close(key *C.RedisModuleKey) {
	defer guardExport(keyCtx(key), "CloseKey")
	if r, ok := resolve(key); ok {
		dmaRelease(key)
		if r.writable() {
			r.ks.Modified(r.db, r.name, 0, "")
			invalidateKeys()
		}
		if key.signalready != 0 {
			r.srv.SignalKeyAsReady(r.db, r.name)
		}
	}
	dmaRelease(key)
}

// closeKey closes a key handle from Go code (as the module's
// RedisModule_CloseKey does, through mh_CloseKey).
func closeKey(key *C.RedisModuleKey) { C.mh_CloseKey(key) }

// mhv_key_sync refreshes a handle's cached type and length (C calls it
// when the cache is stale).
//
//export mhv_key_sync
func mhv_key_sync(key *C.RedisModuleKey) {
	defer guardExport(keyCtx(key), "KeyType")
	if r, ok := resolve(key); ok {
		r.value()
	} else {
		setKeyCache(key, nil)
	}
}

// apiKeyExists implements RedisModule_KeyExists: whether keyname exists
// in the selected database, without touching its LRU/LFU (stats and
// keymiss as a read lookup).
func apiKeyExists(ctx *C.RedisModuleCtx, keyname *C.RedisModuleString) C.int {
	srv := serverFor(ctx)
	if srv == nil || keyname == nil {
		return 0
	}
	name := cStringBytes(keyname)
	dmaFlushName(srv, int(ctx.dbid), name)
	if srv.Keyspace().LookupRead(int(ctx.dbid), name, keyspace.LookupNoTouch) != nil {
		return 1
	}
	return 0
}

// apiDeleteKey implements RedisModule_DeleteKey: deletes the key when it
// is open for writing (the handle stays usable as an empty key).
// REDISMODULE_ERR when the key is not open for writing.
func apiDeleteKey(key *C.RedisModuleKey) C.int {
	r, ok := resolve(key)
	if !ok || !r.mayWrite("DeleteKey") {
		return C.REDISMODULE_ERR
	}
	r.deleteValue()
	return C.REDISMODULE_OK
}

// deleteValue removes the key's value, ending iterators and DMA windows.
func (r keyRef) deleteValue() { r.removeValue(r.ks.Delete) }

// removeValue is deleteValue through del (the keyspace's Delete or Unlink).
func (r keyRef) removeValue(del func(db int, key []byte) bool) {
	dmaRelease(r.k)
	C.mh_key_zcur_free(r.k)
	C.mh_key_scur_free(r.k)
	if del(r.db, r.name) {
		r.wrote(nil)
	}
}

// apiUnlinkKey implements RedisModule_UnlinkKey: as DeleteKey, but a
// module value is unlinked as UNLINK does (its type's free_effort is
// asked; modhost then frees it synchronously, where Redis may free a
// costly value in a background thread).
func apiUnlinkKey(key *C.RedisModuleKey) C.int {
	r, ok := resolve(key)
	if !ok || !r.mayWrite("UnlinkKey") {
		return C.REDISMODULE_ERR
	}
	r.removeValue(r.ks.Unlink)
	return C.REDISMODULE_OK
}

// apiGetExpire implements RedisModule_GetExpire: the remaining TTL in
// milliseconds, or REDISMODULE_NO_EXPIRE for a key without TTL or an
// empty key.
func apiGetExpire(key *C.RedisModuleKey) C.mstime_t {
	at := absExpire(key)
	if at < 0 {
		return C.REDISMODULE_NO_EXPIRE
	}
	r, _ := resolve(key)
	return C.mstime_t(max(at-r.ks.Now(), 0))
}

// absExpire returns the key's absolute expiry, or -1.
func absExpire(key *C.RedisModuleKey) int64 {
	r, ok := resolve(key)
	if !ok || r.value() == nil {
		return -1
	}
	at, ok := r.ks.GetExpire(r.db, r.name)
	if !ok || at == 0 {
		if r.k.mode&C.REDISMODULE_OPEN_KEY_ACCESS_EXPIRED == 0 || !ok {
			return -1
		}
	}
	return at
}

// apiGetAbsExpire implements RedisModule_GetAbsExpire: the absolute
// expiry as a Unix time in milliseconds, or REDISMODULE_NO_EXPIRE.
func apiGetAbsExpire(key *C.RedisModuleKey) C.mstime_t {
	at := absExpire(key)
	if at <= 0 {
		return C.REDISMODULE_NO_EXPIRE
	}
	return C.mstime_t(at)
}

// setExpire implements SetExpire (rel) and SetAbsExpire.
func setExpire(key *C.RedisModuleKey, expire int64, rel bool) C.int {
	r, ok := resolve(key)
	if !ok || !r.mayWrite(expireFn(rel)) || r.value() == nil || (expire < 0 && expire != C.REDISMODULE_NO_EXPIRE) {
		return C.REDISMODULE_ERR
	}
	if expire == C.REDISMODULE_NO_EXPIRE {
		r.ks.SetExpire(r.db, r.name, 0)
		return C.REDISMODULE_OK
	}
	if rel {
		expire += r.ks.Now()
	}
	r.ks.SetExpire(r.db, r.name, expire)
	return C.REDISMODULE_OK
}

// apiSetExpire implements RedisModule_SetExpire: sets a TTL of expire
// milliseconds (REDISMODULE_NO_EXPIRE removes it). REDISMODULE_ERR when the
// key is not open for writing, is empty, or expire is negative.
func apiSetExpire(key *C.RedisModuleKey, expire C.mstime_t) C.int {
	return setExpire(key, int64(expire), true)
}

// apiSetAbsExpire implements RedisModule_SetAbsExpire: as SetExpire with
// an absolute Unix time in milliseconds.
func apiSetAbsExpire(key *C.RedisModuleKey, expire C.mstime_t) C.int {
	return setExpire(key, int64(expire), false)
}

// apiResetDataset implements RedisModule_ResetDataset: empties every
// database as FLUSHALL does (invalidating WATCHes). modhost has no AOF to
// restart and frees synchronously, so both arguments are accepted and
// otherwise ignored.
func apiResetDataset(restartAOF, async C.int) {
	if s := defaultServer(); s != nil {
		s.FlushAll()
		C.mh_key_invalidate()
	}
}

// apiRandomKey implements RedisModule_RandomKey: the name of a random
// key of the selected database, or NULL when it is empty. The caller owns
// the string (auto memory applies).
func apiRandomKey(ctx *C.RedisModuleCtx) *C.RedisModuleString {
	srv := serverFor(ctx)
	if srv == nil {
		return nil
	}
	k, ok := srv.Keyspace().RandomKey(int(ctx.dbid))
	if !ok {
		return nil
	}
	return newCString(ctx, []byte(k))
}

// apiGetLRU implements RedisModule_GetLRU: stores the key's idle time in
// milliseconds in *lruIdle (-1 under an LFU policy). REDISMODULE_ERR for
// an empty key.
func apiGetLRU(key *C.RedisModuleKey, lruIdle *C.mstime_t) C.int {
	*lruIdle = -1
	r, ok := resolve(key)
	if !ok || r.value() == nil {
		return C.REDISMODULE_ERR
	}
	if !r.ks.LFU {
		ms, _ := r.ks.IdleTime(r.db, r.name)
		*lruIdle = C.mstime_t(ms)
	}
	return C.REDISMODULE_OK
}

// apiSetLRU implements RedisModule_SetLRU: makes the key look idle for
// lruIdle milliseconds. REDISMODULE_ERR for an empty key or under an LFU
// policy.
func apiSetLRU(key *C.RedisModuleKey, lruIdle C.mstime_t) C.int {
	r, ok := resolve(key)
	if !ok || r.value() == nil || r.ks.LFU {
		return C.REDISMODULE_ERR
	}
	r.ks.SetIdleTime(r.db, r.name, max(int64(lruIdle), 0))
	return C.REDISMODULE_OK
}

// apiGetLFU implements RedisModule_GetLFU: stores the key's decayed LFU
// counter in *lfuFreq (-1 under an LRU policy). REDISMODULE_ERR for an
// empty key.
func apiGetLFU(key *C.RedisModuleKey, lfuFreq *C.longlong) C.int {
	*lfuFreq = -1
	r, ok := resolve(key)
	if !ok || r.value() == nil {
		return C.REDISMODULE_ERR
	}
	if r.ks.LFU {
		f, _ := r.ks.Freq(r.db, r.name)
		*lfuFreq = C.longlong(f)
	}
	return C.REDISMODULE_OK
}

// apiSetLFU implements RedisModule_SetLFU: sets the key's LFU counter
// (0..255). REDISMODULE_ERR for an empty key or under an LRU policy.
func apiSetLFU(key *C.RedisModuleKey, lfuFreq C.longlong) C.int {
	r, ok := resolve(key)
	if !ok || r.value() == nil || !r.ks.LFU {
		return C.REDISMODULE_ERR
	}
	r.ks.SetFreq(r.db, r.name, int(lfuFreq))
	return C.REDISMODULE_OK
}

// apiSignalModifiedKey implements RedisModule_SignalModifiedKey: tells
// WATCH (and key tracking) that keyname in the selected database changed.
// Always REDISMODULE_OK.
func apiSignalModifiedKey(ctx *C.RedisModuleCtx, keyname *C.RedisModuleString) C.int {
	if srv := serverFor(ctx); srv != nil && keyname != nil {
		srv.Keyspace().Modified(int(ctx.dbid), cStringBytes(keyname), 0, "")
	}
	return C.REDISMODULE_OK
}

// apiSignalKeyAsReady implements RedisModule_SignalKeyAsReady: clients
// blocked on key (BlockClientOnKeys, or core blocking commands) are
// re-examined after the current command.
func apiSignalKeyAsReady(ctx *C.RedisModuleCtx, key *C.RedisModuleString) {
	if srv := serverFor(ctx); srv != nil && key != nil {
		srv.SignalKeyAsReady(int(ctx.dbid), cStringBytes(key))
	}
}
