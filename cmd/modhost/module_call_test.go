package main

import (
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/modhost/modhost/internal/hosttest"
	"github.com/stretchr/testify/require"
)

// callFixture builds a keyspace with a key of every type for the Call
// torture test.
var callFixture = [][]string{
	{"FLUSHALL"},
	{"SET", "n", "10"},
	{"SET", "str", "hello world"},
	{"RPUSH", "l", "a", "b", "c", "d"},
	{"HSET", "h", "f1", "v1", "f2", "2"},
	{"SADD", "s", "a", "b", "c"},
	{"SADD", "s2", "b", "c", "d"},
	{"ZADD", "z", "1", "a", "2.5", "b", "3", "c"},
	{"XADD", "x", "1-1", "f", "v"},
	{"XADD", "x", "2-1", "g", "w"},
	{"SETBIT", "bits", "3", "1"},
}

// callTorture lists, per command family, commands whose replies are
// deterministic; each runs directly and through RedisModule_Call.
var callTorture = []struct {
	family string
	cmds   [][]string
}{
	{"strings", [][]string{
		{"GET", "str"}, {"GET", "missing"}, {"SET", "k", "v", "EX", "100"}, {"SET", "str", "x", "NX"},
		{"INCR", "n"}, {"INCRBY", "n", "-5"}, {"DECRBY", "n", "3"}, {"INCRBYFLOAT", "n", "1.5"},
		{"APPEND", "str", "!"}, {"STRLEN", "str"}, {"GETRANGE", "str", "0", "4"}, {"SETRANGE", "str", "6", "W"},
		{"MGET", "n", "str", "missing"}, {"MSET", "a", "1", "b", "2"}, {"MSETNX", "n", "1"}, {"GETDEL", "str"},
		{"GETSET", "n", "5"}, {"INCR", "str"}, {"LCS", "str", "n"},
	}},
	{"generic", [][]string{
		{"EXISTS", "n", "l", "missing"}, {"TYPE", "z"}, {"DEL", "n", "missing"}, {"UNLINK", "l"},
		{"EXPIRE", "n", "100"}, {"TTL", "n"}, {"PERSIST", "n"}, {"RENAME", "n", "n2"}, {"RENAMENX", "str", "n"},
		{"COPY", "h", "h2"}, {"OBJECT", "ENCODING", "n"}, {"DBSIZE"}, {"ECHO", "hi"}, {"PING"},
		{"PING", "msg"}, {"TOUCH", "n", "l"}, {"PEXPIRE", "missing", "5"}, {"EXPIRETIME", "n"},
	}},
	{"lists", [][]string{
		{"LRANGE", "l", "0", "-1"}, {"LPUSH", "l", "z"}, {"RPOP", "l"}, {"LPOP", "l", "2"}, {"LLEN", "l"},
		{"LINDEX", "l", "1"}, {"LSET", "l", "0", "q"}, {"LINSERT", "l", "BEFORE", "b", "x"}, {"LREM", "l", "0", "a"},
		{"LTRIM", "l", "1", "2"}, {"LPOS", "l", "c"}, {"LMOVE", "l", "l2", "LEFT", "RIGHT"}, {"RPUSHX", "missing", "a"},
		{"LMPOP", "2", "missing", "l", "LEFT"}, {"BLPOP", "l", "1"},
	}},
	{"hashes", [][]string{
		{"HGET", "h", "f1"}, {"HGETALL", "h"}, {"HSET", "h", "f3", "v3"}, {"HDEL", "h", "f1"}, {"HLEN", "h"},
		{"HMGET", "h", "f1", "nope"}, {"HINCRBY", "h", "f2", "5"}, {"HINCRBYFLOAT", "h", "f2", "0.5"},
		{"HKEYS", "h"}, {"HVALS", "h"}, {"HEXISTS", "h", "f2"}, {"HSETNX", "h", "f1", "x"}, {"HSTRLEN", "h", "f1"},
		{"HGET", "n", "f"},
	}},
	{"sets", [][]string{
		{"SMEMBERS", "s"}, {"SADD", "s", "d", "a"}, {"SREM", "s", "a"}, {"SCARD", "s"}, {"SISMEMBER", "s", "b"},
		{"SMISMEMBER", "s", "a", "z"}, {"SINTER", "s", "s2"}, {"SUNION", "s", "s2"}, {"SDIFF", "s", "s2"},
		{"SINTERSTORE", "d", "s", "s2"}, {"SMOVE", "s", "s2", "a"}, {"SINTERCARD", "2", "s", "s2"},
	}},
	{"zsets", [][]string{
		{"ZRANGE", "z", "0", "-1", "WITHSCORES"}, {"ZADD", "z", "5", "d"}, {"ZSCORE", "z", "b"}, {"ZINCRBY", "z", "2", "a"},
		{"ZRANK", "z", "c"}, {"ZREVRANGE", "z", "0", "1"}, {"ZRANGEBYSCORE", "z", "1", "3"}, {"ZCARD", "z"},
		{"ZCOUNT", "z", "-inf", "+inf"}, {"ZREM", "z", "a"}, {"ZPOPMIN", "z"}, {"ZMSCORE", "z", "a", "x"},
		{"ZUNIONSTORE", "u", "1", "z"}, {"ZRANDMEMBER", "missing"}, {"BZPOPMIN", "z", "1"},
	}},
	{"streams", [][]string{
		{"XLEN", "x"}, {"XRANGE", "x", "-", "+"}, {"XADD", "x", "3-1", "h", "u"}, {"XREVRANGE", "x", "+", "-", "COUNT", "1"},
		{"XDEL", "x", "1-1"}, {"XTRIM", "x", "MAXLEN", "1"}, {"XREAD", "STREAMS", "x", "0"},
	}},
	{"bits", [][]string{
		{"GETBIT", "bits", "3"}, {"SETBIT", "bits", "7", "1"}, {"BITCOUNT", "bits"}, {"BITPOS", "bits", "1"},
	}},
}

