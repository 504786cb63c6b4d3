package main

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/modhost/modhost/internal/buildinfo"
	"github.com/modhost/modhost/internal/hosttest"
)

// redisCLI runs redis-cli against addr and returns its output.
func redisCLI(t *testing.T, port int, args ...string) string {
	t.Helper()
	full := append([]string{"-p", strconv.Itoa(port)}, args...)
	out, err := exec.Command("redis-cli", full...).CombinedOutput()
	require.NoError(t, err, "redis-cli %v: %s", args, out)
	return string(out)
}

func TestRedisCLIPingAndHello3(t *testing.T) {
	srv := hosttest.StartModhost(t)
	require.Equal(t, "PONG\n", redisCLI(t, srv.Port, "ping"))
	out := redisCLI(t, srv.Port, "-3", "hello", "3")
	// redis-cli without a tty prints a RESP3 map as "key value" lines.
	require.Contains(t, out, "proto 3\n")
	require.Contains(t, out, "version "+buildinfo.RedisVersion+"\n")
	require.Contains(t, out, "mode standalone\n")
}

func TestPipelined100kPingsComeBackInOrder(t *testing.T) {
	srv := hosttest.StartModhost(t)
	conn, err := net.Dial("tcp", srv.Addr)
	require.NoError(t, err)
	defer conn.Close()
	const n = 100000
	go func() {
		var buf []byte
		for i := 0; i < n; i++ {
			buf = hosttest.AppendCommand(buf, "PING", strconv.Itoa(i))
			if len(buf) > 64<<10 {
				_, _ = conn.Write(buf)
				buf = buf[:0]
			}
		}
		_, _ = conn.Write(buf)
	}()
	r := newFrameReader(conn)
	for i := 0; i < n; i++ {
		f, err := r()
		require.NoError(t, err, "reply %d", i)
		require.Equal(t, strconv.Itoa(i), string(f.Str), "reply %d out of order", i)
	}
}

// protocolCase is raw bytes sent on a fresh connection and the exact error
// Redis answers before closing it.
type protocolCase struct {
	name, send, want string
	args             []string
}

func TestProtocolErrorsAnswerAndClose(t *testing.T) {
	cases := []protocolCase{
		{name: "bad multibulk length", send: "*abc\r\n", want: "-ERR Protocol error: invalid multibulk length\r\n"},
		{name: "expected $", send: "*1\r\n+foo\r\n", want: "-ERR Protocol error: expected '$', got '+'\r\n"},
		{name: "bad bulk length", send: "*1\r\n$x\r\n", want: "-ERR Protocol error: invalid bulk length\r\n"},
		{name: "unbalanced quotes", send: "SET \"a b\r\n", want: "-ERR Protocol error: unbalanced quotes in request\r\n"},
		{name: "bulk over proto-max-bulk-len", send: "*1\r\n$2000000\r\n", want: "-ERR Protocol error: invalid bulk length\r\n", args: []string{"--proto-max-bulk-len", "1mb"}},
		{name: "too big inline", send: strings.Repeat("a", 70000), want: "-ERR Protocol error: too big inline request\r\n"},
		{name: "too big mbulk count", send: "*" + strings.Repeat("1", 70000), want: "-ERR Protocol error: too big mbulk count string\r\n"},
		{name: "unauthenticated multibulk", send: "*100\r\n", want: "-ERR Protocol error: unauthenticated multibulk length\r\n", args: []string{"--requirepass", "pw"}},
		{name: "unauthenticated bulk", send: "*1\r\n$20000\r\n", want: "-ERR Protocol error: unauthenticated bulk length\r\n", args: []string{"--requirepass", "pw"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			for _, kind := range []string{"redis", "modhost"} {
				var srv *hosttest.Server
				if kind == "redis" {
					srv = hosttest.StartRedis(t, tc.args...)
				} else {
					srv = hosttest.StartModhost(t, tc.args...)
				}
				first := "+PONG\r\n"
				if len(tc.args) > 0 && tc.args[0] == "--requirepass" {
					first = "-NOAUTH Authentication required.\r\n"
				}
				got, closed := sendRawReadAll(t, srv.Addr, "PING\r\n"+tc.send)
				require.Equal(t, first+tc.want, got, "%s reply", kind)
				require.True(t, closed, "%s must close the connection", kind)
			}
		})
	}
}

