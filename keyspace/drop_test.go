package keyspace

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"
	"unsafe"

	"github.com/stretchr/testify/require"
)

// dropType is a fake module type descriptor that records every drop and
// copy it is asked for.
type dropType struct {
	log     []string
	copyErr error
}

func (t *dropType) DropModuleValue(mv *ModuleValue, db int, key []byte, why DropReason) {
	t.log = append(t.log, fmt.Sprintf("%s@%d:%s:%d", *(*string)(mv.Ptr), db, key, why))
}

func (t *dropType) CopyModuleValue(ptr unsafe.Pointer, fromDB int, from []byte, toDB int, to []byte) (unsafe.Pointer, error) {
	t.log = append(t.log, fmt.Sprintf("copy %s@%d->%s@%d", from, fromDB, to, toDB))
	if t.copyErr != nil {
		return nil, t.copyErr
	}
	s := *(*string)(ptr) + "'"
	return unsafe.Pointer(&s), nil
}

// noCopyType drops but cannot copy.
type noCopyType struct{ drops int }

func (t *noCopyType) DropModuleValue(*ModuleValue, int, []byte, DropReason) { t.drops++ }

func modVal(t any, label string) *ModuleValue {
	return &ModuleValue{Type: t, Ptr: unsafe.Pointer(&label)}
}

func TestModuleValueDrops(t *testing.T) {
	cases := []struct {
		name string
		run  func(ks *Keyspace, c *fakeClock, typ *dropType)
		want []string
		mods [2]int // ModuleValues of db 0 and 1 afterwards
	}{
		{"delete", func(ks *Keyspace, _ *fakeClock, _ *dropType) { ks.Delete(0, b("a")) },
			[]string{"A@0:a:0"}, [2]int{1, 0}},
		{"unlink", func(ks *Keyspace, _ *fakeClock, _ *dropType) { ks.Unlink(0, b("a")) },
			[]string{"A@0:a:1"}, [2]int{1, 0}},
		{"delete missing", func(ks *Keyspace, _ *fakeClock, _ *dropType) { ks.Delete(0, b("zz")) },
			nil, [2]int{2, 0}},
		{"lazy expiry", func(ks *Keyspace, c *fakeClock, _ *dropType) {
			ks.SetExpire(0, b("a"), c.ms+10)
			c.ms += 20
			ks.LookupRead(0, b("a"), 0)
		}, []string{"A@0:a:2"}, [2]int{1, 0}},
		{"active expiry", func(ks *Keyspace, c *fakeClock, _ *dropType) {
			ks.SetExpire(0, b("b"), c.ms+10)
			c.ms += 20
			ks.ActiveExpireCycle(time.Second)
		}, []string{"B@0:b:2"}, [2]int{1, 0}},
		{"overwrite by string", func(ks *Keyspace, _ *fakeClock, _ *dropType) {
			ks.SetKey(0, b("a"), NewString(b("x")), false)
		}, []string{"A@0:a:3"}, [2]int{1, 0}},
		{"overwrite by module value", func(ks *Keyspace, _ *fakeClock, typ *dropType) {
			ks.Overwrite(0, b("a"), modVal(typ, "N"))
		}, []string{"A@0:a:3"}, [2]int{2, 0}},
		{"string overwritten by module value", func(ks *Keyspace, _ *fakeClock, typ *dropType) {
			ks.SetKey(0, b("s"), modVal(typ, "N"), false)
		}, nil, [2]int{3, 0}},
		{"same value stored again", func(ks *Keyspace, _ *fakeClock, _ *dropType) {
			ks.SetKey(0, b("a"), ks.Peek(0, b("a")), true)
		}, nil, [2]int{2, 0}},
		{"flushdb", func(ks *Keyspace, _ *fakeClock, _ *dropType) { ks.FlushDB(0) },
			[]string{"A@0:a:4", "B@0:b:4"}, [2]int{0, 0}},
		{"rename over a module value", func(ks *Keyspace, _ *fakeClock, _ *dropType) { ks.Rename(0, b("a"), b("b")) },
			[]string{"B@0:b:0", "A@0:a:5"}, [2]int{1, 0}},
		{"rename over a string", func(ks *Keyspace, _ *fakeClock, _ *dropType) { ks.Rename(0, b("a"), b("s")) },
			[]string{"A@0:a:5"}, [2]int{2, 0}},
		{"move", func(ks *Keyspace, _ *fakeClock, _ *dropType) { ks.Move(0, 1, b("a")) },
			[]string{"A@0:a:5"}, [2]int{1, 1}},
		{"swapdb", func(ks *Keyspace, _ *fakeClock, _ *dropType) { ks.SwapDB(0, 1) },
			nil, [2]int{0, 2}},
		{"copy", func(ks *Keyspace, _ *fakeClock, _ *dropType) {
			require.Equal(t, CopyDone, ks.Copy(0, b("a"), 1, b("c"), false))
			ks.Delete(1, b("c"))
		}, []string{"copy a@0->c@1", "A'@1:c:0"}, [2]int{2, 0}},
		{"copy replace", func(ks *Keyspace, _ *fakeClock, _ *dropType) {
			require.Equal(t, CopyDone, ks.Copy(0, b("a"), 0, b("b"), true))
		}, []string{"copy a@0->b@0", "B@0:b:0"}, [2]int{2, 0}},
		{"copy without replace", func(ks *Keyspace, _ *fakeClock, _ *dropType) {
			require.Equal(t, CopyDstExists, ks.Copy(0, b("a"), 0, b("b"), false))
		}, nil, [2]int{2, 0}},
		{"copy fails", func(ks *Keyspace, _ *fakeClock, typ *dropType) {
			typ.copyErr = errors.New("NULL")
			require.Equal(t, CopyFailed, ks.Copy(0, b("a"), 0, b("b"), true))
		}, []string{"copy a@0->b@0"}, [2]int{2, 0}},
		{"copy not supported", func(ks *Keyspace, _ *fakeClock, typ *dropType) {
			typ.copyErr = fmt.Errorf("wrapped: %w", ErrNotCopyable)
			require.Equal(t, CopyNotCopyable, ks.Copy(0, b("a"), 0, b("s"), true))
			require.Equal(t, "x", string(ks.Peek(0, b("s")).(*String).Bytes()), "dst kept")
		}, []string{"copy a@0->s@0"}, [2]int{2, 0}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			ks, c, _ := newTestKS(2)
			typ := &dropType{}
			ks.SetKey(0, b("a"), modVal(typ, "A"), false)
			ks.SetKey(0, b("b"), modVal(typ, "B"), false)
			ks.SetKey(0, b("s"), NewString(b("x")), false)
			require.Equal(t, 2, ks.ModuleValues(0))
			tc.run(ks, c, typ)
			if tc.name == "flushdb" { // table order
				slices.Sort(typ.log)
			}
			require.Equal(t, tc.want, typ.log)
			require.Equal(t, tc.mods, [2]int{ks.ModuleValues(0), ks.ModuleValues(1)})
		})
	}
}

