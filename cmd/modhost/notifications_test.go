package main

import (
	"context"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/stretchr/testify/require"
)

// TestNotificationsStreamAndExpiry subscribes with go-redis to every
// keyspace and keyevent channel and checks the events of stream commands
// and of a key that expires on access.
func TestNotificationsStreamAndExpiry(t *testing.T) {
	s := startModhost(t)
	ctx := context.Background()
	cl := s.Client(t, 3)
	require.NoError(t, cl.ConfigSet(ctx, "notify-keyspace-events", "KEA").Err())
	ps := s.Client(t, 2).PSubscribe(ctx, "__keyevent@0__:*")
	t.Cleanup(func() { _ = ps.Close() })
	_, err := ps.ReceiveTimeout(ctx, 10*time.Second)
	require.NoError(t, err)

	require.NoError(t, cl.XAdd(ctx, &redis.XAddArgs{Stream: "s", ID: "1-0", Values: []string{"f", "v"}}).Err())
	require.NoError(t, cl.XAdd(ctx, &redis.XAddArgs{Stream: "s", ID: "2-0", MaxLen: 1, Values: []string{"f", "v"}}).Err())
	require.NoError(t, cl.XDel(ctx, "s", "2-0", "9-0").Err())
	require.NoError(t, cl.XAdd(ctx, &redis.XAddArgs{Stream: "s", ID: "3-0", Values: []string{"f", "v"}}).Err())
	require.NoError(t, cl.XTrimMaxLen(ctx, "s", 0).Err())
	require.NoError(t, cl.XTrimMaxLen(ctx, "s", 0).Err()) // nothing to trim: no event
	require.NoError(t, cl.Do(ctx, "SET", "e", "v", "PX", "1").Err())
	require.Eventually(t, func() bool {
		n, err := cl.Exists(ctx, "e").Result()
		return err == nil && n == 0
	}, 10*time.Second, 5*time.Millisecond)

	want := []struct{ event, key string }{
		{"xadd", "s"}, {"xadd", "s"}, {"xtrim", "s"}, {"xdel", "s"}, {"xadd", "s"}, {"xtrim", "s"},
		{"set", "e"}, {"expire", "e"}, {"expired", "e"},
	}
	for _, w := range want {
		msg, err := ps.ReceiveTimeout(ctx, 10*time.Second)
		require.NoError(t, err)
		m, ok := msg.(*redis.Message)
		require.True(t, ok, "got %T %v", msg, msg)
		require.Equal(t, "__keyevent@0__:"+w.event, m.Channel)
		require.Equal(t, w.key, m.Payload)
	}
}

// TestNotificationsWatchAndDirty checks that stream writes invalidate
// WATCH like any other write.
func TestNotificationsWatchAndDirty(t *testing.T) {
	s := startModhost(t)
	ctx := context.Background()
	a, b := s.Client(t, 2), s.Client(t, 3)
	require.NoError(t, a.XAdd(ctx, &redis.XAddArgs{Stream: "w", ID: "1-0", Values: []string{"f", "v"}}).Err())
	err := a.Watch(ctx, func(tx *redis.Tx) error {
		require.NoError(t, b.XAdd(ctx, &redis.XAddArgs{Stream: "w", ID: "2-0", Values: []string{"f", "v"}}).Err())
		_, err := tx.TxPipelined(ctx, func(p redis.Pipeliner) error {
			p.XLen(ctx, "w")
			return nil
		})
		return err
	}, "w")
	require.ErrorIs(t, err, redis.TxFailedErr)
}
