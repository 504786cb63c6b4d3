package hosttest

import (
	"context"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func TestStartRedisRawConn(t *testing.T) {
	s := StartRedis(t, "--save", "")
	require.Contains(t, s.Logs(), ReadyLine)
	require.Equal(t, "127.0.0.1:"+strconv.Itoa(s.Port), s.Addr)
	c := s.Conn(t)
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"PING"}, "+PONG\r\n"},
		{[]string{"SET", "k", "a\r\nb"}, "+OK\r\n"},
		{[]string{"GET", "k"}, "$4\r\na\r\nb\r\n"},
		{[]string{"GET", "missing"}, "$-1\r\n"},
		{[]string{"RPUSH", "l", "x", "y"}, ":2\r\n"},
		{[]string{"LRANGE", "l", "0", "-1"}, "*2\r\n$1\r\nx\r\n$1\r\ny\r\n"},
		{[]string{"GET", "l"}, "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n"},
	}
	for _, tc := range tests {
		require.Equal(t, tc.want, string(c.Do(tc.args...)), "%q", tc.args)
	}
	require.Equal(t, "+PONG\r\n", string(c.DoRaw([]byte("PING\r\n"))), "inline command")
	hello := c.Do("HELLO", "3")
	require.True(t, strings.HasPrefix(string(hello), "%"), "HELLO 3 answers a map: %q", hello)
	require.Equal(t, "_\r\n", string(c.Do("GET", "missing")), "RESP3 null")
	require.Equal(t, "%0\r\n", string(c.Do("HGETALL", "missing")))
	require.False(t, c.Closed(50*time.Millisecond))
	require.Equal(t, "+OK\r\n", string(c.Do("QUIT")))
	require.True(t, c.Closed(5*time.Second))
}

func TestClient(t *testing.T) {
	s := StartRedis(t, "--save", "")
	for _, proto := range []int{2, 3} {
		t.Run(strconv.Itoa(proto), func(t *testing.T) {
			cl := s.Client(t, proto)
			ctx := context.Background()
			require.NoError(t, cl.Set(ctx, "k"+strconv.Itoa(proto), "v", 0).Err())
			v, err := cl.Get(ctx, "k"+strconv.Itoa(proto)).Result()
			require.NoError(t, err)
			require.Equal(t, "v", v)
		})
	}
}

func TestProcessRSSAndKill(t *testing.T) {
	p, err := Launch(t.TempDir(), RedisBin(t), "--save", "")
	require.NoError(t, err)
	rss, err := p.RSS()
	require.NoError(t, err)
	require.Greater(t, rss, int64(1<<20))
	require.False(t, p.Exited())
	p.Kill()
	p.Kill()
	require.True(t, p.Exited())
}

func TestLaunchReportsFailure(t *testing.T) {
	_, err := Launch(t.TempDir(), RedisBin(t), "--no-such-option", "1")
	require.Error(t, err)
	require.Contains(t, err.Error(), "exited before it was ready")
	require.Contains(t, err.Error(), "no-such-option", "the server log is part of the error")
}

func TestLaunchOnBusyPort(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	defer l.Close()
	port := l.Addr().(*net.TCPAddr).Port
	p, err := launchOn(t.TempDir(), RedisBin(t), port, []string{"--save", "", "--bind", "127.0.0.1"})
	require.Error(t, err)
	require.NotNil(t, p)
	require.Contains(t, p.Logs(), "already in use", "Launch retries on this text")
}

func TestModhostBinFromEnv(t *testing.T) {
	t.Setenv("MODHOST_BIN", "redis-server")
	bin := ModhostBin(t)
	require.True(t, filepath.IsAbs(bin))
	require.Equal(t, "redis-server", filepath.Base(bin))
	s := StartServer(t, bin, DiffArgs...)
	require.Equal(t, "+PONG\r\n", string(s.Conn(t).Do("PING")))
}

func TestModuleRoot(t *testing.T) {
	root, err := ModuleRoot()
	require.NoError(t, err)
	b, err := os.ReadFile(filepath.Join(root, "go.mod"))
	require.NoError(t, err)
	require.Contains(t, string(b), "module github.com/modhost/modhost")
}
