package hosttest

import (
	"testing"

	"github.com/stretchr/testify/require"
)

func mustFrame(t *testing.T, s string) *Frame {
	t.Helper()
	f, n, err := ParseFrame([]byte(s))
	require.NoError(t, err)
	require.Equal(t, len(s), n)
	return f
}

func TestEquivalent(t *testing.T) {
	tests := []struct {
		name      string
		a, b      string
		unordered bool
		want      bool
	}{
		{"identical", "+OK\r\n", "+OK\r\n", false, true},
		{"different simple", "+OK\r\n", "+KO\r\n", false, false},
		{"errors exact", "-ERR a\r\n", "-ERR b\r\n", false, false},
		{"17 digits vs shortest", "$19\r\n0.10000000000000001\r\n", "$3\r\n0.1\r\n", false, true},
		{"bulk numbers differ", "$3\r\n0.1\r\n", "$3\r\n0.2\r\n", false, false},
		{"bulk not numbers", "$3\r\nabc\r\n", "$3\r\nabd\r\n", false, false},
		{"hex is not a number", "$4\r\n0x10\r\n", "$2\r\n16\r\n", false, false},
		{"resp3 double", ",1.5\r\n", ",1.50\r\n", false, true},
		{"inf spellings", ",inf\r\n", "$3\r\ninf\r\n", false, false},
		{"bulk inf", "$3\r\ninf\r\n", "$8\r\ninfinity\r\n", false, true},
		{"double vs bulk", ",1\r\n", "$1\r\n1\r\n", false, false},
		{"nested doubles", "*2\r\n$1\r\na\r\n$19\r\n0.30000000000000004\r\n", "*2\r\n$1\r\na\r\n$19\r\n0.30000000000000004\r\n", false, true},
		{"nested 17 digits", "*1\r\n$18\r\n1.1000000000000001\r\n", "*1\r\n$3\r\n1.1\r\n", false, true},
		{"array order matters", "*2\r\n+a\r\n+b\r\n", "*2\r\n+b\r\n+a\r\n", false, false},
		{"sorted multiset", "*2\r\n+a\r\n+b\r\n", "*2\r\n+b\r\n+a\r\n", true, true},
		{"sorted multiset counts", "*2\r\n+a\r\n+a\r\n", "*2\r\n+a\r\n+b\r\n", true, false},
		{"set unordered", "~2\r\n+a\r\n+b\r\n", "~2\r\n+b\r\n+a\r\n", true, true},
		{"map pairs unordered", "%2\r\n+a\r\n:1\r\n+b\r\n:2\r\n", "%2\r\n+b\r\n:2\r\n+a\r\n:1\r\n", true, true},
		{"map pairs not mixed", "%2\r\n+a\r\n:1\r\n+b\r\n:2\r\n", "%2\r\n+a\r\n:2\r\n+b\r\n:1\r\n", true, false},
		{"lengths differ", "*1\r\n+a\r\n", "*2\r\n+a\r\n+a\r\n", true, false},
		{"null kinds", "$-1\r\n", "*-1\r\n", false, false},
		{"null vs empty", "*-1\r\n", "*0\r\n", false, false},
		{"attribute must match", "|1\r\n+a\r\n+b\r\n:1\r\n", ":1\r\n", false, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			a, b := mustFrame(t, tc.a), mustFrame(t, tc.b)
			require.Equal(t, tc.want, Equivalent(a, b, tc.unordered))
			require.Equal(t, tc.want, Equivalent(b, a, tc.unordered), "symmetry")
		})
	}
}
