package main

import (
	"testing"

	"github.com/modhost/modhost/internal/hosttest"
	"github.com/stretchr/testify/require"
)

// TestModuleThreadMisuse: each misuse of the thread API by test_crash is
// logged as one line naming the module, where it happened and the API
// function, and the server keeps serving (PING answers afterwards; the
// misuses that deadlock or read freed memory in Redis do neither here).
func TestModuleThreadMisuse(t *testing.T) {
	for _, tc := range []struct {
		cmd   []string
		reply string
		line  string
	}{
		{[]string{"tcrash.unlocked", "k"}, "+OK\r\n",
			"module tcrash: thread: RedisModule_OpenKey: called from a thread that does not hold the module GIL"},
		{[]string{"tcrash.locktwice"}, "+OK\r\n",
			"module tcrash: thread: RedisModule_ThreadSafeContextLock: taken twice by the same thread (it would deadlock); ignored"},
		{[]string{"tcrash.tsafterfree"}, "+OK\r\n",
			"module tcrash: thread: RedisModule_ThreadSafeContextLock: thread-safe context used after FreeThreadSafeContext; ignored"},
		{[]string{"tcrash.unblocktwice"}, "+unblocked\r\n",
			"module tcrash: thread: RedisModule_UnblockClient: blocked client unblocked twice; the second call is ignored"},
	} {
		t.Run(tc.cmd[0], func(t *testing.T) {
			s := hosttest.StartModhost(t, "--loadmodule", moduleSO(t, "test_crash"))
			c := s.Conn(t)
			require.Equal(t, tc.reply, string(c.Do(tc.cmd...)))
			waitLog(t, s, tc.line)
			require.Equal(t, "+PONG\r\n", string(c.Do("PING")))
			require.Equal(t, "+OK\r\n", string(c.Do("SET", "after", "1")))
		})
	}
}

// TestModuleThreadLockedIsQuiet: the module threads of hello and
// test_thread that follow the rules produce no GIL diagnostic.
func TestModuleThreadLockedIsQuiet(t *testing.T) {
	s := hosttest.StartModhost(t, "--loadmodule", moduleSO(t, "hello"))
	c := s.Conn(t)
	require.Equal(t, "+OK\r\n", string(c.Do("HELLO.BLOCK")))
	require.Equal(t, ":1\r\n", string(c.Do("HELLO.PUSH.NATIVE", "l", "1")))
	require.Equal(t, "+PONG\r\n", string(c.Do("PING")))
	require.NotContains(t, s.Logs(), "module GIL")
	require.NotContains(t, s.Logs(), "ThreadSafeContext")
}
