package resp

import (
	"errors"
	"fmt"
	"math/rand"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

func strs(args [][]byte) []string {
	out := make([]string, len(args))
	for i, a := range args {
		out[i] = string(a)
	}
	return out
}

func unauth() *Limits {
	l := DefaultLimits()
	l.Authenticated = false
	return &l
}

func TestParseCommandValid(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want []string
		n    int
	}{
		{"multibulk", "*2\r\n$3\r\nGET\r\n$1\r\nk\r\n", []string{"GET", "k"}, 20},
		{"binary bulk", "*1\r\n$4\r\na\r\nb\r\n", []string{"a\r\nb"}, 14},
		{"empty bulk", "*1\r\n$0\r\n\r\n", []string{""}, 10},
		{"nul in bulk", "*1\r\n$3\r\na\x00b\r\n", []string{"a\x00b"}, 13},
		{"trailing bytes", "*1\r\n$1\r\nx\r\n*1\r\n", []string{"x"}, 11},
		{"zero count", "*0\r\n", []string{}, 4},
		{"negative count", "*-1\r\n", []string{}, 5},
		{"very negative count", "*-99\r\n", []string{}, 6},
		{"crlf not checked after bulk", "*1\r\n$1\r\nxAB", []string{"x"}, 11},
		{"inline", "SET k v\r\n", []string{"SET", "k", "v"}, 9},
		{"inline lf only", "PING\n", []string{"PING"}, 5},
		{"inline blank", "\r\n", []string{}, 2},
		{"inline lf", "\n", []string{}, 1},
		{"inline spaces", " \t \r\n", []string{}, 5},
		{"inline many blanks", "  a   b\t\tc  \n", []string{"a", "b", "c"}, 13},
		{"inline double quotes", "set \"a b\" \"\\x41\\n\\\"\"\n", []string{"set", "a b", "A\n\""}, 21},
		{"inline single quotes", "set 'it\\'s' 'a\\nb'\n", []string{"set", "it's", "a\\nb"}, 19},
		{"inline empty quoted", "echo \"\" ''\n", []string{"echo", "", ""}, 11},
		{"inline prefix then quote", "ab\"c d\"\n", []string{"abc d"}, 8},
		{"inline vtab inside word", "a\vb\n", []string{"a\vb"}, 4},
		{"inline vtab between words", "\va \fb\n", []string{"a", "b"}, 6},
		{"inline cr inside", "a\rb\n", []string{"a", "b"}, 4},
		{"inline dollar", "$3\r\n", []string{"$3"}, 4},
		{"inline high bytes", "\xff\xfe x\n", []string{"\xff\xfe", "x"}, 5},
		{"inline escapes", "\"\\t\\r\\b\\a\\q\\\\\"\n", []string{"\t\r\b\aq\\"}, 15},
		{"inline bad hex kept", "\"\\xZZ\"\n", []string{"xZZ"}, 7},
		{"unauth ten args", "*10\r\n" + strings.Repeat("$1\r\na\r\n", 10), repeat("a", 10), 75},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			lim := DefaultLimits()
			if tc.name == "unauth ten args" {
				lim.Authenticated = false
			}
			out, n, err := ParseCommand([]byte(tc.in), nil, &lim)
			require.NoError(t, err)
			require.Equal(t, tc.n, n)
			require.Equal(t, tc.want, strs(out))
		})
	}
}

func repeat(s string, n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = s
	}
	return out
}

func TestParseCommandIncomplete(t *testing.T) {
	tests := []struct {
		name string
		in   string
	}{
		{"empty", ""},
		{"star", "*"},
		{"count no cr", "*2"},
		{"count cr only", "*2\r"},
		{"no bulk header", "*2\r\n"},
		{"bulk header no lf", "*2\r\n$3\r"},
		{"bulk short", "*2\r\n$3\r\nGE"},
		{"bulk without crlf", "*2\r\n$3\r\nGET"},
		{"second missing", "*2\r\n$3\r\nGET\r\n"},
		{"inline no newline", "PING"},
		{"inline cr only", "PING\r"},
		{"inline nul hides newline", "PI\x00NG\n"},
		{"count nul hides cr", "*1\x00\r\n"},
		{"huge claimed bulk", "*1\r\n$536870912\r\nabc"},
		{"huge claimed count", "*2147483647\r\n$1\r\na\r\n"},
		{"exactly max inline", strings.Repeat("a", DefaultMaxInlineLen)},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			out, n, err := ParseCommand([]byte(tc.in), nil, nil)
			require.NoError(t, err)
			require.Zero(t, n)
			require.Len(t, out, 0)
		})
	}
}

