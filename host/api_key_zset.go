package host

// "Key API for Sorted Set type": ZsetAdd, ZsetIncrby, ZsetRem, ZsetScore
// and the range iterators. A range is materialised once, at
// Zset{First,Last}In{Score,Lex}Range, into a C cursor (api_key.h): the walk
// (Next, Prev, EndReached, CurrentElement, Stop) runs in C without a Go
// crossing per element. The cost is O(range) at the start of a range
// instead of Redis's O(log n); changes to the set during a walk are not
// seen by it (Redis leaves that case undefined).

/*
#include <stdlib.h>
#include "ctx.h"
#include "api_key.h"
*/
import "C"

import (
	"math"
	"unsafe"

	"github.com/modhost/modhost/keyspace"
)

// Range kinds stored in RedisModuleKey.zrange (-1: end reached).
const (
	zrangeScore = 1
	zrangeLex   = 2
)

// zsetFor resolves a key for a sorted-set write: ERR unless it is open for
// writing and empty or a zset. An empty key gets a new zset when create.
func zsetFor(key *C.RedisModuleKey, create bool) (keyRef, *keyspace.ZSet, bool) {
	r, ok := resolve(key)
	if !ok || !r.writable() {
		return r, nil, false
	}
	v := r.value()
	z, isZ := v.(*keyspace.ZSet)
	if v != nil && !isZ {
		return r, nil, false
	}
	if v == nil && create {
		z = r.ks.NewZSet()
		r.ks.Add(r.db, r.name, z)
	}
	return r, z, true
}

// zadd applies ZADD's flag logic and returns ok and the output flags.
func zadd(z *keyspace.ZSet, member []byte, score float64, in int, incr bool, newscore *float64) (bool, int) {
	if math.IsNaN(score) {
		return false, 0
	}
	nx, xx := in&C.REDISMODULE_ZADD_NX != 0, in&C.REDISMODULE_ZADD_XX != 0
	gt, lt := in&C.REDISMODULE_ZADD_GT != 0, in&C.REDISMODULE_ZADD_LT != 0
	cur, exists := z.Score(member)
	if !exists {
		if xx {
			return true, C.REDISMODULE_ZADD_NOP
		}
		z.Add(member, score)
		*newscore = score
		return true, C.REDISMODULE_ZADD_ADDED
	}
	if nx {
		return true, C.REDISMODULE_ZADD_NOP
	}
	if incr {
		score += cur
		if math.IsNaN(score) {
			return false, 0
		}
	}
	if (lt && score >= cur) || (gt && score <= cur) {
		return true, C.REDISMODULE_ZADD_NOP
	}
	*newscore = score
	if score != cur {
		z.Add(member, score)
		return true, C.REDISMODULE_ZADD_UPDATED
	}
	return true, 0
}

// zsetWrite is ZsetAdd and ZsetIncrby.
func zsetWrite(key *C.RedisModuleKey, score C.double, ele *C.RedisModuleString, flagsptr *C.int, incr bool, newscore *C.double) C.int {
	r, z, ok := zsetFor(key, true)
	if !ok || ele == nil {
		return C.REDISMODULE_ERR
	}
	in := 0
	if flagsptr != nil {
		in = int(*flagsptr)
	}
	var ns float64
	done, out := zadd(z, cStringBytes(ele), float64(score), in, incr, &ns)
	if !done {
		if flagsptr != nil {
			*flagsptr = 0
		}
		if !r.deleteIfEmpty(z) {
			r.wrote(z)
		}
		return C.REDISMODULE_ERR
	}
	if flagsptr != nil {
		*flagsptr = C.int(out)
	}
	if newscore != nil && out&C.REDISMODULE_ZADD_NOP == 0 {
		*newscore = C.double(ns)
	}
	r.wrote(z)
	return C.REDISMODULE_OK
}

// apiZsetAdd implements RedisModule_ZsetAdd: adds ele with score,
// creating the set when the key is empty. *flagsptr (optional) holds
// REDISMODULE_ZADD_NX/XX/GT/LT on input and ADDED, UPDATED or NOP on
// output. REDISMODULE_ERR when the key is not open for writing, holds
// another type, or score is NaN.
func apiZsetAdd(key *C.RedisModuleKey, score C.double, ele *C.RedisModuleString, flagsptr *C.int) C.int {
	return zsetWrite(key, score, ele, flagsptr, false, nil)
}

// apiZsetIncrby implements RedisModule_ZsetIncrby: as ZsetAdd, but adds
// score to the current score (0 for a new member) and stores the result
// in *newscore. REDISMODULE_ERR also when the sum is NaN.
func apiZsetIncrby(key *C.RedisModuleKey, score C.double, ele *C.RedisModuleString, flagsptr *C.int, newscore *C.double) C.int {
	return zsetWrite(key, score, ele, flagsptr, true, newscore)
}

// apiZsetRem implements RedisModule_ZsetRem: removes ele, storing 1 in
// *deleted (optional) when it was there, else 0; an emptied set is
// deleted. REDISMODULE_ERR when the key is not open for writing or holds
// another type.
func apiZsetRem(key *C.RedisModuleKey, ele *C.RedisModuleString, deleted *C.int) C.int {
	r, z, ok := zsetFor(key, false)
	if !ok || ele == nil {
		return C.REDISMODULE_ERR
	}
	gone := z != nil && z.Remove(cStringBytes(ele))
	if deleted != nil {
		*deleted = 0
		if gone {
			*deleted = 1
		}
	}
	if gone && !r.deleteIfEmpty(z) {
		r.wrote(z)
	}
	return C.REDISMODULE_OK
}

