package commands

import (
	"testing"

	"github.com/stretchr/testify/require"
)

func TestHashLongDoubleIncr(t *testing.T) {
	tests := []struct {
		cur, incr, want string
	}{
		{"0", "0.1", "0.1"},
		{"0.1", "0.2", "0.3"},
		{"0.2", "0.1", "0.3"},
		{"0.3", "0.1", "0.4"},
		{"10.5", "-10.5", "0"},
		{"0", "-1e-20", "0"},
		{"0", "1e-20", "0"},
		{"5000", "2.0e-3", "5000.00199999999999978"},
		{"3", "1.23456789012345678", "4.23456789012345678"},
		{"9223372036854775807", "1", "9223372036854775808"},
		{"0", "0x10", "16"},
		{"16", "0x1p4", "32"},
		{"0", ".5", "0.5"},
		{"0.5", "5.", "5.5"},
		{"0", "12345678901234567890", "12345678901234567890"},
		{"-0", "0", "0"},
		{"1.5", "-3", "-1.5"},
	}
	for _, tt := range tests {
		t.Run(tt.cur+"+"+tt.incr, func(t *testing.T) {
			x, ok := parseLongDouble([]byte(tt.cur))
			require.True(t, ok)
			y, ok := parseLongDouble([]byte(tt.incr))
			require.True(t, ok)
			z, ok := addLongDouble(x, y)
			require.True(t, ok)
			require.Equal(t, tt.want, string(formatLongDouble(z)))
		})
	}
}

func TestHashParseLongDouble(t *testing.T) {
	tests := []struct {
		in  string
		ok  bool
		inf bool
	}{
		{"1", true, false},
		{"-1.5e10", true, false},
		{"+.5", true, false},
		{"1e4000", true, false}, // finite in 80-bit extended
		{"1e5000", false, false},
		{"1e-5000", false, false},
		{"0e99999999999", true, false},
		{"1e99999999999", false, false},
		{"inf", true, true},
		{"-Infinity", true, true},
		{"nan", false, false},
		{"NaN(1)", false, false},
		{"", false, false},
		{" 1", false, false},
		{"1 ", false, false},
		{"1e", false, false},
		{"1e+", false, false},
		{"0x", false, false},
		{"0x1p", false, false},
		{"0x1.8p1", true, false},
		{"0b1", false, false},
		{"1_0", false, false},
		{".", false, false},
		{"1..2", false, false},
		{"abc", false, false},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			f, ok := parseLongDouble([]byte(tt.in))
			require.Equal(t, tt.ok, ok)
			if ok {
				require.Equal(t, tt.inf, f.IsInf())
			}
		})
	}
}

func TestHashLongDoubleOverflow(t *testing.T) {
	x, ok := parseLongDouble([]byte("1e4932"))
	require.True(t, ok)
	_, ok = addLongDouble(x, x)
	require.False(t, ok, "1e4932*2 overflows an 80-bit long double")
	// 1e4932 prints as its 4933 integer digits (the zero fraction is trimmed).
	require.Equal(t, 4933, len(formatLongDouble(x)))
}
