package server

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func TestGCPercentFor(t *testing.T) {
	tests := []struct {
		live uint64
		want int
	}{
		{0, 100},
		{1 << 20, 100},
		{32 << 20, 100},
		{48 << 20, 65},
		{64 << 20, 50},
		{100 << 20, 30},
		{128 << 20, 25},
		{1 << 30, 25},
	}
	for _, tc := range tests {
		require.Equal(t, tc.want, gcPercentFor(tc.live, 0), "live=%d", tc.live)
	}
}

func TestBatchClock(t *testing.T) {
	var k batchClock
	k.start()
	require.True(t, k.on)
	require.Equal(t, time.Duration(0), k.last)
	d1 := k.tick()
	d2 := k.tick()
	require.GreaterOrEqual(t, d2, d1, "monotonic")
	require.Equal(t, d2, k.last)
	require.Equal(t, k.base.Add(d2), k.at(k.last))
	require.WithinDuration(t, time.Now(), k.at(k.last), time.Minute)
}

// TestGCPercentForMaxmemory: with maxmemory set, the garbage allowed is at
// most maxmemory/16 (at least 1 MB) and the percentage may drop to 5.
func TestGCPercentForMaxmemory(t *testing.T) {
	require.Equal(t, 10, gcPercentFor(10<<20, 20<<20))  // 1.25 MB over 10 MB
	require.Equal(t, 5, gcPercentFor(100<<20, 20<<20))  // floor
	require.Equal(t, 100, gcPercentFor(1<<20, 1<<30))   // small heap keeps the default
	require.Equal(t, 50, gcPercentFor(64<<20, 1<<40))   // gcHeadroom still caps it
	require.Equal(t, 100, gcPercentFor(512<<10, 1<<20)) // 1 MB minimum headroom
	require.Equal(t, 5, gcPercentFor(1<<30, 1<<20))     // floor with tiny maxmemory
}

func TestEvictionTimeLimit(t *testing.T) {
	require.Equal(t, time.Duration(0), evictionTimeLimit(0))
	require.Equal(t, 500*time.Microsecond, evictionTimeLimit(10))
	require.Equal(t, time.Duration(-1), evictionTimeLimit(100))
	require.Greater(t, evictionTimeLimit(50), evictionTimeLimit(20))
}
