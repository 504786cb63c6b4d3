package commands

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/modhost/modhost/keyspace"
)

func TestNumkeysKeys(t *testing.T) {
	args := func(s ...string) [][]byte {
		out := make([][]byte, len(s))
		for i, a := range s {
			out[i] = []byte(a)
		}
		return out
	}
	tests := []struct {
		name    string
		at      int
		withDst bool
		args    [][]byte
		want    []int
	}{
		{"zunion", 1, false, args("zunion", "2", "a", "b", "WITHSCORES"), []int{2, 3}},
		{"zunionstore", 2, true, args("zunionstore", "d", "2", "a", "b"), []int{1, 3, 4}},
		{"bzmpop", 2, false, args("bzmpop", "0", "1", "a", "MIN"), []int{3}},
		{"numkeys too big", 1, false, args("zinter", "5", "a"), []int{2}},
		{"numkeys bad", 1, false, args("zinter", "x", "a"), nil},
		{"numkeys zero", 1, false, args("zinter", "0", "a"), nil},
	}
	for _, tc := range tests {
		require.Equal(t, tc.want, numkeysKeys(tc.at, tc.withDst)(tc.args), tc.name)
	}
}

func TestSZSampleIsDistinct(t *testing.T) {
	set := keyspace.NewSet(nil, []byte("m"))
	for i := 0; i < 300; i++ {
		set.Add([]byte{'m', byte('a' + i%26), byte('a' + i/26)})
	}
	for _, count := range []int{1, 5, 99, 150, 299} {
		got := szSample(set.Len(), count, set.Each, set.Random)
		require.Len(t, got, count)
		seen := map[string]bool{}
		for _, m := range got {
			require.False(t, seen[m], "duplicate %q", m)
			require.True(t, set.Has([]byte(m)))
			seen[m] = true
		}
	}
}

func TestSetAlgebra(t *testing.T) {
	mk := func(ms ...string) *keyspace.Set {
		s := keyspace.NewSet(nil, []byte(ms[0]))
		for _, m := range ms {
			s.Add([]byte(m))
		}
		return s
	}
	a, b, c := mk("1", "2", "3", "4"), mk("3", "4", "5"), mk("4", "x")
	tests := []struct {
		name string
		got  []string
		want []string
	}{
		{"inter", setInter([]*keyspace.Set{a, b}, 0), []string{"3", "4"}},
		{"inter3", setInter([]*keyspace.Set{a, b, c}, 0), []string{"4"}},
		{"inter limit", setInter([]*keyspace.Set{a, b}, 1), []string{"3"}},
		{"inter self", setInter([]*keyspace.Set{a, a}, 0), []string{"1", "2", "3", "4"}},
		{"union", setUnionDiff([]*keyspace.Set{a, nil, b}, false), []string{"1", "2", "3", "4", "5"}},
		{"diff", setUnionDiff([]*keyspace.Set{a, b, nil}, true), []string{"1", "2"}},
		{"diff self", setUnionDiff([]*keyspace.Set{a, b, a}, true), nil},
		{"diff missing first", setUnionDiff([]*keyspace.Set{nil, a}, true), nil},
	}
	for _, tc := range tests {
		require.ElementsMatch(t, tc.want, tc.got, tc.name)
	}
}
