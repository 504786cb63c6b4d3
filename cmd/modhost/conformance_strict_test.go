package main

import (
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/modhost/modhost/internal/hosttest"
	"github.com/stretchr/testify/require"
)

// Diagnostics of the key, command-flag, data-type and leak checks
// (docs/CONFORMANCE.md), as logged for modules_c/test_misuse.c.
const (
	diagKeyUnclosed = "module misuse: misuse.key_unclosed: RedisModule_OpenKey: key 'k1' opened without AutoMemory was never closed; closed when the command returned"
	diagWriteRead   = "module misuse: misuse.write_readkey: RedisModule_StringSet: write through key 'rk' opened without REDISMODULE_WRITE; refused (the call failed, as in Redis)"
	diagROKeyWrite  = "module misuse: misuse.ro_keywrite: RedisModule_StringSet: command declared \"readonly\" writes key 'k2' through the key API"
	diagROCall      = "module misuse: misuse.ro_call: RedisModule_Call: command declared \"readonly\" called write command 'set'"
	diagRepl        = "module misuse: misuse.repl_noflag: RedisModule_Replicate: command declared without \"write\" or \"may-replicate\" replicates"
	diagReplVerb    = "module misuse: misuse.repl_noflag: RedisModule_ReplicateVerbatim: command declared without \"write\" or \"may-replicate\" replicates"
	diagLossy       = "module misuse: misuse.lossy_set: RedisModule_CreateDataType: type 'mislossy0', key 'L': rdb_load lost data: rdb_save of the value it rebuilt gives 4 bytes that differ from the original's 4 (the type has no digest callback to compare with)"
	diagLeakKeyUnl  = "module misuse: (MODULE UNLOAD): RedisModule_OpenKey: 1 key(s) opened and never closed still held at MODULE UNLOAD"
	diagLeakKeySD   = "module misuse: (SHUTDOWN): RedisModule_OpenKey: 1 key(s) opened and never closed still held at SHUTDOWN"
	diagLeakTimer   = "module misuse: (SHUTDOWN): RedisModule_CreateTimer: 1 timer(s) still armed at SHUTDOWN"
	diagLeakBlock   = "module misuse: (SHUTDOWN): RedisModule_BlockClient: 1 blocked client(s) never unblocked at SHUTDOWN"
)

// strictSteps drives every new check once; the reply each command must get.
var strictSteps = []struct {
	args  []string
	reply string
}{
	{[]string{"misuse.key_unclosed", "k1"}, "+OK\r\n"},
	{[]string{"SET", "rk", "v"}, "+OK\r\n"},
	{[]string{"misuse.write_readkey", "rk", "x"}, ":1\r\n"}, // REDISMODULE_ERR, as Redis
	{[]string{"GET", "rk"}, "$1\r\nv\r\n"},
	{[]string{"misuse.ro_keywrite", "k2", "v"}, "+OK\r\n"},
	{[]string{"misuse.ro_keywrite", "k2", "w"}, "+OK\r\n"}, // reported once per command
	{[]string{"misuse.ro_call", "k3", "v"}, "+OK\r\n"},
	{[]string{"misuse.repl_noflag"}, "+OK\r\n"},
	{[]string{"misuse.repl_noflag", "v"}, "+OK\r\n"},
	{[]string{"misuse.lossy_set", "L", "1", "2"}, "+OK\r\n"},
	// Without ints: test_types' aof_rewrite sends ints to another key
	// (TestConformanceStrictAOFReplay), the rest replays to the same value.
	{[]string{"types.set", "T", "lbl", "1.5", "2.5", "3.5"}, "+OK\r\n"},
	{[]string{"misuse.leak_timer"}, "+OK\r\n"},
	{[]string{"misuse.leak_key", "rk"}, "+OK\r\n"},
}

// runStrictSteps runs strictSteps, checking each reply and PING after it.
func runStrictSteps(t *testing.T, c *hosttest.Conn) {
	for _, st := range strictSteps {
		require.Equal(t, st.reply, string(c.Do(st.args...)), "%v", st.args)
		require.Equal(t, "+PONG\r\n", string(c.Do("PING")), "after %v", st.args)
	}
}

// waitLogOnce waits until the server log holds line exactly once.
func waitLogOnce(t *testing.T, s *hosttest.Server, line string) {
	t.Helper()
	require.Eventually(t, func() bool { return strings.Contains(s.Logs(), "# "+line+"\n") },
		5*time.Second, 10*time.Millisecond, "no line %q in\n%s", line, s.Logs())
	require.Equal(t, 1, strings.Count(s.Logs(), line), "%q logged once", line)
}

