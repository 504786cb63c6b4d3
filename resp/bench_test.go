package resp

import (
	"bytes"
	"testing"
)

func BenchmarkParseCommand(b *testing.B) {
	cmd := []byte("*3\r\n$3\r\nSET\r\n$16\r\nkey:000000000001\r\n$32\r\n01234567890123456789012345678901\r\n")
	buf := bytes.Repeat(cmd, 16)
	args := make([][]byte, 0, 8)
	b.SetBytes(int64(len(buf)))
	b.ReportAllocs()
	for b.Loop() {
		rest := buf
		for len(rest) > 0 {
			out, n, err := ParseCommand(rest, args, nil)
			if err != nil || n == 0 {
				b.Fatal("bad parse")
			}
			args = out
			rest = rest[n:]
		}
	}
}

func BenchmarkParseInline(b *testing.B) {
	buf := []byte("SET key:000000000001 01234567890123456789012345678901\r\n")
	args := make([][]byte, 0, 8)
	b.SetBytes(int64(len(buf)))
	b.ReportAllocs()
	for b.Loop() {
		out, n, err := ParseCommand(buf, args, nil)
		if err != nil || n == 0 {
			b.Fatal("bad parse")
		}
		args = out
	}
}

func BenchmarkWriteBulk(b *testing.B) {
	val := bytes.Repeat([]byte("v"), 32)
	w := &Writer{Proto: 2, Buf: make([]byte, 0, 64*1024)}
	b.SetBytes(int64(len(val)))
	b.ReportAllocs()
	for b.Loop() {
		if len(w.Buf) > 60*1024 {
			w.Reset()
		}
		w.Bulk(val)
	}
}

func BenchmarkWriteDouble(b *testing.B) {
	w := &Writer{Proto: 3, Buf: make([]byte, 0, 64*1024)}
	b.ReportAllocs()
	for b.Loop() {
		if len(w.Buf) > 60*1024 {
			w.Reset()
		}
		w.Double(3.14159)
	}
}
