package main

import (
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/modhost/modhost/internal/hosttest"
)

// Redis 7.4's hash field expiration. Debian's redis-server is 7.0 and has
// none of these commands, so the expected replies are Redis 7.4's
// documented ones (t_hash.c of 7.4.0).

// ints is the RESP array of integers.
func ints(vs ...int64) string {
	var b strings.Builder
	fmt.Fprintf(&b, "*%d\r\n", len(vs))
	for _, v := range vs {
		fmt.Fprintf(&b, ":%d\r\n", v)
	}
	return b.String()
}

func TestHashFieldExpireReplies(t *testing.T) {
	srv := hosttest.StartModhost(t)
	c := srv.Conn(t)
	do := func(args ...string) string { return string(c.Do(args...)) }
	require.Equal(t, ":3\r\n", do("HSET", "h", "a", "1", "b", "2", "c", "3"))
	require.Equal(t, "$8\r\nlistpack\r\n", do("OBJECT", "ENCODING", "h"))

	require.Equal(t, ints(1, -2), do("HEXPIRE", "h", "100", "FIELDS", "2", "a", "nofield"))
	require.Equal(t, "$10\r\nlistpackex\r\n", do("OBJECT", "ENCODING", "h"))
	require.Equal(t, ints(0, 1), do("HEXPIRE", "h", "200", "NX", "FIELDS", "2", "a", "b"))
	require.Equal(t, ints(0, 1), do("HEXPIRE", "h", "300", "XX", "FIELDS", "2", "c", "b"))
	require.Equal(t, ints(0, 1, 0), do("HEXPIRE", "h", "250", "GT", "FIELDS", "3", "b", "a", "c"))
	require.Equal(t, ints(1, 1), do("HEXPIRE", "h", "50", "lt", "FIELDS", "2", "b", "c"), "LT holds for a field without TTL")
	require.Equal(t, ints(50, 250, 50, -2), do("HTTL", "h", "FIELDS", "4", "b", "a", "c", "x"))
	pttl := c.Do("HPTTL", "h", "FIELDS", "1", "a")
	ms, err := strconv.ParseInt(strings.TrimSpace(strings.Split(string(pttl), ":")[1]), 10, 64)
	require.NoError(t, err)
	require.InDelta(t, 250000, ms, 2000)

	// HGETALL of a listpackex lists fields by expiry, soonest first; c
	// got the same expiry as b after it, and goes before it (lpFindCb).
	require.Equal(t, "*6\r\n$1\r\nc\r\n$1\r\n3\r\n$1\r\nb\r\n$1\r\n2\r\n$1\r\na\r\n$1\r\n1\r\n", do("HGETALL", "h"))

	at := time.Now().Unix() + 1000
	require.Equal(t, ints(1), do("HEXPIREAT", "h", fmt.Sprint(at), "FIELDS", "1", "a"))
	require.Equal(t, ints(at), do("HEXPIRETIME", "h", "FIELDS", "1", "a"))
	require.Equal(t, ints(at*1000), do("HPEXPIRETIME", "h", "FIELDS", "1", "a"))
	require.Equal(t, ints(1), do("HPEXPIREAT", "h", fmt.Sprint(at*1000+1), "FIELDS", "1", "a"))
	require.Equal(t, ints(at+1), do("HEXPIRETIME", "h", "FIELDS", "1", "a"), "seconds round up")

	require.Equal(t, ints(1, -1, -2), do("HPERSIST", "h", "FIELDS", "3", "a", "a", "zz"))
	// A time not in the future deletes the field (reply 2).
	require.Equal(t, ints(2, -2), do("HPEXPIRE", "h", "0", "FIELDS", "2", "c", "c"))
	require.Equal(t, ":2\r\n", do("HLEN", "h"))
	require.Equal(t, ints(2, 2), do("HEXPIREAT", "h", "1", "FIELDS", "2", "a", "b"))
	require.Equal(t, ":0\r\n", do("EXISTS", "h"), "the last field gone deletes the key")

	// A missing key: one -2 per field; a listpack field has no TTL.
	require.Equal(t, ints(-2, -2), do("HEXPIRE", "nokey", "10", "FIELDS", "2", "a", "b"))
	require.Equal(t, ints(-2), do("HTTL", "nokey", "FIELDS", "1", "a"))
	require.Equal(t, ints(-2), do("HPERSIST", "nokey", "FIELDS", "1", "a"))
	do("HSET", "plain", "f", "v")
	require.Equal(t, ints(-1, -2), do("HTTL", "plain", "FIELDS", "2", "f", "g"))
	require.Equal(t, ints(-1), do("HPERSIST", "plain", "FIELDS", "1", "f"))
	require.Equal(t, "$8\r\nlistpack\r\n", do("OBJECT", "ENCODING", "plain"))

	errs := []struct {
		args []string
		want string
	}{
		{[]string{"HEXPIRE", "h", "10", "FIELDS", "1"}, "-ERR wrong number of arguments for 'hexpire' command\r\n"},
		{[]string{"HTTL", "h", "FIELDS", "1"}, "-ERR wrong number of arguments for 'httl' command\r\n"},
		{[]string{"HEXPIRE", "plain", "x", "FIELDS", "1", "f"}, "-ERR value is not an integer or out of range\r\n"},
		{[]string{"HEXPIRE", "plain", "-1", "FIELDS", "1", "f"}, "-ERR invalid expire time, must be >= 0\r\n"},
		{[]string{"HEXPIRE", "plain", "99999999999999", "FIELDS", "1", "f"}, "-ERR invalid expire time in 'hexpire' command\r\n"},
		{[]string{"HPEXPIREAT", "plain", "70368744177664", "FIELDS", "1", "f"}, "-ERR invalid expire time in 'hpexpireat' command\r\n"},
		{[]string{"HEXPIRE", "plain", "10", "NX", "FELDS", "1", "f"}, "-ERR Mandatory argument FIELDS is missing or not at the right position\r\n"},
		{[]string{"HEXPIRE", "plain", "10", "FIELDS", "0", "f"}, "-ERR Parameter `numFields` should be greater than 0\r\n"},
		{[]string{"HEXPIRE", "plain", "10", "FIELDS", "2", "f"}, "-ERR The `numfields` parameter must match the number of arguments\r\n"},
		{[]string{"HTTL", "plain", "FIELDS", "x", "f"}, "-ERR Number of fields must be a positive integer\r\n"},
		{[]string{"HPERSIST", "plain", "FIELD", "1", "f"}, "-ERR Mandatory argument FIELDS is missing or not at the right position\r\n"},
	}
	for _, e := range errs {
		require.Equal(t, e.want, do(e.args...), "%v", e.args)
	}
	do("SET", "str", "x")
	require.Equal(t, "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n", do("HEXPIRE", "str", "x", "FIELDS", "1", "f"), "type checked first")
	require.Equal(t, "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n", do("HTTL", "str", "FIELDS", "1", "f"))
}

