package main

import (
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/modhost/modhost/internal/hosttest"
)

// TestShutdownWaitsForReplicas: a master whose replica has not
// acknowledged its last write waits before it exits: the SHUTDOWN client
// is blocked, INFO shows shutdown_in_milliseconds, SHUTDOWN ABORT ends the
// wait with an error for the blocked client; once the replica catches up a
// new SHUTDOWN exits with every replica in sync. The replies are compared
// with a redis-server 7.0.15 master in the same scenario.
func TestShutdownWaitsForReplicas(t *testing.T) {
	var replies [2][]string
	for i, start := range []func(*testing.T, ...string) *hosttest.Server{
		func(t *testing.T, a ...string) *hosttest.Server { return hosttest.StartRedis(t, a...) },
		func(t *testing.T, a ...string) *hosttest.Server { return hosttest.StartModhost(t, a...) },
	} {
		record := func(b []byte) { replies[i] = append(replies[i], string(b)) }
		master := start(t, append(append([]string(nil), hosttest.DiffArgs...), "--repl-diskless-sync-delay", "0")...)
		replica := hosttest.StartRedis(t, append(append([]string(nil), hosttest.DiffArgs...), "--replicaof", "127.0.0.1", strconv.Itoa(master.Port))...)
		mc, rc := master.Conn(t), replica.Conn(t)
		waitInSync(t, mc, rc)

		// A DENY BLOCKING client (MULTI) needs NOW.
		record(mc.Do("MULTI"))
		record(mc.Do("SHUTDOWN"))
		record(mc.Do("EXEC"))

		require.NoError(t, syscall.Kill(replica.PID(), syscall.SIGSTOP))
		record(mc.Do("SET", "k", "v"))
		waiter := master.Conn(t)
		require.NoError(t, waiter.Send(hosttest.AppendCommand(nil, "SHUTDOWN")))
		require.Eventually(t, func() bool {
			return strings.Contains(string(mc.Do("INFO", "server")), "shutdown_in_milliseconds:")
		}, 10*time.Second, 10*time.Millisecond)
		record(mc.Do("GET", "k")) // reads go on while writes wait
		record(mc.Do("SHUTDOWN", "ABORT"))
		f, err := waiter.ReadFrame()
		require.NoError(t, err)
		record(f.Raw)
		record(mc.Do("SHUTDOWN", "ABORT"))
		require.NotContains(t, string(mc.Do("INFO", "server")), "shutdown_in_milliseconds:")
		record(mc.Do("SET", "k2", "v2")) // writes resume

		require.NoError(t, syscall.Kill(replica.PID(), syscall.SIGCONT))
		// A fresh connection: redis-server 7.0.15 asserts when the client
		// whose SHUTDOWN was aborted sends another.
		require.NoError(t, master.Conn(t).Send(hosttest.AppendCommand(nil, "SHUTDOWN")))
		require.Eventually(t, master.Exited, 20*time.Second, 20*time.Millisecond)
		require.Contains(t, master.Logs(), "1 of 1 replicas are in sync when shutting down.")
		require.Equal(t, "$2\r\nv2\r\n", string(rc.Do("GET", "k2")))
	}
	require.Equal(t, replies[0], replies[1])
}

// TestShutdownTimeoutLaggingReplica: when the replica never catches up,
// the master exits after shutdown-timeout and logs the lagging replica.
func TestShutdownTimeoutLaggingReplica(t *testing.T) {
	master := hosttest.StartModhost(t, append(append([]string(nil), hosttest.DiffArgs...), "--shutdown-timeout", "1")...)
	replica := hosttest.StartRedis(t, append(append([]string(nil), hosttest.DiffArgs...), "--replicaof", "127.0.0.1", strconv.Itoa(master.Port))...)
	mc, rc := master.Conn(t), replica.Conn(t)
	waitInSync(t, mc, rc)
	require.NoError(t, syscall.Kill(replica.PID(), syscall.SIGSTOP))
	t.Cleanup(func() { _ = syscall.Kill(replica.PID(), syscall.SIGCONT) })
	require.Equal(t, "+OK\r\n", string(mc.Do("SET", "k", "v")))
	require.NoError(t, mc.Send(hosttest.AppendCommand(nil, "SHUTDOWN")))
	require.Eventually(t, master.Exited, 20*time.Second, 20*time.Millisecond)
	logs := master.Logs()
	require.Contains(t, logs, "Waiting for replicas before shutting down.")
	require.Regexp(t, `Lagging replica 127\.0\.0\.1:\d+ reported offset \d+ behind master, lag=\d+, state=online\.`, logs)
	require.Contains(t, logs, "0 of 1 replicas are in sync when shutting down.")
}

// TestShutdownOnSigterm: SIGTERM shuts down with shutdown-on-sigterm's
// flags: "save" writes the dataset even without save points.
func TestShutdownOnSigterm(t *testing.T) {
	srv := hosttest.StartModhost(t, append(append([]string(nil), hosttest.DiffArgs...), "--shutdown-on-sigterm", "save")...)
	c := srv.Conn(t)
	require.Equal(t, "+OK\r\n", string(c.Do("SET", "k", "v")))
	require.NoError(t, syscall.Kill(srv.PID(), syscall.SIGTERM))
	require.Eventually(t, srv.Exited, 20*time.Second, 20*time.Millisecond)
	logs := srv.Logs()
	require.Contains(t, logs, "Received SIGTERM scheduling shutdown...")
	require.Contains(t, logs, "Saving the final RDB snapshot before exiting.")
	require.Contains(t, logs, "is now ready to exit, bye bye...")
}
