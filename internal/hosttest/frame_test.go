package hosttest

import (
	"bufio"
	"bytes"
	"errors"
	"io"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestReadFrameValid(t *testing.T) {
	tests := []struct {
		name  string
		in    string
		typ   byte
		str   string
		null  bool
		elems int
	}{
		{"simple", "+OK\r\n", '+', "OK", false, 0},
		{"error", "-ERR bad thing\r\n", '-', "ERR bad thing", false, 0},
		{"integer", ":-42\r\n", ':', "-42", false, 0},
		{"bulk", "$5\r\nhello\r\n", '$', "hello", false, 0},
		{"bulk binary", "$4\r\na\r\nb\r\n", '$', "a\r\nb", false, 0},
		{"empty bulk", "$0\r\n\r\n", '$', "", false, 0},
		{"null bulk", "$-1\r\n", '$', "", true, 0},
		{"null array", "*-1\r\n", '*', "", true, 0},
		{"array", "*2\r\n$1\r\na\r\n:1\r\n", '*', "", false, 2},
		{"empty array", "*0\r\n", '*', "", false, 0},
		{"nested", "*2\r\n*1\r\n+x\r\n*0\r\n", '*', "", false, 2},
		{"null", "_\r\n", '_', "", true, 0},
		{"double", ",3.14\r\n", ',', "3.14", false, 0},
		{"double inf", ",-inf\r\n", ',', "-inf", false, 0},
		{"boolean", "#t\r\n", '#', "t", false, 0},
		{"blob error", "!9\r\nERR oops!\r\n", '!', "ERR oops!", false, 0},
		{"verbatim", "=8\r\ntxt:abcd\r\n", '=', "txt:abcd", false, 0},
		{"big number", "(-123456789012345678901234567890\r\n", '(', "-123456789012345678901234567890", false, 0},
		{"map", "%1\r\n+k\r\n:1\r\n", '%', "", false, 2},
		{"set", "~2\r\n+a\r\n+b\r\n", '~', "", false, 2},
		{"push", ">2\r\n$7\r\nmessage\r\n+x\r\n", '>', "", false, 2},
		{"streamed string", "$?\r\n;2\r\nab\r\n;1\r\nc\r\n;0\r\n", '$', "abc", false, 0},
		{"streamed array", "*?\r\n:1\r\n:2\r\n.\r\n", '*', "", false, 2},
		{"streamed map", "%?\r\n+a\r\n:1\r\n.\r\n", '%', "", false, 2},
		{"attribute", "|1\r\n+key\r\n+val\r\n:7\r\n", ':', "7", false, 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			trailer := "+NEXT\r\n"
			r := bufio.NewReaderSize(strings.NewReader(tc.in+trailer), 16)
			f, err := ReadFrame(r)
			require.NoError(t, err)
			require.Equal(t, tc.in, string(f.Raw), "raw bytes")
			require.Equal(t, tc.typ, f.Type)
			require.Equal(t, tc.str, string(f.Str))
			require.Equal(t, tc.null, f.Null)
			require.Len(t, f.Elems, tc.elems)
			rest, err := ReadReply(r)
			require.NoError(t, err)
			require.Equal(t, trailer, string(rest), "reader must stop at the end of the reply")
		})
	}
}

func TestReadFrameNestedRaw(t *testing.T) {
	in := "*3\r\n$1\r\na\r\n%1\r\n+k\r\n*1\r\n:5\r\n|1\r\n+t\r\n#f\r\n,1.5\r\n"
	f, n, err := ParseFrame([]byte(in + "junk"))
	require.NoError(t, err)
	require.Equal(t, len(in), n)
	require.Equal(t, "$1\r\na\r\n", string(f.Elems[0].Raw))
	require.Equal(t, "%1\r\n+k\r\n*1\r\n:5\r\n", string(f.Elems[1].Raw))
	require.Equal(t, "*1\r\n:5\r\n", string(f.Elems[1].Elems[1].Raw))
	third := f.Elems[2]
	require.Equal(t, "|1\r\n+t\r\n#f\r\n,1.5\r\n", string(third.Raw))
	require.NotNil(t, third.Attr)
	require.Equal(t, "|1\r\n+t\r\n#f\r\n", string(third.Attr.Raw))
	require.Equal(t, "1.5", string(third.Str))
}

