package main

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/modhost/modhost/internal/hosttest"
	"github.com/stretchr/testify/require"
)

// replInfo returns one field of INFO section from c ("" when absent).
func replInfo(t *testing.T, c *hosttest.Conn, section, field string) string {
	t.Helper()
	f, err := c.Command("INFO", section)
	require.NoError(t, err)
	for _, line := range strings.Split(string(f.Str), "\r\n") {
		if v, ok := strings.CutPrefix(line, field+":"); ok {
			return v
		}
	}
	return ""
}

// startReplicatedPair starts modhost as master and a real redis-server
// 7.0 as its replica, both with the test_call module, and waits until the
// replica is online.
func startReplicatedPair(t *testing.T) (master, replica *hosttest.Server, mc, rc *hosttest.Conn) {
	so := moduleSO(t, "test_call")
	args := append(append([]string(nil), hosttest.DiffArgs...), "--loadmodule", so)
	master = hosttest.StartModhost(t, args...)
	replica = hosttest.StartRedis(t, append(args, "--replicaof", "127.0.0.1", strconv.Itoa(master.Port))...)
	mc, rc = master.Conn(t), replica.Conn(t)
	require.Eventually(t, func() bool {
		return strings.Contains(replInfo(t, mc, "replication", "slave0"), "state=online") &&
			replInfo(t, rc, "replication", "master_link_status") == "up"
	}, 20*time.Second, 50*time.Millisecond, "replica never came online")
	return master, replica, mc, rc
}

// replicationWorkload is a mixed write load whose replay on a replica
// must reach the master's state: relative TTLs, float increments, random
// pops, blocking pops, a second database, module Replicate and Call "!".
var replicationWorkload = [][]string{
	{"SET", "s1", "v1", "EX", "100"},
	{"SETEX", "s2", "200", "v2"},
	{"SET", "s3", "v3", "PX", "300000", "GET"},
	{"PSETEX", "s4", "400000", "v4"},
	{"SET", "s5", "v5"},
	{"GETEX", "s5", "EX", "500"},
	{"GETSET", "s6", "x"},
	{"INCRBYFLOAT", "f", "1.1"},
	{"INCRBYFLOAT", "f", "2.25"},
	{"RPUSH", "l", "a", "b", "c", "d", "e"},
	{"LPOP", "l"},
	{"BLPOP", "l", "1"},
	{"LMPOP", "1", "l", "RIGHT", "COUNT", "2"},
	{"HSET", "h", "a", "1", "b", "2"},
	{"HINCRBYFLOAT", "h", "a", "0.5"},
	{"SADD", "set", "a", "b", "c", "d", "e", "f", "g"},
	{"SPOP", "set"},
	{"SPOP", "set", "2"},
	{"SADD", "small", "x", "y"},
	{"SPOP", "small", "5"},
	{"ZADD", "z", "1", "a", "2", "b", "3", "c", "4", "d"},
	{"ZPOPMIN", "z"},
	{"BZPOPMAX", "z", "1"},
	{"ZMPOP", "1", "z", "MIN", "COUNT", "1"},
	{"EXPIRE", "s6", "600"},
	{"PEXPIRE", "l", "700000"},
	{"EXPIREAT", "h", "4000000000"},
	{"SET", "gone", "x"},
	{"EXPIRE", "gone", "-1"},
	{"DEL", "s2", "nosuchkey"},
	{"DEL", "nosuchkey"},
	{"MULTI"}, {"INCR", "ctr"}, {"INCR", "ctr"}, {"EXEC"},
	{"SELECT", "2"},
	{"SET", "d2", "x", "EX", "1000"},
	{"HSET", "d2h", "f", "v"},
	{"SELECT", "0"},
	{"tcall.replicate", "rk"},
	{"tcall.call", "!v", "SET", "ck", "via-call"},
	{"SET", "short", "x", "PX", "1"},
}

