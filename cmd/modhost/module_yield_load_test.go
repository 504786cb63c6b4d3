package main

import (
	"strings"
	"testing"
	"time"

	"github.com/modhost/modhost/internal/hosttest"
	"github.com/stretchr/testify/require"
)

// TestModuleYieldWhileLoadingDiff: an rdb_load that yields during DEBUG
// RELOAD lets other clients in: allow-loading commands run, the others
// get -LOADING, and the reload ends when the module lets it. Same replies
// on Redis 7.0 and modhost.
func TestModuleYieldWhileLoadingDiff(t *testing.T) {
	args := append(append([]string(nil), hosttest.DiffArgs...), "--enable-debug-command", "yes",
		"--busy-reply-threshold", "5000", "--loadmodule", moduleSO(t, "test_types"))
	run := func(srv *hosttest.Server) []string {
		c := srv.Conn(t)
		var out []string
		note := func(b []byte) { out = append(out, string(b)) }
		note(c.Do("TYPES.SET", "k", "slowload", "1", "2", "3"))
		rd := srv.Conn(t)
		start := time.Now()
		ch := sendAsync(t, rd, "DEBUG", "RELOAD")
		require.Eventually(t, func() bool { return string(c.Do("TYPES.INSLOWLOAD")) == ":1\r\n" },
			5*time.Second, 10*time.Millisecond, "the load never yielded")
		note(c.Do("PING"))
		note(c.Do("GET", "k"))
		loading := strings.Contains(string(c.Do("INFO", "persistence")), "loading:1")
		out = append(out, map[bool]string{true: "loading:1", false: "loading:0"}[loading])
		require.Less(t, time.Since(start), 2*time.Second, "clients waited for busy-reply-threshold")
		note(c.Do("TYPES.SLOWRELEASE"))
		note([]byte(recvReply(t, ch)))
		note(c.Do("TYPES.INSLOWLOAD"))
		note(c.Do("TYPES.GET", "k"))
		return out
	}
	want := run(hosttest.StartRedis(t, args...))
	require.Equal(t, "-LOADING Redis is loading the dataset in memory\r\n", want[1])
	require.Equal(t, want, run(hosttest.StartModhost(t, args...)))
}
