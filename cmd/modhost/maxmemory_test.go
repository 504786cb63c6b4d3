package main

import (
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/modhost/modhost/internal/hosttest"
)

// oomReply is Redis's refusal of a deny-oom command over maxmemory.
const oomReply = "-OOM command not allowed when used memory > 'maxmemory'.\r\n"

// kb1 is the 1-KB value the maxmemory tests store.
var kb1 = strings.Repeat("v", 1024)

// pipeline sends cmds in one write and returns the raw replies, in order.
func pipeline(t *testing.T, c *hosttest.Conn, cmds [][]string) []string {
	t.Helper()
	var buf []byte
	for _, args := range cmds {
		buf = hosttest.AppendCommand(buf, args...)
	}
	require.NoError(t, c.Send(buf))
	out := make([]string, len(cmds))
	for i := range cmds {
		f, err := c.ReadFrame()
		require.NoError(t, err)
		out[i] = string(f.Raw)
	}
	return out
}

// setMany runs SET <prefix><i> <1 KB> [extra...] for i in [from, to), 200
// at a time, and returns the replies.
func setMany(t *testing.T, c *hosttest.Conn, prefix string, from, to int, extra func(i int) []string) []string {
	t.Helper()
	var all []string
	for lo := from; lo < to; lo += 200 {
		var cmds [][]string
		for i := lo; i < min(lo+200, to); i++ {
			args := []string{"SET", prefix + strconv.Itoa(i), kb1}
			if extra != nil {
				args = append(args, extra(i)...)
			}
			cmds = append(cmds, args)
		}
		all = append(all, pipeline(t, c, cmds)...)
	}
	return all
}

// existing counts which of <prefix><i>, i in [from, to), exist.
func existing(t *testing.T, c *hosttest.Conn, prefix string, from, to int) int {
	t.Helper()
	var cmds [][]string
	for i := from; i < to; i++ {
		cmds = append(cmds, []string{"EXISTS", prefix + strconv.Itoa(i)})
	}
	n := 0
	for _, r := range pipeline(t, c, cmds) {
		if r == ":1\r\n" {
			n++
		}
	}
	return n
}

func statsUint(t *testing.T, c *hosttest.Conn, name string) uint64 {
	t.Helper()
	m, _ := infoSection(t, c, "stats")
	return infoUint(t, m, name)
}

// TestMaxmemoryNoEviction fills 1-KB keys under maxmemory 20mb with
// noeviction on redis-server and modhost: both refuse SET with Redis's OOM
// error, modhost before twice Redis's count; reads, DEL, MULTI and module
// commands then behave as in Redis, and modules see the OOM flags.
func TestMaxmemoryNoEviction(t *testing.T) {
	args := []string{"--maxmemory", "20mb", "--maxmemory-policy", "noeviction",
		"--loadmodule", moduleSO(t, "test_types"), "--loadmodule", moduleSO(t, "test_util")}
	ref, cand := startPair(t, args...)
	counts := map[string]int{}
	for _, side := range []struct {
		name string
		srv  *hosttest.Server
	}{{"redis", ref}, {"modhost", cand}} {
		c := side.srv.Conn(t)
		first := -1
		for lo := 0; first < 0 && lo < 100000; lo += 1000 {
			for i, r := range setMany(t, c, "k", lo, lo+1000, nil) {
				if r != "+OK\r\n" {
					require.Equal(t, oomReply, r, "%s: key %d", side.name, lo+i)
					first = lo + i
					break
				}
			}
		}
		require.Greater(t, first, 0, "%s refuses writes at some point", side.name)
		counts[side.name] = first
	}
	t.Logf("1-KB keys stored under maxmemory 20mb: redis %d, modhost %d", counts["redis"], counts["modhost"])
	require.Less(t, counts["modhost"], 2*counts["redis"], "modhost refuses before twice Redis's count")
	require.Greater(t, counts["modhost"], counts["redis"]/4, "modhost does not refuse far earlier")

	// Both are at the limit now. Lower it well below what they hold, so
	// that a collection freeing a little garbage on modhost cannot bring
	// it back under the limit between the two servers' replies.
	for _, srv := range []*hosttest.Server{ref, cand} {
		require.Equal(t, "+OK\r\n", string(srv.Conn(t).Do("CONFIG", "SET", "maxmemory", "12mb")))
	}
	script := [][]string{
		{"SET", "more", "x"},
		{"GET", "k1"},
		{"STRLEN", "k2"},
		{"TYPES.SET", "rec", "label", "1", "1", "1"},
		{"TUTIL.FLAGS"},
		{"MULTI"},
		{"SET", "inmulti", "x"},
		{"GET", "k3"},
		{"EXEC"},
		{"DEL", "k1"},
		{"EXISTS", "k1"},
	}
	for _, args := range script {
		want := string(ref.Conn(t).Do(args...))
		if args[0] == "MULTI" {
			break
		}
		require.Equal(t, want, string(cand.Conn(t).Do(args...)), "%v", args)
	}
	// MULTI is per connection: replay the transaction on one each.
	rc, mc := ref.Conn(t), cand.Conn(t)
	for _, args := range script[5:] {
		require.Equal(t, string(rc.Do(args...)), string(mc.Do(args...)), "%v", args)
	}
	for _, c := range []*hosttest.Conn{rc, mc} {
		f, err := c.Command("TUTIL.MEMRATIO")
		require.NoError(t, err)
		ratio, err := strconv.ParseFloat(string(f.Str), 64)
		require.NoError(t, err, "%q", f.Raw)
		require.Greater(t, ratio, 0.9, "GetUsedMemoryRatio near or above 1")
	}
}

