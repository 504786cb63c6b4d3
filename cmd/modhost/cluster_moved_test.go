package main

import (
	"fmt"
	"strconv"
	"testing"
	"time"

	"github.com/modhost/modhost/internal/hosttest"
	"github.com/stretchr/testify/require"
)

// TestClusterSlotMovedUnderBlockedClient: in a cluster of a modhost and
// two redis-server 7.0 masters, a client blocked (BLPOP) on a key of a
// slot that then moves to another node is unblocked with MOVED, on the
// modhost node as on a redis-server node; and RedisModule_Call refuses a
// key another node serves, and any command while the cluster is down,
// with Redis's words and errno (EPERM, ENETDOWN).
func TestClusterSlotMovedUnderBlockedClient(t *testing.T) {
	start := func(modhost bool) *clusterNode {
		cport, err := hosttest.FreePort()
		require.NoError(t, err)
		dir := t.TempDir()
		args := append(clusterArgs(t, dir, cport), "--loadmodule", moduleSO(t, "test_call"))
		var s *hosttest.Server
		if modhost {
			s = hosttest.StartModhost(t, append(args, "--rdb-version", "10")...)
		} else {
			s = hosttest.StartRedis(t, args...)
		}
		return &clusterNode{srv: s, dir: dir, cport: cport, conn: s.Conn(t)}
	}
	m, r1, r2 := start(true), start(false), start(false)
	nodes := []*clusterNode{m, r1, r2}
	out := clusterCLI(t, "--cluster", "create", m.srv.Addr, r1.srv.Addr, r2.srv.Addr, "--cluster-yes")
	require.Contains(t, out, "[OK] All 16384 slots covered.", out)
	require.Eventually(t, allClusterOK(nodes), 30*time.Second, 50*time.Millisecond)
	owners := slotOwners(t, m.conn)
	mID, r1ID, r2ID := myID(m.conn), myID(r1.conn), myID(r2.conn)

	// RM_Call: a local key runs, a key of another node is refused.
	local, _ := keyOwnedBy(owners, mID, "l")
	remote, _ := keyOwnedBy(owners, r1ID, "r")
	rLocal, _ := keyOwnedBy(owners, r1ID, "rl")
	for _, tc := range []struct {
		n          *clusterNode
		local, far string
	}{{m, local, remote}, {r1, rLocal, local}} {
		require.Equal(t, "+OK\r\n", string(tc.n.conn.Do("tcall.call", "Ess", "SET", tc.local, "v")))
		require.Equal(t, "-ERR Attempted to access a non local key in a cluster node\r\n",
			string(tc.n.conn.Do("tcall.call", "Ess", "SET", tc.far, "v")))
		require.Equal(t, "-ERR errno EPERM\r\n", string(tc.n.conn.Do("tcall.call", "ss", "SET", tc.far, "v")))
	}

	// A client blocked on a key of a slot that moves gets MOVED, on
	// either kind of node.
	for _, tc := range []struct {
		from, to     *clusterNode
		fromID, toID string
	}{{m, r2, mID, r2ID}, {r1, m, r1ID, mID}} {
		key, slot := keyOwnedBy(slotOwners(t, tc.from.conn), tc.fromID, fmt.Sprintf("b%d-", tc.from.srv.Port))
		bc := tc.from.srv.Conn(t)
		require.NoError(t, bc.Send([]byte(fmt.Sprintf("*3\r\n$5\r\nBLPOP\r\n$%d\r\n%s\r\n$1\r\n0\r\n", len(key), key))))
		require.Eventually(t, func() bool {
			return clusterField(tc.from.conn, "cluster_state") == "ok" &&
				infoField(t, tc.from.conn, "clients", "blocked_clients") == "1"
		}, 10*time.Second, 20*time.Millisecond)
		// Hand the (empty) slot to the other node: the new owner first,
		// then the old one, as redis-cli --cluster reshard does.
		require.Equal(t, "+OK\r\n", string(tc.to.conn.Do("CLUSTER", "SETSLOT", strconv.Itoa(slot), "NODE", tc.toID)))
		require.Equal(t, "+OK\r\n", string(tc.from.conn.Do("CLUSTER", "SETSLOT", strconv.Itoa(slot), "NODE", tc.toID)))
		f, err := bc.ReadFrame()
		require.NoError(t, err)
		require.Equal(t, fmt.Sprintf("-MOVED %d %s\r\n", slot, tc.to.srv.Addr), string(f.Raw))
		require.Equal(t, "0", infoField(t, tc.from.conn, "clients", "blocked_clients"))
	}

	// With the cluster down (a node's slots unassigned), RM_Call refuses
	// every keyed command.
	require.Equal(t, "+OK\r\n", string(m.conn.Do("CONFIG", "SET", "cluster-require-full-coverage", "yes")))
	_, rslot := keyOwnedBy(slotOwners(t, m.conn), r2ID, "d")
	require.Equal(t, "+OK\r\n", string(m.conn.Do("CLUSTER", "DELSLOTS", strconv.Itoa(rslot))))
	require.Eventually(t, func() bool { return clusterField(m.conn, "cluster_state") == "fail" }, 10*time.Second, 20*time.Millisecond)
	require.Equal(t, "-ERR Can not execute a command 'set' while the cluster is down\r\n",
		string(m.conn.Do("tcall.call", "Ess", "SET", local, "v")))
	require.Equal(t, "-ERR errno ENETDOWN\r\n", string(m.conn.Do("tcall.call", "ss", "SET", local, "v")))
}
