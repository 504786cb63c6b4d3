package main

import (
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/modhost/modhost/internal/hosttest"
	"github.com/stretchr/testify/require"
)

// The parts of client-side caching and CLIENT PAUSE that show client ids or
// INFO fields, which testdata/diff/tracking.txt and pause.txt cannot
// compare byte for byte. Each check runs against redis-server 7.0.15 and
// modhost with the same expectations.

func forBothServers(t *testing.T, check func(t *testing.T, s *hosttest.Server)) {
	t.Run("redis", func(t *testing.T) { check(t, hosttest.StartRedis(t, hosttest.DiffArgs...)) })
	t.Run("modhost", func(t *testing.T) { check(t, startModhost(t)) })
}

// waitFor polls cond until it holds; it fails the test after 20 s (a bound
// for a loaded machine, not a timing assertion).
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(20 * time.Second); !cond(); time.Sleep(5 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("still waiting for %s", what)
		}
	}
}

// clientFlags returns the flags= field of CLIENT INFO.
func clientFlags(c *hosttest.Conn) string {
	m := regexp.MustCompile(` flags=(\S*) `).FindStringSubmatch(string(c.Do("CLIENT", "INFO")))
	if m == nil {
		return ""
	}
	return m[1]
}

// TestTrackingRedirectIDs checks GETREDIR, TRACKINGINFO's redirect, CLIENT
// LIST's redir= and flags, and what happens when the redirect client goes
// away: a tracking-redir-broken push, the broken_redirect flag and 'R'.
func TestTrackingRedirectIDs(t *testing.T) {
	forBothServers(t, func(t *testing.T, s *hosttest.Server) {
		r := s.Conn(t)
		rid := clientID(t, r)
		tc := s.Conn(t)
		tc.Do("HELLO", "3")
		require.Equal(t, "+OK\r\n", string(tc.Do("CLIENT", "TRACKING", "on", "REDIRECT", rid)))
		require.Equal(t, ":"+rid+"\r\n", string(tc.Do("CLIENT", "GETREDIR")))
		require.Equal(t, "%3\r\n$5\r\nflags\r\n~1\r\n$2\r\non\r\n$8\r\nredirect\r\n:"+rid+"\r\n$8\r\nprefixes\r\n*0\r\n",
			string(tc.Do("CLIENT", "TRACKINGINFO")))
		info := string(tc.Do("CLIENT", "INFO"))
		require.Contains(t, info, " flags=t ")
		require.Contains(t, info, " redir="+rid+" ")
		require.Contains(t, string(r.Do("CLIENT", "LIST", "ID", clientID(t, tc))), " redir="+rid+" ")

		r.Close()
		w := s.Conn(t)
		waitFor(t, "the redirect client to go", func() bool {
			return !strings.Contains(string(w.Do("CLIENT", "LIST", "ID", rid)), "id="+rid+" ")
		})
		require.Equal(t, "_\r\n", string(tc.Do("GET", "k")))
		require.Equal(t, "+OK\r\n", string(w.Do("SET", "k", "v")))
		f, err := tc.ReadFrame()
		require.NoError(t, err)
		require.Equal(t, ">2\r\n$21\r\ntracking-redir-broken\r\n:"+rid+"\r\n", string(f.Raw))
		require.Equal(t, "%3\r\n$5\r\nflags\r\n~2\r\n$2\r\non\r\n$15\r\nbroken_redirect\r\n$8\r\nredirect\r\n:"+rid+"\r\n$8\r\nprefixes\r\n*0\r\n",
			string(tc.Do("CLIENT", "TRACKINGINFO")))
		require.Equal(t, "tR", clientFlags(tc))
		require.Equal(t, "+OK\r\n", string(tc.Do("CLIENT", "TRACKING", "off")))
		require.Equal(t, "N", clientFlags(tc))
		require.Equal(t, ":-1\r\n", string(tc.Do("CLIENT", "GETREDIR")))

		b := s.Conn(t)
		require.Equal(t, "+OK\r\n", string(b.Do("CLIENT", "TRACKING", "on", "BCAST")))
		require.Equal(t, "tB", clientFlags(b))
		require.Contains(t, string(b.Do("CLIENT", "INFO")), " redir=0 ")
	})
}

