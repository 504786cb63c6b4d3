package keyspace

import (
	"math"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestParseInt(t *testing.T) {
	tests := []struct {
		in   string
		want int64
		ok   bool
	}{
		{"0", 0, true},
		{"1", 1, true},
		{"-1", -1, true},
		{"123456789", 123456789, true},
		{"9223372036854775807", math.MaxInt64, true},
		{"-9223372036854775808", math.MinInt64, true},
		{"9223372036854775808", 0, false},
		{"-9223372036854775809", 0, false},
		{"18446744073709551616", 0, false},
		{"-0", 0, false},
		{"+1", 0, false},
		{" 1", 0, false},
		{"1 ", 0, false},
		{"01", 0, false},
		{"", 0, false},
		{"-", 0, false},
		{"1a", 0, false},
		{"1.0", 0, false},
		{"000000000000000000001", 0, false},
	}
	for _, tc := range tests {
		t.Run(tc.in, func(t *testing.T) {
			v, ok := ParseInt(b(tc.in))
			require.Equal(t, tc.ok, ok)
			require.Equal(t, tc.want, v)
		})
	}
}

func TestParseUint(t *testing.T) {
	v, ok := ParseUint(b("18446744073709551615"))
	require.True(t, ok)
	require.Equal(t, uint64(math.MaxUint64), v)
	for _, s := range []string{"18446744073709551616", "-1", "01", "", "+1"} {
		_, ok := ParseUint(b(s))
		require.False(t, ok, s)
	}
}

func TestParseFloat(t *testing.T) {
	tests := []struct {
		in   string
		want float64
		ok   bool
	}{
		{"1", 1, true},
		{"-1.5", -1.5, true},
		{"+2", 2, true},
		{"1e3", 1000, true},
		{".5", 0.5, true},
		{"5.", 5, true},
		{"inf", math.Inf(1), true},
		{"+inf", math.Inf(1), true},
		{"-inf", math.Inf(-1), true},
		{"Infinity", math.Inf(1), true},
		{"0x10", 16, true},
		{"0x1p3", 8, true},
		{"0", 0, true},
		{"-0", math.Copysign(0, -1), true},
		{"0e10", 0, true},
		{"4.9e-324", 5e-324, true},
		{"nan", 0, false},
		{"NaN", 0, false},
		{"", 0, false},
		{" 1", 0, false},
		{"1 ", 0, false},
		{"1e400", 0, false},
		{"-1e400", 0, false},
		{"1e-400", 0, false},
		{"1_000", 0, false},
		{"abc", 0, false},
		{"1.2.3", 0, false},
	}
	for _, tc := range tests {
		t.Run(tc.in, func(t *testing.T) {
			v, ok := ParseFloat(b(tc.in))
			require.Equal(t, tc.ok, ok)
			if tc.ok {
				require.Equal(t, tc.want, v)
			}
		})
	}
}
