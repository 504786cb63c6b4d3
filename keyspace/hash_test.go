package keyspace

import (
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

func hashFields(h *Hash) []string {
	var out []string
	h.Each(func(f string, v []byte) bool { out = append(out, f+"="+string(v)); return true })
	return out
}

func TestHashBasics(t *testing.T) {
	h := NewHash(nil)
	f, v := b("f1"), b("v1")
	require.True(t, h.Set(f, v))
	f[0], v[0] = 'X', 'X'
	require.True(t, h.Set(b("f0"), b("v0")))
	require.False(t, h.Set(b("f1"), b("v1b")))
	require.Equal(t, []string{"f1=v1b", "f0=v0"}, hashFields(h), "insertion order while listpack")
	got, ok := h.Get(b("f1"))
	require.True(t, ok)
	require.Equal(t, "v1b", string(got))
	require.True(t, h.Exists(b("f0")))
	require.False(t, h.Exists(b("nope")))
	require.True(t, h.Delete(b("f1")))
	require.False(t, h.Delete(b("f1")))
	require.Equal(t, 1, h.Len())
	fr, vr, ok := h.Random()
	require.True(t, ok)
	require.Equal(t, "f0", fr)
	require.Equal(t, "v0", string(vr))
	require.Equal(t, "listpack", h.Encoding())
}

func TestHashEncodingThresholds(t *testing.T) {
	tests := []struct {
		name   string
		n      int
		valLen int
		want   string
	}{
		{"512 entries", 512, 5, "listpack"},
		{"513 entries", 513, 5, "hashtable"},
		{"64-byte value", 1, 64, "listpack"},
		{"65-byte value", 1, 65, "hashtable"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			h := NewHash(nil)
			for i := 0; i < tc.n; i++ {
				h.Set(b(fmt.Sprint(i)), b(strings.Repeat("v", tc.valLen)))
			}
			require.Equal(t, tc.want, h.Encoding())
			require.Equal(t, tc.n, h.Len())
			for i := 0; i < tc.n; i++ {
				require.True(t, h.Exists(b(fmt.Sprint(i))))
			}
		})
	}
}

func TestHashScan(t *testing.T) {
	small := NewHash(nil)
	small.Set(b("a"), b("1"))
	small.Set(b("b"), b("2"))
	var got []string
	cur := small.Scan(0, 1, func(f string, v []byte) { got = append(got, f) })
	require.Zero(t, cur)
	require.Equal(t, []string{"a", "b"}, got)

	big := NewHash(nil)
	for i := 0; i < 1000; i++ {
		big.Set(b(fmt.Sprint(i)), b("v"))
	}
	seen := map[string]bool{}
	cur, calls := uint64(0), 0
	for {
		cur = big.Scan(cur, 10, func(f string, v []byte) { seen[f] = true })
		calls++
		if cur == 0 {
			break
		}
	}
	require.Len(t, seen, 1000)
	require.Greater(t, calls, 10)

	c := big.Clone().(*Hash)
	c.Set(b("0"), b("changed"))
	v, _ := big.Get(b("0"))
	require.Equal(t, "v", string(v))
	require.Equal(t, "hashtable", c.Encoding())
}
