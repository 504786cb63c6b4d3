package keyspace

import (
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

func setMembers(s *Set) []string {
	var out []string
	s.Each(func(m string) bool { out = append(out, m); return true })
	return out
}

func TestSetEncodings(t *testing.T) {
	tests := []struct {
		name    string
		members []string
		want    string
		order   []string // nil: don't check
	}{
		{"intset sorted", []string{"3", "-1", "2"}, "intset", []string{"-1", "2", "3"}},
		{"listpack insertion order", []string{"b", "a", "c"}, "listpack", []string{"b", "a", "c"}},
		{"intset to listpack", []string{"3", "1", "x"}, "listpack", []string{"1", "3", "x"}},
		{"non canonical int", []string{"01"}, "listpack", nil},
		{"long member", []string{strings.Repeat("m", 65)}, "hashtable", nil},
		{"intset then long", []string{"1", strings.Repeat("m", 65)}, "hashtable", nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := NewSet(nil, b(tc.members[0]))
			for _, m := range tc.members {
				require.True(t, s.Add(b(m)))
				require.False(t, s.Add(b(m)))
			}
			require.Equal(t, tc.want, s.Encoding())
			require.Equal(t, len(tc.members), s.Len())
			for _, m := range tc.members {
				require.True(t, s.Has(b(m)))
			}
			if tc.order != nil {
				require.Equal(t, tc.order, setMembers(s))
			}
		})
	}
}

func TestSetThresholds(t *testing.T) {
	tests := []struct {
		name string
		n    int
		str  bool
		want string
	}{
		{"512 ints", 512, false, "intset"},
		{"513 ints", 513, false, "hashtable"},
		{"128 strings", 128, true, "listpack"},
		{"129 strings", 129, true, "hashtable"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			mk := func(i int) []byte {
				if tc.str {
					return b(fmt.Sprintf("m%d", i))
				}
				return b(fmt.Sprint(i))
			}
			s := NewSet(nil, mk(0))
			for i := 0; i < tc.n; i++ {
				s.Add(mk(i))
			}
			require.Equal(t, tc.want, s.Encoding())
			require.Equal(t, tc.n, s.Len())
		})
	}
	// 200 ints then a string: too many for listpack.
	s := NewSet(nil, b("1"))
	for i := 0; i < 200; i++ {
		s.Add(b(fmt.Sprint(i)))
	}
	s.Add(b("x"))
	require.Equal(t, "hashtable", s.Encoding())
	require.Equal(t, 201, s.Len())
}

func TestSetRemoveScanRandom(t *testing.T) {
	for _, first := range []string{"1", "a"} {
		s := NewSet(nil, b(first))
		s.Add(b(first))
		s.Add(b("2"))
		require.False(t, s.Remove(b("zz")))
		require.True(t, s.Remove(b("2")))
		m, ok := s.Random()
		require.True(t, ok)
		require.Equal(t, first, m)
		require.True(t, s.Remove(b(first)))
		_, ok = s.Random()
		require.False(t, ok)
	}
	big := NewSet(nil, b("x"))
	for i := 0; i < 1000; i++ {
		big.Add(b(fmt.Sprintf("x%d", i)))
	}
	seen := map[string]bool{}
	cur := uint64(0)
	for {
		cur = big.Scan(cur, 7, func(m string) { seen[m] = true })
		if cur == 0 {
			break
		}
	}
	require.Len(t, seen, 1000)
	c := big.Clone().(*Set)
	require.True(t, c.Remove(b("x1")))
	require.True(t, big.Has(b("x1")))
	small := NewSet(nil, b("5"))
	small.Add(b("5"))
	var got []string
	require.Zero(t, small.Scan(0, 1, func(m string) { got = append(got, m) }))
	require.Equal(t, []string{"5"}, got)
}
