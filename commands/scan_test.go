package commands

import (
	"testing"

	"github.com/stretchr/testify/require"
)

func TestParseScanCursor(t *testing.T) {
	tests := []struct {
		in   string
		want uint64
		ok   bool
	}{
		{"0", 0, true},
		{"123", 123, true},
		{"18446744073709551615", 18446744073709551615, true},
		{"18446744073709551616", 0, false},
		{"-1", 0, false},
		{"00", 0, true},
		{"+7", 7, true},
		{" 5", 5, true},
		{"5 ", 0, false},
		{"", 0, false},
		{"x", 0, false},
		{"1.5", 0, false},
	}
	for _, tc := range tests {
		got, ok := parseScanCursor([]byte(tc.in))
		require.Equal(t, tc.ok, ok, tc.in)
		if ok {
			require.Equal(t, tc.want, got, tc.in)
		}
	}
}

func TestScanTypeArg(t *testing.T) {
	name, ok := scanTypeArg([]byte("LIST"))
	require.True(t, ok)
	require.Equal(t, "list", name)
	_, ok = scanTypeArg([]byte("nosuchtype"))
	require.False(t, ok)
}
