package main

import (
	"strings"
	"testing"
	"time"

	"github.com/modhost/modhost/internal/hosttest"
	"github.com/stretchr/testify/require"
)

// keyServers starts redis-server and modhost with the key-API test
// modules loaded.
func keyServers(t *testing.T) map[string]*hosttest.Server {
	t.Helper()
	args := []string{"--loadmodule", moduleSO(t, "test_keys"), "--loadmodule", moduleSO(t, "test_list")}
	return map[string]*hosttest.Server{
		"redis":   hosttest.StartRedis(t, args...),
		"modhost": hosttest.StartModhost(t, args...),
	}
}

// TestModuleKeyWritesTouchWatch checks that a key opened for writing
// invalidates WATCH when closed, as SignalModifiedKey does, and that a
// read-only open does not.
func TestModuleKeyWritesTouchWatch(t *testing.T) {
	tests := []struct {
		name    string
		cmd     []string
		aborted bool
	}{
		{"list push", []string{"tlist.push", "w", "tail", "x"}, true},
		{"string set", []string{"tkeys.set", "w", "v"}, true},
		{"signal", []string{"tkeys.signal", "w"}, true},
		{"read only", []string{"tkeys.len", "w"}, false},
	}
	for name, srv := range keyServers(t) {
		t.Run(name, func(t *testing.T) {
			for _, tc := range tests {
				a, b := srv.Conn(t), srv.Conn(t)
				require.Equal(t, "+OK\r\n", string(a.Do("WATCH", "w")), tc.name)
				f, err := b.Command(tc.cmd...)
				require.NoError(t, err, tc.name)
				require.False(t, f.IsError(), tc.name)
				require.Equal(t, "+OK\r\n", string(a.Do("MULTI")), tc.name)
				require.Equal(t, "+QUEUED\r\n", string(a.Do("PING")), tc.name)
				want := "*1\r\n+PONG\r\n"
				if tc.aborted {
					want = "*-1\r\n"
				}
				require.Equal(t, want, string(a.Do("EXEC")), tc.name)
				b.Do("DEL", "w")
			}
		})
	}
}

// TestModuleListPushWakesBlockedClient checks that creating a list through
// the key API serves a client blocked in BLPOP on it.
func TestModuleListPushWakesBlockedClient(t *testing.T) {
	for name, srv := range keyServers(t) {
		t.Run(name, func(t *testing.T) {
			a, b := srv.Conn(t), srv.Conn(t)
			require.NoError(t, a.Send(hosttest.AppendCommand(nil, "BLPOP", "bl", "0")))
			require.Eventually(t, func() bool {
				return strings.Contains(string(b.Do("INFO", "clients")), "blocked_clients:1")
			}, 10*time.Second, 5*time.Millisecond)
			require.Equal(t, ":1\r\n", string(b.Do("tlist.push", "bl", "tail", "v")))
			f, err := a.ReadFrame()
			require.NoError(t, err)
			require.Equal(t, "*2\r\n$2\r\nbl\r\n$1\r\nv\r\n", string(f.Raw))
		})
	}
}

// TestModuleKeyEvents checks that module key writes fire no command events
// ("rpush", "set", "del" ...): in Redis the low-level key API leaves events
// to the module (NotifyKeyspaceEvent); only the "new" class, not enabled
// here, fires when it creates a key.
func TestModuleKeyEvents(t *testing.T) {
	for name, srv := range keyServers(t) {
		t.Run(name, func(t *testing.T) {
			c, sub := srv.Conn(t), srv.Conn(t)
			require.Equal(t, "+OK\r\n", string(c.Do("CONFIG", "SET", "notify-keyspace-events", "KEA")))
			_, err := sub.Command("PSUBSCRIBE", "__keyevent@0__:*")
			require.NoError(t, err)
			for _, cmd := range [][]string{
				{"tlist.push", "ev", "tail", "a"}, {"tlist.push", "ev", "head", "b"},
				{"tkeys.set", "ev", "s"}, {"tkeys.del", "ev"}, {"SET", "done", "1"},
			} {
				c.Do(cmd...)
			}
			var events []string
			for len(events) == 0 || events[len(events)-1] != "set" {
				f, err := sub.ReadFrame()
				require.NoError(t, err)
				require.Len(t, f.Elems, 4)
				ch := string(f.Elems[2].Str)
				events = append(events, ch[len("__keyevent@0__:"):])
			}
			require.Equal(t, []string{"set"}, events)
		})
	}
}
