package main

import (
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/modhost/modhost/internal/hosttest"
	"github.com/stretchr/testify/require"
)

// startFailoverPair starts a master of kind mkind with one replica of
// kind rkind and waits until they are in sync.
func startFailoverPair(t *testing.T, mkind, rkind string) (master, replica *hosttest.Server, mc, rc *hosttest.Conn) {
	t.Helper()
	master = startChainNode(t, mkind, nil)
	replica = startChainNode(t, rkind, master)
	mc, rc = master.Conn(t), replica.Conn(t)
	runWorkload(t, mc, replicaWorkload)
	waitInSync(t, mc, rc)
	return master, replica, mc, rc
}

// roleOf is the first element of ROLE.
func roleOf(t *testing.T, c *hosttest.Conn) string {
	t.Helper()
	f, err := c.Command("ROLE")
	require.NoError(t, err)
	return string(f.Elems[0].Str)
}

// TestFailoverErrors: FAILOVER's argument and state errors are Redis
// 7.2's (7.0.15 has the same texts), byte for byte against redis-server.
func TestFailoverErrors(t *testing.T) {
	var replies [2][]string
	for i, kind := range []string{"redis", "modhost"} {
		_, replica, mc, rc := startFailoverPair(t, kind, kind)
		port := strconv.Itoa(replica.Port)
		lone := startChainNode(t, kind, nil).Conn(t)
		for _, run := range []struct {
			c   *hosttest.Conn
			cmd []string
		}{
			{lone, []string{"FAILOVER"}},
			{lone, []string{"FAILOVER", "ABORT"}},
			{rc, []string{"FAILOVER"}},
			{mc, []string{"FAILOVER", "TIMEOUT", "0"}},
			{mc, []string{"FAILOVER", "TIMEOUT", "-5"}},
			{mc, []string{"FAILOVER", "TIMEOUT", "x"}},
			{mc, []string{"FAILOVER", "TIMEOUT", "10", "TIMEOUT", "10"}},
			{mc, []string{"FAILOVER", "TO", "127.0.0.1"}},
			{mc, []string{"FAILOVER", "TO", "127.0.0.1", "notaport"}},
			{mc, []string{"FAILOVER", "FORCE"}},
			{mc, []string{"FAILOVER", "TO", "127.0.0.1", port, "FORCE"}},
			{mc, []string{"FAILOVER", "FORCE", "TIMEOUT", "100"}},
			{mc, []string{"FAILOVER", "TO", "127.0.0.1", "1"}},
			{mc, []string{"FAILOVER", "BOGUS"}},
			{mc, []string{"FAILOVER", "ABORT", "TIMEOUT", "10"}},
			{mc, []string{"FAILOVER", "ABORT"}},
			{rc, []string{"PSYNC", "0000000000000000000000000000000000000000", "1", "FAILOVER"}},
			{lone, []string{"PSYNC", "?", "-1", "FAILOVER"}},
		} {
			label := strings.ReplaceAll(strings.Join(run.cmd, " "), port, "PORT")
			replies[i] = append(replies[i], label+" -> "+string(run.c.Do(run.cmd...)))
		}
		require.Equal(t, "master", roleOf(t, mc), kind)
		require.Equal(t, "slave", roleOf(t, rc), kind)
	}
	require.Equal(t, replies[0], replies[1])
}

// TestFailoverToReplica: FAILOVER on a modhost master hands the master
// role to its replica (redis-server 7.0, or modhost): writes are paused
// while it waits for the replica's ACK, then it becomes the replica's
// replica through PSYNC ... FAILOVER, which the replica accepts as a
// partial resync; a write then gets -READONLY and the new master's
// writes reach the old one. FAILOVER TO names the target.
func TestFailoverToReplica(t *testing.T) {
	for _, tc := range []struct {
		kind string
		to   bool
	}{{"redis", false}, {"redis", true}, {"modhost", false}, {"modhost", true}} {
		t.Run(tc.kind+"/to="+strconv.FormatBool(tc.to), func(t *testing.T) {
			to := tc.to
			_, replica, mc, rc := startFailoverPair(t, "modhost", tc.kind)
			cmd := []string{"FAILOVER"}
			if to {
				cmd = append(cmd, "TO", "127.0.0.1", strconv.Itoa(replica.Port))
			}
			require.Equal(t, "+OK\r\n", string(mc.Do(cmd...)))
			require.Eventually(t, func() bool { return roleOf(t, mc) == "slave" && roleOf(t, rc) == "master" }, 20*time.Second, 20*time.Millisecond)
			require.Eventually(t, func() bool {
				return replInfo(t, mc, "replication", "master_failover_state") == "no-failover"
			}, 20*time.Second, 20*time.Millisecond)
			require.Equal(t, "1", replInfo(t, rc, "stats", "sync_partial_ok"))
			require.Equal(t, "0", replInfo(t, rc, "stats", "sync_full"))
			require.Equal(t, "-READONLY You can't write against a read only replica.\r\n", string(mc.Do("SET", "k", "v")))
			require.Equal(t, "+OK\r\n", string(rc.Do("SET", "after-failover", "1")))
			waitInSync(t, rc, mc)
			require.Equal(t, "$1\r\n1\r\n", string(mc.Do("GET", "after-failover")))
		})
	}
}

