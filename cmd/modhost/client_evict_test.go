package main

import (
	"errors"
	"io"
	"net"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/modhost/modhost/internal/hosttest"
)

// closedBy reads and discards what nc receives until the server closes
// it (true) or nothing arrives for quiet (false).
func closedBy(nc net.Conn, quiet time.Duration) bool {
	buf := make([]byte, 1<<20)
	for {
		_ = nc.SetReadDeadline(time.Now().Add(quiet))
		_, err := nc.Read(buf)
		if err == nil {
			continue
		}
		var ne net.Error
		if errors.As(err, &ne) && ne.Timeout() || errors.Is(err, os.ErrDeadlineExceeded) {
			return false
		}
		return errors.Is(err, io.EOF) || strings.Contains(err.Error(), "reset")
	}
}

// evictionOutcome runs the maxmemory-clients scenario on one server and
// returns what a user sees: which of the three clients were closed and
// INFO's evicted_clients.
func evictionOutcome(t *testing.T, srv *hosttest.Server) []string {
	admin := srv.Conn(t)
	// The admin connection is protected too: once only protected clients
	// hold the memory, Redis evicts every other client, however small.
	require.Equal(t, "+OK\r\n", string(admin.Do("CLIENT", "NO-EVICT", "on")))
	require.Equal(t, "+OK\r\n", string(admin.Do("CONFIG", "SET", "maxmemory-clients", "4mb")))
	require.Equal(t, "+OK\r\n", string(admin.Do("SET", "big", strings.Repeat("v", 1<<20))))
	dial := func() net.Conn {
		nc, err := net.DialTimeout("tcp", srv.Addr, 5*time.Second)
		require.NoError(t, err)
		t.Cleanup(func() { nc.Close() })
		return nc
	}
	var out []string

	// A query buffer holding part of a 6 MB argument.
	q := dial()
	// The write may fail part way: the server can close the connection
	// before it has taken all the bytes.
	_, _ = q.Write([]byte("*2\r\n$4\r\nECHO\r\n$6000000\r\n" + strings.Repeat("x", 5<<20)))
	out = append(out, "query buffer client closed: "+boolWord(closedBy(q, 3*time.Second)))

	// A protected client (NO-EVICT) that does not read 64 MB of replies,
	// then an unprotected one doing the same.
	keep := dial()
	_, err := keep.Write(hosttest.AppendCommand(nil, "CLIENT", "NO-EVICT", "on"))
	require.NoError(t, err)
	var gets []byte
	for range 64 {
		gets = hosttest.AppendCommand(gets, "GET", "big")
	}
	_, err = keep.Write(gets)
	require.NoError(t, err)
	require.Eventually(t, func() bool {
		return strings.Count(string(admin.Do("CLIENT", "LIST")), "flags=e") == 2
	}, 10*time.Second, 20*time.Millisecond)
	greedy := dial()
	_, err = greedy.Write(gets)
	require.NoError(t, err)
	require.Eventually(t, func() bool { return infoFieldRaw(t, admin, "stats", "evicted_clients") == "2" },
		10*time.Second, 20*time.Millisecond, "evicted_clients never reached 2")
	out = append(out, "reader without NO-EVICT closed: "+boolWord(closedBy(greedy, 3*time.Second)))
	out = append(out, "NO-EVICT reader closed: "+boolWord(closedBy(keep, 500*time.Millisecond)))
	out = append(out, "evicted_clients: "+infoFieldRaw(t, admin, "stats", "evicted_clients"))

	// A percentage of maxmemory 0 means no limit.
	require.Equal(t, "+OK\r\n", string(admin.Do("CONFIG", "SET", "maxmemory-clients", "10%")))
	q2 := dial()
	_, _ = q2.Write([]byte("*2\r\n$4\r\nECHO\r\n$6000000\r\n" + strings.Repeat("x", 5<<20)))
	out = append(out, "with 10% of no maxmemory, query buffer client closed: "+boolWord(closedBy(q2, time.Second)))
	return out
}

func boolWord(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}

// infoFieldRaw is infoField without failing when the field is missing.
func infoFieldRaw(t *testing.T, c *hosttest.Conn, section, name string) string {
	f, err := c.Command("INFO", section)
	require.NoError(t, err)
	for _, l := range strings.Split(string(f.Str), "\r\n") {
		if v, ok := strings.CutPrefix(l, name+":"); ok {
			return v
		}
	}
	return "(missing)"
}

// TestClientEvictionMatchesRedis: with maxmemory-clients 4mb, a client
// whose query buffer or unread output passes the limit is closed and
// counted in evicted_clients, a CLIENT NO-EVICT client is kept, and a
// percentage without maxmemory sets no limit — as redis-server does.
func TestClientEvictionMatchesRedis(t *testing.T) {
	ref := evictionOutcome(t, hosttest.StartRedis(t, "--save", ""))
	cand := evictionOutcome(t, hosttest.StartModhost(t, "--save", ""))
	require.Equal(t, []string{
		"query buffer client closed: yes",
		"reader without NO-EVICT closed: yes",
		"NO-EVICT reader closed: no",
		"evicted_clients: 2",
		"with 10% of no maxmemory, query buffer client closed: no",
	}, ref, "redis-server's behaviour changed")
	require.Equal(t, ref, cand)
}
