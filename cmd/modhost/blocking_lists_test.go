package main

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/modhost/modhost/internal/hosttest"
)

// listInfoField returns one "name:value" field of INFO section.
func listInfoField(t *testing.T, c *hosttest.Conn, section, name string) string {
	t.Helper()
	f, err := c.Command("INFO", section)
	require.NoError(t, err)
	for _, line := range strings.Split(string(f.Str), "\r\n") {
		if v, ok := strings.CutPrefix(line, name+":"); ok {
			return v
		}
	}
	t.Fatalf("INFO %s has no %s", section, name)
	return ""
}

// listWaitBlocked waits until INFO clients reports n blocked clients.
func listWaitBlocked(t *testing.T, c *hosttest.Conn, n int) {
	t.Helper()
	want := fmt.Sprint(n)
	require.Eventually(t, func() bool { return listInfoField(t, c, "clients", "blocked_clients") == want },
		10*time.Second, 5*time.Millisecond, "blocked_clients never reached %d", n)
}

// listBlock sends a blocking command on c without reading its reply.
func listBlock(t *testing.T, c *hosttest.Conn, args ...string) {
	t.Helper()
	require.NoError(t, c.Send(hosttest.AppendCommand(nil, args...)))
}

// listReply reads the pending reply of a blocked command.
func listReply(t *testing.T, c *hosttest.Conn) string {
	t.Helper()
	f, err := c.ReadFrame()
	require.NoError(t, err)
	return string(f.Raw)
}

func TestBlockingListTimeoutReplies(t *testing.T) {
	srv := hosttest.StartModhost(t)
	tests := []struct {
		name  string
		args  []string
		resp2 string
		resp3 string
	}{
		{"blpop", []string{"BLPOP", "nokey", "0.05"}, "*-1\r\n", "_\r\n"},
		{"brpop", []string{"BRPOP", "a", "b", "0.05"}, "*-1\r\n", "_\r\n"},
		{"blmpop", []string{"BLMPOP", "0.05", "1", "a", "LEFT"}, "*-1\r\n", "_\r\n"},
		// A timed-out BLMOVE answers with a null array, like every list block.
		{"blmove", []string{"BLMOVE", "a", "b", "LEFT", "RIGHT", "0.05"}, "*-1\r\n", "_\r\n"},
		{"brpoplpush", []string{"BRPOPLPUSH", "a", "b", "0.05"}, "*-1\r\n", "_\r\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := srv.Conn(t)
			require.Equal(t, tt.resp2, string(c.Do(tt.args...)))
			c.Do("HELLO", "3")
			require.Equal(t, tt.resp3, string(c.Do(tt.args...)))
		})
	}
	admin := srv.Conn(t)
	listWaitBlocked(t, admin, 0)
}

func TestBlockingListServesOldestFirst(t *testing.T) {
	srv := hosttest.StartModhost(t)
	admin := srv.Conn(t)
	c1, c2 := srv.Conn(t), srv.Conn(t)
	listBlock(t, c1, "BLPOP", "q", "0")
	listWaitBlocked(t, admin, 1)
	listBlock(t, c2, "BLPOP", "other", "q", "0")
	listWaitBlocked(t, admin, 2)
	require.Equal(t, ":3\r\n", string(admin.Do("RPUSH", "q", "first", "second", "third")))
	require.Equal(t, "*2\r\n$1\r\nq\r\n$5\r\nfirst\r\n", listReply(t, c1))
	require.Equal(t, "*2\r\n$1\r\nq\r\n$6\r\nsecond\r\n", listReply(t, c2))
	require.Equal(t, "*1\r\n$5\r\nthird\r\n", string(admin.Do("LRANGE", "q", "0", "-1")))
	listWaitBlocked(t, admin, 0)
}

func TestBlockingListReExecutesOverAllKeys(t *testing.T) {
	// Redis 7.2 re-runs a woken command over all its keys in order: key b
	// wakes the client, but a (listed first) has data by then.
	srv := hosttest.StartModhost(t)
	admin := srv.Conn(t)
	c := srv.Conn(t)
	listBlock(t, c, "BLPOP", "a", "b", "0")
	listWaitBlocked(t, admin, 1)
	admin.Do("MULTI")
	admin.Do("RPUSH", "b", "vb")
	admin.Do("RPUSH", "a", "va")
	admin.Do("EXEC")
	require.Equal(t, "*2\r\n$1\r\na\r\n$2\r\nva\r\n", listReply(t, c))
	require.Equal(t, ":1\r\n", string(admin.Do("LLEN", "b")))
}

