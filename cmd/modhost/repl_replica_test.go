package main

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/modhost/modhost/internal/hosttest"
	"github.com/stretchr/testify/require"
)

// replicaModuleArgs are the server arguments of the replica tests: the
// differential defaults and the modules whose commands replicate
// (test_call), whose data type travels in the RDB (test_types), and
// that report context flags (test_util) and server events (test_events).
func replicaModuleArgs(t *testing.T) []string {
	args := append([]string(nil), hosttest.DiffArgs...)
	for _, m := range []string{"test_call", "test_types", "test_util", "test_events"} {
		args = append(args, "--loadmodule", moduleSO(t, m))
	}
	return args
}

// replicaWorkload is replicationWorkload plus writes of a module data
// type (ReplicateVerbatim) and a MULTI holding one.
var replicaWorkload = append(append([][]string(nil), replicationWorkload...),
	[]string{"types.set", "mt1", "label", "1.5", "2.5", "3.5", "1", "-2", "3"},
	[]string{"MULTI"}, []string{"types.set", "mt2", "other", "0", "0", "0"}, []string{"INCR", "ctr"}, []string{"EXEC"},
	[]string{"types.set", "mt1", "relabelled", "0", "0", "0", "7"},
)

// runWorkload sends the workload to the master.
func runWorkload(t *testing.T, mc *hosttest.Conn, cmds [][]string) {
	t.Helper()
	for _, cmd := range cmds {
		f, err := mc.Command(cmd...)
		require.NoError(t, err, "%v", cmd)
		require.False(t, f.IsError() && cmd[0] != "tcall.call", "%v: %s", cmd, f.Raw)
	}
}

// waitInSync waits until the replica's link is up, it applied all the
// master produced, and both hold the same dataset.
func waitInSync(t *testing.T, mc, rc *hosttest.Conn) {
	t.Helper()
	require.Eventually(t, func() bool {
		return replInfo(t, rc, "replication", "master_link_status") == "up" &&
			replInfo(t, rc, "replication", "slave_repl_offset") == replInfo(t, mc, "replication", "master_repl_offset") &&
			string(rc.Do("DEBUG", "DIGEST")) == string(mc.Do("DEBUG", "DIGEST"))
	}, 20*time.Second, 20*time.Millisecond, "replica not in sync: master offset %s digest %s, replica offset %s digest %s link %s",
		replInfo(t, mc, "replication", "master_repl_offset"), mc.Do("DEBUG", "DIGEST"),
		replInfo(t, rc, "replication", "slave_repl_offset"), rc.Do("DEBUG", "DIGEST"),
		replInfo(t, rc, "replication", "master_link_status"))
}