func TestParseCommandErrors(t *testing.T) {
	long := strings.Repeat("1", DefaultMaxInlineLen+1)
	small := DefaultLimits()
	small.MaxBulkLen = 5
	small.MaxMultibulkLen = 3
	tests := []struct {
		name string
		in   string
		lim  *Limits
		want string
	}{
		{"too big inline", strings.Repeat("a", DefaultMaxInlineLen+1), nil, MsgTooBigInline},
		{"too big inline nul", "a\x00\n" + long, nil, MsgTooBigInline},
		{"unbalanced double", "set \"foo\r\n", nil, MsgUnbalancedQuotes},
		{"unbalanced single", "set 'foo\n", nil, MsgUnbalancedQuotes},
		{"text after closing quote", "set \"foo\"bar\n", nil, MsgUnbalancedQuotes},
		{"text after single quote", "set 'foo'bar\n", nil, MsgUnbalancedQuotes},
		{"backslash at end", "set \"foo\\\n", nil, MsgUnbalancedQuotes},
		{"too big mbulk count", "*" + long, nil, MsgTooBigMbulkCount},
		{"count letters", "*abc\r\n", nil, MsgInvalidMultibulkLen},
		{"count plus", "*+1\r\n", nil, MsgInvalidMultibulkLen},
		{"count space", "* 1\r\n", nil, MsgInvalidMultibulkLen},
		{"count leading zero", "*01\r\n", nil, MsgInvalidMultibulkLen},
		{"count minus zero", "*-0\r\n", nil, MsgInvalidMultibulkLen},
		{"count empty", "*\r\n", nil, MsgInvalidMultibulkLen},
		{"count above INT_MAX", "*2147483648\r\n", nil, MsgInvalidMultibulkLen},
		{"count overflow", "*99999999999999999999\r\n", nil, MsgInvalidMultibulkLen},
		{"count above limit", "*4\r\n", &small, MsgInvalidMultibulkLen},
		{"count lf only", "*1\n$1\r\na\r\n", nil, MsgInvalidMultibulkLen},
		{"unauth count", "*11\r\n", unauth(), MsgUnauthMultibulkLen},
		{"unauth invalid wins", "*x\r\n", unauth(), MsgInvalidMultibulkLen},
		{"too big bulk count", "*1\r\n$" + long, nil, MsgTooBigBulkCount},
		{"expected dollar", "*1\r\n:3\r\n", nil, "Protocol error: expected '$', got ':'"},
		{"expected dollar second", "*2\r\n$1\r\na\r\n*1\r\n", nil, "Protocol error: expected '$', got '*'"},
		{"expected dollar cr", "*1\r\n\r\n", nil, "Protocol error: expected '$', got '\r'"},
		{"bulk negative", "*1\r\n$-1\r\n", nil, MsgInvalidBulkLen},
		{"bulk letters", "*1\r\n$abc\r\n", nil, MsgInvalidBulkLen},
		{"bulk plus", "*1\r\n$+3\r\nabc\r\n", nil, MsgInvalidBulkLen},
		{"bulk empty", "*1\r\n$\r\n", nil, MsgInvalidBulkLen},
		{"bulk over proto-max-bulk-len", "*1\r\n$536870913\r\n", nil, MsgInvalidBulkLen},
		{"bulk over small limit", "*1\r\n$6\r\n", &small, MsgInvalidBulkLen},
		{"unauth bulk", "*1\r\n$16385\r\n", unauth(), MsgUnauthBulkLen},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			out, n, err := ParseCommand([]byte(tc.in), nil, tc.lim)
			require.Error(t, err)
			var pe *ProtocolError
			require.True(t, errors.As(err, &pe))
			require.Equal(t, tc.want, pe.Msg)
			require.Equal(t, tc.want, err.Error())
			require.Zero(t, n)
			require.Len(t, out, 0)
		})
	}
}

func TestParseCommandUnauthLimitsAreInclusive(t *testing.T) {
	in := "*1\r\n$16384\r\n" + strings.Repeat("x", 16384) + "\r\n"
	out, n, err := ParseCommand([]byte(in), nil, unauth())
	require.NoError(t, err)
	require.Equal(t, len(in), n)
	require.Len(t, out[0], 16384)
}

func TestParseIntLikeString2ll(t *testing.T) {
	tests := []struct {
		in   string
		want int64
		ok   bool
	}{
		{"0", 0, true},
		{"1", 1, true},
		{"-1", -1, true},
		{"1234567890", 1234567890, true},
		{"9223372036854775807", 9223372036854775807, true},
		{"-9223372036854775808", -9223372036854775808, true},
		{"9223372036854775808", 0, false},
		{"-9223372036854775809", 0, false},
		{"18446744073709551616", 0, false},
		{"", 0, false},
		{"-", 0, false},
		{"-0", 0, false},
		{"00", 0, false},
		{"01", 0, false},
		{"+1", 0, false},
		{" 1", 0, false},
		{"1 ", 0, false},
		{"1a", 0, false},
		{"123456789012345678901", 0, false},
	}
	for _, tc := range tests {
		t.Run(tc.in, func(t *testing.T) {
			got, ok := ParseInt([]byte(tc.in))
			require.Equal(t, tc.ok, ok)
			require.Equal(t, tc.want, got)
		})
	}
}

