package host

import (
	"strconv"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestReplicatedRing: the propagation record keeps the last maxReplicated
// entries, oldest first, across the wrap.
func TestReplicatedRing(t *testing.T) {
	var f callFamily
	for i := 0; i < maxReplicated+5; i++ {
		f.record(i%16, [][]byte{[]byte("SET"), []byte(strconv.Itoa(i))}, 0)
	}
	require.Len(t, f.replicated, maxReplicated)
	var got []string
	f.eachReplicated(func(r *replicated) {
		r.each(func(a []byte) {
			if string(a) != "SET" {
				got = append(got, string(a))
			}
		})
	})
	require.Len(t, got, maxReplicated)
	require.Equal(t, "5", got[0])
	require.Equal(t, strconv.Itoa(maxReplicated+4), got[len(got)-1])
}
