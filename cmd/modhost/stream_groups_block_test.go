package main

import (
	"bytes"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/modhost/modhost/internal/hosttest"
)

// noGroupReply is Redis 7.2's reply to a blocked XREADGROUP whose key or
// group went away (the command is run again and finds neither).
const noGroupReply = "-NOGROUP No such key 's' or consumer group 'g' in XREADGROUP with GROUP option\r\n"

// blockedReadGroup sends XREADGROUP ... BLOCK on a fresh connection and
// waits until the server counts it as blocked (want in total).
func blockedReadGroup(t *testing.T, s *hosttest.Server, admin *hosttest.Conn, want int, args ...string) *hosttest.Conn {
	t.Helper()
	c := s.Conn(t)
	require.NoError(t, c.Send(hosttest.AppendCommand(nil, args...)))
	waitBlockedClients(t, admin, want)
	return c
}

// waitBlockedClients polls INFO until want clients are blocked.
func waitBlockedClients(t *testing.T, admin *hosttest.Conn, want int) {
	t.Helper()
	needle := []byte("blocked_clients:" + string(rune('0'+want)) + "\r\n")
	require.Eventually(t, func() bool {
		return bytes.Contains(admin.Do("INFO", "clients"), needle)
	}, 10*time.Second, 5*time.Millisecond)
}

// readReply reads the next reply of c as raw bytes.
func readReply(t *testing.T, c *hosttest.Conn) string {
	t.Helper()
	f, err := c.ReadFrame()
	require.NoError(t, err)
	return string(f.Raw)
}

// TestStreamXReadGroupBlockWake checks that XADD serves blocked consumers
// of one group one entry each, in the order they blocked, and records the
// entries as pending for the consumer that got them.
func TestStreamXReadGroupBlockWake(t *testing.T) {
	s := startModhost(t)
	admin := s.Conn(t)
	require.Equal(t, "+OK\r\n", string(admin.Do("XGROUP", "CREATE", "s", "g", "$", "MKSTREAM")))
	c1 := blockedReadGroup(t, s, admin, 1, "XREADGROUP", "GROUP", "g", "c1", "BLOCK", "0", "STREAMS", "s", ">")
	c2 := blockedReadGroup(t, s, admin, 2, "XREADGROUP", "GROUP", "g", "c2", "BLOCK", "0", "STREAMS", "s", ">")
	admin.Do("XADD", "s", "1-0", "f", "v1")
	require.Equal(t, "*1\r\n*2\r\n$1\r\ns\r\n*1\r\n*2\r\n$3\r\n1-0\r\n*2\r\n$1\r\nf\r\n$2\r\nv1\r\n", readReply(t, c1))
	waitBlockedClients(t, admin, 1) // c2 found nothing new for the group
	admin.Do("XADD", "s", "2-0", "f", "v2")
	require.Equal(t, "*1\r\n*2\r\n$1\r\ns\r\n*1\r\n*2\r\n$3\r\n2-0\r\n*2\r\n$1\r\nf\r\n$2\r\nv2\r\n", readReply(t, c2))
	require.Equal(t, "*4\r\n:2\r\n$3\r\n1-0\r\n$3\r\n2-0\r\n*2\r\n*2\r\n$2\r\nc1\r\n$1\r\n1\r\n*2\r\n$2\r\nc2\r\n$1\r\n1\r\n",
		string(admin.Do("XPENDING", "s", "g")))

	// NOACK: served, nothing pending; RESP3 replies a map.
	require.Equal(t, "+OK\r\n", string(admin.Do("XGROUP", "CREATE", "s", "n", "$")))
	c3 := s.Conn(t)
	c3.Do("HELLO", "3")
	require.NoError(t, c3.Send(hosttest.AppendCommand(nil, "XREADGROUP", "GROUP", "n", "c", "NOACK", "BLOCK", "0", "STREAMS", "s", ">")))
	waitBlockedClients(t, admin, 1)
	admin.Do("XADD", "s", "3-0", "f", "v3")
	require.Equal(t, "%1\r\n$1\r\ns\r\n*1\r\n*2\r\n$3\r\n3-0\r\n*2\r\n$1\r\nf\r\n$2\r\nv3\r\n", readReply(t, c3))
	require.Equal(t, "*4\r\n:0\r\n$-1\r\n$-1\r\n*-1\r\n", string(admin.Do("XPENDING", "s", "n")))
}

