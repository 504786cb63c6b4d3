package main

import (
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/modhost/modhost/internal/hosttest"
	"github.com/stretchr/testify/require"
)

// stressWorker is one kind of client in TestServerConcurrentClients; it
// runs rounds on fresh connections until stop is closed and returns the
// first unexpected reply.
type stressWorker func(addr string, w int, stop <-chan struct{}) error

// expectReply sends args on c and checks the reply starts with want.
func expectReply(c *hosttest.Conn, want string, args ...string) error {
	f, err := c.Command(args...)
	if err != nil {
		return err
	}
	if !strings.HasPrefix(string(f.Raw), want) {
		return fmt.Errorf("%q: got %q, want prefix %q", args, f.Raw, want)
	}
	return nil
}

// stressRounds dials a connection per round and runs round on it.
func stressRounds(addr string, stop <-chan struct{}, round func(c *hosttest.Conn) error) error {
	for {
		select {
		case <-stop:
			return nil
		default:
		}
		c, err := hosttest.DialConn(addr)
		if err != nil {
			return err
		}
		err = round(c)
		_ = c.Close()
		if err != nil {
			return err
		}
	}
}

// TestServerConcurrentClients runs many kinds of clients at once (batches,
// blocking pops served and timed out, pub/sub, MONITOR, CONFIG SET,
// CLIENT KILL of blocked clients, disconnects while blocked) and ends with
// SHUTDOWN while they run. With a -race binary (MODHOST_BIN) the harness
// fails the test on any data race the server reports.
func TestServerConcurrentClients(t *testing.T) {
	s := startModhost(t)
	workers := map[string]stressWorker{
		"batches": func(addr string, w int, stop <-chan struct{}) error {
			return stressRounds(addr, stop, func(c *hosttest.Conn) error {
				var buf []byte
				for i := range 20 {
					buf = hosttest.AppendCommand(buf, "SET", fmt.Sprintf("s:%d:%d", w, i), "v")
					buf = hosttest.AppendCommand(buf, "LPUSH", fmt.Sprintf("l:%d", i%4), "x")
				}
				if err := c.Send(buf); err != nil {
					return err
				}
				for range 40 {
					if _, err := c.ReadFrame(); err != nil {
						return err
					}
				}
				return expectReply(c, "+PONG", "PING")
			})
		},
		"blocking pops": func(addr string, w int, stop <-chan struct{}) error {
			return stressRounds(addr, stop, func(c *hosttest.Conn) error {
				return expectReply(c, "*", "BLPOP", fmt.Sprintf("l:%d", w%4), "0.01")
			})
		},
		"blocked then gone": func(addr string, w int, stop <-chan struct{}) error {
			// PING first: each round waits for the server to have taken the
			// connection, so the workers cannot outrun maxclients.
			return stressRounds(addr, stop, func(c *hosttest.Conn) error {
				if err := c.Send(hosttest.AppendCommand(hosttest.AppendCommand(nil, "PING"), "BLPOP", "nothing", "0")); err != nil {
					return err
				}
				_, err := c.ReadFrame()
				return err
			})
		},
		"subscribers": func(addr string, w int, stop <-chan struct{}) error {
			// The admin worker kills pub/sub clients: a connection that
			// goes away is no failure, a wrong reply is.
			return stressRounds(addr, stop, func(c *hosttest.Conn) error {
				for _, cmd := range [][]string{{"SUBSCRIBE", "ch"}, {"PSUBSCRIBE", "c*"}} {
					f, err := c.Command(cmd...)
					if err != nil {
						return nil
					}
					if !strings.HasPrefix(string(f.Raw), "*3\r\n") && !strings.Contains(string(f.Raw), "message") {
						return fmt.Errorf("%q: %q", cmd, f.Raw)
					}
				}
				return nil
			})
		},
		"publishers": func(addr string, w int, stop <-chan struct{}) error {
			return stressRounds(addr, stop, func(c *hosttest.Conn) error {
				for range 20 {
					if err := expectReply(c, ":", "PUBLISH", "ch", "m"); err != nil {
						return err
					}
				}
				return nil
			})
		},
		"monitors": func(addr string, w int, stop <-chan struct{}) error {
			return stressRounds(addr, stop, func(c *hosttest.Conn) error {
				return expectReply(c, "+OK", "MONITOR")
			})
		},
		"bgsave and in-place writes": func(addr string, w int, stop <-chan struct{}) error {
			// BGSAVE encodes a snapshot while commands modify the same keys
			// in place: the snapshot must share no mutable memory.
			return stressRounds(addr, stop, func(c *hosttest.Conn) error {
				f, err := c.Command("BGSAVE")
				if err != nil {
					return err
				}
				if f.IsError() && !strings.Contains(string(f.Raw), "in progress") {
					return fmt.Errorf("BGSAVE: %q", f.Raw)
				}
				key := fmt.Sprintf("p:%d", w)
				for _, cmd := range [][]string{
					{"APPEND", key + ":s", "abcdefgh"}, {"SETRANGE", key + ":s", "2", "XY"}, {"INCR", key + ":n"},
					{"RPUSH", key + ":l", "a", "b"}, {"LSET", key + ":l", "0", "z"}, {"HSET", key + ":h", "f", "v"},
					{"HINCRBY", key + ":h", "n", "1"}, {"SADD", key + ":t", "m"}, {"ZINCRBY", key + ":z", "1", "m"},
					{"XADD", key + ":x", "*", "f", "v"}, {"SETBIT", key + ":b", "7", "1"},
				} {
					f, err := c.Command(cmd...)
					if err != nil {
						return err
					}
					if f.IsError() {
						return fmt.Errorf("%q: %q", cmd, f.Raw)
					}
				}
				return nil
			})
		},
		"admin": func(addr string, w int, stop <-chan struct{}) error {
			return stressRounds(addr, stop, func(c *hosttest.Conn) error {
				for _, cmd := range [][]string{
					{"CONFIG", "SET", "hz", "50"}, {"CONFIG", "SET", "timeout", "0"},
					{"CONFIG", "SET", "proto-max-bulk-len", "512mb"}, {"INFO"}, {"CLIENT", "LIST"},
					{"CLIENT", "KILL", "TYPE", "pubsub"}, {"CLIENT", "UNBLOCK", "5"},
				} {
					f, err := c.Command(cmd...)
					if err != nil {
						return err
					}
					if f.IsError() {
						return fmt.Errorf("%q: %q", cmd, f.Raw)
					}
				}
				return nil
			})
		},
	}
	stop := make(chan struct{})
	errs := make(chan error, 64)
	var wg sync.WaitGroup
	for name, fn := range workers {
		for w := range 3 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				if err := fn(s.Addr, w, stop); err != nil {
					errs <- fmt.Errorf("%s %d: %w", name, w, err)
				}
			}()
		}
	}
	time.Sleep(2 * time.Second)
	close(stop)
	wg.Wait()
	close(errs)
	for err := range errs {
		require.NoError(t, err)
	}
	ctl := s.Conn(t)
	require.Equal(t, "+PONG\r\n", string(ctl.Do("PING")))
	// Every client that went away is freed (the monitors, subscribers and
	// blocked clients included).
	require.Eventually(t, func() bool {
		return listInfoField(t, ctl, "clients", "connected_clients") == "1" && listInfoField(t, ctl, "clients", "blocked_clients") == "0"
	}, 30*time.Second, 20*time.Millisecond, "clients left: %s", string(ctl.Do("CLIENT", "LIST")))

	// SHUTDOWN while clients keep coming and going.
	stop = make(chan struct{})
	for _, name := range []string{"batches", "blocked then gone", "subscribers", "publishers"} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_ = workers[name](s.Addr, 0, stop)
		}()
	}
	_ = ctl.Send(hosttest.AppendCommand(nil, "SHUTDOWN", "NOSAVE"))
	require.Eventually(t, s.Exited, 10*time.Second, 20*time.Millisecond)
	close(stop)
	wg.Wait()
}