// TestTrackingInfoFields checks INFO's tracking_clients and
// tracking_total_keys/items/prefixes as clients read, subscribe prefixes,
// stop tracking and disconnect.
func TestTrackingInfoFields(t *testing.T) {
	forBothServers(t, func(t *testing.T, s *hosttest.Server) {
		admin := s.Conn(t)
		fields := func() string {
			return fmt.Sprintf("%s %s %s %s", infoField(t, admin, "clients", "tracking_clients"),
				infoField(t, admin, "stats", "tracking_total_keys"),
				infoField(t, admin, "stats", "tracking_total_items"),
				infoField(t, admin, "stats", "tracking_total_prefixes"))
		}
		require.Equal(t, "0 0 0 0", fields())
		c1 := s.Conn(t)
		c1.Do("CLIENT", "TRACKING", "on")
		c1.Do("MGET", "a", "b", "c")
		require.Equal(t, "1 3 3 0", fields())
		c2 := s.Conn(t)
		c2.Do("CLIENT", "TRACKING", "on")
		c2.Do("GET", "a")
		c2.Do("SET", "x", "1") // a write remembers nothing
		require.Equal(t, "2 3 4 0", fields())
		c3 := s.Conn(t)
		c3.Do("CLIENT", "TRACKING", "on", "BCAST", "PREFIX", "p", "PREFIX", "q")
		c4 := s.Conn(t)
		c4.Do("CLIENT", "TRACKING", "on", "BCAST", "PREFIX", "p")
		require.Equal(t, "4 3 4 2", fields())
		c3.Do("CLIENT", "TRACKING", "off")
		require.Equal(t, "3 3 4 1", fields())
		admin.Do("SET", "a", "2") // invalidates a for c1 and c2
		require.Equal(t, "3 2 2 1", fields())
		c1.Close()
		waitFor(t, "c1 to go", func() bool { return infoField(t, admin, "clients", "tracking_clients") == "2" })
		require.Equal(t, "2 2 2 1", fields()) // its ids are dropped lazily
		admin.Do("FLUSHALL")
		require.Equal(t, "2 0 0 1", fields())
	})
}

// TestTrackingTableMaxKeys checks tracking-table-max-keys: over the limit,
// keys leave the table with an invalidation, as if they had changed.
func TestTrackingTableMaxKeys(t *testing.T) {
	forBothServers(t, func(t *testing.T, s *hosttest.Server) {
		w := s.Conn(t)
		require.Equal(t, "+OK\r\n", string(w.Do("CONFIG", "SET", "tracking-table-max-keys", "1")))
		c := s.Conn(t)
		c.Do("HELLO", "3")
		c.Do("CLIENT", "TRACKING", "on")
		c.Do("MGET", "a", "b")
		w.Do("PING") // the limit is applied before each command
		f, err := c.ReadFrame()
		require.NoError(t, err)
		require.Regexp(t, `^>2\r\n\$10\r\ninvalidate\r\n\*1\r\n\$1\r\n[ab]\r\n$`, string(f.Raw))
		require.Equal(t, "1", infoField(t, w, "stats", "tracking_total_keys"))
		require.Equal(t, "+PONG\r\n", string(c.Do("PING")))
	})
}

// TestClientPauseIntrospection checks what a client waiting in a pause
// looks like: counted in blocked_clients, flag 'b', and its write runs
// once UNPAUSE comes.
func TestClientPauseIntrospection(t *testing.T) {
	forBothServers(t, func(t *testing.T, s *hosttest.Server) {
		admin := s.Conn(t)
		w := s.Conn(t)
		wid := clientID(t, w)
		require.Equal(t, "+OK\r\n", string(admin.Do("CLIENT", "PAUSE", "100000", "WRITE")))
		require.NoError(t, w.Send(hosttest.AppendCommand(nil, "SET", "k", "v")))
		waitFor(t, "the write to wait", func() bool { return infoField(t, admin, "clients", "blocked_clients") == "1" })
		require.Contains(t, string(admin.Do("CLIENT", "LIST", "ID", wid)), " flags=b ")
		require.Equal(t, "$-1\r\n", string(admin.Do("GET", "k")))
		require.Equal(t, "+OK\r\n", string(admin.Do("CLIENT", "UNPAUSE")))
		f, err := w.ReadFrame()
		require.NoError(t, err)
		require.Equal(t, "+OK\r\n", string(f.Raw))
		require.Equal(t, "0", infoField(t, admin, "clients", "blocked_clients"))
		require.Equal(t, "$1\r\nv\r\n", string(admin.Do("GET", "k")))
	})
}

// TestClientPauseOverflow: Redis 7.2 refuses a timeout that overflows when
// added to the current time; 7.0.15 lets it wrap (and accepts it), so this
// runs on modhost only.
func TestClientPauseOverflow(t *testing.T) {
	s := startModhost(t)
	c := s.Conn(t)
	require.Equal(t, "-ERR timeout is out of range\r\n", string(c.Do("CLIENT", "PAUSE", "9223372036854775807")))
	require.Equal(t, "+OK\r\n", string(c.Do("SET", "k", "v")))
}
