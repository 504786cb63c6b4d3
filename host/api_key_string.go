package host

// "Key API for String type": StringSet, StringDMA and StringTruncate.
//
// DMA: keyspace strings are Go memory, which C may not keep. StringDMA
// therefore hands the module a C-allocated mirror of the value (a DMA
// window) that stays valid and writable until the key is closed, deleted,
// set or truncated. In Redis the pointer is the value's own memory whatever
// the mode argument (a READ DMA only skips the unsharing of an already raw
// string), so modules such as countminsketch write through a READ DMA of a
// key opened READ|WRITE and expect the bytes to stick: every window, of
// either mode, is written back. What the module writes there is copied back into the
// keyspace string at the next key-API call on the same handle, at any
// OpenKey/KeyExists of the same key, and at CloseKey (explicit or by auto
// memory). Redis's rule 1 for DMA ("no other key writing function while
// using the pointer") makes this copy-back invisible to a correct module;
// a RedisModule_Call reading the key in the middle of a DMA write sees the
// value as of the last copy-back.

/*
#include <stdlib.h>
#include <string.h>
#include "ctx.h"
#include "api_key.h"
#include "mh_string.h"
extern const char *const mh_dma_empty;
*/
import "C"

import (
	"bytes"
	"unsafe"

	"github.com/modhost/modhost/keyspace"
)

// dmaWin is one open DMA window.
type dmaWin struct {
	ptr *C.char
	n   int
}

// dmaWins holds the open windows by key handle (C pointers, guarded by the
// server lock).
var dmaWins = map[*C.RedisModuleKey]*dmaWin{}

// bytes views the window's C memory.
func (w *dmaWin) bytes() []byte {
	if w.n == 0 {
		return nil
	}
	return unsafe.Slice((*byte)(unsafe.Pointer(w.ptr)), w.n)
}

// dmaFlush copies r's window back into the keyspace if the module changed
// its bytes.
func dmaFlush(r keyRef) {
	w := dmaWins[r.k]
	if w == nil {
		return
	}
	s, ok := r.ks.LookupRead(r.db, r.name, keyspace.LookupNoEffects).(*keyspace.String)
	if !ok || s.Len() != w.n || bytes.Equal(s.Bytes(), w.bytes()) {
		return
	}
	r.ks.BeforeWrite(r.db, r.name)
	s.SetRange(0, w.bytes())
}

// dmaFlushName copies back every window open on (db, name).
func dmaFlushName(srv Server, db int, name []byte) {
	for k := range dmaWins {
		if int(k.dbid) == db && bytes.Equal(cStringBytes(k.name), name) {
			dmaFlush(keyRef{k: k, srv: srv, ks: srv.Keyspace(), db: db, name: cStringBytes(k.name)})
		}
	}
}

// dmaRelease ends key's window (after resolve copied it back).
func dmaRelease(key *C.RedisModuleKey) {
	w := dmaWins[key]
	if w == nil {
		return
	}
	delete(dmaWins, key)
	key.dma = 0
	C.free(unsafe.Pointer(w.ptr))
}

// makeRaw gives s the "raw" encoding, as Redis's unsharing does.
func makeRaw(s *keyspace.String) {
	if b := s.Bytes(); len(b) > 0 {
		s.SetRange(0, b[:1])
	}
}

// apiStringSet implements RedisModule_StringSet: replaces the key's
// value (of any type, and its TTL) with a string holding a copy of str.
// REDISMODULE_ERR when the key is not open for writing or a stream
// iterator is active.
func apiStringSet(key *C.RedisModuleKey, str *C.RedisModuleString) C.int {
	r, ok := resolve(key)
	if !ok || !r.mayWrite("StringSet") || key.scur != nil || str == nil {
		return C.REDISMODULE_ERR
	}
	r.deleteValue()
	v := keyspace.NewString(cStringBytes(str))
	r.ks.Add(r.db, r.name, v)
	r.wrote(v)
	return C.REDISMODULE_OK
}

// apiStringDMA implements RedisModule_StringDMA: returns a pointer to
// the string's bytes and their count in *len. Writes through it reach
// the value whatever the mode, as in Redis where the pointer is the
// value's memory (mode WRITE only matters there for unsharing). An empty
// key yields a read-only placeholder with *len 0; another type yields
// NULL. The pointer stays valid until the key is closed or modified
// through the key API (see the file comment for how writes reach the
// keyspace).
func apiStringDMA(key *C.RedisModuleKey, length *C.size_t, mode C.int) *C.char {
	r, ok := resolve(key)
	if !ok {
		return nil
	}
	v := r.value()
	if v == nil {
		*length = 0
		return (*C.char)(unsafe.Pointer(C.mh_dma_empty))
	}
	s, ok := v.(*keyspace.String)
	if !ok {
		return nil
	}
	makeRaw(s)
	if w := dmaWins[key]; w != nil && w.n == s.Len() {
		*length = C.size_t(w.n)
		return w.ptr
	}
	dmaRelease(key)
	w := &dmaWin{ptr: C.mh_dma_alloc(C.size_t(s.Len())), n: s.Len()}
	copy(w.bytes(), s.Bytes())
	dmaWins[key] = w
	key.dma = 1
	*length = C.size_t(w.n)
	return w.ptr
}

// apiStringTruncate implements RedisModule_StringTruncate: resizes the
// string to newlen bytes, zero-padding when it grows; an empty key becomes
// a string of newlen zero bytes (nothing happens for newlen 0). A DMA
// window ends: call StringDMA again. REDISMODULE_ERR when the key is not
// open for writing, holds another type, or newlen exceeds 512 MB.
func apiStringTruncate(key *C.RedisModuleKey, newlen C.size_t) C.int {
	r, ok := resolve(key)
	if !ok || !r.mayWrite("StringTruncate") {
		return C.REDISMODULE_ERR
	}
	v := r.value()
	s, isStr := v.(*keyspace.String)
	if (v != nil && !isStr) || newlen > 512*1024*1024 {
		return C.REDISMODULE_ERR
	}
	n := int(newlen)
	if v == nil {
		if n == 0 {
			return C.REDISMODULE_OK
		}
		s = keyspace.NewStringOwned(make([]byte, n))
		r.ks.Add(r.db, r.name, s)
		makeRaw(s)
		r.wrote(s)
		return C.REDISMODULE_OK
	}
	dmaRelease(key)
	b := append([]byte(nil), s.Bytes()[:min(n, s.Len())]...)
	b = append(b, make([]byte, n-len(b))...)
	s.Set(nil)
	s.SetRange(0, b)
	r.wrote(s)
	return C.REDISMODULE_OK
}