// callFormats are the argument letters of the torture test.
var callFormats = []string{"c", "b", "s", "l", "v"}

// callSpec builds the Call format of tcall.call for args (command name
// excluded): each argument gets letter f; with "l", arguments that do not
// read back as the same long long stay "c"; prefix holds modifiers.
func callSpec(prefix, f string, args []string) string {
	if f == "v" {
		return prefix + "v"
	}
	var b strings.Builder
	b.WriteString(prefix)
	for _, a := range args {
		if f == "l" {
			if n, err := strconv.ParseInt(a, 10, 64); err != nil || strconv.FormatInt(n, 10) != a {
				b.WriteByte('c')
				continue
			}
		}
		b.WriteString(f)
	}
	return b.String()
}

// tortureReplies runs every torture command on srv, once directly and once
// per format through tcall.call, each from a fresh fixture, and requires the
// replies to be identical. It returns the direct replies, in order.
func tortureReplies(t *testing.T, srv *hosttest.Server, proto int) [][]byte {
	c := srv.Conn(t)
	prefix := ""
	if proto == 3 {
		c.Do("HELLO", "3")
		prefix = "0" // the client's protocol
	}
	fresh := func() {
		for _, cmd := range callFixture {
			c.Do(cmd...)
		}
	}
	var out [][]byte
	for _, fam := range callTorture {
		for _, cmd := range fam.cmds {
			fresh()
			direct := c.Do(cmd...)
			for _, f := range callFormats {
				fresh()
				args := append([]string{"tcall.call", callSpec(prefix, f, cmd[1:])}, cmd...)
				got := c.Do(args...)
				require.Equal(t, string(direct), string(got), "%s: %v through format %q", fam.family, cmd, args[1])
			}
			out = append(out, direct)
		}
	}
	return out
}

// TestModuleCallTorture: for every core command family, RedisModule_Call
// with each argument format answers exactly what the command answers to a
// client, on redis-server and on modhost, and the two servers agree.
func TestModuleCallTorture(t *testing.T) {
	so := moduleSO(t, "test_call")
	for _, proto := range []int{2, 3} {
		t.Run("resp"+strconv.Itoa(proto), func(t *testing.T) {
			ref := hosttest.StartRedis(t, append(append([]string(nil), hosttest.DiffArgs...), "--loadmodule", so)...)
			mh := hosttest.StartModhost(t, append(append([]string(nil), hosttest.DiffArgs...), "--loadmodule", so)...)
			want := tortureReplies(t, ref, proto)
			got := tortureReplies(t, mh, proto)
			require.Len(t, got, len(want))
			require.Greater(t, len(want), 100, "the torture table shrank")
			i := 0
			for _, fam := range callTorture {
				for _, cmd := range fam.cmds {
					a, _, err := hosttest.ParseFrame(want[i])
					require.NoError(t, err)
					b, _, err := hosttest.ParseFrame(got[i])
					require.NoError(t, err)
					require.True(t, hosttest.Equivalent(a, b, true), "%s %v: redis %q, modhost %q", fam.family, cmd, want[i], got[i])
					i++
				}
			}
		})
	}
}

// startCallHost starts modhost with test_call (and extra arguments).
func startCallHost(t *testing.T, extra ...string) (*hosttest.Server, *hosttest.Conn) {
	args := append([]string(nil), hosttest.DiffArgs...)
	args = append(args, "--loadmodule", moduleSO(t, "test_call"))
	s := hosttest.StartModhost(t, append(args, extra...)...)
	return s, s.Conn(t)
}

