package main

import (
	"fmt"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/modhost/modhost/internal/hosttest"
	"github.com/stretchr/testify/require"
)

// startBlockServer starts modhost with the blocking, thread, timer and
// event-loop coverage modules.
func startBlockServer(t *testing.T) *hosttest.Server {
	t.Helper()
	args := []string{"--enable-debug-command", "yes", "--enable-module-command", "yes"}
	for _, m := range []string{"test_block", "test_thread", "test_timer", "test_eventloop"} {
		args = append(args, "--loadmodule", moduleSO(t, m))
	}
	return hosttest.StartModhost(t, args...)
}

// infoField returns one "name:value" field of INFO section.
func infoField(t *testing.T, c *hosttest.Conn, section, name string) string {
	t.Helper()
	f, err := c.Command("INFO", section)
	require.NoError(t, err)
	for _, l := range strings.Split(string(f.Str), "\r\n") {
		if v, ok := strings.CutPrefix(l, name+":"); ok {
			return v
		}
	}
	t.Fatalf("INFO %s has no %s", section, name)
	return ""
}

// clientID returns the CLIENT ID of c.
func clientID(t *testing.T, c *hosttest.Conn) string {
	t.Helper()
	f, err := c.Command("CLIENT", "ID")
	require.NoError(t, err)
	return string(f.Str)
}

// waitModBlocked waits until n clients are blocked (INFO clients).
func waitModBlocked(t *testing.T, c *hosttest.Conn, n int) {
	t.Helper()
	want := strconv.Itoa(n)
	require.Eventually(t, func() bool { return infoField(t, c, "clients", "blocked_clients") == want },
		10*time.Second, 5*time.Millisecond, "blocked_clients never reached %d", n)
}

// sendAsync sends one command on c and returns a channel with its reply.
func sendAsync(t *testing.T, c *hosttest.Conn, args ...string) <-chan string {
	t.Helper()
	require.NoError(t, c.Send(hosttest.AppendCommand(nil, args...)))
	ch := make(chan string, 1)
	go func() {
		f, err := c.ReadFrame()
		if err != nil {
			ch <- "read error: " + err.Error()
			return
		}
		ch <- string(f.Raw)
	}()
	return ch
}

func TestModuleBlockClientUnblockAndClientList(t *testing.T) {
	s := startBlockServer(t)
	ctl := s.Conn(t)
	a := s.Conn(t)
	aid := clientID(t, a)

	tests := []struct {
		name    string
		cmd     []string
		unblock []string
		want    string // reply of CLIENT UNBLOCK
		reply   string // reply of the blocked command
	}{
		{"timeout callback", []string{"tblock.timeout", "0"}, []string{"CLIENT", "UNBLOCK", aid}, ":1\r\n", "+timeout\r\n"},
		{"timeout callback, ERROR", []string{"tblock.timeout", "0"}, []string{"CLIENT", "UNBLOCK", aid, "ERROR"}, ":1\r\n",
			"-UNBLOCKED client unblocked via CLIENT UNBLOCK\r\n"},
		{"keys block", []string{"tblock.keys", "0", "1", "nokey"}, []string{"CLIENT", "UNBLOCK", aid}, ":1\r\n", "+keys-timeout\r\n"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ch := sendAsync(t, a, tc.cmd...)
			waitModBlocked(t, ctl, 1)
			f, err := ctl.Command("CLIENT", "LIST", "ID", aid)
			require.NoError(t, err)
			require.Contains(t, string(f.Str), " flags=b ")
			require.Equal(t, tc.want, string(ctl.Do(tc.unblock...)))
			require.Equal(t, tc.reply, <-ch)
			waitModBlocked(t, ctl, 0)
		})
	}

	// Without a timeout callback CLIENT UNBLOCK refuses (0).
	ch := sendAsync(t, a, "tblock.forever")
	waitModBlocked(t, ctl, 1)
	require.Equal(t, ":0\r\n", string(ctl.Do("CLIENT", "UNBLOCK", aid)))
	require.Equal(t, ":1\r\n", string(ctl.Do("tblock.release", "77")))
	require.Equal(t, "*2\r\n:77\r\n:1\r\n", <-ch)
	require.Equal(t, "+PONG\r\n", string(a.Do("PING")))
}

