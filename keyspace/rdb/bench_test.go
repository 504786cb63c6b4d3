package rdb

import (
	"io"
	"strconv"
	"testing"

	"github.com/modhost/modhost/keyspace"
)

// mixedKeyspace holds n keys cycling strings, ints, hashes, lists, sets
// and sorted sets (the benchcmp -persist dataset).
func mixedKeyspace(n int) *keyspace.Keyspace {
	ks := keyspace.New(16, nil)
	for i := 0; i < n; i++ {
		k := []byte("k:" + strconv.Itoa(i))
		s := []byte(strconv.Itoa(i))
		switch i % 6 {
		case 0:
			ks.Add(0, k, keyspace.NewString([]byte("value-"+string(s))))
		case 1:
			ks.Add(0, k, keyspace.NewString(s))
		case 2:
			h := ks.NewHash()
			h.Set([]byte("a"), s)
			h.Set([]byte("b"), []byte("text"))
			ks.Add(0, k, h)
		case 3:
			l := ks.NewList()
			l.PushBack([]byte("x"))
			l.PushBack(s)
			ks.Add(0, k, l)
		case 4:
			st := ks.NewSet([]byte("1"))
			st.Add([]byte("1"))
			st.Add(s)
			ks.Add(0, k, st)
		default:
			z := ks.NewZSet()
			z.Add([]byte("a"), 1)
			z.Add(s, 2.5)
			ks.Add(0, k, z)
		}
	}
	return ks
}

func BenchmarkSave100k(b *testing.B) {
	ks := mixedKeyspace(100000)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if err := Save(io.Discard, ks, Options{Compress: true, Checksum: true}); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkEncodeSnapshot100k(b *testing.B) {
	ks := mixedKeyspace(100000)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		snap, err := TakeSnapshot(ks, false, Options{})
		if err != nil {
			b.Fatal(err)
		}
		if err := Encode(io.Discard, snap, Options{Compress: true, Checksum: true}); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkSnapshotClone100k(b *testing.B) {
	ks := mixedKeyspace(100000)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := TakeSnapshot(ks, true, Options{}); err != nil {
			b.Fatal(err)
		}
	}
}
