package main

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/modhost/modhost/internal/hosttest"
)

// persistArgs are the arguments of a persistence test server in dir.
func persistArgs(dir string, extra ...string) []string {
	return append([]string{"--dir", dir, "--appendonly", "no", "--enable-debug-command", "yes"}, extra...)
}

// startIn starts bin with its database directory in dir.
func startIn(t *testing.T, bin, dir string, extra ...string) *hosttest.Server {
	t.Helper()
	return hosttest.StartServer(t, bin, persistArgs(dir, extra...)...)
}

// populate writes every core type in every encoding, with expiries and
// several databases.
func populate(t *testing.T, c *hosttest.Conn) {
	t.Helper()
	long := strings.Repeat("abcdefgh", 40)
	cmds := [][]string{
		{"SET", "s:int", "12"}, {"SET", "s:i64", "1234567890123"}, {"SET", "s:str", "hello"},
		{"SET", "s:lzf", long}, {"SET", "s:bin", "a\x00b\xff"}, {"SET", "s:empty", ""},
		{"SET", "s:ttl", "v"}, {"PEXPIREAT", "s:ttl", "4102444800000"},
		{"RPUSH", "l:small", "a", "1", "-5", "70000", "5000000000"},
		{"SADD", "set:int", "1", "2", "-40000", "5000000000"},
		{"SADD", "set:lp", "a", "b", "c"},
		{"ZADD", "z:small", "1", "a", "1.5", "b", "-2", "c", "inf", "d"},
		{"HSET", "h:small", "f1", "v1", "f2", "2"},
		{"HSET", "h:long", "f", long},
		{"XADD", "st", "1-1", "a", "1", "b", "2"}, {"XADD", "st", "1-2", "a", "3", "b", "4"},
		{"XADD", "st", "2-0", "other", "x"}, {"XDEL", "st", "1-2"},
		{"SELECT", "3"}, {"SET", "db3", "v"}, {"SELECT", "0"},
	}
	for _, cmd := range cmds {
		require.NotContains(t, string(c.Do(cmd...)), "-ERR", cmd)
	}
	var args []string
	for i := 0; i < 3000; i++ {
		args = append(args, fmt.Sprintf("element-%d", i))
	}
	require.NotContains(t, string(c.Do(append([]string{"RPUSH", "l:big"}, args...)...)), "-ERR")
	require.NotContains(t, string(c.Do(append([]string{"SADD", "set:big"}, args[:600]...)...)), "-ERR")
	zargs := []string{"ZADD", "z:big"}
	hargs := []string{"HSET", "h:big"}
	for i := 0; i < 600; i++ {
		zargs = append(zargs, fmt.Sprintf("%d.25", i), args[i])
		hargs = append(hargs, args[i], fmt.Sprint(i))
	}
	require.NotContains(t, string(c.Do(zargs...)), "-ERR")
	require.NotContains(t, string(c.Do(hargs...)), "-ERR")
	for i := 0; i < 250; i++ {
		require.NotContains(t, string(c.Do("XADD", "st:big", "*", "f", fmt.Sprint(i))), "-ERR")
	}
}

func digest(c *hosttest.Conn) string { return string(c.Do("DEBUG", "DIGEST")) }

// terminate sends SIGTERM and waits for the process to exit.
func terminate(t *testing.T, s *hosttest.Server) {
	t.Helper()
	require.NoError(t, syscall.Kill(s.PID(), syscall.SIGTERM))
	require.Eventually(t, s.Exited, 10*time.Second, 20*time.Millisecond)
}

func TestPersistRoundTrip(t *testing.T) {
	bin := hosttest.ModhostBin(t)
	cases := []struct {
		name  string
		extra []string
		save  func(t *testing.T, s *hosttest.Server, c *hosttest.Conn)
	}{
		{"SAVE", []string{"--save", ""}, func(t *testing.T, s *hosttest.Server, c *hosttest.Conn) {
			require.Equal(t, "+OK\r\n", string(c.Do("SAVE")))
			s.Kill()
		}},
		{"BGSAVE", []string{"--save", ""}, func(t *testing.T, s *hosttest.Server, c *hosttest.Conn) {
			require.Equal(t, "+Background saving started\r\n", string(c.Do("BGSAVE")))
			require.Eventually(t, func() bool {
				return bytes.Contains(c.Do("INFO", "persistence"), []byte("rdb_bgsave_in_progress:0"))
			}, 10*time.Second, 20*time.Millisecond)
			require.Contains(t, s.Logs(), "Background saving terminated with success")
			s.Kill()
		}},
		{"SHUTDOWN SAVE", []string{"--save", ""}, func(t *testing.T, s *hosttest.Server, c *hosttest.Conn) {
			require.NoError(t, c.Send(hosttest.AppendCommand(nil, "SHUTDOWN", "SAVE")))
			require.Eventually(t, s.Exited, 10*time.Second, 20*time.Millisecond)
		}},
		{"SIGTERM with save points", []string{"--save", "3600 1"}, func(t *testing.T, s *hosttest.Server, c *hosttest.Conn) {
			terminate(t, s)
			require.Contains(t, s.Logs(), "Saving the final RDB snapshot before exiting.")
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			s := startIn(t, bin, dir, tc.extra...)
			c := s.Conn(t)
			populate(t, c)
			want := digest(c)
			require.NotEqual(t, "+0000000000000000000000000000000000000000\r\n", want)
			reload := string(c.Do("DEBUG", "RELOAD"))
			require.Equal(t, "+OK\r\n", reload)
			require.Equal(t, want, digest(c), "after DEBUG RELOAD")
			tc.save(t, s, c)
			s2 := startIn(t, bin, dir, "--save", "")
			c2 := s2.Conn(t)
			require.Equal(t, want, digest(c2))
			require.Contains(t, s2.Logs(), "DB loaded from disk: ")
			require.Contains(t, s2.Logs(), "Loading RDB produced by version ")
			require.Equal(t, ":4102444800000\r\n", string(c2.Do("PEXPIRETIME", "s:ttl")))
		})
	}
}

