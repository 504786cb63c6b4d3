package main

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/modhost/modhost/internal/hosttest"
)

// dumpFixture fills a server with one key of every core type.
var dumpFixture = [][]string{
	{"SET", "str", "hello"},
	{"SET", "num", "12345"},
	{"SET", "long", "a long string value that LZF may compress when rdbcompression is on, on, on, on"},
	{"RPUSH", "list", "a", "b", "1", "2"},
	{"HSET", "hash", "f", "v", "n", "5"},
	{"ZADD", "zset", "1", "a", "2.5", "b"},
	{"SADD", "intset", "1", "2", "3"},
	{"SADD", "set", "x", "y"},
	{"XADD", "stream", "1-1", "a", "b"},
}

// dumpReaders read a key back in a comparable form.
var dumpReaders = map[string][]string{
	"str": {"GET"}, "num": {"GET"}, "long": {"GET"}, "list": {"LRANGE", "", "0", "-1"},
	"hash": {"HGETALL"}, "zset": {"ZRANGE", "", "0", "-1", "WITHSCORES"},
	"intset": {"SMEMBERS"}, "set": {"SMEMBERS"}, "stream": {"XRANGE", "", "-", "+"},
}

// readKey reads key with the reader of fixture key kind.
func readKey(c *hosttest.Conn, kind, key string) string {
	r := dumpReaders[kind]
	args := []string{r[0], key}
	if len(r) > 1 {
		args = append([]string{r[0], key}, r[2:]...)
	}
	f, err := c.Command(args...)
	if err != nil {
		return err.Error()
	}
	if f.Type == '*' || f.Type == '~' || f.Type == '%' {
		// Sets may come back in any order.
		return sortedRaw(f)
	}
	return string(f.Raw)
}

func sortedRaw(f *hosttest.Frame) string {
	var parts []string
	for _, e := range f.Elems {
		parts = append(parts, string(e.Raw))
	}
	for i := 1; i < len(parts); i++ {
		for j := i; j > 0 && parts[j-1] > parts[j]; j-- {
			parts[j-1], parts[j] = parts[j], parts[j-1]
		}
	}
	out := ""
	for _, p := range parts {
		out += p
	}
	return out
}

// TestDumpRestoreInterop moves every core type both ways between Debian's
// redis-server 7.0 and modhost with DUMP/RESTORE (modhost writes RDB
// version 10 payloads for 7.0 with --rdb-version 10) and checks RESTORE's
// errors against Redis.
func TestDumpRestoreInterop(t *testing.T) {
	redis := hosttest.StartRedis(t).Conn(t)
	mh := hosttest.StartModhost(t, "--rdb-version", "10").Conn(t)
	for _, c := range []*hosttest.Conn{redis, mh} {
		for _, cmd := range dumpFixture {
			f, err := c.Command(cmd...)
			require.NoError(t, err)
			require.False(t, f.IsError(), "%v: %s", cmd, f.Raw)
		}
	}
	pairs := []struct {
		name     string
		from, to *hosttest.Conn
	}{{"redis->modhost", redis, mh}, {"modhost->redis", mh, redis}}
	for _, p := range pairs {
		for _, cmd := range dumpFixture {
			key := cmd[1]
			f, err := p.from.Command("DUMP", key)
			require.NoError(t, err)
			require.Equal(t, byte('$'), f.Type, "%s DUMP %s: %s", p.name, key, f.Raw)
			g, err := p.to.Command("RESTORE", key+":copy", "0", string(f.Str))
			require.NoError(t, err)
			require.Equal(t, "+OK\r\n", string(g.Raw), "%s RESTORE %s", p.name, key)
			require.Equal(t, readKey(p.from, key, key), readKey(p.to, key, key+":copy"), "%s %s", p.name, key)
		}
	}
	// Error paths, identical on both servers.
	payload, err := mh.Command("DUMP", "str")
	require.NoError(t, err)
	bad := []byte(string(payload.Str))
	bad[len(bad)-1] ^= 0xff
	for _, c := range []*hosttest.Conn{redis, mh} {
		require.Equal(t, "$-1\r\n", string(c.Do("DUMP", "nosuchkey")))
		require.Equal(t, "-BUSYKEY Target key name already exists.\r\n", string(c.Do("RESTORE", "str", "0", string(payload.Str))))
		require.Equal(t, "-ERR DUMP payload version or checksum are wrong\r\n", string(c.Do("RESTORE", "x1", "0", string(bad))))
		require.Equal(t, "-ERR Invalid TTL value, must be >= 0\r\n", string(c.Do("RESTORE", "x1", "-5", string(payload.Str))))
		require.Equal(t, "-ERR syntax error\r\n", string(c.Do("RESTORE", "x1", "0", string(payload.Str), "BOGUS")))
		require.Equal(t, "-ERR Invalid FREQ value, must be >= 0 and <= 255\r\n", string(c.Do("RESTORE", "x1", "0", string(payload.Str), "FREQ", "300")))
		require.Equal(t, "+OK\r\n", string(c.Do("RESTORE", "str", "0", string(payload.Str), "REPLACE")))
		require.Equal(t, "+OK\r\n", string(c.Do("RESTORE", "ttlkey", "100000", string(payload.Str))))
		require.Equal(t, ":1\r\n", string(c.Do("EXISTS", "ttlkey")))
		ttl := string(c.Do("PTTL", "ttlkey"))
		require.Regexp(t, `^:\d+\r\n$`, ttl)
		require.Equal(t, "+OK\r\n", string(c.Do("RESTORE", "past", "1", string(payload.Str), "ABSTTL")))
		require.Equal(t, ":0\r\n", string(c.Do("EXISTS", "past")))
	}
}
