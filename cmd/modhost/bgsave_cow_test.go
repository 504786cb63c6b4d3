package main

import (
	"bytes"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/modhost/modhost/internal/hosttest"
)

// TestBgsaveCOWPointInTime writes to every kind of key, module type keys
// included, while a BGSAVE of 100,000 keys is in progress (slowed by
// rdb-key-save-delay), and checks that the file holds exactly the dataset
// of the moment BGSAVE was called: loaded into a fresh server it has the
// pre-BGSAVE DEBUG DIGEST and values, while the live server has moved on.
func TestBgsaveCOWPointInTime(t *testing.T) {
	dir := t.TempDir()
	s := startIn(t, hosttest.ModhostBin(t), dir, typesArgs(t)...)
	c := s.Conn(t)
	populateTypes(t, c)
	require.Equal(t, "+OK\r\n", string(c.Do("DEBUG", "POPULATE", "100000")))
	for i := 0; i < 50; i++ {
		require.Equal(t, "+OK\r\n", string(c.Do("TYPES.SET", fmt.Sprintf("m:%d", i), "before", "1", "2", "3", "4")))
		require.NotEqual(t, byte('-'), c.Do("RPUSH", fmt.Sprintf("l:%d", i), "a", "b")[0])
		require.NotEqual(t, byte('-'), c.Do("HSET", fmt.Sprintf("h:%d", i), "f", "v")[0])
	}
	want := string(c.Do("DEBUG", "DIGEST"))
	wantM1 := string(c.Do("TYPES.GET", "m:1"))
	wantR1 := string(c.Do("TYPES.GET", "r1"))

	require.Equal(t, "+OK\r\n", string(c.Do("CONFIG", "SET", "rdb-key-save-delay", "-20")))
	require.Equal(t, "+Background saving started\r\n", string(c.Do("BGSAVE")))
	for i := 0; i < 50; i++ {
		for _, cmd := range [][]string{
			{"TYPES.SET", fmt.Sprintf("m:%d", i), "during", "9", "9", "9"},
			{"RPUSH", fmt.Sprintf("l:%d", i), "c"},
			{"HSET", fmt.Sprintf("h:%d", i), "g", "w"},
			{"APPEND", fmt.Sprintf("key:%d", i*997), "-appended"},
			{"DEL", fmt.Sprintf("key:%d", i*991+1)},
			{"RENAME", fmt.Sprintf("key:%d", i*983+2), fmt.Sprintf("moved:%d", i)},
			{"SET", fmt.Sprintf("new:%d", i), "x"},
		} {
			require.NotEqual(t, byte('-'), c.Do(cmd...)[0], "%v", cmd)
		}
	}
	require.Equal(t, ":1\r\n", string(c.Do("DEL", "r1")))
	// The writes above ran while the save was still in progress.
	require.Contains(t, string(c.Do("INFO", "persistence")), "rdb_bgsave_in_progress:1\r\n")
	require.Eventually(t, func() bool {
		return bytes.Contains(c.Do("INFO", "persistence"), []byte("rdb_bgsave_in_progress:0\r\n"))
	}, 120*time.Second, 20*time.Millisecond)
	require.Contains(t, string(c.Do("INFO", "persistence")), "rdb_last_bgsave_status:ok\r\n")
	require.NotEqual(t, want, string(c.Do("DEBUG", "DIGEST")))
	s.Kill()

	s2 := startIn(t, hosttest.ModhostBin(t), dir, typesArgs(t)...)
	c2 := s2.Conn(t)
	require.Equal(t, want, string(c2.Do("DEBUG", "DIGEST")))
	require.Equal(t, wantM1, string(c2.Do("TYPES.GET", "m:1")))
	require.Equal(t, wantR1, string(c2.Do("TYPES.GET", "r1")))
	require.Equal(t, "+list\r\n", string(c2.Do("TYPE", "l:1")))
	require.Equal(t, ":2\r\n", string(c2.Do("LLEN", "l:1")))
}
