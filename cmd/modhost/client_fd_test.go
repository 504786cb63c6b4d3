package main

import (
	"regexp"
	"strconv"
	"testing"

	"github.com/modhost/modhost/internal/hosttest"
	"github.com/stretchr/testify/require"
)

// TestClientInfoFd: CLIENT INFO and CLIENT LIST show a connection's real
// socket descriptor (distinct per connection) and fd=-1 for the client of
// RedisModule_Call, as Redis does (it was a constant 8 before), on
// redis-server 7.0.15 and modhost alike.
func TestClientInfoFd(t *testing.T) {
	fdOf := regexp.MustCompile(` fd=(-?\d+) `)
	for _, srv := range []*hosttest.Server{
		hosttest.StartServer(t, hosttest.RedisBin(t), "--save", "", "--loadmodule", moduleSO(t, "test_call")),
		hosttest.StartModhost(t, "--save", "", "--loadmodule", moduleSO(t, "test_call")),
	} {
		a, b := srv.Conn(t), srv.Conn(t)
		fa := fdOf.FindSubmatch(a.Do("CLIENT", "INFO"))
		fb := fdOf.FindSubmatch(b.Do("CLIENT", "INFO"))
		require.NotNil(t, fa)
		require.NotNil(t, fb)
		na, _ := strconv.Atoi(string(fa[1]))
		nb, _ := strconv.Atoi(string(fb[1]))
		require.Positive(t, na)
		require.Positive(t, nb)
		require.NotEqual(t, na, nb, "each connection its own descriptor")
		require.Regexp(t, `fd=-1 `, string(a.Do("tcall.call", "s", "CLIENT", "INFO")))
	}
}
