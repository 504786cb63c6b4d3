package commands

// OBJECT and MEMORY (Redis's object.c introspection commands).

import (
	"runtime"
	"runtime/debug"
	"strconv"
	"strings"

	"github.com/modhost/modhost/keyspace"
)

// objectCommands are OBJECT and MEMORY (object.c).
var objectCommands = []Entry{
	{Name: "object", Arity: -2,
		ACL: "slow", Group: "generic", Since: "2.2.3",
		Handler: noop,
		Subs: []Entry{
			{Name: "encoding", Arity: 3, Flags: "readonly", FirstKey: 2, LastKey: 2, KeyStep: 1,
				KeySpecs: "RO: i2 r0,1,0",
				Tips:     "nondeterministic_output",
				ACL:      "keyspace read slow", Group: "generic", Since: "2.2.3",
				Handler: objectEncoding},
			{Name: "freq", Arity: 3, Flags: "readonly", FirstKey: 2, LastKey: 2, KeyStep: 1,
				KeySpecs: "RO: i2 r0,1,0",
				Tips:     "nondeterministic_output",
				ACL:      "keyspace read slow", Group: "generic", Since: "4.0.0",
				Handler: objectFreq},
			{Name: "idletime", Arity: 3, Flags: "readonly", FirstKey: 2, LastKey: 2, KeyStep: 1,
				KeySpecs: "RO: i2 r0,1,0",
				Tips:     "nondeterministic_output",
				ACL:      "keyspace read slow", Group: "generic", Since: "2.2.3",
				Handler: objectIdletime},
			{Name: "refcount", Arity: 3, Flags: "readonly", FirstKey: 2, LastKey: 2, KeyStep: 1,
				KeySpecs: "RO: i2 r0,1,0",
				Tips:     "nondeterministic_output",
				ACL:      "keyspace read slow", Group: "generic", Since: "2.2.3",
				Handler: objectRefcount},
			{Name: "help", Arity: 2, Flags: "loading stale",
				ACL: "keyspace slow", Group: "generic", Since: "6.2.0",
				Handler: objectHelp},
		},
	},
	{Name: "memory", Arity: -2,
		ACL: "slow", Group: "server", Since: "4.0.0",
		Handler: noop,
		Subs: []Entry{
			{Name: "usage", Arity: -3, Flags: "readonly", FirstKey: 2, LastKey: 2, KeyStep: 1,
				KeySpecs: "RO: i2 r0,1,0",
				ACL:      "read slow", Group: "server", Since: "4.0.0",
				Handler: memoryUsage},
			{Name: "stats", Arity: 2,
				Tips: "nondeterministic_output request_policy:all_shards response_policy:special",
				ACL:  "slow", Group: "server", Since: "4.0.0",
				Handler: memoryStats},
			{Name: "doctor", Arity: 2,
				Tips: "nondeterministic_output request_policy:all_shards response_policy:special",
				ACL:  "slow", Group: "server", Since: "4.0.0",
				Handler: memoryDoctor},
			{Name: "malloc-stats", Arity: 2,
				Tips: "nondeterministic_output request_policy:all_shards response_policy:special",
				ACL:  "slow", Group: "server", Since: "4.0.0",
				Handler: memoryMallocStats},
			{Name: "purge", Arity: 2,
				Tips: "request_policy:all_shards response_policy:all_succeeded",
				ACL:  "slow", Group: "server", Since: "4.0.0",
				Handler: memoryPurge},
			{Name: "help", Arity: 2, Flags: "loading stale",
				ACL: "slow", Group: "server", Since: "4.0.0",
				Handler: memoryHelp},
		},
	},
}

// memoryMallocStats is MEMORY MALLOC-STATS: Go's allocator has no jemalloc
// report.
func memoryMallocStats(c Client, a [][]byte) {
	c.Writer().BulkString("Stats not supported for the current allocator")
}

// memoryPurge is MEMORY PURGE: return freed memory to the OS.
func memoryPurge(c Client, a [][]byte) {
	debug.FreeOSMemory()
	c.OK()
}

// Error texts of OBJECT.
const (
	msgLFUSelected    = "ERR An LFU maxmemory policy is selected, idle time not tracked. Please note that when switching between policies at runtime LRU and LFU data will take some time to adjust."
	msgLFUNotSelected = "ERR An LFU maxmemory policy is not selected, access frequency not tracked. Please note that when switching between policies at runtime LRU and LFU data will take some time to adjust."
)

// sharedIntRefcount is OBJ_SHARED_REFCOUNT, what OBJECT REFCOUNT reports
// for Redis's shared integers 0..9999.
const sharedIntRefcount = 2147483647

// lfuPolicy reports whether maxmemory-policy is an LFU policy.
func lfuPolicy(c Client) bool {
	return strings.Contains(c.Config().String("maxmemory-policy"), "lfu")
}

