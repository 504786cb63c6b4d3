package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/modhost/modhost/internal/hosttest"
)

// fnLib is a library with a writing function, a no-writes one and one
// that writes several keys (its effects propagate inside MULTI/EXEC).
const fnLib = "#!lua name=mylib\n" +
	"redis.register_function('fset', function(keys, args) return redis.call('SET', keys[1], args[1]) end)\n" +
	"redis.register_function{function_name='fget', callback=function(keys) return redis.call('GET', keys[1]) end, flags={'no-writes'}}\n" +
	"redis.register_function('fmany', function(keys, args) redis.call('INCR', keys[1]) redis.call('RPUSH', keys[2], args[1]) return redis.call('LLEN', keys[2]) end)\n" +
	"redis.register_function('fquiet', function(keys) redis.set_repl(redis.REPL_NONE) redis.call('SET', keys[1], 'unreplicated') redis.set_repl(redis.REPL_ALL) return redis.call('SET', keys[2], 'replicated') end)\n"

// fnOtherLib is a second library, restored from a dump in the tests.
const fnOtherLib = "#!lua name=other\nredis.register_function('ocount', function(keys) return redis.call('INCRBY', keys[1], 10) end)\n"

// TestFunctionStreamDifferential: what FUNCTION LOAD/DELETE/RESTORE/FLUSH,
// FCALL (from a client and through a module's RM_Call "!") and EVAL put
// in the replication stream is byte for byte Redis 7.0's: the FUNCTION
// commands as themselves, scripts as the commands they ran.
func TestFunctionStreamDifferential(t *testing.T) {
	so := moduleSO(t, "test_call")
	args := append(append([]string(nil), hosttest.DiffArgs...), "--loadmodule", so,
		"--repl-ping-replica-period", "3600", "--repl-diskless-sync", "no", "--rdbcompression", "no")
	// A FUNCTION DUMP of fnOtherLib made by redis-server 7.0.15.
	ref := hosttest.StartRedis(t, args...).Conn(t)
	require.Equal(t, "$5\r\nother\r\n", string(ref.Do("FUNCTION", "LOAD", fnOtherLib)))
	dump, err := ref.Command("FUNCTION", "DUMP")
	require.NoError(t, err)
	payload := string(dump.Str)
	workload := [][]string{
		{"FUNCTION", "LOAD", fnLib},
		{"FUNCTION", "LOAD", fnLib}, // an error: not propagated
		{"FCALL", "fset", "1", "k1", "v1"},
		{"FCALL", "fget", "1", "k1"},
		{"FCALL_RO", "fget", "1", "k1"},
		{"FCALL", "fmany", "2", "ctr", "list", "x"},
		{"FCALL", "fquiet", "2", "q1", "q2"},
		{"FCALL", "nosuch", "0"},
		{"EVAL", "redis.call('SET', KEYS[1], 'e') return redis.call('INCR', KEYS[2])", "2", "ek", "ectr"},
		{"EVAL", "return redis.call('GET', KEYS[1])", "1", "ek"},
		{"EVAL", "#!lua flags=no-writes\nreturn 1", "0"},
		{"MULTI"}, {"FCALL", "fset", "1", "k2", "v2"}, {"SET", "k3", "v3"}, {"EXEC"},
		{"tcall.call", "!v", "FCALL", "fmany", "2", "ctr", "list", "y"},
		{"tcall.call", "v", "FCALL", "fset", "1", "notreplicated", "x"},
		{"FUNCTION", "RESTORE", payload},
		{"FCALL", "ocount", "1", "oc"},
		{"FUNCTION", "LOAD", "REPLACE", strings.Replace(fnOtherLib, "10", "20", 1)},
		{"FCALL", "ocount", "1", "oc"},
		{"FUNCTION", "DELETE", "other"},
		{"FUNCTION", "DELETE", "other"},
		{"FUNCTION", "FLUSH", "SYNC"},
		{"SET", "end", "1"},
	}
	streams := map[string]string{}
	for name, srv := range map[string]*hosttest.Server{
		"redis":   hosttest.StartRedis(t, args...),
		"modhost": hosttest.StartModhost(t, args...),
	} {
		st := openSyncStream(t, srv.Addr)
		c := srv.Conn(t)
		for _, cmd := range workload {
			c.Do(cmd...)
		}
		streams[name] = st.readUntil(t, "$3\r\nend\r\n$1\r\n1\r\n")
	}
	require.Contains(t, streams["modhost"], "$8\r\nFUNCTION\r\n$7\r\nRESTORE\r\n")
	require.Equal(t, streams["redis"], streams["modhost"], fmt.Sprintf("redis:\n%q\nmodhost:\n%q", streams["redis"], streams["modhost"]))
}

