package resp

// deferMark is one reserved aggregate header: the byte offset in Buf where
// the header will be inserted, or -1 once it has been set.
type deferMark struct{ off int }

// DeferLen reserves the place of an aggregate header whose length is not
// known yet (Redis's addReplyDeferredLen) and returns a mark for one of the
// SetDeferred*Len methods. Nothing is written until the length is set; the
// header is then inserted at the reserved place, moving the bytes after it.
// Marks may be set in any order, including marks reserved back to back.
// Every mark must be set before Buf is flushed.
func (w *Writer) DeferLen() int {
	w.marks = append(w.marks, deferMark{off: len(w.Buf)})
	return len(w.marks) - 1
}

// Pending reports how many DeferLen marks have not been set yet.
func (w *Writer) Pending() int {
	n := 0
	for _, m := range w.marks {
		if m.off >= 0 {
			n++
		}
	}
	return n
}

// SetDeferredArrayLen writes "*n" at mark.
func (w *Writer) SetDeferredArrayLen(mark, n int) { w.setDeferred(mark, '*', int64(n)) }

// SetDeferredMapLen writes "%n" at mark in RESP3 and "*2n" in RESP2.
func (w *Writer) SetDeferredMapLen(mark, n int) {
	if w.resp3() {
		w.setDeferred(mark, '%', int64(n))
		return
	}
	w.setDeferred(mark, '*', 2*int64(n))
}

// SetDeferredSetLen writes "~n" at mark in RESP3 and "*n" in RESP2.
func (w *Writer) SetDeferredSetLen(mark, n int) {
	if w.resp3() {
		w.setDeferred(mark, '~', int64(n))
		return
	}
	w.setDeferred(mark, '*', int64(n))
}

// SetDeferredAttributeLen writes "|n" at mark in RESP3. In RESP2 it only
// releases the mark: attributes do not exist there (see AttributeLen).
func (w *Writer) SetDeferredAttributeLen(mark, n int) {
	if w.resp3() {
		w.setDeferred(mark, '|', int64(n))
		return
	}
	w.setDeferred(mark, 0, 0)
}

// SetDeferredPushLen writes ">n" at mark in RESP3 and "*n" in RESP2.
func (w *Writer) SetDeferredPushLen(mark, n int) {
	if w.resp3() {
		w.setDeferred(mark, '>', int64(n))
		return
	}
	w.setDeferred(mark, '*', int64(n))
}

// setDeferred inserts the header prefix+n at mark (nothing when prefix is
// 0) and moves the marks that lie after it. It panics on an unknown or
// already-set mark, which is a bug in the caller.
func (w *Writer) setDeferred(mark int, prefix byte, n int64) {
	if mark < 0 || mark >= len(w.marks) || w.marks[mark].off < 0 {
		panic("resp: SetDeferred*Len on an unknown or already set mark")
	}
	off := w.marks[mark].off
	w.marks[mark].off = -1
	if prefix != 0 {
		end := len(w.Buf)
		w.appendHeader(prefix, n)
		size := len(w.Buf) - end
		if off < end {
			var hdr [24]byte
			copy(hdr[:], w.Buf[end:])
			copy(w.Buf[off+size:], w.Buf[off:end])
			copy(w.Buf[off:], hdr[:size])
		}
		for i := range w.marks {
			m := &w.marks[i]
			if m.off > off || (m.off == off && i > mark) {
				m.off += size
			}
		}
	}
	for len(w.marks) > 0 && w.marks[len(w.marks)-1].off < 0 {
		w.marks = w.marks[:len(w.marks)-1]
	}
}
