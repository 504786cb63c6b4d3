package hosttest

import (
	"testing"

	"github.com/stretchr/testify/require"
)

func TestSplitArgs(t *testing.T) {
	tests := []struct {
		in   string
		want []string
	}{
		{"", nil},
		{"   ", nil},
		{"PING", []string{"PING"}},
		{"  SET  k   v ", []string{"SET", "k", "v"}},
		{`SET k "hello world"`, []string{"SET", "k", "hello world"}},
		{`ECHO "a\nb\tc\r\\\"\a\b"`, []string{"ECHO", "a\nb\tc\r\\\"\a\b"}},
		{`ECHO "\x41\x7a\x00"`, []string{"ECHO", "Az\x00"}},
		{`ECHO "\xZZ"`, []string{"ECHO", "xZZ"}},
		{`ECHO 'it\'s \n raw'`, []string{"ECHO", `it's \n raw`}},
		{`ECHO ""`, []string{"ECHO", ""}},
		{`ECHO ''`, []string{"ECHO", ""}},
		{`a"b c"`, []string{"ab c"}},
		{"a\tb", []string{"a", "b"}},
	}
	for _, tc := range tests {
		t.Run(tc.in, func(t *testing.T) {
			got, err := SplitArgs(tc.in)
			require.NoError(t, err)
			require.Equal(t, tc.want, got)
		})
	}
}

func TestSplitArgsErrors(t *testing.T) {
	for _, in := range []string{`"open`, `'open`, `"a"b`, `'a'b`, `x "y`} {
		t.Run(in, func(t *testing.T) {
			_, err := SplitArgs(in)
			require.ErrorIs(t, err, ErrUnbalancedQuotes)
		})
	}
}
