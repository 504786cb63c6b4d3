package keyspace

import (
	"fmt"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestEvictLRUOrder: with a sample as large as the keyspace, allkeys-lru
// evicts the keys in idle order, and reports each with its size.
func TestEvictLRUOrder(t *testing.T) {
	ks, clk, rec := newTestKS(1)
	for i := 0; i < 5; i++ {
		ks.Add(0, b(fmt.Sprint("k", i)), NewString(b("value")))
		clk.ms += 10_000
	}
	ks.LookupRead(0, b("k0"), LookupNone) // k0 becomes the most recent
	rec.take()
	var order []string
	for {
		ev, ok := ks.EvictOne(EvictAllKeysLRU, 64)
		if !ok {
			break
		}
		require.Positive(t, ev.Bytes)
		order = append(order, ev.Key)
	}
	require.Equal(t, []string{"k1", "k2", "k3", "k4", "k0"}, order)
	require.Equal(t, int64(5), ks.Stats.EvictedKeys)
	require.Equal(t, "modified/0//k1/0", rec.events[0].String())
	require.Equal(t, event{Hook: "notify", Class: NotifyEvicted, Name: "evicted", Key: "k1"}, rec.events[1])
}

// TestEvictLFU: allkeys-lfu evicts the least frequently used key first.
func TestEvictLFU(t *testing.T) {
	ks, _, _ := newTestKS(1)
	ks.LFU = true
	for i := 0; i < 3; i++ {
		ks.Add(0, b(fmt.Sprint("k", i)), NewString(b("v")))
	}
	ks.SetFreq(0, b("k0"), 200)
	ks.SetFreq(0, b("k1"), 0)
	ks.SetFreq(0, b("k2"), 100)
	var order []string
	for ev, ok := ks.EvictOne(EvictAllKeysLFU, 64); ok; ev, ok = ks.EvictOne(EvictAllKeysLFU, 64) {
		order = append(order, ev.Key)
	}
	require.Equal(t, []string{"k1", "k2", "k0"}, order)
}

// TestEvictVolatile: volatile policies only take keys with a TTL (soonest
// first for volatile-ttl), across databases, and noeviction takes none.
func TestEvictVolatile(t *testing.T) {
	ks, clk, _ := newTestKS(2)
	ks.Add(0, b("persist"), NewString(b("v")))
	ks.Add(1, b("late"), NewString(b("v")))
	ks.SetExpire(1, b("late"), clk.ms+90_000)
	ks.Add(0, b("soon"), NewString(b("v")))
	ks.SetExpire(0, b("soon"), clk.ms+10_000)
	_, ok := ks.EvictOne(EvictNone, 5)
	require.False(t, ok)
	ev, ok := ks.EvictOne(EvictVolatileTTL, 64)
	require.True(t, ok)
	require.Equal(t, Evicted{DB: 0, Key: "soon", Bytes: ev.Bytes}, ev)
	ev, ok = ks.EvictOne(EvictVolatileRandom, 5)
	require.True(t, ok)
	require.Equal(t, "late", ev.Key)
	_, ok = ks.EvictOne(EvictVolatileLRU, 5)
	require.False(t, ok, "no volatile key left")
	require.True(t, ks.Exists(0, b("persist")))
	ev, ok = ks.EvictOne(EvictAllKeysRandom, 5)
	require.True(t, ok)
	require.Equal(t, "persist", ev.Key)
	require.Zero(t, ks.Size(0)+ks.Size(1))
}

// TestEvictSparseTTLs: a volatile key among many persistent ones is found
// (by scanning) when random probes miss it.
func TestEvictSparseTTLs(t *testing.T) {
	ks, clk, _ := newTestKS(1)
	for i := 0; i < 5000; i++ {
		ks.Add(0, b(fmt.Sprint("p", i)), NewString(b("v")))
	}
	ks.Add(0, b("vol"), NewString(b("v")))
	ks.SetExpire(0, b("vol"), clk.ms+1000)
	ev, ok := ks.EvictOne(EvictVolatileLRU, 1)
	require.True(t, ok)
	require.Equal(t, "vol", ev.Key)
}

// TestEvictModuleValue: an evicted module value is dropped (DropEvicted:
// its type's unlink and free callbacks run).
func TestEvictModuleValue(t *testing.T) {
	ks, _, _ := newTestKS(1)
	dt := &dropType{}
	ks.Add(0, b("m"), modVal(dt, "x"))
	_, ok := ks.EvictOne(EvictAllKeysLRU, 5)
	require.True(t, ok)
	require.Equal(t, []string{fmt.Sprintf("x@0:m:%d", DropEvicted)}, dt.log)
	require.Zero(t, ks.ModuleValues(0))
}

func TestParseEvictPolicy(t *testing.T) {
	for name, p := range map[string]EvictPolicy{"noeviction": EvictNone, "allkeys-lru": EvictAllKeysLRU,
		"allkeys-lfu": EvictAllKeysLFU, "allkeys-random": EvictAllKeysRandom, "volatile-lru": EvictVolatileLRU,
		"volatile-lfu": EvictVolatileLFU, "volatile-random": EvictVolatileRandom, "volatile-ttl": EvictVolatileTTL} {
		require.Equal(t, p, ParseEvictPolicy(name), name)
	}
}