// TestModuleConcurrentBlocking runs module blocks of every kind at once:
// threads unblocking (with thread-safe replies), timeouts, keys blocks
// served by writers, blocked clients that disconnect, module timers and
// ThreadSafeContextLock from threads, then checks that blocked-client
// handles, contexts and timers are all released. With a -race binary the
// harness fails the test on any data race the server reports.
func TestModuleConcurrentBlocking(t *testing.T) {
	s := startBlockServer(t)
	ctl := s.Conn(t)
	require.Equal(t, "*2\r\n:1\r\n:1\r\n", string(ctl.Do("tblock.thread", "0", "1")))
	base := runtimeStats(t, ctl)
	reply := func(want string, args ...string) stressWorker {
		return func(addr string, w int, stop <-chan struct{}) error {
			return stressRounds(addr, stop, func(c *hosttest.Conn) error {
				return expectReply(c, want, args...)
			})
		}
	}
	workers := map[string]stressWorker{
		"thread unblock": reply("*2\r\n:3\r\n:1\r\n", "tblock.thread", "1", "3"),
		"thread replies": reply("*3\r\n:1\r\n:2\r\n:3\r\n", "tblock.tsreply", "3"),
		"timeouts":       reply("+timeout\r\n", "tblock.timeout", "2"),
		"keys": func(addr string, w int, stop <-chan struct{}) error {
			// Served by the writer, or timed out when it was late.
			return stressRounds(addr, stop, func(c *hosttest.Conn) error {
				f, err := c.Command("tblock.keys", "20", "1", "mk")
				if err != nil {
					return err
				}
				if f.Type != '*' && string(f.Raw) != "+keys-timeout\r\n" {
					return fmt.Errorf("tblock.keys: %q", f.Raw)
				}
				return nil
			})
		},
		"keys writer": reply(":", "LPUSH", "mk", "x"),
		"timers":      reply("+OK", "ttimer.add", "1", "7"),
		"lock from thread": func(addr string, w int, stop <-chan struct{}) error {
			// One TTHREAD.RACE thread runs at a time; the other worker's
			// attempt is refused, and TTHREAD.WAIT waits for the thread.
			return stressRounds(addr, stop, func(c *hosttest.Conn) error {
				f, err := c.Command("tthread.race", "50")
				if err != nil {
					return err
				}
				if string(f.Raw) != "+OK\r\n" && string(f.Raw) != "-ERR already running\r\n" {
					return fmt.Errorf("tthread.race: %q", f.Raw)
				}
				return expectReply(c, ":", "tthread.wait")
			})
		},
		"forever then gone": func(addr string, w int, stop <-chan struct{}) error {
			return stressRounds(addr, stop, func(c *hosttest.Conn) error {
				if err := c.Send(hosttest.AppendCommand(hosttest.AppendCommand(nil, "PING"), "tblock.forever")); err != nil {
					return err
				}
				_, err := c.ReadFrame()
				return err
			})
		},
	}
	stop := make(chan struct{})
	errs := make(chan error, 64)
	var wg sync.WaitGroup
	for name, fn := range workers {
		for w := range 2 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				if err := fn(s.Addr, w, stop); err != nil {
					errs <- fmt.Errorf("%s %d: %w", name, w, err)
				}
			}()
		}
	}
	time.Sleep(2 * time.Second)
	close(stop)
	wg.Wait()
	close(errs)
	for err := range errs {
		require.NoError(t, err)
	}
	// The disconnected TBLOCK.FOREVER handles are released by the module.
	require.Equal(t, byte(':'), ctl.Do("tblock.release", "0")[0])
	_ = ctl.Do("ttimer.fired")
	require.Eventually(t, func() bool {
		st := runtimeStats(t, ctl)
		return st["blocked_handles"] == 0 && st["timers"] == 0 && st["contexts"] == base["contexts"] &&
			st["module_alloc"] == base["module_alloc"]
	}, 30*time.Second, 20*time.Millisecond, "runtime counters: base %v, now %v", base, runtimeStats(t, ctl))
	waitModBlocked(t, ctl, 0)
}