func TestHashFieldExpiryByTime(t *testing.T) {
	srv := hosttest.StartModhost(t)
	c := srv.Conn(t)
	do := func(args ...string) string { return string(c.Do(args...)) }
	for _, n := range []int{3, 600} { // listpackex and hashtable
		key := fmt.Sprint("h", n)
		args := []string{"HSET", key}
		for i := range n {
			args = append(args, fmt.Sprint("f", i), fmt.Sprint(i))
		}
		do(args...)
		require.Equal(t, ints(1, 1), do("HPEXPIRE", key, "100", "FIELDS", "2", "f0", "f1"))
		time.Sleep(150 * time.Millisecond)
		// Read-only views hide expired fields without deleting them.
		require.Equal(t, fmt.Sprintf("*%d\r\n", 2*(n-2)), strings.SplitN(do("HGETALL", key), "\r\n", 2)[0]+"\r\n")
		require.NotContains(t, do("HKEYS", key), "$2\r\nf0\r\n")
		require.NotContains(t, do("HSCAN", key, "0", "COUNT", "1000"), "$2\r\nf1\r\n")
		// Access deletes lazily; HEXISTS/HGET/HSTRLEN read them as missing.
		require.Equal(t, "$-1\r\n", do("HGET", key, "f0"))
		require.Equal(t, ":0\r\n", do("HEXISTS", key, "f1"))
		require.Equal(t, ":0\r\n", do("HSTRLEN", key, "f1"))
		require.Equal(t, fmt.Sprintf(":%d\r\n", n-2), do("HLEN", key))
	}
	// HINCRBY keeps the TTL; HSET drops it.
	do("HSET", "k", "n", "1", "m", "1")
	do("HEXPIRE", "k", "100", "FIELDS", "2", "n", "m")
	require.Equal(t, ":6\r\n", do("HINCRBY", "k", "n", "5"))
	require.Equal(t, ints(100), do("HTTL", "k", "FIELDS", "1", "n"))
	do("HSET", "k", "m", "2")
	require.Equal(t, ints(-1), do("HTTL", "k", "FIELDS", "1", "m"))

	// Active expiry removes the key once every field has expired.
	do("HSET", "gone", "a", "1", "b", "2")
	do("HPEXPIRE", "gone", "50", "FIELDS", "2", "a", "b")
	require.Eventually(t, func() bool { return do("EXISTS", "gone") == ":0\r\n" }, 3*time.Second, 20*time.Millisecond)
	require.Contains(t, do("INFO", "stats"), "expired_subkeys:")
	require.NotContains(t, do("INFO", "stats"), "expired_subkeys:0\r\n")
}

