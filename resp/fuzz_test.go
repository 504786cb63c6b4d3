package resp

import (
	"bytes"
	"runtime"
	"strconv"
	"testing"
)

// encodeMultibulk encodes args as a RESP multibulk request.
func encodeMultibulk(args [][]byte) []byte {
	out := []byte("*" + strconv.Itoa(len(args)) + "\r\n")
	for _, a := range args {
		out = append(out, '$')
		out = strconv.AppendInt(out, int64(len(a)), 10)
		out = append(out, '\r', '\n')
		out = append(out, a...)
		out = append(out, '\r', '\n')
	}
	return out
}

// allocatedBytes reports the bytes the process has allocated so far.
func allocatedBytes() uint64 {
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return ms.TotalAlloc
}

// parseAllocation returns the fewest bytes allocated over three parses of
// buf; taking the minimum filters out allocations made concurrently by the
// fuzzing engine, which the process-wide counter also sees.
func parseAllocation(buf []byte, lim *Limits) uint64 {
	least := ^uint64(0)
	for i := 0; i < 3; i++ {
		before := allocatedBytes()
		_, _, _ = ParseCommand(buf, nil, lim)
		least = min(least, allocatedBytes()-before)
	}
	return least
}

// FuzzParseCommand checks that ParseCommand never panics, never consumes more
// than it was given, allocates at most in proportion to the input, and that
// every parsed command survives a multibulk round trip.
func FuzzParseCommand(f *testing.F) {
	f.Add([]byte("*2\r\n$3\r\nGET\r\n$1\r\nk\r\n"))
	f.Add([]byte("SET k \"v\\x00\" 'q'\r\n"))
	f.Add([]byte("*2147483647\r\n$536870912\r\n"))
	f.Add([]byte("*1\r\n$-5\r\n"))
	f.Fuzz(func(t *testing.T, buf []byte) {
		unauthLim := DefaultLimits()
		unauthLim.Authenticated = false
		for _, lim := range []*Limits{nil, &unauthLim} {
			out, n, err := ParseCommand(buf, nil, lim)
			if grew := parseAllocation(buf, lim); grew > uint64(64*len(buf)+4096) {
				t.Fatalf("allocated %d bytes for %d input bytes", grew, len(buf))
			}
			if n < 0 || n > len(buf) {
				t.Fatalf("n = %d for %d bytes", n, len(buf))
			}
			if err != nil {
				if _, ok := err.(*ProtocolError); !ok {
					t.Fatalf("error of type %T", err)
				}
				if n != 0 || len(out) != 0 {
					t.Fatalf("error with n=%d args=%d", n, len(out))
				}
				continue
			}
			if n == 0 {
				if len(out) != 0 {
					t.Fatalf("incomplete with %d args", len(out))
				}
				continue
			}
			enc := encodeMultibulk(out)
			back, n2, err2 := ParseCommand(enc, nil, nil)
			if len(out) == 0 {
				if err2 != nil || n2 != len(enc) || len(back) != 0 {
					t.Fatalf("empty command did not round-trip: %v", err2)
				}
				continue
			}
			if err2 != nil || n2 != len(enc) || len(back) != len(out) {
				t.Fatalf("round trip failed: n2=%d/%d err=%v", n2, len(enc), err2)
			}
			for i := range out {
				if !bytes.Equal(out[i], back[i]) {
					t.Fatalf("arg %d: %q != %q", i, out[i], back[i])
				}
			}
		}
	})
}

func TestHugeClaimsDoNotAllocate(t *testing.T) {
	quoted := []byte("SET \"" + string(bytes.Repeat([]byte("q"), 4000)) + "\"\r\n")
	if got := parseAllocation(quoted, nil); got < 4000 {
		t.Fatalf("control: a quoted 4000-byte argument should be measured, got %d", got)
	}
	inputs := [][]byte{
		[]byte("*2147483647\r\n"),
		[]byte("*2147483647\r\n$536870912\r\nabc"),
		[]byte("*1\r\n$536870912\r\n"),
		[]byte("*1000000\r\n$1\r\na\r\n$1\r\nb\r\n"),
	}
	for _, in := range inputs {
		before := allocatedBytes()
		out, n, err := ParseCommand(in, nil, nil)
		grew := allocatedBytes() - before
		if err != nil || n != 0 || len(out) != 0 {
			t.Fatalf("%q: want incomplete, got n=%d err=%v", in, n, err)
		}
		if grew > 1024 {
			t.Fatalf("%q: allocated %d bytes", in, grew)
		}
	}
}
