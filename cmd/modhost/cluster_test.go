package main

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/stretchr/testify/require"

	"github.com/modhost/modhost/internal/hosttest"
	"github.com/modhost/modhost/keyspace"
)

// A mixed cluster: one modhost master and two Debian redis-server 7.0
// masters, formed by redis-cli --cluster create, checked by redis-cli
// --cluster check, written through go-redis's ClusterClient, with
// redirection replies compared against a redis-server node of the same
// cluster, failure marking and nodes.conf across a restart.

// clusterNode is one node of a test cluster.
type clusterNode struct {
	srv   *hosttest.Server
	dir   string
	cport int
	conn  *hosttest.Conn
}

// clusterArgs are the arguments every test cluster node gets.
// Each node loads test_cluster.so (module cluster messages).
func clusterArgs(t *testing.T, dir string, cport int) []string {
	return []string{"--cluster-enabled", "yes", "--cluster-port", strconv.Itoa(cport),
		"--cluster-node-timeout", "2000", "--dir", dir, "--save", "", "--appendonly", "no",
		"--loadmodule", moduleSO(t, "test_cluster")}
}

func startClusterNode(t *testing.T, modhost bool, dir string, cport int) *clusterNode {
	t.Helper()
	var s *hosttest.Server
	if modhost {
		// DUMP payloads in RDB 10, which redis-server 7.0 restores (MIGRATE).
		s = hosttest.StartModhost(t, append(clusterArgs(t, dir, cport), "--rdb-version", "10")...)
	} else {
		s = hosttest.StartRedis(t, clusterArgs(t, dir, cport)...)
	}
	return &clusterNode{srv: s, dir: dir, cport: cport, conn: s.Conn(t)}
}

func newClusterNode(t *testing.T, modhost bool) *clusterNode {
	t.Helper()
	cport, err := hosttest.FreePort()
	require.NoError(t, err)
	return startClusterNode(t, modhost, t.TempDir(), cport)
}

// clusterCLI runs redis-cli with args and returns its combined output.
func clusterCLI(t *testing.T, args ...string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	out, err := exec.CommandContext(ctx, "redis-cli", args...).CombinedOutput()
	require.NoError(t, err, "redis-cli %v:\n%s", args, out)
	return string(out)
}

// clusterField reads one CLUSTER INFO field of a node.
func clusterField(c *hosttest.Conn, field string) string {
	for _, line := range strings.Split(string(c.Do("CLUSTER", "INFO")), "\r\n") {
		if v, ok := strings.CutPrefix(line, field+":"); ok {
			return v
		}
	}
	return ""
}

func allClusterOK(nodes []*clusterNode) func() bool {
	return func() bool {
		for _, n := range nodes {
			if clusterField(n.conn, "cluster_state") != "ok" || clusterField(n.conn, "cluster_known_nodes") != strconv.Itoa(len(nodes)) {
				return false
			}
		}
		return true
	}
}

// checkCluster runs redis-cli --cluster check against addr and requires a
// clean report.
func checkCluster(t *testing.T, addr string) {
	t.Helper()
	out := clusterCLI(t, "--cluster", "check", addr)
	require.Contains(t, out, "[OK] All nodes agree about slots configuration.", out)
	require.Contains(t, out, "[OK] All 16384 slots covered.", out)
	require.NotContains(t, out, "[ERR]", out)
	require.NotContains(t, out, "[WARNING]", out)
}

// slotOwners maps each slot to its owner's id, as CLUSTER NODES of c says.
func slotOwners(t *testing.T, c *hosttest.Conn) map[int]string {
	t.Helper()
	owners := map[int]string{}
	nodes := string(c.Do("CLUSTER", "NODES"))
	for _, line := range strings.Split(nodes, "\n") {
		f := strings.Fields(line)
		if len(f) < 9 {
			continue
		}
		for _, r := range f[8:] {
			if strings.HasPrefix(r, "[") {
				continue
			}
			lo, hi, isRange := strings.Cut(r, "-")
			a, _ := strconv.Atoi(lo)
			b := a
			if isRange {
				b, _ = strconv.Atoi(hi)
			}
			for s := a; s <= b; s++ {
				owners[s] = f[0]
			}
		}
	}
	return owners
}

// keyOwnedBy returns a key (with prefix) whose slot belongs to id.
func keyOwnedBy(owners map[int]string, id, prefix string) (string, int) {
	for i := 0; ; i++ {
		k := fmt.Sprintf("%s%d", prefix, i)
		s := keyspace.KeySlot([]byte(k))
		if owners[s] == id {
			return k, s
		}
	}
}

