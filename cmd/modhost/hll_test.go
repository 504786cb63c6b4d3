package main

import (
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/modhost/modhost/internal/hosttest"
)

// hllPair sends each command to redis-server and to modhost and requires
// byte-identical replies.
type hllPair struct {
	t         *testing.T
	redis, mh *hosttest.Conn
}

func (p hllPair) do(args ...string) string {
	p.t.Helper()
	a, b := string(p.redis.Do(args...)), string(p.mh.Do(args...))
	require.Equal(p.t, a, b, "%.120q", strings.Join(args, " "))
	return a
}

// hllElements returns n pseudo-random elements: binary and text, empty to
// 40 bytes long.
func hllElements(rng *rand.Rand, n int) []string {
	out := make([]string, n)
	for i := range out {
		b := make([]byte, rng.IntN(41))
		for j := range b {
			b[j] = byte(rng.UintN(256))
		}
		if rng.IntN(2) == 0 {
			out[i] = fmt.Sprintf("e%d:%x", rng.IntN(1<<20), b)
		} else {
			out[i] = string(b)
		}
	}
	return out
}

// TestHLLManyElementsMatchesRedis drives three HyperLogLogs through the
// sparse form, its promotion and the dense form with the same random
// elements on both servers (batches of PFADD, single adds, changes of
// hll-sparse-max-bytes, PFMERGE, multi-key PFCOUNT) and compares every
// reply and, after each step, the raw value.
func TestHLLManyElementsMatchesRedis(t *testing.T) {
	args := hosttest.DiffArgs
	p := hllPair{t: t,
		redis: hosttest.StartRedis(t, args...).Conn(t),
		mh:    hosttest.StartServer(t, hosttest.ModhostBin(t), args...).Conn(t)}
	rng := rand.New(rand.NewPCG(15, 1))
	keys := []string{"a", "b", "c"}
	seen := map[string]bool{}
	for round := 0; round < 45; round++ {
		key := keys[round%len(keys)]
		if round%9 == 4 {
			p.do("CONFIG", "SET", "hll-sparse-max-bytes", fmt.Sprint([]int{64, 700, 3000, 12000}[rng.IntN(4)]))
		}
		if round < 12 {
			// Single adds, where each register change splits or merges
			// opcodes.
			for _, e := range hllElements(rng, 40) {
				p.do("PFADD", key, e)
			}
		} else {
			n := 1 + rng.IntN(4000)
			p.do(append([]string{"PFADD", key}, hllElements(rng, n)...)...)
		}
		enc := p.do("PFDEBUG", "ENCODING", key)
		seen[enc] = true
		p.do("GET", key)
		p.do("PFCOUNT", key)
		p.do("GET", key)
		if round%5 == 4 {
			p.do("PFCOUNT", "a", "b", "c", "missing")
			p.do("PFMERGE", "m", key)
			p.do("GET", "m")
			p.do("PFMERGE", "all", "a", "b", "c")
			p.do("GET", "all")
			p.do("PFCOUNT", "all")
		}
	}
	require.True(t, seen["+sparse\r\n"] && seen["+dense\r\n"], "encodings seen: %v", seen)
}

// hllFixture builds a sparse, a dense and a merged HyperLogLog.
var hllFixture = [][]string{
	{"PFADD", "hll:sparse", "a", "b", "c", "d"},
	{"EVAL", "for i=1,5000 do redis.call('pfadd',KEYS[1],'el:'..i) end return 1", "1", "hll:dense"},
	{"PFMERGE", "hll:merged", "hll:sparse", "hll:dense"},
	{"PFCOUNT", "hll:sparse"},
}

