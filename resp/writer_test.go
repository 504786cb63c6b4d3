package resp

import (
	"bytes"
	"fmt"
	"math"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
	tresp "github.com/tidwall/resp"
)

// describe renders a value read by the independent tidwall/resp reader.
func describe(v tresp.Value) string {
	switch v.Type() {
	case tresp.Array:
		if v.IsNull() {
			return "nil-array"
		}
		parts := make([]string, 0, len(v.Array()))
		for _, e := range v.Array() {
			parts = append(parts, describe(e))
		}
		return "[" + strings.Join(parts, " ") + "]"
	case tresp.BulkString:
		if v.IsNull() {
			return "nil"
		}
		return fmt.Sprintf("%q", v.String())
	case tresp.Integer:
		return fmt.Sprintf("%d", v.Integer())
	case tresp.Error:
		return "err:" + v.Error().Error()
	default:
		return "+" + v.String()
	}
}

// readAll decodes every value in b with tidwall/resp.
func readAll(t *testing.T, b []byte) string {
	t.Helper()
	rd := tresp.NewReader(bytes.NewReader(b))
	var parts []string
	total := 0
	for total < len(b) {
		v, n, err := rd.ReadValue()
		require.NoError(t, err)
		parts = append(parts, describe(v))
		total += n
	}
	require.Equal(t, len(b), total)
	return strings.Join(parts, " ")
}

func TestWriterReplies(t *testing.T) {
	tests := []struct {
		name  string
		write func(w *Writer)
		resp2 string
		resp3 string
		read2 string // tidwall/resp view of the RESP2 bytes
	}{
		{"simple", func(w *Writer) { w.SimpleString("OK") }, "+OK\r\n", "+OK\r\n", "+OK"},
		{"error", func(w *Writer) { w.Error("ERR bad") }, "-ERR bad\r\n", "-ERR bad\r\n", "err:ERR bad"},
		{"error newlines", func(w *Writer) { w.Error("ERR a\r\nb\nc\r\n") }, "-ERR a  b c\r\n", "-ERR a  b c\r\n", "err:ERR a  b c"},
		{"error dash kept", func(w *Writer) { w.Error("-WRONGTYPE x") }, "-WRONGTYPE x\r\n", "-WRONGTYPE x\r\n", "err:WRONGTYPE x"},
		{"int", func(w *Writer) { w.Int(-42) }, ":-42\r\n", ":-42\r\n", "-42"},
		{"int zero", func(w *Writer) { w.Int(0) }, ":0\r\n", ":0\r\n", "0"},
		{"bulk", func(w *Writer) { w.Bulk([]byte("a\r\nb")) }, "$4\r\na\r\nb\r\n", "$4\r\na\r\nb\r\n", `"a\r\nb"`},
		{"bulk empty", func(w *Writer) { w.Bulk(nil) }, "$0\r\n\r\n", "$0\r\n\r\n", `""`},
		{"bulk string", func(w *Writer) { w.BulkString("hello") }, "$5\r\nhello\r\n", "$5\r\nhello\r\n", `"hello"`},
		{"bulk int", func(w *Writer) { w.BulkInt(-7) }, "$2\r\n-7\r\n", "$2\r\n-7\r\n", `"-7"`},
		{"null bulk", func(w *Writer) { w.NullBulk() }, "$-1\r\n", "_\r\n", "nil"},
		{"null array", func(w *Writer) { w.NullArray() }, "*-1\r\n", "_\r\n", "nil-array"},
		{"array", func(w *Writer) { w.ArrayLen(2); w.Int(1); w.BulkString("x") }, "*2\r\n:1\r\n$1\r\nx\r\n", "*2\r\n:1\r\n$1\r\nx\r\n", `[1 "x"]`},
		{"empty array", func(w *Writer) { w.ArrayLen(0) }, "*0\r\n", "*0\r\n", "[]"},
		{"map", func(w *Writer) { w.MapLen(1); w.BulkString("k"); w.Int(1) }, "*2\r\n$1\r\nk\r\n:1\r\n", "%1\r\n$1\r\nk\r\n:1\r\n", `["k" 1]`},
		{"set", func(w *Writer) { w.SetLen(1); w.BulkString("m") }, "*1\r\n$1\r\nm\r\n", "~1\r\n$1\r\nm\r\n", `["m"]`},
		{"attribute", func(w *Writer) { w.AttributeLen(1) }, "", "|1\r\n", ""},
		{"push", func(w *Writer) { w.PushLen(1); w.BulkString("message") }, "*1\r\n$7\r\nmessage\r\n", ">1\r\n$7\r\nmessage\r\n", `["message"]`},
		{"double", func(w *Writer) { w.Double(1.5) }, "$3\r\n1.5\r\n", ",1.5\r\n", `"1.5"`},
		{"double integral", func(w *Writer) { w.Double(3) }, "$1\r\n3\r\n", ",3\r\n", `"3"`},
		{"double inf", func(w *Writer) { w.Double(math.Inf(-1)) }, "$4\r\n-inf\r\n", ",-inf\r\n", `"-inf"`},
		{"human long double", func(w *Writer) { w.HumanLongDouble(10.6) }, "$4\r\n10.6\r\n", ",10.6\r\n", `"10.6"`},
		{"bool true", func(w *Writer) { w.Bool(true) }, ":1\r\n", "#t\r\n", "1"},
		{"bool false", func(w *Writer) { w.Bool(false) }, ":0\r\n", "#f\r\n", "0"},
		{"big number", func(w *Writer) { w.BigNumber("1234567890123456789012") }, "$22\r\n1234567890123456789012\r\n", "(1234567890123456789012\r\n", `"1234567890123456789012"`},
		{"verbatim", func(w *Writer) { w.Verbatim("txt", []byte("hi")) }, "$2\r\nhi\r\n", "=6\r\ntxt:hi\r\n", `"hi"`},
		{"verbatim short format", func(w *Writer) { w.Verbatim("md", []byte("#")) }, "$1\r\n#\r\n", "=5\r\nmd :#\r\n", `"#"`},
		{"raw", func(w *Writer) { w.Raw([]byte("+PONG\r\n")) }, "+PONG\r\n", "+PONG\r\n", "+PONG"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			w2 := &Writer{Proto: 2}
			tc.write(w2)
			require.Equal(t, tc.resp2, string(w2.Buf))
			if tc.resp2 != "" {
				require.Equal(t, tc.read2, readAll(t, w2.Buf))
			}
			w3 := &Writer{Proto: 3}
			tc.write(w3)
			require.Equal(t, tc.resp3, string(w3.Buf))
			w0 := &Writer{}
			tc.write(w0)
			require.Equal(t, tc.resp2, string(w0.Buf), "zero Writer speaks RESP2")
		})
	}
}