func myID(c *hosttest.Conn) string {
	f, _ := c.Command("CLUSTER", "MYID")
	return string(f.Str)
}

func TestClusterMixed(t *testing.T) {
	m := newClusterNode(t, true)
	r1 := newClusterNode(t, false)
	r2 := newClusterNode(t, false)
	nodes := []*clusterNode{m, r1, r2}

	out := clusterCLI(t, "--cluster", "create", m.srv.Addr, r1.srv.Addr, r2.srv.Addr, "--cluster-yes")
	require.Contains(t, out, "[OK] All 16384 slots covered.", out)
	require.Eventually(t, allClusterOK(nodes), 30*time.Second, 50*time.Millisecond)
	for _, n := range nodes {
		checkCluster(t, n.srv.Addr)
	}

	// Keys written through a cluster-aware client land on their slot's owner.
	ctx := context.Background()
	cc := redis.NewClusterClient(&redis.ClusterOptions{Addrs: []string{m.srv.Addr}, Protocol: 2})
	defer cc.Close()
	const numKeys = 300
	for i := 0; i < numKeys; i++ {
		require.NoError(t, cc.Set(ctx, fmt.Sprintf("key:%d", i), i, 0).Err())
	}
	owners := slotOwners(t, m.conn)
	ids := map[string]*clusterNode{}
	total := 0
	for _, n := range nodes {
		ids[myID(n.conn)] = n
		size, err := strconv.Atoi(strings.TrimSpace(strings.TrimPrefix(string(n.conn.Do("DBSIZE")), ":")))
		require.NoError(t, err)
		total += size
	}
	require.Equal(t, numKeys, total)
	mID := myID(m.conn)
	onM := 0
	for i := 0; i < numKeys; i++ {
		k := fmt.Sprintf("key:%d", i)
		slot := keyspace.KeySlot([]byte(k))
		owner := ids[owners[slot]]
		require.NotNil(t, owner, "slot %d", slot)
		require.Equal(t, fmt.Sprintf("$%d\r\n%d\r\n", len(strconv.Itoa(i)), i), string(owner.conn.Do("GET", k)), k)
		v, err := cc.Get(ctx, k).Result()
		require.NoError(t, err)
		require.Equal(t, strconv.Itoa(i), v)
		if owner == m {
			onM++
			n, err := strconv.Atoi(strings.TrimSpace(strings.TrimPrefix(string(m.conn.Do("CLUSTER", "COUNTKEYSINSLOT", strconv.Itoa(slot))), ":")))
			require.NoError(t, err)
			require.Positive(t, n, k)
			keys := string(m.conn.Do("CLUSTER", "GETKEYSINSLOT", strconv.Itoa(slot), "10"))
			require.Contains(t, keys, k)
		}
	}
	require.Positive(t, onM)

	// The module Cluster API on the real bus: MODULE messages between the
	// module loaded in modhost and the same module loaded in redis-server.
	r1ID := myID(r1.conn)
	require.Equal(t, fmt.Sprintf("$40\r\n%s\r\n", mID), string(m.conn.Do("TCLUSTER.MYID")))
	require.Equal(t, ":3\r\n", string(m.conn.Do("TCLUSTER.SIZE")))
	require.Equal(t, ":3\r\n", string(m.conn.Do("TCLUSTER.NODES")))
	require.Equal(t, ":1\r\n", string(m.conn.Do("TCLUSTER.CLUSTERFLAG")))
	require.Equal(t, "+OK\r\n", string(m.conn.Do("TCLUSTER.NODEINFO", r1ID)))
	require.Equal(t, "-ERR no such node\r\n", string(m.conn.Do("TCLUSTER.NODEINFO", strings.Repeat("0", 40))))
	require.Equal(t, "+OK\r\n", string(m.conn.Do("TCLUSTER.SENDMSG", r1ID, "to-redis")))
	want := fmt.Sprintf("%s 2 to-redis", mID)
	require.Eventually(t, func() bool {
		return string(r1.conn.Do("TCLUSTER.LAST")) == fmt.Sprintf("$%d\r\n%s\r\n", len(want), want)
	}, 10*time.Second, 20*time.Millisecond)
	require.Equal(t, "+OK\r\n", string(r1.conn.Do("TCLUSTER.SENDMSG", mID, "to-modhost")))
	want = fmt.Sprintf("%s 2 to-modhost", r1ID)
	require.Eventually(t, func() bool {
		return string(m.conn.Do("TCLUSTER.LAST")) == fmt.Sprintf("$%d\r\n%s\r\n", len(want), want)
	}, 10*time.Second, 20*time.Millisecond)
	require.Equal(t, "+OK\r\n", string(m.conn.Do("TCLUSTER.SENDMSG", "*", "to-all")))
	want = fmt.Sprintf("%s 2 to-all", mID)
	for _, n := range []*clusterNode{r1, r2} {
		require.Eventually(t, func() bool {
			return string(n.conn.Do("TCLUSTER.LAST")) == fmt.Sprintf("$%d\r\n%s\r\n", len(want), want)
		}, 10*time.Second, 20*time.Millisecond)
	}
	require.Equal(t, "-ERR send failed\r\n", string(m.conn.Do("TCLUSTER.SENDMSG", strings.Repeat("0", 40), "x")))

	// PUBLISH reaches subscribers on every node, both ways.
	for _, pair := range [][2]*clusterNode{{m, r1}, {r2, m}} {
		pub, sub := pair[0], pair[1].srv.Conn(t)
		require.Equal(t, "*3\r\n$9\r\nsubscribe\r\n$4\r\nnews\r\n:1\r\n", string(sub.Do("SUBSCRIBE", "news")))
		require.Equal(t, ":0\r\n", string(pub.conn.Do("PUBLISH", "news", "hello")))
		f, err := sub.ReadFrame()
		require.NoError(t, err)
		require.Equal(t, "*3\r\n$7\r\nmessage\r\n$4\r\nnews\r\n$5\r\nhello\r\n", string(f.Raw))
		sub.Close()
	}

	// Redirections and cluster errors: modhost answers what the redis-server
	// node of the same cluster answers, byte for byte.
	r2ID := myID(r2.conn)
	foreign, _ := keyOwnedBy(owners, r2ID, "far")
	same := [][]string{
		{"GET", foreign},
		{"SET", foreign, "v"},
		{"MSET", "a", "1", "b", "2"},
		{"MGET", "{t}a", "{t}b", "c"},
		{"SELECT", "1"},
		{"SELECT", "0"},
		{"SWAPDB", "0", "1"},
		{"CLUSTER", "KEYSLOT", "{user1000}.following"},
		{"CLUSTER", "COUNTKEYSINSLOT", "16384"},
		{"CLUSTER", "COUNTKEYSINSLOT", "x"},
		{"CLUSTER", "GETKEYSINSLOT", "1", "-1"},
		{"CLUSTER", "ADDSLOTS", "0"},
		{"CLUSTER", "ADDSLOTS", "99999"},
		{"CLUSTER", "ADDSLOTSRANGE", "5", "1"},
		{"CLUSTER", "DELSLOTSRANGE", "1"},
		{"CLUSTER", "SETSLOT", "1", "BOGUS"},
		{"CLUSTER", "SETSLOT", "1", "NODE", "nosuchnode"},
		{"CLUSTER", "SET-CONFIG-EPOCH", "5"},
		{"CLUSTER", "FORGET", "nosuchnode"},
		{"CLUSTER", "COUNT-FAILURE-REPORTS", "nosuchnode"},
		{"CLUSTER", "RESET", "HARD"},
		{"CLUSTER", "MYID", "extra"},
		{"ASKING"}, {"READONLY"}, {"READWRITE"},
	}
	for _, cmd := range same {
		require.Equal(t, string(r1.conn.Do(cmd...)), string(m.conn.Do(cmd...)), "%v", cmd)
	}

	// Redis 7.0 says "Invalid TCP base port specified"; 7.2's text is this.
	require.Equal(t, "-ERR Invalid base port specified: notaport\r\n", string(m.conn.Do("CLUSTER", "MEET", "127.0.0.1", "notaport")))

	// ASK while a slot migrates, and ASKING on the importing side.
	mKey, mSlot := keyOwnedBy(owners, mID, "mig")
	r1Key, r1Slot := keyOwnedBy(owners, r1ID, "mig")
	askTo := fmt.Sprintf("127.0.0.1:%d", r2.srv.Port)
	for _, side := range []struct {
		n    *clusterNode
		key  string
		slot int
	}{{r1, r1Key, r1Slot}, {m, mKey, mSlot}} {
		c, slot := side.n.conn, strconv.Itoa(side.slot)
		missing := "{" + side.key + "}missing"
		require.Equal(t, "+OK\r\n", string(c.Do("SET", side.key, "here")))
		require.Equal(t, "+OK\r\n", string(c.Do("CLUSTER", "SETSLOT", slot, "MIGRATING", r2ID)))
		require.Equal(t, fmt.Sprintf("-ASK %s %s\r\n", slot, askTo), string(c.Do("GET", missing)))
		require.Equal(t, fmt.Sprintf("-ASK %s %s\r\n", slot, askTo), string(c.Do("SET", missing, "v")))
		require.Equal(t, "$4\r\nhere\r\n", string(c.Do("GET", side.key)))
		require.Equal(t, "-TRYAGAIN Multiple keys request during rehashing of slot\r\n", string(c.Do("MGET", side.key, missing)))
		require.Equal(t, fmt.Sprintf("-ERR Can't assign hashslot %s to a different node while I still hold keys for this hash slot.\r\n", slot),
			string(c.Do("CLUSTER", "SETSLOT", slot, "NODE", r2ID)))
		require.Equal(t, ":1\r\n", string(c.Do("DEL", side.key)))
	}
	for _, n := range []*clusterNode{m, r1} {
		require.Equal(t, "+OK\r\n", string(n.conn.Do("CLUSTER", "SETSLOT", strconv.Itoa(mSlot), "STABLE")))
		require.Equal(t, "+OK\r\n", string(n.conn.Do("CLUSTER", "SETSLOT", strconv.Itoa(r1Slot), "STABLE")))
	}
	fKey, fSlot := keyOwnedBy(owners, r2ID, "imp")
	fSlotS := strconv.Itoa(fSlot)
	for _, n := range []*clusterNode{m, r1} {
		require.Equal(t, "+OK\r\n", string(n.conn.Do("CLUSTER", "SETSLOT", fSlotS, "IMPORTING", r2ID)))
	}
	for _, cmd := range [][]string{{"GET", fKey}, {"ASKING"}, {"GET", fKey}, {"GET", fKey}, {"ASKING"}, {"MGET", fKey, fKey}} {
		require.Equal(t, string(r1.conn.Do(cmd...)), string(m.conn.Do(cmd...)), "%v", cmd)
	}
	for _, n := range []*clusterNode{m, r1} {
		require.Equal(t, "+OK\r\n", string(n.conn.Do("CLUSTER", "SETSLOT", fSlotS, "STABLE")))
	}

	// A redis-server node that stops is marked PFAIL then FAIL by modhost,
	// and the cluster goes down (full coverage is required).
	r2.srv.Kill()
	require.Eventually(t, func() bool {
		return strings.Contains(string(m.conn.Do("CLUSTER", "NODES")), "master,fail ")
	}, 30*time.Second, 50*time.Millisecond)
	require.Eventually(t, func() bool { return clusterField(m.conn, "cluster_state") == "fail" }, 30*time.Second, 50*time.Millisecond)
	require.Equal(t, "-CLUSTERDOWN The cluster is down\r\n", string(m.conn.Do("GET", mKey)))
	r2 = startClusterNode(t, false, r2.dir, r2.cport)
	nodes[2] = r2
	require.Eventually(t, allClusterOK(nodes), 30*time.Second, 50*time.Millisecond)

	// nodes.conf survives a restart of the modhost node (on a new client
	// port: the other nodes learn the new address from its pings).
	terminate(t, m.srv)
	m = startClusterNode(t, true, m.dir, m.cport)
	nodes[0] = m
	require.Equal(t, mID, myID(m.conn))
	require.Eventually(t, allClusterOK(nodes), 30*time.Second, 50*time.Millisecond)
	require.Eventually(t, func() bool {
		return strings.Contains(string(r1.conn.Do("CLUSTER", "NODES")), fmt.Sprintf("127.0.0.1:%d@%d", m.srv.Port, m.cport))
	}, 30*time.Second, 50*time.Millisecond)
	for _, n := range nodes {
		checkCluster(t, n.srv.Addr)
	}
	require.Equal(t, slotOwners(t, r1.conn), slotOwners(t, m.conn))

	// Resharding with MIGRATE both ways: redis-server → modhost, then
	// modhost → redis-server; the keys follow their slots. (The restarted
	// nodes run without persistence: the keys are written again first.)
	mID = myID(m.conn)
	cc2 := redis.NewClusterClient(&redis.ClusterOptions{Addrs: []string{r1.srv.Addr}, Protocol: 2})
	defer cc2.Close()
	for i := 0; i < numKeys; i++ {
		require.NoError(t, cc2.Set(ctx, fmt.Sprintf("key:%d", i), i, 0).Err())
	}
	clusterCLI(t, "--cluster", "reshard", r1.srv.Addr, "--cluster-from", r1ID, "--cluster-to", mID,
		"--cluster-slots", "500", "--cluster-yes")
	clusterCLI(t, "--cluster", "reshard", r1.srv.Addr, "--cluster-from", mID, "--cluster-to", r2ID,
		"--cluster-slots", "700", "--cluster-yes")
	require.Eventually(t, allClusterOK(nodes), 30*time.Second, 50*time.Millisecond)
	for _, n := range nodes {
		checkCluster(t, n.srv.Addr)
	}
	cc2.ReloadState(ctx)
	owners = slotOwners(t, m.conn)
	ids = map[string]*clusterNode{}
	for _, n := range nodes {
		ids[myID(n.conn)] = n
	}
	total = 0
	for i := 0; i < numKeys; i++ {
		k := fmt.Sprintf("key:%d", i)
		v, err := cc2.Get(ctx, k).Result()
		require.NoError(t, err, k)
		require.Equal(t, strconv.Itoa(i), v)
		owner := ids[owners[keyspace.KeySlot([]byte(k))]]
		require.Equal(t, fmt.Sprintf("$%d\r\n%d\r\n", len(v), i), string(owner.conn.Do("GET", k)), k)
		total++
	}
	require.Equal(t, numKeys, total)
}

