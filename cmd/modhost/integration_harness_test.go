package main

import (
	"context"
	"strconv"
	"testing"

	"github.com/modhost/modhost/internal/hosttest"
	"github.com/stretchr/testify/require"
)

// startModhost starts the modhost binary (MODHOST_BIN overrides it) with
// hosttest.DiffArgs plus args on a free port; it is killed when t ends.
func startModhost(t *testing.T, args ...string) *hosttest.Server {
	t.Helper()
	return hosttest.StartServer(t, hosttest.ModhostBin(t), append(append([]string(nil), hosttest.DiffArgs...), args...)...)
}

// startPair starts redis-server and modhost with the same arguments, for
// tests that compare the two directly.
func startPair(t *testing.T, args ...string) (redis, modhost *hosttest.Server) {
	t.Helper()
	full := append(append([]string(nil), hosttest.DiffArgs...), args...)
	return hosttest.StartRedis(t, full...), hosttest.StartServer(t, hosttest.ModhostBin(t), full...)
}

// TestHarnessSmoke checks that the binary starts like redis-server, logs
// its ready line and answers PING over raw RESP2/RESP3 and go-redis.
func TestHarnessSmoke(t *testing.T) {
	s := startModhost(t)
	require.Contains(t, s.Logs(), hosttest.ReadyLine)
	c := s.Conn(t)
	require.Equal(t, "+PONG\r\n", string(c.Do("PING")))
	require.Equal(t, "$2\r\nhi\r\n", string(c.Do("ECHO", "hi")))
	for _, proto := range []int{2, 3} {
		t.Run("go-redis RESP"+strconv.Itoa(proto), func(t *testing.T) {
			pong, err := s.Client(t, proto).Ping(context.Background()).Result()
			require.NoError(t, err)
			require.Equal(t, "PONG", pong)
		})
	}
}

// TestHarnessPair checks that startPair gives two servers that agree on a
// basic reply.
func TestHarnessPair(t *testing.T) {
	redis, modhost := startPair(t)
	require.NotEqual(t, redis.Port, modhost.Port)
	require.Equal(t, string(redis.Conn(t).Do("PING", "x")), string(modhost.Conn(t).Do("PING", "x")))
}
