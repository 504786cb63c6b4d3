package main

import (
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/modhost/modhost/internal/hosttest"
	"github.com/stretchr/testify/require"
)

// keyEventStep is one step of TestModuleKeyServerEvent: commands whose replies
// both servers must agree on, then the Key events modhost must have fired
// (test_keyevent's lines, in order).
type keyEventStep struct {
	name   string
	cmds   [][]string
	wait   func(t *testing.T, c *hosttest.Conn) // after cmds: wait for an expiry
	events []string
}

// cmds builds a command list from space-separated commands.
func cmds(lines ...string) [][]string {
	var out [][]string
	for _, l := range lines {
		out = append(out, strings.Fields(l))
	}
	return out
}

// awaitReply repeats cmd until it answers want (an expiry has happened).
func awaitReply(want string, cmd ...string) func(t *testing.T, c *hosttest.Conn) {
	return func(t *testing.T, c *hosttest.Conn) {
		require.Eventually(t, func() bool { return string(c.Do(cmd...)) == want },
			10*time.Second, 2*time.Millisecond, "%v never answered %q", cmd, want)
	}
}

// keyEventSteps drives every path Redis 7.2 fires the Key event on, and
// some it does not fire on (INCR, FLUSHALL). Each line is
// sub:db:key:old value:has TTL:reopened:EXISTS from the callback.
var keyEventSteps = []keyEventStep{
	{"overwrite", cmds("SET s v1", "SET s v2", "SET s v3 EX 100", "SET s v4"), nil, []string{
		"overwritten:db=0:s:v1:ttl=0:open=1:call=1", // SET's in-place path
		"overwritten:db=0:s:v2:ttl=0:open=1:call=1",
		"overwritten:db=0:s:v3:ttl=1:open=1:call=1",
	}},
	{"del", cmds("DEL s"), nil, []string{"deleted:db=0:s:v4:ttl=0:open=1:call=1"}},
	{"unlink", cmds("RPUSH l a b", "UNLINK l"), nil, []string{"deleted:db=0:l:type2/2:ttl=0:open=1:call=1"}},
	{"getdel", cmds("SET g v", "GETDEL g"), nil, []string{"deleted:db=0:g:v:ttl=0:open=1:call=1"}},
	// The popped list is deleted once empty, as Redis does.
	{"emptied", cmds("RPUSH q a", "LPOP q"), nil, []string{"deleted:db=0:q:type2/0:ttl=0:open=1:call=1"}},
	{"incr is no event", cmds("SET n 1", "INCR n", "APPEND n 2"), nil, nil},
	{"expire in the past", cmds("SET x v", "EXPIRE x -1"), nil, []string{"expired:db=0:x:v:ttl=0:open=1:call=1"}},
	{"getex in the past", cmds("SET x w", "GETEX x PXAT 1"), nil, []string{"expired:db=0:x:w:ttl=0:open=1:call=1"}},
	// Lazy expiry: the expired key is still readable from the callback.
	{"lazy expiry", cmds("DEBUG SET-ACTIVE-EXPIRE 0", "SET e v PX 1"), awaitReply("$-1\r\n", "GET", "e"),
		[]string{"expired:db=0:e:v:ttl=1:open=1:call=1"}},
	{"active expiry", cmds("DEBUG SET-ACTIVE-EXPIRE 1", "FLUSHALL", "SET a v PX 1"), awaitReply(":0\r\n", "DBSIZE"),
		[]string{"expired:db=0:a:v:ttl=1:open=1:call=1"}},
	{"rename over a key", cmds("SET r1 a", "SET r2 b", "RENAME r1 r2"), nil, []string{
		"deleted:db=0:r2:b:ttl=0:open=1:call=1",
		"deleted:db=0:r1:a:ttl=0:open=1:call=1",
	}},
	{"move", cmds("SET m v", "MOVE m 1", "SELECT 1", "DEL m", "SELECT 0"), nil, []string{
		"deleted:db=0:m:v:ttl=0:open=1:call=1",
		"deleted:db=1:m:v:ttl=0:open=1:call=1",
	}},
	{"copy replace", cmds("SET c1 a", "SET c2 b", "COPY c1 c2 REPLACE"), nil, []string{
		"deleted:db=0:c2:b:ttl=0:open=1:call=1",
	}},
	{"store over a key", cmds("SADD s1 a", "SET d x", "SUNIONSTORE d s1"), nil, []string{
		"overwritten:db=0:d:x:ttl=0:open=1:call=1",
	}},
	{"flush is no event", cmds("FLUSHALL", "SET f v", "FLUSHDB"), nil, nil},
	{"eviction", cmds("CONFIG SET maxmemory-policy allkeys-random", "SET ev v", "CONFIG SET maxmemory 1",
		"SET y 1", "CONFIG SET maxmemory 0", "CONFIG SET maxmemory-policy noeviction"), nil, []string{
		"evicted:db=0:ev:v:ttl=0:open=1:call=1",
	}},
}

// TestModuleKeyServerEvent checks the Key server event (Redis 7.2) with
// test_keyevent: modhost fires it at each point Redis 7.2 does, with the
// key still holding its old value and TTL. Redis 7.0 has no such event:
// the module loads there without it, the subscription refused, and both
// servers must answer every command of the steps the same way.
func TestModuleKeyServerEvent(t *testing.T) {
	servers := eventServers(t, "test_keyevent")
	conns := map[string]*hosttest.Conn{}
	for name, s := range servers {
		conns[name] = s.Conn(t)
	}
	mh, rd := conns["modhost"], conns["redis"]
	require.Equal(t, ":1\r\n", string(mh.Do("tkeyev.available")))
	require.Equal(t, "*5\r\n:1\r\n:1\r\n:1\r\n:1\r\n:0\r\n", string(mh.Do("tkeyev.supported")))
	require.Equal(t, ":0\r\n", string(rd.Do("tkeyev.available")), "Redis 7.0 has no Key event")
	for _, st := range keyEventSteps {
		for _, cmd := range st.cmds {
			want := string(rd.Do(cmd...))
			require.Equal(t, want, string(mh.Do(cmd...)), "%s: %v", st.name, cmd)
		}
		if st.wait != nil {
			st.wait(t, rd)
			st.wait(t, mh)
		}
		require.Equal(t, "*0\r\n", string(rd.Do("tkeyev.list")), st.name)
		got := mh.Do("tkeyev.list")
		want := "*" + strconv.Itoa(len(st.events)) + "\r\n"
		for _, e := range st.events {
			want += "+" + e + "\r\n"
		}
		require.Equal(t, want, string(got), st.name)
	}
}