// TestReplicaOfRedisMaster: modhost follows a real Redis 7.0 master
// (diskless full sync with an EOF mark), through the mixed workload with a
// module data type, to the same dataset and offset; it refuses writes,
// reports its role and link to modules, resumes with a partial resync
// after its master link is killed, and REPLICAOF NO ONE promotes it with
// its data.
func TestReplicaOfRedisMaster(t *testing.T) {
	args := replicaModuleArgs(t)
	master := hosttest.StartRedis(t, append(args, "--repl-diskless-sync-delay", "0")...)
	replica := hosttest.StartModhost(t, append(args, "--replicaof", "127.0.0.1", strconv.Itoa(master.Port))...)
	mc, rc := master.Conn(t), replica.Conn(t)
	waitInSync(t, mc, rc)
	runWorkload(t, mc, replicaWorkload)
	require.Eventually(t, func() bool { return string(mc.Do("EXISTS", "short")) == ":0\r\n" }, 5*time.Second, 10*time.Millisecond)
	waitInSync(t, mc, rc)
	require.NotEqual(t, "+0000000000000000000000000000000000000000\r\n", string(rc.Do("DEBUG", "DIGEST")))
	require.Equal(t, string(mc.Do("types.get", "mt1")), string(rc.Do("types.get", "mt1")))
	for _, k := range []string{"s1", "f", "h", "set", "z", "rk", "ck", "l", "mt1", "mt2"} {
		require.Equal(t, string(mc.Do("PEXPIRETIME", k)), string(rc.Do("PEXPIRETIME", k)), k)
	}

	// The master link in CLIENT LIST, the role, the read-only refusal.
	list := string(rc.Do("CLIENT", "LIST", "TYPE", "master"))
	require.Contains(t, list, "flags=M", list)
	require.Contains(t, list, "addr=127.0.0.1:"+strconv.Itoa(master.Port))
	role, err := rc.Command("ROLE")
	require.NoError(t, err)
	require.Len(t, role.Elems, 5)
	require.Equal(t, "slave", string(role.Elems[0].Str))
	require.Equal(t, strconv.Itoa(master.Port), string(role.Elems[2].Str))
	require.Equal(t, "connected", string(role.Elems[3].Str))
	require.Equal(t, "-READONLY You can't write against a read only replica.\r\n", string(rc.Do("SET", "x", "1")))
	require.Equal(t, "-READONLY You can't write against a read only replica.\r\n", string(rc.Do("types.set", "x", "l", "0", "0", "0")))
	require.Equal(t, string(mc.Do("INFO", "replication")) != "", true)
	require.Equal(t, "1", replInfo(t, rc, "replication", "slave_read_only"))
	flags := string(rc.Do("tutil.flags"))
	require.Contains(t, flags, "slave")
	require.Contains(t, flags, "readonly")
	require.Contains(t, flags, "replica_is_online")
	require.NotContains(t, flags, "master")
	require.NotContains(t, flags, "stale")
	events := string(rc.Do("tevents.list"))
	require.Contains(t, events, "role:1:master=0:host=127.0.0.1:port="+strconv.Itoa(master.Port))
	require.Contains(t, events, "loading:2") // REPL_START
	require.Contains(t, events, "masterlink:0")
	require.Equal(t, "+OK Already connected to specified master\r\n", string(rc.Do("REPLICAOF", "127.0.0.1", strconv.Itoa(master.Port))))

	// A killed master link resumes with a partial resync.
	require.Equal(t, "0", replInfo(t, mc, "stats", "sync_partial_ok"))
	require.Equal(t, ":1\r\n", string(rc.Do("CLIENT", "KILL", "TYPE", "master")))
	// The link is down before the next command, as in Redis (hooks.tcl).
	require.Contains(t, string(rc.Do("tevents.list")), "masterlink:1")
	require.Equal(t, "+OK\r\n", string(mc.Do("SET", "after-kill", "1")))
	require.Eventually(t, func() bool { return replInfo(t, mc, "stats", "sync_partial_ok") == "1" }, 20*time.Second, 20*time.Millisecond)
	require.Equal(t, "1", replInfo(t, mc, "stats", "sync_full"))
	waitInSync(t, mc, rc)
	require.Equal(t, "$1\r\n1\r\n", string(rc.Do("GET", "after-kill")))
	require.Contains(t, string(rc.Do("tevents.list")), "masterlink:0")

	// Promotion keeps the data and starts a new history, the old one
	// becoming the secondary id.
	oldID := replInfo(t, mc, "replication", "master_replid")
	digest := string(rc.Do("DEBUG", "DIGEST"))
	require.Equal(t, "+OK\r\n", string(rc.Do("REPLICAOF", "NO", "ONE")))
	require.Equal(t, "master", replInfo(t, rc, "replication", "role"))
	require.Equal(t, oldID, replInfo(t, rc, "replication", "master_replid2"))
	require.Equal(t, digest, string(rc.Do("DEBUG", "DIGEST")))
	require.Equal(t, "+OK\r\n", string(rc.Do("SET", "x", "1")))
	require.Contains(t, string(rc.Do("tevents.list")), "role:0:master=1")
	require.Contains(t, string(rc.Do("tutil.flags")), "master")
	require.Equal(t, "+OK\r\n", string(rc.Do("REPLICAOF", "NO", "ONE")))
}

