package keyspace

import (
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func TestAddSetKeyHooksOrder(t *testing.T) {
	ks, _, r := newTestKS(2)

	require.False(t, ks.SetKey(0, b("k"), NewString(b("v")), false))
	ks.Modified(0, b("k"), NotifyString, "set")
	require.Equal(t, []event{
		{Hook: "notify", Class: NotifyNew, Name: "new", Key: "k"},
		{Hook: "modified", Key: "k"},
		{Hook: "notify", Class: NotifyString, Name: "set", Key: "k"},
	}, r.take())
	require.Equal(t, int64(1), ks.Dirty)

	// Overwriting fires nothing by itself.
	require.True(t, ks.SetKey(0, b("k"), NewString(b("w")), false))
	require.Empty(t, r.take())

	// A list key signals readiness before "new".
	require.True(t, ks.Add(1, b("l"), ks.NewList()))
	require.Equal(t, []event{
		{Hook: "ready", Key: "l", DB: 1},
		{Hook: "notify", Class: NotifyNew, Name: "new", Key: "l", DB: 1},
	}, r.take())
	require.False(t, ks.Add(1, b("l"), ks.NewList()))

	// Deleting a list signals readiness; deleting a string does not.
	require.True(t, ks.Delete(1, b("l")))
	require.Equal(t, []event{{Hook: "ready", Key: "l", DB: 1}}, r.take())
	require.True(t, ks.Delete(0, b("k")))
	require.Empty(t, r.take())
	require.False(t, ks.Delete(0, b("k")))
}

func TestNotifyClassValues(t *testing.T) {
	require.Equal(t, 1<<2, int(NotifyGeneric))
	require.Equal(t, 1<<8, int(NotifyExpired))
	require.Equal(t, 1<<11, int(NotifyKeyMiss))
	require.Equal(t, 1<<14, int(NotifyNew))
	require.Equal(t, 0x27fc, int(NotifyAll))
}

func TestLookupStatsAndKeymiss(t *testing.T) {
	ks, _, r := newTestKS(1)
	ks.SetKey(0, b("a"), NewString(b("1")), false)
	r.take()

	tests := []struct {
		name       string
		key        string
		write      bool
		flags      LookupFlags
		found      bool
		hits, miss int64
		keymiss    bool
	}{
		{"read hit", "a", false, 0, true, 1, 0, false},
		{"read miss", "zz", false, 0, false, 0, 1, true},
		{"read miss nonotify", "zz", false, LookupNoNotify, false, 0, 1, false},
		{"read miss nostats", "zz", false, LookupNoStats, false, 0, 0, true},
		{"write hit", "a", true, 0, true, 0, 0, false},
		{"write miss", "zz", true, 0, false, 0, 0, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ks.Stats = Stats{}
			var v Value
			if tc.write {
				v = ks.LookupWrite(0, b(tc.key), tc.flags)
			} else {
				v = ks.LookupRead(0, b(tc.key), tc.flags)
			}
			require.Equal(t, tc.found, v != nil)
			require.Equal(t, tc.hits, ks.Stats.KeyspaceHits)
			require.Equal(t, tc.miss, ks.Stats.KeyspaceMisses)
			ev := r.take()
			if tc.keymiss {
				require.Equal(t, []event{{Hook: "notify", Class: NotifyKeyMiss, Name: "keymiss", Key: tc.key}}, ev)
			} else {
				require.Empty(t, ev)
			}
		})
	}
}

func TestLazyExpiry(t *testing.T) {
	ks, c, r := newTestKS(1)
	ks.SetKey(0, b("k"), ks.NewList(), false)
	require.True(t, ks.SetExpire(0, b("k"), c.ms+100))
	require.Equal(t, 1, ks.Expires(0))
	r.take()

	c.ms += 100 // expiry time itself: still alive (Redis: now > when)
	require.NotNil(t, ks.LookupRead(0, b("k"), 0))

	c.ms++
	require.Nil(t, ks.LookupRead(0, b("k"), LookupNoExpire))
	require.Equal(t, 1, ks.Size(0), "NOEXPIRE must not delete")
	require.NotNil(t, ks.LookupRead(0, b("k"), LookupAccessExpired|LookupNoStats))
	r.take()

	require.Nil(t, ks.LookupRead(0, b("k"), 0))
	require.Equal(t, []event{
		{Hook: "ready", Key: "k"},
		{Hook: "notify", Class: NotifyExpired, Name: "expired", Key: "k"},
		{Hook: "modified", Key: "k"},
		{Hook: "notify", Class: NotifyKeyMiss, Name: "keymiss", Key: "k"},
	}, r.take())
	require.Equal(t, int64(1), ks.Stats.ExpiredKeys)
	require.Equal(t, 0, ks.Size(0))
	require.Equal(t, 0, ks.Expires(0))
}

