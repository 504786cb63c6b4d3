package host

// "Modules Dictionary API": an ordered map from byte strings (memcmp order,
// shorter prefix first, as Redis's radix tree) to module pointers, on a
// google/btree. Values are C pointers owned by the module and are stored as
// uintptr. Iterators follow rax's rules: after a seek the first Next or
// Prev returns the element sought; once past either end the iterator stays
// at EOF until reseeked.

/*
#include <stdlib.h>
#include <string.h>
#include "ctx.h"
#include "api_dict.h"
void mh_dict_init(void);
*/
import "C"

import (
	"runtime/cgo"
	"strings"
	"unsafe"

	"github.com/google/btree"
)

func init() { C.mh_dict_init() }

// dictItem is one entry.
type dictItem struct {
	key string
	val uintptr
}

// goDict is the Go state of a RedisModuleDict.
type goDict struct{ t *btree.BTreeG[dictItem] }

// goDictIter is the Go state of a RedisModuleDictIter.
type goDictIter struct {
	d       *goDict
	cur     string // element the iterator is on
	seeked  bool   // the next Next/Prev returns cur itself
	eof     bool
	started bool // cur is valid
	bogus   bool // reseeked with an unknown op: one empty key, then EOF
}

func dictOf(d *C.RedisModuleDict) *goDict {
	return cgo.Handle(d.handle).Value().(*goDict)
}

func iterOf(di *C.RedisModuleDictIter) *goDictIter {
	return cgo.Handle(di.handle).Value().(*goDictIter)
}

// dictKey views C memory as a string (copied by the caller when kept).
func dictKey(p unsafe.Pointer, n C.size_t) string {
	if n == 0 || p == nil {
		return ""
	}
	return unsafe.String((*byte)(p), int(n))
}

// apiCreateDict implements RedisModule_CreateDict: a new empty
// dictionary, released by FreeDict or, when ctx has auto memory on, when
// the callback returns.
func apiCreateDict(ctx *C.RedisModuleCtx) *C.RedisModuleDict {
	d := (*C.RedisModuleDict)(C.calloc(1, C.sizeof_RedisModuleDict))
	d.handle = C.uintptr_t(cgo.NewHandle(&goDict{t: btree.NewG(32, func(a, b dictItem) bool { return a.key < b.key })}))
	if ctx != nil {
		C.mh_am_add(ctx, C.MH_AM_DICT, unsafe.Pointer(d))
	}
	return d
}

// apiFreeDict implements RedisModule_FreeDict: frees the dictionary
// (not the values it points to). ctx is the one given to CreateDict, or
// NULL.
func apiFreeDict(ctx *C.RedisModuleCtx, d *C.RedisModuleDict) {
	if d == nil {
		return
	}
	if ctx != nil {
		C.mh_am_forget(ctx, unsafe.Pointer(d))
	}
	cgo.Handle(d.handle).Delete()
	C.free(unsafe.Pointer(d))
}

// dictPut inserts or replaces key and reports whether the key was new.
func dictPut(d *C.RedisModuleDict, key unsafe.Pointer, keylen C.size_t, ptr unsafe.Pointer, replace bool) C.int {
	gd := dictOf(d)
	k := dictKey(key, keylen)
	if _, found := gd.t.Get(dictItem{key: k}); found {
		if replace {
			gd.t.ReplaceOrInsert(dictItem{key: strings.Clone(k), val: uintptr(ptr)})
		}
		return C.REDISMODULE_ERR
	}
	gd.t.ReplaceOrInsert(dictItem{key: strings.Clone(k), val: uintptr(ptr)})
	d.size = C.uint64_t(gd.t.Len())
	return C.REDISMODULE_OK
}

// apiDictSetC implements RedisModule_DictSetC: stores ptr under the
// keylen bytes at key if the key is absent. REDISMODULE_OK when stored,
// REDISMODULE_ERR when the key exists (nothing changes).
func apiDictSetC(d *C.RedisModuleDict, key unsafe.Pointer, keylen C.size_t, ptr unsafe.Pointer) C.int {
	return dictPut(d, key, keylen, ptr, false)
}

