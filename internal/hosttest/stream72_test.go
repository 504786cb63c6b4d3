package hosttest

import (
	"testing"

	"github.com/stretchr/testify/require"
)

func TestStream72(t *testing.T) {
	sel := func(db string) string { return "*2\r\n$6\r\nSELECT\r\n$1\r\n" + db + "\r\n" }
	const (
		multi = "*1\r\n$5\r\nMULTI\r\n"
		exec  = "*1\r\n$4\r\nEXEC\r\n"
		set   = "*3\r\n$3\r\nSET\r\n$1\r\na\r\n$1\r\n1\r\n"
		// A value that spells SELECT then MULTI must not be rewritten.
		tricky = "*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$31\r\n*2\r\n$6\r\nSELECT\r\n*1\r\n$5\r\nMULTI\r\n\r\n"
	)
	for _, tc := range []struct{ name, in, want string }{
		{"moved", sel("5") + multi + set + set + exec, multi + sel("5") + set + set + exec},
		{"twice", sel("5") + multi + set + exec + sel("4") + multi + set + exec, multi + sel("5") + set + exec + multi + sel("4") + set + exec},
		{"select alone", sel("5") + set + multi + set + set + exec, sel("5") + set + multi + set + set + exec},
		{"select inside", multi + set + sel("2") + set + exec, multi + set + sel("2") + set + exec},
		{"payload", tricky + multi + set + exec, tricky + multi + set + exec},
		{"empty", "", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := Stream72([]byte(tc.in))
			require.NoError(t, err)
			require.Equal(t, tc.want, string(got))
		})
	}
	_, err := Stream72([]byte("*2\r\n$6\r\nSELECT\r\n"))
	require.Error(t, err, "a cut frame is refused")
}