// TestReplicationToRedisReplica: a real Redis 7.0 replica of modhost
// syncs, follows the mixed workload to the same dataset (DEBUG DIGEST),
// WAIT counts it, and after its link is killed it resumes with a partial
// resync.
func TestReplicationToRedisReplica(t *testing.T) {
	_, _, mc, rc := startReplicatedPair(t)
	for _, cmd := range replicationWorkload {
		f, err := mc.Command(cmd...)
		require.NoError(t, err, "%v", cmd)
		require.False(t, f.IsError() && cmd[0] != "tcall.call", "%v: %s", cmd, f.Raw)
	}
	// The key with a 1 ms TTL expires on the master (active expiry), which
	// sends its DEL; the replica never expires keys on its own.
	require.Eventually(t, func() bool { return string(mc.Do("EXISTS", "short")) == ":0\r\n" }, 5*time.Second, 10*time.Millisecond)
	require.Equal(t, ":1\r\n", string(mc.Do("WAIT", "1", "5000")))
	require.Eventually(t, func() bool {
		return string(rc.Do("DEBUG", "DIGEST")) == string(mc.Do("DEBUG", "DIGEST"))
	}, 5*time.Second, 20*time.Millisecond, "digests differ: replica %s master %s", rc.Do("DEBUG", "DIGEST"), mc.Do("DEBUG", "DIGEST"))
	require.NotEqual(t, "+0000000000000000000000000000000000000000\r\n", string(mc.Do("DEBUG", "DIGEST")))
	for _, k := range []string{"s1", "f", "h", "set", "z", "rk", "ck", "l"} {
		require.Equal(t, string(mc.Do("DEBUG", "DIGEST-VALUE", k)), string(rc.Do("DEBUG", "DIGEST-VALUE", k)), k)
		require.Equal(t, string(mc.Do("PEXPIRETIME", k)), string(rc.Do("PEXPIRETIME", k)), k)
	}
	require.Equal(t, string(mc.Do("DBSIZE")), string(rc.Do("DBSIZE")))

	// ROLE and the master's offset agree with what the replica applied.
	role, err := mc.Command("ROLE")
	require.NoError(t, err)
	require.Equal(t, "master", string(role.Elems[0].Str))
	require.Len(t, role.Elems[2].Elems, 1)
	require.Eventually(t, func() bool {
		return replInfo(t, rc, "replication", "slave_repl_offset") == replInfo(t, mc, "replication", "master_repl_offset")
	}, 5*time.Second, 20*time.Millisecond)

	// A short disconnect: the replica reconnects and continues from the
	// backlog.
	require.Equal(t, "0", replInfo(t, mc, "stats", "sync_partial_ok"))
	require.Equal(t, ":1\r\n", string(mc.Do("CLIENT", "KILL", "TYPE", "slave")))
	require.Equal(t, "+OK\r\n", string(mc.Do("SET", "after-kill", "1")))
	require.Eventually(t, func() bool {
		return replInfo(t, mc, "stats", "sync_partial_ok") == "1" && strings.Contains(replInfo(t, mc, "replication", "slave0"), "state=online")
	}, 20*time.Second, 50*time.Millisecond, "no partial resync")
	require.Equal(t, "1", replInfo(t, mc, "stats", "sync_full"))
	require.Equal(t, ":1\r\n", string(mc.Do("WAIT", "1", "5000")))
	require.Equal(t, "$1\r\n1\r\n", string(rc.Do("GET", "after-kill")))
	require.Equal(t, string(mc.Do("DEBUG", "DIGEST")), string(rc.Do("DEBUG", "DIGEST")))
}

// TestReplicationWaitTimeout: WAIT with more replicas than attached times
// out with the count it has; with none attached it answers 0 at once.
func TestReplicationWaitTimeout(t *testing.T) {
	_, c := startCallHost(t)
	require.Equal(t, "+OK\r\n", string(c.Do("SET", "k", "v")))
	require.Equal(t, ":0\r\n", string(c.Do("WAIT", "0", "0")))
	start := time.Now()
	require.Equal(t, ":0\r\n", string(c.Do("WAIT", "1", "200")))
	require.GreaterOrEqual(t, time.Since(start), 190*time.Millisecond)
	require.Equal(t, "-ERR timeout is negative\r\n", string(c.Do("WAIT", "1", "-1")))
	require.Equal(t, "-ERR value is not an integer or out of range\r\n", string(c.Do("WAIT", "x", "1")))
}

// syncStream is a raw replica connection: it asks for a full sync, skips
// the snapshot and returns what the stream carries afterwards.
type syncStream struct {
	nc net.Conn
	r  *bufio.Reader
}

// openSyncStream sends PSYNC ? -1 and reads up to the end of the RDB.
func openSyncStream(t *testing.T, addr string) *syncStream {
	nc, err := net.Dial("tcp", addr)
	require.NoError(t, err)
	t.Cleanup(func() { _ = nc.Close() })
	s := &syncStream{nc: nc, r: bufio.NewReader(nc)}
	require.NoError(t, nc.SetDeadline(time.Now().Add(20*time.Second)))
	_, err = nc.Write(hosttest.AppendCommand(nil, "PSYNC", "?", "-1"))
	require.NoError(t, err)
	line, err := s.r.ReadString('\n')
	require.NoError(t, err)
	require.Regexp(t, regexp.MustCompile(`^\+FULLRESYNC [0-9a-f]{40} \d+\r\n$`), line)
	for {
		line, err = s.r.ReadString('\n')
		require.NoError(t, err)
		if line != "\n" { // keepalive newlines while the RDB is made
			break
		}
	}
	require.True(t, strings.HasPrefix(line, "$"), line)
	n, err := strconv.Atoi(strings.TrimSpace(line[1:]))
	require.NoError(t, err)
	_, err = io.CopyN(io.Discard, s.r, int64(n))
	require.NoError(t, err)
	return s
}