// sendRawReadAll writes raw bytes and reads until the server closes the
// connection or two seconds pass.
func sendRawReadAll(t *testing.T, addr, raw string) (string, bool) {
	conn, err := net.Dial("tcp", addr)
	require.NoError(t, err)
	defer conn.Close()
	_, err = conn.Write([]byte(raw))
	require.NoError(t, err)
	_ = conn.SetReadDeadline(time.Now().Add(2 * time.Second))
	var out bytes.Buffer
	buf := make([]byte, 4096)
	for {
		n, err := conn.Read(buf)
		out.Write(buf[:n])
		if err != nil {
			var ne net.Error
			timedOut := false
			if ok := asNetErr(err, &ne); ok && ne.Timeout() {
				timedOut = true
			}
			return out.String(), !timedOut
		}
	}
}

func asNetErr(err error, target *net.Error) bool {
	ne, ok := err.(net.Error)
	if ok {
		*target = ne
	}
	return ok
}

func TestQueryBufferLimitClosesConnection(t *testing.T) {
	srv := hosttest.StartModhost(t, "--client-query-buffer-limit", "1mb")
	conn, err := net.Dial("tcp", srv.Addr)
	require.NoError(t, err)
	defer conn.Close()
	// A 4 MB bulk argument, sent without its end: the claimed length is
	// legal but the buffered request passes the limit.
	_, err = conn.Write([]byte("*2\r\n$3\r\nSET\r\n$4000000\r\n"))
	require.NoError(t, err)
	chunk := bytes.Repeat([]byte("x"), 64<<10)
	closed := false
	for i := 0; i < 60; i++ {
		_ = conn.SetWriteDeadline(time.Now().Add(2 * time.Second))
		if _, err := conn.Write(chunk); err != nil {
			closed = true
			break
		}
	}
	if !closed {
		_ = conn.SetReadDeadline(time.Now().Add(3 * time.Second))
		_, err := conn.Read(make([]byte, 16))
		closed = err != nil && !isTimeout(err)
	}
	require.True(t, closed, "connection must be closed past client-query-buffer-limit")
	require.Eventually(t, func() bool {
		return strings.Contains(srv.Logs(), "Closing client that reached max query buffer length")
	}, 5*time.Second, 50*time.Millisecond)
	// The server keeps serving.
	c := srv.Conn(t)
	require.Equal(t, "+PONG\r\n", string(c.Do("PING")))
}

func isTimeout(err error) bool {
	ne, ok := err.(net.Error)
	return ok && ne.Timeout()
}

func TestAuthAndNoAuth(t *testing.T) {
	for _, kind := range []string{"redis", "modhost"} {
		t.Run(kind, func(t *testing.T) {
			var srv *hosttest.Server
			if kind == "redis" {
				srv = hosttest.StartRedis(t, "--requirepass", "secret")
			} else {
				srv = hosttest.StartModhost(t, "--requirepass", "secret")
			}
			c := srv.Conn(t)
			require.Equal(t, "-NOAUTH Authentication required.\r\n", string(c.Do("DBSIZE")))
			require.Equal(t, "-WRONGPASS invalid username-password pair or user is disabled.\r\n", string(c.Do("AUTH", "nope")))
			require.Contains(t, string(c.Do("HELLO", "3")), "NOAUTH HELLO must be called")
			require.Equal(t, "+OK\r\n", string(c.Do("AUTH", "secret")))
			require.Equal(t, "+PONG\r\n", string(c.Do("PING")))
			require.Equal(t, "+OK\r\n", string(c.Do("AUTH", "default", "secret")))
		})
	}
}

func TestProtectedCommandsRefusedByDefault(t *testing.T) {
	srv := hosttest.StartModhost(t, "--enable-debug-command", "no")
	c := srv.Conn(t)
	got := string(c.Do("DEBUG", "SLEEP", "0"))
	require.Equal(t, "-ERR DEBUG command not allowed. If the enable-debug-command option is set to \"local\", you can run it from a local connection, otherwise you need to set this option in the configuration file, and then restart the server.\r\n", got)
	local := hosttest.StartModhost(t, "--enable-debug-command", "local")
	require.Equal(t, "+OK\r\n", string(local.Conn(t).Do("DEBUG", "SLEEP", "0")))
}

