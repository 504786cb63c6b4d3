package main

import (
	"os"
	"strings"
	"testing"

	"github.com/modhost/modhost/internal/hosttest"
	"github.com/stretchr/testify/require"
)

func TestSearchDoc(t *testing.T) {
	tests := []struct {
		i         int
		id        string
		wantHello bool
	}{
		{0, "doc:0", true},
		{1, "doc:1", false},
		{2, "doc:2", true},
		{9999, "doc:9999", false},
	}
	for _, tc := range tests {
		args := searchDoc(tc.i)
		require.Equal(t, []string{"FT.ADD", "idx", tc.id, "1.0", "FIELDS"}, args[:5])
		require.Len(t, args, 11, "three field/value pairs")
		require.Equal(t, tc.wantHello, strings.HasPrefix(args[6], "hello "), "title %q", args[6])
	}
}

// TestFillSearch indexes a few documents into Debian's redis-server with
// the RediSearch module and checks the benchmarked query finds half.
func TestFillSearch(t *testing.T) {
	_, err := os.Stat(defaultSearchSO)
	require.NoError(t, err, "redis-redisearch missing: run scripts/install-deps.sh")
	s := hosttest.StartRedis(t, "--save", "", "--loadmodule", defaultSearchSO)
	c := s.Conn(t)
	require.NoError(t, fillSearch(c, 600))
	f, err := c.Command(append(searchQuery.cmd, "NOCONTENT")...)
	require.NoError(t, err)
	require.Equal(t, ":300\r\n", string(f.Elems[0].Raw), "reply %q", f.Raw)
	require.Len(t, f.Elems, 11, "total and ten ids")
}
