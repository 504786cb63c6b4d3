package main

import (
	"os/exec"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/modhost/modhost/internal/hosttest"
)

// fdWarning matches the open-file-limit log lines, without the
// pid:role date prefix that differs between the two servers.
var fdWarning = regexp.MustCompile(`(?m)# ((?:You requested maxclients|Server can't set maximum open files|Current maximum open files|Failed applying new configuration).*)$`)

// fdLimitLines returns the open-file-limit warnings of a server's log.
func fdLimitLines(logs string) []string {
	var out []string
	for _, m := range fdWarning.FindAllStringSubmatch(logs, -1) {
		out = append(out, strings.TrimRight(m[1], "\r"))
	}
	return out
}

// TestOpenFilesLimitLowersMaxclients: under a NOFILE limit of 256 that
// cannot be raised to maxclients+32, modhost lowers maxclients to 224
// with Redis's three warnings, and CONFIG SET of a maxclients that does
// not fit fails with Redis's error and keeps the old value; checked
// against redis-server run under the same limit.
func TestOpenFilesLimitLowersMaxclients(t *testing.T) {
	prlimit, err := exec.LookPath("prlimit")
	if err != nil {
		t.Skip("prlimit (util-linux) not installed")
	}
	start := func(bin string) *hosttest.Server {
		// Far above fs.nr_open, so even a privileged process cannot
		// raise its limit that high: the reduction path runs as root too.
		return hosttest.StartServer(t, prlimit, "--nofile=256:256", bin, "--save", "", "--maxclients", "4000000")
	}
	ref, cand := start(hosttest.RedisBin(t)), start(hosttest.ModhostBin(t))
	var logs [2][]string
	for i, srv := range []*hosttest.Server{ref, cand} {
		c := srv.Conn(t)
		require.Equal(t, "*2\r\n$10\r\nmaxclients\r\n$3\r\n224\r\n", string(c.Do("CONFIG", "GET", "maxclients")), "server %d", i)
		require.Equal(t, "-ERR CONFIG SET failed (possibly related to argument 'maxclients') - The operating system is not able to handle the specified number of clients, try with 224\r\n",
			string(c.Do("CONFIG", "SET", "maxclients", "5000000")), "server %d", i)
		require.Equal(t, "*2\r\n$10\r\nmaxclients\r\n$3\r\n224\r\n", string(c.Do("CONFIG", "GET", "maxclients")), "server %d", i)
		require.Equal(t, "+OK\r\n", string(c.Do("CONFIG", "SET", "maxclients", "100")), "server %d", i)
		// The log is read through a pipe: wait for the lines of the
		// failed CONFIG SET to arrive rather than read it half written.
		require.Eventually(t, func() bool { return len(fdLimitLines(srv.Logs())) >= 7 }, 5*time.Second, 10*time.Millisecond,
			"server %d", i)
		logs[i] = fdLimitLines(srv.Logs())
	}
	require.Len(t, logs[0], 7, "redis-server's log changed shape: %q", logs[0])
	require.Equal(t, logs[0], logs[1])
}

// TestOpenFilesLimitTooLowExits: when even the reserve of 32 descriptors
// does not fit, modhost exits at start-up with Redis's message, as
// redis-server does.
func TestOpenFilesLimitTooLowExits(t *testing.T) {
	prlimit, err := exec.LookPath("prlimit")
	if err != nil {
		t.Skip("prlimit (util-linux) not installed")
	}
	var msgs [2]string
	for i, bin := range []string{hosttest.RedisBin(t), hosttest.ModhostBin(t)} {
		out, err := exec.Command(prlimit, "--nofile=20:20", bin, "--port", "0", "--save", "", "--maxclients", "4000000").CombinedOutput()
		var ee *exec.ExitError
		require.ErrorAs(t, err, &ee, "output: %s", out)
		m := regexp.MustCompile(`Your current 'ulimit -n'.*Exiting\.`).Find(out)
		require.NotNil(t, m, "output: %s", out)
		msgs[i] = string(m)
	}
	require.Equal(t, "Your current 'ulimit -n' of 20 is not enough for the server to start. Please increase your open file limit to at least 4000032. Exiting.", msgs[0])
	require.Equal(t, msgs[0], msgs[1])
}
