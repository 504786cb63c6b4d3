package main

import (
	"strings"
	"testing"
	"time"

	"github.com/modhost/modhost/host/hosttest"
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
		{[]string{"TYPES.SET", "a", "y", "1", "1", "1"}, "+OK\r\n"}, // replaces: old value freed at once
		{[]string{"TYPES.COUNTERS"}, "*6\r\n:1\r\n:0\r\n:0\r\n:0\r\n:0\r\n:0\r\n"},
		{[]string{"DEL", "a"}, ":1\r\n"},
		{[]string{"DEBUG", "MODHOST-TYPEFREE"}, ":1\r\n"}, // the dropped value's free ran
		{[]string{"TYPES.COUNTERS"}, "*6\r\n:2\r\n:0\r\n:0\r\n:0\r\n:0\r\n:0\r\n"},
		{[]string{"SAVE"}, "+OK\r\n"}, // aux_save before and after; never for version-1 types
		{[]string{"TYPES.COUNTERS"}, "*6\r\n:2\r\n:0\r\n:0\r\n:0\r\n:2\r\n:0\r\n"},
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
		s := hosttest.StartServer(t, bin, typesArgs(t)...)
		c := s.Conn(t)
		require.Equal(t, ":1\r\n", string(c.Do("TYPES.FORK", "7")), bin)
		require.Eventually(t, func() bool {
			return string(c.Do("TYPES.FORKDONE")) == "*3\r\n:1\r\n:7\r\n:0\r\n"
		}, 10*time.Second, 10*time.Millisecond, bin)
		got := c.Do("TYPES.FORKKILL")
		require.Equal(t, byte(':'), got[0], "%s: %q", bin, got)
		require.NotEqual(t, ":-1\r\n", string(got), bin)
		require.Equal(t, "*3\r\n:1\r\n:7\r\n:0\r\n", string(c.Do("TYPES.FORKDONE")), "a killed child's handler does not run")
	}
}