// apiDictReplaceC implements RedisModule_DictReplaceC: stores ptr under
// key, replacing any value. REDISMODULE_OK when the key was new,
// REDISMODULE_ERR when an existing value was replaced.
func apiDictReplaceC(d *C.RedisModuleDict, key unsafe.Pointer, keylen C.size_t, ptr unsafe.Pointer) C.int {
	return dictPut(d, key, keylen, ptr, true)
}

// apiDictGetC implements RedisModule_DictGetC: the value stored under
// key, or NULL; *nokey (optional) is set to 1 when the key is absent, else
// 0 (a stored NULL is told apart this way).
func apiDictGetC(d *C.RedisModuleDict, key unsafe.Pointer, keylen C.size_t, nokey *C.int) unsafe.Pointer {
	it, found := dictOf(d).t.Get(dictItem{key: dictKey(key, keylen)})
	if nokey != nil {
		*nokey = 1
		if found {
			*nokey = 0
		}
	}
	return *(*unsafe.Pointer)(unsafe.Pointer(&it.val)) // a C pointer kept as an integer
}

// apiDictDelC implements RedisModule_DictDelC: removes key, storing its
// value in *(void **)oldval when oldval is not NULL. REDISMODULE_OK when
// the key existed, else REDISMODULE_ERR.
func apiDictDelC(d *C.RedisModuleDict, key unsafe.Pointer, keylen C.size_t, oldval unsafe.Pointer) C.int {
	gd := dictOf(d)
	it, found := gd.t.Delete(dictItem{key: dictKey(key, keylen)})
	if !found {
		return C.REDISMODULE_ERR
	}
	if oldval != nil {
		*(*uintptr)(oldval) = it.val
	}
	d.size = C.uint64_t(gd.t.Len())
	return C.REDISMODULE_OK
}

// seek positions it per op ("^", "$", ">", ">=", "<", "<=", "==") and
// reports whether op was valid. An empty match leaves it at EOF.
func (it *goDictIter) seek(op, key string) bool {
	it.seeked, it.eof, it.started, it.bogus = true, true, false, false
	found := func(k string) bool {
		it.cur, it.eof, it.started = k, false, true
		return false
	}
	t := it.d.t
	switch op {
	case "^":
		if m, ok := t.Min(); ok {
			found(m.key)
		}
	case "$":
		if m, ok := t.Max(); ok {
			found(m.key)
		}
	case ">=", ">":
		t.AscendGreaterOrEqual(dictItem{key: key}, func(x dictItem) bool {
			if op == ">" && x.key == key {
				return true
			}
			return found(x.key)
		})
	case "<=", "<":
		t.DescendLessOrEqual(dictItem{key: key}, func(x dictItem) bool {
			if op == "<" && x.key == key {
				return true
			}
			return found(x.key)
		})
	case "==":
		if x, ok := t.Get(dictItem{key: key}); ok {
			found(x.key)
		}
	default:
		return false
	}
	return true
}

// step moves it forward (or backward) and returns the element reached.
func (it *goDictIter) step(back bool) (dictItem, bool) {
	if it.eof || !it.started {
		return dictItem{}, false
	}
	if it.bogus {
		it.bogus, it.eof = false, true
		return dictItem{}, true
	}
	if it.seeked {
		it.seeked = false
		if x, ok := it.d.t.Get(dictItem{key: it.cur}); ok {
			return x, true
		}
	}
	var got dictItem
	ok := false
	visit := func(x dictItem) bool {
		if x.key == it.cur {
			return true
		}
		got, ok = x, true
		return false
	}
	if back {
		it.d.t.DescendLessOrEqual(dictItem{key: it.cur}, visit)
	} else {
		it.d.t.AscendGreaterOrEqual(dictItem{key: it.cur}, visit)
	}
	if !ok {
		it.eof = true
		return dictItem{}, false
	}
	it.cur = got.key
	return got, true
}

// apiDictIteratorStartC implements RedisModule_DictIteratorStartC: an
// iterator positioned by op on key: "^" first, "$" last, ">" ">=" "<" "<="
// "==" relative to key. With no matching element (or an unknown op) the
// iterator is at EOF. Free it with DictIteratorStop.
func apiDictIteratorStartC(d *C.RedisModuleDict, op *C.char, key unsafe.Pointer, keylen C.size_t) *C.RedisModuleDictIter {
	it := &goDictIter{d: dictOf(d)}
	it.seek(C.GoString(op), dictKey(key, keylen))
	di := (*C.RedisModuleDictIter)(C.calloc(1, C.sizeof_RedisModuleDictIter))
	di.handle = C.uintptr_t(cgo.NewHandle(it))
	return di
}

