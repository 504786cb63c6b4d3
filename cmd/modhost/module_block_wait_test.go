package main

import (
	"sort"
	"strconv"
	"strings"
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

// TestModuleBlockedThreadErrorStats: an error a thread replies through a
// bound thread-safe context counts, once the client is unblocked, in
// errorstats, total_error_replies and the blocked command's failed_calls,
// on both servers.
func TestModuleBlockedThreadErrorStats(t *testing.T) {
	args := append(append([]string(nil), hosttest.DiffArgs...), "--loadmodule", moduleSO(t, "test_block"))
	stats := func(srv *hosttest.Server) []string {
		c := srv.Conn(t)
		c.Do("CONFIG", "RESETSTAT")
		require.Equal(t, "-NOPE from the thread\r\n", string(c.Do("tblock.tserror", "NOPE from the thread")))
		require.Equal(t, "*3\r\n:1\r\n:2\r\n:3\r\n", string(c.Do("tblock.tsreply", "3")))
		out := []string{"total_error_replies:" + replInfo(t, c, "stats", "total_error_replies")}
		for _, sec := range []string{"errorstats", "commandstats"} {
			f, err := c.Command("INFO", sec)
			require.NoError(t, err)
			for _, l := range strings.Split(string(f.Str), "\r\n") {
				if strings.HasPrefix(l, "errorstat_") || strings.HasPrefix(l, "cmdstat_tblock") {
					out = append(out, stripUsec(l))
				}
			}
		}
		sort.Strings(out) // Redis lists commandstats in hash order
		return out
	}
	want := stats(hosttest.StartRedis(t, args...))
	got := stats(hosttest.StartModhost(t, args...))
	require.Equal(t, []string{
		"cmdstat_tblock.tserror:calls=1,rejected_calls=0,failed_calls=1",
		"cmdstat_tblock.tsreply:calls=1,rejected_calls=0,failed_calls=0",
		"errorstat_NOPE:count=1",
		"total_error_replies:1",
	}, want)
	require.Equal(t, want, got)
}
