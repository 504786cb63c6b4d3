package server

import (
	"runtime"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestMemAccountFollowsHeap: the figure grows with retained data, and a
// key's evicted estimate is subtracted until the next collection.
func TestMemAccountFollowsHeap(t *testing.T) {
	var m memAccount
	runtime.GC()
	base := m.used(true)
	keep := make([][]byte, 1000)
	for i := range keep {
		keep[i] = make([]byte, 1024)
	}
	grown := m.used(true)
	require.GreaterOrEqual(t, grown, base+900*1024)
	m.addEvicted(500 * 1024)
	require.Less(t, m.used(true), grown)
	runtime.GC()
	require.GreaterOrEqual(t, m.used(true), base+900*1024, "a collection ends the estimate")
	runtime.KeepAlive(keep)
}

// BenchmarkMemAccountCached is the per-command cost with maxmemory set.
func BenchmarkMemAccountCached(b *testing.B) {
	var m memAccount
	for i := 0; i < b.N; i++ {
		m.used(false)
	}
}

// BenchmarkMemAccountRead is the cost of one runtime/metrics reading.
func BenchmarkMemAccountRead(b *testing.B) {
	var m memAccount
	for i := 0; i < b.N; i++ {
		m.used(true)
	}
}
