package keyspace

import (
	"strconv"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestHotPathAllocs pins the allocation count of the operations behind the
// benchmark commands (GET, SET over an existing string, INCR) so that a
// regression shows up as a failure rather than as lost throughput.
func TestHotPathAllocs(t *testing.T) {
	ks := New(1, nil)
	ks.PinTime(1_700_000_000_000)
	key := []byte("key:1")
	ks.Add(0, key, NewString([]byte("value:1")))
	ks.Add(0, []byte("n"), NewStringInt(1))
	val := []byte("value:2")
	nkey, missing := []byte("n"), []byte("nope")
	tests := []struct {
		name string
		fn   func()
		want float64
	}{
		{"lookup hit", func() { _ = ks.LookupRead(0, key, 0) }, 0},
		{"lookup miss", func() { _ = ks.LookupRead(0, missing, 0) }, 0},
		{"set in place", func() {
			ks.LookupWrite(0, key, 0).(*String).Set(val)
			ks.Modified(0, key, NotifyString, "set")
		}, 0},
		{"incr in place", func() {
			s := ks.LookupWrite(0, nkey, 0).(*String)
			n, _ := s.Int()
			s.SetInt(n + 1)
		}, 0},
		{"new small string", func() { _ = NewString(val) }, 1},
		{"new int string", func() { _ = NewStringInt(123456) }, 1},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			require.Equal(t, tc.want, testing.AllocsPerRun(100, tc.fn))
		})
	}
}

// TestStringInlineSizes checks contents of every inline size class and
// beyond round-trip, and that growing past the inline room keeps the value.
func TestStringInlineSizes(t *testing.T) {
	for _, n := range []int{0, 1, 8, 9, 16, 17, 32, 33, 48, 49, 1000} {
		t.Run(strconv.Itoa(n), func(t *testing.T) {
			want := make([]byte, n)
			for i := range want {
				want[i] = byte('a' + i%26)
			}
			s := NewString(want)
			require.Equal(t, string(want), string(s.Bytes()))
			require.Equal(t, n, s.Len())
			require.Equal(t, n+3, s.Append([]byte("xyz")))
			require.Equal(t, string(want)+"xyz", string(s.Bytes()))
			require.Equal(t, "raw", s.Encoding())
			s.SetInt(-42)
			require.Equal(t, "-42", string(s.Bytes()))
			require.Equal(t, "int", s.Encoding())
			o := NewStringOwned(append([]byte(nil), want...))
			require.Equal(t, string(want), string(o.Bytes()))
		})
	}
}

// TestDictChunks grows a table across several entry chunks, shrinks it
// and checks every key stays reachable.
func TestDictChunks(t *testing.T) {
	var d dict[int]
	const n = 3*chunkSize + 17
	for i := range n {
		d.insert(strconv.Itoa(i), i)
	}
	require.Equal(t, n, d.Len())
	require.Len(t, d.chunks, 4)
	for i := range n {
		j := d.find(strconv.Itoa(i))
		require.GreaterOrEqual(t, j, int32(0))
		require.Equal(t, i, d.at(j).val)
	}
	for i := range n - 10 {
		_, ok := d.remove(strconv.Itoa(i))
		require.True(t, ok)
	}
	require.Equal(t, 10, d.Len())
	require.Less(t, d.slots(), 64, "compacted by the shrinks")
	for i := n - 10; i < n; i++ {
		require.GreaterOrEqual(t, d.find(strconv.Itoa(i)), int32(0))
	}
}
