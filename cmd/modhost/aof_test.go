package main

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"golang.org/x/sys/unix"

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

// TestAOFInterop writes an AOF directory with one server, stops it and
// loads the directory with the other: Redis 7.0.15 reads modhost's (an RDB
// base of version 10, as 7.0 needs, or a commands base, and the incr
// file) and modhost reads Redis's; DEBUG DIGEST must match.
func TestAOFInterop(t *testing.T) {
	redis, modhost := hosttest.RedisBin(t), hosttest.ModhostBin(t)
	args := func(bin, preamble string) []string {
		a := []string{"--aof-use-rdb-preamble", preamble}
		if bin == modhost {
			a = append(a, "--rdb-version", "10")
		}
		return a
	}
	for _, tc := range []struct {
		name     string
		from, to string
		preamble string
	}{
		{"modhost to redis, rdb base", modhost, redis, "yes"},
		{"modhost to redis, commands base", modhost, redis, "no"},
		{"redis to modhost, rdb base", redis, modhost, "yes"},
		{"redis to modhost, commands base", redis, modhost, "no"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			s := startAOF(t, tc.from, dir, args(tc.from, tc.preamble)...)
			c := s.Conn(t)
			populate(t, c)
			require.Equal(t, "+Background append only file rewriting started\r\n", string(c.Do("BGREWRITEAOF")))
			waitRewrite(t, c)
			moreWrites(t, c)
			want := digest(c)
			require.NoError(t, c.Send(hosttest.AppendCommand(nil, "SHUTDOWN")))
			require.Eventually(t, s.Exited, 10*time.Second, 20*time.Millisecond)
			written := manifest(t, dir)
			r := startAOF(t, tc.to, dir, args(tc.to, tc.preamble)...)
			rc := r.Conn(t)
			require.Equal(t, want, digest(rc))
			require.Equal(t, written, manifest(t, dir), "the reader keeps the writer's files")
			require.Equal(t, "+OK\r\n", string(rc.Do("SET", "more", "x")))
			want = digest(rc)
			require.NoError(t, rc.Send(hosttest.AppendCommand(nil, "SHUTDOWN")))
			require.Eventually(t, r.Exited, 10*time.Second, 20*time.Millisecond)
			back := startAOF(t, tc.from, dir, args(tc.from, tc.preamble)...)
			require.Equal(t, want, digest(back.Conn(t)), "and back")
		})
	}
}

// copyDir copies the files of src (one level of subdirectories) to dst.
func copyDir(t *testing.T, src, dst string) {
	t.Helper()
	require.NoError(t, filepath.Walk(src, func(p string, info os.FileInfo, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, p)
		out := filepath.Join(dst, rel)
		if info.IsDir() {
			return os.MkdirAll(out, 0o755)
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		return os.WriteFile(out, b, 0o644)
	}))
}

// runToExit starts bin on dir and returns its output and exit code; it
// is for start-ups that fail (a server that starts is killed after 5 s).
func runToExit(t *testing.T, bin, dir string, extra ...string) (string, int) {
	t.Helper()
	port, err := hosttest.FreePort()
	require.NoError(t, err)
	cmd := exec.Command(bin, append(aofArgs(dir, extra...), "--port", fmt.Sprint(port))...)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	require.NoError(t, cmd.Start())
	done := make(chan struct{})
	go func() { _ = cmd.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		_ = cmd.Process.Kill()
		<-done
	}
	return out.String(), cmd.ProcessState.ExitCode()
}