func TestBlockingListChainsAndWrongType(t *testing.T) {
	srv := hosttest.StartModhost(t)
	admin := srv.Conn(t)
	mover, popper, bad := srv.Conn(t), srv.Conn(t), srv.Conn(t)
	listBlock(t, mover, "BLMOVE", "src", "mid", "LEFT", "RIGHT", "0")
	listWaitBlocked(t, admin, 1)
	listBlock(t, popper, "BRPOP", "mid", "0")
	listWaitBlocked(t, admin, 2)
	// A string at the watched key does not wake anyone.
	admin.Do("SET", "str", "x")
	listBlock(t, bad, "BLMOVE", "src2", "str", "LEFT", "RIGHT", "0")
	listWaitBlocked(t, admin, 3)
	admin.Do("RPUSH", "src", "v")
	require.Equal(t, "$1\r\nv\r\n", listReply(t, mover))
	require.Equal(t, "*2\r\n$3\r\nmid\r\n$1\r\nv\r\n", listReply(t, popper))
	// Re-executed with a string destination: WRONGTYPE, element kept.
	admin.Do("RPUSH", "src2", "w")
	require.Equal(t, "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n", listReply(t, bad))
	require.Equal(t, ":1\r\n", string(admin.Do("LLEN", "src2")))
	listWaitBlocked(t, admin, 0)
}

func TestBlockingListOtherDB(t *testing.T) {
	srv := hosttest.StartModhost(t)
	admin := srv.Conn(t)
	c := srv.Conn(t)
	c.Do("SELECT", "1")
	listBlock(t, c, "BLPOP", "k", "0")
	listWaitBlocked(t, admin, 1)
	admin.Do("RPUSH", "k", "db0")
	admin.Do("SELECT", "1")
	admin.Do("RPUSH", "k", "db1")
	require.Equal(t, "*2\r\n$1\r\nk\r\n$3\r\ndb1\r\n", listReply(t, c))
	admin.Do("SELECT", "0")
	require.Equal(t, ":1\r\n", string(admin.Do("LLEN", "k")))
}

func TestBlockingListClientUnblock(t *testing.T) {
	srv := hosttest.StartModhost(t)
	admin := srv.Conn(t)
	tests := []struct {
		name   string
		args   []string
		reason []string
		want   string
	}{
		{"timeout", []string{"BLPOP", "k", "0"}, nil, "*-1\r\n"},
		{"explicit timeout", []string{"BLMOVE", "k", "d", "LEFT", "LEFT", "0"}, []string{"TIMEOUT"}, "*-1\r\n"},
		{"error", []string{"BLMPOP", "0", "1", "k", "LEFT"}, []string{"ERROR"}, "-UNBLOCKED client unblocked via CLIENT UNBLOCK\r\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := srv.Conn(t)
			id := strings.TrimSpace(strings.TrimPrefix(string(c.Do("CLIENT", "ID")), ":"))
			listBlock(t, c, tt.args...)
			listWaitBlocked(t, admin, 1)
			require.Equal(t, ":1\r\n", string(admin.Do(append([]string{"CLIENT", "UNBLOCK", id}, tt.reason...)...)))
			require.Equal(t, tt.want, listReply(t, c))
			listWaitBlocked(t, admin, 0)
			require.Equal(t, ":0\r\n", string(admin.Do("CLIENT", "UNBLOCK", id)))
			require.Equal(t, "+PONG\r\n", string(c.Do("PING")))
		})
	}
}

func TestBlockingListDisconnectFreesEverything(t *testing.T) {
	srv := hosttest.StartModhost(t)
	admin := srv.Conn(t)
	for i := 0; i < 100; i++ {
		c, err := hosttest.DialConn(srv.Addr)
		require.NoError(t, err)
		listBlock(t, c, "BLPOP", "k", "other", "0")
		listWaitBlocked(t, admin, 1)
		require.NoError(t, c.Close())
		listWaitBlocked(t, admin, 0)
	}
	// Only admin is left (not a count taken at the start: the harness's
	// readiness probe may still have been connected then).
	require.Eventually(t, func() bool { return listInfoField(t, admin, "clients", "connected_clients") == "1" },
		10*time.Second, 5*time.Millisecond, "clients: %s", admin.Do("CLIENT", "LIST"))
	// No ghost of a closed client consumes data.
	admin.Do("RPUSH", "k", "v")
	require.Equal(t, ":1\r\n", string(admin.Do("LLEN", "k")))
}
