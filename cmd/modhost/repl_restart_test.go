package main

import (
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/modhost/modhost/internal/hosttest"
	"github.com/stretchr/testify/require"
)

// shutdownSave stops s with SHUTDOWN SAVE and waits for its exit.
func shutdownSave(t *testing.T, s *hosttest.Server) {
	t.Helper()
	c := s.Conn(t)
	require.NoError(t, c.Send(hosttest.AppendCommand(nil, "SHUTDOWN", "SAVE")))
	require.Eventually(t, s.Exited, 20*time.Second, 20*time.Millisecond)
}

// TestReplicaRestartPartialResync: a modhost replica saved on SHUTDOWN
// keeps its master's replication id, offset and stream database in the
// RDB (repl-id, repl-offset, repl-stream-db) and, restarted with the
// same file, continues with a partial resync, as Redis 7.2 does; the
// master's writes made meanwhile (in the database its stream had
// selected, with no new SELECT) reach it. With a redis-server 7.0 and a
// modhost master.
func TestReplicaRestartPartialResync(t *testing.T) {
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
			dir := t.TempDir()
			rargs := append(args, "--dir", dir, "--replicaof", "127.0.0.1", strconv.Itoa(master.Port))
			replica := hosttest.StartModhost(t, rargs...)
			rc := replica.Conn(t)
			runWorkload(t, mc, replicaWorkload)
			runWorkload(t, mc, [][]string{{"SELECT", "5"}, {"SET", "in5", "a"}})
			waitInSync(t, mc, rc)
			replID := replInfo(t, mc, "replication", "master_replid")

			shutdownSave(t, replica)
			runWorkload(t, mc, [][]string{{"SET", "in5", "b"}, {"INCR", "c5"}})

			replica = hosttest.StartModhost(t, rargs...)
			rc = replica.Conn(t)
			waitInSync(t, mc, rc)
			require.Equal(t, "1", replInfo(t, mc, "stats", "sync_partial_ok"))
			require.Equal(t, "1", replInfo(t, mc, "stats", "sync_full"))
			require.Equal(t, replID, replInfo(t, rc, "replication", "master_replid"))
			require.True(t, strings.Contains(replica.Logs(), "Successful partial resynchronization with master."), replica.Logs())
			require.Equal(t, "+OK\r\n", string(rc.Do("SELECT", "5")))
			require.Equal(t, "$1\r\nb\r\n", string(rc.Do("GET", "in5")))
			require.Equal(t, "$1\r\n1\r\n", string(rc.Do("GET", "c5")))
		})
	}
}

// TestMasterRestartPartialResync: a modhost master restarted from its
// RDB keeps the saved history as its secondary id, so its replica (a
// redis-server 7.0 and a modhost one) continues with a partial resync and
// the new id (master_replid2 is the old one), as with Redis 7.2 (and 7.0).
func TestMasterRestartPartialResync(t *testing.T) {
	for _, kind := range []string{"redis", "modhost"} {
		t.Run(kind, func(t *testing.T) {
			args := replicaModuleArgs(t)
			dir := t.TempDir()
			margs := append(args, "--dir", dir)
			master := hosttest.StartModhost(t, margs...)
			mc := master.Conn(t)
			rargs := append(args, "--replicaof", "127.0.0.1", strconv.Itoa(master.Port))
			var replica *hosttest.Server
			if kind == "redis" {
				replica = hosttest.StartRedis(t, rargs...)
			} else {
				replica = hosttest.StartModhost(t, rargs...)
			}
			rc := replica.Conn(t)
			runWorkload(t, mc, replicaWorkload)
			waitInSync(t, mc, rc)
			oldID := replInfo(t, mc, "replication", "master_replid")

			shutdownSave(t, master)
			// The test servers get a new port on each start: the replica
			// is pointed at it (it keeps its cached master, so it offers
			// the old history).
			master = hosttest.StartModhost(t, margs...)
			mc = master.Conn(t)
			require.Equal(t, oldID, replInfo(t, mc, "replication", "master_replid2"))
			require.Equal(t, "+OK\r\n", string(rc.Do("REPLICAOF", "127.0.0.1", strconv.Itoa(master.Port))))
			runWorkload(t, mc, [][]string{{"SET", "after-restart", "1"}})
			waitInSync(t, mc, rc)
			require.Equal(t, "1", replInfo(t, mc, "stats", "sync_partial_ok"))
			require.Equal(t, "0", replInfo(t, mc, "stats", "sync_full"))
			require.Equal(t, oldID, replInfo(t, rc, "replication", "master_replid2"))
			require.Equal(t, "$1\r\n1\r\n", string(rc.Do("GET", "after-restart")))
		})
	}
}
