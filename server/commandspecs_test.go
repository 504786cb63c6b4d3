package server_test

import (
	"io"
	"strings"
	"testing"

	"github.com/modhost/modhost/commands"
	"github.com/modhost/modhost/internal/config"
	"github.com/modhost/modhost/internal/logging"
	"github.com/modhost/modhost/server"
	"github.com/stretchr/testify/require"
)

func newServer(t *testing.T) *server.Server {
	t.Helper()
	srv := server.New(config.New(), logging.NewWriter(io.Discard, logging.Warning))
	srv.AddCommands(commands.Tables(), commands.DebugSubcommands())
	return srv
}

func argv(s string) [][]byte {
	var out [][]byte
	for _, w := range strings.Fields(s) {
		out = append(out, []byte(w))
	}
	return out
}

// TestCoreLegacyRangeMatchesSpecs checks that every core command's
// registered first/last/step and movablekeys agree with its key specs, the
// way Redis derives them.
func TestCoreLegacyRangeMatchesSpecs(t *testing.T) {
	srv := newServer(t)
	checked := 0
	var check func(c *commands.Command)
	check = func(c *commands.Command) {
		for _, sub := range c.Subs {
			check(sub)
		}
		if len(c.KeySpecs) == 0 {
			return
		}
		checked++
		first, last, step, movable := commands.LegacyRange(c.KeySpecs)
		require.Equal(t, []int{c.FirstKey, c.LastKey, c.KeyStep}, []int{first, last, step}, c.FullName)
		if movable {
			require.NotZero(t, c.Flags&commands.FlagMovableKeys, "%s should be movablekeys", c.FullName)
		}
	}
	for _, c := range srv.Cmds.All() {
		check(c)
	}
	require.Greater(t, checked, 100)
}

func TestLegacyRange(t *testing.T) {
	idx := func(pos, last, step int, f commands.KeyFlag) commands.KeySpec {
		return commands.KeySpec{Flags: f, Begin: commands.SearchIndex, Index: pos, Find: commands.FindRange, FK: [3]int{last, step, 0}}
	}
	kw := commands.KeySpec{Flags: commands.KeyRO, Begin: commands.SearchKeyword, Keyword: "STREAMS", Index: 1, Find: commands.FindRange, FK: [3]int{-1, 1, 2}}
	tests := []struct {
		name              string
		specs             []commands.KeySpec
		first, last, step int
		movable           bool
	}{
		{"none", nil, 0, 0, 0, false},
		{"one key", []commands.KeySpec{idx(1, 0, 1, commands.KeyRO)}, 1, 1, 1, false},
		{"all keys step 2", []commands.KeySpec{idx(1, -1, 2, commands.KeyOW)}, 1, -1, 2, false},
		{"incomplete", []commands.KeySpec{idx(1, 0, 1, commands.KeyRW|commands.KeyIncomplete)}, 1, 1, 1, true},
		{"glued", []commands.KeySpec{idx(1, 0, 1, commands.KeyRW), idx(2, 0, 1, commands.KeyRW)}, 1, 2, 1, false},
		{"glued to end", []commands.KeySpec{idx(1, 0, 1, commands.KeyRW), idx(2, -1, 1, commands.KeyRO)}, 1, -1, 1, false},
		{"gap", []commands.KeySpec{idx(1, 0, 1, commands.KeyRW), idx(3, 0, 1, commands.KeyRW)}, 1, 1, 1, true},
		{"keyword only", []commands.KeySpec{kw}, 0, 0, 0, true},
		{"index and keyword", []commands.KeySpec{idx(1, 0, 1, commands.KeyRW), kw}, 1, 1, 1, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			first, last, step, movable := commands.LegacyRange(tc.specs)
			require.Equal(t, []int{tc.first, tc.last, tc.step}, []int{first, last, step})
			require.Equal(t, tc.movable, movable)
		})
	}
}