func TestExpireAPI(t *testing.T) {
	ks, c, _ := newTestKS(1)
	require.False(t, ks.SetExpire(0, b("nope"), 5))
	ks.SetKey(0, b("k"), NewString(b("v")), false)
	at, ok := ks.GetExpire(0, b("k"))
	require.True(t, ok)
	require.Zero(t, at)
	require.False(t, ks.Persist(0, b("k")))
	ks.SetExpire(0, b("k"), c.ms+10)
	ks.SetExpire(0, b("k"), c.ms+20)
	require.Equal(t, 1, ks.Expires(0))
	at, _ = ks.GetExpire(0, b("k"))
	require.Equal(t, c.ms+20, at)

	// SetKey drops the TTL unless keepTTL.
	ks.SetKey(0, b("k"), NewString(b("w")), true)
	require.Equal(t, 1, ks.Expires(0))
	ks.SetKey(0, b("k"), NewString(b("x")), false)
	require.Equal(t, 0, ks.Expires(0))

	ks.SetExpire(0, b("k"), c.ms+20)
	require.True(t, ks.Persist(0, b("k")))
	require.Equal(t, 0, ks.Expires(0))
}

func TestSetKeyOverExpired(t *testing.T) {
	ks, c, r := newTestKS(1)
	ks.SetKey(0, b("k"), NewString(b("v")), false)
	ks.SetExpire(0, b("k"), c.ms+1)
	c.ms += 5
	r.take()
	require.False(t, ks.SetKey(0, b("k"), NewString(b("w")), false))
	names := []string{}
	for _, e := range r.take() {
		names = append(names, e.Hook+":"+e.Name)
	}
	require.Equal(t, []string{"notify:expired", "modified:", "notify:new"}, names)
}

func TestActiveExpireCycle(t *testing.T) {
	ks, c, r := newTestKS(2)
	for i := 0; i < 1000; i++ {
		k := b(fmt.Sprintf("k%d", i))
		ks.SetKey(i%2, k, NewString(b("v")), false)
		if i%4 < 2 {
			ks.SetExpire(i%2, k, c.ms+10)
		} else if i%4 == 2 {
			ks.SetExpire(i%2, k, c.ms+1_000_000)
		}
	}
	require.Equal(t, 500, ks.Expires(0))
	require.Equal(t, 250, ks.Expires(1))
	require.Zero(t, ks.ActiveExpireCycle(time.Second), "nothing expired yet")
	r.take()

	c.ms += 100
	total := 0
	for i := 0; i < 100 && total < 500; i++ {
		total += ks.ActiveExpireCycle(time.Second)
	}
	require.Equal(t, 500, total)
	require.Equal(t, int64(500), ks.Stats.ExpiredKeys)
	require.Equal(t, 500, ks.Size(0)+ks.Size(1))
	require.Equal(t, 250, ks.Expires(0))
	require.Equal(t, 0, ks.Expires(1))
	require.Greater(t, ks.AvgTTL(0), int64(0))
	expired := 0
	for _, e := range r.take() {
		if e.Name == "expired" {
			require.Equal(t, NotifyExpired, e.Class)
			expired++
		}
	}
	require.Equal(t, 500, expired)
}

func TestSwapFlush(t *testing.T) {
	ks, _, _ := newTestKS(3)
	ks.SetKey(0, b("a"), NewString(b("1")), false)
	ks.SetKey(1, b("b"), NewString(b("2")), false)
	ks.SetKey(1, b("c"), NewString(b("3")), false)
	require.True(t, ks.SwapDB(0, 1))
	require.False(t, ks.SwapDB(0, 3))
	require.Equal(t, 2, ks.Size(0))
	require.NotNil(t, ks.Peek(1, b("a")))
	require.Equal(t, 2, ks.FlushDB(0))
	require.Equal(t, 0, ks.Size(0))
	ks.SetKey(0, b("x"), NewString(b("1")), false)
	require.Equal(t, 2, ks.FlushAll())
	require.Nil(t, ks.Peek(1, b("a")))
}

func TestRenameMoveCopy(t *testing.T) {
	ks, c, _ := newTestKS(2)
	ks.SetKey(0, b("a"), NewString(b("1")), false)
	ks.SetExpire(0, b("a"), c.ms+1000)
	ks.SetKey(0, b("b"), NewString(b("2")), false)

	require.False(t, ks.Rename(0, b("zz"), b("y")))
	require.True(t, ks.Rename(0, b("a"), b("b")))
	require.Nil(t, ks.Peek(0, b("a")))
	require.Equal(t, "1", string(ks.Peek(0, b("b")).(*String).Bytes()))
	at, _ := ks.GetExpire(0, b("b"))
	require.Equal(t, c.ms+1000, at)
	require.Equal(t, 1, ks.Expires(0))

	require.True(t, ks.Move(0, 1, b("b")))
	require.False(t, ks.Move(0, 1, b("b")))
	require.Equal(t, 1, ks.Expires(1))
	require.Equal(t, 0, ks.Expires(0))

	require.Equal(t, CopyDone, ks.Copy(1, b("b"), 0, b("c"), false))
	require.Equal(t, CopyDstExists, ks.Copy(1, b("b"), 0, b("c"), false))
	require.Equal(t, CopyDone, ks.Copy(1, b("b"), 0, b("c"), true))
	require.Equal(t, CopyNoSource, ks.Copy(1, b("q"), 0, b("c"), true))
	src := ks.Peek(1, b("b")).(*String)
	dst := ks.Peek(0, b("c")).(*String)
	dst.Append(b("x"))
	require.Equal(t, "1", string(src.Bytes()), "copy must be deep")

	ks.SetKey(0, b("m"), &ModuleValue{}, false)
	require.Equal(t, CopyNotCopyable, ks.Copy(0, b("m"), 0, b("m2"), false))
}

