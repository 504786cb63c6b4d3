package host

import (
	"testing"

	"github.com/stretchr/testify/require"
)

func TestWalkReplyErrors(t *testing.T) {
	tests := []struct {
		name string
		in   string
		errs []string
		ok   bool
	}{
		{"single", "-ERR x\r\n", []string{"ERR x"}, true},
		{"none", "+OK\r\n", nil, true},
		{"nested", "*3\r\n-A one\r\n*1\r\n-B two\r\n:-1\r\n", []string{"A one", "B two"}, true},
		{"bulk with dash", "$4\r\n-x\r\n\r\n", nil, true},
		{"null bulk", "$-1\r\n", nil, true},
		{"map", "%1\r\n+k\r\n-E v\r\n", []string{"E v"}, true},
		{"blob error", "!5\r\nE bad\r\n", []string{"E bad"}, true},
		{"truncated", "*2\r\n-E x\r\n", []string{"E x"}, false},
		{"bad bulk", "$9\r\nab\r\n", nil, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var got []string
			next, ok := walkReply([]byte(tc.in), 0, func(s string) { got = append(got, s) })
			require.Equal(t, tc.ok, ok)
			require.Equal(t, tc.errs, got)
			if ok {
				require.Equal(t, len(tc.in), next)
			}
		})
	}
}

func TestErrorStatMsg(t *testing.T) {
	tests := []struct{ in, want string }{
		{"ERR x", "ERR x"},
		{"NOSPACE", "ERR"},
		{"ABCDEFGHIJKLMNOPQRSTUVWXYZ01234 x", "ERR"}, // space at byte 32 of "-msg"
		{"ABCDEFGHIJKLMNOPQRSTUVWXYZ0123 x", "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123 x"},
	}
	for _, tc := range tests {
		require.Equal(t, tc.want, errorStatMsg(tc.in), tc.in)
	}
}
