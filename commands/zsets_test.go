package commands

import (
	"math"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/modhost/modhost/keyspace"
)

func TestZAddOne(t *testing.T) {
	inf := math.Inf(1)
	tests := []struct {
		name      string
		flags     int
		member    string
		score     float64
		want      zaddResult
		wantScore float64
	}{
		{"new", 0, "n", 5, zaddAdded, 5},
		{"update", 0, "a", 5, zaddUpdated, 5},
		{"same", 0, "a", 1, zaddSame, 1},
		{"nx existing", zaddNX, "a", 9, zaddNop, 0},
		{"xx missing", zaddXX, "n", 9, zaddNop, 0},
		{"gt lower", zaddGT, "a", 0, zaddNop, 0},
		{"gt equal", zaddGT, "a", 1, zaddNop, 0},
		{"gt higher", zaddGT, "a", 2, zaddUpdated, 2},
		{"lt higher", zaddLT, "a", 2, zaddNop, 0},
		{"lt lower", zaddLT, "a", -2, zaddUpdated, -2},
		{"gt new member", zaddGT, "n", -7, zaddAdded, -7},
		{"incr", zaddIncr, "a", 2.5, zaddUpdated, 3.5},
		{"incr zero", zaddIncr, "a", 0, zaddSame, 1},
		{"incr gt fails", zaddIncr | zaddGT, "a", -1, zaddNop, 0},
		{"incr nan", zaddIncr, "i", inf, zaddNaN, 0},
	}
	for _, tc := range tests {
		z := keyspace.NewZSet(nil)
		z.Add([]byte("a"), 1)
		z.Add([]byte("i"), math.Inf(-1))
		res, ns := zaddOne(z, []byte(tc.member), tc.score, tc.flags)
		require.Equal(t, tc.want, res, tc.name)
		require.Equal(t, tc.wantScore, ns, tc.name)
		if res == zaddAdded || res == zaddUpdated {
			got, ok := z.Score([]byte(tc.member))
			require.True(t, ok, tc.name)
			require.Equal(t, tc.wantScore, got, tc.name)
		}
	}
}

func TestZRankCount(t *testing.T) {
	tests := []struct {
		n          int
		start, end int64
		want       int
	}{
		{5, 0, -1, 5},
		{5, 1, 2, 2},
		{5, -2, -1, 2},
		{5, 3, 1, 0},
		{5, 10, 20, 0},
		{5, -100, 100, 5},
		{0, 0, -1, 0},
		{5, math.MinInt64, math.MaxInt64, 5},
	}
	for _, tc := range tests {
		require.Equal(t, tc.want, zrankCount(tc.n, tc.start, tc.end), "%+v", tc)
	}
}

func TestZAggregate(t *testing.T) {
	inf := math.Inf(1)
	tests := []struct {
		name     string
		t, v     float64
		agg      int
		expected float64
	}{
		{"sum", 1, 2, zaggSum, 3},
		{"sum inf-inf is 0", inf, -inf, zaggSum, 0},
		{"min", 1, -2, zaggMin, -2},
		{"max", 1, -2, zaggMax, 1},
	}
	for _, tc := range tests {
		got := tc.t
		zaggregate(&got, tc.v, tc.agg)
		require.Equal(t, tc.expected, got, tc.name)
	}
	require.Equal(t, 0.0, zWeighted(0, inf))
	require.Equal(t, 6.0, zWeighted(2, 3))
}

func TestZSetOps(t *testing.T) {
	k := keyspace.New(1, nil)
	za := keyspace.NewZSet(nil)
	za.Add([]byte("a"), 1)
	za.Add([]byte("b"), 2)
	zb := keyspace.NewZSet(nil)
	zb.Add([]byte("b"), 10)
	zb.Add([]byte("c"), 20)
	set := keyspace.NewSet(nil, []byte("c"))
	set.Add([]byte("c"))
	set.Add([]byte("b"))
	type sm struct {
		m string
		s float64
	}
	dump := func(z *keyspace.ZSet) []sm {
		var out []sm
		z.Each(func(m string, s float64) bool {
			out = append(out, sm{m, s})
			return true
		})
		return out
	}
	tests := []struct {
		name string
		got  *keyspace.ZSet
		want []sm
	}{
		{"union sum", zunion(k, []zsrc{{z: za, weight: 1}, {z: zb, weight: 2}}, zaggSum),
			[]sm{{"a", 1}, {"b", 22}, {"c", 40}}},
		{"union max with set", zunion(k, []zsrc{{z: za, weight: 1}, {s: set, weight: 1}}, zaggMax),
			[]sm{{"a", 1}, {"c", 1}, {"b", 2}}},
		{"inter min", zinter(k, []zsrc{{z: za, weight: 1}, {z: zb, weight: 1}}, zaggMin),
			[]sm{{"b", 2}}},
		{"inter same key", zinter(k, []zsrc{{z: za, weight: 1}, {z: za, weight: 3}}, zaggSum),
			[]sm{{"a", 4}, {"b", 8}}},
		{"diff", zdiff(k, []zsrc{{z: za, weight: 1}, {s: set, weight: 1}}), []sm{{"a", 1}}},
		{"diff missing", zdiff(k, []zsrc{{weight: 1}, {z: za, weight: 1}}), nil},
	}
	for _, tc := range tests {
		require.Equal(t, tc.want, dump(tc.got), tc.name)
	}
	require.Equal(t, int64(1), zinterCount([]zsrc{{z: za, weight: 1}, {z: zb, weight: 1}}, 0))
	require.Equal(t, int64(1), zinterCount([]zsrc{{z: za, weight: 1}, {z: za, weight: 1}}, 1))
}