// deterministicWrites are writes whose AOF form does not depend on time
// or chance, so both servers must log the same bytes.
var deterministicWrites = [][]string{
	{"SET", "a", "1"}, {"INCR", "a"}, {"RPUSH", "l", "x", "y"}, {"LPOP", "l"},
	{"HSET", "h", "f", "v"}, {"SADD", "s", "m1", "m2"}, {"SREM", "s", "m1"},
	{"ZADD", "z", "1", "a", "2", "b"}, {"ZINCRBY", "z", "1.5", "a"}, {"SELECT", "2"},
	{"SET", "b", "2", "PXAT", "4102444800000"}, {"PEXPIREAT", "b", "4102444800001"},
	{"MULTI"}, {"SET", "c", "3"}, {"SELECT", "0"}, {"DEL", "a"}, {"EXEC"},
	{"GETSET", "a", "new"}, {"GETDEL", "a"}, {"INCRBYFLOAT", "f", "2.5"},
	{"SET", "k", "v"}, {"GET", "k"}, {"DEL", "missing"}, {"FLUSHDB"},
	{"LPUSH", "bl", "v"}, {"BLPOP", "bl", "0"}, {"XADD", "st", "1-1", "f", "v"}, {"XDEL", "st", "1-1"},
}

// TestAOFIncrSameAsRedis sends the same writes to both servers and
// compares the incr files byte for byte, once Redis 7.0's file is put in
// the Redis 7.2 shape modhost follows (hosttest.Stream72: the SELECT 7.0
// writes before a MULTI comes after it in 7.2; the transaction in db 4
// below needs one).
func TestAOFIncrSameAsRedis(t *testing.T) {
	var files [2][]byte
	writes := append(append([][]string(nil), deterministicWrites...),
		[]string{"SELECT", "4"}, []string{"MULTI"}, []string{"SET", "x4", "1"}, []string{"INCR", "x4"}, []string{"EXEC"})
	for i, bin := range []string{hosttest.RedisBin(t), hosttest.ModhostBin(t)} {
		dir := t.TempDir()
		s := startAOF(t, bin, dir, "--appendfsync", "always") // Redis writes before each reply
		c := s.Conn(t)
		for _, cmd := range writes {
			c.Do(cmd...)
		}
		b, err := os.ReadFile(filepath.Join(dir, "appendonlydir", "appendonly.aof.1.incr.aof"))
		require.NoError(t, err)
		files[i] = b
		require.Equal(t, "file appendonly.aof.1.base.rdb seq 1 type b\nfile appendonly.aof.1.incr.aof seq 1 type i\n", manifest(t, dir), bin)
	}
	want, err := hosttest.Stream72(files[0])
	require.NoError(t, err)
	require.NotEqual(t, string(files[0]), string(want), "the writes exercise the 7.0/7.2 difference")
	require.Equal(t, string(want), string(files[1]))
}