func TestModuleBlockDisconnectAndUnload(t *testing.T) {
	s := startBlockServer(t)
	ctl := s.Conn(t)
	require.Equal(t, "+OK\r\n", string(ctl.Do("tblock.reset")))
	a := s.Conn(t)
	_ = sendAsync(t, a, "tblock.forever")
	waitModBlocked(t, ctl, 1)
	require.Equal(t, "-ERR Error unloading module: the module has blocked clients. Please wait for them to be unblocked and try again\r\n",
		string(ctl.Do("MODULE", "UNLOAD", "tblock")))
	require.NoError(t, a.Close())
	waitModBlocked(t, ctl, 0)
	require.Eventually(t, func() bool {
		return string(ctl.Do("tblock.stats")) == "*4\r\n:1\r\n:0\r\n:0\r\n:0\r\n"
	}, 10*time.Second, 5*time.Millisecond, "disconnect callback not called")

	// A thread that unblocks a client gone in the meantime: free_privdata
	// sees BlockedClientDisconnected.
	b := s.Conn(t)
	_ = sendAsync(t, b, "tblock.thread", "300", "5")
	waitModBlocked(t, ctl, 1)
	require.NoError(t, b.Close())
	waitModBlocked(t, ctl, 0)
	require.Eventually(t, func() bool {
		return string(ctl.Do("tblock.stats")) == "*4\r\n:1\r\n:1\r\n:1\r\n:0\r\n"
	}, 10*time.Second, 5*time.Millisecond, "free_privdata not called as disconnected")
	require.Eventually(t, func() bool { return string(ctl.Do("MODULE", "UNLOAD", "tblock")) == "+OK\r\n" },
		10*time.Second, 10*time.Millisecond)
}

func TestModuleBlockOnKeys(t *testing.T) {
	s := startBlockServer(t)
	ctl := s.Conn(t)
	a := s.Conn(t)

	// A core write that creates a key wakes the client; the callback may
	// decline first. A push to an existing list wakes nobody (Redis 7.2
	// signals in dbAdd only): the calls are RPUSH x, RPUSH z after the DEL,
	// RPUSH k1; had RPUSH y called back, the reply would be [k2, 3].
	ch := sendAsync(t, a, "tblock.keys", "0", "3", "k1", "k2")
	waitModBlocked(t, ctl, 1)
	require.Equal(t, ":1\r\n", string(ctl.Do("RPUSH", "k2", "x")))
	require.Equal(t, ":2\r\n", string(ctl.Do("RPUSH", "k2", "y")))
	require.Equal(t, ":1\r\n", string(ctl.Do("DEL", "k2")))
	require.Equal(t, ":1\r\n", string(ctl.Do("RPUSH", "k2", "z")))
	require.Equal(t, ":1\r\n", string(ctl.Do("RPUSH", "k1", "w")))
	require.Equal(t, "*2\r\n$2\r\nk1\r\n:3\r\n", <-ch)
	waitModBlocked(t, ctl, 0)

	// SignalKeyAsReady wakes it for any existing key; a missing key does not.
	require.Equal(t, "+OK\r\n", string(ctl.Do("SET", "s", "v")))
	ch = sendAsync(t, a, "tblock.keys", "0", "1", "s", "missing")
	waitModBlocked(t, ctl, 1)
	require.Equal(t, "+OK\r\n", string(ctl.Do("tblock.signal", "missing")))
	require.Equal(t, "+OK\r\n", string(ctl.Do("tblock.signal", "s")))
	require.Equal(t, "*2\r\n$1\r\ns\r\n:1\r\n", <-ch)

	// REDISMODULE_BLOCK_UNBLOCK_DELETED: deleting the key serves the client.
	require.Equal(t, ":1\r\n", string(ctl.Do("RPUSH", "gone", "x")))
	ch = sendAsync(t, a, "tblock.keysdel", "0", "gone")
	waitModBlocked(t, ctl, 1)
	require.Equal(t, ":1\r\n", string(ctl.Do("DEL", "gone")))
	require.Equal(t, "*2\r\n$4\r\ngone\r\n:1\r\n", <-ch)

	// Timeout of a keys block.
	require.Equal(t, "+keys-timeout\r\n", string(a.Do("tblock.keys", "20", "1", "never")))
	waitModBlocked(t, ctl, 0)
}

func TestModuleBlockPrivateDataAPI(t *testing.T) {
	s := startBlockServer(t)
	c := s.Conn(t)
	require.Equal(t, "*3\r\n:1\r\n:1\r\n:1\r\n", string(c.Do("tblock.priv")))
	require.Equal(t, "+PONG\r\n", string(c.Do("PING")))
}

