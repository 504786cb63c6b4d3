package server

import (
	"io"
	"net"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/modhost/modhost/commands"
	"github.com/modhost/modhost/internal/config"
	"github.com/modhost/modhost/internal/logging"
)

// recordingSink is a propagation sink that keeps every op as one line.
type recordingSink struct{ ops []string }

func (r *recordingSink) Wants(target int) bool { return true }

func (r *recordingSink) Propagate(db int, argv [][]byte, target int) {
	parts := make([]string, len(argv))
	for i, a := range argv {
		parts[i] = string(a)
	}
	r.ops = append(r.ops, strings.Join(parts, " "))
}

// TestPropagationRewrites runs commands on a server with a recording
// sink and checks what each one propagates: Redis 7.0's rewrites, nothing
// for commands that changed nothing, MULTI/EXEC around a unit of several
// ops.
func TestPropagationRewrites(t *testing.T) {
	s := New(config.New(), logging.NewWriter(io.Discard, logging.Warning))
	s.AddCommands(commands.Tables(), commands.DebugSubcommands())
	sink := &recordingSink{}
	s.AddPropagationSink(sink)
	conn, peer := net.Pipe()
	defer conn.Close()
	defer peer.Close()
	c := newClient(s, conn)
	c.Authenticated = true
	run := func(line string) []string {
		sink.ops = nil
		var args [][]byte
		for _, f := range strings.Fields(line) {
			args = append(args, []byte(f))
		}
		s.mu.Lock()
		c.W.Buf = c.W.Buf[:0]
		s.execute(c, args)
		s.mu.Unlock()
		return sink.ops
	}
	tests := []struct {
		cmd  string
		want []string
	}{
		{"SET a 1", []string{"SET a 1"}},
		{"GET a", nil},
		{"DEL nosuch", nil},
		{"SET b 2 EXAT 4000000000", []string{"SET b 2 PXAT 4000000000000"}},
		{"SET b 2 XX PXAT 4000000000001 GET", []string{"SET b 2 PXAT 4000000000001"}},
		{"SET b 3 GET", []string{"SET b 3"}},
		{"EXPIREAT a 4000000000 NX", []string{"PEXPIREAT a 4000000000000 NX"}},
		{"PEXPIREAT a 4000000000001", []string{"PEXPIREAT a 4000000000001"}},
		{"EXPIRE a -1", []string{"DEL a"}},
		{"INCRBYFLOAT f 1.5", []string{"SET f 1.5 KEEPTTL"}},
		{"HINCRBYFLOAT h x 2.5", []string{"HSET h x 2.5"}},
		{"GETSET g v", []string{"SET g v"}},
		{"GETDEL g", []string{"DEL g"}},
		{"GETEX b PERSIST", nil}, // SET b 3 dropped the TTL: no change
		{"GETEX b PXAT 4000000000002", []string{"PEXPIREAT b 4000000000002"}},
		{"GETEX b PERSIST", []string{"PERSIST b"}},
		{"SADD s m", []string{"SADD s m"}},
		{"SPOP s", []string{"SREM s m"}},
		{"SADD s2 m n", []string{"SADD s2 m n"}},
		{"SPOP s2 5", []string{"DEL s2"}},
		{"RPUSH l a b c", []string{"RPUSH l a b c"}},
		{"BLPOP l 0", []string{"LPOP l"}},
		{"BLMOVE l l2 RIGHT LEFT 0", []string{"LMOVE l l2 RIGHT LEFT"}},
		{"LMPOP 1 l2 LEFT COUNT 9", []string{"LPOP l2 1"}},
		{"ZADD z 1 a 2 b 3 c", []string{"ZADD z 1 a 2 b 3 c"}},
		{"BZPOPMAX z 0", []string{"ZPOPMAX z"}},
		{"ZMPOP 1 z MIN COUNT 5", []string{"ZPOPMIN z 2"}},
		{"MULTI", nil},
		{"SET m1 1", nil},
		{"GET m1", nil},
		{"SET m2 2", nil},
		{"EXEC", []string{"MULTI", "SET m1 1", "SET m2 2", "EXEC"}},
		{"MULTI", nil},
		{"SET m3 3", nil},
		{"EXEC", []string{"SET m3 3"}},
	}
	for _, tc := range tests {
		require.Equal(t, tc.want, run(tc.cmd), tc.cmd)
	}
	// SETEX becomes SET PXAT with the absolute time the key got.
	ops := run("SETEX e 100 v")
	at, _ := s.Keys.PeekExpire(0, []byte("e"))
	require.Equal(t, []string{"SET e v PXAT " + string(itob(at))}, ops)
	// A key found expired is deleted and its DEL goes before the command
	// that met it, both in one MULTI/EXEC.
	run("SET x 1 PXAT 1000")
	require.Equal(t, []string{"MULTI", "DEL x", "SET x 2", "EXEC"}, run("SET x 2"))
}
