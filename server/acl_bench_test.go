package server

import (
	"io"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/modhost/modhost/internal/config"
	"github.com/modhost/modhost/internal/logging"
)

// benchExecute runs ECHO for a client with the given user setup, the way
// a connection batch does.
func benchExecute(b testing.TB, setup func(s *Server, c *Client)) func() {
	s := New(config.New(), logging.NewWriter(io.Discard, logging.Warning))
	c := newClient(s, nil)
	c.Authenticated = true
	setup(s, c)
	args := [][]byte{[]byte("ECHO"), []byte("hello")}
	return func() {
		s.mu.Lock()
		c.clk.start()
		c.W.Buf = c.W.Buf[:0]
		s.execute(c, args)
		c.clk.on = false
		s.Keys.PinTime(0)
		s.mu.Unlock()
	}
}

// TestACLCheckAllocs: the permission check adds no allocation for the
// default user (a flag test) and, once its rules are cached, none for a
// restricted user's allowed keyless command either.
func TestACLCheckAllocs(t *testing.T) {
	def := benchExecute(t, func(s *Server, c *Client) { c.user = s.ACL.Default() })
	def()
	require.Equal(t, float64(0), testing.AllocsPerRun(100, def))
	restricted := benchExecute(t, func(s *Server, c *Client) {
		u, _, msg := s.ACL.SetUser("r", []string{"on", "nopass", "-@all", "+echo"}, s.ACLLookup())
		require.Empty(t, msg)
		c.user = u
	})
	restricted()
	require.Equal(t, float64(0), testing.AllocsPerRun(100, restricted))
}

// BenchmarkExecuteNoUser is the dispatcher without any user (a fake
// client), the baseline of BenchmarkExecuteDefaultUser.
func BenchmarkExecuteNoUser(b *testing.B) {
	run := benchExecute(b, func(s *Server, c *Client) {})
	for i := 0; i < b.N; i++ {
		run()
	}
}

// BenchmarkExecuteDefaultUser is the dispatcher for the default user.
func BenchmarkExecuteDefaultUser(b *testing.B) {
	run := benchExecute(b, func(s *Server, c *Client) { c.user = s.ACL.Default() })
	for i := 0; i < b.N; i++ {
		run()
	}
}

// BenchmarkExecuteRestrictedUser is the dispatcher for a user with rules.
func BenchmarkExecuteRestrictedUser(b *testing.B) {
	run := benchExecute(b, func(s *Server, c *Client) {
		u, _, _ := s.ACL.SetUser("r", []string{"on", "nopass", "-@all", "+@connection", "-ping"}, s.ACLLookup())
		c.user = u
	})
	for i := 0; i < b.N; i++ {
		run()
	}
}