// TestAOFTruncatedAndBadFiles damages the incr file the way a crash or a
// bad edit would and checks both servers react alike: a cut tail is
// dropped with aof-load-truncated yes (the file is truncated to the same
// length), refused with no; bad protocol is always refused; an
// unfinished MULTI is reverted.
func TestAOFTruncatedAndBadFiles(t *testing.T) {
	redis, modhost := hosttest.RedisBin(t), hosttest.ModhostBin(t)
	base := t.TempDir()
	s := startAOF(t, modhost, base, "--rdb-version", "10") // a base Redis 7.0 reads
	c := s.Conn(t)
	for i := 0; i < 20; i++ {
		require.Equal(t, "+OK\r\n", string(c.Do("SET", fmt.Sprint("k", i), "v")))
	}
	s.Kill()
	incr := filepath.Join("appendonlydir", "appendonly.aof.1.incr.aof")
	for _, tc := range []struct {
		name      string
		tail      string
		truncated string // aof-load-truncated
		exit      int
		logs      []string
	}{
		{"cut tail", "*3\r\n$3\r\nSET\r\n$1\r\nx", "yes", 0, []string{
			"!!! Warning: short read while loading the AOF file appendonly.aof.1.incr.aof!!!",
			"AOF appendonly.aof.1.incr.aof loaded anyway because aof-load-truncated is enabled"}},
		{"cut tail refused", "*3\r\n$3\r\nSET\r\n$1\r\nx", "no", 1, []string{
			"Unexpected end of file reading the append only file appendonly.aof.1.incr.aof"}},
		{"bad format", "garbage\r\n", "yes", 1, []string{
			"Bad file format reading the append only file appendonly.aof.1.incr.aof"}},
		{"unfinished multi", "*1\r\n$5\r\nMULTI\r\n*3\r\n$3\r\nSET\r\n$1\r\nq\r\n$1\r\n1\r\n", "yes", 0, []string{
			"Revert incomplete MULTI/EXEC transaction in AOF file appendonly.aof.1.incr.aof"}},
		{"error reply", "*2\r\n$4\r\nINCR\r\n$2\r\nk0\r\n", "yes", 0, []string{
			"== CRITICAL == This server is sending an error to its AOF-loading-client: 'value is not an integer or out of range' after processing the command 'incr'"}},
		{"unknown command", "*1\r\n$7\r\nNOTACMD\r\n", "yes", 1, []string{
			"Unknown command 'NOTACMD' reading the append only file appendonly.aof.1.incr.aof"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var digests, sizes [2]string
			for i, bin := range []string{redis, modhost} {
				dir := t.TempDir()
				copyDir(t, base, dir)
				f, err := os.OpenFile(filepath.Join(dir, incr), os.O_APPEND|os.O_WRONLY, 0)
				require.NoError(t, err)
				_, err = f.WriteString(tc.tail)
				require.NoError(t, err)
				require.NoError(t, f.Close())
				if tc.exit != 0 {
					out, code := runToExit(t, bin, dir, "--aof-load-truncated", tc.truncated)
					require.Equal(t, tc.exit, code, out)
					for _, l := range tc.logs {
						require.Contains(t, out, l, bin)
					}
					continue
				}
				srv := startAOF(t, bin, dir, "--aof-load-truncated", tc.truncated)
				for _, l := range tc.logs {
					require.Contains(t, srv.Logs(), l, bin)
				}
				digests[i] = digest(srv.Conn(t))
				st, err := os.Stat(filepath.Join(dir, incr))
				require.NoError(t, err)
				sizes[i] = fmt.Sprint(st.Size())
			}
			require.Equal(t, digests[0], digests[1])
			require.Equal(t, sizes[0], sizes[1])
		})
	}
	t.Run("error reply with propagation-error-behavior panic", func(t *testing.T) {
		dir := t.TempDir()
		copyDir(t, base, dir)
		f, err := os.OpenFile(filepath.Join(dir, incr), os.O_APPEND|os.O_WRONLY, 0)
		require.NoError(t, err)
		_, err = f.WriteString("*2\r\n$4\r\nINCR\r\n$2\r\nk0\r\n")
		require.NoError(t, err)
		require.NoError(t, f.Close())
		out, code := runToExit(t, modhost, dir, "--propagation-error-behavior", "panic")
		require.Equal(t, 1, code, out)
		require.Contains(t, out, "This server panicked sending an error to its AOF-loading-client after processing the command 'incr'")
	})
}

// TestAOFRewriteWithAppendonlyNo: BGREWRITEAOF with the AOF off writes
// the directory with a base and a manifest naming only it, as Redis does;
// a server started later with appendonly yes loads it.
func TestAOFRewriteWithAppendonlyNo(t *testing.T) {
	var manifests [2]string
	for i, bin := range []string{hosttest.RedisBin(t), hosttest.ModhostBin(t)} {
		dir := t.TempDir()
		s := startAOF(t, bin, dir, "--appendonly", "no")
		c := s.Conn(t)
		require.Equal(t, "+OK\r\n", string(c.Do("SET", "k", "v")))
		require.Equal(t, "+Background append only file rewriting started\r\n", string(c.Do("BGREWRITEAOF")))
		waitRewrite(t, c)
		require.Equal(t, "+Background append only file rewriting started\r\n", string(c.Do("BGREWRITEAOF")))
		waitRewrite(t, c)
		info := string(c.Do("INFO", "persistence"))
		require.Contains(t, info, "aof_enabled:0")
		require.Contains(t, info, "aof_rewrites:2")
		require.NotContains(t, info, "aof_current_size")
		manifests[i] = manifest(t, dir)
		_, err := os.Stat(filepath.Join(dir, "appendonlydir", "appendonly.aof.1.base.rdb"))
		require.True(t, os.IsNotExist(err), "the first base became history and was removed")
		want := digest(c)
		s.Kill()
		s2 := startAOF(t, bin, dir)
		require.Equal(t, want, digest(s2.Conn(t)))
	}
	require.Equal(t, "file appendonly.aof.2.base.rdb seq 2 type b\n", manifests[1])
	require.Equal(t, manifests[0], manifests[1])
}

