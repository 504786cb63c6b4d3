package server

import (
	"io"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/modhost/modhost/internal/config"
	"github.com/modhost/modhost/internal/logging"
)

// TestExecuteAllocs runs connection commands the way a batch does (lock,
// batch clock, reply buffer reused) and pins their allocation counts.
func TestExecuteAllocs(t *testing.T) {
	s := New(config.New(), logging.NewWriter(io.Discard, logging.Warning))
	c := newClient(s, nil)
	c.Authenticated = true
	tests := []struct {
		name  string
		args  [][]byte
		reply string
	}{
		{"ping", [][]byte{[]byte("PING")}, "+PONG\r\n"},
		{"echo", [][]byte{[]byte("ECHO"), []byte("hello")}, "$5\r\nhello\r\n"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			run := func() {
				s.mu.Lock()
				c.clk.start()
				c.W.Buf = c.W.Buf[:0]
				s.execute(c, tc.args)
				c.clk.on = false
				s.Keys.PinTime(0)
				s.mu.Unlock()
			}
			run()
			require.Equal(t, tc.reply, string(c.W.Buf))
			require.Equal(t, float64(0), testing.AllocsPerRun(100, run))
		})
	}
}
