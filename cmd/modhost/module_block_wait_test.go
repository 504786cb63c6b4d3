package main

import (
	"strconv"
	"testing"

	"github.com/modhost/modhost/internal/hosttest"
	"github.com/stretchr/testify/require"
)

// TestModuleBlockedWait: a module command whose thread wrote (Call "!")
// before unblocking it leaves the client's WAIT offset at what that write
// reached, as Redis's moduleHandleBlockedClients does: WAIT counts no
// replica until one acknowledges the write. The replica is a raw PSYNC
// connection that acknowledges offsets by hand.
func TestModuleBlockedWait(t *testing.T) {
	args := append(append([]string(nil), hosttest.DiffArgs...), "--loadmodule", moduleSO(t, "test_block"),
		"--repl-ping-replica-period", "3600", "--repl-diskless-sync", "no")
	s := hosttest.StartModhost(t, args...)
	c := s.Conn(t)
	repl := openSyncStream(t, "127.0.0.1:"+strconv.Itoa(s.Port))
	ack := func() {
		off := replInfo(t, c, "replication", "master_repl_offset")
		_, err := repl.nc.Write(hosttest.AppendCommand(nil, "REPLCONF", "ACK", off))
		require.NoError(t, err)
	}
	ack()
	require.Equal(t, ":1\r\n", string(c.Do("WAIT", "1", "5000")), "the replica acknowledged everything so far")
	require.Equal(t, "+OK\r\n", string(c.Do("tblock.tswrite", "k", "v")))
	require.Equal(t, ":0\r\n", string(c.Do("WAIT", "1", "100")), "the thread's SET is not acknowledged yet")
	repl.readUntil(t, "$1\r\nk\r\n$1\r\nv\r\n")
	ack()
	require.Equal(t, ":1\r\n", string(c.Do("WAIT", "1", "5000")))
}
