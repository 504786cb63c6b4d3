package keyspace

import (
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func hashTTLs(h *Hash) []string {
	var out []string
	h.EachTTL(func(f string, v []byte, exp int64) bool {
		out = append(out, fmt.Sprintf("%s=%s@%d", f, v, exp))
		return true
	})
	return out
}

func TestHashFieldTTLListpackexOrder(t *testing.T) {
	h := NewHash(nil)
	for _, f := range []string{"a", "b", "c", "d"} {
		h.Set(b(f), b("v"+f))
	}
	require.Equal(t, "listpack", h.Encoding())
	require.False(t, h.SetTTL(b("nope"), 5))
	require.True(t, h.SetTTL(b("c"), 300))
	require.Equal(t, "listpackex", h.Encoding())
	require.True(t, h.SetTTL(b("a"), 100))
	require.True(t, h.SetTTL(b("d"), 300)) // ties: the newer goes first, as lpFindCb inserts
	require.Equal(t, []string{"a=va@100", "d=vd@300", "c=vc@300", "b=vb@0"}, hashTTLs(h))
	require.Equal(t, int64(100), h.MinFieldExpire())
	require.Equal(t, 3, h.FieldTTLs())

	// HSET drops the TTL and moves the field to the end; HINCRBY keeps it.
	require.False(t, h.Set(b("a"), b("new")))
	require.False(t, h.SetKeepTTL(b("d"), b("kept")))
	require.Equal(t, []string{"d=kept@300", "c=vc@300", "b=vb@0", "a=new@0"}, hashTTLs(h))
	require.Equal(t, 2, h.FieldTTLs())

	// HPERSIST keeps listpackex.
	h.SetTTL(b("d"), 0)
	h.SetTTL(b("c"), 0)
	require.False(t, h.HasFieldTTLs())
	require.Equal(t, "listpackex", h.Encoding())
	require.Equal(t, int64(0), h.MinFieldExpire())

	require.True(t, h.SetTTL(b("b"), 50))
	require.True(t, h.Delete(b("b")))
	require.False(t, h.HasFieldTTLs())
}

func TestHashFieldTTLHashtable(t *testing.T) {
	lim := DefaultLimits()
	lim.HashMaxListpackEntries = 4
	h := NewHash(&lim)
	for i := range 4 {
		h.Set(b(fmt.Sprint("f", i)), b("v"))
	}
	h.SetTTL(b("f1"), 70)
	h.SetTTL(b("f2"), 40)
	h.Set(b("f4"), b("v")) // past the entry limit: hashtable, TTLs carried over
	require.Equal(t, "hashtable", h.Encoding())
	exp, ok := h.TTL(b("f1"))
	require.True(t, ok)
	require.Equal(t, int64(70), exp)
	require.Equal(t, int64(40), h.MinFieldExpire())
	require.Equal(t, 2, h.FieldTTLs())
	require.Equal(t, 5, h.LiveLen(10))
	require.Equal(t, 4, h.LiveLen(50), "f2 expired at 50")
	require.Equal(t, 3, h.LiveLen(71))
	require.Equal(t, 5, h.Len(), "Len counts expired fields, as HLEN")

	_, found, expired := h.GetLive(b("f2"), 50)
	require.False(t, found)
	require.True(t, expired)
	v, found, _ := h.GetLive(b("f1"), 50)
	require.True(t, found)
	require.Equal(t, "v", string(v))

	live := map[string]bool{}
	h.EachLive(50, func(f string, _ []byte) bool { live[f] = true; return true })
	require.Len(t, live, 4)
	require.False(t, live["f2"])
	scanned := map[string]bool{}
	var cur uint64
	for {
		cur = h.ScanLive(cur, 2, 50, func(f string, _ []byte) { scanned[f] = true })
		if cur == 0 {
			break
		}
	}
	require.Equal(t, live, scanned)

	c := h.Clone().(*Hash)
	require.Equal(t, 2, c.FieldTTLs())
	exp, _ = c.TTL(b("f2"))
	require.Equal(t, int64(40), exp)

	var gone []string
	require.Equal(t, 2, h.DeleteExpired(100, 0, func(f string) { gone = append(gone, f) }))
	require.ElementsMatch(t, []string{"f1", "f2"}, gone)
	require.False(t, h.HasFieldTTLs())
	require.Equal(t, 3, h.Len())
	require.Equal(t, 2, c.FieldTTLs(), "the clone is independent")
}

func TestHashFieldLazyExpiryEvents(t *testing.T) {
	ks, clk, rec := newTestKS(1)
	h := ks.NewHash()
	h.Set(b("a"), b("1"))
	h.Set(b("b"), b("2"))
	h.SetTTL(b("a"), clk.ms+10)
	ks.Add(0, b("k"), h)
	rec.take()
	require.Equal(t, FieldLive, ks.LazyExpireField(0, b("k"), h, b("a"), true))
	clk.ms += 11
	require.Equal(t, FieldLive, ks.LazyExpireField(0, b("k"), h, b("b"), true), "b has no TTL")
	require.Equal(t, FieldExpiredGone, ks.LazyExpireField(0, b("k"), h, b("a"), true))
	require.Equal(t, []string{"notify/64/hexpired/k/0", "modified/0//k/0"}, eventStrings(rec.take()))
	require.Equal(t, int64(1), ks.Stats.ExpiredSubkeys)

	h.SetTTL(b("b"), clk.ms+5)
	clk.ms += 6
	require.Equal(t, FieldHashDeleted, ks.LazyExpireField(0, b("k"), h, b("b"), true))
	var names []string
	for _, e := range rec.take() {
		names = append(names, e.Hook+":"+e.Name)
	}
	require.Equal(t, []string{"notify:hexpired", "notify:del", "modified:"}, names)
	require.Nil(t, ks.Peek(0, b("k")))
}

func TestHashFieldActiveExpiry(t *testing.T) {
	ks, clk, rec := newTestKS(2)
	for i := range 3 {
		h := ks.NewHash()
		h.Set(b("a"), b("1"))
		h.Set(b("b"), b("2"))
		h.SetTTL(b("a"), clk.ms+10)
		if i == 2 {
			h.SetTTL(b("b"), clk.ms+10)
		}
		ks.Add(1, b(fmt.Sprint("k", i)), h)
	}
	require.Equal(t, 3, ks.HashesWithFieldTTLs(1))
	// A renamed hash keeps being tracked under its new name.
	require.True(t, ks.Rename(1, b("k0"), b("r0")))
	rec.take()
	clk.ms += 11
	ks.ActiveExpireCycle(time.Second)
	require.Equal(t, int64(4), ks.Stats.ExpiredSubkeys)
	require.Nil(t, ks.Peek(1, b("k2")), "all fields expired: the key goes")
	for _, k := range []string{"r0", "k1"} {
		h := ks.Peek(1, b(k)).(*Hash)
		require.Equal(t, 1, h.Len(), k)
		require.False(t, h.HasFieldTTLs())
	}
	require.Equal(t, 0, ks.HashesWithFieldTTLs(1))
	require.Empty(t, ks.dbs[1].hfe, "drained hashes are forgotten")
	dels := 0
	for _, e := range rec.take() {
		if e.Name == "del" {
			dels++
			require.Equal(t, "k2", e.Key)
		}
	}
	require.Equal(t, 1, dels)
}

func eventStrings(evs []event) []string {
	out := make([]string, len(evs))
	for i, e := range evs {
		out[i] = e.String()
	}
	return out
}
