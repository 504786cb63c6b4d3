package main

import (
	"strings"
	"testing"

	"github.com/modhost/modhost/internal/hosttest"
	"github.com/stretchr/testify/require"
)

// Diagnostics of the strict-mode allocation, string and call-reply leak
// summaries and of the aof_rewrite replay (docs/CONFORMANCE.md), as logged
// for modules_c/test_misuse.c. The byte counts are modhost's: the blocks'
// requested sizes, a string's struct and bytes, a reply's root and bytes.
const (
	diagLeakAllocUnl  = "module misuse: (MODULE UNLOAD): RedisModule_Alloc: 6 allocation(s) (111 bytes) never freed still live at MODULE UNLOAD (1 from OnLoad, 5 from misuse.leak_alloc)"
	diagLeakStrUnl    = "module misuse: (MODULE UNLOAD): RedisModule_CreateString: 2 string(s) (121 bytes) never freed still held at MODULE UNLOAD (2 from misuse.leak_string)"
	diagLeakReplyUnl  = "module misuse: (MODULE UNLOAD): RedisModule_Call: 1 call reply(ies) (120 bytes) never freed still held at MODULE UNLOAD (1 from misuse.leak_callreply)"
	diagLeakAllocSD   = "module misuse: (SHUTDOWN): RedisModule_Alloc: 7 allocation(s) (119 bytes) never freed still live at SHUTDOWN (1 from OnLoad, 1 from misuse.aof_set, 5 from misuse.leak_alloc); values of its data types still in the keyspace hold some of them"
	diagLeakStrSD     = "module misuse: (SHUTDOWN): RedisModule_CreateString: 2 string(s) (121 bytes) never freed still held at SHUTDOWN (2 from misuse.leak_string); values of its data types still in the keyspace hold some of them"
	diagLeakReplySD   = "module misuse: (SHUTDOWN): RedisModule_Call: 1 call reply(ies) (120 bytes) never freed still held at SHUTDOWN (1 from misuse.leak_callreply); values of its data types still in the keyspace hold some of them"
	diagAOFOtherKey   = "module test_types: types.set: RedisModule_CreateDataType: type 'mhtypes01', key 'T': aof_rewrite emitted command 2 (RPUSH) for key 'ints', not for the key being rewritten (not replayed)"
	diagAOFReplay     = "module misuse: misuse.aof_set: RedisModule_CreateDataType: type 'misaof000', key 'A': aof_rewrite emitted commands that, replayed into a scratch database, build a different value: its rdb_save gives 2 bytes that differ from the key's 2 (the type has no digest callback to compare with)"
	leakAOFSetCommand = "misuse.aof_set"
)

// leakSteps are the test_misuse commands that leak (and one that does
// not, with AutoMemory), each answering +OK.
var leakSteps = [][]string{
	{"misuse.leak_alloc"},
	{"misuse.leak_string", "abc"},
	{"misuse.leak_callreply"},
	{"misuse.no_leak_am"},
}

// runOK runs each command, expecting +OK, and PING after it.
func runOK(t *testing.T, c *hosttest.Conn, cmds [][]string) {
	t.Helper()
	for _, args := range cmds {
		require.Equal(t, "+OK\r\n", string(c.Do(args...)), "%v", args)
		require.Equal(t, "+PONG\r\n", string(c.Do("PING")), "after %v", args)
	}
}

// strictReport returns MODULE STRICT-REPORT's lines.
func strictReport(t *testing.T, c *hosttest.Conn) []string {
	t.Helper()
	f, err := c.Command("MODULE", "STRICT-REPORT")
	require.NoError(t, err)
	got := []string{}
	for _, e := range f.Elems {
		got = append(got, string(e.Str))
	}
	return got
}

// TestConformanceStrictLeaksUnload: MODULE UNLOAD of a module that keeps
// RedisModule_Alloc blocks (one from OnLoad), strings and a call reply
// names each kind once, with counts, bytes and the commands they came
// from; what was freed, or released by AutoMemory, is not counted; the
// report holds exactly these lines and the server keeps answering.
func TestConformanceStrictLeaksUnload(t *testing.T) {
	s := hosttest.StartModhost(t, "--module-strict", "yes", "--enable-module-command", "yes",
		"--loadmodule", moduleSO(t, "test_misuse"))
	c := s.Conn(t)
	runOK(t, c, leakSteps)
	require.Equal(t, []string{}, strictReport(t, c), "nothing is reported before the unload")
	require.Equal(t, "+OK\r\n", string(c.Do("MODULE", "UNLOAD", "misuse")))
	want := []string{diagLeakAllocUnl, diagLeakStrUnl, diagLeakReplyUnl}
	for _, d := range want {
		waitLogOnce(t, s, d)
	}
	require.Equal(t, want, strictReport(t, c))
	require.Equal(t, "+PONG\r\n", string(c.Do("PING")))
}