// TestAOFConfigSetAppendonly turns the AOF on at run time (a rewrite
// writes the dataset first, writes meanwhile go to a temporary incr file)
// and off again, on both servers: same manifests, and the directory
// reloads to the same dataset.
func TestAOFConfigSetAppendonly(t *testing.T) {
	var manifests [2]string
	for i, bin := range []string{hosttest.RedisBin(t), hosttest.ModhostBin(t)} {
		dir := t.TempDir()
		s := startAOF(t, bin, dir, "--appendonly", "no")
		c := s.Conn(t)
		require.Equal(t, "+OK\r\n", string(c.Do("SET", "before", "1")))
		require.Equal(t, "+OK\r\n", string(c.Do("CONFIG", "SET", "appendonly", "yes")))
		require.Equal(t, "+OK\r\n", string(c.Do("SET", "during", "2")))
		waitRewrite(t, c)
		require.Equal(t, "+OK\r\n", string(c.Do("SET", "after", "3")))
		require.Contains(t, string(c.Do("INFO", "persistence")), "aof_enabled:1")
		manifests[i] = manifest(t, dir)
		want := digest(c)
		require.Equal(t, "+OK\r\n", string(c.Do("CONFIG", "SET", "appendonly", "no")))
		require.Contains(t, string(c.Do("INFO", "persistence")), "aof_enabled:0")
		require.Equal(t, "+OK\r\n", string(c.Do("SET", "off", "4")))
		s.Kill()
		s2 := startAOF(t, bin, dir)
		require.Equal(t, want, digest(s2.Conn(t)), bin)
	}
	require.Equal(t, "file appendonly.aof.1.base.rdb seq 1 type b\nfile appendonly.aof.1.incr.aof seq 1 type i\n", manifests[1])
	require.Equal(t, manifests[0], manifests[1])
}

// TestAOFInfoFields compares the names of INFO persistence's AOF fields
// with Redis's, with the AOF on and off.
func TestAOFInfoFields(t *testing.T) {
	names := func(info []byte) []string {
		var out []string
		for _, l := range strings.Split(string(info), "\r\n") {
			if k, _, ok := strings.Cut(l, ":"); ok && (strings.HasPrefix(k, "aof_") || strings.HasPrefix(k, "module_fork")) {
				out = append(out, k)
			}
		}
		return out
	}
	for _, on := range []string{"yes", "no"} {
		var got [2][]string
		for i, bin := range []string{hosttest.RedisBin(t), hosttest.ModhostBin(t)} {
			s := startAOF(t, bin, t.TempDir(), "--appendonly", on)
			got[i] = names(s.Conn(t).Do("INFO", "persistence"))
		}
		require.Equal(t, got[0], got[1], "appendonly "+on)
	}
}

// TestAOFUpgradeOldFile starts on a pre-7.0 single appendonly.aof: it is
// moved into the directory as the base, as Redis does.
func TestAOFUpgradeOldFile(t *testing.T) {
	old := "*2\r\n$6\r\nSELECT\r\n$1\r\n0\r\n*3\r\n$3\r\nSET\r\n$3\r\nold\r\n$5\r\nstyle\r\n*3\r\n$5\r\nRPUSH\r\n$1\r\nl\r\n$1\r\nx\r\n"
	var results [2]string
	for i, bin := range []string{hosttest.RedisBin(t), hosttest.ModhostBin(t)} {
		dir := t.TempDir()
		require.NoError(t, os.WriteFile(filepath.Join(dir, "appendonly.aof"), []byte(old), 0o644))
		s := startAOF(t, bin, dir)
		c := s.Conn(t)
		require.Contains(t, s.Logs(), "Successfully migrated an old-style AOF file (appendonly.aof) into the AOF directory (appendonlydir).")
		require.Equal(t, "$5\r\nstyle\r\n", string(c.Do("GET", "old")))
		results[i] = manifest(t, dir) + digest(c)
	}
	require.Equal(t, results[0], results[1])
}

