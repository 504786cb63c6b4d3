package main

import (
	"bytes"
	"fmt"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/modhost/modhost/internal/hosttest"
	"github.com/stretchr/testify/require"
)

// COMMAND INFO reply fields, by index.
const (
	infoName = iota
	infoArity
	infoFlags
	infoFirst
	infoLast
	infoStep
	infoACL
	infoTips
	infoKeySpecs
	infoSubs
)

var infoFieldNames = []string{"name", "arity", "flags", "first", "last", "step",
	"acl", "tips", "key_specs", "subcommands"}

// infoExcluded lists the COMMAND INFO fields where Redis 7.0 (the oracle
// installed here) and 7.2+ (modhost's target) differ; modhost follows 7.2.
var infoExcluded = map[string][]int{
	// 7.2 dropped noscript from the blocking commands (they run
	// non-blocking inside scripts).
	"blmove": {infoFlags}, "blpop": {infoFlags}, "brpop": {infoFlags},
	"brpoplpush": {infoFlags}, "bzpopmax": {infoFlags}, "bzpopmin": {infoFlags},
	"blmpop": {infoFlags}, "bzmpop": {infoFlags}, "xreadgroup": {infoFlags},
	// 7.2 lets CLUSTER SLOTS and SHARDS run while loading.
	"cluster|slots": {infoFlags}, "cluster|shards": {infoFlags},
	// 7.2 accepts COMMAND GETKEYS with a command that has no arguments.
	"command|getkeys": {infoArity}, "command|getkeysandflags": {infoArity},
	// 7.2 added WITHSCORE.
	"zrank": {infoArity}, "zrevrank": {infoArity},
	// 7.2 made SINTERSTORE's destination OW (it never reads it).
	"sinterstore": {infoKeySpecs},
	// 7.2 changed the cluster tips of these.
	"client|setname": {infoTips}, "msetnx": {infoTips}, "randomkey": {infoTips},
	"scan": {infoTips},
	// 7.2 added request/response policy tips to these.
	"config|set": {infoTips}, "config|get": {infoTips}, "config|rewrite": {infoTips},
	"config|resetstat": {infoTips}, "latency|histogram": {infoTips},
	"latency|doctor": {infoTips}, "latency|graph": {infoTips},
	"latency|history": {infoTips}, "latency|latest": {infoTips}, "latency|reset": {infoTips},
	"memory|doctor": {infoTips}, "memory|malloc-stats": {infoTips},
	"memory|purge": {infoTips}, "memory|stats": {infoTips}, "info": {infoTips},
	"module|list": {infoTips}, "function|stats": {infoTips},
	"acl|deluser": {infoTips}, "acl|save": {infoTips}, "acl|setuser": {infoTips},
}

// commandNames lists every command and subcommand a server has.
func commandNames(t *testing.T, c *hosttest.Conn) []string {
	f, err := c.Command("COMMAND", "LIST")
	require.NoError(t, err)
	var out []string
	for _, e := range f.Elems {
		out = append(out, string(e.Str))
	}
	sort.Strings(out)
	return out
}

// TestCommandInfoMatchesRedis compares COMMAND INFO of every command and
// subcommand that both modhost and redis-server have, field by field, in
// RESP2 and RESP3 (so sets must be sets). Subcommand lists are compared
// as multisets (Redis lists them in hash table order).
func TestCommandInfoMatchesRedis(t *testing.T) {
	args := hosttest.DiffArgs
	ref := hosttest.StartRedis(t, args...)
	cand := hosttest.StartServer(t, hosttest.ModhostBin(t), args...)
	for _, proto := range []string{"2", "3"} {
		t.Run("resp"+proto, func(t *testing.T) {
			rc, mc := ref.Conn(t), cand.Conn(t)
			for _, c := range []*hosttest.Conn{rc, mc} {
				_, err := c.Command("HELLO", proto)
				require.NoError(t, err)
			}
			have := map[string]bool{}
			for _, n := range commandNames(t, rc) {
				have[n] = true
			}
			compared := 0
			var bad []string
			for _, name := range commandNames(t, mc) {
				if !have[name] {
					continue // a 7.2+ command (e.g. client|setinfo)
				}
				compared++
				bad = append(bad, diffInfo(t, name, rc, mc)...)
			}
			require.Greater(t, compared, 150, "too few commands compared")
			require.Empty(t, bad, "COMMAND INFO differs:\n%s", strings.Join(bad, "\n"))
		})
	}
}