func TestPanicInHandlerIsContained(t *testing.T) {
	srv := hosttest.StartModhost(t, "--enable-debug-command", "yes")
	c := srv.Conn(t)
	got := string(c.Do("DEBUG", "MODHOST-PANIC"))
	require.True(t, strings.HasPrefix(got, "-ERR internal error while executing 'debug'"), got)
	require.Equal(t, "+PONG\r\n", string(c.Do("PING")))
	// The log line is written by the server process; wait for it.
	require.Eventually(t, func() bool { return strings.Contains(srv.Logs(), "Panic in command 'debug'") }, 5*time.Second, 20*time.Millisecond)
	require.Contains(t, string(c.Do("INFO", "errorstats")), "errorstat_ERR:count=1")
}

func TestStartupErrors(t *testing.T) {
	bin := hosttest.ModhostBin(t)
	dir := t.TempDir()
	bad := filepath.Join(dir, "bad.conf")
	require.NoError(t, os.WriteFile(bad, []byte("port 7000\nfoo bar\n"), 0o644))
	cases := []struct {
		name string
		args []string
		want []string
	}{
		{"unknown directive", []string{bad}, []string{"*** FATAL CONFIG FILE ERROR (Redis 7.4.0) ***", "Reading the configuration file, at line 2", ">>> 'foo bar'", "Bad directive or wrong number of arguments"}},
		{"bad port", []string{"--port", "70000"}, []string{">>> 'port \"70000\"'", "argument must be between 0 and 65535 inclusive"}},
		{"unreadable config", []string{filepath.Join(dir, "missing.conf")}, []string{"Fatal error, can't open config file"}},
		{"daemonize yes", []string{"--daemonize", "yes"}, []string{"daemonize"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			cmd := exec.Command(bin, tc.args...)
			out, err := cmd.CombinedOutput()
			var ee *exec.ExitError
			require.ErrorAs(t, err, &ee, "output: %s", out)
			require.Equal(t, 1, ee.ExitCode())
			for _, w := range tc.want {
				require.Contains(t, string(out), w)
			}
		})
	}
}

func TestPortInUseExitsWithError(t *testing.T) {
	ln, err := net.Listen("tcp4", "0.0.0.0:0")
	require.NoError(t, err)
	defer ln.Close()
	port := ln.Addr().(*net.TCPAddr).Port
	out, err := exec.Command(hosttest.ModhostBin(t), "--port", strconv.Itoa(port), "--bind", "0.0.0.0").CombinedOutput()
	var ee *exec.ExitError
	require.ErrorAs(t, err, &ee, "output: %s", out)
	require.Equal(t, 1, ee.ExitCode())
	require.Contains(t, string(out), fmt.Sprintf("Failed listening on port %d (tcp), aborting.", port))
}

func TestConfigFileAndStdin(t *testing.T) {
	dir := t.TempDir()
	conf := filepath.Join(dir, "m.conf")
	require.NoError(t, os.WriteFile(conf, []byte("# comment\ndatabases 4\nloglevel \"verbose\"\n"), 0o644))
	srv := hosttest.StartModhost(t, conf, "--databases", "5")
	c := srv.Conn(t)
	require.Equal(t, "*2\r\n$9\r\ndatabases\r\n$1\r\n5\r\n", string(c.Do("CONFIG", "GET", "databases")))
	require.Equal(t, "*2\r\n$8\r\nloglevel\r\n$7\r\nverbose\r\n", string(c.Do("CONFIG", "GET", "loglevel")))
	require.Equal(t, "-ERR DB index is out of range\r\n", string(c.Do("SELECT", "5")))
	require.Equal(t, "+OK\r\n", string(c.Do("CONFIG", "SET", "loglevel", "notice")))
	require.Equal(t, "+OK\r\n", string(c.Do("CONFIG", "REWRITE")))
	b, err := os.ReadFile(conf)
	require.NoError(t, err)
	require.Contains(t, string(b), "loglevel notice")
	require.Contains(t, string(b), "# comment")
}