func TestWriterReset(t *testing.T) {
	w := &Writer{Proto: 2}
	w.BulkString("abc")
	w.DeferLen()
	w.Reset()
	require.Empty(t, w.Buf)
	require.Zero(t, w.Pending())
	w.Int(1)
	require.Equal(t, ":1\r\n", string(w.Buf))
}

func TestWriterDeferred(t *testing.T) {
	tests := []struct {
		name  string
		write func(w *Writer)
		resp2 string
		resp3 string
	}{
		{"array", func(w *Writer) {
			m := w.DeferLen()
			w.Int(1)
			w.Int(2)
			w.SetDeferredArrayLen(m, 2)
		}, "*2\r\n:1\r\n:2\r\n", "*2\r\n:1\r\n:2\r\n"},
		{"map doubles in resp2", func(w *Writer) {
			w.SimpleString("before")
			m := w.DeferLen()
			w.BulkString("k")
			w.Int(1)
			w.SetDeferredMapLen(m, 1)
		}, "+before\r\n*2\r\n$1\r\nk\r\n:1\r\n", "+before\r\n%1\r\n$1\r\nk\r\n:1\r\n"},
		{"set", func(w *Writer) {
			m := w.DeferLen()
			w.Int(1)
			w.SetDeferredSetLen(m, 1)
		}, "*1\r\n:1\r\n", "~1\r\n:1\r\n"},
		{"push", func(w *Writer) {
			m := w.DeferLen()
			w.Int(1)
			w.SetDeferredPushLen(m, 1)
		}, "*1\r\n:1\r\n", ">1\r\n:1\r\n"},
		{"attribute vanishes in resp2", func(w *Writer) {
			m := w.DeferLen()
			if w.Proto == 3 {
				w.BulkString("a")
				w.Int(1)
			}
			w.SetDeferredAttributeLen(m, 1)
			w.Int(9)
		}, ":9\r\n", "|1\r\n$1\r\na\r\n:1\r\n:9\r\n"},
		{"nested inner first", func(w *Writer) {
			outer := w.DeferLen()
			inner := w.DeferLen()
			w.Int(1)
			w.SetDeferredArrayLen(inner, 1)
			w.Int(2)
			w.SetDeferredArrayLen(outer, 2)
		}, "*2\r\n*1\r\n:1\r\n:2\r\n", "*2\r\n*1\r\n:1\r\n:2\r\n"},
		{"nested outer first", func(w *Writer) {
			outer := w.DeferLen()
			inner := w.DeferLen()
			w.Int(1)
			w.SetDeferredArrayLen(outer, 2)
			w.Int(2)
			w.SetDeferredArrayLen(inner, 1)
		}, "*2\r\n*1\r\n:1\r\n:2\r\n", "*2\r\n*1\r\n:1\r\n:2\r\n"},
		{"siblings set in order", func(w *Writer) {
			a := w.DeferLen()
			w.Int(1)
			b := w.DeferLen()
			w.Int(2)
			w.Int(3)
			w.SetDeferredArrayLen(a, 1)
			w.SetDeferredArrayLen(b, 2)
		}, "*1\r\n:1\r\n*2\r\n:2\r\n:3\r\n", "*1\r\n:1\r\n*2\r\n:2\r\n:3\r\n"},
		{"large length", func(w *Writer) {
			m := w.DeferLen()
			w.SetDeferredArrayLen(m, 1234567)
		}, "*1234567\r\n", "*1234567\r\n"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			for _, proto := range []int{2, 3} {
				w := &Writer{Proto: proto}
				tc.write(w)
				want := tc.resp2
				if proto == 3 {
					want = tc.resp3
				}
				require.Equal(t, want, string(w.Buf), "RESP%d", proto)
				require.Zero(t, w.Pending())
				if proto == 2 && tc.name != "large length" {
					readAll(t, w.Buf)
				}
			}
		})
	}
}

func TestWriterDeferredMisuse(t *testing.T) {
	w := &Writer{Proto: 3}
	m := w.DeferLen()
	w.SetDeferredArrayLen(m, 0)
	require.Panics(t, func() { w.SetDeferredArrayLen(m, 0) })
	require.Panics(t, func() { w.SetDeferredArrayLen(-1, 0) })
}

func TestWriterBulkNoAlloc(t *testing.T) {
	w := &Writer{Proto: 2, Buf: make([]byte, 0, 4096)}
	val := []byte("some value")
	allocs := testing.AllocsPerRun(1000, func() {
		w.Reset()
		w.ArrayLen(3)
		w.Bulk(val)
		w.Int(12345)
		w.Double(3.25)
		m := w.DeferLen()
		w.SetDeferredArrayLen(m, 0)
	})
	require.Zero(t, allocs)
}