// TestClusterFailoverVote (MODHOST_LONG=1): a redis-server replica takes
// over its killed master with the votes of the other masters, one of
// which is modhost; modhost then routes the slots to the new master.
func TestClusterFailoverVote(t *testing.T) {
	if os.Getenv("MODHOST_LONG") == "" {
		t.Skip("MODHOST_LONG=1 runs the failover test")
	}
	m := newClusterNode(t, true)
	r1 := newClusterNode(t, false)
	r2 := newClusterNode(t, false)
	nodes := []*clusterNode{m, r1, r2}
	clusterCLI(t, "--cluster", "create", m.srv.Addr, r1.srv.Addr, r2.srv.Addr, "--cluster-yes")
	require.Eventually(t, allClusterOK(nodes), 30*time.Second, 50*time.Millisecond)
	r1ID := myID(r1.conn)
	rep := newClusterNode(t, false)
	clusterCLI(t, "--cluster", "add-node", rep.srv.Addr, r1.srv.Addr, "--cluster-slave", "--cluster-master-id", r1ID)
	repID := myID(rep.conn)
	require.Eventually(t, func() bool {
		return strings.Contains(string(m.conn.Do("CLUSTER", "NODES")), repID+" 127.0.0.1:"+strconv.Itoa(rep.srv.Port)+"@"+strconv.Itoa(rep.cport)+" slave "+r1ID)
	}, 30*time.Second, 50*time.Millisecond)
	require.Eventually(t, func() bool {
		return strings.Contains(string(rep.conn.Do("INFO", "replication")), "master_link_status:up")
	}, 30*time.Second, 50*time.Millisecond)
	r1Slots := slotOwners(t, m.conn)
	r1.srv.Kill()
	require.Eventually(t, func() bool {
		return strings.Contains(string(m.conn.Do("CLUSTER", "NODES")), repID+" 127.0.0.1:"+strconv.Itoa(rep.srv.Port)+"@"+strconv.Itoa(rep.cport)+" master ")
	}, 60*time.Second, 100*time.Millisecond)
	require.Contains(t, m.srv.Logs(), "Failover auth granted to "+repID)
	require.Eventually(t, func() bool { return clusterField(m.conn, "cluster_state") == "ok" }, 30*time.Second, 50*time.Millisecond)
	after := slotOwners(t, m.conn)
	for s, id := range r1Slots {
		if id == r1ID {
			require.Equal(t, repID, after[s], "slot %d", s)
		}
	}
	key, _ := keyOwnedBy(after, repID, "fo")
	require.Equal(t, fmt.Sprintf("-MOVED %d 127.0.0.1:%d\r\n", keyspace.KeySlot([]byte(key)), rep.srv.Port), string(m.conn.Do("GET", key)))
}
