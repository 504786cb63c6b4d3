package main

import (
	"regexp"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/modhost/modhost/internal/hosttest"
)

// buildStreamGroups gives stream s consumer groups with pending entries,
// consumers with and without PELs, a PEL entry whose stream entry was
// deleted, fixed delivery times (XCLAIM TIME) and an unknown read counter.
func buildStreamGroups(t *testing.T, c *hosttest.Conn) {
	t.Helper()
	cmds := [][]string{
		{"XADD", "s", "1-0", "a", "1"}, {"XADD", "s", "2-0", "b", "2"}, {"XADD", "s", "3-0", "c", "3"},
		{"XADD", "s", "4-0", "d", "4"}, {"XADD", "s", "5-0", "e", "5"},
		{"XGROUP", "CREATE", "s", "g1", "0"},
		{"XREADGROUP", "GROUP", "g1", "alice", "COUNT", "2", "STREAMS", "s", ">"},
		{"XREADGROUP", "GROUP", "g1", "bob", "COUNT", "2", "STREAMS", "s", ">"},
		{"XCLAIM", "s", "g1", "carol", "0", "1-0", "TIME", "1000", "RETRYCOUNT", "3", "JUSTID"},
		{"XCLAIM", "s", "g1", "carol", "0", "4-0", "TIME", "2000", "JUSTID"},
		{"XACK", "s", "g1", "3-0"},
		{"XGROUP", "CREATE", "s", "g2", "$"},
		{"XGROUP", "CREATECONSUMER", "s", "g2", "idle"},
		{"XGROUP", "CREATE", "s", "g3", "2-0", "ENTRIESREAD", "-1"},
		{"XREADGROUP", "GROUP", "g3", "dave", "NOACK", "COUNT", "1", "STREAMS", "s", ">"},
		{"XDEL", "s", "2-0"},
		{"XADD", "plain", "1-0", "f", "v"},
	}
	for _, cmd := range cmds {
		require.NotContains(t, string(c.Do(cmd...)), "-ERR", cmd)
	}
}

// activeTime matches the consumer field Redis 7.2 added to XINFO STREAM
// FULL (7.0, the oracle, has no active-time).
var activeTime = regexp.MustCompile(`\*10\r\n(\$4\r\nname\r\n\$\d+\r\n[^\r]*\r\n\$9\r\nseen-time\r\n:\d+\r\n)\$11\r\nactive-time\r\n:-?\d+\r\n`)

// streamGroupsState is what must survive persistence: XINFO STREAM FULL
// (without 7.2's active-time), XINFO GROUPS and XPENDING.
func streamGroupsState(c *hosttest.Conn, key string) []string {
	full := activeTime.ReplaceAllString(string(c.Do("XINFO", "STREAM", key, "FULL")), "*8\r\n$1")
	return []string{full, string(c.Do("XINFO", "GROUPS", key)), string(c.Do("XPENDING", key, "g1"))}
}

// TestStreamGroupsRDBInterop builds groups in redis-server 7.0.15, loads
// its dump into modhost, saves it again as RDB 10 and loads that back into
// redis-server: groups, PELs, consumers and times must be the same all
// along. Then DUMP/RESTORE both ways.
func TestStreamGroupsRDBInterop(t *testing.T) {
	dir := t.TempDir()
	r := startIn(t, hosttest.RedisBin(t), dir, "--save", "")
	rc := r.Conn(t)
	buildStreamGroups(t, rc)
	want := streamGroupsState(rc, "s")
	require.Contains(t, want[0], "carol")
	require.Contains(t, want[0], ":1000\r\n:3\r\n")
	wantDigest := digest(rc)
	require.Equal(t, "+OK\r\n", string(rc.Do("SAVE")))
	r.Kill()

	m := startIn(t, hosttest.ModhostBin(t), dir, "--save", "", "--rdb-version", "10")
	mc := m.Conn(t)
	require.Equal(t, want, streamGroupsState(mc, "s"), "redis 7.0 dump loaded into modhost")
	require.Equal(t, wantDigest, digest(mc))
	require.Equal(t, "+OK\r\n", string(mc.Do("SAVE")))

	// DUMP/RESTORE modhost -> redis (RDB 10 payload) while both run.
	r2 := startIn(t, hosttest.RedisBin(t), t.TempDir(), "--save", "")
	rc2 := r2.Conn(t)
	require.Equal(t, "+OK\r\n", string(rc2.Do("RESTORE", "s", "0", dumpPayload(t, mc, "s"))))
	require.Equal(t, want, streamGroupsState(rc2, "s"), "modhost DUMP restored into redis")
	// DUMP/RESTORE redis -> modhost.
	require.Equal(t, "+OK\r\n", string(mc.Do("RESTORE", "s2", "0", dumpPayload(t, rc2, "s"))))
	require.Equal(t, want, streamGroupsState(mc, "s2"), "redis DUMP restored into modhost")
	m.Kill()

	r3 := startIn(t, hosttest.RedisBin(t), dir, "--save", "")
	require.Equal(t, want, streamGroupsState(r3.Conn(t), "s"), "modhost RDB 10 loaded into redis")
}

// TestStreamGroupsReloadKeepsActiveTime checks that modhost's own RDB
// (STREAM_LISTPACKS_3) keeps the consumers' active-time across DEBUG
// RELOAD, with the rest of XINFO STREAM FULL.
func TestStreamGroupsReloadKeepsActiveTime(t *testing.T) {
	m := startIn(t, hosttest.ModhostBin(t), t.TempDir(), "--save", "")
	c := m.Conn(t)
	buildStreamGroups(t, c)
	before := string(c.Do("XINFO", "STREAM", "s", "FULL"))
	require.Contains(t, before, "active-time")
	require.Equal(t, "+OK\r\n", string(c.Do("DEBUG", "RELOAD")))
	require.Equal(t, before, string(c.Do("XINFO", "STREAM", "s", "FULL")))
}

// dumpPayload returns DUMP key's payload.
func dumpPayload(t *testing.T, c *hosttest.Conn, key string) string {
	t.Helper()
	f, err := c.Command("DUMP", key)
	require.NoError(t, err)
	require.NotEmpty(t, f.Str)
	return string(f.Str)
}
