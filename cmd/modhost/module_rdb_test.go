package main

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/modhost/modhost/internal/hosttest"
	"github.com/stretchr/testify/require"
)

// typesArgs are the server arguments that load test_types.so.
func typesArgs(t *testing.T, extra ...string) []string {
	return append([]string{"--save", "", "--loadmodule", moduleSO(t, "test_types")}, extra...)
}

// populateTypes writes values of every test_types type, in two databases,
// with a TTL, and sets the aux counter.
func populateTypes(t *testing.T, c *hosttest.Conn) {
	t.Helper()
	for _, cmd := range [][]string{
		{"TYPES.SET", "r1", "hello", "1.5", "2.25", "3.125", "1", "-2", "3"},
		{"TYPES.SET", "r2", "a longer label that LZF could compress compress", "-0.5", "0", "-7.75"},
		{"TYPES.SETV", "1", "v1", "one"}, {"TYPES.SETV", "2", "v2", "two"},
		{"TYPES.SETV", "3", "v3", "three"}, {"TYPES.SETV", "4", "v4", "four"},
		{"PEXPIREAT", "r1", "4102444800000"}, {"SET", "plain", "x"},
		{"SELECT", "7"}, {"TYPES.SET", "r7", "db7", "7", "7", "7", "-9223372036854775808", "9223372036854775807"},
		{"SELECT", "0"}, {"TYPES.AUX", "4242"},
	} {
		require.NotEqual(t, byte('-'), c.Do(cmd...)[0], "%v", cmd)
	}
}

func TestModuleRDBRoundTrip(t *testing.T) {
	cases := []struct {
		name    string
		persist func(t *testing.T, s *hosttest.Server, c *hosttest.Conn)
		restart bool
	}{
		{"save and restart", func(t *testing.T, s *hosttest.Server, c *hosttest.Conn) {
			require.Equal(t, "+OK\r\n", string(c.Do("SAVE")))
			s.Kill()
		}, true},
		{"debug reload", func(t *testing.T, s *hosttest.Server, c *hosttest.Conn) {
			require.Equal(t, "+OK\r\n", string(c.Do("DEBUG", "RELOAD")))
		}, false},
		{"shutdown save", func(t *testing.T, s *hosttest.Server, c *hosttest.Conn) {
			_ = c.Send(hosttest.AppendCommand(nil, "SHUTDOWN", "SAVE"))
			require.Eventually(t, s.Exited, 10*time.Second, 20*time.Millisecond)
		}, true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			s := startIn(t, hosttest.ModhostBin(t), dir, typesArgs(t)...)
			c := s.Conn(t)
			populateTypes(t, c)
			want := digest(c)
			require.NotEqual(t, "+"+zeroDigest+"\r\n", want)
			tc.persist(t, s, c)
			if tc.restart {
				s = startIn(t, hosttest.ModhostBin(t), dir, typesArgs(t)...)
				c = s.Conn(t)
			}
			require.Equal(t, want, digest(c))
			require.Equal(t, ":4242\r\n", string(c.Do("TYPES.AUX")))
			require.Equal(t, "*5\r\n$5\r\nhello\r\n$3\r\n1.5\r\n$4\r\n2.25\r\n$8\r\n3.125000\r\n*3\r\n:1\r\n:-2\r\n:3\r\n",
				string(c.Do("TYPES.GET", "r1")))
			require.Equal(t, "+mhtypev03\r\n", string(c.Do("TYPE", "v3")))
		})
	}
}

// zeroDigest is DEBUG DIGEST of an empty dataset.
const zeroDigest = "0000000000000000000000000000000000000000"

func TestModuleRDBInterop(t *testing.T) {
	t.Run("redis to modhost", func(t *testing.T) {
		dir := t.TempDir()
		r := startIn(t, hosttest.RedisBin(t), dir, typesArgs(t)...)
		c := r.Conn(t)
		populateTypes(t, c)
		want := digest(c)
		require.Equal(t, "+OK\r\n", string(c.Do("SAVE")))
		r.Kill()
		m := startIn(t, hosttest.ModhostBin(t), dir, typesArgs(t)...)
		mc := m.Conn(t)
		require.Equal(t, want, digest(mc))
		require.Equal(t, ":4242\r\n", string(mc.Do("TYPES.AUX")))
	})
	t.Run("modhost to redis", func(t *testing.T) {
		dir := t.TempDir()
		m := startIn(t, hosttest.ModhostBin(t), dir, typesArgs(t, "--rdb-version", "10")...)
		c := m.Conn(t)
		populateTypes(t, c)
		want := digest(c)
		require.Equal(t, "+OK\r\n", string(c.Do("SAVE")))
		m.Kill()
		r := startIn(t, hosttest.RedisBin(t), dir, typesArgs(t)...)
		rc := r.Conn(t)
		require.Equal(t, want, digest(rc))
		require.Equal(t, ":4242\r\n", string(rc.Do("TYPES.AUX")))
	})
}