func TestReadFrameInvalid(t *testing.T) {
	tests := []struct {
		name  string
		in    string
		proto bool // want ErrProtocol; otherwise an EOF error
	}{
		{"unknown type", "@x\r\n", true},
		{"bare LF", "+OK\n", true},
		{"bad integer", ":12a\r\n", true},
		{"bad bulk length", "$x\r\n", true},
		{"bulk too short", "$5\r\nab\r\n", false},
		{"bulk without CRLF", "$2\r\nabcd\r\n", true},
		{"negative length map", "%-1\r\n", true},
		{"bad boolean", "#x\r\n", true},
		{"bad double", ",abc\r\n", true},
		{"bad big number", "(12x\r\n", true},
		{"verbatim without format", "=3\r\nabc\r\n", true},
		{"null with payload", "_x\r\n", true},
		{"truncated array", "*2\r\n:1\r\n", false},
		{"truncated line", "+OK", false},
		{"empty line", "\r\n", true},
		{"odd streamed map", "%?\r\n+a\r\n.\r\n", true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, _, err := ParseFrame([]byte(tc.in))
			require.Error(t, err)
			if tc.proto {
				require.ErrorIs(t, err, ErrProtocol)
			} else {
				require.ErrorIs(t, err, io.ErrUnexpectedEOF)
			}
		})
	}
}

func TestReadFrameCleanEOF(t *testing.T) {
	_, err := ReadFrame(bufio.NewReader(strings.NewReader("")))
	require.ErrorIs(t, err, io.EOF)
}

func TestReadFrameDepthLimit(t *testing.T) {
	in := strings.Repeat("*1\r\n", MaxDepth+2) + ":1\r\n"
	_, _, err := ParseFrame([]byte(in))
	require.ErrorIs(t, err, ErrProtocol)
}

func TestAppendCommand(t *testing.T) {
	got := AppendCommand([]byte("x"), "SET", "k", "")
	require.Equal(t, "x*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$0\r\n\r\n", string(got))
}

// FuzzReadFrame checks that the reader never panics and that what it
// accepts re-reads to the same bytes.
func FuzzReadFrame(f *testing.F) {
	seeds := []string{
		"+OK\r\n", "-ERR x\r\n", ":1\r\n", "$3\r\nabc\r\n", "$-1\r\n", "*-1\r\n",
		"*2\r\n$1\r\na\r\n:2\r\n", "%1\r\n+a\r\n,1.5\r\n", "~1\r\n#t\r\n", "_\r\n",
		"(99\r\n", "!3\r\nERR\r\n", "=7\r\ntxt:abc\r\n", ">1\r\n+p\r\n",
		"|1\r\n+a\r\n+b\r\n+c\r\n", "$?\r\n;1\r\na\r\n;0\r\n", "*?\r\n:1\r\n.\r\n",
	}
	for _, s := range seeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, in []byte) {
		fr, n, err := ParseFrame(in)
		if err != nil {
			if !errors.Is(err, ErrProtocol) && !errors.Is(err, io.ErrUnexpectedEOF) && !errors.Is(err, io.EOF) {
				t.Fatalf("unexpected error kind %v", err)
			}
			return
		}
		if !bytes.Equal(fr.Raw, in[:n]) {
			t.Fatalf("raw %q is not the consumed prefix %q", fr.Raw, in[:n])
		}
		again, m, err := ParseFrame(fr.Raw)
		if err != nil || m != n || !bytes.Equal(again.Raw, fr.Raw) {
			t.Fatalf("re-read of %q: n=%d err=%v", fr.Raw, m, err)
		}
	})
}
