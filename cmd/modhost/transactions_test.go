package main

import (
	"context"
	"errors"
	"strconv"
	"sync"
	"testing"

	"github.com/redis/go-redis/v9"
	"github.com/stretchr/testify/require"
)

// TestTxWatchConcurrentIncrements runs optimistic WATCH/MULTI/EXEC
// increments from several clients at once: every lost race must make EXEC
// fail (redis.TxFailedErr) and be retried, so no increment is lost.
func TestTxWatchConcurrentIncrements(t *testing.T) {
	s := startModhost(t)
	ctx := context.Background()
	const workers, perWorker = 8, 40
	var wg sync.WaitGroup
	var mu sync.Mutex
	conflicts := 0
	errs := make(chan error, workers)
	for w := range workers {
		cl := s.Client(t, 2+w%2)
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range perWorker {
				for {
					err := cl.Watch(ctx, func(tx *redis.Tx) error {
						v, err := tx.Get(ctx, "counter").Int()
						if err != nil && !errors.Is(err, redis.Nil) {
							return err
						}
						_, err = tx.TxPipelined(ctx, func(p redis.Pipeliner) error {
							p.Set(ctx, "counter", strconv.Itoa(v+1), 0)
							return nil
						})
						return err
					}, "counter")
					if errors.Is(err, redis.TxFailedErr) {
						mu.Lock()
						conflicts++
						mu.Unlock()
						continue
					}
					if err != nil {
						errs <- err
						return
					}
					break
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		require.NoError(t, err)
	}
	got, err := s.Client(t, 2).Get(ctx, "counter").Int()
	require.NoError(t, err)
	require.Equal(t, workers*perWorker, got)
	t.Logf("%d conflicting transactions retried", conflicts)
}

// TestTxExecReplies checks EXEC's reply through go-redis: queued results
// and a run-time error inside the transaction.
func TestTxExecReplies(t *testing.T) {
	s := startModhost(t)
	ctx := context.Background()
	for _, proto := range []int{2, 3} {
		t.Run("RESP"+strconv.Itoa(proto), func(t *testing.T) {
			cl := s.Client(t, proto)
			require.NoError(t, cl.Set(ctx, "str", "text", 0).Err())
			cmds, err := cl.TxPipelined(ctx, func(p redis.Pipeliner) error {
				p.Set(ctx, "k", "1", 0)
				p.Incr(ctx, "str")
				p.IncrBy(ctx, "k", 5)
				return nil
			})
			require.Error(t, err)
			require.Len(t, cmds, 3)
			require.NoError(t, cmds[0].Err())
			require.EqualError(t, cmds[1].Err(), "ERR value is not an integer or out of range")
			require.Equal(t, int64(6), cmds[2].(*redis.IntCmd).Val())
		})
	}
}