// readUntil returns the stream bytes up to and including marker.
func (s *syncStream) readUntil(t *testing.T, marker string) string {
	var sb strings.Builder
	buf := make([]byte, 4096)
	for !strings.Contains(sb.String(), marker) {
		n, err := s.r.Read(buf)
		require.NoError(t, err, "stream so far: %q", sb.String())
		sb.Write(buf[:n])
	}
	return sb.String()
}

// TestReplicationStreamDifferential: for the same commands, the stream a
// raw replica receives after the snapshot is byte for byte Redis 7.0's
// (absolute times keep it deterministic), once 7.0's stream is put in
// Redis 7.2's shape, which modhost follows: a SELECT that 7.0 emits just
// before a MULTI comes just after it in 7.2 (hosttest.Stream72; the
// module's Replicate below runs in db 0 after a write in db 3).
func TestReplicationStreamDifferential(t *testing.T) {
	so := moduleSO(t, "test_call")
	args := append(append([]string(nil), hosttest.DiffArgs...), "--loadmodule", so,
		"--repl-ping-replica-period", "3600", "--repl-diskless-sync", "no")
	workload := [][]string{
		{"SET", "a", "1"},
		{"GET", "a"},
		{"SET", "b", "2", "EXAT", "4000000000"},
		{"SET", "c", "3", "PXAT", "4000000000123", "GET"},
		{"SET", "d", "4", "GET"},
		{"EXPIREAT", "a", "4000000000"},
		{"PEXPIREAT", "a", "4000000000555", "GT"},
		{"EXPIRE", "d", "-5"},
		{"INCRBYFLOAT", "f", "10.5"},
		{"HSET", "h", "x", "1"},
		{"HINCRBYFLOAT", "h", "x", "1.5"},
		{"GETSET", "g", "v"},
		{"GETDEL", "g"},
		{"GETEX", "a", "PERSIST"},
		{"GETEX", "c", "PXAT", "4000000000999"},
		{"SADD", "one", "m"},
		{"SPOP", "one"},
		{"SADD", "two", "m", "n"},
		{"SPOP", "two", "10"},
		{"RPUSH", "l", "a", "b", "c"},
		{"BLPOP", "l", "0"},
		{"BRPOP", "l", "0"},
		{"BLMOVE", "l", "l2", "LEFT", "RIGHT", "0"},
		{"ZADD", "z", "1", "a", "2", "b", "3", "c"},
		{"BZPOPMIN", "z", "0"},
		{"ZMPOP", "1", "z", "MAX", "COUNT", "5"},
		{"DEL", "nosuch"},
		{"MULTI"}, {"SET", "m1", "1"}, {"SET", "m2", "2"}, {"EXEC"},
		{"MULTI"}, {"SET", "m3", "3"}, {"GET", "m3"}, {"EXEC"},
		{"SELECT", "3"},
		{"SET", "in3", "x"},
		{"SELECT", "0"},
		{"tcall.replicate", "rk"},
		{"tcall.call", "!v", "INCR", "viacall"},
		{"tcall.call", "v", "INCR", "notviacall"},
		{"SET", "end", "1"},
	}
	streams := map[string]string{}
	for name, srv := range map[string]*hosttest.Server{
		"redis":   hosttest.StartRedis(t, args...),
		"modhost": hosttest.StartModhost(t, args...),
	} {
		st := openSyncStream(t, srv.Addr)
		c := srv.Conn(t)
		for _, cmd := range workload {
			c.Do(cmd...)
		}
		streams[name] = st.readUntil(t, "$3\r\nend\r\n$1\r\n1\r\n")
	}
	want, err := hosttest.Stream72([]byte(streams["redis"]))
	require.NoError(t, err)
	require.NotEqual(t, streams["redis"], string(want), "the workload exercises the 7.0/7.2 difference")
	streams["redis"] = string(want)
	require.Equal(t, streams["redis"], streams["modhost"], fmt.Sprintf("redis:\n%q\nmodhost:\n%q", streams["redis"], streams["modhost"]))
}
