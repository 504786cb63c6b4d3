package main

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/modhost/modhost/internal/hosttest"
)

// TestBlockingTimeoutOutOfRange checks the Redis 7.2+ answers for timeouts
// that overflow (7.0 wrongly reports them as negative, so the differential
// suite cannot compare them).
func TestBlockingTimeoutOutOfRange(t *testing.T) {
	c := hosttest.StartModhost(t).Conn(t)
	for _, v := range []string{"inf", "1e400", "9223372036854775807"} {
		require.Equal(t, "-ERR timeout is out of range\r\n", string(c.Do("BLPOP", "k", v)), v)
	}
	require.Equal(t, "-ERR timeout is negative\r\n", string(c.Do("BLPOP", "k", "-1")))
	require.Equal(t, "-ERR timeout is not a float or out of range\r\n", string(c.Do("BLPOP", "k", "x")))
}