// TestModhostReplicaOfModhost: one modhost follows another, switched on
// with REPLICAOF (diskless load into the empty dataset); expired keys read
// as missing on the replica until its master's DEL; a link killed on the
// master's side resumes with a partial resync; with
// replica-serve-stale-data no, a replica whose master is gone answers
// -MASTERDOWN.
func TestModhostReplicaOfModhost(t *testing.T) {
	args := replicaModuleArgs(t)
	master := hosttest.StartModhost(t, args...)
	dir := t.TempDir()
	replica := hosttest.StartModhost(t, append(args, "--repl-diskless-load", "on-empty-db", "--dir", dir)...)
	mc, rc := master.Conn(t), replica.Conn(t)
	runWorkload(t, mc, replicaWorkload[:10])
	require.Equal(t, "-ERR Invalid master port\r\n", string(rc.Do("REPLICAOF", "127.0.0.1", "notaport")))
	require.Equal(t, "-ERR Invalid master port\r\n", string(rc.Do("REPLICAOF", "127.0.0.1", "70000")))
	require.Equal(t, "-ERR wrong number of arguments for 'replicaof' command\r\n", string(rc.Do("REPLICAOF", "127.0.0.1")))
	bc := replica.Conn(t) // blocked while a master, unblocked by the role change
	require.NoError(t, bc.Send(hosttest.AppendCommand(nil, "BLPOP", "nolist", "0")))
	require.Eventually(t, func() bool { return replInfo(t, rc, "clients", "blocked_clients") == "1" }, 5*time.Second, 10*time.Millisecond)
	require.Equal(t, "+OK\r\n", string(rc.Do("REPLICAOF", "127.0.0.1", strconv.Itoa(master.Port))))
	f, err := bc.ReadFrame()
	require.NoError(t, err)
	require.Equal(t, "-UNBLOCKED force unblock from blocking operation, instance state changed (master -> replica?)\r\n", string(f.Raw))
	require.Equal(t, "127.0.0.1 "+strconv.Itoa(master.Port), replicaofConfig(t, rc))
	waitInSync(t, mc, rc)
	require.Contains(t, replica.Logs(), "receiving")
	require.Contains(t, replica.Logs(), "to parser")
	require.NoFileExists(t, filepath.Join(dir, "dump.rdb"))
	runWorkload(t, mc, replicaWorkload[10:])
	waitInSync(t, mc, rc)

	// Keys expire on the master only: past its TTL a key reads as missing
	// on the replica yet stays there until the master's DEL.
	require.Equal(t, "+OK\r\n", string(mc.Do("DEBUG", "SET-ACTIVE-EXPIRE", "0")))
	require.Equal(t, "+OK\r\n", string(mc.Do("SET", "ttl", "v", "PX", "50")))
	waitInSync(t, mc, rc)
	require.Eventually(t, func() bool { return string(rc.Do("GET", "ttl")) == "$-1\r\n" }, 5*time.Second, 10*time.Millisecond)
	before := string(rc.Do("DBSIZE"))
	require.Equal(t, before, string(mc.Do("DBSIZE")), "the replica keeps the key the master keeps")
	require.Equal(t, "$-1\r\n", string(mc.Do("GET", "ttl"))) // expires it on the master: DEL
	waitInSync(t, mc, rc)
	require.Equal(t, string(mc.Do("DBSIZE")), string(rc.Do("DBSIZE")))
	require.NotEqual(t, before, string(rc.Do("DBSIZE")))

	// The master kills the link: the replica resumes from the backlog.
	require.Equal(t, ":1\r\n", string(mc.Do("CLIENT", "KILL", "TYPE", "replica")))
	require.Equal(t, "+OK\r\n", string(mc.Do("SET", "after-kill", "2")))
	require.Eventually(t, func() bool { return replInfo(t, mc, "stats", "sync_partial_ok") == "1" }, 20*time.Second, 20*time.Millisecond)
	require.Equal(t, "1", replInfo(t, mc, "stats", "sync_full"))
	waitInSync(t, mc, rc)

	// WAIT on the master counts the replica's ACK.
	require.Equal(t, "+OK\r\n", string(mc.Do("SET", "acked", "1")))
	require.Equal(t, ":1\r\n", string(mc.Do("WAIT", "1", "5000")))

	// Master gone, stale data refused.
	require.Equal(t, "+OK\r\n", string(rc.Do("CONFIG", "SET", "replica-serve-stale-data", "no")))
	master.Kill()
	require.Eventually(t, func() bool { return replInfo(t, rc, "replication", "master_link_status") == "down" }, 20*time.Second, 20*time.Millisecond)
	require.Equal(t, "-MASTERDOWN Link with MASTER is down and replica-serve-stale-data is set to 'no'.\r\n", string(rc.Do("GET", "acked")))
	require.Contains(t, string(rc.Do("INFO", "replication")), "master_link_down_since_seconds:")
	role, err := rc.Command("ROLE")
	require.NoError(t, err)
	require.Equal(t, ":-1\r\n", string(role.Elems[4].Raw))
	require.Equal(t, "+OK\r\n", string(rc.Do("CONFIG", "SET", "replica-serve-stale-data", "yes")))
	require.Equal(t, "$1\r\n1\r\n", string(rc.Do("GET", "acked")))
	flags := string(rc.Do("tutil.flags"))
	require.Contains(t, flags, "replica_is_stale")
	require.Contains(t, flags, "replica_is_connecting")
}

