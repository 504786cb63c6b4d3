package main

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/modhost/modhost/internal/hosttest"
)

// stalledReplica connects a raw replica that sends PSYNC and never reads
// (its receive buffer is small), and waits until the master lists it.
func stalledReplica(t *testing.T, srv *hosttest.Server, admin *hosttest.Conn) {
	c := dialSmall(t, srv.Addr)
	_, err := c.Write(hosttest.AppendCommand(nil, "PSYNC", "?", "-1"))
	require.NoError(t, err)
	waitFor(t, "the replica to attach", func() bool {
		return strings.Contains(string(admin.Do("INFO", "replication")), "connected_slaves:1\r\n")
	})
}

// writeUntilReplicaGone writes 1 MB values until the master has no
// replica left or total bytes were written; it reports whether the
// replica went away.
func writeUntilReplicaGone(t *testing.T, admin *hosttest.Conn, total int) bool {
	val := strings.Repeat("r", 1<<20)
	for sent := 0; sent < total; sent += len(val) {
		require.Equal(t, "+OK\r\n", string(admin.Do("SET", "k", val)))
		if strings.Contains(string(admin.Do("INFO", "replication")), "connected_slaves:0\r\n") {
			return true
		}
	}
	return false
}

// TestReplicaOutputHardLimit: with client-output-buffer-limit replica
// 4mb, a replica that stops reading is dropped once the stream it has not
// taken passes the hard limit, with Redis's log line (the replica flag S
// in the client's line), and counted.
func TestReplicaOutputHardLimit(t *testing.T) {
	onBoth(t, func(t *testing.T, srv *hosttest.Server, isRedis bool) {
		admin := srv.Conn(t)
		stalledReplica(t, srv, admin)
		require.True(t, writeUntilReplicaGone(t, admin, 4<<20+2*socketSlack+(8<<20)), "replica still attached")
		waitLogAll(t, srv, "scheduled to be closed ASAP "+closeLogLine, " flags=S ")
		if !isRedis {
			// Redis 7.4's INFO stats field (7.0 has none).
			require.Contains(t, string(admin.Do("INFO", "stats")), "client_output_buffer_limit_disconnections:1\r\n")
		}
	}, "--repl-diskless-sync", "no", "--repl-diskless-sync-delay", "0",
		"--client-output-buffer-limit", "replica 4mb 0 0")
}

// TestReplicaOutputSoftLimit: with only a soft limit (2 MB for 1 s), a
// replica that stays over it is dropped (by a later write or the cron).
func TestReplicaOutputSoftLimit(t *testing.T) {
	onBoth(t, func(t *testing.T, srv *hosttest.Server, _ bool) {
		admin := srv.Conn(t)
		stalledReplica(t, srv, admin)
		// Enough to stay over the soft limit, whatever the kernel buffers.
		for i := 0; i < (2<<20+2*socketSlack)>>20; i++ {
			require.Equal(t, "+OK\r\n", string(admin.Do("SET", "k", strings.Repeat("s", 1<<20))))
		}
		waitFor(t, "the replica to be dropped", func() bool {
			return strings.Contains(string(admin.Do("INFO", "replication")), "connected_slaves:0\r\n")
		})
		waitLogAll(t, srv, closeLogLine, " flags=S ")
	}, "--repl-diskless-sync", "no", "--repl-diskless-sync-delay", "0",
		"--client-output-buffer-limit", "replica 0 2mb 1")
}

// TestReplicaUnlimitedStays: with no replica limit the same stalled
// replica stays attached while as much is written (modhost).
func TestReplicaUnlimitedStays(t *testing.T) {
	srv := hosttest.StartModhost(t, "--client-output-buffer-limit", "replica 0 0 0")
	admin := srv.Conn(t)
	stalledReplica(t, srv, admin)
	require.False(t, writeUntilReplicaGone(t, admin, 4<<20+2*socketSlack+(8<<20)), "replica dropped")
	require.NotContains(t, srv.Logs(), closeLogLine)
}
