package main

import (
	"bytes"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/modhost/modhost/internal/hosttest"
)

// TestPersistKeySaveDelay checks rdb-key-save-delay: with a long pause per
// key a BGSAVE stays in progress (a second one is refused) until FLUSHALL
// kills it, and the kill does not wait for the pause to end; a negative
// value (a microsecond once every n keys) still saves. A negative
// key-load-delay (a microsecond once every n keys) still loads everything.
func TestPersistKeySaveDelay(t *testing.T) {
	dir := t.TempDir()
	s := startIn(t, hosttest.ModhostBin(t), dir)
	c := s.Conn(t)
	for _, k := range []string{"a", "b", "c"} {
		require.Equal(t, "+OK\r\n", string(c.Do("SET", k, "v")))
	}
	require.Equal(t, "+OK\r\n", string(c.Do("CONFIG", "SET", "rdb-key-save-delay", "100000000"))) // 100 s a key
	require.Equal(t, "*2\r\n$18\r\nrdb-key-save-delay\r\n$9\r\n100000000\r\n", string(c.Do("CONFIG", "GET", "rdb-key-save-delay")))
	require.Equal(t, "+Background saving started\r\n", string(c.Do("BGSAVE")))
	require.Contains(t, string(c.Do("INFO", "persistence")), "rdb_bgsave_in_progress:1\r\n")
	require.Equal(t, "-ERR Background save already in progress\r\n", string(c.Do("BGSAVE")))
	// FLUSHALL kills the save; its reply comes long before a key's pause.
	require.Equal(t, "+OK\r\n", string(c.Do("FLUSHALL")))
	require.Contains(t, string(c.Do("INFO", "persistence")), "rdb_bgsave_in_progress:0\r\n")

	require.Equal(t, "+OK\r\n", string(c.Do("SET", "a", "v")))
	require.Equal(t, "+OK\r\n", string(c.Do("CONFIG", "SET", "rdb-key-save-delay", "-3")))
	require.Equal(t, "+OK\r\n", string(c.Do("SAVE")))
	require.Equal(t, "+Background saving started\r\n", string(c.Do("BGSAVE")))
	require.Eventually(t, func() bool {
		return bytes.Contains(c.Do("INFO", "persistence"), []byte("rdb_bgsave_in_progress:0\r\n"))
	}, 10*time.Second, 5*time.Millisecond)
	require.Contains(t, string(c.Do("INFO", "persistence")), "rdb_last_bgsave_status:ok\r\n")

	require.Equal(t, "+OK\r\n", string(c.Do("DEBUG", "POPULATE", "100")))
	before := string(c.Do("DBSIZE"))
	require.Equal(t, "+OK\r\n", string(c.Do("CONFIG", "SET", "key-load-delay", "-3")))
	require.Equal(t, "+OK\r\n", string(c.Do("DEBUG", "RELOAD")))
	require.Equal(t, before, string(c.Do("DBSIZE")))
}