// TestMaxmemoryAllKeysLRU overfills maxmemory 20mb with allkeys-lru: DBSIZE
// stays bounded, evicted_keys accounts for the missing keys, and keys read
// after a pause survive more than keys left untouched, on both servers.
func TestMaxmemoryAllKeysLRU(t *testing.T) {
	ref, cand := startPair(t, "--maxmemory", "20mb", "--maxmemory-policy", "allkeys-lru")
	type result struct{ hot, cold float64 }
	results := map[string]result{}
	for _, side := range []struct {
		name string
		srv  *hosttest.Server
	}{{"redis", ref}, {"modhost", cand}} {
		c := side.srv.Conn(t)
		const old, hot, fresh = 10000, 2000, 20000
		for _, r := range setMany(t, c, "old", 0, old, nil) {
			require.Equal(t, "+OK\r\n", r)
		}
		// The LRU clock ticks once a second: let the old keys age.
		time.Sleep(2100 * time.Millisecond)
		var touch [][]string
		for i := 0; i < hot; i++ {
			touch = append(touch, []string{"GET", "old" + strconv.Itoa(i)})
		}
		pipeline(t, c, touch)
		for _, r := range setMany(t, c, "new", 0, fresh, nil) {
			require.Equal(t, "+OK\r\n", r, "%s: allkeys-lru never refuses", side.name)
		}
		size, err := strconv.Atoi(strings.TrimSpace(string(c.Do("DBSIZE"))[1:]))
		require.NoError(t, err)
		evicted := statsUint(t, c, "evicted_keys")
		t.Logf("%s: DBSIZE %d, evicted_keys %d", side.name, size, evicted)
		require.Less(t, size, old+fresh, "%s: DBSIZE is bounded", side.name)
		// INFO itself may evict a few more keys (Redis evicts before every
		// command), hence at least.
		require.GreaterOrEqual(t, evicted, uint64(old+fresh-size), "%s: evicted_keys counts the missing keys", side.name)
		results[side.name] = result{
			hot:  float64(existing(t, c, "old", 0, hot)) / hot,
			cold: float64(existing(t, c, "old", hot, old)) / (old - hot),
		}
	}
	t.Logf("survivors (touched, untouched): %+v", results)
	for name, r := range results {
		require.Greater(t, r.hot, r.cold, "%s: recently used keys survive more", name)
	}
}