// replicaofConfig is CONFIG GET replicaof's value.
func replicaofConfig(t *testing.T, c *hosttest.Conn) string {
	f, err := c.Command("CONFIG", "GET", "replicaof")
	require.NoError(t, err)
	require.Len(t, f.Elems, 2)
	return string(f.Elems[1].Str)
}

// TestRedisReplicaOfModhostModuleType: a real Redis 7.0 replica of
// modhost loads the module data type from the RDB modhost sends (v10)
// and follows its replicated writes to the same dataset.
func TestRedisReplicaOfModhostModuleType(t *testing.T) {
	args := replicaModuleArgs(t)
	master := hosttest.StartModhost(t, args...)
	mc := master.Conn(t)
	runWorkload(t, mc, replicaWorkload[len(replicationWorkload):])
	replica := hosttest.StartRedis(t, append(args, "--replicaof", "127.0.0.1", strconv.Itoa(master.Port))...)
	rc := replica.Conn(t)
	waitInSync(t, mc, rc)
	runWorkload(t, mc, replicaWorkload)
	waitInSync(t, mc, rc)
	require.Equal(t, string(mc.Do("types.get", "mt1")), string(rc.Do("types.get", "mt1")))
}

// TestReplicaDiskLoad: with repl-diskless-load disabled (the default) the
// master's RDB becomes the replica's dbfilename before it is loaded, and a
// replica started with data flushes it.
func TestReplicaDiskLoad(t *testing.T) {
	args := replicaModuleArgs(t)
	master := hosttest.StartModhost(t, args...)
	mc := master.Conn(t)
	runWorkload(t, mc, replicaWorkload[:5])
	dir := t.TempDir()
	replica := hosttest.StartModhost(t, append(args, "--dir", dir)...)
	rc := replica.Conn(t)
	require.Equal(t, "+OK\r\n", string(rc.Do("SET", "replica-only", "1")))
	require.Equal(t, "+OK\r\n", string(rc.Do("SLAVEOF", "localhost", strconv.Itoa(master.Port))))
	waitInSync(t, mc, rc)
	require.Equal(t, ":0\r\n", string(rc.Do("EXISTS", "replica-only")))
	require.Contains(t, replica.Logs(), "to disk")
	st, err := os.Stat(filepath.Join(dir, "dump.rdb"))
	require.NoError(t, err)
	require.Greater(t, st.Size(), int64(0))
	require.True(t, strings.Contains(replInfo(t, rc, "replication", "master_host"), "localhost"))
	require.Equal(t, "-ERR CONFIG SET failed (possibly related to argument 'repl-diskless-load') - modhost does not implement 'repl-diskless-load swapdb' yet\r\n", string(rc.Do("CONFIG", "SET", "repl-diskless-load", "swapdb")))
}