// functionKillSession runs a busy function on one connection and
// FUNCTION KILL (and the commands a busy function allows or refuses) on
// another; it returns the replies seen, in order.
func functionKillSession(t *testing.T, srv *hosttest.Server) []string {
	runner, other := srv.Conn(t), srv.Conn(t)
	lib := "#!lua name=busy\n" +
		"redis.register_function{function_name='spin', callback=function() local i = 0 while true do i = i + 1 end end, flags={'no-writes'}}\n" +
		"redis.register_function('spinw', function(keys) redis.call('SET', keys[1], 'v') while true do end end)\n"
	require.Equal(t, "$4\r\nbusy\r\n", string(other.Do("FUNCTION", "LOAD", lib)))
	const busyFn = "-BUSY Redis is busy running a script. You can only call FUNCTION KILL or SHUTDOWN NOSAVE.\r\n"
	var out []string
	out = append(out, string(other.Do("FUNCTION", "KILL")))
	require.NoError(t, runner.Send(hosttest.AppendCommand(nil, "FCALL", "spin", "0")))
	waitReply(t, other, busyFn, "PING")
	out = append(out, string(other.Do("GET", "k")))
	out = append(out, string(other.Do("SCRIPT", "KILL")))
	stats, err := other.Command("FUNCTION", "STATS")
	require.NoError(t, err)
	// running_script: name, command, duration_ms (the duration varies).
	rs := stats.Elems[1]
	out = append(out, string(rs.Elems[0].Raw), string(rs.Elems[1].Raw), string(rs.Elems[2].Raw), string(rs.Elems[3].Raw), string(rs.Elems[4].Raw))
	out = append(out, string(other.Do("FUNCTION", "KILL")))
	f, err := runner.ReadFrame()
	require.NoError(t, err)
	out = append(out, string(f.Raw))
	out = append(out, string(other.Do("PING")), string(runner.Do("PING")))

	// A function that wrote cannot be killed.
	require.NoError(t, runner.Send(hosttest.AppendCommand(nil, "FCALL", "spinw", "1", "k")))
	waitReply(t, other, busyFn, "PING")
	out = append(out, string(other.Do("FUNCTION", "KILL")))
	return out
}

// TestFunctionKill: busy-reply-threshold and FUNCTION KILL against
// redis-server 7.0.15, as TestScriptBusyAndKill does for EVAL.
func TestFunctionKill(t *testing.T) {
	args := append(append([]string(nil), hosttest.DiffArgs...), "--busy-reply-threshold", "100")
	want := functionKillSession(t, hosttest.StartRedis(t, args...))
	got := functionKillSession(t, hosttest.StartModhost(t, args...))
	require.Equal(t, want, got)
	require.Equal(t, "-NOTBUSY No scripts in execution right now.\r\n", got[0])
	require.Equal(t, "+OK\r\n", got[8])
	// Redis 7.0 and 7.2 both name SCRIPT KILL in the killed function's error.
	require.Equal(t, "-ERR Script killed by user with SCRIPT KILL... script: spin, on @user_function:2.\r\n", got[9])
	require.True(t, strings.HasPrefix(got[12], "-UNKILLABLE "), got[12])
}

