package main

import (
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// TestModuleRdbLoadReplication: RedisModule_RdbLoad as Redis 7.2 runs it
// around replication and the AOF. A replica refuses it with ENOTSUP (its
// data belongs to the master) while RdbSave works there; on the master the
// replicas are dropped and come back with a second full sync that carries
// the loaded dataset; with appendonly yes the AOF is back on afterwards and
// holds the loaded dataset (DEBUG LOADAOF reads it back).
func TestModuleRdbLoadReplication(t *testing.T) {
	so := moduleSO(t, "test_config")
	dir := t.TempDir()
	master := startModhost(t, "--loadmodule", so, "--dir", dir)
	replica := startModhost(t, "--loadmodule", so)
	mc, rc := master.Conn(t), replica.Conn(t)

	require.Equal(t, "+OK\r\n", string(mc.Do("SET", "x", "10000")))
	require.Equal(t, "+OK\r\n", string(rc.Do("REPLICAOF", "127.0.0.1", strconv.Itoa(master.Port))))
	waitInSync(t, mc, rc)
	require.Equal(t, "1", replInfo(t, mc, "stats", "sync_full"))

	repFile := filepath.Join(t.TempDir(), "rep.rdb")
	require.Equal(t, "*2\r\n:0\r\n+0\r\n", string(rc.Do("TCFG.RDB", "save", repFile)))
	require.Equal(t, "*2\r\n:1\r\n+ENOTSUP\r\n", string(rc.Do("TCFG.RDB", "load", repFile)))
	require.Equal(t, "$5\r\n10000\r\n", string(rc.Do("GET", "x")), "the refused load left the replica alone")

	masterFile := filepath.Join(t.TempDir(), "master.rdb")
	require.Equal(t, "*2\r\n:0\r\n+0\r\n", string(mc.Do("TCFG.RDB", "save", masterFile)))
	require.Equal(t, "+OK\r\n", string(mc.Do("SET", "x", "20000")))
	waitInSync(t, mc, rc)
	require.Equal(t, "$5\r\n20000\r\n", string(rc.Do("GET", "x")))

	require.Equal(t, "*2\r\n:0\r\n+0\r\n", string(mc.Do("TCFG.RDB", "load", masterFile)))
	require.Equal(t, "$5\r\n10000\r\n", string(mc.Do("GET", "x")))
	require.Eventually(t, func() bool { return replInfo(t, mc, "stats", "sync_full") == "2" },
		20*time.Second, 20*time.Millisecond, "the replica was not dropped and fully resynced")
	waitInSync(t, mc, rc)
	require.Equal(t, "$5\r\n10000\r\n", string(rc.Do("GET", "x")))

	// The AOF: off around the load, back on after, holding the new data.
	require.Equal(t, "+OK\r\n", string(mc.Do("CONFIG", "SET", "appendonly", "yes")))
	aofIdle := func() bool {
		return replInfo(t, mc, "persistence", "aof_rewrite_in_progress") == "0" &&
			replInfo(t, mc, "persistence", "aof_rewrite_scheduled") == "0"
	}
	require.Eventually(t, aofIdle, 20*time.Second, 20*time.Millisecond)
	require.Equal(t, "+OK\r\n", string(mc.Do("SET", "k", "v1")))
	require.Equal(t, "*2\r\n:0\r\n+0\r\n", string(mc.Do("TCFG.RDB", "save", masterFile)))
	require.Equal(t, "+OK\r\n", string(mc.Do("SET", "k", "v2")))
	require.Equal(t, "*2\r\n:0\r\n+0\r\n", string(mc.Do("TCFG.RDB", "load", masterFile)))
	require.Equal(t, "1", replInfo(t, mc, "persistence", "aof_enabled"))
	require.Eventually(t, aofIdle, 20*time.Second, 20*time.Millisecond)
	require.Equal(t, "+OK\r\n", string(mc.Do("SET", "after", "1")))
	require.Equal(t, "+OK\r\n", string(mc.Do("DEBUG", "LOADAOF")))
	require.Equal(t, "$2\r\nv1\r\n", string(mc.Do("GET", "k")))
	require.Equal(t, "$1\r\n1\r\n", string(mc.Do("GET", "after")))
}
