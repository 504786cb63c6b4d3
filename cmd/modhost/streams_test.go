package main

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/modhost/modhost/internal/hosttest"
	"github.com/redis/go-redis/v9"
	"github.com/stretchr/testify/require"
)

// waitStreamBlocked polls INFO clients until n clients are blocked (or the test
// deadline fails it); it orders the test, it does not measure time.
func waitStreamBlocked(t *testing.T, c *redis.Client, n int) {
	t.Helper()
	want := "blocked_clients:" + string(rune('0'+n))
	require.Eventually(t, func() bool {
		info, err := c.Info(context.Background(), "clients").Result()
		return err == nil && strings.Contains(info, want+"\r\n")
	}, 10*time.Second, 5*time.Millisecond, "waiting for %s", want)
}

// TestStreamXReadBlockTimeout checks that a BLOCK that expires answers a
// null array in each protocol.
func TestStreamXReadBlockTimeout(t *testing.T) {
	s := startModhost(t)
	tests := []struct {
		proto string
		want  string
	}{{"2", "*-1\r\n"}, {"3", "_\r\n"}}
	for _, tc := range tests {
		t.Run("RESP"+tc.proto, func(t *testing.T) {
			c := s.Conn(t)
			c.Do("HELLO", tc.proto)
			require.Equal(t, tc.want, string(c.Do("XREAD", "BLOCK", "20", "STREAMS", "nosuch", "$")))
			c.Do("XADD", "st"+tc.proto, "1-1", "f", "v")
			require.Equal(t, tc.want, string(c.Do("XREAD", "BLOCK", "20", "STREAMS", "st"+tc.proto, "$")))
		})
	}
}

// TestStreamXReadBlockWake checks that XADD from another client serves
// every client blocked on the stream, with only the entries after the ID
// each one asked for.
func TestStreamXReadBlockWake(t *testing.T) {
	s := startModhost(t)
	ctx := context.Background()
	admin := s.Client(t, 2)
	require.NoError(t, admin.XAdd(ctx, &redis.XAddArgs{Stream: "s", ID: "1-0", Values: []string{"a", "1"}}).Err())

	type result struct {
		streams []redis.XStream
		err     error
	}
	readers := []struct {
		proto int
		keys  []string
	}{
		{2, []string{"s", "$"}},
		{3, []string{"s", "$"}},
		{2, []string{"other", "s", "0", "1-0"}},
	}
	results := make([]chan result, len(readers))
	for i, r := range readers {
		results[i] = make(chan result, 1)
		cl := s.Client(t, r.proto)
		go func(ch chan result, keys []string) {
			res, err := cl.XRead(ctx, &redis.XReadArgs{Streams: keys, Block: 0}).Result()
			ch <- result{res, err}
		}(results[i], r.keys)
	}
	waitStreamBlocked(t, admin, len(readers))
	require.NoError(t, admin.XAdd(ctx, &redis.XAddArgs{Stream: "s", ID: "2-0", Values: []string{"b", "2"}}).Err())
	for i := range readers {
		r := <-results[i]
		require.NoError(t, r.err)
		require.Equal(t, []redis.XStream{{Stream: "s", Messages: []redis.XMessage{{ID: "2-0", Values: map[string]any{"b": "2"}}}}}, r.streams)
	}
	waitStreamBlocked(t, admin, 0)
}

// TestStreamXReadBlockDisconnect checks that a client that goes away while
// blocked is forgotten and that the stream stays usable.
func TestStreamXReadBlockDisconnect(t *testing.T) {
	s := startModhost(t)
	ctx := context.Background()
	admin := s.Client(t, 2)
	c, err := hosttest.DialConn(s.Addr)
	require.NoError(t, err)
	require.NoError(t, c.Send(hosttest.AppendCommand(nil, "XREAD", "BLOCK", "0", "STREAMS", "s", "$")))
	waitStreamBlocked(t, admin, 1)
	require.NoError(t, c.Close())
	waitStreamBlocked(t, admin, 0)
	id, err := admin.XAdd(ctx, &redis.XAddArgs{Stream: "s", ID: "5-0", Values: []string{"f", "v"}}).Result()
	require.NoError(t, err)
	require.Equal(t, "5-0", id)
	n, err := admin.XLen(ctx, "s").Result()
	require.NoError(t, err)
	require.Equal(t, int64(1), n)
}

// TestStreamXAddAutoID checks auto-generated IDs: increasing, millisecond
// part near the clock, and readable back with XRANGE.
func TestStreamXAddAutoID(t *testing.T) {
	s := startModhost(t)
	ctx := context.Background()
	c := s.Client(t, 3)
	var ids []string
	for range 50 {
		id, err := c.XAdd(ctx, &redis.XAddArgs{Stream: "auto", Values: []string{"f", "v"}}).Result()
		require.NoError(t, err)
		ids = append(ids, id)
	}
	msgs, err := c.XRange(ctx, "auto", "-", "+").Result()
	require.NoError(t, err)
	require.Len(t, msgs, len(ids))
	for i, m := range msgs {
		require.Equal(t, ids[i], m.ID)
	}
	ms, _, ok := strings.Cut(ids[0], "-")
	require.True(t, ok)
	now := time.Now().UnixMilli()
	got, err := time.ParseDuration(ms + "ms")
	require.NoError(t, err)
	require.InDelta(t, float64(now), float64(got.Milliseconds()), float64(time.Hour.Milliseconds()))
}