func TestFlushAllDropsModuleValuesOnly(t *testing.T) {
	ks, _, _ := newTestKS(3)
	typ := &noCopyType{}
	for i := 0; i < 100; i++ {
		ks.SetKey(0, b(fmt.Sprint("s", i)), NewString(b("v")), false)
	}
	ks.SetKey(1, b("m1"), modVal(typ, "1"), false)
	ks.SetKey(2, b("m2"), modVal(typ, "2"), false)
	ks.SetKey(2, b("m3"), modVal(typ, "3"), false)
	require.Equal(t, []int{0, 1, 2}, []int{ks.ModuleValues(0), ks.ModuleValues(1), ks.ModuleValues(2)})
	require.Equal(t, 103, ks.FlushAll())
	require.Equal(t, 3, typ.drops)
	require.Equal(t, []int{0, 0, 0}, []int{ks.ModuleValues(0), ks.ModuleValues(1), ks.ModuleValues(2)})
}

func TestCopyModuleValueWithoutCopier(t *testing.T) {
	ks, _, _ := newTestKS(1)
	typ := &noCopyType{}
	ks.SetKey(0, b("m"), modVal(typ, "M"), false)
	require.Equal(t, CopyNotCopyable, ks.Copy(0, b("m"), 0, b("n"), false))
	require.Nil(t, ks.Peek(0, b("n")))
	require.Zero(t, typ.drops)
	// A descriptor that implements nothing is never told anything.
	ks.SetKey(0, b("plain"), &ModuleValue{Type: "opaque"}, false)
	require.True(t, ks.Delete(0, b("plain")))
	require.True(t, strings.HasPrefix(TypeName(ks.Peek(0, b("m"))), "module"))
}
