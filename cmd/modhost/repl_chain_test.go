package main

import (
	"strconv"
	"testing"
	"time"

	"github.com/modhost/modhost/internal/hosttest"
	"github.com/stretchr/testify/require"
)

// startChainNode starts a node of a replication chain: redis-server or
// modhost with the replica test modules, following master when it is not
// nil.
func startChainNode(t *testing.T, kind string, master *hosttest.Server) *hosttest.Server {
	t.Helper()
	args := append(replicaModuleArgs(t), "--repl-diskless-sync-delay", "0")
	if master != nil {
		args = append(args, "--replicaof", "127.0.0.1", strconv.Itoa(master.Port))
	}
	if kind == "redis" {
		return hosttest.StartRedis(t, args...)
	}
	return hosttest.StartModhost(t, args...)
}

// requireChainEqual checks that every node of the chain has the head's
// replication id, offset and dataset.
func requireChainEqual(t *testing.T, conns ...*hosttest.Conn) {
	t.Helper()
	head := conns[0]
	for i := 1; i < len(conns); i++ {
		waitInSync(t, conns[i-1], conns[i])
	}
	for i, c := range conns[1:] {
		require.Equal(t, replInfo(t, head, "replication", "master_replid"), replInfo(t, c, "replication", "master_replid"), "node %d", i+1)
		require.Equal(t, replInfo(t, head, "replication", "master_repl_offset"), replInfo(t, c, "replication", "master_repl_offset"), "node %d", i+1)
		require.Equal(t, string(head.Do("DEBUG", "DIGEST")), string(c.Do("DEBUG", "DIGEST")), "node %d", i+1)
	}
}

// TestChainedReplication: a replica with replicas of its own forwards its
// master's stream to them, so every node of master -> replica ->
// sub-replica ends with the master's replication id, offset and dataset
// (DEBUG DIGEST), whichever of modhost and redis-server 7.0 sits where.
// The sub-replica's first sync is a full one from the middle node (whose
// RDB carries repl-stream-db, the database the forwarded stream has
// selected); the workload switches databases before it attaches.
func TestChainedReplication(t *testing.T) {
	for _, chain := range [][3]string{
		{"modhost", "modhost", "modhost"},
		{"redis", "modhost", "redis"},
		{"modhost", "modhost", "redis"},
		{"redis", "modhost", "modhost"},
		{"modhost", "redis", "modhost"},
	} {
		t.Run(chain[0]+"-"+chain[1]+"-"+chain[2], func(t *testing.T) {
			head := startChainNode(t, chain[0], nil)
			mid := startChainNode(t, chain[1], head)
			hc, mc := head.Conn(t), mid.Conn(t)
			runWorkload(t, hc, replicaWorkload[:20])
			// The stream's selected database is 3 when the sub-replica
			// syncs: its next commands must land there.
			runWorkload(t, hc, [][]string{{"SELECT", "3"}, {"SET", "in3", "a"}})
			requireChainEqual(t, hc, mc)
			tail := startChainNode(t, chain[2], mid)
			tc := tail.Conn(t)
			requireChainEqual(t, hc, mc, tc)
			runWorkload(t, hc, [][]string{{"SET", "in3", "b"}, {"INCR", "c3"}})
			runWorkload(t, hc, replicaWorkload[20:])
			requireChainEqual(t, hc, mc, tc)
			require.Equal(t, "+OK\r\n", string(tc.Do("SELECT", "3")))
			require.Equal(t, "$1\r\nb\r\n", string(tc.Do("GET", "in3")))
			require.Equal(t, ":1\r\n", string(tc.Do("EXISTS", "c3")))
			require.Equal(t, "1", replInfo(t, mc, "replication", "connected_slaves"))
			require.Equal(t, "1", replInfo(t, mc, "stats", "sync_full"))
		})
	}
}

// TestChainedReplicationResync: in modhost -> modhost -> modhost, the
// sub-replica's killed link resumes from the middle node's backlog (a
// partial resync there); the middle node's own link to the head resumes
// without touching the sub-replica; when the middle node is promoted with
// REPLICAOF NO ONE it drops its replica, which continues through the
// secondary id (partial again) and follows the new master's writes;
// a replica whose master link is down refuses SYNC with -NOMASTERLINK.
func TestChainedReplicationResync(t *testing.T) {
	head := startChainNode(t, "modhost", nil)
	mid := startChainNode(t, "modhost", head)
	tail := startChainNode(t, "modhost", mid)
	hc, mc, tc := head.Conn(t), mid.Conn(t), tail.Conn(t)
	runWorkload(t, hc, replicaWorkload)
	requireChainEqual(t, hc, mc, tc)

	require.Equal(t, ":1\r\n", string(tc.Do("CLIENT", "KILL", "TYPE", "master")))
	runWorkload(t, hc, [][]string{{"SET", "after-tail-kill", "1"}})
	require.Eventually(t, func() bool { return replInfo(t, mc, "stats", "sync_partial_ok") == "1" }, 20*time.Second, 20*time.Millisecond)
	requireChainEqual(t, hc, mc, tc)

	require.Equal(t, ":1\r\n", string(mc.Do("CLIENT", "KILL", "TYPE", "master")))
	runWorkload(t, hc, [][]string{{"SET", "after-mid-kill", "1"}})
	require.Eventually(t, func() bool { return replInfo(t, hc, "stats", "sync_partial_ok") == "1" }, 20*time.Second, 20*time.Millisecond)
	requireChainEqual(t, hc, mc, tc)
	require.Equal(t, "1", replInfo(t, mc, "stats", "sync_partial_ok"), "the sub-replica kept its link")
	require.Equal(t, "1", replInfo(t, mc, "stats", "sync_full"))

	oldID := replInfo(t, hc, "replication", "master_replid")
	require.Equal(t, "+OK\r\n", string(mc.Do("REPLICAOF", "NO", "ONE")))
	require.Eventually(t, func() bool { return replInfo(t, mc, "stats", "sync_partial_ok") == "2" }, 20*time.Second, 20*time.Millisecond)
	require.Equal(t, "1", replInfo(t, mc, "stats", "sync_full"))
	require.Equal(t, "+OK\r\n", string(mc.Do("SET", "promoted", "1")))
	requireChainEqual(t, mc, tc)
	require.Equal(t, oldID, replInfo(t, tc, "replication", "master_replid2"))
	require.Equal(t, "$1\r\n1\r\n", string(tc.Do("GET", "promoted")))

	// A replica whose master is gone refuses to serve a sync.
	head.Kill()
	require.Equal(t, "+OK\r\n", string(mc.Do("REPLICAOF", "127.0.0.1", strconv.Itoa(head.Port))))
	require.Equal(t, "-NOMASTERLINK Can't SYNC while not connected with my master\r\n", string(mc.Do("PSYNC", "?", "-1")))
}
