package host

// "Key scanning": RedisModule_Scan walks the keyspace of the context's
// database and RedisModule_ScanKey the elements of a hash, set or sorted
// set, both with the guarantees of SCAN/HSCAN (every element present from
// the first call to the last is reported at least once; duplicates are
// possible). Each step first collects what it will report, then calls the
// module, so a callback may modify or delete the current element or key.
// This file exports to C, so its preamble only declares.

/*
#include <errno.h>
#include "ctx.h"
#include "api_key.h"
#include "api_scan.h"
#include "mh_string.h"
void mh_CloseKey(RedisModuleKey *key);
*/
import "C"

import (
	"strconv"
	"unsafe"

	"github.com/modhost/modhost/keyspace"
	"github.com/modhost/modhost/resp"
)

// scanStepCount is the COUNT hint of one Scan step: Redis's RM_Scan runs
// one dictScan step (one bucket and its rehash siblings) per call.
const scanStepCount = 1

// apiScan implements RedisModule_Scan: one step of a scan of the
// context's selected database. For every key found, fn gets the context,
// the key name (owned by the host: retain it to keep it) and the key
// opened for reading (closed when fn returns), and privdata. Returns 1
// while there is more to scan and 0 when the scan is complete (errno 0);
// a call on a finished cursor returns 0 with errno ENOENT. Expired keys
// are not reported.
func apiScan(ctx *C.RedisModuleCtx, cursor *C.RedisModuleScanCursor, fn C.RedisModuleScanCB, privdata unsafe.Pointer, mh_errno *C.int) (ret C.int) {
	srv := serverFor(ctx)
	if srv == nil || cursor == nil || fn == nil {
		*mh_errno = C.EINVAL
		return 0
	}
	if cursor.done != 0 {
		*mh_errno = C.ENOENT
		return 0
	}
	db := int(ctx.dbid)
	next, keys := srv.Keyspace().Scan(db, uint64(cursor.cursor), scanStepCount, nil, nil)
	names := make([][]byte, len(keys))
	for i, k := range keys {
		names[i] = []byte(k)
	}
	for _, name := range names {
		noteDirty(srv)
		v := srv.Keyspace().LookupRead(db, name, keyspace.LookupNoEffects)
		if v == nil { // deleted by an earlier callback of this step
			continue
		}
		kname := newCString(nil, name)
		k := C.mh_key_new(ctx, kname, ctx.dbid, C.REDISMODULE_READ)
		t, n := typeAndLen(v)
		C.mh_key_cache(k, C.int(t), C.size_t(n))
		C.mh_scan_call(fn, ctx, kname, k, privdata)
		C.mh_CloseKey(k)
		C.mh_string_release(kname)
	}
	cursor.cursor = C.uint64_t(next)
	*mh_errno = 0 // Redis clears errno after every step
	if next == 0 {
		cursor.done = 1
		return 0
	}
	return 1
}

// scanElem is one element ScanKey reports: the field (or member) and its
// value (nil for a set member).
type scanElem struct {
	field, value []byte
}

// apiScanKey implements RedisModule_ScanKey: one step of a scan of the
// elements of an open hash, set or sorted set key. fn gets the key, the
// field (hash field, set or zset member) and the value (hash value, the
// zset score as a string, NULL for a set), both owned by the host, and
// privdata. A small (listpack or intset) value is reported whole in one
// step, as in Redis. Returns 1 while there is more to scan, 0 when done;
// errno is EINVAL for a NULL or empty key or another type, ENOENT for a
// finished cursor.
func apiScanKey(key *C.RedisModuleKey, cursor *C.RedisModuleScanCursor, fn C.RedisModuleScanKeyCB, privdata unsafe.Pointer, mh_errno *C.int) (ret C.int) {
	r, ok := resolve(key)
	if !ok || cursor == nil || fn == nil {
		*mh_errno = C.EINVAL
		return 0
	}
	v := r.value()
	switch v.(type) {
	case *keyspace.Hash, *keyspace.Set, *keyspace.ZSet:
	default: // missing key or another type
		*mh_errno = C.EINVAL
		return 0
	}
	if cursor.done != 0 {
		*mh_errno = C.ENOENT
		return 0
	}
	next, elems := scanValue(v, uint64(cursor.cursor))
	for _, e := range elems {
		field := newCString(nil, e.field)
		var value *C.RedisModuleString
		if e.value != nil {
			value = newCString(nil, e.value)
		}
		C.mh_scankey_call(fn, key, field, value, privdata)
		C.mh_string_release(field)
		if value != nil {
			C.mh_string_release(value)
		}
	}
	*mh_errno = 0 // Redis clears errno after every step
	if next == 0 {
		cursor.cursor = 1 // Redis leaves a non-zero cursor on a finished scan
		cursor.done = 1
		return 0
	}
	cursor.cursor = C.uint64_t(next)
	return 1
}

// scanValue runs one scan step over a hash, set or zset and returns the
// next cursor and copies of the elements found.
func scanValue(v keyspace.Value, cursor uint64) (uint64, []scanElem) {
	var out []scanElem
	var next uint64
	switch x := v.(type) {
	case *keyspace.Hash:
		next = x.Scan(cursor, scanStepCount, func(f string, val []byte) {
			out = append(out, scanElem{[]byte(f), append([]byte{}, val...)})
		})
	case *keyspace.Set:
		next = x.Scan(cursor, scanStepCount, func(m string) {
			out = append(out, scanElem{field: []byte(m)})
		})
	case *keyspace.ZSet:
		small := x.Encoding() == "listpack"
		next = x.Scan(cursor, scanStepCount, func(m string, score float64) {
			out = append(out, scanElem{[]byte(m), []byte(scoreString(score, small))})
		})
	}
	return next, out
}

// scoreString renders a zset score as ScanKey reports it: the listpack's
// stored text for a small zset, long-double "%.17Lg" text for a skiplist
// (Redis's createStringObjectFromLongDouble).
func scoreString(score float64, small bool) string {
	if small {
		if score == float64(int64(score)) && score > -1e17 && score < 1e17 {
			return strconv.FormatInt(int64(score), 10)
		}
		return resp.FormatDouble(score)
	}
	return resp.FormatLongDouble(score, false)
}
