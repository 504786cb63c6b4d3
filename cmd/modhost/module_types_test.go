package main

import (
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/modhost/modhost/internal/hosttest"
	"github.com/stretchr/testify/require"
)

func TestModuleTypesFreeAndAux(t *testing.T) {
	s := hosttest.StartServer(t, hosttest.ModhostBin(t), persistArgs(t.TempDir(), typesArgs(t, "--enable-module-command", "yes")...)...)
	c := s.Conn(t)
	// TYPES.COUNTERS: free, unlink, free_effort, copy, aux_save, aux_save
	// of the version-1 types (which must never run).
	steps := []struct {
		cmd  []string
		want string
	}{
		{[]string{"TYPES.SET", "a", "x", "1", "1", "1"}, "+OK\r\n"},
		{[]string{"TYPES.SET", "a", "y", "1", "1", "1"}, "+OK\r\n"}, // replaces: old value unlinked and freed at once
		{[]string{"TYPES.COUNTERS"}, "*6\r\n:1\r\n:1\r\n:0\r\n:0\r\n:0\r\n:0\r\n"},
		{[]string{"DEL", "a"}, ":1\r\n"}, // freed by the command itself
		{[]string{"TYPES.COUNTERS"}, "*6\r\n:2\r\n:2\r\n:0\r\n:0\r\n:0\r\n:0\r\n"},
		{[]string{"SAVE"}, "+OK\r\n"}, // aux_save before and after; never for version-1 types
		{[]string{"TYPES.COUNTERS"}, "*6\r\n:2\r\n:2\r\n:0\r\n:0\r\n:2\r\n:0\r\n"},
		{[]string{"TYPES.LATE"}, ":0\r\n"},
		{[]string{"MODULE", "UNLOAD", "test_types"}, "-ERR Error unloading module: the module exports one or more module-side data types, can't unload\r\n"},
		{[]string{"TYPES.SET", "b", "z", "1", "1", "1", "5"}, "+OK\r\n"},
		{[]string{"DEBUG", "MODHOST-EMITAOF", "b"}, "$93\r\n*6\r\n$9\r\nTYPES.SET\r\n$1\r\nb\r\n$1\r\nz\r\n$1\r\n1\r\n$1\r\n1\r\n$8\r\n1.000000\r\n*3\r\n$5\r\nRPUSH\r\n$4\r\nints\r\n$1\r\n5\r\n\r\n"},
		{[]string{"MEMORY", "USAGE", "b"}, ""},
	}
	for _, st := range steps {
		got := string(c.Do(st.cmd...))
		if st.want == "" {
			require.Equal(t, byte(':'), got[0], "%v: %q", st.cmd, got)
			continue
		}
		require.Equal(t, st.want, got, "%v", st.cmd)
	}
}

func TestModuleTypesIOErrors(t *testing.T) {
	t.Run("handled", func(t *testing.T) {
		s := hosttest.StartServer(t, hosttest.ModhostBin(t), typesArgs(t, "handleio")...)
		c := s.Conn(t)
		require.Equal(t, "-ERR load failed\r\n", string(c.Do("TYPES.FROMSTR", "k", "garbage")))
		require.Equal(t, "+PONG\r\n", string(c.Do("PING")))
	})
	t.Run("fatal", func(t *testing.T) {
		s := hosttest.StartServer(t, hosttest.ModhostBin(t), typesArgs(t)...)
		c := s.Conn(t)
		_ = c.Send(hosttest.AppendCommand(nil, "TYPES.FROMSTR", "k", "garbage"))
		require.Eventually(t, s.Exited, 10*time.Second, 20*time.Millisecond)
		require.True(t, strings.Contains(s.Logs(), "Guru Meditation: Error loading data from RDB (short read or EOF). Read performed by module 'test_types' about type 'mhtypes01' after reading '0' bytes of a value for key named: '(null)'."))
	})
}