// TestMaxmemoryVolatileTTL fills keys with ascending TTLs, then persistent
// keys: volatile-ttl evicts only keys with a TTL, soonest first, and
// refuses writes once none is left, on both servers.
func TestMaxmemoryVolatileTTL(t *testing.T) {
	ref, cand := startPair(t, "--maxmemory", "20mb", "--maxmemory-policy", "volatile-ttl")
	for _, side := range []struct {
		name string
		srv  *hosttest.Server
	}{{"redis", ref}, {"modhost", cand}} {
		c := side.srv.Conn(t)
		const vol, quarter = 8000, 2000
		for _, r := range setMany(t, c, "t", 0, vol, func(i int) []string { return []string{"EX", strconv.Itoa(10000 + i)} }) {
			require.Equal(t, "+OK\r\n", r)
		}
		// Overfill a little: part of the volatile keys must go.
		for _, r := range setMany(t, c, "p", 0, 12000, nil) {
			require.Equal(t, "+OK\r\n", r, side.name)
		}
		require.Positive(t, statsUint(t, c, "evicted_keys"), side.name)
		soon, late := existing(t, c, "t", 0, quarter), existing(t, c, "t", vol-quarter, vol)
		t.Logf("%s: surviving soonest/latest quarter of TTLs: %d/%d", side.name, soon, late)
		require.Less(t, soon, late, "%s: the soonest TTLs go first", side.name)
		// Then fill on: once no volatile key is left, writes are refused.
		stored, refused := 12000, 0
		for _, r := range setMany(t, c, "p", 12000, 40000, nil) {
			switch r {
			case "+OK\r\n":
				stored++
			default:
				require.Equal(t, oomReply, r)
				refused++
			}
		}
		require.Equal(t, stored, existing(t, c, "p", 0, 40000), "%s: persistent keys are never evicted", side.name)
		require.Positive(t, refused, "%s: with no volatile key left, writes are refused", side.name)
	}
}

// TestMaxmemoryEvictsModuleValues overfills maxmemory with a module type's
// values: each evicted key's value is freed through the type's free
// callback, an "evicted" keyevent is published for it, and evicted_keys
// counts it, on both servers. (modhost also keeps a copy of the last
// 10000 replicated module commands, about 11 MB of these arguments, hence
// a limit above that.)
func TestMaxmemoryEvictsModuleValues(t *testing.T) {
	ref, cand := startPair(t, "--maxmemory", "30mb", "--maxmemory-policy", "allkeys-random",
		"--notify-keyspace-events", "Ee", "--loadmodule", moduleSO(t, "test_types"))
	for _, side := range []struct {
		name string
		srv  *hosttest.Server
	}{{"redis", ref}, {"modhost", cand}} {
		sub := side.srv.Conn(t)
		require.Contains(t, string(sub.Do("SUBSCRIBE", "__keyevent@0__:evicted")), "subscribe")
		c := side.srv.Conn(t)
		label := strings.Repeat("L", 1000)
		for lo := 0; lo < 40000; lo += 200 {
			var cmds [][]string
			for i := lo; i < lo+200; i++ {
				cmds = append(cmds, []string{"TYPES.SET", fmt.Sprint("rec", i), label, "1", "1", "1", "1", "2"})
			}
			for _, r := range pipeline(t, c, cmds) {
				require.Equal(t, "+OK\r\n", r, side.name)
			}
		}
		// No more evictions from here (an eviction pass cut short by its
		// time budget goes on in the cron): the two counters are read at
		// rest.
		require.Equal(t, "+OK\r\n", string(c.Do("CONFIG", "SET", "maxmemory", "0")))
		evicted := statsUint(t, c, "evicted_keys")
		require.Positive(t, evicted, side.name)
		f, err := c.Command("TYPES.COUNTERS")
		require.NoError(t, err)
		require.NotEmpty(t, f.Elems, "%q", f.Raw)
		frees, err := strconv.ParseUint(string(f.Elems[0].Raw[1:len(f.Elems[0].Raw)-2]), 10, 64)
		require.NoError(t, err)
		t.Logf("%s: evicted_keys %d, frees %d", side.name, evicted, frees)
		// Redis 7.0 frees a few values more than it counts as evicted
		// (values freed outside the eviction loop); every evicted one is
		// freed on both, and modhost frees exactly the evicted ones.
		require.GreaterOrEqual(t, frees, evicted, "%s: a free callback per evicted key", side.name)
		if side.name == "modhost" {
			require.Equal(t, evicted, frees, "modhost: one free callback per evicted key")
		}
		for n := uint64(0); n < evicted; n++ {
			m, err := sub.ReadFrame()
			require.NoError(t, err)
			require.Len(t, m.Elems, 3, "%q", m.Raw)
			require.Equal(t, "__keyevent@0__:evicted", string(m.Elems[1].Str))
			require.True(t, strings.HasPrefix(string(m.Elems[2].Str), "rec"), "%q", m.Raw)
		}
	}
}
