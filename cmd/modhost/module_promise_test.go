package main

import (
	"os"
	"testing"
	"time"

	"github.com/modhost/modhost/internal/hosttest"
	"github.com/stretchr/testify/require"
)

// TestModuleCallWithoutKDiff: without "K" a blocking command called
// through RedisModule_Call answers at once and the called command sees
// DENY_BLOCKING; the module's own client may block. Same bytes on Redis
// 7.0 (which has no "K") and modhost.
func TestModuleCallWithoutKDiff(t *testing.T) {
	args := append(append([]string(nil), hosttest.DiffArgs...), "--loadmodule", moduleSO(t, "test_promise"))
	run := func(srv *hosttest.Server) []string {
		c := srv.Conn(t)
		var out []string
		for _, cmd := range [][]string{
			{"TPROMISE.FLAGS"},
			{"TPROMISE.NOK", "tpromise.flags"},
			{"TPROMISE.NOK", "BLPOP", "l", "0"},
			{"TPROMISE.NOK", "XREAD", "BLOCK", "0", "STREAMS", "x", "$"},
			{"MULTI"}, {"TPROMISE.FLAGS"}, {"EXEC"},
		} {
			out = append(out, string(c.Do(cmd...)))
		}
		return out
	}
	want := run(hosttest.StartRedis(t, args...))
	require.Equal(t, ":0\r\n", want[0])
	require.Equal(t, ":1\r\n", want[1])
	require.Equal(t, want, run(hosttest.StartModhost(t, args...)))
}

// promiseScenario drives the promise cases of test_promise on srv and
// returns what every step answered, for comparison between servers.
func promiseScenario(t *testing.T, srv *hosttest.Server) []string {
	var out []string
	note := func(b []byte) { out = append(out, string(b)) }
	c := srv.Conn(t)
	c.Do("SELECT", "3")
	// "K": the called command may block.
	note(c.Do("TPROMISE.CALL", "tpromise.flags"))
	// A blocking list pop resolves when another client pushes; the handler
	// runs in the caller's database.
	for _, pop := range [][]string{{"BLPOP", "l", "0"}, {"BRPOP", "l", "0"}, {"BLMOVE", "l", "l2", "LEFT", "RIGHT", "0"},
		{"BZPOPMIN", "z", "0"}, {"XREAD", "BLOCK", "0", "STREAMS", "x", "$"}} {
		a := srv.Conn(t)
		a.Do("SELECT", "3")
		ch := sendAsync(t, a, append([]string{"TPROMISE.CALL"}, pop...)...)
		waitModBlocked(t, c, 1)
		switch pop[0] {
		case "BZPOPMIN":
			note(c.Do("ZADD", "z", "1", "m"))
		case "XREAD":
			note(c.Do("XADD", "x", "5-1", "f", "v"))
		default:
			note(c.Do("LPUSH", "l", "a"))
		}
		note([]byte(recvReply(t, ch)))
		waitModBlocked(t, c, 0)
	}
	note(c.Do("GET", "tpromise:handled"))
	// A timeout resolves with the command's timeout reply.
	note(c.Do("TPROMISE.CALL", "BLPOP", "t", "0.05"))
	// Nested: the inner call's fake client blocks in a module command.
	a := srv.Conn(t)
	a.Do("SELECT", "3")
	ch := sendAsync(t, a, "TPROMISE.CALL", "TPROMISE.CALL", "BLPOP", "n", "0")
	waitModBlocked(t, c, 1)
	note(c.Do("RPUSH", "n", "x"))
	note([]byte(recvReply(t, ch)))
	// A module command blocked on keys through the promise.
	ch = sendAsync(t, a, "TPROMISE.CALL", "TPROMISE.WAITKEY", "wk")
	waitModBlocked(t, c, 1)
	note(c.Do("RPUSH", "wk", "x"))
	note([]byte(recvReply(t, ch)))
	// Fire and forget: the pop still happens.
	note(c.Do("TPROMISE.FORGET", "BLPOP", "f", "0"))
	note(c.Do("LPUSH", "f", "a"))
	note(c.Do("LLEN", "f"))
	// Freeing the promise first does not cancel the handler.
	note(c.Do("TPROMISE.STATS"))
	note(c.Do("TPROMISE.EARLYFREE", "BLPOP", "e", "0"))
	note(c.Do("LPUSH", "e", "a"))
	note(c.Do("LLEN", "e"))
	note(c.Do("TPROMISE.STATS"))
	// Abort: OK with the private data, then ERR; nothing is popped.
	note(c.Do("TPROMISE.ABORT", "BLPOP", "g", "0"))
	note(c.Do("LPUSH", "g", "a"))
	note(c.Do("LLEN", "g"))
	// The caller goes away: its disconnect callback aborts the promise.
	d := srv.Conn(t)
	d.Do("SELECT", "3")
	require.NoError(t, d.Send(hosttest.AppendCommand(nil, "TPROMISE.CALL", "BLPOP", "h", "0")))
	waitModBlocked(t, c, 1)
	require.NoError(t, d.Close())
	waitModBlocked(t, c, 0)
	note(c.Do("LPUSH", "h", "a"))
	note(c.Do("LLEN", "h"))
	note(c.Do("TPROMISE.STATS"))
	// Without "K" nothing blocks.
	note(c.Do("TPROMISE.NOK", "BLPOP", "none", "0"))
	return out
}