func TestModuleTypesFork(t *testing.T) {
	for _, bin := range []string{hosttest.RedisBin(t), hosttest.ModhostBin(t)} {
		s := hosttest.StartServer(t, bin, append(typesArgs(t), "--loglevel", "verbose")...)
		c := s.Conn(t)
		require.Equal(t, ":1\r\n", string(c.Do("TYPES.FORK", "7")), bin)
		require.Eventually(t, func() bool {
			return string(c.Do("TYPES.FORKDONE")) == "*3\r\n:1\r\n:7\r\n:0\r\n"
		}, 10*time.Second, 10*time.Millisecond, bin)
		got := c.Do("TYPES.FORKKILL")
		require.Equal(t, byte(':'), got[0], "%s: %q", bin, got)
		require.NotEqual(t, ":-1\r\n", string(got), bin)
		require.Equal(t, "*3\r\n:1\r\n:7\r\n:0\r\n", string(c.Do("TYPES.FORKDONE")), "a killed child's handler does not run")
		// The killed child logged Redis's signal-handler line before
		// exiting. Only modhost is checked: Redis's child may be killed
		// before it installs its handler, modhost's blocks signals until
		// then.
		if bin == hosttest.ModhostBin(t) {
			require.Equal(t, 1, strings.Count(s.Logs(), ":signal-handler ("), bin)
			require.Equal(t, 1, strings.Count(s.Logs(), ") Received SIGUSR1 in child, exiting now.\n"), bin)
		}
		// Exit code 255 is what the SIGUSR1 handler exits with: reported
		// as exitcode 1, bysignal SIGUSR1.
		require.Equal(t, ":1\r\n", string(c.Do("TYPES.FORK", "255")), bin)
		require.Eventually(t, func() bool {
			return string(c.Do("TYPES.FORKDONE")) == "*3\r\n:2\r\n:1\r\n:10\r\n"
		}, 10*time.Second, 10*time.Millisecond, bin)
		require.Contains(t, s.Logs(), "retcode: 1, bysignal: 10", bin)
		// A second fork while a child runs fails, and says why in the log.
		require.Equal(t, ":1\r\n", string(c.Do("TYPES.FORKHOLD")), bin)
		require.Equal(t, "-ERR fork failed\r\n", string(c.Do("TYPES.FORK", "1")), bin)
		require.Equal(t, ":1\r\n", string(c.Do("TYPES.FORKRELEASE")), bin)
		require.Eventually(t, func() bool { return strings.Contains(s.Logs(), "Can't fork for module: File exists") },
			5*time.Second, 10*time.Millisecond, bin)
	}
}

// counters formats a TYPES.COUNTERS reply (free, unlink, free_effort,
// copy, aux_save, aux_save v1).
func counters(n ...int) string {
	out := "*6\r\n"
	for _, v := range n {
		out += ":" + strconv.Itoa(v) + "\r\n"
	}
	return out
}

// TestModuleTypesLifecycle covers the frees a differential script cannot
// wait for: both servers free some values in a background thread (UNLINK
// of a value whose free_effort is above 64; Redis also FLUSHALL ASYNC) or
// from their active expiry cycle, so both are polled until the counts
// settle.
func TestModuleTypesLifecycle(t *testing.T) {
	steps := []struct {
		name string
		cmds [][]string
		want string // TYPES.COUNTERS once settled
	}{
		{"unlink of a zero-effort value", [][]string{
			{"TYPES.SET", "z", "zero", "1", "1", "1"},
			{"UNLINK", "z"},
		}, counters(1, 1, 1, 0, 0, 0)},
		{"unlink of a costly value", [][]string{
			append([]string{"TYPES.SET", "big", "big", "1", "1", "1"}, strings.Fields(strings.Repeat("7 ", 100))...),
			{"UNLINK", "big"},
		}, counters(2, 2, 2, 0, 0, 0)},
		{"module UnlinkKey", [][]string{
			{"TYPES.SET", "u", "u", "1", "1", "1"},
			{"TYPES.UNLINKKEY", "u"},
		}, counters(3, 3, 3, 0, 0, 0)},
		{"flushall async", [][]string{
			{"TYPES.SET", "f1", "f", "1", "1", "1"},
			{"SELECT", "3"},
			{"TYPES.SET", "f2", "f", "1", "1", "1"},
			{"SELECT", "0"},
			{"FLUSHALL", "ASYNC"},
		}, counters(5, 3, 3, 0, 0, 0)},
		{"active expiry", [][]string{
			{"TYPES.SET", "e1", "e", "1", "1", "1"},
			{"TYPES.SET", "e2", "e", "1", "1", "1"},
			{"PEXPIRE", "e1", "1"},
			{"PEXPIRE", "e2", "1"},
		}, counters(7, 5, 3, 0, 0, 0)},
		{"reload", [][]string{ // the flush frees, no unlink
			{"TYPES.SET", "keep", "keep", "1", "1", "1"},
			{"DEBUG", "RELOAD"},
		}, counters(8, 5, 3, 0, 2, 0)},
		{"replace value", [][]string{
			{"TYPES.REPLACE", "keep", "kept"}, // the command frees the old value itself
		}, counters(9, 5, 3, 0, 2, 0)},
	}
	for _, bin := range []string{hosttest.RedisBin(t), hosttest.ModhostBin(t)} {
		s := hosttest.StartServer(t, bin, persistArgs(t.TempDir(), typesArgs(t)...)...)
		c := s.Conn(t)
		for _, st := range steps {
			for _, cmd := range st.cmds {
				got := c.Do(cmd...)
				require.NotEqual(t, byte('-'), got[0], "%s: %s: %v: %q", bin, st.name, cmd, got)
			}
			require.Eventually(t, func() bool { return string(c.Do("TYPES.COUNTERS")) == st.want },
				10*time.Second, 5*time.Millisecond, "%s: %s: %q", bin, st.name, c.Do("TYPES.COUNTERS"))
		}
		// A failed replace calls nothing (the command frees, uncounted, the
		// value it offered).
		require.Equal(t, "-ERR replace failed\r\n", string(c.Do("TYPES.REPLACE", "nokey", "x")), bin)
		require.Equal(t, counters(9, 5, 3, 0, 2, 0), string(c.Do("TYPES.COUNTERS")), bin)
		require.Equal(t, "*5\r\n$4\r\nkept\r\n", string(c.Do("TYPES.GET", "keep"))[:14], bin)
		require.Equal(t, ":1\r\n", string(c.Do("DBSIZE")), bin)
	}
}