func TestPersistInteropRedisToModhost(t *testing.T) {
	root, err := hosttest.ModuleRoot()
	require.NoError(t, err)
	fixture, err := os.ReadFile(filepath.Join(root, "testdata/rdb/redis70_all.rdb"))
	require.NoError(t, err)
	want, err := os.ReadFile(filepath.Join(root, "testdata/rdb/redis70_all.digest"))
	require.NoError(t, err)
	dir := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(dir, "dump.rdb"), fixture, 0o644))
	for _, bin := range []string{hosttest.RedisBin(t), hosttest.ModhostBin(t)} {
		s := startIn(t, bin, dir, "--save", "")
		require.Equal(t, "+"+strings.TrimSpace(string(want))+"\r\n", digest(s.Conn(t)), bin)
		s.Kill()
	}
}

func TestPersistInteropModhostToRedis(t *testing.T) {
	dir := t.TempDir()
	s := startIn(t, hosttest.ModhostBin(t), dir, "--save", "", "--rdb-version", "10")
	c := s.Conn(t)
	populate(t, c)
	want := digest(c)
	require.Equal(t, "+OK\r\n", string(c.Do("SAVE")))
	s.Kill()
	head, err := os.ReadFile(filepath.Join(dir, "dump.rdb"))
	require.NoError(t, err)
	require.Equal(t, "REDIS0010", string(head[:9]))
	r := startIn(t, hosttest.RedisBin(t), dir, "--save", "")
	require.Equal(t, want, digest(r.Conn(t)))
}

// runFailing runs modhost on a bad dump and returns its log and exit code.
func runFailing(t *testing.T, dir string) (string, int) {
	t.Helper()
	port, err := hosttest.FreePort()
	require.NoError(t, err)
	cmd := exec.Command(hosttest.ModhostBin(t), append(persistArgs(dir), "--port", fmt.Sprint(port), "--save", "")...)
	out, _ := cmd.CombinedOutput()
	return string(out), cmd.ProcessState.ExitCode()
}

func TestPersistCorruptFiles(t *testing.T) {
	root, err := hosttest.ModuleRoot()
	require.NoError(t, err)
	good, err := os.ReadFile(filepath.Join(root, "testdata/rdb/redis70_all.rdb"))
	require.NoError(t, err)
	flipped := append([]byte(nil), good...)
	flipped[len(flipped)/2] ^= 0x10
	cases := []struct {
		name string
		data []byte
		logs []string
	}{
		{"truncated", good[:len(good)/2], []string{"Short read or OOM loading DB. Unrecoverable error, aborting now."}},
		{"bad checksum", flipped, []string{"Terminating server after rdb file reading failure."}},
		{"signature", []byte("NOTREDIS0011"), []string{"Wrong signature trying to load DB from file", "Fatal error loading the DB, check server logs. Exiting."}},
		{"module data", append([]byte("REDIS0011\x07\x01k\x80\x00\x00\x00\x01"), 0xff), []string{"The RDB file contains module data I can't load: no matching module type 'AAAAAAAAA'"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			path := filepath.Join(dir, "dump.rdb")
			require.NoError(t, os.WriteFile(path, tc.data, 0o644))
			out, code := runFailing(t, dir)
			require.Equal(t, 1, code, out)
			for _, l := range tc.logs {
				require.Contains(t, out, l)
			}
			after, err := os.ReadFile(path)
			require.NoError(t, err)
			require.Equal(t, tc.data, after, "the file is left untouched")
		})
	}
}

func TestPersistSavePointsAndInfo(t *testing.T) {
	dir := t.TempDir()
	s := startIn(t, hosttest.ModhostBin(t), dir, "--save", "1 2")
	c := s.Conn(t)
	c.Do("SET", "a", "1")
	c.Do("SET", "b", "2")
	require.Eventually(t, func() bool {
		return strings.Contains(s.Logs(), "2 changes in 1 seconds. Saving...") &&
			strings.Contains(s.Logs(), "Background saving terminated with success")
	}, 10*time.Second, 50*time.Millisecond)
	info := string(c.Do("INFO", "persistence"))
	require.Contains(t, info, "rdb_changes_since_last_save:0")
	require.Contains(t, info, "rdb_last_bgsave_status:ok")
	require.FileExists(t, filepath.Join(dir, "dump.rdb"))
	last := string(c.Do("LASTSAVE"))
	require.True(t, strings.HasPrefix(last, ":"), last)
	// FLUSHALL with save points saves the empty dataset at once.
	c.Do("SET", "c", "3")
	require.Equal(t, "+OK\r\n", string(c.Do("FLUSHALL")))
	require.Contains(t, string(c.Do("INFO", "persistence")), "rdb_changes_since_last_save:1")
	s.Kill()
	s2 := startIn(t, hosttest.ModhostBin(t), dir, "--save", "")
	require.Equal(t, ":0\r\n", string(s2.Conn(t).Do("DBSIZE")))
}
