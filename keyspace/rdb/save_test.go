package rdb

import (
	"bytes"
	"io"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/modhost/modhost/keyspace"
)

// TestSaveMatchesSnapshotEncode checks that walking the live keyspace
// writes the same bytes as encoding a snapshot of it, and that the file
// loads back to the same dataset.
func TestSaveMatchesSnapshotEncode(t *testing.T) {
	fixtureKS, _ := loadBytes(t, fixture(t, "redis70_all.rdb"))
	now := time.Unix(1700000000, 0)
	cases := []struct {
		name string
		ks   *keyspace.Keyspace
		opt  Options
	}{
		{"fixture compressed", fixtureKS, Options{Compress: true, Checksum: true, Now: now}},
		{"fixture plain v10", fixtureKS, Options{Version: 10, Checksum: true, Now: now}},
		{"mixed", mixedKeyspace(3000), Options{Compress: true, Checksum: true, Now: now}},
		{"mixed small nodes", mixedKeyspace(600), Options{Compress: true, Checksum: true, Now: now, ListFill: 1}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			snap, err := TakeSnapshot(tc.ks, false, tc.opt)
			require.NoError(t, err)
			var want, got bytes.Buffer
			require.NoError(t, Encode(&want, snap, tc.opt))
			require.NoError(t, Save(&got, tc.ks, tc.opt))
			require.Equal(t, want.Bytes(), got.Bytes())
			ks2, _ := loadBytes(t, got.Bytes())
			require.Equal(t, DatasetDigest(tc.ks), DatasetDigest(ks2))
		})
	}
}

// TestSaveLongListNodes checks a list cut into several quicklist nodes
// and large LZF-compressed values written from reused scratch buffers.
func TestSaveLongListNodes(t *testing.T) {
	ks := keyspace.New(16, nil)
	l := ks.NewList()
	for i := 0; i < 5000; i++ {
		l.PushBack([]byte(strings.Repeat("e", i%50) + strconv.Itoa(i)))
	}
	ks.Add(0, []byte("list"), l)
	ks.Add(0, []byte("big"), keyspace.NewString([]byte(strings.Repeat("abcdefgh", 100000))))
	ks.Add(1, []byte("small"), keyspace.NewString([]byte("v")))
	var buf bytes.Buffer
	require.NoError(t, Save(&buf, ks, Options{Compress: true, Checksum: true}))
	ks2, st := loadBytes(t, buf.Bytes())
	require.Equal(t, int64(3), st.Loaded)
	require.Equal(t, DatasetDigest(ks), DatasetDigest(ks2))
}

// TestLZFSharedTable compresses inputs one after another with one table
// that is never cleared: stale slots must not corrupt the output.
func TestLZFSharedTable(t *testing.T) {
	tab := new([1 << lzfHBits]int32)
	inputs := [][]byte{
		bytes.Repeat([]byte("abcdefgh"), 400),
		[]byte("abcdefghabcdefgh-a-shorter-input-abcdefgh"),
		bytes.Repeat([]byte("xyz"), 30),
		[]byte(strings.Repeat("hello world ", 9)),
	}
	for round := 0; round < 2; round++ {
		for _, in := range inputs {
			c := lzfCompressTo(make([]byte, 0, len(in)), tab, in, len(in)-4)
			require.NotNil(t, c)
			out, err := lzfDecompress(c, len(in))
			require.NoError(t, err)
			require.Equal(t, in, out)
		}
	}
	require.Nil(t, lzfCompressTo(make([]byte, 0, 4), tab, inputs[0], 100), "capacity below maxOut")
}

// TestSaveAllocations checks that a save allocates per file, not per key.
func TestSaveAllocations(t *testing.T) {
	ks := keyspace.New(16, nil)
	for i := 0; i < 2000; i++ {
		k := []byte("k:" + strconv.Itoa(i))
		switch i % 4 {
		case 0:
			ks.Add(0, k, keyspace.NewString([]byte("value-value-value-value-"+strconv.Itoa(i))))
		case 1:
			h := ks.NewHash()
			h.Set([]byte("a"), []byte(strconv.Itoa(i)))
			h.Set([]byte("b"), []byte("text text text text text"))
			ks.Add(0, k, h)
		case 2:
			l := ks.NewList()
			l.PushBack([]byte("x"))
			l.PushBack([]byte(strconv.Itoa(i)))
			ks.Add(0, k, l)
		default:
			z := ks.NewZSet()
			z.Add([]byte("a"), 1)
			z.Add([]byte(strconv.Itoa(i)), 2.5)
			ks.Add(0, k, z)
		}
	}
	allocs := testing.AllocsPerRun(3, func() {
		require.NoError(t, Save(io.Discard, ks, Options{Compress: true, Checksum: true}))
	})
	require.Less(t, allocs, 40.0)
}

// TestReplAuxFields: Options.Repl writes repl-stream-db, repl-id and
// repl-offset, which Load returns; a file without them (or with a stream
// db of -1, as old Redis versions wrote) has no Repl.
func TestReplAuxFields(t *testing.T) {
	ks := keyspace.New(16, nil)
	ks.Add(0, []byte("k"), keyspace.NewString([]byte("v")))
	ri := &ReplInfo{StreamDB: 3, ID: strings.Repeat("ab", 20), Offset: 12345}
	for _, tc := range []struct {
		name string
		in   *ReplInfo
		want *ReplInfo
	}{
		{"set", ri, ri},
		{"none", nil, nil},
		{"stream db -1", &ReplInfo{StreamDB: -1, ID: ri.ID, Offset: 1}, nil},
		{"short id", &ReplInfo{StreamDB: 0, ID: "abc", Offset: 1}, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var buf bytes.Buffer
			require.NoError(t, Save(&buf, ks, Options{Checksum: true, Repl: tc.in}))
			require.Equal(t, tc.in != nil, bytes.Contains(buf.Bytes(), []byte("repl-offset")))
			_, st := loadBytes(t, buf.Bytes())
			require.Equal(t, tc.want, st.Repl)
		})
	}
}