func TestRandomKey(t *testing.T) {
	ks, c, _ := newTestKS(1)
	_, ok := ks.RandomKey(0)
	require.False(t, ok)
	seen := map[string]bool{}
	for i := 0; i < 10; i++ {
		ks.SetKey(0, b(fmt.Sprint(i)), NewString(b("v")), false)
	}
	for i := 0; i < 500; i++ {
		k, ok := ks.RandomKey(0)
		require.True(t, ok)
		seen[k] = true
	}
	require.Len(t, seen, 10)

	// Expired keys are reclaimed on the way.
	ks.FlushAll()
	ks.SetKey(0, b("old"), NewString(b("v")), false)
	ks.SetExpire(0, b("old"), c.ms-1)
	ks.SetKey(0, b("live"), NewString(b("v")), false)
	for i := 0; i < 50; i++ {
		k, _ := ks.RandomKey(0)
		require.Equal(t, "live", k)
	}
}

func TestKeysAndTypeScan(t *testing.T) {
	ks, _, _ := newTestKS(1)
	ks.SetKey(0, b("user:1"), NewString(b("v")), false)
	ks.SetKey(0, b("user:2"), ks.NewList(), false)
	ks.SetKey(0, b("other"), NewString(b("v")), false)
	var got []string
	ks.Keys(0, b("user:*"), func(k string) bool { got = append(got, k); return true })
	require.ElementsMatch(t, []string{"user:1", "user:2"}, got)

	var all []string
	cur := uint64(0)
	for {
		cur, all = ks.Scan(0, cur, 10, &ScanOptions{Type: "list"}, all)
		if cur == 0 {
			break
		}
	}
	require.Equal(t, []string{"user:2"}, all)
}

func TestLRUAndLFU(t *testing.T) {
	ks, c, _ := newTestKS(1)
	ks.SetKey(0, b("k"), NewString(b("v")), false)
	c.ms += 5000
	idle, ok := ks.IdleTime(0, b("k"))
	require.True(t, ok)
	require.Equal(t, int64(5000), idle)
	ks.LookupRead(0, b("k"), LookupNoTouch)
	idle, _ = ks.IdleTime(0, b("k"))
	require.Equal(t, int64(5000), idle)
	ks.LookupRead(0, b("k"), 0)
	idle, _ = ks.IdleTime(0, b("k"))
	require.Zero(t, idle)
	require.True(t, ks.SetIdleTime(0, b("k"), 42_000))
	idle, _ = ks.IdleTime(0, b("k"))
	require.Equal(t, int64(42_000), idle)

	ks.LFU = true
	ks.SetKey(0, b("f"), NewString(b("v")), false)
	f, _ := ks.Freq(0, b("f"))
	require.Equal(t, lfuInitVal, f)
	require.True(t, ks.SetFreq(0, b("f"), 100))
	f, _ = ks.Freq(0, b("f"))
	require.Equal(t, 100, f)
	c.ms += 3 * 60_000 // three decay periods
	f, _ = ks.Freq(0, b("f"))
	require.Equal(t, 97, f)
	_, ok = ks.Freq(0, b("missing"))
	require.False(t, ok)
}

func TestLookupAllocs(t *testing.T) {
	ks, _, _ := newTestKS(1)
	ks.SetHooks(nil)
	for i := 0; i < 1000; i++ {
		ks.SetKey(0, b(fmt.Sprintf("key:%d", i)), NewString(b("v")), false)
	}
	key := b("key:500")
	miss := b("nope")
	allocs := testing.AllocsPerRun(100, func() {
		if ks.LookupRead(0, key, 0) == nil || ks.LookupRead(0, miss, 0) != nil {
			panic("lookup")
		}
	})
	require.Zero(t, allocs)
}

func TestMemoryUsage(t *testing.T) {
	ks, _, _ := newTestKS(1)
	ks.SetKey(0, b("k"), NewString(b("hello")), false)
	n, ok := ks.MemoryUsage(0, b("k"))
	require.True(t, ok)
	require.Greater(t, n, 50)
	_, ok = ks.MemoryUsage(0, b("x"))
	require.False(t, ok)
}