// TestConformanceStrictChecks: in strict mode every key, flag and
// data-type misuse of test_misuse is named once, the well-behaved type of
// test_types is not, the server keeps answering, and SHUTDOWN summarises
// the timer, key and blocked client still held.
func TestConformanceStrictChecks(t *testing.T) {
	s := hosttest.StartModhost(t, "--module-strict", "yes", "--save", "",
		"--loadmodule", moduleSO(t, "test_misuse"), "types", "--loadmodule", moduleSO(t, "test_types"))
	c := s.Conn(t)
	runStrictSteps(t, c)
	for _, d := range []string{diagKeyUnclosed, diagWriteRead, diagROKeyWrite, diagROCall, diagRepl, diagReplVerb, diagLossy} {
		waitLogOnce(t, s, d)
	}
	require.NotContains(t, s.Logs(), "module test_types:", "the well-behaved type passes")
	require.Contains(t, string(c.Do("INFO", "modules")),
		"module_misuse:name=misuse,reply=0,double_free=0,use_after_free=0,key=2,flags=4,leak=0,thread=0,datatype=1,total=7\r\n")
	blocked := s.Conn(t)
	require.NoError(t, blocked.Send(hosttest.AppendCommand(nil, "misuse.leak_block")))
	require.Eventually(t, func() bool {
		return strings.Contains(string(c.Do("INFO", "clients")), "blocked_clients:1\r")
	}, 5*time.Second, 10*time.Millisecond)
	require.Equal(t, "+PONG\r\n", string(c.Do("PING")))
	require.NoError(t, c.Send(hosttest.AppendCommand(nil, "SHUTDOWN", "NOSAVE")))
	for _, d := range []string{diagLeakKeySD, diagLeakTimer, diagLeakBlock} {
		waitLogOnce(t, s, d)
	}
}

// TestConformanceStrictUnloadLeak: MODULE UNLOAD of a module that still
// holds a key names it (strict mode).
func TestConformanceStrictUnloadLeak(t *testing.T) {
	s := hosttest.StartModhost(t, "--module-strict", "yes", "--enable-module-command", "yes",
		"--loadmodule", moduleSO(t, "test_misuse"))
	c := s.Conn(t)
	require.Equal(t, "+OK\r\n", string(c.Do("SET", "rk", "v")))
	require.Equal(t, "+OK\r\n", string(c.Do("misuse.leak_key", "rk")))
	require.Equal(t, "+OK\r\n", string(c.Do("MODULE", "UNLOAD", "misuse")))
	waitLogOnce(t, s, diagLeakKeyUnl)
	require.Equal(t, "+PONG\r\n", string(c.Do("PING")))
}

// TestConformanceStrictOff: without strict mode the same commands log
// only the always-on key diagnostics (never closed, write through READ):
// no flag, data-type or leak line.
func TestConformanceStrictOff(t *testing.T) {
	s := hosttest.StartModhost(t, "--save", "",
		"--loadmodule", moduleSO(t, "test_misuse"), "types", "--loadmodule", moduleSO(t, "test_types"))
	c := s.Conn(t)
	runStrictSteps(t, c)
	waitLogOnce(t, s, diagKeyUnclosed)
	waitLogOnce(t, s, diagWriteRead)
	require.NoError(t, c.Send(hosttest.AppendCommand(nil, "SHUTDOWN", "NOSAVE")))
	require.Eventually(t, func() bool { return strings.Contains(s.Logs(), "bye bye") },
		5*time.Second, 10*time.Millisecond)
	time.Sleep(100 * time.Millisecond)
	logs := s.Logs()
	for _, d := range []string{diagROKeyWrite, diagROCall, diagRepl, diagReplVerb, diagLossy, diagLeakKeySD, diagLeakTimer} {
		require.NotContains(t, logs, d)
	}
	require.NotContains(t, logs, "RedisModule_CreateDataType:")
	require.NotContains(t, logs, "(SHUTDOWN)")
}

// diagDigestOpen names a digest callback that never ends its sequence.
const diagDigestOpen = "module misuse: misuse.keyed_set: RedisModule_DigestEndSequence: type 'miskeyed0', key 'K': digest added elements it never closed with RedisModule_DigestEndSequence: DEBUG DIGEST ignores them (as Redis does), so they count for nothing in the key's digest"

// TestConformanceStrictKeyedState: a type that keeps its data outside the
// value, per database and key name (as Redis's datatype2 test module
// does), keeps that data through strict mode's contract checks, which
// build their scratch values in other databases; its digest callback,
// which never ends its sequence, is named once; COPY, DEL and DEBUG
// RELOAD then behave as on Redis.
func TestConformanceStrictKeyedState(t *testing.T) {
	s := hosttest.StartModhost(t, "--module-strict", "yes", "--save", "", "--enable-debug-command", "yes",
		"--loadmodule", moduleSO(t, "test_misuse"), "types")
	c := s.Conn(t)
	for _, v := range []string{"one", "two"} {
		require.Equal(t, "+OK\r\n", string(c.Do("misuse.keyed_set", "K", v)))
		require.Equal(t, "$3\r\n"+v+"\r\n", string(c.Do("misuse.keyed_get", "K")), "the live key's data survives the checks")
	}
	waitLogOnce(t, s, diagDigestOpen)
	require.Equal(t, 1, strings.Count(s.Logs(), "type 'miskeyed0'"), "only the digest is named:\n%s", s.Logs())
	require.Equal(t, ":1\r\n", string(c.Do("COPY", "K", "K2")))
	require.Equal(t, ":1\r\n", string(c.Do("DEL", "K")))
	require.Equal(t, "$-1\r\n", string(c.Do("misuse.keyed_get", "K")))
	require.Equal(t, "+OK\r\n", string(c.Do("DEBUG", "RELOAD")))
	require.Equal(t, "$3\r\ntwo\r\n", string(c.Do("misuse.keyed_get", "K2")))
	require.Equal(t, ":1\r\n", string(c.Do("DBSIZE")))
	for db := 1; db < 16; db++ {
		require.Equal(t, "+OK\r\n", string(c.Do("SELECT", strconv.Itoa(db))))
		require.Equal(t, ":0\r\n", string(c.Do("DBSIZE")), "no scratch value is left in database %d", db)
	}
}
