package main

import (
	"strings"
	"testing"
	"time"

	"github.com/modhost/modhost/internal/hosttest"
	"github.com/stretchr/testify/require"
)

// misuseCase is one misuse command of modules_c/test_misuse.c: the reply
// the client must get (an error or a repaired reply) and the diagnostic
// line the server must log.
type misuseCase struct {
	cmd   string
	reply string
	diag  string
}

var misuseCases = []misuseCase{
	{"misuse.doublefree_string", "+OK\r\n",
		"module misuse: misuse.doublefree_string: RedisModule_FreeString: string (created in misuse.doublefree_string) freed again: it was already freed; ignored"},
	{"misuse.doublefree_callreply", "+OK\r\n",
		"module misuse: misuse.doublefree_callreply: RedisModule_FreeCallReply: call reply freed twice (it was already freed); ignored"},
	{"misuse.free_argv", "+OK\r\n",
		"module misuse: misuse.free_argv: RedisModule_FreeString: freed a command argument (argv) the server owns; ignored"},
	{"misuse.use_freed_string", ":0\r\n",
		"module misuse: misuse.use_freed_string: RedisModule_StringPtrLen: string (created in misuse.use_freed_string) used after it was freed"},
	{"misuse.use_freed_callreply", ":-1\r\n",
		"module misuse: misuse.use_freed_callreply: RedisModule_CallReplyType: call reply used after it was freed; ignored"},
	{"misuse.keep_string", "+OK\r\n", ""},
	{"misuse.use_kept", "$-1\r\n",
		"module misuse: misuse.use_kept: RedisModule_ReplyWithString: string (created in misuse.keep_string) used after it was released by AutoMemory when its command returned"},
	{"misuse.array_short", "*3\r\n:1\r\n:2\r\n$-1\r\n",
		"module misuse: misuse.array_short: RedisModule_ReplyWithArray: array declared with 3 elements but 2 were added; padded with nulls"},
	{"misuse.array_long", "*1\r\n:1\r\n",
		"module misuse: misuse.array_long: RedisModule_ReplyWithLongLong: 2 top-level replies where one was expected (a second reply, or an element beyond a collection's declared length); replies after the first dropped"},
	{"misuse.map_short", "*4\r\n$1\r\nk\r\n:1\r\n$-1\r\n$-1\r\n",
		"module misuse: misuse.map_short: RedisModule_ReplyWithMap: map declared with 2 pairs but 1 were added; padded with nulls"},
	{"misuse.postponed_never", "-ERR module command 'misuse.postponed_never' left a postponed reply length unset; reply dropped\r\n",
		"module misuse: misuse.postponed_never: RedisModule_ReplySetArrayLength: 1 REDISMODULE_POSTPONED_LEN length never set; reply replaced by an error"},
	{"misuse.postponed_wrong", "*2\r\n:1\r\n:2\r\n",
		"module misuse: misuse.postponed_wrong: RedisModule_ReplySetArrayLength: length 5 set on a postponed array holding 2 elements; the actual count was used"},
	{"misuse.two_replies", ":1\r\n",
		"module misuse: misuse.two_replies: RedisModule_ReplyWithLongLong: 2 top-level replies where one was expected (a second reply, or an element beyond a collection's declared length); replies after the first dropped"},
	{"misuse.no_reply", "-ERR module command 'misuse.no_reply' returned without replying\r\n",
		"module misuse: misuse.no_reply: RedisModule_ReplyWith*: the command returned without replying; replied with an error"},
	{"misuse.save_ctx", "+OK\r\n", ""},
	{"misuse.late_reply", ":1\r\n",
		"module misuse: misuse.late_reply: RedisModule_ReplyWithLongLong: reply through the context of a command that already returned; ignored"},
}

// TestConformanceMisuses runs every misuse of test_misuse on a fresh
// strict server: each is named in exactly one log line (and in MODULE
// STRICT-REPORT), the client gets the error or repaired reply, and the
// server keeps answering (the double frees used to abort it).
func TestConformanceMisuses(t *testing.T) {
	s := hosttest.StartModhost(t, "--module-strict", "yes", "--loadmodule", moduleSO(t, "test_misuse"))
	c := s.Conn(t)
	want := []string{}
	for _, tc := range misuseCases {
		require.Equal(t, tc.reply, string(c.Do(tc.cmd)), tc.cmd)
		require.Equal(t, "+PONG\r\n", string(c.Do("PING")), "after %s", tc.cmd)
		if tc.diag == "" {
			continue
		}
		want = append(want, tc.diag)
		require.Eventually(t, func() bool { return strings.Contains(s.Logs(), "# "+tc.diag+"\n") },
			5*time.Second, 10*time.Millisecond, "%s: no line %q in\n%s", tc.cmd, tc.diag, s.Logs())
		require.Equal(t, 1, strings.Count(s.Logs(), tc.diag), "%s logged once", tc.cmd)
	}
	f, err := c.Command("MODULE", "STRICT-REPORT")
	require.NoError(t, err)
	got := []string{}
	for _, e := range f.Elems {
		got = append(got, string(e.Str))
	}
	require.Equal(t, want, got)
	info := string(c.Do("INFO", "modules"))
	require.Contains(t, info, "module_misuse:name=misuse,reply=8,double_free=3,use_after_free=3,key=0,flags=0,leak=0,thread=0,total=14\r\n")
	require.Equal(t, "+OK\r\n", string(c.Do("MODULE", "STRICT-REPORT", "RESET")))
	require.Equal(t, "*0\r\n", string(c.Do("MODULE", "STRICT-REPORT")))
}

// TestConformanceStrictConfig: module-strict is a boolean directive that
// CONFIG GET/SET reads and changes; without misuses and without strict
// mode INFO modules has no module_misuse line.
func TestConformanceStrictConfig(t *testing.T) {
	s := hosttest.StartModhost(t, "--loadmodule", moduleSO(t, "test_misuse"))
	c := s.Conn(t)
	require.Equal(t, "*2\r\n$13\r\nmodule-strict\r\n$2\r\nno\r\n", string(c.Do("CONFIG", "GET", "module-strict")))
	require.NotContains(t, string(c.Do("INFO", "modules")), "module_misuse:")
	require.Equal(t, "+OK\r\n", string(c.Do("CONFIG", "SET", "module-strict", "yes")))
	require.Equal(t, "*2\r\n$13\r\nmodule-strict\r\n$3\r\nyes\r\n", string(c.Do("CONFIG", "GET", "module-strict")))
	require.Contains(t, string(c.Do("INFO", "modules")), "module_misuse:name=misuse,reply=0,")
	require.Equal(t, "-ERR syntax error\r\n", string(c.Do("MODULE", "STRICT-REPORT", "BOGUS")))
}
