package main

import (
	"strconv"
	"testing"
	"time"

	"github.com/modhost/modhost/internal/hosttest"
	"github.com/stretchr/testify/require"
)

// debugGoroutines returns DEBUG MODHOST-GOROUTINES, the server's goroutine
// count.
func debugGoroutines(t *testing.T, c *hosttest.Conn) int64 {
	t.Helper()
	f, err := c.Command("DEBUG", "MODHOST-GOROUTINES")
	require.NoError(t, err)
	require.Equal(t, byte(':'), f.Type, "reply %q", f.Raw)
	n, err := strconv.ParseInt(string(f.Str), 10, 64)
	require.NoError(t, err)
	return n
}

// leakCycle is one connect/use/disconnect round on a fresh connection;
// admin is a connection that stays open.
type leakCycle func(t *testing.T, s *hosttest.Server, admin *hosttest.Conn)

// dialLeak opens a connection that the cycle closes itself.
func dialLeak(t *testing.T, s *hosttest.Server) (*hosttest.Conn, string) {
	t.Helper()
	c := hosttest.Dial(t, s.Addr)
	return c, clientID(t, c)
}

// readFrame reads one reply or push from c.
func readFrame(t *testing.T, c *hosttest.Conn) string {
	t.Helper()
	f, err := c.ReadFrame()
	require.NoError(t, err)
	return string(f.Raw)
}

// TestServerReturnsToBaseline runs block/unblock/disconnect and pub/sub
// subscribe/disconnect loops and checks that goroutines, clients and
// blocked clients come back to where they started (no goroutine of a
// gone client left behind: blocked-read helpers, async writers, timers).
func TestServerReturnsToBaseline(t *testing.T) {
	s := hosttest.StartModhost(t, "--enable-debug-command", "yes")
	admin := s.Conn(t)
	cycles := []struct {
		name string
		run  leakCycle
	}{
		{"blpop, disconnect", func(t *testing.T, s *hosttest.Server, admin *hosttest.Conn) {
			c, _ := dialLeak(t, s)
			listBlock(t, c, "BLPOP", "leak:a", "0")
			listWaitBlocked(t, admin, 1)
			require.NoError(t, c.Close())
			listWaitBlocked(t, admin, 0)
		}},
		{"blpop served, disconnect", func(t *testing.T, s *hosttest.Server, admin *hosttest.Conn) {
			c, _ := dialLeak(t, s)
			listBlock(t, c, "BLPOP", "leak:b", "0")
			listWaitBlocked(t, admin, 1)
			require.Equal(t, ":1\r\n", string(admin.Do("LPUSH", "leak:b", "v")))
			require.Equal(t, "*2\r\n$6\r\nleak:b\r\n$1\r\nv\r\n", readFrame(t, c))
			require.NoError(t, c.Close())
		}},
		{"blpop timeout, disconnect", func(t *testing.T, s *hosttest.Server, admin *hosttest.Conn) {
			c, _ := dialLeak(t, s)
			listBlock(t, c, "BLPOP", "leak:c", "0.01")
			require.Equal(t, "*-1\r\n", readFrame(t, c))
			require.NoError(t, c.Close())
		}},
		{"blpop, client unblock, disconnect", func(t *testing.T, s *hosttest.Server, admin *hosttest.Conn) {
			c, id := dialLeak(t, s)
			listBlock(t, c, "BLPOP", "leak:d", "0")
			listWaitBlocked(t, admin, 1)
			require.Equal(t, ":1\r\n", string(admin.Do("CLIENT", "UNBLOCK", id)))
			require.Equal(t, "*-1\r\n", readFrame(t, c))
			require.NoError(t, c.Close())
		}},
		{"blpop, client kill", func(t *testing.T, s *hosttest.Server, admin *hosttest.Conn) {
			c, id := dialLeak(t, s)
			listBlock(t, c, "BLPOP", "leak:e", "0")
			listWaitBlocked(t, admin, 1)
			require.Equal(t, ":1\r\n", string(admin.Do("CLIENT", "KILL", "ID", id)))
			require.True(t, c.Closed(10*time.Second))
		}},
		{"subscribe, publish, disconnect", func(t *testing.T, s *hosttest.Server, admin *hosttest.Conn) {
			c, _ := dialLeak(t, s)
			require.Equal(t, "*3\r\n$9\r\nsubscribe\r\n$7\r\nleak:ch\r\n:1\r\n", string(c.Do("SUBSCRIBE", "leak:ch")))
			require.Equal(t, ":1\r\n", string(admin.Do("PUBLISH", "leak:ch", "m")))
			require.Equal(t, "*3\r\n$7\r\nmessage\r\n$7\r\nleak:ch\r\n$1\r\nm\r\n", readFrame(t, c))
			require.NoError(t, c.Close())
			require.Eventually(t, func() bool { return string(admin.Do("PUBLISH", "leak:ch", "m")) == ":0\r\n" },
				10*time.Second, 5*time.Millisecond)
		}},
		{"psubscribe, publish, client kill", func(t *testing.T, s *hosttest.Server, admin *hosttest.Conn) {
			c, id := dialLeak(t, s)
			require.Equal(t, "*3\r\n$10\r\npsubscribe\r\n$6\r\nleak:*\r\n:1\r\n", string(c.Do("PSUBSCRIBE", "leak:*")))
			require.Equal(t, ":1\r\n", string(admin.Do("PUBLISH", "leak:x", "m")))
			require.Equal(t, "*4\r\n$8\r\npmessage\r\n$6\r\nleak:*\r\n$6\r\nleak:x\r\n$1\r\nm\r\n", readFrame(t, c))
			require.Equal(t, ":1\r\n", string(admin.Do("CLIENT", "KILL", "ID", id)))
			require.True(t, c.Closed(10*time.Second))
			require.Eventually(t, func() bool { return string(admin.Do("PUBLISH", "leak:x", "m")) == ":0\r\n" },
				10*time.Second, 5*time.Millisecond)
		}},
		{"monitor, disconnect", func(t *testing.T, s *hosttest.Server, admin *hosttest.Conn) {
			c, _ := dialLeak(t, s)
			require.Equal(t, "+OK\r\n", string(c.Do("MONITOR")))
			require.Equal(t, "+PONG\r\n", string(admin.Do("PING")))
			require.Contains(t, readFrame(t, c), `"PING"`)
			require.NoError(t, c.Close())
		}},
	}
	// One warm-up round starts whatever the server starts lazily.
	for _, cy := range cycles {
		cy.run(t, s, admin)
	}
	waitClients := func(want string) {
		require.Eventually(t, func() bool { return listInfoField(t, admin, "clients", "connected_clients") == want },
			10*time.Second, 5*time.Millisecond, "connected_clients never came back to %s", want)
	}
	waitClients("1")
	base := debugGoroutines(t, admin)
	for _, cy := range cycles {
		t.Run(cy.name, func(t *testing.T) {
			for range 50 {
				cy.run(t, s, admin)
			}
			waitClients("1")
			listWaitBlocked(t, admin, 0)
			require.Eventually(t, func() bool { return debugGoroutines(t, admin) <= base },
				10*time.Second, 10*time.Millisecond, "goroutines: base %d, now %s", base,
				strconv.FormatInt(debugGoroutines(t, admin), 10))
		})
	}
}
