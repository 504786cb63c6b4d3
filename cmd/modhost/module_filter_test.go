package main

import (
	"testing"

	"github.com/modhost/modhost/internal/hosttest"
	"github.com/stretchr/testify/require"
)

// TestModuleFilterNoSelf: with REDISMODULE_CMDFILTER_NOSELF the filter
// leaves its own module's Calls alone but still rewrites client commands;
// without it both are rewritten. Same answers from Redis and modhost.
func TestModuleFilterNoSelf(t *testing.T) {
	so := moduleSO(t, "test_filter")
	tests := []struct {
		name     string
		args     []string
		client   string
		fromCall string
	}{
		{"noself", []string{"noself"}, "$2\r\nR!\r\n", "$2\r\n@r\r\n"},
		{"default", nil, "$2\r\nR!\r\n", "$2\r\nR!\r\n"},
	}
	for _, tc := range tests {
		load := append([]string{"--loadmodule", so}, tc.args...)
		servers := map[string]*hosttest.Server{"modhost": hosttest.StartModhost(t, load...), "redis": hosttest.StartRedis(t, load...)}
		for name, s := range servers {
			t.Run(tc.name+"/"+name, func(t *testing.T) {
				c := s.Conn(t)
				require.Equal(t, tc.client, string(c.Do("ECHO", "@r")))
				require.Equal(t, tc.fromCall, string(c.Do("tfilter.call", "ECHO", "@r")))
			})
		}
	}
}

// TestModuleFilterClientID: CommandFilterGetClientId (Redis 7.2+) names
// the client whose command is filtered, and INFO modules counts filters.
func TestModuleFilterClientID(t *testing.T) {
	s := hosttest.StartModhost(t, "--loadmodule", moduleSO(t, "test_filter"))
	a, b := s.Conn(t), s.Conn(t)
	for _, c := range []*hosttest.Conn{a, b, a} {
		f, err := c.Command("tfilter.seen")
		require.NoError(t, err)
		require.Len(t, f.Elems, 2)
		require.Equal(t, "1", string(f.Elems[1].Str), "the filter saw another client's id")
	}
	require.Contains(t, infoField(t, a, "modules", "module"), "filters=1")
	require.Equal(t, "+OK\r\n", string(a.Do("tfilter.unregister")))
	require.Contains(t, infoField(t, a, "modules", "module"), "filters=0")
}