// fnLibraries is FUNCTION LIST WITHCODE as a set of library codes.
func fnLibraries(t *testing.T, c *hosttest.Conn) []string {
	t.Helper()
	f, err := c.Command("FUNCTION", "LIST", "WITHCODE")
	require.NoError(t, err)
	var codes []string
	for _, lib := range f.Elems {
		codes = append(codes, string(lib.Elems[7].Str))
	}
	return codes
}

// TestFunctionRDBInterop: libraries saved by modhost (RDB 10) load in
// redis-server 7.0.15 and the other way round, they survive DEBUG RELOAD
// and a modhost restart (RDB 12), and the functions run after each load.
func TestFunctionRDBInterop(t *testing.T) {
	check := func(t *testing.T, c *hosttest.Conn, who string) {
		t.Helper()
		require.ElementsMatch(t, []string{fnLib, fnOtherLib}, fnLibraries(t, c), who)
		require.Equal(t, "$2\r\nv1\r\n", string(c.Do("FCALL", "fget", "1", "k1")), who)
		require.Equal(t, ":20\r\n", string(c.Do("FCALL", "ocount", "1", "oc")), who)
	}
	load := func(t *testing.T, c *hosttest.Conn) {
		t.Helper()
		require.Equal(t, "$5\r\nmylib\r\n", string(c.Do("FUNCTION", "LOAD", fnLib)))
		require.Equal(t, "$5\r\nother\r\n", string(c.Do("FUNCTION", "LOAD", fnOtherLib)))
		require.Equal(t, "+OK\r\n", string(c.Do("FCALL", "fset", "1", "k1", "v1")))
		require.Equal(t, ":10\r\n", string(c.Do("FCALL", "ocount", "1", "oc")))
		require.Equal(t, "+OK\r\n", string(c.Do("SAVE")))
	}
	t.Run("modhost to redis", func(t *testing.T) {
		dir := t.TempDir()
		s := startIn(t, hosttest.ModhostBin(t), dir, "--save", "", "--rdb-version", "10")
		c := s.Conn(t)
		load(t, c)
		require.Equal(t, "+OK\r\n", string(c.Do("DEBUG", "RELOAD")))
		require.ElementsMatch(t, []string{fnLib, fnOtherLib}, fnLibraries(t, c))
		s.Kill()
		r := startIn(t, hosttest.RedisBin(t), dir, "--save", "")
		check(t, r.Conn(t), "redis")
	})
	t.Run("redis to modhost", func(t *testing.T) {
		dir := t.TempDir()
		r := startIn(t, hosttest.RedisBin(t), dir, "--save", "")
		load(t, r.Conn(t))
		r.Kill()
		s := startIn(t, hosttest.ModhostBin(t), dir, "--save", "")
		check(t, s.Conn(t), "modhost")
	})
	t.Run("modhost restart", func(t *testing.T) {
		dir := t.TempDir()
		s := startIn(t, hosttest.ModhostBin(t), dir, "--save", "")
		load(t, s.Conn(t))
		s.Kill()
		head, err := os.ReadFile(filepath.Join(dir, "dump.rdb"))
		require.NoError(t, err)
		require.Equal(t, "REDIS0012", string(head[:9]))
		s2 := startIn(t, hosttest.ModhostBin(t), dir, "--save", "")
		c := s2.Conn(t)
		check(t, c, "modhost")
		require.Contains(t, string(c.Do("INFO", "memory")), "number_of_libraries:2\r\n")
		require.Contains(t, string(c.Do("INFO", "memory")), "number_of_functions:5\r\n")
	})
	t.Run("bad library in the file", func(t *testing.T) {
		// redis-server saves a library; the file is then edited so its
		// code no longer compiles (same length; the library is loaded
		// before the file's checksum is checked, as in Redis).
		dir := t.TempDir()
		r := startIn(t, hosttest.RedisBin(t), dir, "--save", "", "--rdbcompression", "no")
		require.Equal(t, "$5\r\nmylib\r\n", string(r.Conn(t).Do("FUNCTION", "LOAD", fnLib)))
		require.Equal(t, "+OK\r\n", string(r.Conn(t).Do("SAVE")))
		r.Kill()
		path := filepath.Join(dir, "dump.rdb")
		data, err := os.ReadFile(path)
		require.NoError(t, err)
		edited := strings.Replace(string(data), "function(keys, args) return redis.call('SET'", "function(keys, args( return redis.call('SET'", 1)
		require.NotEqual(t, string(data), edited)
		data = []byte(edited)
		require.NoError(t, os.WriteFile(path, data, 0o644))
		log, code := runFailing(t, dir)
		require.NotEqual(t, 0, code)
		require.Contains(t, log, "Failed loading library, Error compiling function: ")
	})
}