func TestCommandKeys(t *testing.T) {
	srv := newServer(t)
	rw := commands.KeyRW | commands.KeyAccess | commands.KeyUpdate
	tests := []struct {
		args string
		want []commands.KeyRef
		ok   bool
	}{
		{"get k", []commands.KeyRef{{Pos: 1, Flags: commands.KeyRO | commands.KeyAccess}}, true},
		{"set k v", []commands.KeyRef{{Pos: 1, Flags: commands.KeyOW | commands.KeyUpdate}}, true},
		{"set k v nx get", []commands.KeyRef{{Pos: 1, Flags: rw}}, true},
		{"mset a 1 b 2", []commands.KeyRef{{Pos: 1, Flags: commands.KeyOW | commands.KeyUpdate}, {Pos: 3, Flags: commands.KeyOW | commands.KeyUpdate}}, true},
		{"xread count 1 streams a b 0 0", []commands.KeyRef{{Pos: 4, Flags: commands.KeyRO | commands.KeyAccess}, {Pos: 5, Flags: commands.KeyRO | commands.KeyAccess}}, true},
		{"xread streams", nil, false},
		{"zunion 2 a b withscores", []commands.KeyRef{{Pos: 2, Flags: commands.KeyRO | commands.KeyAccess}, {Pos: 3, Flags: commands.KeyRO | commands.KeyAccess}}, true},
		{"zunion 3 a b", nil, false},
		{"zunion x a b", nil, false},
		{"ping", nil, false},
	}
	for _, tc := range tests {
		t.Run(tc.args, func(t *testing.T) {
			args := argv(tc.args)
			cmd := srv.Cmds.Get(string(args[0]))
			require.NotNil(t, cmd)
			got, ok := cmd.Keys(args)
			require.Equal(t, tc.ok, ok)
			if tc.ok {
				require.Equal(t, tc.want, got)
			}
		})
	}
}

func TestModuleCommandSpecs(t *testing.T) {
	c := &commands.Command{Name: "m.cmd", FullName: "m.cmd", Module: "m", Flags: commands.FlagModule | commands.FlagWrite,
		FirstKey: 1, LastKey: -1, KeyStep: 2}
	specs := c.Specs()
	require.Len(t, specs, 1)
	require.Equal(t, []string{"RW", "access", "update"}, specs[0].Flags.Names())
	require.Equal(t, [3]int{-1, 2, 0}, specs[0].FK)
	keys, ok := c.Keys(argv("m.cmd a 1 b 2"))
	require.True(t, ok)
	require.Equal(t, []commands.KeyRef{{Pos: 1, Flags: specs[0].Flags}, {Pos: 3, Flags: specs[0].Flags}}, keys)
	require.Empty(t, c.Categories(), "module commands get no implied ACL categories")

	c.SetKeySpecs([]commands.KeySpec{{Flags: commands.KeyRO, Begin: commands.SearchKeyword, Keyword: "KEYS", Index: 1,
		Find: commands.FindRange, FK: [3]int{-1, 1, 0}}})
	require.Equal(t, []int{0, 0, 0}, []int{c.FirstKey, c.LastKey, c.KeyStep})
	require.NotZero(t, c.Flags&commands.FlagMovableKeys)
	keys, ok = c.Keys(argv("m.cmd x KEYS a b"))
	require.True(t, ok)
	require.Equal(t, []commands.KeyRef{{Pos: 3, Flags: commands.KeyRO}, {Pos: 4, Flags: commands.KeyRO}}, keys)
}

func TestCategoriesAndFlags(t *testing.T) {
	srv := newServer(t)
	tests := []struct {
		name  string
		cats  []string
		flags []string
	}{
		{"get", []string{"read", "string", "fast"}, []string{"readonly", "fast"}},
		{"config|set", []string{"admin", "slow", "dangerous"}, []string{"admin", "noscript", "loading", "stale"}},
		{"publish", []string{"pubsub", "fast"}, []string{"pubsub", "loading", "stale", "fast"}},
		{"client|kill", []string{"admin", "slow", "dangerous", "connection"}, []string{"admin", "noscript", "loading", "stale"}},
		{"blpop", []string{"write", "list", "slow", "blocking"}, []string{"write", "blocking"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			parent, sub, _ := strings.Cut(tc.name, "|")
			c := srv.Cmds.Get(parent)
			require.NotNil(t, c)
			if sub != "" {
				c = c.Subs[sub]
				require.NotNil(t, c)
			}
			require.Equal(t, tc.cats, c.Categories())
			require.Equal(t, tc.flags, c.Flags.InfoNames())
		})
	}
}

func TestKeyFlagNames(t *testing.T) {
	require.Equal(t, []string{}, commands.KeyFlag(0).Names())
	require.Equal(t, []string{"RO", "access", "not_key", "variable_flags"},
		(commands.KeyRO | commands.KeyAccess | commands.KeyNotKey | commands.KeyVariableFlags).Names())
}
