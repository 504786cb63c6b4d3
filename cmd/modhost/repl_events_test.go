package main

import (
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/modhost/modhost/internal/hosttest"
	"github.com/stretchr/testify/require"
)

// replicaEvents returns the ReplicaChange lines test_events recorded on
// c's server since the last call (the other events are dropped).
func replicaEvents(t *testing.T, c *hosttest.Conn) []string {
	t.Helper()
	f, err := c.Command("tevents.list")
	require.NoError(t, err)
	var out []string
	for _, e := range f.Elems {
		if s := string(e.Str); strings.HasPrefix(s, "replica:") {
			out = append(out, s)
		}
	}
	return out
}

// expectReplicaEvents waits until the ReplicaChange lines recorded on c's
// server are want (a master fires them as it notices the replica, which
// may be just after the replica reports its link up: Redis 7.0 puts a
// diskless replica online at its first ACK, 7.2 and modhost when the
// transfer ends).
func expectReplicaEvents(t *testing.T, c *hosttest.Conn, want ...string) {
	t.Helper()
	var got []string
	require.Eventually(t, func() bool {
		got = append(got, replicaEvents(t, c)...)
		return len(got) >= len(want)
	}, 20*time.Second, 20*time.Millisecond, "events so far: %v", got)
	time.Sleep(100 * time.Millisecond)
	got = append(got, replicaEvents(t, c)...)
	require.Equal(t, want, got)
}

// TestReplicaChangeEvent: a master fires ReplicaChange ONLINE when a
// replica's full sync completes and when a partial resync is accepted,
// and OFFLINE when an online replica's link ends (killed, or REPLICAOF NO
// ONE on the replica), with no data, on redis-server and modhost alike;
// IsSubEventSupported answers 1 for both subevents and 0 past them.
func TestReplicaChangeEvent(t *testing.T) {
	for _, kind := range []string{"redis", "modhost"} {
		t.Run(kind, func(t *testing.T) {
			args := replicaModuleArgs(t)
			var master *hosttest.Server
			if kind == "redis" {
				master = hosttest.StartRedis(t, append(args, "--repl-diskless-sync-delay", "0")...)
			} else {
				master = hosttest.StartModhost(t, args...)
			}
			mc := master.Conn(t)
			require.Equal(t, ":1\r\n", string(mc.Do("tevents.supported", "6", "0")))
			require.Equal(t, ":1\r\n", string(mc.Do("tevents.supported", "6", "1")))
			require.Equal(t, ":0\r\n", string(mc.Do("tevents.supported", "6", "2")))
			replicaEvents(t, mc)

			replica := hosttest.StartModhost(t, append(args, "--replicaof", "127.0.0.1", strconv.Itoa(master.Port))...)
			rc := replica.Conn(t)
			waitInSync(t, mc, rc)
			expectReplicaEvents(t, mc, "replica:0:data=0")

			// The link killed on the replica's side: offline, then online
			// again with the partial resync.
			require.Equal(t, ":1\r\n", string(rc.Do("CLIENT", "KILL", "TYPE", "master")))
			require.Eventually(t, func() bool { return replInfo(t, mc, "stats", "sync_partial_ok") == "1" }, 20*time.Second, 20*time.Millisecond)
			waitInSync(t, mc, rc)
			expectReplicaEvents(t, mc, "replica:1:data=0", "replica:0:data=0")

			require.Equal(t, "+OK\r\n", string(rc.Do("REPLICAOF", "NO", "ONE")))
			expectReplicaEvents(t, mc, "replica:1:data=0")
		})
	}
}
