package commands

import (
	"testing"

	"github.com/stretchr/testify/require"
)

func TestLCSWalk(t *testing.T) {
	tests := []struct {
		a, b    string
		seq     string
		matches []lcsMatch
	}{
		{"ohmytext", "mynewtext", "mytext", []lcsMatch{{4, 7, 5, 8}, {2, 3, 0, 1}}},
		{"aaaa", "aa", "aa", []lcsMatch{{2, 3, 0, 1}}},
		{"", "abc", "", nil},
		{"abc", "xyz", "", nil},
		{"abc", "abc", "abc", []lcsMatch{{0, 2, 0, 2}}},
	}
	for _, tc := range tests {
		x, y := []byte(tc.a), []byte(tc.b)
		table := lcsTable(x, y)
		total := int(table[len(table)-1])
		seq, m := lcsWalk(x, y, table, total, true)
		require.Equal(t, tc.seq, string(seq), "%s/%s", tc.a, tc.b)
		require.Equal(t, tc.matches, m, "%s/%s", tc.a, tc.b)
	}
}
