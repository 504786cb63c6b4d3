package main

import (
	"fmt"
	"os"
	"strconv"
	"strings"
	"testing"

	"github.com/modhost/modhost/internal/hosttest"
	"github.com/stretchr/testify/require"
)

// registries reads DEBUG MODHOST-REGISTRIES as a map.
func registries(t *testing.T, c *hosttest.Conn) map[string]int64 {
	t.Helper()
	f, err := c.Command("DEBUG", "MODHOST-REGISTRIES")
	require.NoError(t, err)
	require.Equal(t, byte('$'), f.Type, "reply %q", f.Raw)
	out := map[string]int64{}
	for _, l := range strings.Split(strings.TrimSpace(string(f.Str)), "\r\n") {
		k, v, ok := strings.Cut(l, ":")
		require.True(t, ok, l)
		n, err := strconv.ParseInt(v, 10, 64)
		require.NoError(t, err, l)
		out[k] = n
	}
	return out
}

// processRSS is the resident set size of pid in kB (/proc/<pid>/status).
func processRSS(t *testing.T, pid int) int64 {
	t.Helper()
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	require.NoError(t, err)
	for _, l := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(l, "VmRSS:"); ok {
			n, err := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), 10, 64)
			require.NoError(t, err, l)
			return n
		}
	}
	t.Fatalf("no VmRSS in /proc/%d/status", pid)
	return 0
}

// TestModuleLoadUnloadRegistries loads and unloads test_everything (which
// registers one of every kind of thing) 500 times to warm up, then 1,000
// times more, every tenth time as a failed OnLoad that registers a data
// type too: afterwards every registry is back to its size before the
// first load, and RSS has grown less than 5% over the warmed-up server.
// The server runs with GOGC=25 so that RSS follows the live heap: with the
// default 100 the heap goal keeps drifting up for several hundred cycles
// (about +45% RSS over the first 500, +8% over the next 1,000, flat from
// about 750 to 3,000), which would hide a leak as well as fake one.
func TestModuleLoadUnloadRegistries(t *testing.T) {
	so := moduleSO(t, "test_everything")
	t.Setenv("GOGC", "25") // inherited by the server
	s := startModhost(t, "--save", "")
	c := s.Conn(t)
	base := registries(t, c)

	// While loaded, the registries hold the module's registrations, and
	// Redis's unload refusal for a pending timer still applies.
	require.Equal(t, "+OK\r\n", string(c.Do("MODULE", "LOAD", so, "nodel")))
	loaded := registries(t, c)
	for name, more := range map[string]int64{
		"modules": 1, "commands": 4, "subcommands": 1, "server_event_listeners": 1,
		"keyspace_subscribers": 1, "command_filters": 1, "shared_apis": 1, "module_configs": 2,
		"timers": 1, "eventloop_fds": 1, "info_callbacks": 1, "module_users": 1, "auth_callbacks": 1,
	} {
		require.Equal(t, base[name]+more, loaded[name], "%s while loaded", name)
	}
	require.Equal(t, ":1\r\n", string(c.Do("EVERYTHING.JOBS")), "post-notification job of OnLoad's SET")
	require.Equal(t, "-ERR Error unloading module: the module holds timer that is not fired. Please stop the timer or wait until it fires.\r\n",
		string(c.Do("MODULE", "UNLOAD", "everything")))
	require.Equal(t, ":1\r\n", string(c.Do("EVERYTHING.DISARM")))
	require.Equal(t, "+OK\r\n", string(c.Do("MODULE", "UNLOAD", "everything")))
	require.Equal(t, base, registries(t, c), "after one load and unload")

	cycle := func(i int) {
		if i%10 == 0 {
			require.Equal(t, "-ERR Error loading the extension. Please check the server logs.\r\n",
				string(c.Do("MODULE", "LOAD", so, "fail", "nodel")), "cycle %d", i)
			return
		}
		args := []string{"MODULE", "LOAD", so}
		if i%2 == 1 {
			args = append(args, "nodel") // leave the event-loop fd to the server
		}
		require.Equal(t, "+OK\r\n", string(c.Do(args...)), "cycle %d", i)
		require.Equal(t, ":1\r\n", string(c.Do("EVERYTHING.DISARM")), "cycle %d", i)
		require.Equal(t, "+OK\r\n", string(c.Do("MODULE", "UNLOAD", "everything")), "cycle %d", i)
	}
	const warmup, total = 500, 1500
	for i := 1; i < warmup; i++ {
		cycle(i)
	}
	rssWarm := processRSS(t, s.PID())
	for i := warmup; i <= total; i++ {
		cycle(i)
	}
	require.Equal(t, base, registries(t, c), "after %d cycles", total)
	rss := processRSS(t, s.PID())
	t.Logf("RSS after warm-up %d kB, after %d cycles %d kB", rssWarm, total, rss)
	require.Less(t, float64(rss), float64(rssWarm)*1.05, "RSS grew from %d kB to %d kB", rssWarm, rss)
	require.Equal(t, "+PONG\r\n", string(c.Do("PING")))
}
