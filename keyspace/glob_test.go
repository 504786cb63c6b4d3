package keyspace

import (
	"testing"

	"github.com/stretchr/testify/require"
)

func TestGlobMatch(t *testing.T) {
	tests := []struct {
		pat, s string
		nocase bool
		want   bool
	}{
		{"*", "", false, false}, // as stringmatchlen: callers special-case "*"
		{"*", "anything", false, true},
		{"", "", false, true},
		{"", "a", false, false},
		{"a*", "abc", false, true},
		{"a*", "bac", false, false},
		{"*c", "abc", false, true},
		{"a*c", "ac", false, true},
		{"a**c", "abbbc", false, true},
		{"a*b*c", "axbxc", false, true},
		{"a*b*c", "axbx", false, false},
		{"h?llo", "hello", false, true},
		{"h?llo", "hllo", false, false},
		{"h[ae]llo", "hallo", false, true},
		{"h[ae]llo", "hillo", false, false},
		{"h[^e]llo", "hallo", false, true},
		{"h[^e]llo", "hello", false, false},
		{"h[a-b]llo", "hbllo", false, true},
		{"h[b-a]llo", "hallo", false, true},
		{"h[a-b]llo", "hcllo", false, false},
		{`h\*llo`, "h*llo", false, true},
		{`h\*llo`, "hello", false, false},
		{`[\]]`, "]", false, true},
		{`[\-]`, "-", false, true},
		{"HELLO", "hello", true, true},
		{"HELLO", "hello", false, false},
		{"[A-Z]", "q", true, true},
		{"[abc", "a", false, true},   // unterminated class ends the pattern
		{"[abc", "ab", false, false}, // ... so nothing may follow
		{"a[", "a", false, false},
		{`a\`, "a\\", false, true},
		{"*?", "", false, false},
		{"?*", "x", false, true},
		{"user:*:name", "user:42:name", false, true},
		{"user:*:name", "user:42:mail", false, false},
		{"a*", "a", false, true},
		{"[]", "x", false, false},
	}
	for _, tc := range tests {
		t.Run(tc.pat+"|"+tc.s, func(t *testing.T) {
			require.Equal(t, tc.want, GlobMatch(b(tc.pat), b(tc.s), tc.nocase))
		})
	}
}

func TestGlobMatchPathological(t *testing.T) {
	pat := []byte("a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*b")
	s := make([]byte, 200)
	for i := range s {
		s[i] = 'a'
	}
	require.False(t, GlobMatch(pat, s, false))
}
