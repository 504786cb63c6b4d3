package keyspace

import (
	"fmt"
	"math"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

func zsetOf(pairs ...any) *ZSet {
	z := NewZSet(nil)
	for i := 0; i < len(pairs); i += 2 {
		z.Add(b(pairs[i].(string)), float64(pairs[i+1].(int)))
	}
	return z
}

func collect(fn func(func(string, float64) bool)) []string {
	var out []string
	fn(func(m string, _ float64) bool { out = append(out, m); return true })
	return out
}

func TestZSetBasics(t *testing.T) {
	z := zsetOf("a", 1, "b", 2, "c", 3, "d", 3)
	require.Equal(t, 4, z.Len())
	require.False(t, z.Add(b("a"), 5))
	s, ok := z.Score(b("a"))
	require.True(t, ok)
	require.Equal(t, 5.0, s)
	require.Equal(t, []string{"b", "c", "d", "a"}, collect(z.Each))

	r, ok := z.Rank(b("c"), false)
	require.True(t, ok)
	require.Equal(t, 1, r)
	r, _ = z.Rank(b("c"), true)
	require.Equal(t, 2, r)
	_, ok = z.Rank(b("zz"), false)
	require.False(t, ok)

	require.Equal(t, []string{"c", "d"}, collect(func(f func(string, float64) bool) { z.RangeByRank(1, 2, false, f) }))
	require.Equal(t, []string{"a", "d"}, collect(func(f func(string, float64) bool) { z.RangeByRank(0, 1, true, f) }))
	require.Equal(t, []string{"a"}, collect(func(f func(string, float64) bool) { z.RangeByRank(-1, -1, false, f) }))
	require.Empty(t, collect(func(f func(string, float64) bool) { z.RangeByRank(5, 10, false, f) }))

	require.True(t, z.Remove(b("b")))
	require.False(t, z.Remove(b("b")))
	require.Equal(t, []ScoredMember{{"c", 3}}, z.PopMin(1))
	require.Equal(t, []ScoredMember{{"a", 5}, {"d", 3}}, z.PopMax(5))
	require.Equal(t, 0, z.Len())
}

func TestZSetRangeByScore(t *testing.T) {
	z := zsetOf("a", 1, "b", 2, "c", 2, "d", 3, "e", 4)
	ninf, pinf := math.Inf(-1), math.Inf(1)
	tests := []struct {
		name          string
		r             ScoreRange
		rev           bool
		offset, count int
		want          []string
	}{
		{"all", ScoreRange{Min: ninf, Max: pinf}, false, 0, -1, []string{"a", "b", "c", "d", "e"}},
		{"all rev", ScoreRange{Min: ninf, Max: pinf}, true, 0, -1, []string{"e", "d", "c", "b", "a"}},
		{"closed", ScoreRange{Min: 2, Max: 3}, false, 0, -1, []string{"b", "c", "d"}},
		{"closed rev", ScoreRange{Min: 2, Max: 3}, true, 0, -1, []string{"d", "c", "b"}},
		{"min excl", ScoreRange{Min: 2, Max: 3, MinEx: true}, false, 0, -1, []string{"d"}},
		{"max excl", ScoreRange{Min: 2, Max: 3, MaxEx: true}, false, 0, -1, []string{"b", "c"}},
		{"max excl rev", ScoreRange{Min: 2, Max: 3, MaxEx: true}, true, 0, -1, []string{"c", "b"}},
		{"limit", ScoreRange{Min: ninf, Max: pinf}, false, 1, 2, []string{"b", "c"}},
		{"limit rev", ScoreRange{Min: ninf, Max: pinf}, true, 1, 2, []string{"d", "c"}},
		{"empty", ScoreRange{Min: 3, Max: 2}, false, 0, -1, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := collect(func(f func(string, float64) bool) { z.RangeByScore(tc.r, tc.rev, tc.offset, tc.count, f) })
			require.Equal(t, tc.want, got)
		})
	}
	r, err := ParseScoreRange(b("(2"), b("+inf"))
	require.NoError(t, err)
	require.Equal(t, 2, z.CountByScore(r))
	_, err = ParseScoreRange(b("x"), b("1"))
	require.ErrorIs(t, err, ErrScoreRange)
	_, err = ParseScoreRange(b("1"), b("(nan"))
	require.ErrorIs(t, err, ErrScoreRange)
	require.Equal(t, 3, z.RemoveRangeByScore(ScoreRange{Min: 2, Max: 3}))
	require.Equal(t, []string{"a", "e"}, collect(z.Each))
}

func TestZSetRangeByLex(t *testing.T) {
	z := zsetOf("a", 0, "b", 0, "c", 0, "d", 0, "e", 0)
	tests := []struct {
		min, max string
		rev      bool
		want     []string
	}{
		{"-", "+", false, []string{"a", "b", "c", "d", "e"}},
		{"-", "+", true, []string{"e", "d", "c", "b", "a"}},
		{"[b", "[d", false, []string{"b", "c", "d"}},
		{"(b", "(d", false, []string{"c"}},
		{"[b", "(d", true, []string{"c", "b"}},
		{"+", "[z", false, nil},
		{"-", "-", false, nil},
		{"[aa", "+", false, []string{"b", "c", "d", "e"}},
	}
	for _, tc := range tests {
		t.Run(tc.min+tc.max, func(t *testing.T) {
			r, err := ParseLexRange(b(tc.min), b(tc.max))
			require.NoError(t, err)
			got := collect(func(f func(string, float64) bool) { z.RangeByLex(r, tc.rev, 0, -1, f) })
			require.Equal(t, tc.want, got)
			require.Equal(t, len(tc.want), z.CountByLex(r))
		})
	}
	_, err := ParseLexRange(b("a"), b("+"))
	require.ErrorIs(t, err, ErrLexRange)
	_, err = ParseLexRange(b("-x"), b("+"))
	require.ErrorIs(t, err, ErrLexRange)
	r, _ := ParseLexRange(b("[b"), b("[c"))
	require.Equal(t, 2, z.RemoveRangeByLex(r))
	require.Equal(t, 2, z.RemoveRangeByRank(0, 1))
	require.Equal(t, []string{"e"}, collect(z.Each))
}

func TestZSetEncodingAndScan(t *testing.T) {
	z := NewZSet(nil)
	for i := 0; i < 128; i++ {
		z.Add(b(fmt.Sprint(i)), float64(i))
	}
	require.Equal(t, "listpack", z.Encoding())
	var got []string
	require.Zero(t, z.Scan(0, 1, func(m string, _ float64) { got = append(got, m) }))
	require.Len(t, got, 128)
	require.Equal(t, "0", got[0])
	z.Add(b("128"), 128)
	require.Equal(t, "skiplist", z.Encoding())

	long := NewZSet(nil)
	long.Add(b(strings.Repeat("m", 65)), 1)
	require.Equal(t, "skiplist", long.Encoding())

	seen := map[string]bool{}
	cur := uint64(0)
	for {
		cur = z.Scan(cur, 5, func(m string, _ float64) { seen[m] = true })
		if cur == 0 {
			break
		}
	}
	require.Len(t, seen, 129)
	c := z.Clone().(*ZSet)
	c.Remove(b("5"))
	require.Equal(t, 129, z.Len())
	require.Equal(t, 128, c.Len())
	sm, ok := z.Random()
	require.True(t, ok)
	s, _ := z.Score(b(sm.Member))
	require.Equal(t, s, sm.Score)
}