// randomCommand returns an encoded command (multibulk or inline) and its
// expected arguments.
func randomCommand(r *rand.Rand) (string, []string) {
	n := 1 + r.Intn(6)
	args := make([]string, n)
	if r.Intn(3) == 0 {
		var sb strings.Builder
		for i := range args {
			w := make([]byte, 1+r.Intn(8))
			for j := range w {
				w[j] = byte('a' + r.Intn(26))
			}
			args[i] = string(w)
			if r.Intn(4) == 0 {
				args[i] += " \n\"x"
				fmt.Fprintf(&sb, "%q ", args[i])
				continue
			}
			sb.WriteString(args[i] + " ")
		}
		sb.WriteString("\r\n")
		return sb.String(), args
	}
	var sb strings.Builder
	fmt.Fprintf(&sb, "*%d\r\n", n)
	for i := range args {
		b := make([]byte, r.Intn(40))
		r.Read(b)
		args[i] = string(b)
		fmt.Fprintf(&sb, "$%d\r\n%s\r\n", len(b), b)
	}
	return sb.String(), args
}

func TestParseCommandPipeline(t *testing.T) {
	r := rand.New(rand.NewSource(7))
	var stream strings.Builder
	var want [][]string
	for i := 0; i < 2000; i++ {
		enc, args := randomCommand(r)
		stream.WriteString(enc)
		want = append(want, args)
	}
	buf := []byte(stream.String())
	var args [][]byte
	var got [][]string
	for len(buf) > 0 {
		out, n, err := ParseCommand(buf, args, nil)
		require.NoError(t, err)
		require.Positive(t, n)
		got = append(got, strs(out))
		args = out
		buf = buf[n:]
	}
	require.Len(t, got, 2000)
	require.Equal(t, want, got)
}

func TestParseCommandEverySplitPoint(t *testing.T) {
	r := rand.New(rand.NewSource(11))
	cmds := []string{
		"*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$5\r\nhello\r\n",
		"*1\r\n$0\r\n\r\n",
		"GET \"a b\" 'c'\r\n",
		"PING\n",
		"*0\r\n",
	}
	for i := 0; i < 20; i++ {
		enc, _ := randomCommand(r)
		cmds = append(cmds, enc)
	}
	checked := 0
	for _, cmd := range cmds {
		full, n, err := ParseCommand([]byte(cmd), nil, nil)
		require.NoError(t, err)
		require.Equal(t, len(cmd), n)
		for cut := 0; cut < len(cmd); cut++ {
			part, pn, perr := ParseCommand([]byte(cmd[:cut]), nil, nil)
			require.NoError(t, perr, "cut %d of %q", cut, cmd)
			require.Zero(t, pn, "cut %d of %q", cut, cmd)
			require.Len(t, part, 0)
			checked++
		}
		again, n2, err := ParseCommand([]byte(cmd+"*1\r\n"), nil, nil)
		require.NoError(t, err)
		require.Equal(t, n, n2)
		require.Equal(t, strs(full), strs(again))
	}
	require.Greater(t, checked, 100)
}

func TestParseCommandZeroAlloc(t *testing.T) {
	buf := []byte("*3\r\n$3\r\nSET\r\n$3\r\nkey\r\n$5\r\nvalue\r\n")
	inline := []byte("SET key value\r\n")
	args := make([][]byte, 0, 8)
	lim := DefaultLimits()
	allocs := testing.AllocsPerRun(1000, func() {
		out, n, err := ParseCommand(buf, args, &lim)
		if err != nil || n != len(buf) || len(out) != 3 {
			panic("bad parse")
		}
		out, n, err = ParseCommand(inline, args, &lim)
		if err != nil || n != len(inline) || len(out) != 3 {
			panic("bad parse")
		}
	})
	require.Zero(t, allocs)
}

func TestParseCommandArgsAliasBuffer(t *testing.T) {
	buf := []byte("*1\r\n$3\r\nabc\r\n")
	out, _, err := ParseCommand(buf, nil, nil)
	require.NoError(t, err)
	buf[8] = 'X'
	require.Equal(t, "Xbc", string(out[0]))
	require.Equal(t, 3, cap(out[0]), "args must not be able to append over the buffer")
}
