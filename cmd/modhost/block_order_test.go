package main

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/modhost/modhost/internal/hosttest"
)

// TestCoreAndModuleBlocksShareWakeOrder blocks a BLPOP client, a module
// client blocked on the same key (BlockClientOnKeys) and a second BLPOP
// client, then pushes three elements in one command. Redis 7.2+ (and
// modhost) examine the clients in the order they blocked while the key
// exists; 7.0 served list clients before module clients. Either way the
// BLPOPs get the first two elements in blocking order, the module client is
// told the key is ready, and one element is left. A push that a BLPOP
// empties at once does not wake the module client in 7.2+ (the key is gone
// by its turn), which is checked on modhost only.
func TestCoreAndModuleBlocksShareWakeOrder(t *testing.T) {
	so := moduleSO(t, "test_block")
	for _, kind := range []string{"redis", "modhost"} {
		t.Run(kind, func(t *testing.T) {
			args := []string{"--loadmodule", so}
			var srv *hosttest.Server
			if kind == "redis" {
				srv = hosttest.StartRedis(t, args...)
			} else {
				srv = hosttest.StartModhost(t, args...)
			}
			ctl := srv.Conn(t)
			first, mod, second := srv.Conn(t), srv.Conn(t), srv.Conn(t)
			r1 := sendAsync(t, first, "BLPOP", "wake:k", "0")
			waitModBlocked(t, ctl, 1)
			r2 := sendAsync(t, mod, "TBLOCK.KEYS", "0", "1", "wake:k")
			waitModBlocked(t, ctl, 2)
			r3 := sendAsync(t, second, "BLPOP", "wake:k", "0")
			waitModBlocked(t, ctl, 3)

			require.Equal(t, ":3\r\n", string(ctl.Do("RPUSH", "wake:k", "x", "y", "z")))
			require.Equal(t, "*2\r\n$6\r\nwake:k\r\n$1\r\nx\r\n", recvWithin(t, r1))
			require.Equal(t, "*2\r\n$6\r\nwake:k\r\n:1\r\n", recvWithin(t, r2))
			require.Equal(t, "*2\r\n$6\r\nwake:k\r\n$1\r\ny\r\n", recvWithin(t, r3))
			require.Equal(t, "*1\r\n$1\r\nz\r\n", string(ctl.Do("LRANGE", "wake:k", "0", "-1")))
			if kind == "redis" {
				return
			}
			// 7.2+: the BLPOP empties the key before the module client's
			// turn, so the module client stays blocked.
			r4 := sendAsync(t, first, "BLPOP", "wake:j", "0")
			waitModBlocked(t, ctl, 1)
			r5 := sendAsync(t, mod, "TBLOCK.KEYS", "0", "1", "wake:j")
			waitModBlocked(t, ctl, 2)
			require.Equal(t, ":1\r\n", string(ctl.Do("RPUSH", "wake:j", "x")))
			require.Equal(t, "*2\r\n$6\r\nwake:j\r\n$1\r\nx\r\n", recvWithin(t, r4))
			select {
			case got := <-r5:
				t.Fatalf("module client served although the key was gone: %q", got)
			case <-time.After(200 * time.Millisecond):
			}
			require.Equal(t, ":1\r\n", string(ctl.Do("RPUSH", "wake:j", "w")))
			require.Equal(t, "*2\r\n$6\r\nwake:j\r\n:1\r\n", recvWithin(t, r5))
		})
	}
}

// recvWithin waits for an async reply.
func recvWithin(t *testing.T, ch <-chan string) string {
	t.Helper()
	select {
	case got := <-ch:
		return got
	case <-time.After(10 * time.Second):
		t.Fatal("no reply within 10s")
		return ""
	}
}
