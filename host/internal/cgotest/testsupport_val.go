package cgotest

// Go wrappers of the ts_val_ C callers in testsupport.c, for the values
// tests (strings, replies, heap). Not used outside tests.

/*
#include <stdint.h>
#include <stdlib.h>

int ts_val_to_ll(const char *p, size_t len, long long *out);
int ts_val_to_ull(const char *p, size_t len, unsigned long long *out);
int ts_val_to_double(const char *p, size_t len, double *out);
int ts_val_to_ld(const char *p, size_t len, double *out);
int ts_val_to_streamid(const char *p, size_t len, uint64_t *ms, uint64_t *seq);
size_t ts_val_from_double(double d, char *buf, size_t cap);
size_t ts_val_from_ld_text(const char *text, int human, char *buf, size_t cap);
size_t ts_val_from_ll(long long v, char *buf, size_t cap);
size_t ts_val_from_ull(unsigned long long v, char *buf, size_t cap);
size_t ts_val_from_streamid(uint64_t ms, uint64_t seq, char *buf, size_t cap);
size_t ts_val_printf(const char *word, int n, char *buf, size_t cap);
size_t ts_val_printf_long(size_t n, char *buf, size_t cap);
int ts_val_compare(const char *a, size_t alen, const char *b, size_t blen);
int ts_val_append(void);
int ts_val_automem(void);
char *ts_val_reply(int resp, const char *ops, size_t *outlen, int *pending, int *errs);
size_t ts_val_alloc_used(void);
int ts_val_heap_balance(void);
*/
import "C"

import "unsafe"

// cbytes passes b to C for the duration of a call (nil-safe).
func cbytes(b string) (*C.char, C.size_t, func()) {
	p := C.CString(b) // NUL-terminated copy; embedded NULs are kept
	return p, C.size_t(len(b)), func() { C.free(unsafe.Pointer(p)) }
}

// ValToLL runs StringToLongLong on s.
func ValToLL(s string) (int64, bool) {
	p, n, done := cbytes(s)
	defer done()
	var out C.longlong
	ok := C.ts_val_to_ll(p, n, &out) == 0
	return int64(out), ok
}

// ValToULL runs StringToULongLong on s.
func ValToULL(s string) (uint64, bool) {
	p, n, done := cbytes(s)
	defer done()
	var out C.ulonglong
	ok := C.ts_val_to_ull(p, n, &out) == 0
	return uint64(out), ok
}

// ValToDouble runs StringToDouble on s.
func ValToDouble(s string) (float64, bool) {
	p, n, done := cbytes(s)
	defer done()
	var out C.double
	ok := C.ts_val_to_double(p, n, &out) == 0
	return float64(out), ok
}

// ValToLongDouble runs StringToLongDouble on s (result rounded to double).
func ValToLongDouble(s string) (float64, bool) {
	p, n, done := cbytes(s)
	defer done()
	var out C.double
	ok := C.ts_val_to_ld(p, n, &out) == 0
	return float64(out), ok
}

// ValToStreamID runs StringToStreamID on s.
func ValToStreamID(s string) (uint64, uint64, bool) {
	p, n, done := cbytes(s)
	defer done()
	var ms, seq C.uint64_t
	ok := C.ts_val_to_streamid(p, n, &ms, &seq) == 0
	return uint64(ms), uint64(seq), ok
}

// takeBuf calls fill with a C buffer and returns what it wrote.
func takeBuf(fill func(buf *C.char, cap C.size_t) C.size_t) string {
	const size = 8192
	buf := (*C.char)(C.malloc(size))
	defer C.free(unsafe.Pointer(buf))
	n := fill(buf, size)
	if n >= size {
		n = size - 1
	}
	return C.GoStringN(buf, C.int(n))
}

// ValFromDouble runs CreateStringFromDouble.
func ValFromDouble(d float64) string {
	return takeBuf(func(b *C.char, c C.size_t) C.size_t { return C.ts_val_from_double(C.double(d), b, c) })
}

// ValFromLongDouble runs CreateStringFromLongDouble on strtold(text).
func ValFromLongDouble(text string, human bool) string {
	p, _, done := cbytes(text)
	defer done()
	h := C.int(0)
	if human {
		h = 1
	}
	return takeBuf(func(b *C.char, c C.size_t) C.size_t { return C.ts_val_from_ld_text(p, h, b, c) })
}

// ValFromLL runs CreateStringFromLongLong.
func ValFromLL(v int64) string {
	return takeBuf(func(b *C.char, c C.size_t) C.size_t { return C.ts_val_from_ll(C.longlong(v), b, c) })
}

// ValFromULL runs CreateStringFromULongLong.
func ValFromULL(v uint64) string {
	return takeBuf(func(b *C.char, c C.size_t) C.size_t { return C.ts_val_from_ull(C.ulonglong(v), b, c) })
}

// ValFromStreamID runs CreateStringFromStreamID.
func ValFromStreamID(ms, seq uint64) string {
	return takeBuf(func(b *C.char, c C.size_t) C.size_t {
		return C.ts_val_from_streamid(C.uint64_t(ms), C.uint64_t(seq), b, c)
	})
}

// ValPrintf runs CreateStringPrintf("%s:%d:%05.1f", word, n, 2.25).
func ValPrintf(word string, n int) string {
	p, _, done := cbytes(word)
	defer done()
	return takeBuf(func(b *C.char, c C.size_t) C.size_t { return C.ts_val_printf(p, C.int(n), b, c) })
}

// ValPrintfLong runs CreateStringPrintf("%0*d", n, 7) and returns its length.
func ValPrintfLong(n int) (int, string) {
	var l C.size_t
	s := takeBuf(func(b *C.char, c C.size_t) C.size_t { l = C.ts_val_printf_long(C.size_t(n), b, c); return l })
	return int(l), s
}

// ValCompare runs StringCompare(a, b).
func ValCompare(a, b string) int {
	pa, na, da := cbytes(a)
	defer da()
	pb, nb, db := cbytes(b)
	defer db()
	return int(C.ts_val_compare(pa, na, pb, nb))
}

// ValAppendChecks runs the append/retain/trim checks (bitmask).
func ValAppendChecks() int { return int(C.ts_val_append()) }

// ValAutoMemChecks runs the auto memory checks (bitmask).
func ValAutoMemChecks() int { return int(C.ts_val_automem()) }

// ValHeapBalanced runs the allocation counter check.
func ValHeapBalanced() bool { return C.ts_val_heap_balance() == 1 }

// ValAllocUsed returns mh_alloc_used().
func ValAllocUsed() uint64 { return uint64(C.ts_val_alloc_used()) }

// ValReply runs reply ops in a context speaking resp and returns the RESP
// bytes, the number of unset postponed lengths and of non-OK results.
func ValReply(resp int, ops string) (string, int, int) {
	p, _, done := cbytes(ops)
	defer done()
	var n C.size_t
	var pending, errs C.int
	out := C.ts_val_reply(C.int(resp), p, &n, &pending, &errs)
	defer C.free(unsafe.Pointer(out))
	return C.GoStringN(out, C.int(n)), int(pending), int(errs)
}