// TestModuleTypesExpiredOnLoad loads a Redis RDB file holding an already
// expired module value: the loader discards it and its free callback runs
// (never unlink), in both servers.
func TestModuleTypesExpiredOnLoad(t *testing.T) {
	dir := t.TempDir()
	r := startIn(t, hosttest.RedisBin(t), dir, typesArgs(t)...)
	c := r.Conn(t)
	for _, cmd := range [][]string{
		{"DEBUG", "SET-ACTIVE-EXPIRE", "0"},
		{"TYPES.SET", "gone", "g", "1", "1", "1"},
		{"PEXPIRE", "gone", "1"},
		{"TYPES.SET", "keep", "k", "1", "1", "1"},
	} {
		got := c.Do(cmd...)
		require.NotEqual(t, byte('-'), got[0], "%v: %q", cmd, got)
	}
	time.Sleep(20 * time.Millisecond) // let gone expire untouched: any lookup would delete it
	require.Equal(t, "+OK\r\n", string(c.Do("SAVE")))
	require.Equal(t, ":2\r\n", string(c.Do("DBSIZE")), "the expired key is still in the file")
	r.Kill()
	for _, bin := range []string{hosttest.RedisBin(t), hosttest.ModhostBin(t)} {
		s := startIn(t, bin, dir, typesArgs(t)...)
		sc := s.Conn(t)
		require.Equal(t, ":1\r\n", string(sc.Do("DBSIZE")), bin)
		require.Equal(t, counters(1, 0, 0, 0, 0, 0), string(sc.Do("TYPES.COUNTERS")), bin)
		s.Kill()
	}
}

// TestModuleTypesLazyfree: UNLINK frees a module value in the background
// only when its type's free_effort is above 64 (Redis's
// LAZYFREE_THRESHOLD), which INFO memory's lazyfreed_objects counts, on
// both servers; CONFIG RESETSTAT zeroes it (Redis 7.2).
func TestModuleTypesLazyfree(t *testing.T) {
	for _, bin := range []string{hosttest.RedisBin(t), hosttest.ModhostBin(t)} {
		s := hosttest.StartServer(t, bin, typesArgs(t)...)
		c := s.Conn(t)
		lazyfreed := func() string { return replInfo(t, c, "memory", "lazyfreed_objects") }
		ints := func(n int) []string { return strings.Fields(strings.Repeat("7 ", n)) }
		c.Do(append([]string{"TYPES.SET", "small", "small", "1", "1", "1"}, ints(1)...)...)
		c.Do(append([]string{"TYPES.SET", "edge", "edge", "1", "1", "1"}, ints(64)...)...)
		require.Equal(t, ":2\r\n", string(c.Do("UNLINK", "small", "edge")), bin)
		require.Equal(t, counters(2, 2, 2, 0, 0, 0), string(c.Do("TYPES.COUNTERS")), "%s: effort 64 is freed at once", bin)
		require.Equal(t, "0", lazyfreed(), bin)
		c.Do(append([]string{"TYPES.SET", "big", "big", "1", "1", "1"}, ints(65)...)...)
		require.Equal(t, ":1\r\n", string(c.Do("UNLINK", "big")), bin)
		require.Eventually(t, func() bool { return lazyfreed() == "1" }, 10*time.Second, 5*time.Millisecond, bin)
		require.Equal(t, counters(3, 3, 3, 0, 0, 0), string(c.Do("TYPES.COUNTERS")), bin)
		// Effort 0 means unknown: freed in the background too.
		c.Do("TYPES.SET", "zero", "zero", "1", "1", "1")
		require.Equal(t, ":1\r\n", string(c.Do("UNLINK", "zero")), bin)
		require.Eventually(t, func() bool { return lazyfreed() == "2" }, 10*time.Second, 5*time.Millisecond, bin)
		require.Equal(t, counters(4, 4, 4, 0, 0, 0), string(c.Do("TYPES.COUNTERS")), bin)
		// DEL with lazyfree-lazy-user-del is UNLINK.
		require.Equal(t, "+OK\r\n", string(c.Do("CONFIG", "SET", "lazyfree-lazy-user-del", "yes")), bin)
		c.Do(append([]string{"TYPES.SET", "big2", "big", "1", "1", "1"}, ints(65)...)...)
		require.Equal(t, ":1\r\n", string(c.Do("DEL", "big2")), bin)
		require.Eventually(t, func() bool { return lazyfreed() == "3" }, 10*time.Second, 5*time.Millisecond, bin)
		require.Equal(t, counters(5, 5, 5, 0, 0, 0), string(c.Do("TYPES.COUNTERS")), bin)
		require.Equal(t, "0", replInfo(t, c, "memory", "lazyfree_pending_objects"), bin)
		if bin == hosttest.ModhostBin(t) { // 7.2 resets it, 7.0 does not
			c.Do("CONFIG", "RESETSTAT")
			require.Equal(t, "0", lazyfreed(), bin)
		}
	}
}