// diffInfo returns one line per COMMAND INFO field of name that differs.
func diffInfo(t *testing.T, name string, rc, mc *hosttest.Conn) []string {
	rf, err := rc.Command("COMMAND", "INFO", name)
	require.NoError(t, err)
	mf, err := mc.Command("COMMAND", "INFO", name)
	require.NoError(t, err)
	r, m := rf.Elems[0], mf.Elems[0]
	if len(r.Elems) != 10 || len(m.Elems) != 10 {
		return []string{fmt.Sprintf("%s: redis %s modhost %s", name, r, m)}
	}
	skip := map[int]bool{}
	for _, i := range infoExcluded[name] {
		skip[i] = true
	}
	var out []string
	for i := infoName; i <= infoSubs; i++ {
		if skip[i] {
			continue
		}
		a, b := r.Elems[i], m.Elems[i]
		same := bytes.Equal(a.Raw, b.Raw)
		if i == infoSubs { // each subcommand is compared on its own
			same = a.Type == b.Type && (len(a.Elems) == 0) == (len(b.Elems) == 0)
		}
		if !same {
			out = append(out, fmt.Sprintf("%s %s:\n  redis   %.300s\n  modhost %.300s", name, infoFieldNames[i], a, b))
		}
	}
	return out
}

// TestCommandGetKeys checks COMMAND GETKEYS and GETKEYSANDFLAGS against
// redis-server for the key-spec kinds (range, keyword, keynum, variable
// flags, not-key-free errors) and a module command's legacy key range.
func TestCommandGetKeys(t *testing.T) {
	root, err := hosttest.ModuleRoot()
	require.NoError(t, err)
	args := append(append([]string(nil), hosttest.DiffArgs...), "--loadmodule", filepath.Join(root, "modules_c", "hello.so"))
	ref := hosttest.StartRedis(t, args...)
	cand := hosttest.StartServer(t, hosttest.ModhostBin(t), args...)
	cases := [][]string{
		{"get", "k"},
		{"mset", "a", "1", "b", "2"},
		{"mset", "a", "1", "b"},
		{"set", "k", "v"},
		{"set", "k", "v", "GET"},
		{"xread", "COUNT", "2", "STREAMS", "s1", "s2", "0", "0"},
		{"xread", "STREAMS", "s1"},
		{"zunionstore", "dst", "2", "a", "b", "WEIGHTS", "1", "2"},
		{"zunionstore", "dst", "3", "a", "b"},
		{"zunion", "0", "a"},
		{"lmpop", "2", "a", "b", "LEFT"},
		{"sintercard", "2", "a", "b", "LIMIT", "1"},
		{"lmove", "a", "b", "LEFT", "RIGHT"},
		{"rename", "a", "b"},
		{"del", "a", "b", "c"},
		{"ping", "x"}, // (a command alone is a 7.0/7.2 arity difference)
		{"get", "a", "b"},
		{"nosuchcommand", "x"},
		{"config", "get", "x"},
		{"client", "nosuch"},
		{"object", "encoding", "k"},
		{"memory", "usage", "k"},
		{"hello.push.native", "k", "v"},
		{"hello.simple", "x"},
	}
	for _, sub := range []string{"GETKEYS", "GETKEYSANDFLAGS"} {
		for _, proto := range []string{"2", "3"} {
			rc, mc := ref.Conn(t), cand.Conn(t)
			for _, c := range []*hosttest.Conn{rc, mc} {
				_, err := c.Command("HELLO", proto)
				require.NoError(t, err)
			}
			for _, tc := range cases {
				cmd := append([]string{"COMMAND", sub}, tc...)
				want := rc.Do(cmd...)
				require.Equal(t, string(want), string(mc.Do(cmd...)), "resp%s %v", proto, cmd)
			}
		}
	}
}

// TestCommandListAndCount checks COMMAND COUNT against the COMMAND reply and
// the LIST filters against redis-server (as multisets).
// beyondRedis70 are the commands modhost has that Debian's redis-server
// 7.0 lacks: Redis 7.2's CLIENT subcommands and modhost's own MODULE
// STRICT-REPORT.
var beyondRedis70 = map[string]bool{
	"client|setinfo": true, "client|no-touch": true, "module|strict-report": true,
}