// TestHLLDumpRestoreInterop moves HyperLogLogs both ways between
// redis-server 7.0 and modhost with DUMP/RESTORE: the restored value is
// the same string, and PFADD/PFCOUNT on it answer alike on both servers.
func TestHLLDumpRestoreInterop(t *testing.T) {
	p := hllPair{t: t,
		redis: hosttest.StartRedis(t).Conn(t),
		mh:    hosttest.StartModhost(t, "--rdb-version", "10").Conn(t)}
	for _, cmd := range hllFixture {
		p.do(cmd...)
	}
	for _, dir := range []struct {
		name     string
		from, to *hosttest.Conn
	}{{"redis->modhost", p.redis, p.mh}, {"modhost->redis", p.mh, p.redis}} {
		for _, key := range []string{"hll:sparse", "hll:dense", "hll:merged"} {
			f, err := dir.from.Command("DUMP", key)
			require.NoError(t, err)
			require.Equal(t, byte('$'), f.Type, "%s DUMP %s: %s", dir.name, key, f.Raw)
			copyKey := key + ":" + dir.name
			require.Equal(t, "+OK\r\n", string(dir.to.Do("RESTORE", copyKey, "0", string(f.Str))), dir.name)
			require.Equal(t, string(dir.from.Do("GET", key)), string(dir.to.Do("GET", copyKey)), "%s %s", dir.name, key)
			// The restored copy now exists on one server only: give the
			// other the same value, then use it on both.
			other := p.redis
			if dir.to == p.redis {
				other = p.mh
			}
			require.Equal(t, "+OK\r\n", string(other.Do("RESTORE", copyKey, "0", string(f.Str))))
			p.do("PFCOUNT", copyKey)
			p.do("PFADD", copyKey, "new1", "new2", "new3")
			p.do("GET", copyKey)
			p.do("PFDEBUG", "ENCODING", copyKey)
		}
	}
}

// TestHLLRDBRoundTrip saves HyperLogLogs to an RDB file with modhost and
// loads it in modhost and in redis-server 7.0, then the other way round:
// the values are the same strings everywhere.
func TestHLLRDBRoundTrip(t *testing.T) {
	mhBin, redisBin := hosttest.ModhostBin(t), hosttest.RedisBin(t)
	for _, tc := range []struct{ name, saver, loader string }{
		{"modhost->modhost", mhBin, mhBin},
		{"modhost->redis", mhBin, redisBin},
		{"redis->modhost", redisBin, mhBin},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			extra := []string{"--save", ""}
			if tc.saver == mhBin {
				extra = append(extra, "--rdb-version", "10") // loadable by 7.0
			}
			s := startIn(t, tc.saver, dir, extra...)
			c := s.Conn(t)
			want := map[string]string{}
			for _, cmd := range hllFixture {
				c.Do(cmd...)
			}
			for _, key := range []string{"hll:sparse", "hll:dense", "hll:merged"} {
				want[key] = string(c.Do("GET", key))
			}
			require.Equal(t, "+OK\r\n", string(c.Do("SAVE")))
			s.Kill()
			require.FileExists(t, filepath.Join(dir, "dump.rdb"))
			l := startIn(t, tc.loader, dir, "--save", "").Conn(t)
			for key, v := range want {
				require.Equal(t, v, string(l.Do("GET", key)), key)
				require.Regexp(t, `^:\d+\r\n$`, string(l.Do("PFCOUNT", key)), key)
			}
			require.Equal(t, "+dense\r\n", string(l.Do("PFDEBUG", "ENCODING", "hll:dense")))
			require.Equal(t, "+sparse\r\n", string(l.Do("PFDEBUG", "ENCODING", "hll:sparse")))
		})
	}
}

// TestHLLReplication: a redis-server 7.0 replica of modhost ends with the
// same HyperLogLog bytes as the master, including the cached cardinality
// that single-key PFCOUNT writes (and so propagates) and the encodings
// PFDEBUG TODENSE changes.
func TestHLLReplication(t *testing.T) {
	_, _, mc, rc := startReplicatedPair(t)
	rng := rand.New(rand.NewPCG(3, 4))
	cmds := [][]string{
		{"PFADD", "r1", "a", "b", "c"},
		{"PFCOUNT", "r1"},
		{"PFADD", "r2", "x"},
		{"PFDEBUG", "TODENSE", "r2"},
		append([]string{"PFADD", "r3"}, hllElements(rng, 3000)...),
		{"PFCOUNT", "r3"},
		{"PFMERGE", "r4", "r1", "r2"},
		{"PFCOUNT", "r1", "r3"},
		{"PFMERGE", "r5", "r1"},
		{"PFCOUNT", "r5"},
	}
	for _, cmd := range cmds {
		f, err := mc.Command(cmd...)
		require.NoError(t, err)
		require.False(t, f.IsError(), "%v: %s", cmd[:2], f.Raw)
	}
	require.Equal(t, ":1\r\n", string(mc.Do("WAIT", "1", "5000")))
	for _, k := range []string{"r1", "r2", "r3", "r4", "r5"} {
		require.Equal(t, string(mc.Do("GET", k)), string(rc.Do("GET", k)), k)
	}
	require.Equal(t, ":12304\r\n", string(rc.Do("STRLEN", "r2")), "r2 dense on the replica")
}