// TestModuleCallModhostOnly covers what 7.0 (the differential oracle) does
// differently or lacks: 7.2's refusal of RESP3 replies for RESP2 clients,
// dry runs, format errors and ENOTSUP.
func TestModuleCallModhostOnly(t *testing.T) {
	_, c := startCallHost(t)
	c.Do("HSET", "h", "f", "v")
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"resp3 reply to resp2 client refused", []string{"tcall.call", "3v", "HGETALL", "h"}, "-ERR ReplyWithCallReply refused the reply\r\n"},
		{"resp2 reply passes", []string{"tcall.call", "v", "HGETALL", "h"}, "*2\r\n$1\r\nf\r\n$1\r\nv\r\n"},
		{"dry run returns NULL", []string{"tcall.call", "Dv", "SET", "k", "v"}, "-ERR errno 0\r\n"},
		{"dry run did not write", []string{"GET", "k"}, "$-1\r\n"},
		{"dry run reports errors", []string{"tcall.call", "Dv", "SET", "k"}, "-ERR wrong number of arguments for 'set' command\r\n"},
		{"dry run checks W", []string{"tcall.call", "WDv", "SET", "k", "v"}, "-ERR Write command 'set' was called while write is not allowed.\r\n"},
		{"bad format letter", []string{"tcall.call", "qv", "GET", "k"}, "-ERR errno EBADF\r\n"},
		{"K without blocking is a plain reply", []string{"tcall.call", "Kv", "BLPOP", "h", "0"}, "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n"},
		// A promise cannot be passed on as a reply (the pop stays pending).
		{"K promise is not a reply", []string{"tcall.call", "Kv", "BLPOP", "nolist", "0"}, "-ERR ReplyWithCallReply refused the reply\r\n"},
		{"unknown subcommand", []string{"tcall.call", "Ev", "CONFIG", "nosuch"}, "-ERR unknown subcommand 'nosuch'. Try CONFIG HELP.\r\n"},
	}
	for _, tc := range tests {
		require.Equal(t, tc.want, string(c.Do(tc.args...)), tc.name)
	}
}

// TestModuleCallReplicate: Replicate, ReplicateVerbatim and Call "!" are
// recorded (DEBUG MODHOST-REPLICATED), and nothing else is.
func TestModuleCallReplicate(t *testing.T) {
	_, c := startCallHost(t)
	require.Equal(t, "+OK\r\n", string(c.Do("tcall.replicate", "rk")))
	f, err := c.Command("DEBUG", "MODHOST-REPLICATED")
	require.NoError(t, err)
	var got []string
	for _, e := range f.Elems {
		require.Len(t, e.Elems, 3)
		var args []string
		for _, a := range e.Elems[2].Elems {
			args = append(args, string(a.Str))
		}
		got = append(got, string(e.Elems[0].Str)+" "+string(e.Elems[1].Raw[1:len(e.Elems[1].Raw)-2])+" "+strings.Join(args, " "))
	}
	require.Equal(t, []string{
		"aof+repl 0 SET rk replicated",
		"aof+repl 0 INCRBY rk 7",
		"repl 0 SET rk repl-only",
		"aof+repl 0 SET rk via-call",
		"aof+repl 0 tcall.replicate rk",
	}, got)
	require.Equal(t, "+OK\r\n", string(c.Do("DEBUG", "MODHOST-REPLICATED", "RESET")))
	require.Equal(t, "*0\r\n", string(c.Do("DEBUG", "MODHOST-REPLICATED")))
	// A Call without "!" keeps what it calls from being propagated.
	require.Equal(t, "+OK\r\n", string(c.Do("tcall.call", "v", "tcall.replicate", "rk")))
	require.Equal(t, "*0\r\n", string(c.Do("DEBUG", "MODHOST-REPLICATED")))
}

// TestModuleCallWakesBlockedClients: a push made through Call serves a
// client blocked on the key once the outer command ends, on both servers.
func TestModuleCallWakesBlockedClients(t *testing.T) {
	so := moduleSO(t, "test_call")
	args := append(append([]string(nil), hosttest.DiffArgs...), "--loadmodule", so)
	for name, srv := range map[string]*hosttest.Server{
		"redis":   hosttest.StartRedis(t, args...),
		"modhost": hosttest.StartModhost(t, args...),
	} {
		blocked := srv.Conn(t)
		require.NoError(t, blocked.Send(hosttest.AppendCommand(nil, "BLPOP", "q", "10")))
		c := srv.Conn(t)
		require.Eventually(t, func() bool {
			return strings.Contains(string(c.Do("CLIENT", "LIST")), "cmd=blpop")
		}, 5*time.Second, 10*time.Millisecond, name)
		require.Equal(t, ":1\r\n", string(c.Do("tcall.call", "v", "RPUSH", "q", "x")), name)
		f, err := blocked.ReadFrame()
		require.NoError(t, err, name)
		require.Equal(t, "*2\r\n$1\r\nq\r\n$1\r\nx\r\n", string(f.Raw), name)
	}
}

