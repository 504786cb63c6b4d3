package keyspace

import (
	"slices"
	"testing"
	"time"
)

// TestKeyRemovingHook checks which removals announce themselves through
// KeyRemoving, with which reason, and that the key still holds its value
// and TTL (even once expired) while the hook runs.
func TestKeyRemovingHook(t *testing.T) {
	cases := []struct {
		name string
		run  func(ks *Keyspace, c *fakeClock)
		want []string
	}{
		{"del", func(ks *Keyspace, _ *fakeClock) { ks.Delete(0, b("a")) }, []string{"0/a/0"}},
		{"unlink", func(ks *Keyspace, _ *fakeClock) { ks.Unlink(0, b("a")) }, []string{"0/a/1"}},
		{"missing", func(ks *Keyspace, _ *fakeClock) { ks.Delete(0, b("zz")) }, nil},
		{"lazy expiry", func(ks *Keyspace, c *fakeClock) {
			ks.SetExpire(0, b("a"), c.ms+10)
			c.ms += 20
			ks.LookupRead(0, b("a"), 0)
		}, []string{"0/a/2"}},
		{"active expiry", func(ks *Keyspace, c *fakeClock) {
			ks.SetExpire(0, b("b"), c.ms+10)
			c.ms += 20
			ks.ActiveExpireCycle(time.Second)
		}, []string{"0/b/2"}},
		{"expire in the past", func(ks *Keyspace, _ *fakeClock) { ks.DeleteExpired(0, b("a")) }, []string{"0/a/2"}},
		{"overwrite", func(ks *Keyspace, _ *fakeClock) { ks.SetKey(0, b("a"), NewString(b("new")), false) }, []string{"0/a/3"}},
		{"overwrite in place", func(ks *Keyspace, _ *fakeClock) { ks.Overwriting(0, b("a")) }, []string{"0/a/3"}},
		{"overwrite in place, missing", func(ks *Keyspace, _ *fakeClock) { ks.Overwriting(0, b("zz")) }, nil},
		{"same value stored again", func(ks *Keyspace, _ *fakeClock) { ks.SetKey(0, b("a"), ks.Peek(0, b("a")), true) }, nil},
		{"new key", func(ks *Keyspace, _ *fakeClock) { ks.SetKey(0, b("n"), NewString(b("x")), false) }, nil},
		{"rename over a key", func(ks *Keyspace, _ *fakeClock) { ks.Rename(0, b("a"), b("b")) }, []string{"0/b/0", "0/a/5"}},
		{"move", func(ks *Keyspace, _ *fakeClock) { ks.Move(0, 1, b("a")) }, []string{"0/a/5"}},
		{"copy replace", func(ks *Keyspace, _ *fakeClock) { ks.Copy(0, b("a"), 0, b("b"), true) }, []string{"0/b/0"}},
		{"evict", func(ks *Keyspace, _ *fakeClock) {
			ks.Delete(0, b("b"))
			ks.EvictOne(EvictAllKeysRandom, 5)
		}, []string{"0/b/0", "0/a/6"}},
		{"flush", func(ks *Keyspace, _ *fakeClock) { ks.FlushAll() }, nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			ks, c, r := newTestKS(2)
			ks.AnnounceRemovals = true
			ks.Add(0, b("a"), NewString(b("va")))
			ks.Add(0, b("b"), NewString(b("vb")))
			r.onRemoving = func(db int, key []byte, why DropReason) {
				v := ks.LookupRead(db, key, LookupNoEffects)
				s, ok := v.(*String)
				if !ok {
					t.Fatalf("%s/%s: value %T during the hook, want the string", tc.name, key, v)
				}
				if want := "v" + string(key); string(s.Bytes()) != want {
					t.Errorf("%s: value %q during the hook, want %q", tc.name, s.Bytes(), want)
				}
			}
			tc.run(ks, c)
			if !slices.Equal(r.removing, tc.want) {
				t.Errorf("removals %v, want %v", r.removing, tc.want)
			}
		})
	}
}

// TestKeyRemovingKeepsTTL checks that an expiring key keeps its TTL
// while KeyRemoving runs and that lazy expiry is back on afterwards.
func TestKeyRemovingKeepsTTL(t *testing.T) {
	ks, c, r := newTestKS(1)
	ks.AnnounceRemovals = true
	ks.Add(0, b("a"), NewString(b("va")))
	ks.Add(0, b("x"), NewString(b("vx")))
	ks.SetExpire(0, b("a"), c.ms+10)
	ks.SetExpire(0, b("x"), c.ms+10)
	c.ms += 20
	var during int64
	var otherSeen bool
	r.onRemoving = func(db int, key []byte, _ DropReason) {
		during, _ = ks.PeekExpire(db, key)
		// Another expired key is not expired from inside the hook.
		otherSeen = ks.LookupRead(0, b("x"), 0) != nil
	}
	ks.LookupRead(0, b("a"), 0)
	if during != c.ms-10 || !otherSeen {
		t.Fatalf("during the hook: expiry %d (want %d), other expired key present %v", during, c.ms-10, otherSeen)
	}
	if ks.LookupRead(0, b("x"), 0) != nil {
		t.Fatal("lazy expiry still off after the hook")
	}
	if want := []string{"0/a/2", "0/x/2"}; !slices.Equal(r.removing, want) {
		t.Fatalf("removals %v, want %v", r.removing, want)
	}
}

// TestKeyRemovingOff checks that nothing is announced while
// AnnounceRemovals is off.
func TestKeyRemovingOff(t *testing.T) {
	ks, _, r := newTestKS(1)
	ks.Add(0, b("a"), NewString(b("va")))
	ks.SetKey(0, b("a"), NewString(b("vb")), false)
	ks.Overwriting(0, b("a"))
	ks.Delete(0, b("a"))
	if len(r.removing) != 0 {
		t.Fatalf("announced %v with AnnounceRemovals off", r.removing)
	}
}