func TestHashFieldExpireNotifications(t *testing.T) {
	srv := hosttest.StartModhost(t)
	c := srv.Conn(t)
	c.Do("CONFIG", "SET", "notify-keyspace-events", "Egh")
	sub := srv.Conn(t)
	require.NoError(t, sub.Send(hosttest.AppendCommand(nil, "PSUBSCRIBE", "__keyevent@0__:*")))
	_, err := sub.ReadFrame()
	require.NoError(t, err)
	c.Do("HSET", "h", "a", "1", "b", "2")
	c.Do("HPEXPIRE", "h", "30", "FIELDS", "1", "a")
	c.Do("HEXPIRE", "h", "100", "FIELDS", "1", "b")
	c.Do("HPERSIST", "h", "FIELDS", "1", "b")
	time.Sleep(60 * time.Millisecond)
	c.Do("HGET", "h", "a") // lazy (or already active) expiry: hexpired
	c.Do("HPEXPIRE", "h", "0", "FIELDS", "1", "b")
	want := []string{"hset", "hexpire", "hexpire", "hpersist", "hexpired", "hdel", "del"}
	var got []string
	for range want {
		f, err := sub.ReadFrame()
		require.NoError(t, err)
		parts := strings.Split(string(f.Raw), "\r\n")
		ch := parts[len(parts)-4]
		got = append(got, strings.TrimPrefix(ch, "__keyevent@0__:"))
	}
	require.Equal(t, want, got)
}

func TestHashFieldTTLPersistence(t *testing.T) {
	dir := t.TempDir()
	bin := hosttest.ModhostBin(t)
	s := startIn(t, bin, dir, "--save", "")
	c := s.Conn(t)
	do := func(c *hosttest.Conn, args ...string) string { return string(c.Do(args...)) }
	do(c, "HSET", "small", "a", "1", "b", "2")
	do(c, "HEXPIRE", "small", "1000", "FIELDS", "1", "a")
	args := []string{"HSET", "big"}
	for i := range 600 {
		args = append(args, fmt.Sprint("f", i), "v")
	}
	do(c, args...)
	do(c, "HEXPIRE", "big", "2000", "FIELDS", "1", "f3")
	check := func(c *hosttest.Conn, what string) {
		require.Equal(t, ints(1000, -1), do(c, "HTTL", "small", "FIELDS", "2", "a", "b"), what)
		require.Equal(t, ints(2000, -1), do(c, "HTTL", "big", "FIELDS", "2", "f3", "f4"), what)
		require.Equal(t, "$10\r\nlistpackex\r\n", do(c, "OBJECT", "ENCODING", "small"), what)
	}
	require.Equal(t, "+OK\r\n", do(c, "DEBUG", "RELOAD"))
	check(c, "after DEBUG RELOAD")

	// DUMP carries RDB version 12; RESTORE brings the TTLs back.
	payload := c.Do("DUMP", "small")
	body := strings.SplitN(string(payload), "\r\n", 2)[1]
	body = strings.TrimSuffix(body, "\r\n")
	require.Equal(t, byte(12), body[len(body)-10])
	require.Equal(t, "+OK\r\n", do(c, "RESTORE", "copy", "0", body))
	require.Equal(t, ints(1000, -1), do(c, "HTTL", "copy", "FIELDS", "2", "a", "b"))

	// An explicit older rdb-version refuses to drop field TTLs.
	require.Equal(t, "+OK\r\n", do(c, "CONFIG", "SET", "rdb-version", "11"))
	require.Contains(t, do(c, "DUMP", "small"), "needs RDB version 12")
	require.True(t, strings.HasPrefix(do(c, "SAVE"), "-"), "SAVE fails rather than losing TTLs")
	require.Equal(t, "+OK\r\n", do(c, "CONFIG", "SET", "rdb-version", "12"))
	require.Equal(t, "+OK\r\n", do(c, "SAVE"))
	s.Kill()

	s2 := startIn(t, bin, dir, "--save", "")
	check(s2.Conn(t), "after restart")
}
