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
