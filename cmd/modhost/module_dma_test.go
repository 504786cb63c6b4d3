package main

import (
	"testing"

	"github.com/modhost/modhost/internal/hosttest"
	"github.com/stretchr/testify/require"
)

// TestModuleReadDMAWritesStick: a module that opens a key READ|WRITE and
// writes through a READ-mode StringDMA pointer (as countminsketch does)
// changes the value in Redis, whose pointer is the value's own memory;
// modhost must give the same bytes, for a raw string and for an int- or
// embstr-encoded one that the DMA call converts.
func TestModuleReadDMAWritesStick(t *testing.T) {
	args := append(append([]string(nil), hosttest.DiffArgs...), "--loadmodule", moduleSO(t, "test_crash"))
	servers := map[string]*hosttest.Server{
		"redis":   hosttest.StartRedis(t, args...),
		"modhost": hosttest.StartModhost(t, args...),
	}
	replies := map[string][]string{}
	for name, srv := range servers {
		c := srv.Conn(t)
		var got []string
		do := func(args ...string) { got = append(got, string(c.Do(args...))) }
		do("SET", "s", "abc")
		do("tcrash.dmaincr", "s")
		do("GET", "s")
		do("tcrash.dmaincr", "s")
		do("GET", "s")
		do("SET", "n", "123")
		do("tcrash.dmaincr", "n")
		do("GET", "n")
		do("OBJECT", "ENCODING", "n")
		do("tcrash.dmaincr", "missing")
		replies[name] = got
	}
	require.Equal(t, "$3\r\ncde\r\n", replies["redis"][4], "Redis itself must show the DMA writes")
	require.Equal(t, replies["redis"], replies["modhost"])
}
