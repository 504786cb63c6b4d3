package main

import (
	"crypto/sha1"
	"encoding/hex"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/modhost/modhost/internal/hosttest"
	"github.com/stretchr/testify/require"
	"golang.org/x/sys/unix"
)

// Scripts run through RedisModule_Call as Redis 7.2 runs them, where 7.0
// (the differential oracle, testdata/diff/module_call.txt covers what the
// two agree on) differs: 7.2 lets a Call without "M" run any script over
// maxmemory (CLIENT_ALLOW_OOM), and words a script's ACL failure "ACL
// failure in script: ..." with the ACL LOG entry in the "lua" context.

// TestModuleCallScriptOOMWithoutM: without "M" every script runs over
// maxmemory, with or without shebang, and may write; with "M" the same
// scripts are refused.
func TestModuleCallScriptOOMWithoutM(t *testing.T) {
	_, c := startCallHost(t)
	require.Equal(t, "+OK\r\n", string(c.Do("CONFIG", "SET", "maxmemory", "1")))
	for _, body := range []string{
		"redis.call('SET', 'x', 'a') return 6",
		"#!lua\nredis.call('SET', 'x', 'b') return 7",
		"#!lua flags=allow-oom\nredis.call('SET', 'x', 'c') return 8",
	} {
		want := ":" + body[len(body)-1:] + "\r\n"
		require.Equal(t, want, string(c.Do("tcall.call", "Ev", "EVAL", body, "1", "x")), body)
	}
	require.Equal(t, "$1\r\nc\r\n", string(c.Do("tcall.call", "v", "GET", "x")))
	got := string(c.Do("tcall.call", "MEv", "EVAL", "redis.call('SET', 'x', 'd') return 9", "1", "x"))
	require.True(t, strings.HasPrefix(got, "-OOM command not allowed when used memory > 'maxmemory'. script: "), got)
	require.Equal(t, "-OOM command not allowed when used memory > 'maxmemory'.\r\n",
		string(c.Do("tcall.call", "MEv", "EVAL", "#!lua\nreturn 10", "1", "x")))
	// A client's own EVAL still gets the OOM error.
	require.Equal(t, "-OOM command not allowed when used memory > 'maxmemory'.\r\n", string(c.Do("EVAL", "#!lua\nreturn 11", "0")))
	require.Equal(t, "+OK\r\n", string(c.Do("CONFIG", "SET", "maxmemory", "0")))
}

// TestModuleCallScriptAsUser: with "C" the script's commands are checked
// against the Call's user (SetContextUser's, or the calling client's);
// without "C" the script runs unchecked, as Redis's temporary client has
// no user.
func TestModuleCallScriptAsUser(t *testing.T) {
	s := hosttest.StartModhost(t, "--loadmodule", moduleSO(t, "test_acl"), "--loadmodule", moduleSO(t, "test_call"))
	c := s.Conn(t)
	setScript := "redis.call('SET', 'x', 1) return 1"
	getScript := "redis.call('GET', 'x') return 1"
	sum := sha1.Sum([]byte(setScript))
	sha := hex.EncodeToString(sum[:])
	require.Equal(t, "+OK\r\n", string(c.Do("TACL.SETUSER", "on", "+@all", "-set", "~*")))
	require.Equal(t, "+OK\r\n", string(c.Do("ACL", "LOG", "RESET")))
	require.Equal(t, "-ERR ACL failure in script: User tacluser has no permissions to run the 'set' command script: "+sha+", on @user_script:1.\r\n",
		string(c.Do("TACL.CALLAS", "EVAL", setScript, "0")))
	require.Equal(t, ":1\r\n", string(c.Do("TACL.CALLAS", "EVAL", getScript, "0")))
	f, err := c.Command("ACL", "LOG")
	require.NoError(t, err)
	require.Len(t, f.Elems, 1)
	entry := map[string]string{}
	for i := 0; i+1 < len(f.Elems[0].Elems); i += 2 {
		entry[string(f.Elems[0].Elems[i].Str)] = string(f.Elems[0].Elems[i+1].Str)
	}
	require.Equal(t, "tacluser", entry["username"])
	require.Equal(t, "lua", entry["context"])
	require.Equal(t, "set", entry["object"])
	require.Equal(t, "command", entry["reason"])
	require.Contains(t, entry["client-info"], "cmd=tacl.callas")
	// redis.pcall turns the failure into an error reply the script sees.
	require.Equal(t, "-ERR ACL failure in script: User tacluser has no permissions to run the 'set' command\r\n",
		string(c.Do("TACL.CALLAS", "EVAL", "return redis.pcall('SET', 'x', 2)", "0")))

	// The calling client's user, through "C" without SetContextUser.
	require.Equal(t, "+OK\r\n", string(c.Do("ACL", "SETUSER", "u1", "on", "nopass", "+@all", "-set", "~*")))
	u := s.Conn(t)
	require.Equal(t, "+OK\r\n", string(u.Do("AUTH", "u1", "x")))
	got := string(u.Do("tcall.call", "CEv", "EVAL", setScript, "0"))
	require.True(t, strings.HasPrefix(got, "-ERR ACL failure in script: User u1 has no permissions to run the 'set' command script: "), got)
	require.Equal(t, ":1\r\n", string(u.Do("tcall.call", "Ev", "EVAL", setScript, "0")), "without C the script is not checked")
	require.Equal(t, ":1\r\n", string(u.Do("tcall.call", "CEv", "EVAL", getScript, "0")))
}

