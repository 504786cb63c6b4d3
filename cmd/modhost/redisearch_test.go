package main

import (
	"fmt"
	"math/rand"
	"os"
	"strconv"
	"sync"
	"testing"

	"github.com/modhost/modhost/internal/hosttest"
	"github.com/stretchr/testify/require"
)

// redisearchSO is Debian's RediSearch 1.2.2 (package redis-redisearch),
// loaded unchanged into both servers. scripts/install-deps.sh installs it.
const redisearchSO = "/usr/lib/redis/modules/redisearch.so"

// rsArgs load the module with its query timeout off, so a loaded
// machine cannot truncate one server's results.
var rsArgs = []string{"--loadmodule", redisearchSO, "TIMEOUT", "0"}

// rsSide is one server of a RediSearch comparison.
type rsSide struct {
	name string
	srv  *hosttest.Server
}

// rsStartPair starts Debian's redis-server and modhost, both with
// redisearch.so loaded.
func rsStartPair(t *testing.T) []rsSide {
	t.Helper()
	_, err := os.Stat(redisearchSO)
	require.NoError(t, err, "redis-redisearch is not installed: run scripts/install-deps.sh")
	args := append(append([]string(nil), hosttest.DiffArgs...), rsArgs...)
	return []rsSide{
		{"redis", hosttest.StartRedis(t, args...)},
		{"modhost", hosttest.StartModhost(t, args...)},
	}
}

// rsCommand runs one command and fails the test on an I/O error or an
// error reply.
func rsCommand(t *testing.T, c *hosttest.Conn, args ...string) *hosttest.Frame {
	t.Helper()
	f, err := c.Command(args...)
	require.NoError(t, err, "%v", args)
	require.False(t, f.IsError(), "%v: %s", args, f.Str)
	return f
}

// rsInfo returns FT.INFO's top-level fields by name.
func rsInfo(t *testing.T, c *hosttest.Conn, index string) map[string]*hosttest.Frame {
	t.Helper()
	f := rsCommand(t, c, "FT.INFO", index)
	require.True(t, f.IsAggregate(), "FT.INFO reply %q", f.Raw)
	require.Zero(t, len(f.Elems)%2, "FT.INFO reply %q", f.Raw)
	out := make(map[string]*hosttest.Frame, len(f.Elems)/2)
	for i := 0; i < len(f.Elems); i += 2 {
		out[string(f.Elems[i].Str)] = f.Elems[i+1]
	}
	return out
}

// rsSameReply fails unless the raw replies want (Redis) and got
// (modhost) are equivalent as in the differential scripts: byte for byte,
// except numbers, which Redis 7.0 prints with 17 significant digits and
// 7.2+ in the shortest form.
func rsSameReply(t *testing.T, want, got string, msgAndArgs ...any) {
	t.Helper()
	wf, _, err := hosttest.ParseFrame([]byte(want))
	require.NoError(t, err, msgAndArgs...)
	gf, _, err := hosttest.ParseFrame([]byte(got))
	require.NoError(t, err, msgAndArgs...)
	if !hosttest.Equivalent(wf, gf, false) {
		require.Equal(t, want, got, msgAndArgs...)
	}
}

// rsRequireHits fails unless an FT.SEARCH reply reports at least one
// match, so that a comparison of empty results cannot pass unnoticed.
func rsRequireHits(t *testing.T, reply string, q []string) {
	t.Helper()
	f, _, err := hosttest.ParseFrame([]byte(reply))
	require.NoError(t, err, "%v", q)
	require.NotEmpty(t, f.Elems, "%v: %s", q, reply)
	n, err := strconv.Atoi(string(f.Elems[0].Str))
	require.NoError(t, err, "%v: %s", q, reply)
	require.Positive(t, n, "%v matched nothing", q)
}

// rsInfoNondeterministic lists the FT.INFO fields that depend on when the
// module's garbage collector timer ran, so differ between any two runs.
var rsInfoNondeterministic = map[string]bool{"gc_stats": true}

