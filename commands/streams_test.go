package commands

import (
	"math"
	"testing"

	"github.com/modhost/modhost/keyspace"
	"github.com/stretchr/testify/require"
)

func TestParseStreamID(t *testing.T) {
	top := uint64(math.MaxUint64)
	tests := []struct {
		in         string
		missing    uint64
		strict     bool
		autoSeqOK  bool
		want       keyspace.StreamID
		wantAuto   bool
		wantParsed bool
	}{
		{"1-2", 0, true, false, keyspace.StreamID{Ms: 1, Seq: 2}, false, true},
		{"5", 0, true, false, keyspace.StreamID{Ms: 5}, false, true},
		{"5", top, false, false, keyspace.StreamID{Ms: 5, Seq: top}, false, true},
		{"-", 0, false, false, keyspace.MinStreamID, false, true},
		{"+", 0, false, false, keyspace.MaxStreamID, false, true},
		{"-", 0, true, false, keyspace.StreamID{}, false, false},
		{"+", 0, true, false, keyspace.StreamID{}, false, false},
		{"7-*", 0, true, true, keyspace.StreamID{Ms: 7}, true, true},
		{"7-*", 0, true, false, keyspace.StreamID{}, false, false},
		{"x", 0, true, false, keyspace.StreamID{}, false, false},
		{"1-x", 0, true, false, keyspace.StreamID{}, false, false},
		{"18446744073709551616", 0, true, false, keyspace.StreamID{}, false, false},
		{"", 0, true, false, keyspace.StreamID{}, false, false},
		{string(make([]byte, 200)), 0, false, false, keyspace.StreamID{}, false, false},
	}
	for _, tc := range tests {
		t.Run(tc.in, func(t *testing.T) {
			id, auto, ok := parseStreamID([]byte(tc.in), tc.missing, tc.strict, tc.autoSeqOK)
			require.Equal(t, tc.wantParsed, ok)
			if ok {
				require.Equal(t, tc.want, id)
				require.Equal(t, tc.wantAuto, auto)
			}
		})
	}
}

// newTestStream returns a stream with entries 1-0 .. n-0.
func newTestStream(t *testing.T, n int) *keyspace.Stream {
	t.Helper()
	s := keyspace.NewStream()
	for i := 1; i <= n; i++ {
		_, err := s.Add(keyspace.XAddID{ID: keyspace.StreamID{Ms: uint64(i)}}, 0, [][]byte{[]byte("f"), []byte("v")})
		require.NoError(t, err)
	}
	return s
}

func TestTrimStream(t *testing.T) {
	tests := []struct {
		name        string
		entries     int
		args        trimArgs
		wantDeleted int64
		wantFirst   uint64
	}{
		{"exact maxlen", 10, trimArgs{strategy: trimMaxLen, maxLen: 3}, 7, 8},
		{"exact maxlen above length", 10, trimArgs{strategy: trimMaxLen, maxLen: 30}, 0, 1},
		{"exact minid", 10, trimArgs{strategy: trimMinID, minID: keyspace.StreamID{Ms: 4}}, 3, 4},
		{"approx within one node", 50, trimArgs{strategy: trimMaxLen, maxLen: 1, approx: true, limit: 10000}, 0, 1},
		{"approx whole nodes", 250, trimArgs{strategy: trimMaxLen, maxLen: 120, approx: true, limit: 10000}, 100, 101},
		{"approx limit stops", 250, trimArgs{strategy: trimMaxLen, maxLen: 0, approx: true, limit: 150}, 100, 101},
		{"approx no limit", 250, trimArgs{strategy: trimMaxLen, maxLen: 0, approx: true}, 250, 0},
		{"approx minid", 250, trimArgs{strategy: trimMinID, minID: keyspace.StreamID{Ms: 201}, approx: true, limit: 10000}, 200, 201},
		{"approx minid inside node", 250, trimArgs{strategy: trimMinID, minID: keyspace.StreamID{Ms: 200}, approx: true, limit: 10000}, 100, 101},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := newTestStream(t, tc.entries)
			require.Equal(t, tc.wantDeleted, trimStream(s, &tc.args))
			require.Equal(t, tc.entries-int(tc.wantDeleted), s.Len())
			first, _ := s.First()
			require.Equal(t, tc.wantFirst, first.ID.Ms)
		})
	}
}

// The expected node counts were read from Redis 7.0's XINFO STREAM for the
// same entries (radix-tree-keys / radix-tree-nodes).
func TestRaxNodeCount(t *testing.T) {
	tests := []struct {
		name      string
		ids       func(i int) keyspace.StreamID
		entries   int
		wantKeys  int
		wantNodes int
	}{
		{"empty", nil, 0, 0, 1},
		{"one node", func(i int) keyspace.StreamID { return keyspace.StreamID{Ms: uint64(i)} }, 50, 1, 2},
		{"three nodes", func(i int) keyspace.StreamID { return keyspace.StreamID{Ms: uint64(i)} }, 250, 3, 8},
		{"eleven nodes", func(i int) keyspace.StreamID { return keyspace.StreamID{Ms: uint64(i * 1000), Seq: uint64(i)} }, 1050, 11, 24},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := keyspace.NewStream()
			for i := 1; i <= tc.entries; i++ {
				_, err := s.Add(keyspace.XAddID{ID: tc.ids(i)}, 0, [][]byte{[]byte("f"), []byte("v")})
				require.NoError(t, err)
			}
			keys := streamNodeIDs(s)
			require.Len(t, keys, tc.wantKeys)
			require.Equal(t, tc.wantNodes, raxNodeCount(keys))
		})
	}
}

func TestXReadKeys(t *testing.T) {
	args := func(s ...string) [][]byte {
		out := make([][]byte, len(s))
		for i, a := range s {
			out[i] = []byte(a)
		}
		return out
	}
	require.Equal(t, []int{2, 3}, xreadKeys(args("xread", "streams", "a", "b", "0", "0")))
	require.Equal(t, []int{4}, xreadKeys(args("xread", "count", "1", "STREAMS", "a", "0")))
	require.Nil(t, xreadKeys(args("xread", "count", "1")))
}
