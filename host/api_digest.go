package host

// "Key digest API (DEBUG DIGEST interface for modules types)": a type's
// digest callback feeds its value's elements through these functions and
// DEBUG DIGEST folds the result into the key's digest exactly as Redis
// does, so the same module data gives the same digest on both servers.
//
// The digest state (api_type.h) is C memory: an open-sequence digest o and
// the xor x of the closed sequences, both 20-byte SHA1 combinations.

/*
#include <stdlib.h>
#include "ctx.h"
#include "api_type.h"
#include "mh_string.h"
*/
import "C"

import (
	"crypto/sha1"
	"strconv"
	"unsafe"

	"github.com/modhost/modhost/keyspace/rdb"
)

// digestXor folds SHA1(p) into d (Redis's xorDigest).
func digestXor(d *[20]byte, p []byte) {
	h := sha1.Sum(p)
	for i := range d {
		d[i] ^= h[i]
	}
}

// digestMix folds p into d so that order matters (Redis's mixDigest).
func digestMix(d *[20]byte, p []byte) {
	digestXor(d, p)
	*d = sha1.Sum(d[:])
}

func digestO(md *C.RedisModuleDigest) *[20]byte { return (*[20]byte)(unsafe.Pointer(&md.o[0])) }
func digestX(md *C.RedisModuleDigest) *[20]byte { return (*[20]byte)(unsafe.Pointer(&md.x[0])) }

// apiDigestAddStringBuffer implements RedisModule_DigestAddStringBuffer:
// adds len bytes of ele to the current sequence (order matters inside a
// sequence).
func apiDigestAddStringBuffer(md *C.RedisModuleDigest, ele *C.char, n C.size_t) {
	if md == nil {
		return
	}
	var b []byte
	if n > 0 && ele != nil {
		b = unsafe.Slice((*byte)(unsafe.Pointer(ele)), int(n))
	}
	digestMix(digestO(md), b)
}

// apiDigestAddLongLong implements RedisModule_DigestAddLongLong: adds
// the decimal text of ll to the current sequence, as Redis does.
func apiDigestAddLongLong(md *C.RedisModuleDigest, ll C.longlong) {
	if md != nil {
		digestMix(digestO(md), strconv.AppendInt(nil, int64(ll), 10))
	}
}

// apiDigestEndSequence implements RedisModule_DigestEndSequence: closes
// the current sequence (sequences combine regardless of their order) and
// starts a new one.
func apiDigestEndSequence(md *C.RedisModuleDigest) {
	if md != nil {
		o := digestO(md)
		digestXor(digestX(md), o[:])
		*o = [20]byte{}
	}
}

// ModuleDigest runs the type's digest callback on the value at ptr (the
// value of key in db; key may be nil) and returns the closed sequences'
// digest (rdb.ModuleDigester); false when the type has no callback.
func (t *moduleType) ModuleDigest(ptr unsafe.Pointer, key []byte, db int) (rdb.Digest, bool) {
	d, _, ok := t.digestSequences(ptr, key, db)
	return d, ok
}

// digestSequences runs the digest callback and returns the closed
// sequences' digest and whether elements were left in an open sequence
// (added after the last DigestEndSequence, or with none at all: DEBUG
// DIGEST ignores them, in Redis as here).
func (t *moduleType) digestSequences(ptr unsafe.Pointer, key []byte, db int) (d rdb.Digest, open bool, ok bool) {
	if t.c.m.digest == nil {
		return rdb.Digest{}, false, false
	}
	md := (*C.RedisModuleDigest)(C.calloc(1, C.sizeof_RedisModuleDigest))
	defer C.free(unsafe.Pointer(md))
	if key != nil {
		md.key = newCString(nil, key)
		defer C.mh_string_release(md.key)
	}
	md.dbid = C.int(db)
	C.mh_type_call_digest(t.c, md, ptr)
	return rdb.Digest(*digestX(md)), *digestO(md) != [20]byte{}, true
}
