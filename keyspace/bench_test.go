package keyspace

import (
	"runtime"
	"strconv"
	"testing"
)

func BenchmarkSetKey(b *testing.B) {
	ks := New(1, nil)
	key := make([]byte, 0, 32)
	val := []byte("xxx")
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		key = strconv.AppendInt(append(key[:0], "key:"...), int64(i%1000000), 10)
		ks.SetKey(0, key, NewString(val), false)
		ks.Modified(0, key, NotifyString, "set")
	}
}

func BenchmarkLookupRead(b *testing.B) {
	ks := New(1, nil)
	keys := make([][]byte, 100000)
	for i := range keys {
		keys[i] = []byte("key:" + strconv.Itoa(i))
		ks.SetKey(0, keys[i], NewString([]byte("xxx")), false)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if ks.LookupRead(0, keys[i%len(keys)], 0) == nil {
			b.Fatal("missing")
		}
	}
}

func BenchmarkZSetAdd(b *testing.B) {
	z := NewZSet(nil)
	m := make([]byte, 0, 32)
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		m = strconv.AppendInt(append(m[:0], "m:"...), int64(i%100000), 10)
		z.Add(m, float64(i%1000))
	}
}

func BenchmarkListPush(b *testing.B) {
	l := NewList(nil)
	v := []byte("xxx")
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		l.PushFront(v)
		if l.Len() > 100000 {
			l.Trim(0, 999)
		}
	}
}

// BenchmarkPopulateHeap stores 1M keys the way DEBUG POPULATE does and
// reports the live heap per key (compare with Redis's ~91 bytes of RSS).
func BenchmarkPopulateHeap(b *testing.B) {
	for range b.N {
		var before, after runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&before)
		ks := New(1, nil)
		key := make([]byte, 0, 32)
		val := make([]byte, 0, 32)
		const n = 1000000
		for j := range n {
			key = strconv.AppendInt(append(key[:0], "key:"...), int64(j), 10)
			val = strconv.AppendInt(append(val[:0], "value:"...), int64(j), 10)
			ks.Add(0, key, NewString(val))
		}
		runtime.GC()
		runtime.ReadMemStats(&after)
		b.ReportMetric(float64(after.HeapAlloc-before.HeapAlloc)/n, "heap-bytes/key")
		runtime.KeepAlive(ks)
	}
}