// TestModuleCallScriptAOFWriteError: while AOF writes fail (the file size
// limit of TestAOFWriteError), Call's "S" mode refuses writes, scripts
// run through Call refuse their first write and scripts declaring writes,
// with Redis 7.2's MISCONF texts (differential scripts cannot make the
// oracle's disk fail); reads and no-writes scripts go on.
func TestModuleCallScriptAOFWriteError(t *testing.T) {
	dir := t.TempDir()
	s := startAOF(t, hosttest.ModhostBin(t), dir, "--appendfsync", "everysec", "--loadmodule", moduleSO(t, "test_call"))
	c := s.Conn(t)
	require.Equal(t, "+OK\r\n", string(c.Do("SET", "a", "1")))
	st, err := os.Stat(filepath.Join(dir, "appendonlydir", "appendonly.aof.1.incr.aof"))
	require.NoError(t, err)
	var old unix.Rlimit
	require.NoError(t, unix.Prlimit(s.PID(), unix.RLIMIT_FSIZE, &unix.Rlimit{Cur: uint64(st.Size()) + 10, Max: unix.RLIM_INFINITY}, &old))
	require.Equal(t, "+OK\r\n", string(c.Do("SET", "b", "a value longer than the limit")), "the write that fails is answered")
	const misconf = "-MISCONF Errors writing to the AOF file: file too large"
	require.Equal(t, misconf+"\r\n", string(c.Do("tcall.stale", "SEv", "SET", "c", "3")))
	require.Equal(t, "$1\r\n1\r\n", string(c.Do("tcall.stale", "SEv", "GET", "a")))
	write := "return redis.call('SET', 'x', 1)"
	sum := sha1.Sum([]byte(write))
	require.Equal(t, misconf+" script: "+hex.EncodeToString(sum[:])+", on @user_script:1.\r\n",
		string(c.Do("tcall.stale", "Ev", "EVAL", write, "0")))
	require.Equal(t, "$1\r\n1\r\n", string(c.Do("tcall.stale", "Ev", "EVAL", "return redis.call('GET', 'a')", "0")))
	require.Equal(t, "-MISCONF Redis is configured to persist data to AOF, but it's currently unable to persist to disk. Writable scripts are blocked. Use 'no-writes' flag for read only scripts. AOF error: file too large\r\n",
		string(c.Do("tcall.stale", "Ev", "EVAL", "#!lua\nreturn 1", "0")))
	require.Equal(t, "$1\r\n1\r\n", string(c.Do("tcall.stale", "Ev", "EVAL", "#!lua flags=no-writes\nreturn redis.call('GET', 'a')", "0")))
	// A client's own EVAL of a write script meets the server's check.
	require.Equal(t, misconf+"\r\n", string(c.Do("EVAL", "#!lua\nreturn 1", "0")))
	require.NoError(t, unix.Prlimit(s.PID(), unix.RLIMIT_FSIZE, &old, nil))
	require.Eventually(t, func() bool { return string(c.Do("PING")) == "+PONG\r\n" }, 10*time.Second, 20*time.Millisecond)
	require.Equal(t, ":1\r\n", string(c.Do("tcall.stale", "Ev", "EVAL", "#!lua\nreturn 1", "0")))
}