// TestStreamXReadGroupBlockGone checks the replies of blocked consumers
// when their group is destroyed, the key deleted or overwritten with
// another type, and the timeout reply.
func TestStreamXReadGroupBlockGone(t *testing.T) {
	s := startModhost(t)
	admin := s.Conn(t)
	block := []string{"XREADGROUP", "GROUP", "g", "c", "BLOCK", "0", "STREAMS", "s", ">"}
	cases := []struct {
		name  string
		cause []string
		want  string
	}{
		{"destroy", []string{"XGROUP", "DESTROY", "s", "g"}, noGroupReply},
		{"del", []string{"DEL", "s"}, noGroupReply},
		{"set", []string{"SET", "s", "x"}, "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			admin.Do("DEL", "s")
			require.Equal(t, "+OK\r\n", string(admin.Do("XGROUP", "CREATE", "s", "g", "$", "MKSTREAM")))
			c := blockedReadGroup(t, s, admin, 1, block...)
			admin.Do(tc.cause...)
			require.Equal(t, tc.want, readReply(t, c))
			waitBlockedClients(t, admin, 0)
		})
	}
	t.Run("timeout", func(t *testing.T) {
		admin.Do("DEL", "s")
		admin.Do("XGROUP", "CREATE", "s", "g", "$", "MKSTREAM")
		c := s.Conn(t)
		require.Equal(t, "*-1\r\n", string(c.Do("XREADGROUP", "GROUP", "g", "c", "BLOCK", "20", "STREAMS", "s", ">")))
		c.Do("MULTI")
		c.Do("XREADGROUP", "GROUP", "g", "c", "BLOCK", "0", "STREAMS", "s", ">")
		require.Equal(t, "*1\r\n*-1\r\n", string(c.Do("EXEC")))
	})
}

// TestStreamXReadGroupBlockModuleSignal checks that a module's
// RedisModule_SignalKeyAsReady makes a blocked XREADGROUP look again: after
// XGROUP SETID (which wakes nobody) the signal serves the rewound entries.
func TestStreamXReadGroupBlockModuleSignal(t *testing.T) {
	root, err := hosttest.ModuleRoot()
	require.NoError(t, err)
	s := startModhost(t, "--loadmodule", filepath.Join(root, "modules_c/test_block.so"))
	admin := s.Conn(t)
	admin.Do("XADD", "s", "1-0", "f", "v")
	require.Equal(t, "+OK\r\n", string(admin.Do("XGROUP", "CREATE", "s", "g", "$")))
	c := blockedReadGroup(t, s, admin, 1, "XREADGROUP", "GROUP", "g", "c", "BLOCK", "0", "STREAMS", "s", ">")
	require.Equal(t, "+OK\r\n", string(admin.Do("XGROUP", "SETID", "s", "g", "0")))
	require.Equal(t, "+OK\r\n", string(admin.Do("TBLOCK.SIGNAL", "other")))
	time.Sleep(20 * time.Millisecond)
	waitBlockedClients(t, admin, 1)
	require.Equal(t, "+OK\r\n", string(admin.Do("TBLOCK.SIGNAL", "s")))
	require.Equal(t, "*1\r\n*2\r\n$1\r\ns\r\n*1\r\n*2\r\n$3\r\n1-0\r\n*2\r\n$1\r\nf\r\n$1\r\nv\r\n", readReply(t, c))
}
