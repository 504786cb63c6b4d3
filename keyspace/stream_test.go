package keyspace

import (
	"math"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestParseStreamID(t *testing.T) {
	tests := []struct {
		in      string
		missing uint64
		want    StreamID
		autoSeq bool
		ok      bool
	}{
		{"1-2", 0, StreamID{1, 2}, false, true},
		{"5", 0, StreamID{5, 0}, false, true},
		{"5", math.MaxUint64, StreamID{5, math.MaxUint64}, false, true},
		{"5-*", 0, StreamID{5, 0}, true, true},
		{"-", 0, MinStreamID, false, true},
		{"+", 0, MaxStreamID, false, true},
		{"007-01", 0, StreamID{7, 1}, false, true},
		{"18446744073709551615-18446744073709551615", 0, MaxStreamID, false, true},
		{"18446744073709551616", 0, StreamID{}, false, false},
		{"a-1", 0, StreamID{}, false, false},
		{"1-", 0, StreamID{}, false, false},
		{"", 0, StreamID{}, false, false},
		{"1-2-3", 0, StreamID{}, false, false},
	}
	for _, tc := range tests {
		t.Run(tc.in, func(t *testing.T) {
			id, auto, ok := ParseStreamID(b(tc.in), tc.missing)
			require.Equal(t, tc.ok, ok)
			if ok {
				require.Equal(t, tc.want, id)
				require.Equal(t, tc.autoSeq, auto)
			}
		})
	}
	require.Equal(t, "3-4", StreamID{3, 4}.String())
}

func TestStreamAddRules(t *testing.T) {
	f := [][]byte{b("f"), b("v")}
	tests := []struct {
		name    string
		last    StreamID
		want    XAddID
		now     int64
		id      StreamID
		wantErr error
	}{
		{"auto new ms", StreamID{5, 3}, XAddID{Auto: true}, 10, StreamID{10, 0}, nil},
		{"auto same ms", StreamID{10, 3}, XAddID{Auto: true}, 10, StreamID{10, 4}, nil},
		{"auto clock behind", StreamID{20, 3}, XAddID{Auto: true}, 10, StreamID{20, 4}, nil},
		{"auto seq overflow", StreamID{20, math.MaxUint64}, XAddID{Auto: true}, 10, StreamID{21, 0}, nil},
		{"exhausted", MaxStreamID, XAddID{Auto: true}, 10, StreamID{}, ErrStreamExhausted},
		{"explicit", StreamID{1, 1}, XAddID{ID: StreamID{1, 2}}, 0, StreamID{1, 2}, nil},
		{"explicit equal", StreamID{1, 1}, XAddID{ID: StreamID{1, 1}}, 0, StreamID{}, ErrStreamIDTooSmall},
		{"explicit zero", StreamID{}, XAddID{ID: StreamID{}}, 0, StreamID{}, ErrStreamIDZero},
		{"partial same ms", StreamID{7, 2}, XAddID{AutoSeq: true, ID: StreamID{Ms: 7}}, 0, StreamID{7, 3}, nil},
		{"partial new ms", StreamID{7, 2}, XAddID{AutoSeq: true, ID: StreamID{Ms: 9}}, 0, StreamID{9, 0}, nil},
		{"partial old ms", StreamID{7, 2}, XAddID{AutoSeq: true, ID: StreamID{Ms: 6}}, 0, StreamID{}, ErrStreamIDTooSmall},
		{"partial zero empty", StreamID{}, XAddID{AutoSeq: true}, 0, StreamID{0, 1}, nil},
		{"partial seq max", StreamID{7, math.MaxUint64}, XAddID{AutoSeq: true, ID: StreamID{Ms: 7}}, 0, StreamID{}, ErrStreamIDTooSmall},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := NewStream()
			s.SetLastID(tc.last)
			id, err := s.Add(tc.want, tc.now, f)
			if tc.wantErr != nil {
				require.ErrorIs(t, err, tc.wantErr)
				require.Equal(t, 0, s.Len())
				return
			}
			require.NoError(t, err)
			require.Equal(t, tc.id, id)
			require.Equal(t, id, s.LastID())
			require.Equal(t, uint64(1), s.EntriesAdded())
		})
	}
}

func TestStreamRangeDeleteTrim(t *testing.T) {
	s := NewStream()
	field := b("f")
	for i := uint64(1); i <= 10; i++ {
		_, err := s.Add(XAddID{ID: StreamID{i, 0}}, 0, [][]byte{field, b("v")})
		require.NoError(t, err)
	}
	field[0] = 'X'
	e, ok := s.Get(StreamID{3, 0})
	require.True(t, ok)
	require.Equal(t, "f", string(e.Fields[0]), "fields are copied")

	ids := func(start, end StreamID, rev bool, count int) []uint64 {
		var out []uint64
		s.Range(start, end, rev, count, func(e StreamEntry) bool { out = append(out, e.ID.Ms); return true })
		return out
	}
	require.Equal(t, []uint64{3, 4, 5}, ids(StreamID{3, 0}, StreamID{5, 0}, false, -1))
	require.Equal(t, []uint64{5, 4, 3}, ids(StreamID{3, 0}, StreamID{5, 0}, true, -1))
	require.Equal(t, []uint64{10, 9}, ids(MinStreamID, MaxStreamID, true, 2))
	require.Equal(t, []uint64{1}, ids(MinStreamID, MaxStreamID, false, 1))
	require.Empty(t, ids(StreamID{5, 0}, StreamID{3, 0}, false, -1))
	require.Empty(t, ids(MinStreamID, MaxStreamID, false, 0))

	require.True(t, s.Delete(StreamID{4, 0}))
	require.False(t, s.Delete(StreamID{4, 0}))
	require.True(t, s.Delete(StreamID{2, 0}))
	require.Equal(t, StreamID{4, 0}, s.MaxDeletedID())
	require.Equal(t, 8, s.Len())

	require.Equal(t, 2, s.TrimMinID(StreamID{5, 0}))
	first, _ := s.First()
	require.Equal(t, StreamID{5, 0}, first.ID)
	require.Equal(t, 3, s.TrimMaxLen(3))
	first, _ = s.First()
	last, _ := s.Last()
	require.Equal(t, StreamID{8, 0}, first.ID)
	require.Equal(t, StreamID{10, 0}, last.ID)
	require.Equal(t, StreamID{10, 0}, s.LastID())
	require.Equal(t, uint64(10), s.EntriesAdded())

	c := s.Clone().(*Stream)
	c.Delete(StreamID{8, 0})
	require.Equal(t, 3, s.Len())
	require.Equal(t, 2, c.Len())
	require.Equal(t, "stream", s.Encoding())
	require.Equal(t, KindStream, s.Kind())
}

func TestModuleValueAndTypeName(t *testing.T) {
	mv := &ModuleValue{Type: namedType("mytype-01")}
	require.Equal(t, "mytype-01", TypeName(mv))
	require.Equal(t, "raw", mv.Encoding())
	require.Equal(t, "module", TypeName(&ModuleValue{}))
	require.Equal(t, "zset", TypeName(NewZSet(nil)))
	require.Equal(t, "hash", TypeName(NewHash(nil)))
	require.Equal(t, "none", Kind(99).String())
}

type namedType string

func (n namedType) Name() string { return string(n) }