// objectLookup is Redis's objectCommandLookupOrReply: no touch, no
// keymiss event; a missing key replies null.
func objectLookup(c Client, key []byte) keyspace.Value {
	v := ks(c).LookupRead(c.DBIndex(), key, keyspace.LookupNoTouch|keyspace.LookupNoNotify)
	if v == nil {
		c.Writer().NullBulk()
	}
	return v
}

func objectEncoding(c Client, a [][]byte) {
	if v := objectLookup(c, a[2]); v != nil {
		c.Writer().BulkString(v.Encoding())
	}
}

func objectRefcount(c Client, a [][]byte) {
	v := objectLookup(c, a[2])
	if v == nil {
		return
	}
	c.Writer().Int(refcountOf(c, v))
}

// refcountOf emulates Redis's shared integer objects: small non-negative
// integers are shared unless maxmemory with an LRU/LFU policy forbids it.
func refcountOf(c Client, v keyspace.Value) int64 {
	s, ok := v.(*keyspace.String)
	if !ok || s.Encoding() != "int" {
		return 1
	}
	n, _ := s.Int()
	if n < 0 || n >= 10000 {
		return 1
	}
	cfg := c.Config()
	pol := cfg.String("maxmemory-policy")
	if cfg.Int("maxmemory") != 0 && (strings.Contains(pol, "lru") || strings.Contains(pol, "lfu")) {
		return 1
	}
	return sharedIntRefcount
}

func objectIdletime(c Client, a [][]byte) {
	if objectLookup(c, a[2]) == nil {
		return
	}
	if lfuPolicy(c) {
		c.Error(msgLFUSelected)
		return
	}
	ms, _ := ks(c).IdleTime(c.DBIndex(), a[2])
	c.Writer().Int(ms / 1000)
}

func objectFreq(c Client, a [][]byte) {
	if objectLookup(c, a[2]) == nil {
		return
	}
	if !lfuPolicy(c) {
		c.Error(msgLFUNotSelected)
		return
	}
	f, _ := ks(c).Freq(c.DBIndex(), a[2])
	c.Writer().Int(int64(f))
}

// objectReplyHelp writes a HELP reply as Redis's addReplyHelp: a status
// line naming the command, the lines, then the HELP entry.
func objectReplyHelp(c Client, name string, lines []string) {
	c.Writer().ArrayLen(len(lines) + 3)
	c.Writer().SimpleString(name + " <subcommand> [<arg> [value] [opt] ...]. Subcommands are:")
	for _, l := range lines {
		c.Writer().SimpleString(l)
	}
	c.Writer().SimpleString("HELP")
	c.Writer().SimpleString("    Print this help.")
}

func objectHelp(c Client, a [][]byte) {
	objectReplyHelp(c, "OBJECT", []string{
		"ENCODING <key>",
		"    Return the kind of internal representation used in order to store the value",
		"    associated with a <key>.",
		"FREQ <key>",
		"    Return the access frequency index of the <key>. The returned integer is",
		"    proportional to the logarithm of the recent access frequency of the key.",
		"IDLETIME <key>",
		"    Return the idle time of the <key>, that is the approximated number of",
		"    seconds elapsed since the last access to the key.",
		"REFCOUNT <key>",
		"    Return the number of references of the value associated with the specified",
		"    <key>.",
	})
}

func memoryHelp(c Client, a [][]byte) {
	objectReplyHelp(c, "MEMORY", []string{
		"DOCTOR",
		"    Return memory problems reports.",
		"MALLOC-STATS",
		"    Return internal statistics report from the memory allocator.",
		"PURGE",
		"    Attempt to purge dirty pages for reclamation by the allocator.",
		"STATS",
		"    Return information about the memory usage of the server.",
		"USAGE <key> [SAMPLES <count>]",
		"    Return memory in bytes used by <key> and its value. Nested values are",
		"    sampled up to <count> times (default: 5, 0 means sample all).",
	})
}

func memoryUsage(c Client, a [][]byte) {
	for j := 3; j < len(a); j++ {
		if !eqFold(a[j], "samples") || j+1 >= len(a) {
			c.Error(msgSyntax)
			return
		}
		n, ok := intArg(c, a[j+1])
		if !ok {
			return
		}
		if n < 0 {
			c.Error(msgSyntax)
			return
		}
		j++
	}
	n, ok := ks(c).MemoryUsage(c.DBIndex(), a[2])
	if !ok {
		c.Writer().NullBulk()
		return
	}
	c.Writer().Int(int64(n))
}

// memStats gathers the numbers MEMORY STATS and MEMORY DOCTOR report,
// from the Go runtime and the keyspace.
type memStats struct {
	peak, total, startup, dataset, overhead, keys int64
	heapIdle, heapInuse, sys                      int64
	dbs                                           [][2]int64 // db index, keys
}

