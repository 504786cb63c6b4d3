package commands_test

import (
	"io"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/modhost/modhost/commands"
	"github.com/modhost/modhost/internal/config"
	"github.com/modhost/modhost/internal/logging"
	"github.com/modhost/modhost/server"
)

// TestHotPathAllocs pins the allocations of the benchmark commands
// (redis-benchmark's workloads) once their keys exist: a steady workload
// must not allocate per command.
func TestHotPathAllocs(t *testing.T) {
	s := server.New(config.New(), logging.NewWriter(io.Discard, logging.Warning))
	s.AddCommands(commands.Tables(), commands.DebugSubcommands())
	c := s.NewFakeClient()
	tests := []struct {
		cmd  string
		want float64
	}{
		{"SET key:1 xxx", 0},
		{"GET key:1", 0},
		{"INCR counter", 0},
		{"HSET myhash f1 xxx", 0},
		{"ZADD myzset 1 m1", 0},
		{"LPUSH mylist xxx", 1}, // the element's copy, as Redis allocates one
	}
	for _, tc := range tests {
		t.Run(tc.cmd, func(t *testing.T) {
			var args [][]byte
			for _, f := range strings.Fields(tc.cmd) {
				args = append(args, []byte(f))
			}
			cmd, ok := s.Cmds.Resolve(args)
			require.True(t, ok)
			run := func() {
				s.Lock()
				c.Writer().Buf = c.Writer().Buf[:0]
				cmd.Handler(c, args)
				s.Unlock()
			}
			run()
			require.NotEqual(t, byte('-'), c.Writer().Buf[0], string(c.Writer().Buf))
			require.Equal(t, tc.want, testing.AllocsPerRun(200, run))
		})
	}
}
