package main

import (
	"testing"

	"github.com/stretchr/testify/require"
)

// TestClientNoTouch checks CLIENT NO-TOUCH (Redis 7.2; 7.0.15 has no such
// subcommand, so this runs on modhost only): the client's lookups leave
// the LFU counter alone, except TOUCH. A new key's counter is 5 and the
// first access always raises it (the increment's probability is 1 at the
// initial value), so OBJECT FREQ shows whether a lookup touched the key.
func TestClientNoTouch(t *testing.T) {
	s := startModhost(t)
	c := s.Conn(t)
	do := func(want string, args ...string) {
		t.Helper()
		require.Equal(t, want, string(c.Do(args...)), "%v", args)
	}
	do("+OK\r\n", "CONFIG", "SET", "maxmemory-policy", "allkeys-lfu")
	do("-ERR wrong number of arguments for 'client|no-touch' command\r\n", "CLIENT", "NO-TOUCH")
	do("-ERR syntax error\r\n", "CLIENT", "NO-TOUCH", "maybe")
	do("+OK\r\n", "CLIENT", "NO-TOUCH", "on")
	do("+OK\r\n", "SET", "k", "v")
	do(":5\r\n", "OBJECT", "FREQ", "k")
	do("$1\r\nv\r\n", "GET", "k")
	do(":1\r\n", "EXISTS", "k")
	do(":1\r\n", "STRLEN", "k")
	do("+OK\r\n", "MULTI")
	do("+QUEUED\r\n", "GET", "k")
	do("*1\r\n$1\r\nv\r\n", "EXEC")
	do(":5\r\n", "OBJECT", "FREQ", "k")
	do(":1\r\n", "TOUCH", "k")
	do(":6\r\n", "OBJECT", "FREQ", "k")
	require.Contains(t, string(c.Do("CLIENT", "INFO")), " flags=T ")
	do("+OK\r\n", "SET", "j", "v")
	do("+OK\r\n", "CLIENT", "NO-TOUCH", "off")
	do("$1\r\nv\r\n", "GET", "j")
	do(":6\r\n", "OBJECT", "FREQ", "j")
}
