package main

import (
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/modhost/modhost/internal/hosttest"
)

// busyEval is Redis's reply to other clients while a script runs too long.
const busyEval = "-BUSY Redis is busy running a script. You can only call SCRIPT KILL or SHUTDOWN NOSAVE.\r\n"

// waitReply sends args on c every 10 ms until the reply is want (5 s at most).
func waitReply(t *testing.T, c *hosttest.Conn, want string, args ...string) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	var got string
	for time.Now().Before(deadline) {
		if got = string(c.Do(args...)); got == want {
			return
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Fatalf("%v: got %q, want %q", args, got, want)
}

// scriptKillSession runs a busy script on one connection and SCRIPT KILL
// on another; it returns the replies seen, in order.
func scriptKillSession(t *testing.T, srv *hosttest.Server) []string {
	runner, other := srv.Conn(t), srv.Conn(t)
	var out []string
	out = append(out, string(other.Do("SCRIPT", "KILL")))
	require.NoError(t, runner.Send(hosttest.AppendCommand(nil, "EVAL", "local i = 0 while true do i = i + 1 end", "0")))
	waitReply(t, other, busyEval, "PING")
	out = append(out, string(other.Do("GET", "k")))
	out = append(out, string(other.Do("EVAL", "return 1", "0")))
	out = append(out, string(other.Do("SCRIPT", "KILL")))
	f, err := runner.ReadFrame()
	require.NoError(t, err)
	out = append(out, string(f.Raw))
	out = append(out, string(other.Do("PING")), string(runner.Do("PING")))

	// A script that wrote cannot be killed; SHUTDOWN NOSAVE is the way out.
	require.NoError(t, runner.Send(hosttest.AppendCommand(nil, "EVAL", "redis.call('SET', 'k', 'v') while true do end", "0")))
	waitReply(t, other, busyEval, "PING")
	out = append(out, string(other.Do("SCRIPT", "KILL")))
	return out
}

// TestScriptBusyAndKill checks busy-reply-threshold and SCRIPT KILL against
// redis-server: other clients get -BUSY while a script runs past the
// threshold, SCRIPT KILL stops a script that has not written (its caller
// gets Redis's error) and refuses one that has.
func TestScriptBusyAndKill(t *testing.T) {
	args := append(append([]string(nil), hosttest.DiffArgs...), "--busy-reply-threshold", "100")
	want := scriptKillSession(t, hosttest.StartRedis(t, args...))
	got := scriptKillSession(t, hosttest.StartServer(t, hosttest.ModhostBin(t), args...))
	require.Equal(t, want, got)
	require.Equal(t, "-NOTBUSY No scripts in execution right now.\r\n", got[0])
	require.Equal(t, busyEval, got[1])
	require.Equal(t, "+OK\r\n", got[3])
	require.True(t, strings.HasPrefix(got[4], "-ERR Script killed by user with SCRIPT KILL... script: "), got[4])
	require.True(t, strings.HasPrefix(got[7], "-UNKILLABLE "), got[7])
}