// TestAOFModuleType: a module data type round-trips through the AOF with
// both base formats (aof_rewrite's EmitAOF commands, or rdb_save), its
// commands reach the incr file through RedisModule_Replicate and
// ReplicateVerbatim, and Redis loads the directory modhost wrote (and
// the other way round) with the same module.
func TestAOFModuleType(t *testing.T) {
	so := moduleSO(t, "test_aof")
	redis, modhost := hosttest.RedisBin(t), hosttest.ModhostBin(t)
	for _, tc := range []struct {
		preamble string
		from, to string
	}{
		{"no", modhost, redis}, {"yes", modhost, redis}, {"no", redis, modhost}, {"yes", redis, modhost},
	} {
		t.Run(fmt.Sprintf("preamble %s from %s", tc.preamble, filepath.Base(tc.from)), func(t *testing.T) {
			args := func(bin string) []string {
				// appendfsync always: Redis writes before every reply (with
				// everysec it may hold writes while an fsync runs).
				a := []string{"--aof-use-rdb-preamble", tc.preamble, "--loadmodule", so, "--appendfsync", "always"}
				if bin == modhost {
					a = append(a, "--rdb-version", "10")
				}
				return a
			}
			dir := t.TempDir()
			s := startAOF(t, tc.from, dir, args(tc.from)...)
			c := s.Conn(t)
			for _, cmd := range [][]string{
				{"AOFT.SET", "a", "first", "5"}, {"AOFT.INCR", "a", "3"}, {"SELECT", "4"}, {"AOFT.SET", "b", "in db4", "-1"},
				{"MULTI"}, {"AOFT.INCR", "b", "10"}, {"SET", "plain", "x"}, {"EXEC"}, {"SELECT", "0"},
			} {
				require.NotEqual(t, byte('-'), c.Do(cmd...)[0], "%v", cmd)
			}
			incr, err := os.ReadFile(filepath.Join(dir, "appendonlydir", "appendonly.aof.1.incr.aof"))
			require.NoError(t, err)
			require.Contains(t, string(incr), "$8\r\nAOFT.SET\r\n$1\r\na\r\n$5\r\nfirst\r\n$1\r\n8\r\n", "Replicate's form")
			require.Equal(t, "+Background append only file rewriting started\r\n", string(c.Do("BGREWRITEAOF")))
			waitRewrite(t, c)
			if tc.preamble == "no" {
				b, err := os.ReadFile(filepath.Join(dir, "appendonlydir", "appendonly.aof.2.base.aof"))
				require.NoError(t, err)
				require.Contains(t, string(b), "*4\r\n$8\r\nAOFT.SET\r\n$1\r\na\r\n$5\r\nfirst\r\n$1\r\n8\r\n", "EmitAOF in the base")
			}
			require.Equal(t, ":9\r\n", string(c.Do("AOFT.INCR", "a", "1")))
			want := digest(c)
			require.Equal(t, "+OK\r\n", string(c.Do("DEBUG", "LOADAOF")))
			require.Equal(t, want, digest(c), "DEBUG LOADAOF")
			require.Equal(t, "*2\r\n$5\r\nfirst\r\n:9\r\n", string(c.Do("AOFT.GET", "a")))
			require.NoError(t, c.Send(hosttest.AppendCommand(nil, "SHUTDOWN")))
			require.Eventually(t, s.Exited, 10*time.Second, 20*time.Millisecond)
			r := startAOF(t, tc.to, dir, args(tc.to)...)
			rc := r.Conn(t)
			require.Equal(t, want, digest(rc))
			require.Equal(t, "*2\r\n$5\r\nfirst\r\n:9\r\n", string(rc.Do("AOFT.GET", "a")))
		})
	}
}

