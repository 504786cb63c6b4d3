package main

import (
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/modhost/modhost/internal/hosttest"
)

// respCommands encodes cmds as a propagation stream.
func respCommands(cmds ...[]string) string {
	var b []byte
	for _, c := range cmds {
		b = hosttest.AppendCommand(b, c...)
	}
	return string(b)
}

// TestPropagationExecutionUnits: what one Redis 7.2 execution unit
// writes reaches the replication stream and the AOF together, in
// MULTI/EXEC when it is more than one command, with the SELECT inside
// the MULTI (7.2; Redis 7.0 put it before): a command with the writes of
// its keyspace-notification handler and post-notification job (job
// last), a module timer callback, a module thread's lock section, and
// the active expiry of one key (the handler's write, the DEL, the job).
// A modhost replica and a Redis 7.0 replica replay it to the master's
// dataset.
func TestPropagationExecutionUnits(t *testing.T) {
	so := moduleSO(t, "test_propagate")
	dir := t.TempDir()
	base := append([]string(nil), hosttest.DiffArgs...)
	master := hosttest.StartModhost(t, append(base, "--loadmodule", so, "--repl-ping-replica-period", "3600",
		"--repl-diskless-sync", "no", "--appendonly", "yes", "--appendfsync", "always", "--dir", dir)...)
	st := openSyncStream(t, master.Addr)
	replicaOf := []string{"--replicaof", "127.0.0.1", strconv.Itoa(master.Port)}
	replicas := []*hosttest.Server{
		hosttest.StartModhost(t, append(append([]string(nil), base...), replicaOf...)...),
		hosttest.StartRedis(t, append(append([]string(nil), base...), replicaOf...)...),
	}
	mc := master.Conn(t)
	for _, r := range replicas {
		rc := r.Conn(t)
		require.Eventually(t, func() bool {
			return replInfo(t, rc, "replication", "master_link_status") == "up"
		}, 20*time.Second, 50*time.Millisecond, "replica never came online")
	}

	mc.Do("DEBUG", "SET-ACTIVE-EXPIRE", "0")
	mc.Do("SELECT", "2")
	require.Equal(t, "+OK\r\n", string(mc.Do("SET", "w:a", "1")))
	require.Equal(t, "+OK\r\n", string(mc.Do("TPROP.TIMER")))
	require.Eventually(t, func() bool { return string(mc.Do("TPROP.DONE")) == ":1\r\n" }, 10*time.Second, 10*time.Millisecond)
	require.Equal(t, "+OK\r\n", string(mc.Do("TPROP.THREAD")))
	require.Eventually(t, func() bool { return string(mc.Do("TPROP.DONE")) == ":2\r\n" }, 10*time.Second, 10*time.Millisecond)
	mc.Do("SELECT", "0")
	require.Equal(t, "+OK\r\n", string(mc.Do("SET", "plain", "1")))
	at := time.Now().Add(100 * time.Millisecond).UnixMilli()
	require.Equal(t, "+OK\r\n", string(mc.Do("SET", "w:exp", "1")))
	require.Equal(t, ":1\r\n", string(mc.Do("PEXPIREAT", "w:exp", strconv.FormatInt(at, 10))))
	time.Sleep(time.Until(time.UnixMilli(at + 20))) // waits for the key to be due; asserts nothing
	mc.Do("DEBUG", "SET-ACTIVE-EXPIRE", "1")
	require.Eventually(t, func() bool { return string(mc.Do("DBSIZE")) == ":3\r\n" }, 10*time.Second, 10*time.Millisecond)
	require.Equal(t, "+OK\r\n", string(mc.Do("SET", "end", "1")))

	multi, exec := []string{"MULTI"}, []string{"EXEC"}
	want := respCommands(
		// SET in db 2: the handler's INCR, the SET, the job's INCR.
		multi, []string{"SELECT", "2"}, []string{"INCR", "n:notify"}, []string{"SET", "w:a", "1"}, []string{"INCR", "n:job"}, exec,
		// The timer callback: two INCRs, each after its handler's; the
		// jobs run when the callback has returned.
		multi, []string{"INCR", "n:notify"}, []string{"INCR", "w:timer"}, []string{"INCR", "n:notify"}, []string{"INCR", "w:timer"},
		[]string{"INCR", "n:job"}, []string{"INCR", "n:job"}, exec,
		// The thread's lock section: two Calls and a Replicate.
		multi, []string{"INCR", "thread"}, []string{"INCR", "thread"}, []string{"INCR", "thread:repl"}, exec,
		// One command alone: no MULTI, the SELECT before it.
		[]string{"SELECT", "0"}, []string{"SET", "plain", "1"},
		multi, []string{"INCR", "n:notify"}, []string{"SET", "w:exp", "1"}, []string{"INCR", "n:job"}, exec,
		multi, []string{"INCR", "n:notify"}, []string{"PEXPIREAT", "w:exp", strconv.FormatInt(at, 10)}, []string{"INCR", "n:job"}, exec,
		// Active expiry of one key: the "expired" handler's INCR, the DEL,
		// then the job.
		multi, []string{"INCR", "n:notify"}, []string{"DEL", "w:exp"}, []string{"INCR", "n:job"}, exec,
		[]string{"SET", "end", "1"},
	)
	got := st.readUntil(t, "$3\r\nend\r\n$1\r\n1\r\n")
	require.Equal(t, want, got)

	aof, err := os.ReadFile(filepath.Join(dir, "appendonlydir", "appendonly.aof.1.incr.aof"))
	require.NoError(t, err)
	require.Equal(t, want, string(aof), "the AOF gets the same units")

	digest := string(mc.Do("DEBUG", "DIGEST"))
	for _, r := range replicas {
		rc := r.Conn(t)
		require.Eventually(t, func() bool { return string(rc.Do("EXISTS", "end")) == ":1\r\n" }, 20*time.Second, 20*time.Millisecond)
		require.Equal(t, digest, string(rc.Do("DEBUG", "DIGEST")), "replica %s", r.Addr)
		rc.Do("SELECT", "2")
		require.Equal(t, "$1\r\n2\r\n", string(rc.Do("GET", "w:timer")))
		require.Equal(t, "$1\r\n1\r\n", string(rc.Do("GET", "thread:repl")))
	}

	// The AOF replays: a restart on it reaches the same dataset.
	master.Kill() // appendfsync always: every unit is on disk
	again := hosttest.StartModhost(t, append(base, "--appendonly", "yes", "--dir", dir)...)
	require.Equal(t, digest, string(again.Conn(t).Do("DEBUG", "DIGEST")), "after loading the AOF")
}