// TestFailoverFromRedisMaster: a redis-server 7.0 master's FAILOVER TO a
// modhost replica: modhost takes PSYNC <its replid> <offset> FAILOVER,
// becomes a master (the old history as replid2) and accepts the old
// master with a partial resync; then it serves writes that reach it.
func TestFailoverFromRedisMaster(t *testing.T) {
	_, replica, mc, rc := startFailoverPair(t, "redis", "modhost")
	oldID := replInfo(t, mc, "replication", "master_replid")
	require.Equal(t, "+OK\r\n", string(mc.Do("FAILOVER", "TO", "127.0.0.1", strconv.Itoa(replica.Port))))
	require.Eventually(t, func() bool { return roleOf(t, mc) == "slave" && roleOf(t, rc) == "master" }, 20*time.Second, 20*time.Millisecond)
	require.Eventually(t, func() bool {
		return replInfo(t, rc, "replication", "connected_slaves") == "1" &&
			replInfo(t, mc, "replication", "master_failover_state") == "no-failover"
	}, 20*time.Second, 20*time.Millisecond)
	require.Equal(t, oldID, replInfo(t, rc, "replication", "master_replid2"))
	require.Equal(t, "1", replInfo(t, rc, "stats", "sync_partial_ok"))
	require.Equal(t, "0", replInfo(t, rc, "stats", "sync_full"))
	require.Contains(t, replica.Logs(), "MASTER MODE enabled (failover request from")
	require.Equal(t, "+OK\r\n", string(rc.Do("SET", "after-failover", "1")))
	waitInSync(t, rc, mc)
	require.Equal(t, "$1\r\n1\r\n", string(mc.Do("GET", "after-failover")))
}

// TestFailoverTimeoutAbortForce: with the replica unable to ACK (asleep
// in DEBUG SLEEP) a FAILOVER waits in waiting-for-sync with writes
// paused; FAILOVER ABORT ends it and the paused write runs; TIMEOUT ends
// it by itself; FORCE fails over to the named replica once the timeout
// passes, caught up or not.
func TestFailoverTimeoutAbortForce(t *testing.T) {
	master, replica, mc, rc := startFailoverPair(t, "modhost", "redis")
	port := strconv.Itoa(replica.Port)
	sleepReplica := func() {
		sc := replica.Conn(t)
		require.NoError(t, sc.Send(hosttest.AppendCommand(nil, "DEBUG", "SLEEP", "3")))
		time.Sleep(100 * time.Millisecond)
		require.Equal(t, "+OK\r\n", string(mc.Do("SET", "unacked", "1")))
	}

	sleepReplica()
	require.Equal(t, "+OK\r\n", string(mc.Do("FAILOVER", "TO", "127.0.0.1", port)))
	require.Equal(t, "waiting-for-sync", replInfo(t, mc, "replication", "master_failover_state"))
	require.Equal(t, "-ERR FAILOVER already in progress.\r\n", string(mc.Do("FAILOVER")))
	require.Equal(t, "-ERR REPLICAOF not allowed while failing over.\r\n", string(mc.Do("REPLICAOF", "NO", "ONE")))
	w := master.Conn(t)
	done := sendAsync(t, w, "SET", "paused-write", "1")
	require.Eventually(t, func() bool { return replInfo(t, mc, "clients", "blocked_clients") == "1" }, 10*time.Second, 10*time.Millisecond)
	require.Equal(t, "+OK\r\n", string(mc.Do("FAILOVER", "ABORT")))
	require.Equal(t, "+OK\r\n", <-done)
	require.Equal(t, "no-failover", replInfo(t, mc, "replication", "master_failover_state"))
	require.Contains(t, master.Logs(), "FAILOVER to 127.0.0.1:"+port+" aborted: Failover manually aborted")
	waitInSync(t, mc, rc)

	sleepReplica()
	require.Equal(t, "+OK\r\n", string(mc.Do("FAILOVER", "TIMEOUT", "200")))
	require.Eventually(t, func() bool {
		return replInfo(t, mc, "replication", "master_failover_state") == "no-failover"
	}, 10*time.Second, 10*time.Millisecond)
	require.Contains(t, master.Logs(), "FAILOVER to any replica aborted: Replica never caught up before timeout")
	require.Equal(t, "master", roleOf(t, mc))
	waitInSync(t, mc, rc)

	sleepReplica()
	require.Equal(t, "+OK\r\n", string(mc.Do("FAILOVER", "TO", "127.0.0.1", port, "FORCE", "TIMEOUT", "200")))
	require.Eventually(t, func() bool { return roleOf(t, mc) == "slave" && roleOf(t, rc) == "master" }, 20*time.Second, 20*time.Millisecond)
	require.Contains(t, master.Logs(), "time out exceeded, failing over.")
	require.Eventually(t, func() bool {
		return replInfo(t, mc, "replication", "master_failover_state") == "no-failover"
	}, 20*time.Second, 20*time.Millisecond)
	require.Equal(t, "+OK\r\n", string(rc.Do("SET", "after-force", "1")))
	waitInSync(t, rc, mc)
}
