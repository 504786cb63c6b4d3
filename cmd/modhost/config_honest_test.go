package main

import (
	"bufio"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/modhost/modhost/internal/hosttest"
)

// TestUnimplementedDirectivesRefused: a directive modhost does not
// implement yet is refused at start-up and by CONFIG SET when given a
// non-default value, and accepted at its default.
func TestUnimplementedDirectivesRefused(t *testing.T) {
	bin := hosttest.ModhostBin(t)
	for _, args := range [][]string{{"--oom-score-adj", "yes"}, {"--bind-source-addr", "127.0.0.1"}} {
		out, err := exec.Command(bin, append([]string{"--port", "0"}, args...)...).CombinedOutput()
		var ee *exec.ExitError
		require.ErrorAs(t, err, &ee, "output: %s", out)
		require.Contains(t, string(out), "*** FATAL CONFIG FILE ERROR")
		require.Contains(t, string(out), "modhost does not implement '"+strings.TrimPrefix(args[0], "--")+"' yet")
	}

	srv := hosttest.StartModhost(t, "--appendonly", "no", "--maxmemory", "0")
	c := srv.Conn(t)
	require.Equal(t, "-ERR CONFIG SET failed (possibly related to argument 'oom-score-adj') - modhost does not implement 'oom-score-adj' yet (only the default 'no' is accepted)\r\n",
		string(c.Do("CONFIG", "SET", "oom-score-adj", "yes")))
	// Enforced now (obuf_test.go), so any valid value is taken.
	require.Equal(t, "+OK\r\n", string(c.Do("CONFIG", "SET", "client-output-buffer-limit", "pubsub 1mb 1mb 1")))
	require.Equal(t, "+OK\r\n", string(c.Do("CONFIG", "SET", "appendonly", "no")))
	require.Equal(t, "*2\r\n$10\r\nappendonly\r\n$2\r\nno\r\n", string(c.Do("CONFIG", "GET", "appendonly")))
	// A directive without meaning here takes any valid value.
	require.Equal(t, "+OK\r\n", string(c.Do("CONFIG", "SET", "lazyfree-lazy-user-del", "yes")))
}

// TestUnixSocketListener: unixsocket and unixsocketperm open a unix
// socket listener with that mode; clients on it show the path as address.
func TestUnixSocketListener(t *testing.T) {
	sock := filepath.Join(t.TempDir(), "m.sock")
	hosttest.StartModhost(t, "--unixsocket", sock, "--unixsocketperm", "700")
	st, err := os.Stat(sock)
	require.NoError(t, err)
	require.Equal(t, os.FileMode(0o700), st.Mode().Perm())
	require.NotZero(t, st.Mode()&os.ModeSocket)

	conn, err := net.DialTimeout("unix", sock, 2*time.Second)
	require.NoError(t, err)
	defer conn.Close()
	_ = conn.SetDeadline(time.Now().Add(5 * time.Second))
	_, err = conn.Write([]byte("CLIENT INFO\r\n"))
	require.NoError(t, err)
	r := bufio.NewReader(conn)
	header, err := r.ReadString('\n')
	require.NoError(t, err)
	n, err := strconv.Atoi(strings.TrimSpace(strings.TrimPrefix(header, "$")))
	require.NoError(t, err, header)
	body := make([]byte, n+2)
	_, err = io.ReadFull(r, body)
	require.NoError(t, err)
	require.Contains(t, string(body), "addr="+sock+":0 laddr="+sock+":0 ")
}

// TestRenameCommandErrors: a rename-command of an unknown command, or to
// a name already taken, stops the server with Redis's message, as
// redis-server 7.0 does.
func TestRenameCommandErrors(t *testing.T) {
	cases := []struct {
		args []string
		want string
	}{
		{[]string{"--rename-command", "nosuchcmd", "x"}, "No such command in rename-command"},
		{[]string{"--rename-command", "get", "set"}, "Target command name already exists"},
	}
	for name, bin := range map[string]string{"redis": hosttest.RedisBin(t), "modhost": hosttest.ModhostBin(t)} {
		for _, tc := range cases {
			out, err := exec.Command(bin, append([]string{"--port", "0", "--save", ""}, tc.args...)...).CombinedOutput()
			var ee *exec.ExitError
			require.ErrorAs(t, err, &ee, "%s: %s", name, out)
			require.Equal(t, 1, ee.ExitCode())
			require.Contains(t, string(out), "*** FATAL CONFIG FILE ERROR", name)
			require.Contains(t, string(out), "Reading the configuration file, at line 4\n", name)
			require.Contains(t, string(out), `>>> 'rename-command "`+tc.args[1]+`" "`+tc.args[2]+`"'`, name)
			require.Contains(t, string(out), tc.want, name)
		}
	}
}
