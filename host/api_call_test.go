package host

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/modhost/modhost/host/internal/cgotest"
)

func TestCallReplyParse(t *testing.T) {
	tests := []struct {
		name, resp, want string
	}{
		{"simple string", "+OK\r\n", "s2:OK"},
		{"error", "-ERR bad thing\r\n", "e13:ERR bad thing"},
		{"integer", ":-42\r\n", "i-42"},
		{"bulk", "$5\r\nhe\r\no\r\n", "s5:he\r\no"},
		{"empty bulk", "$0\r\n\r\n", "s0:"},
		{"null bulk", "$-1\r\n", "n"},
		{"null array", "*-1\r\n", "n"},
		{"resp3 null", "_\r\n", "3:n"},
		{"array", "*3\r\n:1\r\n$1\r\na\r\n*0\r\n", "[i1,s1:a,[]]"},
		{"nested", "*2\r\n*1\r\n+x\r\n*1\r\n*1\r\n:7\r\n", "[[s1:x],[[i7]]]"},
		{"map", "%2\r\n+a\r\n:1\r\n+b\r\n*1\r\n:2\r\n", "3:{s1:a=i1,s1:b=[i2]}"},
		{"set", "~2\r\n+a\r\n+b\r\n", "3:~[s1:a,s1:b]"},
		{"double", ",3.5\r\n", "3:d3.5"},
		{"double inf", ",-inf\r\n", "3:d-inf"},
		{"bool", "#t\r\n", "3:b1"},
		{"false", "#f\r\n", "3:b0"},
		{"big number", "(123456789012345678901234567890\r\n", "3:B123456789012345678901234567890"},
		{"verbatim", "=9\r\ntxt:hello\r\n", "3:vtxt:hello"},
		{"attribute", "|1\r\n+ttl\r\n:5\r\n$1\r\nv\r\n", "3:|{s3:ttl=i5}s1:v"},
		{"resp3 inside array", "*2\r\n:1\r\n#t\r\n", "3:[i1,b1]"},
		{"push as array", ">2\r\n+a\r\n+b\r\n", "[s1:a,s1:b]"},
	}
	for _, tc := range tests {
		got, ok := cgotest.CallReplyRender(tc.resp)
		require.True(t, ok, tc.name)
		require.Equal(t, tc.want, got, tc.name)
	}
}

func TestCallReplyParseRejectsBadInput(t *testing.T) {
	for _, bad := range []string{
		"", "+OK", "$5\r\nabc\r\n", "*2\r\n:1\r\n", ":12x\r\n", "?\r\n", "#x\r\n",
		"=3\r\ntxt\r\n", "+OK\r\n+extra\r\n", "%1\r\n+a\r\n",
	} {
		_, ok := cgotest.CallReplyRender(bad)
		require.False(t, ok, "%q", bad)
	}
}

func TestReplyWithCallReply(t *testing.T) {
	tests := []struct {
		name, resp string
		proto      int
		want       string
		code       int
	}{
		{"resp2 to resp2", "*1\r\n:1\r\n", 2, "*1\r\n:1\r\n", 0},
		{"resp2 to resp3", "*1\r\n:1\r\n", 3, "*1\r\n:1\r\n", 0},
		{"resp3 to resp3", "%1\r\n+a\r\n:1\r\n", 3, "%1\r\n+a\r\n:1\r\n", 0},
		{"resp3 to resp2 refused", "%1\r\n+a\r\n:1\r\n", 2, "", -2},
		{"nested resp3 refused", "*1\r\n,1.5\r\n", 2, "", -2},
	}
	for _, tc := range tests {
		got, code := cgotest.CallReplyResend(tc.resp, tc.proto)
		require.Equal(t, tc.code, code, tc.name)
		require.Equal(t, tc.want, got, tc.name)
	}
}

func TestCallReplyElementProto(t *testing.T) {
	resp := "*3\r\n:1\r\n*1\r\n$2\r\nab\r\n|1\r\n+k\r\n+v\r\n:3\r\n"
	tests := []struct {
		idx  int
		want string
		ok   bool
	}{
		{0, ":1\r\n", true},
		{1, "*1\r\n$2\r\nab\r\n", true},
		{2, "|1\r\n+k\r\n+v\r\n:3\r\n", true},
		{3, "", false},
	}
	for _, tc := range tests {
		got, ok := cgotest.CallReplyElemProto(resp, tc.idx)
		require.Equal(t, tc.ok, ok, tc.idx)
		require.Equal(t, tc.want, got, tc.idx)
	}
}