// failingStart runs bin on dir's dump with args and returns its output
// and exit code.
func failingStart(t *testing.T, bin, dir string, args ...string) (string, int) {
	t.Helper()
	port, err := hosttest.FreePort()
	require.NoError(t, err)
	cmd := exec.Command(bin, append(persistArgs(dir, args...), "--port", fmt.Sprint(port))...)
	out, _ := cmd.CombinedOutput()
	return string(out), cmd.ProcessState.ExitCode()
}

func TestModuleRDBLoadFailures(t *testing.T) {
	dir := t.TempDir()
	s := startIn(t, hosttest.ModhostBin(t), dir, typesArgs(t, "--rdb-version", "10")...)
	c := s.Conn(t)
	require.Equal(t, "+OK\r\n", string(c.Do("TYPES.SET", "r1", "x", "1", "1", "1")))
	require.Equal(t, "+OK\r\n", string(c.Do("SAVE")))
	s.Kill()
	dump := filepath.Join(dir, "dump.rdb")
	before, err := os.ReadFile(dump)
	require.NoError(t, err)
	cases := []struct {
		name string
		args []string
		line string
	}{
		{"module not loaded", []string{"--save", ""}, "The RDB file contains AUX module data I can't load: no matching module 'mhtypes01'"},
		{"rdb_load fails", typesArgs(t, "badload"), "The RDB file contains module data for the module 'test_types' that is not terminated by the proper module value EOF marker"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			for _, bin := range []string{hosttest.RedisBin(t), hosttest.ModhostBin(t)} {
				out, code := failingStart(t, bin, dir, tc.args...)
				if bin == hosttest.ModhostBin(t) { // Redis may exit 0 after redis-check-rdb passes
					require.Equal(t, 1, code, "%s: %s", bin, out)
				}
				require.Contains(t, out, tc.line, bin)
				after, err := os.ReadFile(dump)
				require.NoError(t, err)
				require.Equal(t, before, after, "the dump must be left untouched")
			}
		})
	}
}

// TestModuleRestoreRefusedValue restores a test_types value whose rdb_load
// returns NULL, and payloads with a zero or truncated footer, on
// redis-server and modhost: each is the client's error, the server stays
// up. A start-up load of the same value stops, naming module, type and key.
func TestModuleRestoreRefusedValue(t *testing.T) {
	for _, srv := range []*hosttest.Server{
		hosttest.StartRedis(t, typesArgs(t)...),
		hosttest.StartModhost(t, typesArgs(t, "--rdb-version", "10")...),
	} {
		c := srv.Conn(t)
		require.Equal(t, "+OK\r\n", string(c.Do("TYPES.SET", "bad", "failload", "1", "1", "1", "7")))
		require.Equal(t, "+OK\r\n", string(c.Do("TYPES.SET", "good", "fine", "1", "1", "1", "7")))
		f, err := c.Command("DUMP", "bad")
		require.NoError(t, err)
		require.Equal(t, byte('$'), f.Type, "%s", f.Raw)
		require.Equal(t, "-ERR Bad data format\r\n", string(c.Do("RESTORE", "bad2", "0", string(f.Str))))
		g, err := c.Command("DUMP", "good")
		require.NoError(t, err)
		good := g.Str
		zero := append(append([]byte(nil), good[:len(good)-8]...), make([]byte, 8)...)
		for _, p := range [][]byte{zero, good[:len(good)-1], good[:len(good)-12], good[len(good)-9:]} {
			require.Equal(t, "-ERR DUMP payload version or checksum are wrong\r\n", string(c.Do("RESTORE", "x", "0", string(p))))
		}
		require.Equal(t, "+OK\r\n", string(c.Do("RESTORE", "good2", "0", string(good))))
		require.Equal(t, ":0\r\n", string(c.Do("EXISTS", "bad2", "x")))
		require.Equal(t, "+PONG\r\n", string(c.Do("PING")))
	}

	dir := t.TempDir()
	s := startIn(t, hosttest.ModhostBin(t), dir, typesArgs(t, "--rdb-version", "10")...)
	c := s.Conn(t)
	require.Equal(t, "+OK\r\n", string(c.Do("TYPES.SET", "refused:key", "failload", "1", "1", "1")))
	require.Equal(t, "+OK\r\n", string(c.Do("SAVE")))
	s.Kill()
	out, code := failingStart(t, hosttest.ModhostBin(t), dir, typesArgs(t)...)
	require.Equal(t, 1, code, out)
	require.Contains(t, out, "Module 'test_types' could not load a value of type 'mhtypes01' for key 'refused:key'")
	require.Contains(t, out, "The RDB file contains module data for the module type 'test_types', that the responsible module is not able to load.")
}