// TestConformanceStrictLeaksShutdown: the same leaks, with a module data
// type in use, are summarised at SHUTDOWN, each line saying that values
// of the module's types still in the keyspace hold some of them (here the
// misaof value: the "1 from misuse.aof_set").
func TestConformanceStrictLeaksShutdown(t *testing.T) {
	s := hosttest.StartModhost(t, "--module-strict", "yes", "--save", "",
		"--loadmodule", moduleSO(t, "test_misuse"), "types")
	c := s.Conn(t)
	runOK(t, c, append([][]string{{leakAOFSetCommand, "A", "10"}}, leakSteps...))
	require.NoError(t, c.Send(hosttest.AppendCommand(nil, "SHUTDOWN", "NOSAVE")))
	for _, d := range []string{diagLeakAllocSD, diagLeakStrSD, diagLeakReplySD} {
		waitLogOnce(t, s, d)
	}
}

// TestConformanceStrictLeaksPreStrict: blocks a module got before strict
// mode was turned on are not owned by anything, and freeing them once it
// is on works; nothing is then left to report at UNLOAD. Turning strict
// mode on and off is safe for what is live.
func TestConformanceStrictLeaksPreStrict(t *testing.T) {
	s := hosttest.StartModhost(t, "--enable-module-command", "yes", "--loadmodule", moduleSO(t, "test_misuse"))
	c := s.Conn(t)
	runOK(t, c, [][]string{{"misuse.leak_alloc"}, {"CONFIG", "SET", "module-strict", "yes"},
		{"misuse.free_kept"}, {"misuse.leak_alloc"}, {"CONFIG", "SET", "module-strict", "no"},
		{"misuse.free_kept"}, {"CONFIG", "SET", "module-strict", "yes"}})
	require.Equal(t, "+OK\r\n", string(c.Do("MODULE", "UNLOAD", "misuse")))
	require.Equal(t, "+PONG\r\n", string(c.Do("PING")))
	require.Equal(t, []string{}, strictReport(t, c))
	require.NotContains(t, s.Logs(), "(MODULE UNLOAD)")
}

// TestConformanceStrictAOFReplay: a type whose aof_rewrite emits a command
// that rebuilds another value is named after the command that wrote the
// key; the key keeps its value and nothing else is left in the database.
// A type whose aof_rewrite is right (mislossy, whose rdb_load is wrong)
// gets no aof_rewrite line; one whose aof_rewrite emits commands for
// another key (test_types, with ints) is named and not replayed.
func TestConformanceStrictAOFReplay(t *testing.T) {
	s := hosttest.StartModhost(t, "--module-strict", "yes", "--save", "",
		"--loadmodule", moduleSO(t, "test_misuse"), "types", "--loadmodule", moduleSO(t, "test_types"))
	c := s.Conn(t)
	runOK(t, c, [][]string{{leakAOFSetCommand, "A", "10"}, {"misuse.lossy_set", "L", "1", "2"},
		{"types.set", "T", "lbl", "1.5", "2.5", "3.5", "1", "2"}})
	waitLogOnce(t, s, diagAOFReplay)
	waitLogOnce(t, s, diagAOFOtherKey)
	report := strictReport(t, c)
	require.Len(t, report, 3)
	require.Equal(t, diagAOFReplay, report[0])
	require.NotContains(t, report[1], "aof_rewrite")
	require.Equal(t, diagAOFOtherKey, report[2])
	require.Equal(t, ":3\r\n", string(c.Do("DBSIZE")), "the replays left no key behind")
	require.Equal(t, "+misaof000\r\n", string(c.Do("TYPE", "A")))
	// The key still holds its own value: its DUMP equals that of a key
	// set to 10 with strict mode off (no replay).
	dumpA := string(c.Do("DUMP", "A"))
	require.Equal(t, "+OK\r\n", string(c.Do("CONFIG", "SET", "module-strict", "no")))
	require.Equal(t, "+OK\r\n", string(c.Do(leakAOFSetCommand, "B", "10")))
	require.Equal(t, string(c.Do("DUMP", "B")), dumpA)
	require.Equal(t, 1, strings.Count(s.Logs(), diagAOFReplay), "no check without strict mode")
	require.Equal(t, "+PONG\r\n", string(c.Do("PING")))
}
