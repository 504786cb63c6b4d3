package main

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/modhost/modhost/internal/hosttest"
)

// aofArgs are the arguments of an AOF test server in dir (any server
// binary: modhost or redis-server).
func aofArgs(dir string, extra ...string) []string {
	return append([]string{"--dir", dir, "--save", "", "--appendonly", "yes", "--enable-debug-command", "yes"}, extra...)
}

// startAOF starts bin on dir with appendonly yes.
func startAOF(t *testing.T, bin, dir string, extra ...string) *hosttest.Server {
	t.Helper()
	return hosttest.StartServer(t, bin, aofArgs(dir, extra...)...)
}

// moreWrites adds writes whose propagated forms the AOF must get right:
// relative expiries, a transaction, float increments, random pops,
// several databases.
func moreWrites(t *testing.T, c *hosttest.Conn) {
	t.Helper()
	for _, cmd := range [][]string{
		{"SET", "ex", "v", "EX", "100000"}, {"EXPIRE", "s:str", "50000"}, {"SETEX", "sx", "40000", "v"},
		{"INCRBYFLOAT", "fl", "1.5"}, {"HINCRBYFLOAT", "hf", "f", "2.5"},
		{"MULTI"}, {"INCR", "ctr"}, {"LPUSH", "tx:l", "a", "b"}, {"SELECT", "5"}, {"SET", "in5", "x"}, {"EXEC"},
		{"SELECT", "0"}, {"SPOP", "set:lp"}, {"DEL", "l:small"}, {"SET", "gone", "x", "PX", "1"},
		{"XGROUP", "CREATE", "st", "g1", "0"}, {"XREADGROUP", "GROUP", "g1", "alice", "COUNT", "1", "STREAMS", "st", ">"},
		{"XGROUP", "CREATECONSUMER", "st", "g1", "bob"},
	} {
		require.NotEqual(t, byte('-'), c.Do(cmd...)[0], "%v", cmd)
	}
	time.Sleep(5 * time.Millisecond) // "gone" expires; its DEL is logged when noticed
	require.Equal(t, "$-1\r\n", string(c.Do("GET", "gone")))
}

// waitRewrite waits until no AOF rewrite runs.
func waitRewrite(t *testing.T, c *hosttest.Conn) {
	t.Helper()
	require.Eventually(t, func() bool {
		info := c.Do("INFO", "persistence")
		return bytes.Contains(info, []byte("aof_rewrite_in_progress:0")) && bytes.Contains(info, []byte("aof_rewrite_scheduled:0"))
	}, 20*time.Second, 20*time.Millisecond)
}

// manifest reads the manifest of the AOF directory of dir.
func manifest(t *testing.T, dir string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dir, "appendonlydir", "appendonly.aof.manifest"))
	require.NoError(t, err)
	return string(b)
}

func TestAOFRoundTrip(t *testing.T) {
	bin := hosttest.ModhostBin(t)
	for _, preamble := range []string{"yes", "no"} {
		t.Run("preamble "+preamble, func(t *testing.T) {
			dir := t.TempDir()
			s := startAOF(t, bin, dir, "--aof-use-rdb-preamble", preamble)
			c := s.Conn(t)
			require.Contains(t, s.Logs(), "Creating AOF incr file appendonly.aof.1.incr.aof on server start")
			populate(t, c)
			moreWrites(t, c)
			require.Equal(t, "+Background append only file rewriting started\r\n", string(c.Do("BGREWRITEAOF")))
			require.Equal(t, "+OK\r\n", string(c.Do("SET", "during", "rewrite")))
			waitRewrite(t, c)
			require.Equal(t, "+OK\r\n", string(c.Do("SET", "after", "rewrite")))
			want := digest(c)
			ext := "rdb"
			if preamble == "no" {
				ext = "aof"
			}
			require.Equal(t, fmt.Sprintf("file appendonly.aof.2.base.%s seq 2 type b\nfile appendonly.aof.2.incr.aof seq 2 type i\n", ext), manifest(t, dir))
			info := string(c.Do("INFO", "persistence"))
			require.Contains(t, info, "aof_enabled:1")
			require.Contains(t, info, "aof_rewrites:1")
			require.Contains(t, info, "aof_last_bgrewrite_status:ok")
			// DEBUG LOADAOF empties the dataset and loads it back from the files.
			require.Equal(t, "+OK\r\n", string(c.Do("DEBUG", "LOADAOF")))
			require.Equal(t, want, digest(c), "after DEBUG LOADAOF")
			s.Kill() // no shutdown work: every write reached the file before its reply
			s2 := startAOF(t, bin, dir, "--aof-use-rdb-preamble", preamble)
			c2 := s2.Conn(t)
			require.Equal(t, want, digest(c2))
			require.Contains(t, s2.Logs(), "DB loaded from append only file: ")
			require.Contains(t, s2.Logs(), "Opening AOF incr file appendonly.aof.2.incr.aof on server start")
			require.Equal(t, ":4102444800000\r\n", string(c2.Do("PEXPIRETIME", "s:ttl")))
			require.Equal(t, "$7\r\nrewrite\r\n", string(c2.Do("GET", "during")))
		})
	}
}
