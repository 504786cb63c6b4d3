package config

import (
	"testing"

	"github.com/stretchr/testify/require"
)

func TestSplitArgs(t *testing.T) {
	cases := []struct {
		in   string
		want []string
		ok   bool
	}{
		{"port 6379", []string{"port", "6379"}, true},
		{"  a   b\tc ", []string{"a", "b", "c"}, true},
		{`logfile ""`, []string{"logfile", ""}, true},
		{`logfile ''`, []string{"logfile", ""}, true},
		{`x "a b\n\x41\"q"`, []string{"x", "a b\nA\"q"}, true},
		{`x "\xZZ"`, []string{"x", "xZZ"}, true},
		{`x 'it\'s'`, []string{"x", "it's"}, true},
		{`x 'no\nesc'`, []string{"x", `no\nesc`}, true},
		{`x "unterminated`, nil, false},
		{`x 'unterminated`, nil, false},
		{`x "closed"junk`, nil, false},
		{`x ab"cd ef"`, []string{"x", "abcd ef"}, true},
		{"", []string{}, true},
	}
	for _, c := range cases {
		got, ok := SplitArgs(c.in)
		require.Equal(t, c.ok, ok, c.in)
		if c.ok {
			require.Equal(t, c.want, got, c.in)
		}
	}
}

func TestReprRoundTrip(t *testing.T) {
	for _, s := range []string{"", "plain", "a b", "q\"\\", "\n\r\t\a\b", "\x00\xff\x7f"} {
		r := Repr(s)
		args, ok := SplitArgs("k " + r)
		require.True(t, ok, r)
		require.Equal(t, []string{"k", s}, args, r)
	}
	require.Equal(t, `"a\x01\n"`, Repr("a\x01\n"))
}

func TestMatch(t *testing.T) {
	cases := []struct {
		p, s   string
		nocase bool
		want   bool
	}{
		{"*", "anything", false, true},
		{"port", "PORT", true, true},
		{"port", "PORT", false, false},
		{"*max*", "maxmemory", false, true},
		{"h?", "hz", false, true},
		{"h?", "hzz", false, false},
		{"[a-c]x", "bx", false, true},
		{"[^a-c]x", "bx", false, false},
		{"[A-C]x", "bx", true, true},
		{`a\*`, "a*", false, true},
		{`a\*`, "ab", false, false},
		{"[ab", "a", false, true},
		{"a*b*c", "axxbyyc", false, true},
		{"a*b*c", "axxbyy", false, false},
	}
	for _, c := range cases {
		require.Equal(t, c.want, Match(c.p, c.s, c.nocase), "%s ~ %s", c.p, c.s)
	}
}

func TestNumberParsers(t *testing.T) {
	for s, want := range map[string]int64{"0": 0, "-5": -5, "123": 123} {
		v, ok := parseStrictInt(s)
		require.True(t, ok, s)
		require.Equal(t, want, v)
	}
	for _, s := range []string{"", "-", "01", "+1", " 1", "1x", "-0", "99999999999999999999"} {
		_, ok := parseStrictInt(s)
		require.False(t, ok, s)
	}
	for s, want := range map[string]uint64{"10": 10, "1k": 1000, "1KB": 1024, "2mb": 2 << 20, "1g": 1e9, "3gb": 3 << 30, "5b": 5} {
		v, ok := parseMemory(s)
		require.True(t, ok, s)
		require.Equal(t, want, v, s)
	}
	for _, s := range []string{"-1", "1tb", "x", "1.5mb"} {
		_, ok := parseMemory(s)
		require.False(t, ok, s)
	}
}
