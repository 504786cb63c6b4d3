package main

import (
	"os"
	"strings"
	"testing"
	"time"

	"github.com/modhost/modhost/internal/hosttest"
	"github.com/stretchr/testify/require"
)

// bgsaveErrorTranscript makes srv's BGSAVE fail (its directory dir is
// removed) and returns the replies that follow: writes and PING refused
// with MISCONF while stop-writes-on-bgsave-error holds, reads and
// non-writing scripts served, writes back once the directive is off or a
// save succeeds.
func bgsaveErrorTranscript(t *testing.T, srv *hosttest.Server, dir string) []string {
	c := srv.Conn(t)
	var out []string
	do := func(args ...string) { out = append(out, strings.Join(args, " ")+" => "+string(c.Do(args...))) }
	status := func() string {
		info := string(c.Do("INFO", "persistence"))
		require.Eventually(t, func() bool {
			info = string(c.Do("INFO", "persistence"))
			return strings.Contains(info, "rdb_bgsave_in_progress:0")
		}, 10*time.Second, 20*time.Millisecond)
		for _, l := range strings.Split(info, "\r\n") {
			if strings.HasPrefix(l, "rdb_last_bgsave_status:") {
				return l
			}
		}
		return "no status"
	}
	do("SET", "k", "v")
	require.NoError(t, os.RemoveAll(dir))
	c.Do("BGSAVE")
	out = append(out, status())
	do("SET", "k", "w")
	do("PING")
	do("GET", "k")
	do("EVAL", "return redis.call('set', KEYS[1], 'x')", "1", "k")
	do("EVAL", "#!lua flags=no-writes\nreturn redis.call('get', KEYS[1])", "1", "k")
	do("EVAL", "#!lua\nreturn redis.call('set', KEYS[1], 'x')", "1", "k")
	do("CONFIG", "SET", "stop-writes-on-bgsave-error", "no")
	do("SET", "k", "w")
	do("CONFIG", "SET", "stop-writes-on-bgsave-error", "yes")
	do("SET", "k", "w")
	require.NoError(t, os.MkdirAll(dir, 0o755))
	c.Do("BGSAVE")
	out = append(out, status())
	do("SET", "k", "z")
	do("GET", "k")
	return out
}

// TestStopWritesOnBgsaveError: after a failed BGSAVE, with save points
// and stop-writes-on-bgsave-error yes, writes, PING and writing scripts
// get Redis's MISCONF errors until a save succeeds or the directive is
// turned off; compared with redis-server 7.0.15.
func TestStopWritesOnBgsaveError(t *testing.T) {
	run := func(bin string) []string {
		dir := t.TempDir()
		srv := hosttest.StartServer(t, bin, "--dir", dir, "--save", "3600 1000000", "--appendonly", "no")
		return bgsaveErrorTranscript(t, srv, dir)
	}
	want := run(hosttest.RedisBin(t))
	got := run(hosttest.ModhostBin(t))
	require.Equal(t, want, got)
	require.Contains(t, got, "SET k w => -"+"MISCONF Redis is configured to save RDB snapshots, but it's currently unable to persist to disk. Commands that may modify the data set are disabled, because this instance is configured to report errors during writes if RDB snapshotting fails (stop-writes-on-bgsave-error option). Please check the Redis logs for details about the RDB error.\r\n")
}