func TestModuleBlockManyClientsFromThreads(t *testing.T) {
	s := startBlockServer(t)
	const clients, per = 8, 50
	var wg sync.WaitGroup
	errs := make(chan error, clients)
	for i := 0; i < clients; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			c, err := hosttest.DialConn(s.Addr)
			if err != nil {
				errs <- err
				return
			}
			defer c.Close()
			for j := 0; j < per; j++ {
				v := strconv.Itoa(i*1000 + j)
				f, err := c.Command("tblock.thread", strconv.Itoa(j%3), v)
				if err != nil {
					errs <- err
					return
				}
				if want := "*2\r\n:" + v + "\r\n:1\r\n"; string(f.Raw) != want {
					errs <- fmt.Errorf("client %d: got %q want %q", i, f.Raw, want)
					return
				}
			}
		}(i)
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		require.NoError(t, err)
	}
}

// runtimeStats reads DEBUG MODHOST-MODRUNTIME as a map.
func runtimeStats(t *testing.T, c *hosttest.Conn) map[string]int64 {
	t.Helper()
	f, err := c.Command("DEBUG", "MODHOST-MODRUNTIME")
	require.NoError(t, err)
	require.Equal(t, byte('$'), f.Type, "reply %q", f.Raw)
	out := map[string]int64{}
	for _, l := range strings.Split(strings.TrimSpace(string(f.Str)), "\r\n") {
		k, v, ok := strings.Cut(l, ":")
		require.True(t, ok, l)
		n, err := strconv.ParseInt(v, 10, 64)
		require.NoError(t, err)
		out[k] = n
	}
	return out
}

// TestModuleBlockNoLeaks runs 10,000 block/unblock/timeout/disconnect
// cycles and checks that goroutines, contexts, blocked-client handles,
// timers and module heap bytes come back to where they started.
func TestModuleBlockNoLeaks(t *testing.T) {
	s := startBlockServer(t)
	ctl := s.Conn(t)
	// Warm up: starts the module event goroutine and registers the DEBUG
	// subcommand.
	require.Equal(t, "*2\r\n:1\r\n:1\r\n", string(ctl.Do("tblock.thread", "0", "1")))
	base := runtimeStats(t, ctl)

	const unblocks, timeouts, disconnects, keys = 4000, 2000, 2000, 2000
	pipe := func(c *hosttest.Conn, n int, args ...string) {
		var buf []byte
		for i := 0; i < n; i++ {
			buf = hosttest.AppendCommand(buf, args...)
		}
		require.NoError(t, c.Send(buf))
		for i := 0; i < n; i++ {
			f, err := c.ReadFrame()
			require.NoError(t, err)
			require.False(t, f.IsError(), "%s: %q", args[0], f.Raw)
		}
	}
	c := s.Conn(t)
	pipe(c, unblocks, "tblock.thread", "0", "3")
	pipe(c, timeouts, "tblock.timeout", "1")
	pipe(c, keys/2, "tblock.keys", "1", "1", "nokey")
	for i := 0; i < keys/10; i++ {
		ch := sendAsync(t, c, "tblock.keys", "0", "1", "kk")
		waitModBlocked(t, ctl, 1)
		require.Equal(t, ":1\r\n", string(ctl.Do("LPUSH", "kk", "x")))
		require.Equal(t, "*2\r\n$2\r\nkk\r\n:1\r\n", <-ch)
		require.Equal(t, ":1\r\n", string(ctl.Do("DEL", "kk")))
	}
	var wg sync.WaitGroup
	for w := 0; w < 8; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < disconnects/8; i++ {
				d, err := hosttest.DialConn(s.Addr)
				if err != nil {
					return
				}
				f, err := d.Command("tblock.thread", "0", "9")
				if err != nil || string(f.Raw) != "*2\r\n:9\r\n:1\r\n" {
					_ = d.Close()
					return
				}
				_ = d.Send(hosttest.AppendCommand(nil, "tblock.forever"))
				_ = d.Close()
			}
		}()
	}
	wg.Wait()
	require.Eventually(t, func() bool {
		st := runtimeStats(t, ctl)
		return st["blocked_handles"] == 0 && st["timers"] == base["timers"] && st["contexts"] == base["contexts"] &&
			st["module_alloc"] == base["module_alloc"] && st["goroutines"] <= base["goroutines"]+2
	}, 20*time.Second, 50*time.Millisecond, "runtime counters did not come back: base %v now %v", base, runtimeStats(t, ctl))
	waitModBlocked(t, ctl, 0)
}
