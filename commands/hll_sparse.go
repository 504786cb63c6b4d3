package commands

// Updating a sparse HyperLogLog in place (hllSparseSet): find the opcode
// covering the register, split it into at most XZERO-VAL-XZERO, merge
// equal neighbouring VALs, and promote to dense when a value does not fit
// a VAL opcode or the string would outgrow hll-sparse-max-bytes. Every
// step produces the bytes Redis produces, so GET of the value matches.

// hllResult is the outcome of setting a register.
type hllResult int

// Outcomes of hllSet.
const (
	hllUnchanged hllResult = 0
	hllUpdated   hllResult = 1
	hllCorrupt   hllResult = -1
)

// hllSet raises register index to count in the HyperLogLog b, in either
// encoding, and returns the (possibly reallocated or promoted) value.
func hllSet(b []byte, index int, count uint8, maxBytes int64) ([]byte, hllResult) {
	if b[4] == hllDense {
		if hllDenseSet(b[hllHdrSize:], index, count) {
			return b, hllUpdated
		}
		return b, hllUnchanged
	}
	return hllSparseSet(b, index, count, maxBytes)
}

// hllAdd adds one element (hllAdd).
func hllAdd(b []byte, ele []byte, maxBytes int64) ([]byte, hllResult) {
	index, count := hllPatLen(ele)
	return hllSet(b, index, count, maxBytes)
}

// hllSparseSet is hllSet for the sparse encoding.
func hllSparseSet(b []byte, index int, count uint8, maxBytes int64) ([]byte, hllResult) {
	if count > hllValMax {
		return hllPromote(b, index, count)
	}
	// Step 1: find the opcode that covers index.
	end := len(b)
	p, prev, first, span := hllHdrSize, -1, 0, 0
	for p < end {
		var oplen int
		span, _, oplen, _ = sparseOp(b, p)
		if index <= first+span-1 {
			break
		}
		prev = p
		p += oplen
		first += span
	}
	if span == 0 || p >= end {
		return b, hllCorrupt
	}
	runlen, curval, oplen, isXZero := sparseOp(b, p)
	next := p + oplen
	if next >= end {
		next = -1
	}

	// Step 2: the cases that rewrite one byte in place.
	switch {
	case curval > 0 && curval >= int(count):
		return b, hllUnchanged
	case curval > 0 && runlen == 1, curval == 0 && !isXZero && runlen == 1:
		b[p] = valOp(int(count), 1)
		return hllSparseMerge(b, prev), hllUpdated
	}

	// General case: split the opcode in up to three.
	var seqBuf [5]byte
	seq := seqBuf[:0]
	last := first + span - 1
	if curval == 0 {
		if index != first {
			seq = appendZeros(seq, index-first)
		}
		seq = append(seq, valOp(int(count), 1))
		if index != last {
			seq = appendZeros(seq, last-index)
		}
	} else {
		if index != first {
			seq = append(seq, valOp(curval, index-first))
		}
		seq = append(seq, valOp(int(count), 1))
		if index != last {
			seq = append(seq, valOp(curval, last-index))
		}
	}

	// Step 3: put the new sequence in place of the old opcode.
	delta := len(seq) - oplen
	if delta > 0 && int64(len(b)+delta) > maxBytes {
		return hllPromote(b, index, count)
	}
	newLen := len(b) + delta
	if newLen > cap(b) {
		// Grow with Redis's greed (double, or add 300 bytes) so that a
		// run of PFADDs does not reallocate every time.
		nb := make([]byte, len(b), newLen+min(newLen, 300))
		copy(nb, b)
		b = nb
	}
	out := b[:max(newLen, len(b))]
	if next >= 0 {
		copy(out[p+len(seq):], b[next:end])
	}
	// An XZERO cut short by the end of the string counted as two bytes:
	// Redis's length arithmetic then drops the last byte of the sequence,
	// which copy leaves out here.
	copy(out[p:], seq)
	return hllSparseMerge(out[:newLen], prev), hllUpdated
}

// hllSparseMerge is step 4 of hllSparseSet: starting at the opcode before
// the change, look at up to five opcodes and merge adjacent VALs of the
// same value while the run fits; then invalidate the cached cardinality.
func hllSparseMerge(b []byte, prev int) []byte {
	p := hllHdrSize
	if prev >= 0 {
		p = prev
	}
	for scan := 5; p < len(b) && scan > 0; {
		scan--
		op := b[p]
		if op&0xc0 == 0x40 { // XZERO
			p += 2
			continue
		}
		if op&0xc0 == 0 { // ZERO
			p++
			continue
		}
		if p+1 < len(b) && b[p+1]&0x80 != 0 {
			_, v1, _, _ := sparseOp(b, p)
			_, v2, _, _ := sparseOp(b, p+1)
			n := int(op&3) + int(b[p+1]&3) + 2
			if v1 == v2 && n <= hllValMaxLen {
				b[p+1] = valOp(v1, n)
				b = append(b[:p], b[p+1:]...)
				continue
			}
		}
		p++
	}
	hllInvalidate(b)
	return b
}

// hllPromote converts b to dense and sets the register there.
func hllPromote(b []byte, index int, count uint8) ([]byte, hllResult) {
	dense, ok := hllSparseToDense(b)
	if !ok {
		return b, hllCorrupt
	}
	hllDenseSet(dense[hllHdrSize:], index, count)
	return dense, hllUpdated
}
