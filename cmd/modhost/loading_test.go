package main

import (
	"strings"
	"testing"
	"time"

	"github.com/modhost/modhost/internal/hosttest"
	"github.com/stretchr/testify/require"
)

// waitLoading polls INFO persistence on c until it shows loading:1 and
// returns that INFO reply; it fails the test if the load never shows.
func waitLoading(t *testing.T, c *hosttest.Conn) string {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		if info := string(c.Do("INFO", "persistence")); strings.Contains(info, "loading:1\r\n") {
			return info
		}
		time.Sleep(5 * time.Millisecond)
	}
	t.Fatal("the server never showed loading:1")
	return ""
}

// debugReloadSession slows DEBUG RELOAD down with key-load-delay and
// records what another client sees meanwhile: -LOADING for a data
// command, answers for commands flagged loading, and the data afterwards.
func debugReloadSession(t *testing.T, srv *hosttest.Server) []string {
	runner, other := srv.Conn(t), srv.Conn(t)
	require.Equal(t, "+OK\r\n", string(other.Do("DEBUG", "POPULATE", "2000")))
	require.Equal(t, "+OK\r\n", string(other.Do("CONFIG", "SET", "loading-process-events-interval-bytes", "1024")))
	require.Equal(t, "+OK\r\n", string(other.Do("CONFIG", "SET", "key-load-delay", "2000")))
	require.NoError(t, runner.Send(hosttest.AppendCommand(nil, "DEBUG", "RELOAD")))
	info := waitLoading(t, other)
	var out []string
	for _, f := range []string{"loading_start_time:", "loading_total_bytes:", "loading_loaded_bytes:", "loading_loaded_perc:", "loading_eta_seconds:"} {
		out = append(out, f+" "+boolText(strings.Contains(info, "\r\n"+f)))
	}
	out = append(out, string(other.Do("GET", "key:1")), string(other.Do("SET", "x", "1")),
		string(other.Do("ECHO", "hi")), string(other.Do("DBSIZE")))
	require.NoError(t, other.Send(hosttest.AppendCommand(nil, "CONFIG", "SET", "key-load-delay", "0")))
	f, err := other.ReadFrame()
	require.NoError(t, err)
	out = append(out, string(f.Raw))
	f, err = runner.ReadFrame()
	require.NoError(t, err)
	out = append(out, string(f.Raw), string(other.Do("GET", "key:1")), string(other.Do("DBSIZE")))
	return out
}

// boolText is "yes" or "no".
func boolText(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}

// TestDebugReloadServesLoading: while DEBUG RELOAD loads (slowed by
// key-load-delay), other clients get -LOADING or, for commands allowed
// while loading, their answer, and INFO shows loading:1 with the loading_*
// fields, as redis-server 7.0.15 does.
func TestDebugReloadServesLoading(t *testing.T) {
	want := debugReloadSession(t, hosttest.StartRedis(t, hosttest.DiffArgs...))
	got := debugReloadSession(t, hosttest.StartModhost(t, hosttest.DiffArgs...))
	require.Equal(t, want, got)
	require.Contains(t, got, "-LOADING Redis is loading the dataset in memory\r\n")
}