// rsDataset creates idx with every field type and adds n documents
// through FT.ADD and FT.ADDHASH, pipelined. Each document has a location
// on a 0.5-degree grid over south-western Europe, which the module indexes
// with GEOADD.
func rsDataset(t *testing.T, c *hosttest.Conn, n int) {
	t.Helper()
	rsCommand(t, c, "FT.CREATE", "idx", "SCHEMA", "title", "TEXT", "WEIGHT", "2.5", "SORTABLE",
		"body", "TEXT", "n", "NUMERIC", "SORTABLE", "tag", "TAG", "loc", "GEO")
	words := []string{"hello", "world", "search", "engine", "redis", "module", "green", "apple"}
	var raw []byte
	for i := range n {
		title := words[i%len(words)] + " " + words[(i/3)%len(words)]
		body := fmt.Sprintf("%s document number %d %s", words[(i*7)%len(words)], i, words[(i/5)%len(words)])
		loc := fmt.Sprintf("%.4f,%.4f", -10+float64(i%40)/2, 35+float64(i/40)/2)
		fields := []string{"title", title, "body", body, "n", strconv.Itoa(i), "tag", words[i%3], "loc", loc}
		if i%4 == 0 {
			raw = hosttest.AppendCommand(raw, append([]string{"HSET", "h" + strconv.Itoa(i)}, fields...)...)
			raw = hosttest.AppendCommand(raw, "FT.ADDHASH", "idx", "h"+strconv.Itoa(i), "1.0")
			continue
		}
		raw = hosttest.AppendCommand(raw, append([]string{"FT.ADD", "idx", "d" + strconv.Itoa(i), "1.0", "FIELDS"}, fields...)...)
	}
	require.NoError(t, c.Send(raw))
	for i := range n + (n+3)/4 {
		f, err := c.ReadFrame()
		require.NoError(t, err, "reply %d", i)
		require.False(t, f.IsError(), "reply %d: %s", i, f.Str)
	}
}

// rsQueries are compared between the servers after rsDataset.
var rsQueries = [][]string{
	{"FT.SEARCH", "idx", "hello", "LIMIT", "0", "10"},
	{"FT.SEARCH", "idx", "hello world", "WITHSCORES", "NOCONTENT", "LIMIT", "0", "50"},
	{"FT.SEARCH", "idx", "hel*", "NOCONTENT", "LIMIT", "0", "30"},
	{"FT.SEARCH", "idx", `"document number"`, "NOCONTENT", "SORTBY", "n", "DESC"},
	{"FT.SEARCH", "idx", "@n:[10 20]", "SORTBY", "n", "ASC", "RETURN", "1", "title"},
	{"FT.SEARCH", "idx", "@tag:{world} apple", "NOCONTENT", "WITHSCORES", "LIMIT", "0", "100"},
	{"FT.SEARCH", "idx", "module", "HIGHLIGHT", "SUMMARIZE", "LIMIT", "0", "5"},
	{"FT.SEARCH", "idx", "redis -green", "SORTBY", "title", "ASC", "LIMIT", "3", "4", "WITHPAYLOADS"},
	{"FT.MGET", "idx", "d1", "h4", "nosuch"},
	{"FT.EXPLAIN", "idx", "(a|b) @n:[1 (5] -c* @tag:{x|y}"},
	{"FT.SEARCH", "idx", "*", "GEOFILTER", "loc", "0", "36", "300", "km", "NOCONTENT", "SORTBY", "n", "ASC", "LIMIT", "0", "100"},
	{"FT.SEARCH", "idx", "hello", "GEOFILTER", "loc", "-5", "37", "150", "mi", "LIMIT", "0", "20"},
	{"FT.SEARCH", "idx", "@loc:[-8 36 400 km] @tag:{world}", "NOCONTENT", "SORTBY", "n", "DESC", "LIMIT", "0", "50"},
	{"FT.SEARCH", "idx", "-@loc:[0 36 200 km]", "NOCONTENT", "SORTBY", "n", "ASC", "LIMIT", "0", "10"},
}

