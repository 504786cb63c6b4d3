package main

import (
	"strconv"
	"testing"
	"time"

	"github.com/modhost/modhost/internal/hosttest"
	"github.com/stretchr/testify/require"
)

// TestInfoExpiredStalePerc checks the active expiry estimate of INFO stats
// on both servers: 0.00 at start, above 0 while the active cycle finds
// expired keys among those it samples, 0.00 again after CONFIG RESETSTAT.
func TestInfoExpiredStalePerc(t *testing.T) {
	for _, kind := range []string{"redis", "modhost"} {
		t.Run(kind, func(t *testing.T) {
			args := []string{"--enable-debug-command", "yes"}
			var srv *hosttest.Server
			if kind == "redis" {
				srv = hosttest.StartRedis(t, args...)
			} else {
				srv = hosttest.StartModhost(t, args...)
			}
			c := srv.Conn(t)
			require.Equal(t, "0.00", infoField(t, c, "stats", "expired_stale_perc"))
			require.Equal(t, "0", infoField(t, c, "stats", "expired_time_cap_reached_count"))
			c.Do("DEBUG", "SET-ACTIVE-EXPIRE", "0")
			for i := 0; i < 500; i++ {
				c.Do("SET", "k"+strconv.Itoa(i), "v", "PX", "1")
			}
			time.Sleep(20 * time.Millisecond)
			c.Do("DEBUG", "SET-ACTIVE-EXPIRE", "1")
			require.Eventually(t, func() bool {
				v, err := strconv.ParseFloat(infoField(t, c, "stats", "expired_stale_perc"), 64)
				return err == nil && v > 0
			}, 5*time.Second, 5*time.Millisecond)
			// All gone first, so no later cycle finds expired keys.
			require.Eventually(t, func() bool { return string(c.Do("DBSIZE")) == ":0\r\n" },
				5*time.Second, 5*time.Millisecond)
			c.Do("CONFIG", "RESETSTAT")
			require.Equal(t, "0.00", infoField(t, c, "stats", "expired_stale_perc"))
		})
	}
}