// TestReplicaErrorFromMaster: a command of the master's stream that fails
// on the replica (a module command the replica does not have) is logged
// as Redis's critical error and the link goes on; with
// propagation-error-behavior panic-on-replicas the replica stops.
func TestReplicaErrorFromMaster(t *testing.T) {
	master := hosttest.StartRedis(t, append(append([]string(nil), hosttest.DiffArgs...), "--repl-diskless-sync-delay", "0", "--loadmodule", moduleSO(t, "test_call"))...)
	replica := hosttest.StartModhost(t, append(append([]string(nil), hosttest.DiffArgs...), "--replicaof", "127.0.0.1", strconv.Itoa(master.Port))...)
	mc, rc := master.Conn(t), replica.Conn(t)
	waitInSync(t, mc, rc)
	require.Equal(t, "+OK\r\n", string(mc.Do("tcall.replicate", "rk")))
	require.Equal(t, "+OK\r\n", string(mc.Do("SET", "k", "v")))
	require.Eventually(t, func() bool { return string(rc.Do("GET", "k")) == "$1\r\nv\r\n" }, 10*time.Second, 10*time.Millisecond)
	// The log comes through a pipe: wait for the line rather than read
	// the log before it arrived.
	require.Eventually(t, func() bool {
		return strings.Contains(replica.Logs(), "== CRITICAL == This replica is sending an error to its master: 'ERR unknown command 'tcall.replicate'")
	}, 10*time.Second, 10*time.Millisecond, "%s", replica.Logs())
	require.Equal(t, "+OK\r\n", string(rc.Do("CONFIG", "SET", "propagation-error-behavior", "panic-on-replicas")))
	require.Equal(t, "+OK\r\n", string(mc.Do("tcall.replicate", "rk")))
	require.Eventually(t, replica.Exited, 10*time.Second, 10*time.Millisecond)
	require.Contains(t, replica.Logs(), "This replica panicked sending an error to its master after processing the command 'tcall.replicate'")
}

// TestReplicaMasterAuth: masteruser/masterauth authenticate the replica to
// a master that requires a password; a wrong one keeps the link down.
func TestReplicaMasterAuth(t *testing.T) {
	master := hosttest.StartRedis(t, append(append([]string(nil), hosttest.DiffArgs...), "--requirepass", "pw", "--repl-diskless-sync-delay", "0")...)
	mc := master.Conn(t)
	require.Equal(t, "+OK\r\n", string(mc.Do("AUTH", "pw")))
	require.Equal(t, "+OK\r\n", string(mc.Do("SET", "k", "v")))
	port := strconv.Itoa(master.Port)
	replica := hosttest.StartModhost(t, append(append([]string(nil), hosttest.DiffArgs...), "--masteruser", "default", "--masterauth", "pw", "--replicaof", "127.0.0.1", port)...)
	rc := replica.Conn(t)
	waitInSync(t, mc, rc)
	require.Equal(t, "$1\r\nv\r\n", string(rc.Do("GET", "k")))

	bad := hosttest.StartModhost(t, append(append([]string(nil), hosttest.DiffArgs...), "--masterauth", "wrong", "--replicaof", "127.0.0.1", port)...)
	require.Eventually(t, func() bool { return strings.Contains(bad.Logs(), "Unable to AUTH to MASTER: WRONGPASS") }, 10*time.Second, 20*time.Millisecond)
	require.Equal(t, "down", replInfo(t, bad.Conn(t), "replication", "master_link_status"))
}