// TestModuleNotifyJobsAndLoops: post-notification jobs run after the
// command, and a callback's own writes do not call it again (7.2+).
func TestModuleNotifyJobsAndLoops(t *testing.T) {
	args := append(append([]string(nil), hosttest.DiffArgs...), "--loadmodule", moduleSO(t, "test_notify"), "jobs")
	s := hosttest.StartModhost(t, args...)
	c := s.Conn(t)
	// Two events (new, set): two jobs, both run once SET has finished.
	require.Equal(t, "+OK\r\n", string(c.Do("SET", "job:1", "x")))
	require.Equal(t, "$1\r\n2\r\n", string(c.Do("GET", "jobs:done")))
	c.Do("tnotify.events")
	require.Equal(t, "+OK\r\n", string(c.Do("SET", "loop:1", "x")))
	require.Equal(t, "$1\r\n1\r\n", string(c.Do("GET", "loopdone:loop:1")))
	f, err := c.Command("tnotify.events")
	require.NoError(t, err)
	var evs []string
	for _, e := range f.Elems {
		evs = append(evs, string(e.Str))
	}
	// The callback's own SET of loopdone:loop:1 is not reported to it.
	require.Equal(t, []string{"16384:new:loop:1@0", "8:set:loop:1@0"}, evs[:2])
	for _, e := range evs {
		require.NotContains(t, e, "loopdone", e)
	}
	// Jobs queued in SELECTed databases run there.
	c.Do("SELECT", "4")
	c.Do("SET", "job:2", "y")
	require.Equal(t, "$1\r\n2\r\n", string(c.Do("GET", "jobs:done")))
}

// TestModuleCallErrorStats: errors inside a Call count in errorstats only
// when the module replies with them; failed_calls counts them all.
func TestModuleCallErrorStats(t *testing.T) {
	so := moduleSO(t, "test_call")
	args := append(append([]string(nil), hosttest.DiffArgs...), "--loadmodule", so)
	stats := func(srv *hosttest.Server) []string {
		c := srv.Conn(t)
		c.Do("RPUSH", "list", "x")
		c.Do("CONFIG", "RESETSTAT")
		c.Do("tcall.call", "v", "INCR", "list")  // replied: counted
		c.Do("tcall.proto", "v", "INCR", "list") // not replied: not counted
		c.Do("tcall.walk", "v", "INCR", "list")  // replied by ReplyWithError
		var out []string
		for _, sec := range []string{"errorstats", "commandstats"} {
			f, err := c.Command("INFO", sec)
			require.NoError(t, err)
			for _, l := range strings.Split(string(f.Str), "\r\n") {
				if strings.HasPrefix(l, "errorstat_") || strings.HasPrefix(l, "cmdstat_incr:") {
					out = append(out, stripUsec(l))
				}
			}
		}
		return out
	}
	want := stats(hosttest.StartRedis(t, args...))
	got := stats(hosttest.StartModhost(t, args...))
	require.Len(t, want, 2, "errorstat_WRONGTYPE and cmdstat_incr")
	require.Equal(t, want, got)
}

// stripUsec removes the usec= and usec_per_call= fields (timings) from an
// INFO line.
func stripUsec(l string) string {
	var keep []string
	for _, f := range strings.Split(l, ",") {
		if !strings.HasPrefix(f, "usec") {
			keep = append(keep, f)
		}
	}
	return strings.Join(keep, ",")
}

// TestMonitorDenyBlocking: MONITOR through RedisModule_Call and inside
// EXEC is refused with Redis's DENY BLOCKING error, and the client does not
// become a monitor (a later SET gets its own reply, on both servers).
func TestMonitorDenyBlocking(t *testing.T) {
	so := moduleSO(t, "test_call")
	args := append(append([]string(nil), hosttest.DiffArgs...), "--loadmodule", so)
	run := func(srv *hosttest.Server) []string {
		c := srv.Conn(t)
		var out []string
		for _, cmd := range [][]string{
			{"tcall.call", "v", "MONITOR"},
			{"tcall.call", "Kv", "MONITOR"},
			{"MULTI"}, {"MONITOR"}, {"EXEC"},
			{"SET", "k", "v"},
		} {
			out = append(out, string(c.Do(cmd...)))
		}
		return out
	}
	want := run(hosttest.StartRedis(t, args...))
	got := run(hosttest.StartModhost(t, args...))
	require.Equal(t, "-ERR MONITOR isn't allowed for DENY BLOCKING client\r\n", want[0])
	require.Equal(t, want[0], got[0])
	// Redis lets a "K" fake client become a monitor it then frees;
	// modhost refuses it (see Client.denyBlocking).
	require.Equal(t, want[0], got[1])
	require.Equal(t, want[2:], got[2:])
}
