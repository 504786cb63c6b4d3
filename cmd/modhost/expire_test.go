package main

import (
	"context"
	"regexp"
	"strconv"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/stretchr/testify/require"

	"github.com/modhost/modhost/internal/hosttest"
)

// expiredKeys reads expired_keys from INFO stats.
func expiredKeys(t *testing.T, c *redis.Client) int {
	t.Helper()
	info, err := c.Info(context.Background(), "stats").Result()
	require.NoError(t, err)
	m := regexp.MustCompile(`expired_keys:(\d+)`).FindStringSubmatch(info)
	require.NotNil(t, m, info)
	n, err := strconv.Atoi(m[1])
	require.NoError(t, err)
	return n
}

// populateVolatile creates n keys with a short TTL through a pipeline.
func populateVolatile(t *testing.T, c *redis.Client, prefix string, n int) {
	t.Helper()
	ctx := context.Background()
	pipe := c.Pipeline()
	for i := 0; i < n; i++ {
		pipe.Set(ctx, prefix+strconv.Itoa(i), "v", 20*time.Millisecond)
	}
	_, err := pipe.Exec(ctx)
	require.NoError(t, err)
}

func TestActiveExpiryWithoutAccess(t *testing.T) {
	srv := hosttest.StartModhost(t, "--hz", "100", "--enable-debug-command", "yes")
	c := srv.Client(t, 2)
	ctx := context.Background()
	require.Equal(t, 0, expiredKeys(t, c))
	require.NoError(t, c.Set(ctx, "persistent", "v", 0).Err())
	populateVolatile(t, c, "vol:", 200)
	// No key is read: only the cron's active expiry can reclaim them.
	require.Eventually(t, func() bool { return expiredKeys(t, c) == 200 }, 10*time.Second, 10*time.Millisecond)
	require.Equal(t, int64(1), c.DBSize(ctx).Val())
}

func TestDebugSetActiveExpireStopsActiveExpiry(t *testing.T) {
	srv := hosttest.StartModhost(t, "--hz", "100", "--enable-debug-command", "yes")
	c := srv.Client(t, 2)
	ctx := context.Background()
	require.Equal(t, "OK", c.Do(ctx, "DEBUG", "SET-ACTIVE-EXPIRE", "0").Val())
	populateVolatile(t, c, "vol:", 50)
	// Wait until every TTL has certainly passed, then give the cron many
	// cycles: nothing may be reclaimed (DBSIZE counts unreclaimed keys).
	time.Sleep(300 * time.Millisecond)
	require.Equal(t, int64(50), c.DBSize(ctx).Val())
	require.Equal(t, 0, expiredKeys(t, c))
	// Lazy expiry still applies on access.
	require.Equal(t, redis.Nil, c.Get(ctx, "vol:0").Err())
	require.Equal(t, 1, expiredKeys(t, c))
	require.Equal(t, "OK", c.Do(ctx, "DEBUG", "SET-ACTIVE-EXPIRE", "1").Val())
	require.Eventually(t, func() bool { return c.DBSize(ctx).Val() == 0 }, 10*time.Second, 10*time.Millisecond)
	require.Equal(t, 50, expiredKeys(t, c))
}

func TestExpireTTLThroughClient(t *testing.T) {
	srv := hosttest.StartModhost(t)
	for _, proto := range []int{2, 3} {
		c := srv.Client(t, proto)
		ctx := context.Background()
		require.NoError(t, c.Set(ctx, "k", "v", 0).Err())
		require.True(t, c.Expire(ctx, "k", time.Hour).Val())
		ttl := c.TTL(ctx, "k").Val()
		require.True(t, ttl > 59*time.Minute && ttl <= time.Hour, "ttl %v", ttl)
		require.True(t, c.ExpireGT(ctx, "k", 2*time.Hour).Val())
		require.False(t, c.ExpireLT(ctx, "k", 3*time.Hour).Val())
		require.True(t, c.Persist(ctx, "k").Val())
		require.Equal(t, time.Duration(-1), c.TTL(ctx, "k").Val())
		require.Equal(t, time.Duration(-2), c.TTL(ctx, "nokey").Val())
	}
}
