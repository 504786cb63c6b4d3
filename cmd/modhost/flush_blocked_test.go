package main

import (
	"testing"

	"github.com/stretchr/testify/require"
)

// TestFlushWakesBlockedOnDeleted checks Redis 7.2's signalFlushedDb: a
// flush signals every key clients are blocked on as deleted, so a module
// client blocked with REDISMODULE_BLOCK_UNBLOCK_DELETED (TBLOCK.KEYSDEL)
// and a blocked XREADGROUP are served, while the other blocked clients
// (a plain keys block, XREAD) look, find no key and keep waiting. Redis
// 7.0.15 has no REDISMODULE_BLOCK_UNBLOCK_DELETED and answers XREADGROUP
// with another error text, so this is not a differential test; the core
// part that 7.0 shares is in testdata/diff/flush_blocked.txt.
func TestFlushWakesBlockedOnDeleted(t *testing.T) {
	s := startBlockServer(t)
	ctl := s.Conn(t)
	a := s.Conn(t)

	t.Run("flushall module unblock-deleted", func(t *testing.T) {
		require.Equal(t, ":1\r\n", string(ctl.Do("RPUSH", "gone", "x")))
		ch := sendAsync(t, a, "tblock.keysdel", "0", "gone")
		waitModBlocked(t, ctl, 1)
		require.Equal(t, "+OK\r\n", string(ctl.Do("FLUSHALL")))
		require.Equal(t, "*2\r\n$4\r\ngone\r\n:1\r\n", recvWithin(t, ch))
		waitModBlocked(t, ctl, 0)
	})

	t.Run("flushdb of another db leaves it blocked", func(t *testing.T) {
		require.Equal(t, ":1\r\n", string(ctl.Do("RPUSH", "k", "x")))
		ch := sendAsync(t, a, "tblock.keysdel", "0", "k")
		waitModBlocked(t, ctl, 1)
		require.Equal(t, "+OK\r\n", string(ctl.Do("SELECT", "1")))
		require.Equal(t, ":1\r\n", string(ctl.Do("RPUSH", "k", "x")))
		require.Equal(t, "+OK\r\n", string(ctl.Do("FLUSHDB")))
		waitModBlocked(t, ctl, 1)
		select {
		case r := <-ch:
			t.Fatalf("served by the flush of db 1: %q", r)
		default:
		}
		require.Equal(t, "+OK\r\n", string(ctl.Do("SELECT", "0")))
		require.Equal(t, "+OK\r\n", string(ctl.Do("FLUSHDB", "ASYNC")))
		require.Equal(t, "*2\r\n$1\r\nk\r\n:1\r\n", recvWithin(t, ch))
		waitModBlocked(t, ctl, 0)
	})

	t.Run("module keys block without the flag keeps waiting", func(t *testing.T) {
		require.Equal(t, ":1\r\n", string(ctl.Do("RPUSH", "k", "x")))
		ch := sendAsync(t, a, "tblock.keys", "0", "1", "k")
		waitModBlocked(t, ctl, 1)
		require.Equal(t, "+OK\r\n", string(ctl.Do("FLUSHALL")))
		waitModBlocked(t, ctl, 1)
		// The reply callback was not called for the missing key: the first
		// call (calls = 1) is the one after the key is back.
		require.Equal(t, ":1\r\n", string(ctl.Do("RPUSH", "k", "y")))
		require.Equal(t, "*2\r\n$1\r\nk\r\n:1\r\n", recvWithin(t, ch))
		waitModBlocked(t, ctl, 0)
	})

	t.Run("xread keeps waiting, xreadgroup gets NOGROUP", func(t *testing.T) {
		require.Equal(t, "+OK\r\n", string(ctl.Do("FLUSHALL")))
		require.Equal(t, "$3\r\n1-0\r\n", string(ctl.Do("XADD", "s", "1-0", "f", "v")))
		require.Equal(t, "+OK\r\n", string(ctl.Do("XGROUP", "CREATE", "s", "g", "$")))
		reader := sendAsync(t, a, "XREAD", "BLOCK", "0", "STREAMS", "s", "$")
		b := s.Conn(t)
		group := sendAsync(t, b, "XREADGROUP", "GROUP", "g", "c", "BLOCK", "0", "STREAMS", "s", ">")
		waitModBlocked(t, ctl, 2)
		require.Equal(t, "+OK\r\n", string(ctl.Do("FLUSHDB")))
		require.Equal(t, noGroupReply, recvWithin(t, group))
		waitModBlocked(t, ctl, 1)
		require.Equal(t, "$3\r\n2-0\r\n", string(ctl.Do("XADD", "s", "2-0", "f", "w")))
		require.Equal(t, "*1\r\n*2\r\n$1\r\ns\r\n*1\r\n*2\r\n$3\r\n2-0\r\n*2\r\n$1\r\nf\r\n$1\r\nw\r\n", recvWithin(t, reader))
		waitModBlocked(t, ctl, 0)
	})
}
