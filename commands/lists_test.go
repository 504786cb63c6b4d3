package commands

import (
	"testing"

	"github.com/stretchr/testify/require"
)

func TestListBounds(t *testing.T) {
	tests := []struct {
		start, stop int64
		n           int
		s, e        int64
		ok          bool
	}{
		{0, -1, 5, 0, 4, true},
		{-3, -1, 5, 2, 4, true},
		{-100, 100, 5, 0, 4, true},
		{2, 1, 5, 0, 0, false},
		{5, 10, 5, 0, 0, false},
		{-100, -50, 5, 0, 0, false},
		{0, 0, 0, 0, 0, false},
		{1, -2, 5, 1, 3, true},
	}
	for _, tt := range tests {
		s, e, ok := listBounds(tt.start, tt.stop, tt.n)
		require.Equal(t, tt.ok, ok, "%+v", tt)
		if ok {
			require.Equal(t, [2]int64{tt.s, tt.e}, [2]int64{s, e}, "%+v", tt)
		}
	}
}

func TestListNumkeysKeys(t *testing.T) {
	args := func(s ...string) [][]byte {
		out := make([][]byte, len(s))
		for i, a := range s {
			out[i] = []byte(a)
		}
		return out
	}
	tests := []struct {
		name string
		idx  int
		args [][]byte
		want []int
	}{
		{"lmpop two keys", 1, args("lmpop", "2", "a", "b", "left"), []int{2, 3}},
		{"blmpop one key", 2, args("blmpop", "0", "1", "a", "left"), []int{3}},
		{"numkeys zero", 1, args("lmpop", "0", "a", "left"), nil},
		{"numkeys not a number", 1, args("lmpop", "x", "a", "left"), nil},
		{"numkeys too large", 1, args("lmpop", "5", "a", "left"), nil},
		{"missing numkeys", 2, args("blmpop", "0"), nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			require.Equal(t, tt.want, listNumkeysKeys(tt.idx)(tt.args))
		})
	}
}

func TestListCopyArgs(t *testing.T) {
	src := [][]byte{[]byte("ab"), []byte(""), []byte("cde")}
	cp := listCopyArgs(src)
	src[0][0] = 'X'
	require.Equal(t, [][]byte{[]byte("ab"), []byte(""), []byte("cde")}, cp)
	cp[1] = append(cp[1], 'z')
	require.Equal(t, "cde", string(cp[2]), "appending to one copy must not clobber the next")
}