// startupAlloc is the heap in use when the commands were registered,
// MEMORY STATS' startup.allocated.
var startupAlloc int64

func readMemStats(c Client) memStats {
	var rt runtime.MemStats
	runtime.ReadMemStats(&rt)
	m := memStats{
		total: int64(rt.HeapAlloc), startup: startupAlloc, sys: int64(rt.Sys),
		heapIdle: int64(rt.HeapIdle), heapInuse: int64(rt.HeapInuse),
	}
	m.peak = max(int64(rt.HeapInuse), m.total)
	k := ks(c)
	for db := 0; db < k.NumDBs(); db++ {
		if n := k.Size(db); n > 0 {
			m.dbs = append(m.dbs, [2]int64{int64(db), int64(n)})
			m.keys += int64(n)
			m.overhead += int64(n) * 52
		}
	}
	m.overhead += m.startup
	m.dataset = max(m.total-m.overhead, 0)
	return m
}

func memoryStats(c Client, a [][]byte) {
	m := readMemStats(c)
	w := c.Writer()
	w.MapLen(27 + len(m.dbs))
	pairs := []struct {
		name string
		v    int64
	}{
		{"peak.allocated", m.peak}, {"total.allocated", m.total}, {"startup.allocated", m.startup},
		{"replication.backlog", 0}, {"clients.slaves", 0}, {"clients.normal", 0},
		{"cluster.links", 0}, {"aof.buffer", 0}, {"lua.caches", 0}, {"functions.caches", 0},
	}
	for _, p := range pairs {
		w.BulkString(p.name)
		w.Int(p.v)
	}
	for _, d := range m.dbs {
		w.BulkString("db." + strconv.FormatInt(d[0], 10))
		w.MapLen(2)
		w.BulkString("overhead.hashtable.main")
		w.Int(d[1] * 52)
		w.BulkString("overhead.hashtable.expires")
		w.Int(int64(ks(c).Expires(int(d[0]))) * 32)
	}
	perKey := int64(0)
	if m.keys > 0 {
		perKey = (m.total - m.startup) / m.keys
	}
	pct := func(a, b int64) float64 {
		if b <= 0 {
			return 0
		}
		return float64(a) * 100 / float64(b)
	}
	ratio := func(a, b int64) float64 {
		if b <= 0 {
			return 1
		}
		return float64(a) / float64(b)
	}
	rest := []struct {
		name string
		i    int64
		f    float64
		dbl  bool
	}{
		{name: "overhead.total", i: m.overhead},
		{name: "keys.count", i: m.keys},
		{name: "keys.bytes-per-key", i: perKey},
		{name: "dataset.bytes", i: m.dataset},
		{name: "dataset.percentage", f: pct(m.dataset, m.total-m.startup), dbl: true},
		{name: "peak.percentage", f: pct(m.total, m.peak), dbl: true},
		{name: "allocator.allocated", i: m.total},
		{name: "allocator.active", i: m.heapInuse},
		{name: "allocator.resident", i: m.heapInuse + m.heapIdle},
		{name: "allocator-fragmentation.ratio", f: ratio(m.heapInuse, m.total), dbl: true},
		{name: "allocator-fragmentation.bytes", i: m.heapInuse - m.total},
		{name: "allocator-rss.ratio", f: ratio(m.heapInuse+m.heapIdle, m.heapInuse), dbl: true},
		{name: "allocator-rss.bytes", i: m.heapIdle},
		{name: "rss-overhead.ratio", f: ratio(m.sys, m.heapInuse+m.heapIdle), dbl: true},
		{name: "rss-overhead.bytes", i: m.sys - m.heapInuse - m.heapIdle},
		{name: "fragmentation", f: ratio(m.sys, m.total), dbl: true},
		{name: "fragmentation.bytes", i: m.sys - m.total},
	}
	for _, r := range rest {
		w.BulkString(r.name)
		if r.dbl {
			w.Double(r.f)
		} else {
			w.Int(r.i)
		}
	}
}

func memoryDoctor(c Client, a [][]byte) {
	m := readMemStats(c)
	var report string
	if m.total < 5*1024*1024 {
		report = "Hi Sam, this instance is empty or is using very little memory, " +
			"my issues detector can't be used in these conditions. " +
			"Please, leave for your mission on Earth and fill it with some data. " +
			"The new Sam and I will be back to our programming as soon as I " +
			"finished rebooting.\n"
	} else {
		report = "Hi Sam, I can't find any memory issue in your instance. " +
			"I can only account for what occurs on this base.\n"
	}
	c.Writer().Verbatim("txt", []byte(report))
}

func init() {
	var rt runtime.MemStats
	runtime.ReadMemStats(&rt)
	startupAlloc = int64(rt.HeapAlloc)
}
