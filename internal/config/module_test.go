package config

import (
	"testing"

	"github.com/stretchr/testify/require"
)

// testModuleNum registers "m.num" (0..100, default 10) backed by *v; the
// setter refuses 13 without a message.
func testModuleNum(t *testing.T, c *Config, v *int64, applied *int) {
	t.Helper()
	spec := &ModuleConfigSpec{Module: "m", Name: "num", Kind: ModuleNumeric, DefNum: 10, Min: 0, Max: 100,
		GetNum: func() int64 { return *v },
		SetNum: func(x int64) (string, bool) {
			if x == 13 {
				return "", false
			}
			*v = x
			return "", true
		},
		Apply: func() (string, bool) {
			*applied++
			if *v == 99 {
				return "no 99", false
			}
			return "", true
		},
		ApplyKey: 1}
	require.NoError(t, c.RegisterModuleConfig(spec))
	require.Error(t, c.RegisterModuleConfig(spec))
}

func TestModuleConfigSet(t *testing.T) {
	c := New()
	var v int64
	applied := 0
	testModuleNum(t, c, &v, &applied)
	c.QueueModuleConfig("M.NUM", "42")
	require.NoError(t, c.LoadModuleConfigs("m"))
	require.Equal(t, int64(42), v)
	require.Empty(t, c.ModuleConfigs())
	cases := []struct {
		val, err string
		want     int64
	}{
		{"50", "", 50},
		{"101", "ERR CONFIG SET failed (possibly related to argument 'm.num') - argument must be between 0 and 100 inclusive", 50},
		{"13", "ERR CONFIG SET failed (possibly related to argument 'm.num')", 50},
		{"99", "ERR CONFIG SET failed (possibly related to argument 'num') - no 99", 50},
		{"7", "", 7},
	}
	for _, tc := range cases {
		err := c.Set([][2]string{{"m.num", tc.val}})
		if tc.err == "" {
			require.NoError(t, err, tc.val)
		} else {
			require.EqualError(t, err, tc.err, tc.val)
		}
		require.Equal(t, tc.want, v, tc.val)
	}
	require.Equal(t, [][2]string{{"m.num", "7"}}, c.Get("m.*"))
	require.Contains(t, c.RewriteContent(""), "m.num 7\n")
	c.RemoveModuleConfigs("m")
	require.Empty(t, c.Get("m.*"))
}

func TestModuleConfigLoadDefaultAndFailure(t *testing.T) {
	c := New()
	var v int64 = 3
	applied := 0
	testModuleNum(t, c, &v, &applied)
	require.NoError(t, c.LoadModuleConfigs("m"))
	require.Equal(t, int64(10), v)
	c.QueueModuleConfig("m.num", "abc")
	c.QueueModuleConfig("other.x", "1")
	err := c.LoadModuleConfigs("m")
	require.EqualError(t, err, "Issue during loading of configuration m.num : argument couldn't be parsed into an integer")
	require.Empty(t, c.ModuleConfigs())
}
