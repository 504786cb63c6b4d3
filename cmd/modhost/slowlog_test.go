package main

import (
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/modhost/modhost/internal/hosttest"
	"github.com/stretchr/testify/require"
)

// slowlogEntries returns SLOWLOG GET -1.
func slowlogEntries(t *testing.T, c *hosttest.Conn) []*hosttest.Frame {
	t.Helper()
	f, err := c.Command("SLOWLOG", "GET", "-1")
	require.NoError(t, err)
	require.Equal(t, byte('*'), f.Type, "%s", f)
	return f.Elems
}

// entryArgs returns the logged arguments of one slow log entry.
func entryArgs(e *hosttest.Frame) []string {
	var out []string
	for _, a := range e.Elems[3].Elems {
		out = append(out, string(a.Str))
	}
	return out
}

// TestSlowlogEntries checks the entries both servers log: ids, newest
// first, trimmed arguments, the client's address and name, max-len and
// RESET. Run against redis-server too, so the expectations are Redis's.
func TestSlowlogEntries(t *testing.T) {
	for _, kind := range []string{"redis", "modhost"} {
		t.Run(kind, func(t *testing.T) {
			var srv *hosttest.Server
			if kind == "redis" {
				srv = hosttest.StartRedis(t)
			} else {
				srv = hosttest.StartModhost(t)
			}
			c := srv.Conn(t)
			c.Do("CONFIG", "SET", "slowlog-log-slower-than", "0")
			c.Do("SLOWLOG", "RESET")
			c.Do("CLIENT", "SETNAME", "slowpoke")
			long := strings.Repeat("x", 200)
			c.Do("SET", "k", long)
			many := []string{"RPUSH", "l"}
			for i := 0; i < 40; i++ {
				many = append(many, strconv.Itoa(i))
			}
			c.Do(many...)
			es := slowlogEntries(t, c)
			// Newest first; SLOWLOG RESET and CLIENT SETNAME are logged too.
			require.Len(t, es, 4)
			rpush, set := es[0], es[1]
			require.Len(t, rpush.Elems, 6)
			args := entryArgs(rpush)
			require.Len(t, args, 32)
			require.Equal(t, []string{"RPUSH", "l", "0"}, args[:3])
			require.Equal(t, "... (11 more arguments)", args[31])
			require.Equal(t, []string{"SET", "k", strings.Repeat("x", 128) + "... (72 more bytes)"}, entryArgs(set))
			id0, _ := strconv.Atoi(string(rpush.Elems[0].Str))
			id1, _ := strconv.Atoi(string(set.Elems[0].Str))
			require.Equal(t, id1+1, id0)
			ts, _ := strconv.ParseInt(string(rpush.Elems[1].Str), 10, 64)
			require.InDelta(t, time.Now().Unix(), ts, 5)
			require.Equal(t, "slowpoke", string(rpush.Elems[5].Str))
			addr := string(rpush.Elems[4].Str)
			require.True(t, strings.HasPrefix(addr, "127.0.0.1:"), addr)

			// The default count is 10; slowlog-max-len trims the oldest.
			for i := 0; i < 15; i++ {
				c.Do("PING")
			}
			require.Len(t, slowlogEntries(t, c), 20)
			f, err := c.Command("SLOWLOG", "GET")
			require.NoError(t, err)
			require.Len(t, f.Elems, 10)
			c.Do("CONFIG", "SET", "slowlog-max-len", "4")
			require.Equal(t, ":4\r\n", string(c.Do("SLOWLOG", "LEN")))
			// Disabled: nothing is logged.
			c.Do("CONFIG", "SET", "slowlog-log-slower-than", "-1")
			require.Equal(t, "+OK\r\n", string(c.Do("SLOWLOG", "RESET")))
			c.Do("PING")
			require.Equal(t, ":0\r\n", string(c.Do("SLOWLOG", "LEN")))
		})
	}
}

// cmdstatUsec returns the calls and usec of one command in INFO
// commandstats.
func cmdstatUsec(t *testing.T, c *hosttest.Conn, name string) (calls, usec int64) {
	t.Helper()
	v := infoField(t, c, "commandstats", "cmdstat_"+name)
	for _, kv := range strings.Split(v, ",") {
		k, val, _ := strings.Cut(kv, "=")
		n, _ := strconv.ParseInt(val, 10, 64)
		switch k {
		case "calls":
			calls = n
		case "usec":
			usec = n
		}
	}
	return calls, usec
}

// TestSlowlogBlockedModuleCommand checks that a blocked module command is
// counted when it is unblocked, with the background time the module
// measured and not the time it merely waited (as Redis does).
func TestSlowlogBlockedModuleCommand(t *testing.T) {
	for _, kind := range []string{"redis", "modhost"} {
		t.Run(kind, func(t *testing.T) {
			args := []string{"--loadmodule", moduleSO(t, "test_block")}
			var srv *hosttest.Server
			if kind == "redis" {
				srv = hosttest.StartRedis(t, args...)
			} else {
				srv = hosttest.StartModhost(t, args...)
			}
			c := srv.Conn(t)
			c.Do("CONFIG", "SET", "slowlog-log-slower-than", "100000")
			c.Do("SLOWLOG", "RESET")
			c.Do("CONFIG", "RESETSTAT")
			require.Equal(t, "*2\r\n:7\r\n:1\r\n", string(c.Do("TBLOCK.THREAD", "150", "7")))
			require.Equal(t, ":0\r\n", string(c.Do("SLOWLOG", "LEN")), "unmeasured waiting is not command time")
			calls, usec := cmdstatUsec(t, c, "tblock.thread")
			require.Equal(t, int64(1), calls)
			require.Less(t, usec, int64(100000))

			require.Equal(t, "*2\r\n:8\r\n:1\r\n", string(c.Do("TBLOCK.MEASURED", "150", "8")))
			es := slowlogEntries(t, c)
			require.Len(t, es, 1)
			require.Equal(t, []string{"TBLOCK.MEASURED", "150", "8"}, entryArgs(es[0]))
			d, _ := strconv.ParseInt(string(es[0].Elems[2].Str), 10, 64)
			require.GreaterOrEqual(t, d, int64(150000))
			calls, usec = cmdstatUsec(t, c, "tblock.measured")
			require.Equal(t, int64(1), calls)
			require.GreaterOrEqual(t, usec, int64(150000))
			// The histogram of INFO latencystats has the same time.
			p50 := infoField(t, c, "latencystats", "latency_percentiles_usec_tblock.measured")
			v, err := strconv.ParseFloat(strings.TrimPrefix(strings.Split(p50, ",")[0], "p50="), 64)
			require.NoError(t, err, p50)
			require.GreaterOrEqual(t, v, 150000.0)
		})
	}
}
