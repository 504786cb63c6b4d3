package keyspace

import (
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

func listOf(l *List) []string {
	var out []string
	l.Range(0, -1, func(b []byte) bool { out = append(out, string(b)); return true })
	return out
}

func TestListDeque(t *testing.T) {
	l := NewList(nil)
	buf := b("a")
	l.PushBack(buf)
	buf[0] = 'Z'
	l.PushBack(b("b"))
	l.PushFront(b("c"))
	for i := 0; i < 20; i++ { // force ring growth with wrap-around
		l.PushFront(b(fmt.Sprint(i)))
		v, ok := l.PopFront()
		require.True(t, ok)
		require.Equal(t, fmt.Sprint(i), string(v))
	}
	require.Equal(t, []string{"c", "a", "b"}, listOf(l))
	v, _ := l.Index(-1)
	require.Equal(t, "b", string(v))
	_, ok := l.Index(3)
	require.False(t, ok)
	require.True(t, l.Set(1, b("A")))
	require.False(t, l.Set(-4, b("x")))
	v, _ = l.PopBack()
	require.Equal(t, "b", string(v))
	require.Equal(t, []string{"c", "A"}, listOf(l))
	l.PopBack()
	l.PopBack()
	_, ok = l.PopBack()
	require.False(t, ok)
	_, ok = l.PopFront()
	require.False(t, ok)
}

func TestListRangeInsertRemoveTrim(t *testing.T) {
	mk := func(vals ...string) *List {
		l := NewList(nil)
		for _, v := range vals {
			l.PushBack(b(v))
		}
		return l
	}
	l := mk("a", "b", "c", "d", "e")
	var got []string
	l.Range(-3, 100, func(b []byte) bool { got = append(got, string(b)); return true })
	require.Equal(t, []string{"c", "d", "e"}, got)
	got = nil
	l.Range(3, 1, func(b []byte) bool { got = append(got, string(b)); return true })
	require.Empty(t, got)

	require.Equal(t, 6, l.Insert(b("c"), b("X"), false))
	require.Equal(t, 7, l.Insert(b("e"), b("Y"), true))
	require.Equal(t, -1, l.Insert(b("nope"), b("Z"), true))
	require.Equal(t, []string{"a", "b", "X", "c", "d", "e", "Y"}, listOf(l))

	tests := []struct {
		in    []string
		count int64
		want  []string
	}{
		{[]string{"a", "b", "a", "b", "a", "b", "a"}, 2, []string{"b", "b", "a", "b", "a"}},
		{[]string{"a", "b", "a", "b", "a", "b", "a"}, -2, []string{"a", "b", "a", "b", "b"}},
		{[]string{"a", "b", "a", "b", "a", "b"}, 0, []string{"b", "b", "b"}},
		{[]string{"b"}, 0, []string{"b"}},
	}
	for _, tc := range tests {
		l := mk(tc.in...)
		require.Equal(t, len(tc.in)-len(tc.want), l.Remove(tc.count, b("a")))
		require.Equal(t, tc.want, listOf(l))
	}

	l = mk("a", "b", "c", "d", "e")
	l.Trim(1, -2)
	require.Equal(t, []string{"b", "c", "d"}, listOf(l))
	l.Trim(5, 10)
	require.Equal(t, 0, l.Len())

	var idx []int
	mk("x", "y", "x").Each(true, func(i int, b []byte) bool {
		if string(b) == "x" {
			idx = append(idx, i)
		}
		return true
	})
	require.Equal(t, []int{2, 0}, idx)
}

func TestListEncoding(t *testing.T) {
	tests := []struct {
		name  string
		fill  int
		elem  string
		count int
		want  string
	}{
		{"small", -2, "hello", 100, "listpack"},
		{"8k bytes", -2, strings.Repeat("x", 100), 79, "listpack"},
		{"over 8k", -2, strings.Repeat("x", 100), 80, "quicklist"},
		{"4k class", -1, strings.Repeat("x", 100), 41, "quicklist"},
		{"count fill", 5, "a", 5, "listpack"},
		{"count fill over", 5, "a", 6, "quicklist"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			lim := DefaultLimits()
			lim.ListMaxListpackSize = tc.fill
			l := NewList(&lim)
			for i := 0; i < tc.count; i++ {
				l.PushBack(b(tc.elem))
			}
			require.Equal(t, tc.want, l.Encoding())
		})
	}

	// Shrinking below half the limit converts back.
	l := NewList(nil)
	for i := 0; i < 100; i++ {
		l.PushBack(b(strings.Repeat("x", 100)))
	}
	require.Equal(t, "quicklist", l.Encoding())
	for l.Len() > 45 {
		l.PopFront()
	}
	require.Equal(t, "quicklist", l.Encoding())
	for l.Len() > 38 {
		l.PopFront()
	}
	require.Equal(t, "listpack", l.Encoding())

	c := l.Clone().(*List)
	c.PushBack(b("new"))
	require.Equal(t, 38, l.Len())
	require.Equal(t, 39, c.Len())
}
