package main

import (
	"context"
	"regexp"
	"sort"
	"strconv"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/stretchr/testify/require"

	"github.com/modhost/modhost/internal/hosttest"
)

func TestScanFullIterationReturnsEveryKey(t *testing.T) {
	srv := hosttest.StartModhost(t, "--enable-debug-command", "yes")
	c := srv.Client(t, 3)
	ctx := context.Background()
	require.Equal(t, "OK", c.Do(ctx, "DEBUG", "POPULATE", "1000").Val())
	require.NoError(t, c.RPush(ctx, "alist", "x").Err())
	for _, tc := range []struct {
		match, typ string
		count      int64
		want       int
	}{
		{"", "", 10, 1001},
		{"key:1*", "", 50, 111},
		{"", "list", 7, 1},
		{"", "string", 100, 1000},
	} {
		seen := map[string]bool{}
		var cursor uint64
		for {
			keys, next, err := c.ScanType(ctx, cursor, tc.match, tc.count, tc.typ).Result()
			require.NoError(t, err)
			for _, k := range keys {
				seen[k] = true
			}
			cursor = next
			if cursor == 0 {
				break
			}
		}
		require.Len(t, seen, tc.want, "%+v", tc)
	}
}

func TestSwapDBWakesBlockedClientAndFailsWatch(t *testing.T) {
	srv := hosttest.StartModhost(t)
	ctx := context.Background()
	blocked := srv.Client(t, 2)
	other := srv.Client(t, 2)
	db1 := redis.NewClient(&redis.Options{Addr: srv.Addr, DB: 1, Protocol: 2})
	t.Cleanup(func() { _ = db1.Close() })
	require.NoError(t, db1.RPush(ctx, "q", "item").Err())

	done := make(chan []string, 1)
	go func() {
		v, _ := blocked.BLPop(ctx, 10*time.Second, "q").Result()
		done <- v
	}()
	// Wait until the client is blocked, then swap db 0 and 1.
	require.Eventually(t, func() bool {
		info := other.Info(ctx, "clients").Val()
		return regexpBlocked.FindStringSubmatch(info) != nil && regexpBlocked.FindStringSubmatch(info)[1] == "1"
	}, 5*time.Second, 5*time.Millisecond)
	require.Equal(t, "OK", other.Do(ctx, "SWAPDB", "0", "1").Val())
	select {
	case v := <-done:
		require.Equal(t, []string{"q", "item"}, v)
	case <-time.After(10 * time.Second):
		t.Fatal("BLPOP was not served after SWAPDB")
	}

	// WATCH a key that exists in db 1 only: SWAPDB makes EXEC fail.
	require.NoError(t, db1.Set(ctx, "w", "v", 0).Err())
	err := other.Watch(ctx, func(tx *redis.Tx) error {
		require.Equal(t, "OK", db1.Do(ctx, "SWAPDB", "0", "1").Val())
		_, err := tx.TxPipelined(ctx, func(p redis.Pipeliner) error {
			p.Get(ctx, "w")
			return nil
		})
		return err
	}, "w")
	require.ErrorIs(t, err, redis.TxFailedErr)
}

func TestSetGetIncrConcurrentClients(t *testing.T) {
	srv := hosttest.StartModhost(t)
	ctx := context.Background()
	const clients, incrs = 8, 200
	errs := make(chan error, clients)
	for i := 0; i < clients; i++ {
		c := srv.Client(t, 2+i%2)
		go func() {
			for j := 0; j < incrs; j++ {
				if err := c.Incr(ctx, "counter").Err(); err != nil {
					errs <- err
					return
				}
			}
			errs <- nil
		}()
	}
	for i := 0; i < clients; i++ {
		require.NoError(t, <-errs)
	}
	c := srv.Client(t, 3)
	require.Equal(t, strconv.Itoa(clients*incrs), c.Get(ctx, "counter").Val())
	require.Equal(t, "OK", c.MSet(ctx, "a", "1", "b", "2").Val())
	vals := c.MGet(ctx, "a", "b", "counter", "missing").Val()
	require.Equal(t, []any{"1", "2", strconv.Itoa(clients * incrs), nil}, vals)
	f := c.IncrByFloat(ctx, "f", 0.1).Val()
	require.Equal(t, 0.1, f)
	keys := c.Keys(ctx, "*").Val()
	sort.Strings(keys)
	require.Equal(t, []string{"a", "b", "counter", "f"}, keys)
}

// regexpBlocked finds INFO clients' blocked_clients count.
var regexpBlocked = regexp.MustCompile(`blocked_clients:(\d+)`)
