package rdb

import (
	"bytes"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/modhost/modhost/keyspace"
)

// TestCOWPointInTime writes to the keyspace in every way a command can
// (in place through LookupWrite, overwrite, delete, rename, move, expire,
// swap, flush, new keys) while a COW snapshot is being encoded, and checks
// that the file is byte for byte what encoding a deep clone taken at the
// snapshot's moment writes.
func TestCOWPointInTime(t *testing.T) {
	const n = 20000
	ks := mixedKeyspace(n)
	for i := 0; i < 200; i++ {
		ks.Add(1, []byte("d1:"+strconv.Itoa(i)), keyspace.NewString([]byte("one")))
	}
	opt := Options{Compress: true, Checksum: true, Now: time.Unix(1700000000, 0)}
	var mu sync.Mutex // the server lock
	mu.Lock()
	ref, err := TakeSnapshot(ks, true, opt)
	require.NoError(t, err)
	var want bytes.Buffer
	require.NoError(t, Encode(&want, ref, opt))
	wantDigest := DatasetDigest(ks)
	c, err := BeginCOW(ks, opt, mu.Lock, mu.Unlock)
	require.NoError(t, err)
	require.Equal(t, 1, ks.Snapshots())
	mu.Unlock()

	var got bytes.Buffer
	done := make(chan error)
	go func() { done <- c.Encode(&got) }()
	key := func(i int) []byte { return []byte("k:" + strconv.Itoa(i)) }
	writes := 0
	for round := 0; round < 3; round++ {
		for i := n - 1; i >= 0; i -= 7 {
			mu.Lock()
			switch (i + round) % 9 {
			case 0:
				if s, ok := ks.LookupWrite(0, key(i), 0).(*keyspace.String); ok {
					s.Append([]byte("-more"))
				}
			case 1:
				switch v := ks.LookupWrite(0, key(i), 0).(type) {
				case *keyspace.List:
					v.PushBack([]byte("pushed"))
				case *keyspace.Hash:
					v.Set([]byte("c"), []byte("new"))
				case *keyspace.Set:
					v.Add([]byte("added"))
				case *keyspace.ZSet:
					v.Add([]byte("added"), 9)
				}
			case 2:
				ks.SetKey(0, key(i), keyspace.NewString([]byte("replaced")), false)
			case 3:
				ks.Delete(0, key(i))
			case 4:
				if ks.Rename(0, key(i), []byte("renamed:"+strconv.Itoa(i))) {
					if l, ok := ks.LookupWrite(0, []byte("renamed:"+strconv.Itoa(i)), 0).(*keyspace.List); ok {
						l.PushFront([]byte("after-rename"))
					}
				}
			case 5:
				ks.SetExpire(0, key(i), time.Now().Add(time.Hour).UnixMilli())
			case 6:
				ks.Move(0, 2, key(i))
			case 7:
				ks.Add(0, []byte("new:"+strconv.Itoa(i)), keyspace.NewString([]byte("fresh")))
			default:
				if z, ok := ks.LookupWrite(0, key(i), 0).(*keyspace.ZSet); ok {
					z.Add([]byte("a"), 100)
				}
			}
			writes++
			mu.Unlock()
		}
		mu.Lock()
		if round == 1 {
			ks.SwapDB(1, 3)
			ks.FlushDB(3)
		}
		mu.Unlock()
	}
	require.NoError(t, <-done)
	mu.Lock()
	c.Release()
	require.Equal(t, 0, ks.Snapshots())
	mu.Unlock()
	require.Greater(t, writes, 1000)
	require.NotEqual(t, wantDigest, DatasetDigest(ks), "the writes changed the live dataset")
	require.Equal(t, want.Bytes(), got.Bytes())
	ks2, _ := loadBytes(t, got.Bytes())
	require.Equal(t, wantDigest, DatasetDigest(ks2))
}

// TestCOWMarksIgnoredAfterRelease checks that a write after Release is
// not handed to the finished snapshot and that LRU idle times are not
// disturbed by the mark bit.
func TestCOWMarksIgnoredAfterRelease(t *testing.T) {
	ks := mixedKeyspace(100)
	c, err := BeginCOW(ks, Options{}, func() {}, func() {})
	require.NoError(t, err)
	idle, ok := ks.IdleTime(0, []byte("k:0"))
	require.True(t, ok)
	require.Less(t, idle, int64(10000))
	c.Release()
	s := ks.LookupWrite(0, []byte("k:0"), 0).(*keyspace.String)
	s.Append([]byte("x"))
	require.Empty(t, c.kept)
	require.Equal(t, 100, c.Keys())
}