// TestAOFAutoRewriteAndTimestamps: past auto-aof-rewrite-min-size and the
// growth percentage a rewrite starts by itself; with
// aof-timestamp-enabled the files carry #TS: annotations, which loading
// skips.
func TestAOFAutoRewriteAndTimestamps(t *testing.T) {
	dir := t.TempDir()
	bin := hosttest.ModhostBin(t)
	s := startAOF(t, bin, dir, "--aof-timestamp-enabled", "yes", "--aof-use-rdb-preamble", "no")
	c := s.Conn(t)
	require.Equal(t, "+OK\r\n", string(c.Do("SET", "first", "1")))
	incr, err := os.ReadFile(filepath.Join(dir, "appendonlydir", "appendonly.aof.1.incr.aof"))
	require.NoError(t, err)
	require.Regexp(t, `^#TS:[0-9]+\r\n\*2\r\n\$6\r\nSELECT`, string(incr))
	require.Equal(t, "+OK\r\n", string(c.Do("CONFIG", "SET", "auto-aof-rewrite-min-size", "1000", "auto-aof-rewrite-percentage", "100")))
	val := strings.Repeat("x", 100)
	for i := 0; i < 30; i++ {
		require.Equal(t, "+OK\r\n", string(c.Do("SET", fmt.Sprint("k", i), val)))
	}
	require.Eventually(t, func() bool { return bytes.Contains(c.Do("INFO", "persistence"), []byte("aof_rewrites:1")) }, 10*time.Second, 20*time.Millisecond)
	waitRewrite(t, c)
	require.Contains(t, s.Logs(), "Starting automatic rewriting of AOF on ")
	base, err := os.ReadFile(filepath.Join(dir, "appendonlydir", "appendonly.aof.2.base.aof"))
	require.NoError(t, err)
	require.Regexp(t, `^#TS:[0-9]+\r\n`, string(base))
	want := digest(c)
	s.Kill()
	s2 := startAOF(t, bin, dir, "--aof-use-rdb-preamble", "no")
	require.Equal(t, want, digest(s2.Conn(t)))
}

// TestAOFWriteError limits the server's file size (RLIMIT_FSIZE) so that
// appending to the incr file fails: writes and PING are refused with
// MISCONF while reads go on, INFO says aof_last_write_status:err, and
// once the limit is lifted the cron writes the kept buffer and writes
// are accepted again.
func TestAOFWriteError(t *testing.T) {
	dir := t.TempDir()
	s := startAOF(t, hosttest.ModhostBin(t), dir, "--appendfsync", "everysec")
	c := s.Conn(t)
	require.Equal(t, "+OK\r\n", string(c.Do("SET", "a", "1")))
	st, err := os.Stat(filepath.Join(dir, "appendonlydir", "appendonly.aof.1.incr.aof"))
	require.NoError(t, err)
	var old unix.Rlimit
	require.NoError(t, unix.Prlimit(s.PID(), unix.RLIMIT_FSIZE, &unix.Rlimit{Cur: uint64(st.Size()) + 10, Max: unix.RLIM_INFINITY}, &old))
	require.Equal(t, "+OK\r\n", string(c.Do("SET", "b", "a value longer than the limit")), "the write that fails is answered")
	require.Equal(t, "-MISCONF Errors writing to the AOF file: file too large\r\n", string(c.Do("SET", "c", "3")))
	require.Equal(t, "-MISCONF Errors writing to the AOF file: file too large\r\n", string(c.Do("PING")))
	require.Equal(t, "$1\r\n1\r\n", string(c.Do("GET", "a")))
	require.Contains(t, string(c.Do("INFO", "persistence")), "aof_last_write_status:err")
	require.NoError(t, unix.Prlimit(s.PID(), unix.RLIMIT_FSIZE, &old, nil))
	require.Eventually(t, func() bool { return string(c.Do("PING")) == "+PONG\r\n" }, 10*time.Second, 20*time.Millisecond)
	require.Contains(t, s.Logs(), "AOF write error looks solved, Redis can write again.")
	require.Equal(t, "+OK\r\n", string(c.Do("SET", "c", "3")))
	want := digest(c)
	s.Kill()
	require.Equal(t, want, digest(startAOF(t, hosttest.ModhostBin(t), dir).Conn(t)))
}
