package main

import (
	"fmt"
	"strings"
	"testing"

	"github.com/modhost/modhost/internal/hosttest"
	"github.com/stretchr/testify/require"
)

// docsExcluded lists the commands whose COMMAND DOCS Redis 7.0 (the oracle
// installed here) and 7.2 (modhost's target, generated from Redis 7.2's
// command description files by commands/docgen) document differently.
// Every other command is compared whole, except that 7.2 rewrote every
// summary and renamed many arguments, so summaries and argument names
// are not compared (docsOf, normArgs).
var docsExcluded = map[string]string{
	// 7.2 reworded or corrected the complexity.
	"cluster|getkeysinslot": "complexity", "cluster|replicas": "complexity",
	"cluster|slaves": "complexity", "hscan": "complexity", "sscan": "complexity",
	"zscan": "complexity", "unsubscribe": "complexity", "punsubscribe": "complexity",
	"sunsubscribe": "complexity", "zrandmember": "complexity",
	// 7.2 fixed CLIENT PAUSE's since (3.0.0).
	"client|pause": "since",
	// 7.2 deprecated these (doc_flags, deprecated_since, replaced_by).
	"setnx": "deprecated", "setex": "deprecated", "psetex": "deprecated", "quit": "deprecated",
	// 7.2 added history entries (new fields, ACL LOG ids, WITHSCORE).
	"acl|log": "history", "xinfo|consumers": "history", "xinfo|stream": "history",
	"zrank": "history", "zrevrank": "history",
	// 7.2 changed the argument trees: BITOP's operation became a oneof,
	// lower-case TYPE and unit tokens, a block of one argument became a
	// multiple argument, MIGRATE's empty-key token is `""`, COMMAND
	// GETKEYS documents its arguments, XREAD dropped its complexity, and
	// so on.
	"bitop": "arguments", "client|kill": "arguments", "client|list": "arguments",
	"config|get": "arguments", "command|getkeys": "arguments",
	"command|getkeysandflags": "arguments", "geodist": "arguments", "geohash": "arguments",
	"geopos": "arguments", "georadius": "arguments", "georadius_ro": "arguments",
	"georadiusbymember": "arguments", "georadiusbymember_ro": "arguments",
	"geosearch": "arguments", "geosearchstore": "arguments", "migrate": "arguments",
	"module|loadex": "arguments", "pfmerge": "arguments", "psubscribe": "arguments",
	"xread": "arguments",
}

// TestCommandDocsMatchesRedis compares COMMAND DOCS of every command and
// subcommand that both modhost and redis-server have, in RESP2 and RESP3.
// Redis 7.2 added display_text to arguments, which 7.0 never shows, so
// modhost's display_text entries are left out; a container's subcommands
// map (hash table order in Redis) is left out of its own reply, each
// subcommand being compared on its own.
func TestCommandDocsMatchesRedis(t *testing.T) {
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
				if !have[name] || docsExcluded[name] != "" {
					continue
				}
				compared++
				want, got := docsOf(t, rc, name, false), docsOf(t, mc, name, true)
				if want != got {
					bad = append(bad, fmt.Sprintf("%s:\n  redis   %.2000s\n  modhost %.2000s", name, want, got))
				}
			}
			require.Greater(t, compared, 200, "too few commands compared")
			require.Empty(t, bad, "COMMAND DOCS differs:\n%s", strings.Join(bad, "\n"))
		})
	}
}

// docsOf renders the COMMAND DOCS map of one command without its
// subcommands entry (and, with strip, without display_text).
func docsOf(t *testing.T, c *hosttest.Conn, name string, strip bool) string {
	f, err := c.Command("COMMAND", "DOCS", name)
	require.NoError(t, err)
	require.Len(t, f.Elems, 2, "COMMAND DOCS %s", name)
	m := *f.Elems[1]
	var kept []*hosttest.Frame
	for i := 0; i+1 < len(m.Elems); i += 2 {
		if k := string(m.Elems[i].Str); k != "subcommands" && k != "summary" {
			kept = append(kept, m.Elems[i], m.Elems[i+1])
		}
	}
	m.Elems = kept
	return render(normArgs(&m), strip)
}

// normArgs copies a docs tree with every argument's name replaced by "-"
// (Redis 7.2 renamed many arguments, "categoryname" to "category", "id"
// to "ID" ...); an argument map is one whose first key is "name".
func normArgs(f *hosttest.Frame) *hosttest.Frame {
	if !f.IsAggregate() {
		return f
	}
	out := *f
	out.Elems = make([]*hosttest.Frame, len(f.Elems))
	isArg := len(f.Elems) >= 2 && len(f.Elems)%2 == 0 && string(f.Elems[0].Str) == "name"
	for i, e := range f.Elems {
		if isArg && i == 1 {
			e = &hosttest.Frame{Type: '$', Str: []byte("-")}
		}
		out.Elems[i] = normArgs(e)
	}
	return &out
}