// TestRediSearchDifferential loads the same redisearch.so into both
// servers, indexes the same documents, and compares query replies byte for
// byte (the scripted cases live in testdata/diff/redisearch.txt) and
// FT.INFO field by field.
func TestRediSearchDifferential(t *testing.T) {
	sides := rsStartPair(t)
	replies := make([][]string, len(sides))
	infos := make([]map[string]*hosttest.Frame, len(sides))
	for i, s := range sides {
		c := s.srv.Conn(t)
		rsDataset(t, c, 300)
		for _, q := range rsQueries {
			replies[i] = append(replies[i], string(c.Do(q...)))
		}
		infos[i] = rsInfo(t, c, "idx")
	}
	for j, q := range rsQueries {
		require.NotEqual(t, byte('-'), replies[0][j][0], "%v on redis: %s", q, replies[0][j])
		rsSameReply(t, replies[0][j], replies[1][j], "%v", q)
		if q[0] == "FT.SEARCH" {
			rsRequireHits(t, replies[0][j], q)
		}
	}
	require.Equal(t, "300", string(infos[0]["num_docs"].Str))
	require.NotEmpty(t, infos[0]["num_terms"].Str)
	for k, v := range infos[0] {
		if !rsInfoNondeterministic[k] {
			require.Contains(t, infos[1], k)
			rsSameReply(t, string(v.Raw), string(infos[1][k].Raw), "FT.INFO field %s", k)
		}
	}
	require.Len(t, infos[1], len(infos[0]))
}

// rsWorkload is one client's mixed operations of the concurrency test:
// adds, replacements, searches and deletes on the client's own documents,
// so the final document set is known whatever the interleaving.
func rsWorkload(c *hosttest.Conn, client, ops int) (live int, err error) {
	rng := rand.New(rand.NewSource(int64(client)))
	present := map[int]bool{}
	for op := range ops {
		doc := rng.Intn(50)
		id := fmt.Sprintf("c%d:%d", client, doc)
		var args []string
		switch k := rng.Intn(10); {
		case k < 4:
			args = []string{"FT.ADD", "idx", id, "1.0", "REPLACE", "FIELDS",
				"body", fmt.Sprintf("hello client%d word%d op%d", client, doc, op), "n", strconv.Itoa(op)}
			present[doc] = true
		case k < 5:
			args = []string{"FT.ADD", "idx", id, "1.0", "REPLACE", "PARTIAL", "FIELDS", "n", strconv.Itoa(op)}
			present[doc] = true
		case k < 8:
			args = []string{"FT.SEARCH", "idx", fmt.Sprintf("hello client%d", client), "LIMIT", "0", "5"}
		case k < 9:
			args = []string{"FT.SEARCH", "idx", "@n:[0 500]", "NOCONTENT", "SORTBY", "n", "DESC", "LIMIT", "0", "3"}
		default:
			args = []string{"FT.DEL", "idx", id, "DD"}
			delete(present, doc)
		}
		f, err := c.Command(args...)
		if err != nil {
			return 0, fmt.Errorf("client %d op %d %v: %w", client, op, args, err)
		}
		if f.IsError() {
			return 0, fmt.Errorf("client %d op %d %v: %s", client, op, args, f.Str)
		}
	}
	return len(present), nil
}