func TestClientKillReplyAndMonitor(t *testing.T) {
	srv := hosttest.StartModhost(t)
	a := srv.Conn(t)
	b := srv.Conn(t)
	idB := strings.TrimSpace(strings.TrimPrefix(string(b.Do("CLIENT", "ID")), ":"))
	require.Equal(t, ":1\r\n", string(a.Do("CLIENT", "KILL", "ID", idB)))
	require.True(t, b.Closed(2*time.Second))
	require.Equal(t, "-ERR No such client\r\n", string(a.Do("CLIENT", "KILL", "1.2.3.4:5")))

	// CLIENT REPLY OFF/SKIP/ON.
	c := srv.Conn(t)
	raw := hosttest.AppendCommand(nil, "CLIENT", "REPLY", "OFF")
	raw = hosttest.AppendCommand(raw, "PING", "a")
	raw = hosttest.AppendCommand(raw, "CLIENT", "REPLY", "ON")
	require.Equal(t, "+OK\r\n", string(c.DoRaw(raw)))
	raw = hosttest.AppendCommand(nil, "CLIENT", "REPLY", "SKIP")
	raw = hosttest.AppendCommand(raw, "PING", "b")
	raw = hosttest.AppendCommand(raw, "PING", "c")
	require.Equal(t, "$1\r\nc\r\n", string(c.DoRaw(raw)))

	// MONITOR sees other clients' commands.
	m := srv.Conn(t)
	require.Equal(t, "+OK\r\n", string(m.Do("MONITOR")))
	a.Do("ECHO", "hi there")
	f, err := m.ReadFrame()
	require.NoError(t, err)
	require.Regexp(t, `^\d+\.\d{6} \[0 127\.0\.0\.1:\d+\] "ECHO" "hi there"$`, string(f.Str))
}

func TestGoRedisClientBasics(t *testing.T) {
	srv := hosttest.StartModhost(t)
	for _, proto := range []int{2, 3} {
		rc := srv.Client(t, proto)
		ctx := context.Background()
		require.Equal(t, "PONG", rc.Ping(ctx).Val())
		require.Equal(t, "hello", rc.Echo(ctx, "hello").Val())
		tm, err := rc.Time(ctx).Result()
		require.NoError(t, err)
		require.WithinDuration(t, time.Now(), tm, 5*time.Second)
		info, err := rc.Info(ctx, "server").Result()
		require.NoError(t, err)
		require.Contains(t, info, "redis_version:7.4.0")
		require.Contains(t, info, "modhost_version:")
	}
}

func TestShutdownExits(t *testing.T) {
	srv := hosttest.StartModhost(t)
	c := srv.Conn(t)
	_ = c.Send(hosttest.AppendCommand(nil, "SHUTDOWN", "NOSAVE"))
	require.Eventually(t, srv.Exited, 5*time.Second, 20*time.Millisecond)
	require.Contains(t, srv.Logs(), "User requested shutdown...")
}

func TestProtectedModeRefusesNonLoopback(t *testing.T) {
	ip := nonLoopbackIP()
	if ip == "" {
		t.Skip("no non-loopback IPv4 address on this machine")
	}
	srv := hosttest.StartModhost(t)
	got, closed := sendRawReadAll(t, net.JoinHostPort(ip, strconv.Itoa(srv.Port)), "PING\r\n")
	require.True(t, strings.HasPrefix(got, "-DENIED Redis is running in protected mode"), got)
	require.True(t, closed)
	open := hosttest.StartModhost(t, "--protected-mode", "no")
	got, _ = sendRawReadAll(t, net.JoinHostPort(ip, strconv.Itoa(open.Port)), "PING\r\nQUIT\r\n")
	require.Equal(t, "+PONG\r\n+OK\r\n", got)
}

func nonLoopbackIP() string {
	addrs, _ := net.InterfaceAddrs()
	for _, a := range addrs {
		if ipn, ok := a.(*net.IPNet); ok && !ipn.IP.IsLoopback() && ipn.IP.To4() != nil {
			return ipn.IP.String()
		}
	}
	return ""
}

// newFrameReader returns a function reading one reply frame from conn.
func newFrameReader(conn net.Conn) func() (*hosttest.Frame, error) {
	r := bufio.NewReaderSize(conn, 64<<10)
	return func() (*hosttest.Frame, error) { return hosttest.ReadFrame(r) }
}

// TestAlwaysShowLogoNamesPID: with always-show-logo yes (Redis's test suite
// sets it) the start-up banner carries " PID: <pid>" before "Server
// initialized", which is how that suite finds the server's process; with
// no the plain "Running mode" line is logged instead.
func TestAlwaysShowLogoNamesPID(t *testing.T) {
	bin := hosttest.ModhostBin(t)
	srv := hosttest.StartServer(t, bin, "--always-show-logo", "yes")
	logs := srv.Logs()
	require.Regexp(t, regexp.MustCompile(fmt.Sprintf(`(?s) PID: %d\n.*Server initialized`, srv.PID())), logs)
	require.NotContains(t, logs, "Running mode=")

	plain := hosttest.StartServer(t, bin, "--always-show-logo", "no")
	require.Contains(t, plain.Logs(), "Running mode=standalone, port=")
	require.NotContains(t, plain.Logs(), " PID: ")
}
