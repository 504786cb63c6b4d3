package server

import (
	"bytes"
	"testing"
)

// TestReplBacklogRing: the ring keeps the newest size bytes, answers
// which offsets it covers and returns exactly the stream from an offset,
// across wrap-around, oversized writes and resizes.
func TestReplBacklogRing(t *testing.T) {
	var stream []byte
	b := newReplBacklog(8, 1)
	check := func() {
		t.Helper()
		end := int64(len(stream)) + 1 // next offset
		first := end - b.histlen
		if b.first != first {
			t.Fatalf("first = %d, want %d", b.first, first)
		}
		for off := first; off <= end; off++ {
			if !b.covers(off) {
				t.Fatalf("offset %d not covered", off)
			}
			if got, want := b.since(off), stream[off-1:]; !bytes.Equal(got, want) {
				t.Fatalf("since(%d) = %q, want %q", off, got, want)
			}
		}
		if b.covers(first-1) && first > 1 {
			t.Fatalf("offset %d before the ring is covered", first-1)
		}
		if b.covers(end + 1) {
			t.Fatalf("offset %d past the end is covered", end+1)
		}
	}
	for _, p := range []string{"abc", "defgh", "ij", "klmnopqrstu", "v", "wxyz0123"} {
		stream = append(stream, p...)
		b.feed([]byte(p))
		check()
	}
	if b.histlen != 8 {
		t.Fatalf("histlen = %d, want 8", b.histlen)
	}
	b.resize(4)
	check()
	b.resize(16)
	for _, p := range []string{"ABCDEFG", "HIJ"} {
		stream = append(stream, p...)
		b.feed([]byte(p))
		check()
	}
	if b.histlen != 14 {
		t.Fatalf("histlen after growing = %d, want 14", b.histlen)
	}
}