// TestRediSearchConcurrentClients runs 20 clients doing 1,000 mixed
// operations each against both servers: no command may fail and both end
// with the document count the workload implies.
func TestRediSearchConcurrentClients(t *testing.T) {
	const clients, ops = 20, 1000
	var finals []string
	for _, s := range rsStartPair(t) {
		c := s.srv.Conn(t)
		rsCommand(t, c, "FT.CREATE", "idx", "SCHEMA", "body", "TEXT", "n", "NUMERIC", "SORTABLE")
		var wg sync.WaitGroup
		lives := make([]int, clients)
		errs := make([]error, clients)
		for i := range clients {
			wg.Add(1)
			go func() {
				defer wg.Done()
				cc, err := hosttest.DialConn(s.srv.Addr)
				if err != nil {
					errs[i] = err
					return
				}
				defer cc.Close()
				lives[i], errs[i] = rsWorkload(cc, i, ops)
			}()
		}
		wg.Wait()
		want := 0
		for i := range clients {
			require.NoError(t, errs[i], s.name)
			want += lives[i]
		}
		require.Positive(t, want)
		require.Equal(t, strconv.Itoa(want), string(rsInfo(t, c, "idx")["num_docs"].Str), s.name)
		finals = append(finals, string(c.Do("DBSIZE"))+string(c.Do("FT.SEARCH", "idx", "hello", "NOCONTENT", "LIMIT", "0", "0")))
	}
	require.Equal(t, finals[0], finals[1], "DBSIZE and hit count")
}

// rsSnapshot returns the replies of rsQueries, a suggestion
// lookup and the deterministic FT.INFO fields: what persistence must keep.
func rsSnapshot(t *testing.T, c *hosttest.Conn) []string {
	t.Helper()
	var out []string
	for _, q := range rsQueries {
		out = append(out, string(c.Do(q...)))
	}
	out = append(out, string(c.Do("FT.SUGGET", "sug", "hel", "WITHPAYLOADS")), string(c.Do("FT.SUGLEN", "sug")))
	info := rsInfo(t, c, "idx")
	for _, k := range []string{"index_name", "fields", "num_docs", "max_doc_id", "num_terms"} {
		require.Contains(t, info, k)
		out = append(out, string(info[k].Raw))
	}
	return out
}

// TestRediSearchReloadAndRestart checks that the index, its documents and
// suggestions survive DEBUG RELOAD and a SAVE plus restart (through the
// module's data types and RDB callbacks), identically on both servers.
// Nothing is deleted: after FT.DEL the scores depend on when the module's
// GC timer has run.
func TestRediSearchReloadAndRestart(t *testing.T) {
	_, err := os.Stat(redisearchSO)
	require.NoError(t, err, "redis-redisearch is not installed: run scripts/install-deps.sh")
	bins := []struct{ name, bin string }{{"redis", hosttest.RedisBin(t)}, {"modhost", hosttest.ModhostBin(t)}}
	var reloaded, restarted [][]string
	for _, b := range bins {
		dir := t.TempDir()
		args := append([]string{"--save", ""}, rsArgs...)
		s := startIn(t, b.bin, dir, args...)
		c := s.Conn(t)
		rsDataset(t, c, 200)
		rsCommand(t, c, "FT.SUGADD", "sug", "hello world", "2", "PAYLOAD", "p1")
		rsCommand(t, c, "FT.SUGADD", "sug", "help", "1")
		before := rsSnapshot(t, c)
		require.Equal(t, "$3\r\n200\r\n", before[len(before)-3], "num_docs on %s", b.name)
		require.Equal(t, "+OK\r\n", string(c.Do("DEBUG", "RELOAD")), b.name)
		after := rsSnapshot(t, c)
		require.Equal(t, before[len(before)-3:], after[len(after)-3:], "counts after DEBUG RELOAD on %s", b.name)
		reloaded = append(reloaded, after)
		require.Equal(t, "+OK\r\n", string(c.Do("SAVE")), b.name)
		terminate(t, s)
		s = startIn(t, b.bin, dir, args...)
		restarted = append(restarted, rsSnapshot(t, s.Conn(t)))
	}
	for i := range reloaded[0] {
		rsSameReply(t, reloaded[0][i], reloaded[1][i], "step %d after DEBUG RELOAD", i)
		rsSameReply(t, restarted[0][i], restarted[1][i], "step %d after restart", i)
	}
	require.Equal(t, reloaded[0][len(reloaded[0])-3:], restarted[0][len(restarted[0])-3:], "redis: counts after restart")
}
