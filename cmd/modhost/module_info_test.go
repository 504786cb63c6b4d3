package main

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestModuleInfoSectionSelection: which INFO arguments include module
// sections, compared between Redis and modhost (the rest of INFO differs,
// so only the presence of the module's headers is compared).
func TestModuleInfoSectionSelection(t *testing.T) {
	servers := eventServers(t, "test_info")
	tests := []struct {
		args        []string
		main, extra bool
	}{
		{nil, false, false},
		{[]string{"default"}, false, false},
		{[]string{"all"}, false, false},
		{[]string{"everything"}, true, true},
		{[]string{"modules"}, true, true},
		{[]string{"all", "testinfo_extra"}, false, true},
		{[]string{"server", "testinfo"}, true, true},
		{[]string{"TestInfo"}, true, true},
	}
	for _, tc := range tests {
		for name, s := range servers {
			t.Run(name+"/"+strings.Join(tc.args, "_"), func(t *testing.T) {
				c := s.Conn(t)
				f, err := c.Command(append([]string{"INFO"}, tc.args...)...)
				require.NoError(t, err)
				text := string(f.Str)
				require.Equal(t, tc.main, strings.Contains(text, "# testinfo\r\ntestinfo_cstr:hello\r\n"), "%s", text)
				require.Equal(t, tc.extra, strings.Contains(text, "# testinfo_extra\r\ntestinfo_dict:a=1,b=two\r\n"), "%s", text)
			})
		}
	}
}

// TestModuleServerInfoFields: GetServerInfo reads the fields INFO shows,
// with and without a context (auto memory).
func TestModuleServerInfoFields(t *testing.T) {
	for name, s := range eventServers(t, "test_info") {
		t.Run(name, func(t *testing.T) {
			c := s.Conn(t)
			require.Equal(t, "+OK\r\n", string(c.Do("SET", "k", "v")))
			require.Equal(t, "$26\r\nkeys=1,expires=0,avg_ttl=0\r\n", string(c.Do("tinfo.getc", "keyspace", "db0")))
			require.Equal(t, "+OK\r\n", string(c.Do("CONFIG", "SET", "maxmemory-policy", "allkeys-lru")))
			require.Equal(t, "$11\r\nallkeys-lru\r\n", string(c.Do("tinfo.get", "memory", "maxmemory_policy")))
		})
	}
}