// recvReply waits for a reply sent by sendAsync.
func recvReply(t *testing.T, ch <-chan string) string {
	t.Helper()
	select {
	case r := <-ch:
		return r
	case <-time.After(10 * time.Second):
		t.Fatal("no reply from the blocked client")
		return ""
	}
}

// TestModuleCallPromise: RedisModule_Call with "K" on a command that
// blocks returns a promise; see promiseScenario for the cases. Redis 7.0
// has no promises, so the expected answers are written out (Redis 7.2's);
// with REDIS72_BIN set the scenario also runs there and must match.
func TestModuleCallPromise(t *testing.T) {
	args := []string{"--loadmodule", moduleSO(t, "test_promise")}
	got := promiseScenario(t, hosttest.StartModhost(t, args...))
	want := []string{
		":0\r\n",
		":1\r\n", "*2\r\n$1\r\nl\r\n$1\r\na\r\n",
		":1\r\n", "*2\r\n$1\r\nl\r\n$1\r\na\r\n",
		":1\r\n", "$1\r\na\r\n",
		":1\r\n", "*3\r\n$1\r\nz\r\n$1\r\nm\r\n$1\r\n1\r\n",
		"$3\r\n5-1\r\n", "*1\r\n*2\r\n$1\r\nx\r\n*1\r\n*2\r\n$3\r\n5-1\r\n*2\r\n$1\r\nf\r\n$1\r\nv\r\n",
		"$1\r\n5\r\n",
		"*-1\r\n",
		":1\r\n", "*2\r\n$1\r\nn\r\n$1\r\nx\r\n",
		":1\r\n", "$8\r\nready:wk\r\n",
		"+promise\r\n", ":1\r\n", ":0\r\n",
		"*3\r\n:9\r\n:0\r\n:0\r\n",
		"+promise\r\n", ":1\r\n", ":0\r\n",
		"*3\r\n:10\r\n:3\r\n:0\r\n",
		"*3\r\n:0\r\n:1\r\n:1\r\n", ":1\r\n", ":1\r\n",
		":1\r\n", ":1\r\n",
		"*3\r\n:10\r\n:3\r\n:1\r\n",
		"*-1\r\n",
	}
	require.Equal(t, want, got)
	if bin := os.Getenv("REDIS72_BIN"); bin != "" {
		ref := promiseScenario(t, hosttest.StartServer(t, bin, args...))
		require.Equal(t, ref, got, "Redis 7.2 (%s) answers differently", bin)
	}
}
