package main

import (
	"bufio"
	"errors"
	"io"
	"net"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/modhost/modhost/internal/hosttest"
)

// Output buffer limits, run with the same configuration on redis-server
// 7.0 and modhost.

// closeLogLine ends Redis's log line for a client closed by its output
// limit ("Client ... scheduled to be closed ASAP for overcoming of output
// buffer limits." when found as output grows, "Client ... closed for
// overcoming ..." when found by the cron).
const closeLogLine = "for overcoming of output buffer limits."

// waitLogAll waits (generously) for the server's log to contain all of want.
func waitLogAll(t *testing.T, srv *hosttest.Server, want ...string) {
	deadline := time.Now().Add(10 * time.Second)
	for {
		logs := srv.Logs()
		missing := ""
		for _, w := range want {
			if !strings.Contains(logs, w) {
				missing = w
			}
		}
		if missing == "" {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("log lacks %q:\n%s", missing, logs)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// socketSlack bounds what the kernel buffers between the server and a
// client whose receive buffer is smallRcvBuf: the sender's buffer grows
// to net.ipv4.tcp_wmem's maximum (4 MB here), doubled for headroom.
const (
	smallRcvBuf = 64 << 10
	socketSlack = 8 << 20
)

// onBoth runs f against redis-server and modhost started with args.
func onBoth(t *testing.T, f func(t *testing.T, srv *hosttest.Server, isRedis bool), args ...string) {
	t.Run("redis", func(t *testing.T) { f(t, hosttest.StartRedis(t, args...), true) })
	t.Run("modhost", func(t *testing.T) { f(t, hosttest.StartModhost(t, args...), false) })
}

// dialSmall connects with a small receive buffer, set before connecting so
// the kernel does not grow the window past it.
func dialSmall(t *testing.T, addr string) net.Conn {
	d := net.Dialer{Timeout: 5 * time.Second, Control: func(_, _ string, rc syscall.RawConn) error {
		var serr error
		err := rc.Control(func(fd uintptr) {
			serr = syscall.SetsockoptInt(int(fd), syscall.SOL_SOCKET, syscall.SO_RCVBUF, smallRcvBuf)
		})
		if err != nil {
			return err
		}
		return serr
	}}
	c, err := d.Dial("tcp", addr)
	require.NoError(t, err)
	t.Cleanup(func() { _ = c.Close() })
	return c
}

// drain reads c until the server closes it or wait passes; it returns the
// bytes read and whether the connection was closed.
func drain(c net.Conn, wait time.Duration) (int64, bool) {
	_ = c.SetReadDeadline(time.Now().Add(wait))
	n, err := io.Copy(io.Discard, c)
	if err == nil {
		return n, true // EOF
	}
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() {
		return n, false
	}
	return n, true // reset
}

// clientFields returns the numeric fields of the CLIENT LIST line of the
// client named name, read from one CLIENT LIST (nil if it is not there).
func clientFields(t *testing.T, admin *hosttest.Conn, name string) map[string]int64 {
	f, err := admin.Command("CLIENT", "LIST")
	require.NoError(t, err)
	for _, line := range strings.Split(string(f.Raw), "\n") {
		if !strings.Contains(line, " name="+name+" ") {
			continue
		}
		out := map[string]int64{}
		for _, m := range regexp.MustCompile(`([a-z-]+)=(\d+)\b`).FindAllStringSubmatch(line, -1) {
			v, err := strconv.ParseInt(m[2], 10, 64)
			require.NoError(t, err)
			out[m[1]] = v
		}
		return out
	}
	return nil
}

// subscribe connects a subscriber that reads only its SUBSCRIBE reply.
func subscribe(t *testing.T, addr, name, channel string) net.Conn {
	c := dialSmall(t, addr)
	_, err := c.Write(hosttest.AppendCommand(hosttest.AppendCommand(nil, "CLIENT", "SETNAME", name), "SUBSCRIBE", channel))
	require.NoError(t, err)
	r := bufio.NewReader(c)
	_ = c.SetReadDeadline(time.Now().Add(5 * time.Second))
	_, err = hosttest.ReadFrame(r)
	require.NoError(t, err)
	_, err = hosttest.ReadFrame(r)
	require.NoError(t, err)
	require.Zero(t, r.Buffered())
	return c
}

// publishUntilGone publishes payload to channel, 16 messages per round
// trip, until no subscriber receives it or total bytes were sent; it
// returns the bytes published while the subscriber was still there.
func publishUntilGone(t *testing.T, pub *hosttest.Conn, channel string, payload string, total int64) (int64, bool) {
	var sent int64
	var cmds []byte
	for i := 0; i < 16; i++ {
		cmds = hosttest.AppendCommand(cmds, "PUBLISH", channel, payload)
	}
	for sent < total {
		require.NoError(t, pub.Send(cmds))
		gone := false
		for i := 0; i < 16; i++ {
			f, err := pub.ReadFrame()
			require.NoError(t, err)
			if string(f.Raw) == ":0\r\n" {
				gone = true
			} else {
				sent += int64(len(payload))
			}
		}
		if gone {
			return sent, true
		}
	}
	return sent, false
}

// TestPubsubOutputHardLimit: a subscriber that never reads while ~100 MB
// are published is closed at the default pubsub hard limit (32 MB), with
// Redis's log line; it has received less than twice the limit.
func TestPubsubOutputHardLimit(t *testing.T) {
	onBoth(t, func(t *testing.T, srv *hosttest.Server, isRedis bool) {
		sub := subscribe(t, srv.Addr, "sub", "ch")
		pub := srv.Conn(t)
		payload := strings.Repeat("x", 64<<10)
		sent, gone := publishUntilGone(t, pub, "ch", payload, 100<<20)
		require.True(t, gone, "subscriber still there after %d bytes", sent)
		require.Less(t, sent, int64(100<<20))
		got, closed := drain(sub, 30*time.Second)
		require.True(t, closed, "subscriber connection not closed")
		require.Less(t, got, int64(2*32<<20+socketSlack), "received %d bytes", got)
		waitLogAll(t, srv, "scheduled to be closed ASAP "+closeLogLine, "name=sub ")
		if !isRedis {
			// Redis 7.4's INFO stats field (7.0 has none).
			require.Contains(t, string(pub.Do("INFO", "stats")), "client_output_buffer_limit_disconnections:1\r\n")
		}
	})
}

// TestNormalOutputHardLimit: with client-output-buffer-limit normal 16mb,
// a client pipelining GETs of a 1 MB value without reading is closed.
func TestNormalOutputHardLimit(t *testing.T) {
	onBoth(t, func(t *testing.T, srv *hosttest.Server, _ bool) {
		admin := srv.Conn(t)
		require.Equal(t, "+OK\r\n", string(admin.Do("SET", "big", strings.Repeat("v", 1<<20))))
		c := dialSmall(t, srv.Addr)
		// 200 GETs in writes of 10, about 200 MB of replies.
		var cmds []byte
		for i := 0; i < 10; i++ {
			cmds = hosttest.AppendCommand(cmds, "GET", "big")
		}
		for i := 0; i < 20; i++ {
			_ = c.SetWriteDeadline(time.Now().Add(5 * time.Second))
			if _, err := c.Write(cmds); err != nil {
				break // closed by the server
			}
		}
		got, closed := drain(c, 30*time.Second)
		require.True(t, closed, "client not closed")
		require.Less(t, got, int64(2*16<<20+socketSlack), "received %d bytes", got)
		waitLogAll(t, srv, closeLogLine)
	}, "--client-output-buffer-limit", "normal 16mb 0 0")
}

// TestNormalUnlimitedKeepsClient: without a normal limit the same client
// is not closed and gets every reply.
func TestNormalUnlimitedKeepsClient(t *testing.T) {
	srv := hosttest.StartModhost(t)
	admin := srv.Conn(t)
	require.Equal(t, "+OK\r\n", string(admin.Do("SET", "big", strings.Repeat("v", 1<<20))))
	c := dialSmall(t, srv.Addr)
	var cmds []byte
	for i := 0; i < 40; i++ {
		cmds = hosttest.AppendCommand(cmds, "GET", "big")
	}
	go func() { _, _ = c.Write(cmds) }()
	time.Sleep(500 * time.Millisecond)
	r := bufio.NewReader(c)
	_ = c.SetReadDeadline(time.Now().Add(30 * time.Second))
	for i := 0; i < 40; i++ {
		f, err := hosttest.ReadFrame(r)
		require.NoError(t, err, "reply %d", i)
		require.Len(t, f.Raw, 1<<20+len("$1048576\r\n\r\n"))
	}
	require.NotContains(t, srv.Logs(), closeLogLine)
}

// TestClientListOutputMemory: a client with a reply it does not read
// shows it in CLIENT LIST: omem > 0 and tot-mem above omem; INFO clients'
// client_recent_max_output_buffer sees it too (modhost).
func TestClientListOutputMemory(t *testing.T) {
	onBoth(t, func(t *testing.T, srv *hosttest.Server, isRedis bool) {
		admin := srv.Conn(t)
		require.Equal(t, "+OK\r\n", string(admin.Do("SET", "big", strings.Repeat("v", 16<<20))))
		c := dialSmall(t, srv.Addr)
		_, err := c.Write(hosttest.AppendCommand(hosttest.AppendCommand(nil, "CLIENT", "SETNAME", "slow"), "GET", "big"))
		require.NoError(t, err)
		var fields map[string]int64
		deadline := time.Now().Add(10 * time.Second)
		for time.Now().Before(deadline) {
			if fields = clientFields(t, admin, "slow"); fields != nil && fields["omem"] > 0 {
				break
			}
			time.Sleep(50 * time.Millisecond)
		}
		require.NotNil(t, fields)
		require.Positive(t, fields["omem"], "omem stayed 0")
		require.Greater(t, fields["tot-mem"], fields["omem"])
		if !isRedis {
			info := string(admin.Do("INFO", "clients"))
			m := regexp.MustCompile(`client_recent_max_output_buffer:(\d+)`).FindStringSubmatch(info)
			require.NotNil(t, m, info)
			v, _ := strconv.ParseInt(m[1], 10, 64)
			require.Positive(t, v)
		}
		// Reading everything empties it.
		r := bufio.NewReader(c)
		_ = c.SetReadDeadline(time.Now().Add(30 * time.Second))
		for i := 0; i < 2; i++ {
			_, err := hosttest.ReadFrame(r)
			require.NoError(t, err)
		}
		// The server may see its write finish just after we read it.
		require.Eventually(t, func() bool {
			fields = clientFields(t, admin, "slow")
			return fields != nil && fields["omem"] == 0
		}, 10*time.Second, 20*time.Millisecond, "omem not back to 0: %v", fields)
	})
}

// TestPubsubOutputSoftLimit: over the soft limit (1 MB, no hard limit)
// the subscriber survives the first second and is closed once it stayed
// over for more than 2 seconds.
func TestPubsubOutputSoftLimit(t *testing.T) {
	onBoth(t, func(t *testing.T, srv *hosttest.Server, _ bool) {
		sub := subscribe(t, srv.Addr, "softsub", "ch")
		pub := srv.Conn(t)
		payload := strings.Repeat("y", 64<<10)
		start := time.Now()
		// Well past the soft limit plus what the kernel takes.
		sent, gone := publishUntilGone(t, pub, "ch", payload, 8<<20)
		require.False(t, gone, "closed at once after %d bytes: the soft limit acted as a hard one", sent)
		closedAt := time.Duration(0)
		for time.Since(start) < 20*time.Second {
			f, err := pub.Command("PUBLISH", "ch", "tick")
			require.NoError(t, err)
			if string(f.Raw) == ":0\r\n" {
				closedAt = time.Since(start)
				break
			}
			time.Sleep(100 * time.Millisecond)
		}
		require.NotZero(t, closedAt, "subscriber over the soft limit never closed")
		// Over the limit for more than 2 whole seconds, counted from
		// before the first message.
		require.Greater(t, closedAt, 2*time.Second, "closed before its soft seconds")
		_, closed := drain(sub, 30*time.Second)
		require.True(t, closed)
		waitLogAll(t, srv, closeLogLine, "name=softsub ")
	}, "--client-output-buffer-limit", "pubsub 0 1mb 2")
}