// TestFunctionReplicaFullSync: a redis-server 7.0.15 replica of modhost
// gets the libraries in the full-sync snapshot and the FUNCTION and
// FCALL traffic after it, and ends with the master's data and libraries.
func TestFunctionReplicaFullSync(t *testing.T) {
	master := hosttest.StartModhost(t, hosttest.DiffArgs...)
	mc := master.Conn(t)
	require.Equal(t, "$5\r\nmylib\r\n", string(mc.Do("FUNCTION", "LOAD", fnLib)))
	require.Equal(t, "+OK\r\n", string(mc.Do("FCALL", "fset", "1", "k1", "v1")))
	replica := hosttest.StartRedis(t, append(append([]string(nil), hosttest.DiffArgs...), "--replicaof", "127.0.0.1", strconv.Itoa(master.Port))...)
	rc := replica.Conn(t)
	require.Eventually(t, func() bool {
		return replInfo(t, rc, "replication", "master_link_status") == "up"
	}, 20*time.Second, 50*time.Millisecond, "replica never came online")
	require.Equal(t, ":1\r\n", string(mc.Do("FCALL", "fmany", "2", "ctr", "list", "a")))
	require.Equal(t, "$5\r\nother\r\n", string(mc.Do("FUNCTION", "LOAD", fnOtherLib)))
	require.Equal(t, ":10\r\n", string(mc.Do("FCALL", "ocount", "1", "oc")))
	require.Equal(t, ":1\r\n", string(mc.Do("WAIT", "1", "5000")))
	require.ElementsMatch(t, []string{fnLib, fnOtherLib}, fnLibraries(t, rc))
	require.Equal(t, string(mc.Do("DEBUG", "DIGEST")), string(rc.Do("DEBUG", "DIGEST")))
	require.Equal(t, "+OK\r\n", string(mc.Do("FUNCTION", "DELETE", "mylib")))
	require.Equal(t, ":1\r\n", string(mc.Do("WAIT", "1", "5000")))
	require.ElementsMatch(t, []string{fnOtherLib}, fnLibraries(t, rc))
}

// TestScriptNestedThroughModule: a script whose module command runs EVAL
// or FCALL through RedisModule_Call gets an error (redis-server 7.0.15
// asserts and crashes here), and the server goes on.
func TestScriptNestedThroughModule(t *testing.T) {
	so := moduleSO(t, "test_call")
	c := hosttest.StartModhost(t, append(append([]string(nil), hosttest.DiffArgs...), "--loadmodule", so)...).Conn(t)
	require.Equal(t, "$1\r\nn\r\n", string(c.Do("FUNCTION", "LOAD", "#!lua name=n\n"+
		"redis.register_function('inner', function() return redis.call('SET', 'ik', 'iv') end)\n"+
		"redis.register_function('outer', function() return redis.call('tcall.call', 'v', 'FCALL', 'inner', '0') end)\n")))
	require.Equal(t, "-ERR This Redis command is not allowed from script script: outer, on @user_function:3.\r\n", string(c.Do("FCALL", "outer", "0")))
	got := string(c.Do("EVAL", "return redis.call('tcall.call', 'v', 'EVAL', 'return 1', '0')", "0"))
	require.True(t, strings.HasPrefix(got, "-ERR This Redis command is not allowed from script script: "), got)
	require.Equal(t, "$-1\r\n", string(c.Do("GET", "ik")))
	require.Equal(t, "+OK\r\n", string(c.Do("FCALL", "inner", "0")))
}