// apiZsetScore implements RedisModule_ZsetScore: stores ele's score in
// *score. REDISMODULE_ERR when the key is empty, holds another type, or
// ele is not a member.
func apiZsetScore(key *C.RedisModuleKey, ele *C.RedisModuleString, score *C.double) C.int {
	r, ok := resolve(key)
	if !ok || ele == nil {
		return C.REDISMODULE_ERR
	}
	z, isZ := r.value().(*keyspace.ZSet)
	if !isZ {
		return C.REDISMODULE_ERR
	}
	s, ok := z.Score(cStringBytes(ele))
	if !ok {
		return C.REDISMODULE_ERR
	}
	if score != nil {
		*score = C.double(s)
	}
	return C.REDISMODULE_OK
}

// zmember is one collected member of a range.
type zmember struct {
	m string
	s float64
}

// zsetCursor installs ms as key's range cursor, positioned on the first
// (or last) member.
func zsetCursor(key *C.RedisModuleKey, kind int, ms []zmember, first bool) {
	C.mh_key_zcur_free(key)
	total := 0
	for _, e := range ms {
		total += len(e.m)
	}
	entSize := int(unsafe.Sizeof(C.mh_zent{}))
	hdr := int(unsafe.Sizeof(C.mh_zcur{}))
	mem := C.malloc(C.size_t(hdr + entSize*len(ms) + total + 1))
	if mem == nil {
		panic("out of memory")
	}
	cur := (*C.mh_zcur)(mem)
	cur.n = C.size_t(len(ms))
	cur.ents = (*C.mh_zent)(unsafe.Add(mem, hdr))
	cur.bytes = (*C.char)(unsafe.Add(mem, hdr+entSize*len(ms)))
	ents := unsafe.Slice(cur.ents, len(ms)+1)
	buf := unsafe.Slice((*byte)(unsafe.Pointer(cur.bytes)), total+1)
	off := 0
	for i, e := range ms {
		ents[i] = C.mh_zent{score: C.double(e.s), off: C.size_t(off), len: C.size_t(len(e.m))}
		off += copy(buf[off:], e.m)
	}
	cur.pos = -1
	if len(ms) > 0 {
		cur.pos = 0
		if !first {
			cur.pos = C.long(len(ms) - 1)
		}
	}
	key.zcur = cur
	key.zrange = C.int(kind)
}

// zsetOf returns the key's sorted set, or nil.
func zsetOf(key *C.RedisModuleKey) *keyspace.ZSet {
	r, ok := resolve(key)
	if !ok {
		return nil
	}
	z, _ := r.value().(*keyspace.ZSet)
	return z
}

// scoreRange starts a score range iterator.
func scoreRange(key *C.RedisModuleKey, min, max C.double, minex, maxex C.int, first bool) C.int {
	z := zsetOf(key)
	if z == nil {
		return C.REDISMODULE_ERR
	}
	rg := keyspace.ScoreRange{Min: float64(min), Max: float64(max), MinEx: minex != 0, MaxEx: maxex != 0}
	var ms []zmember
	z.RangeByScore(rg, false, 0, -1, func(m string, s float64) bool {
		ms = append(ms, zmember{m, s})
		return true
	})
	zsetCursor(key, zrangeScore, ms, first)
	return C.REDISMODULE_OK
}

// lexRange starts a lex range iterator.
func lexRange(key *C.RedisModuleKey, min, max *C.RedisModuleString, first bool) C.int {
	z := zsetOf(key)
	if z == nil || min == nil || max == nil {
		return C.REDISMODULE_ERR
	}
	C.mh_key_zcur_free(key)
	rg, err := keyspace.ParseLexRange(cStringBytes(min), cStringBytes(max))
	if err != nil {
		return C.REDISMODULE_ERR
	}
	var ms []zmember
	z.RangeByLex(rg, false, 0, -1, func(m string, s float64) bool {
		ms = append(ms, zmember{m, s})
		return true
	})
	zsetCursor(key, zrangeLex, ms, first)
	return C.REDISMODULE_OK
}

// apiZsetFirstInScoreRange implements RedisModule_ZsetFirstInScoreRange:
// starts an iterator on the first member with min <= score <= max (minex
// and maxex make a bound exclusive). REDISMODULE_ERR when the key is not
// a sorted set; an empty range is not an error (EndReached is then true).
func apiZsetFirstInScoreRange(key *C.RedisModuleKey, min, max C.double, minex, maxex C.int) C.int {
	return scoreRange(key, min, max, minex, maxex, true)
}

// apiZsetLastInScoreRange implements RedisModule_ZsetLastInScoreRange:
// as ZsetFirstInScoreRange, starting from the last member of the range.
func apiZsetLastInScoreRange(key *C.RedisModuleKey, min, max C.double, minex, maxex C.int) C.int {
	return scoreRange(key, min, max, minex, maxex, false)
}

// apiZsetFirstInLexRange implements RedisModule_ZsetFirstInLexRange:
// starts an iterator on the first member in the ZRANGEBYLEX range min..max
// ("-", "+", "[x", "(x"). REDISMODULE_ERR when the key is not a sorted set
// or a bound is invalid.
func apiZsetFirstInLexRange(key *C.RedisModuleKey, min, max *C.RedisModuleString) C.int {
	return lexRange(key, min, max, true)
}

// apiZsetLastInLexRange implements RedisModule_ZsetLastInLexRange: as
// ZsetFirstInLexRange, starting from the last member of the range.
func apiZsetLastInLexRange(key *C.RedisModuleKey, min, max *C.RedisModuleString) C.int {
	return lexRange(key, min, max, false)
}
