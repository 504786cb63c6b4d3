package main

import (
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/modhost/modhost/internal/hosttest"
	"github.com/stretchr/testify/require"
)

// eventServers starts redis-server and modhost with the same modules, for
// tests that compare behaviour scripts cannot show.
func eventServers(t *testing.T, modules ...string) map[string]*hosttest.Server {
	t.Helper()
	var args []string
	for _, m := range modules {
		args = append(args, "--loadmodule", moduleSO(t, m))
	}
	return map[string]*hosttest.Server{
		"redis":   hosttest.StartRedis(t, args...),
		"modhost": hosttest.StartModhost(t, args...),
	}
}

// TestModuleYieldAnswersBusy: while a module command yields with
// REDISMODULE_YIELD_FLAG_CLIENTS past busy-reply-threshold, other clients
// get -BUSY with the module's text (or Redis's default), and allow-busy
// commands run; the yielding command then completes normally.
func TestModuleYieldAnswersBusy(t *testing.T) {
	for name, s := range eventServers(t, "test_events") {
		for _, tc := range []struct {
			name  string
			reply []string
			want  string
		}{
			{"custom text", []string{"module is busy"}, "-BUSY module is busy\r\n"},
			{"default text", nil, "-BUSY Redis is busy running a module command.\r\n"},
		} {
			t.Run(name+"/"+tc.name, func(t *testing.T) {
				ctl := s.Conn(t)
				require.Equal(t, "+OK\r\n", string(ctl.Do("CONFIG", "SET", "busy-reply-threshold", "50")))
				busy := s.Conn(t)
				done := sendAsync(t, busy, append([]string{"tevents.busy", "3000"}, tc.reply...)...)
				var got string
				for got == "" {
					r := string(ctl.Do("PING"))
					if strings.HasPrefix(r, "-BUSY") {
						got = r
					}
					select {
					case rep := <-done:
						t.Fatalf("the busy command ended (%q) before any client saw -BUSY", rep)
					default:
					}
				}
				require.Equal(t, tc.want, got)
				hello := ctl.Do("HELLO", "2")
				require.NotEqual(t, byte('-'), hello[0], "HELLO is allow-busy: %q", hello)
				require.Equal(t, ":1\r\n", <-done)
				require.Equal(t, "+PONG\r\n", string(ctl.Do("PING")))
			})
		}
	}
}

// TestModuleShutdownEvent: SHUTDOWN fires the Shutdown event (the module
// logs a line from its callback).
func TestModuleShutdownEvent(t *testing.T) {
	for name, s := range eventServers(t, "test_events") {
		t.Run(name, func(t *testing.T) {
			c := s.Conn(t)
			require.NoError(t, c.Send(hosttest.AppendCommand(nil, "SHUTDOWN", "NOSAVE")))
			require.True(t, c.Closed(10*time.Second), "the server did not close the connection")
			require.Eventually(t, func() bool { return strings.Contains(s.Logs(), "test_events: shutdown event") },
				10*time.Second, 10*time.Millisecond, "no shutdown event in the log:\n%s", s.Logs())
		})
	}
}

// TestModuleEventsModhostOnly covers what Redis 7.0 cannot answer the same
// way: CachedMicroseconds (7.2+), IsSubEventSupported for subevents modhost
// never fires, and CronLoop carrying hz.
func TestModuleEventsModhostOnly(t *testing.T) {
	s := hosttest.StartModhost(t, "--hz", "20", "--loadmodule", moduleSO(t, "test_events"))
	c := s.Conn(t)
	tests := []struct {
		cmd  []string
		want string
	}{
		{[]string{"tevents.cached"}, ":1\r\n"},
		{[]string{"tevents.supported", "1", "0"}, ":0\r\n"}, // BGSAVE: Redis fires it in the fork child
		{[]string{"tevents.supported", "1", "1"}, ":0\r\n"}, // no AOF
		{[]string{"tevents.supported", "1", "2"}, ":1\r\n"},
		{[]string{"tevents.supported", "17", "0"}, ":1\r\n"}, // Key: DELETED
		{[]string{"tevents.unsub", "18"}, "-ERR unsubscribe failed\r\n"},
	}
	for _, tc := range tests {
		require.Equal(t, tc.want, string(c.Do(tc.cmd...)), "%v", tc.cmd)
	}
	require.Eventually(t, func() bool { return string(c.Do("tevents.hz")) == ":20\r\n" },
		10*time.Second, 10*time.Millisecond, "no CronLoop event with hz 20")
}

// TestModuleEventLoopSleepEvents checks the EventLoop event on both
// servers: every command runs between an AFTER_SLEEP and the next
// BEFORE_SLEEP, so at command time both counts are equal, and they grow
// from one command to the next.
func TestModuleEventLoopSleepEvents(t *testing.T) {
	for _, kind := range []string{"redis", "modhost"} {
		t.Run(kind, func(t *testing.T) {
			args := []string{"--loadmodule", moduleSO(t, "test_events")}
			var srv *hosttest.Server
			if kind == "redis" {
				srv = hosttest.StartRedis(t, args...)
			} else {
				srv = hosttest.StartModhost(t, args...)
			}
			c := srv.Conn(t)
			counts := func() (int64, int64) {
				f, err := c.Command("tevents.sleeps")
				require.NoError(t, err)
				require.Len(t, f.Elems, 2, "%s", f)
				b, _ := strconv.ParseInt(string(f.Elems[0].Str), 10, 64)
				a, _ := strconv.ParseInt(string(f.Elems[1].Str), 10, 64)
				return b, a
			}
			b1, a1 := counts()
			require.Equal(t, b1, a1)
			require.Positive(t, b1)
			b2, a2 := counts()
			require.Equal(t, b2, a2)
			require.Greater(t, b2, b1)
		})
	}
}