func TestCommandListAndCount(t *testing.T) {
	root, err := hosttest.ModuleRoot()
	require.NoError(t, err)
	args := append(append([]string(nil), hosttest.DiffArgs...), "--loadmodule", filepath.Join(root, "modules_c", "hello.so"))
	ref := hosttest.StartRedis(t, args...)
	cand := hosttest.StartServer(t, hosttest.ModhostBin(t), args...)
	mc, rc := cand.Conn(t), ref.Conn(t)

	count, err := mc.Command("COMMAND", "COUNT")
	require.NoError(t, err)
	all, err := mc.Command("COMMAND")
	require.NoError(t, err)
	require.Equal(t, string(count.Str), fmt.Sprint(len(all.Elems)))

	tests := []struct {
		filter []string
		exact  bool // else: modhost's list must be a subset of redis's
	}{
		{[]string{"MODULE", "hello"}, true},
		{[]string{"MODULE", "nosuchmodule"}, true},
		{[]string{"ACLCAT", "nosuchcat"}, true},
		{[]string{"PATTERN", "hello*"}, true},
		{[]string{"ACLCAT", "connection"}, false},
		{[]string{"ACLCAT", "dangerous"}, false},
		{[]string{"PATTERN", "client|*"}, false},
	}
	for _, tc := range tests {
		cmd := append([]string{"COMMAND", "LIST", "FILTERBY"}, tc.filter...)
		want, got := listSet(t, rc, cmd), listSet(t, mc, cmd)
		if tc.exact {
			require.Equal(t, want, got, "%v", cmd)
			continue
		}
		require.NotEmpty(t, got, "%v", cmd)
		for n := range got {
			require.True(t, want[n] || beyondRedis70[n], "%v: %s not in redis's list", cmd, n)
		}
	}
	require.Equal(t, string(rc.Do("COMMAND", "LIST", "FILTERBY", "nosuch", "x")),
		string(mc.Do("COMMAND", "LIST", "FILTERBY", "nosuch", "x")))
}

func listSet(t *testing.T, c *hosttest.Conn, cmd []string) map[string]bool {
	f, err := c.Command(cmd...)
	require.NoError(t, err)
	out := map[string]bool{}
	for _, e := range f.Elems {
		out[string(e.Str)] = true
	}
	return out
}

// TestCommandDocsModuleArgs compares COMMAND DOCS of a module command with
// the full RedisModuleCommandInfo (history, tips, every argument type and
// flag, oneof and block nesting) with redis-server. Redis 7.2 added
// display_text (shown for every plain argument, defaulting to its name),
// which 7.0 never shows, so modhost's display_text entries are left out of
// the comparison.
func TestCommandDocsModuleArgs(t *testing.T) {
	root, err := hosttest.ModuleRoot()
	require.NoError(t, err)
	args := append(append([]string(nil), hosttest.DiffArgs...), "--loadmodule", filepath.Join(root, "modules_c", "test_cmdinfo.so"))
	ref := hosttest.StartRedis(t, args...)
	cand := hosttest.StartServer(t, hosttest.ModhostBin(t), args...)
	for _, proto := range []string{"2", "3"} {
		rc, mc := ref.Conn(t), cand.Conn(t)
		for _, c := range []*hosttest.Conn{rc, mc} {
			_, err := c.Command("HELLO", proto)
			require.NoError(t, err)
		}
		for _, name := range []string{"ci.keys", "ci.cont"} {
			want, err := rc.Command("COMMAND", "DOCS", name)
			require.NoError(t, err)
			got, err := mc.Command("COMMAND", "DOCS", name)
			require.NoError(t, err)
			if name == "ci.keys" {
				require.Contains(t, render(got, false), "$display_text $unit-name", "modhost shows display_text")
			}
			require.Equal(t, render(want, false), render(got, true), "resp%s %s", proto, name)
		}
	}
}

// render prints a reply as nested text; with strip, display_text entries
// of argument maps are dropped (a RESP2 map is a flat array, recognised by
// its leading "name" key).
func render(f *hosttest.Frame, strip bool) string {
	if !f.IsAggregate() {
		return fmt.Sprintf("%c%s", f.Type, f.Str)
	}
	var b strings.Builder
	b.WriteByte(f.Type)
	b.WriteByte('[')
	pairs := f.Type == '%' || len(f.Elems) >= 2 && len(f.Elems)%2 == 0 && string(f.Elems[0].Str) == "name"
	n := 0
	for i := 0; i < len(f.Elems); i++ {
		if strip && pairs && i%2 == 0 && i+1 < len(f.Elems) &&
			string(f.Elems[i].Str) == "display_text" {
			i++
			continue
		}
		b.WriteString(render(f.Elems[i], strip))
		b.WriteByte(' ')
		n++
	}
	fmt.Fprintf(&b, "]%d", n)
	return b.String()
}