// apiDictIteratorReseekC implements RedisModule_DictIteratorReseekC:
// positions the iterator again, as DictIteratorStartC. Like Redis it
// returns 1 when op is valid and 0 when it is not (after which the next
// step yields one empty key, as rax does).
func apiDictIteratorReseekC(di *C.RedisModuleDictIter, op *C.char, key unsafe.Pointer, keylen C.size_t) C.int {
	// Redis returns raxSeek's result unchanged: 1 (which reads as
	// REDISMODULE_ERR) for a valid op, 0 (REDISMODULE_OK) for an
	// unknown one. Modules are compiled against that, so it is kept.
	it := iterOf(di)
	if it.seek(C.GoString(op), dictKey(key, keylen)) {
		return 1
	}
	it.bogus, it.eof, it.started, it.cur = true, false, true, ""
	return 0
}

// apiDictIteratorStop implements RedisModule_DictIteratorStop: frees
// the iterator.
func apiDictIteratorStop(di *C.RedisModuleDictIter) {
	if di == nil {
		return
	}
	cgo.Handle(di.handle).Delete()
	C.free(unsafe.Pointer(di.keybuf))
	C.free(unsafe.Pointer(di))
}

// dictStep is DictNextC and DictPrevC: the key is copied into the
// iterator's C buffer, valid until the next call on the iterator.
func dictStep(di *C.RedisModuleDictIter, keylen *C.size_t, dataptr *unsafe.Pointer, back bool) unsafe.Pointer {
	x, ok := iterOf(di).step(back)
	if !ok {
		return nil
	}
	n := len(x.key)
	if C.size_t(n+1) > di.keycap {
		C.free(unsafe.Pointer(di.keybuf))
		di.keycap = C.size_t(n + 1 + n/2)
		di.keybuf = (*C.char)(C.malloc(di.keycap))
	}
	buf := unsafe.Slice((*byte)(unsafe.Pointer(di.keybuf)), n+1)
	copy(buf, x.key)
	buf[n] = 0
	if keylen != nil {
		*keylen = C.size_t(n)
	}
	if dataptr != nil {
		*(*uintptr)(unsafe.Pointer(dataptr)) = x.val
	}
	return unsafe.Pointer(di.keybuf)
}

// apiDictNextC implements RedisModule_DictNextC: the next key (its
// length in *keylen, its value in *dataptr; both optional), or NULL at the
// end. The key pointer is valid until the next iterator call.
func apiDictNextC(di *C.RedisModuleDictIter, keylen *C.size_t, dataptr *unsafe.Pointer) unsafe.Pointer {
	return dictStep(di, keylen, dataptr, false)
}

// apiDictPrevC implements RedisModule_DictPrevC: as DictNextC, moving
// towards smaller keys.
func apiDictPrevC(di *C.RedisModuleDictIter, keylen *C.size_t, dataptr *unsafe.Pointer) unsafe.Pointer {
	return dictStep(di, keylen, dataptr, true)
}

// apiDictCompareC implements RedisModule_DictCompareC: compares the
// element the iterator is on with key using op (">", ">=", "<", "<=",
// "=="). REDISMODULE_OK when the comparison holds, REDISMODULE_ERR when it
// does not, the op is unknown, or the iterator is at EOF.
func apiDictCompareC(di *C.RedisModuleDictIter, op *C.char, key unsafe.Pointer, keylen C.size_t) C.int {
	it := iterOf(di)
	if it.eof || !it.started {
		return C.REDISMODULE_ERR
	}
	k := dictKey(key, keylen)
	var res bool
	switch C.GoString(op) {
	case ">":
		res = it.cur > k
	case ">=":
		res = it.cur >= k
	case "<":
		res = it.cur < k
	case "<=":
		res = it.cur <= k
	case "==":
		res = it.cur == k
	}
	if res {
		return C.REDISMODULE_OK
	}
	return C.REDISMODULE_ERR
}
