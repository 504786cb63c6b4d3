package commands

// The HyperLogLog string format of Redis's hyperloglog.c, byte for byte:
// a 16-byte header ("HYLL", the encoding, three unused bytes, the cached
// cardinality little endian with the "invalid" flag in the top bit of its
// last byte) followed by either 16384 six-bit registers packed LSB first
// (dense, 12288 bytes) or a run-length sparse form of ZERO (00xxxxxx),
// XZERO (01xxxxxx xxxxxxxx) and VAL (1vvvvvxx) opcodes. These functions
// work on the value's bytes and never trust them: a malformed sparse body
// is reported, not followed out of bounds.

import "math"

// HyperLogLog geometry and format constants (HLL_* in hyperloglog.c).
const (
	hllP          = 14
	hllQ          = 64 - hllP
	hllRegisters  = 1 << hllP
	hllBits       = 6
	hllRegMax     = 1<<hllBits - 1
	hllHdrSize    = 16
	hllDenseSize  = hllHdrSize + (hllRegisters*hllBits+7)/8
	hllDense      = 0
	hllSparse     = 1
	hllMaxEncode  = 1
	hllSeed       = 0xadc83b19
	hllAlphaInf   = 0.721347520444481703680 // 0.5/ln(2)
	hllValMax     = 32                      // largest VAL opcode value
	hllValMaxLen  = 4                       // longest VAL run
	hllZeroMaxLen = 64                      // longest ZERO run
	hllXZeroMax   = 16384                   // longest XZERO run
)

// murmurHash64A is MurmurHash2's 64-bit variant as Redis uses it (reading
// the input as little-endian words on every architecture).
func murmurHash64A(key []byte, seed uint64) uint64 {
	const m = 0xc6a4a7935bd1e995
	const r = 47
	h := seed ^ uint64(len(key))*m
	n := len(key) &^ 7
	for i := 0; i < n; i += 8 {
		k := uint64(key[i]) | uint64(key[i+1])<<8 | uint64(key[i+2])<<16 | uint64(key[i+3])<<24 |
			uint64(key[i+4])<<32 | uint64(key[i+5])<<40 | uint64(key[i+6])<<48 | uint64(key[i+7])<<56
		k *= m
		k ^= k >> r
		k *= m
		h ^= k
		h *= m
	}
	if rest := key[n:]; len(rest) > 0 {
		for i := len(rest) - 1; i >= 0; i-- {
			h ^= uint64(rest[i]) << (8 * uint(i))
		}
		h *= m
	}
	h ^= h >> r
	h *= m
	h ^= h >> r
	return h
}

// hllPatLen returns the register an element maps to and the length of the
// 000..1 run of the rest of its hash (hllPatLen), 1 to hllQ+1.
func hllPatLen(ele []byte) (index int, count uint8) {
	hash := murmurHash64A(ele, hllSeed)
	index = int(hash & (hllRegisters - 1))
	hash >>= hllP
	hash |= 1 << hllQ
	count = 1
	for bit := uint64(1); hash&bit == 0; bit <<= 1 {
		count++
	}
	return index, count
}

// hllByte reads b[i], or 0 past the end: Redis reads the string's NUL
// terminator there when an XZERO opcode is cut short.
func hllByte(b []byte, i int) byte {
	if i < len(b) {
		return b[i]
	}
	return 0
}

// hllGetReg reads dense register i from the register bytes.
func hllGetReg(regs []byte, i int) uint8 {
	byteIdx, fb := i*hllBits/8, uint(i*hllBits&7)
	v := uint(regs[byteIdx]) >> fb
	if byteIdx+1 < len(regs) {
		v |= uint(regs[byteIdx+1]) << (8 - fb)
	}
	return uint8(v & hllRegMax)
}

// hllSetReg writes dense register i.
func hllSetReg(regs []byte, i int, val uint8) {
	byteIdx, fb := i*hllBits/8, uint(i*hllBits&7)
	v := uint(val)
	regs[byteIdx] &^= byte(hllRegMax << fb)
	regs[byteIdx] |= byte(v << fb)
	if byteIdx+1 < len(regs) {
		regs[byteIdx+1] &^= byte(hllRegMax >> (8 - fb))
		regs[byteIdx+1] |= byte(v >> (8 - fb))
	}
}

// hllDenseSet raises dense register i to count; true when it changed.
func hllDenseSet(regs []byte, i int, count uint8) bool {
	if count > hllGetReg(regs, i) {
		hllSetReg(regs, i, count)
		return true
	}
	return false
}

// sparseOp decodes the opcode at b[p]: the registers it covers, its value
// (0 for ZERO and XZERO), its length in bytes and whether it is an XZERO.
func sparseOp(b []byte, p int) (span, val, oplen int, xzero bool) {
	op := b[p]
	switch {
	case op&0xc0 == 0: // ZERO
		return int(op&0x3f) + 1, 0, 1, false
	case op&0x80 != 0: // VAL
		return int(op&3) + 1, int(op>>2&0x1f) + 1, 1, false
	default: // XZERO
		return (int(op&0x3f)<<8 | int(hllByte(b, p+1))) + 1, 0, 2, true
	}
}

// valOp encodes a VAL opcode.
func valOp(val, n int) byte { return byte((val-1)<<2|(n-1)) | 0x80 }

// appendZeros appends a ZERO or XZERO opcode for a run of n registers.
func appendZeros(seq []byte, n int) []byte {
	if n > hllZeroMaxLen {
		return append(seq, byte((n-1)>>8)|0x40, byte(n-1))
	}
	return append(seq, byte(n-1))
}

// newHLL returns an empty HyperLogLog in the sparse encoding: the header
// and one XZERO opcode covering every register (createHLLObject).
func newHLL() []byte {
	b := make([]byte, hllHdrSize, hllHdrSize+2)
	copy(b, "HYLL")
	b[4] = hllSparse
	return appendZeros(b, hllRegisters)
}

// hllValid reports whether b has the shape of a HyperLogLog value
// (isHLLObjectOrReply): the magic, a known encoding and, when dense, the
// exact dense size. A sparse body is checked only as it is read.
func hllValid(b []byte) bool {
	if len(b) < hllHdrSize || string(b[:4]) != "HYLL" || b[4] > hllMaxEncode {
		return false
	}
	return b[4] != hllDense || len(b) == hllDenseSize
}

// hllInvalidate sets the "cached cardinality is stale" flag.
func hllInvalidate(b []byte) { b[15] |= 0x80 }

// hllCached returns the cached cardinality when its flag says it is valid.
func hllCached(b []byte) (uint64, bool) {
	if b[15]&0x80 != 0 {
		return 0, false
	}
	var card uint64
	for i := 7; i >= 0; i-- {
		card = card<<8 | uint64(b[8+i])
	}
	return card, true
}

// hllSetCached stores card as the cached cardinality.
func hllSetCached(b []byte, card uint64) {
	for i := 0; i < 8; i++ {
		b[8+i] = byte(card >> (8 * uint(i)))
	}
}

// hllSparseToDense converts a sparse HyperLogLog to the dense encoding,
// keeping the header's cached cardinality (hllSparseToDense). A dense
// input is returned as it is; false means the sparse body does not cover
// exactly 16384 registers. A VAL run past the last register is an error
// at once, as in Redis with the CVE-2025-32023 fix (Debian's 7.0.15 has
// it; 7.2.6 stopped there and accepted what came before).
func hllSparseToDense(b []byte) ([]byte, bool) {
	if b[4] == hllDense {
		return b, true
	}
	dense := make([]byte, hllDenseSize)
	copy(dense, b[:hllHdrSize])
	dense[4] = hllDense
	regs := dense[hllHdrSize:]
	idx := 0
	for p := hllHdrSize; p < len(b); {
		span, val, oplen, _ := sparseOp(b, p)
		if val > 0 {
			if idx+span > hllRegisters {
				return dense, false
			}
			for ; span > 0; span-- {
				hllSetReg(regs, idx, uint8(val))
				idx++
			}
		} else {
			idx += span
		}
		p += oplen
	}
	return dense, idx == hllRegisters
}

// hllMerge raises max[i] to every register of the HyperLogLog b
// (hllMerge); false for a malformed sparse body.
func hllMerge(max *[hllRegisters]uint8, b []byte) bool {
	if b[4] == hllDense {
		regs := b[hllHdrSize:]
		for i := range max {
			if v := hllGetReg(regs, i); v > max[i] {
				max[i] = v
			}
		}
		return true
	}
	i := 0
	for p := hllHdrSize; p < len(b); {
		span, val, oplen, _ := sparseOp(b, p)
		if val > 0 {
			if i+span > hllRegisters {
				return false
			}
			for ; span > 0; span-- {
				if uint8(val) > max[i] {
					max[i] = uint8(val)
				}
				i++
			}
		} else {
			i += span
		}
		p += oplen
	}
	return i == hllRegisters
}

// hllHisto counts the registers of b by value; false for a sparse body
// that does not cover exactly 16384 registers.
func hllHisto(b []byte, h *[64]int) bool {
	if b[4] == hllDense {
		regs := b[hllHdrSize:]
		for i := 0; i < hllRegisters; i++ {
			h[hllGetReg(regs, i)]++
		}
		return true
	}
	idx := 0
	for p := hllHdrSize; p < len(b); {
		span, val, oplen, _ := sparseOp(b, p)
		idx += span
		h[val] += span
		p += oplen
	}
	return idx == hllRegisters
}

// hllSigma and hllTau are the helper functions of Ertl's improved
// estimator ("New cardinality estimation algorithms for HyperLogLog
// sketches", arXiv:1702.01284), computed in Redis's order of operations.
// The float64 conversions keep products from being fused.
func hllSigma(x float64) float64 {
	if x == 1 {
		return math.Inf(1)
	}
	y, z := 1.0, x
	for {
		x = float64(x * x)
		prev := z
		z += float64(x * y)
		y += y
		if prev == z {
			return z
		}
	}
}

func hllTau(x float64) float64 {
	if x == 0 || x == 1 {
		return 0
	}
	y, z := 1.0, 1-x
	for {
		x = math.Sqrt(x)
		prev := z
		y *= 0.5
		d := 1 - x
		z -= float64(float64(d*d) * y)
		if prev == z {
			return z / 3
		}
	}
}

// hllEstimate turns a register histogram into the cardinality estimate
// (hllCount). A histogram whose estimate is infinite (every register above
// 51, only possible in a hand-made value) gives what Redis's llroundl
// gives on amd64: the bit pattern of LLONG_MIN.
func hllEstimate(h *[64]int) uint64 {
	const m = float64(hllRegisters)
	z := float64(m * hllTau((m-float64(h[hllQ+1]))/m))
	for j := hllQ; j >= 1; j-- {
		z += float64(h[j])
		z *= 0.5
	}
	z += float64(m * hllSigma(float64(h[0])/m))
	e := float64(float64(hllAlphaInf*m)*m) / z
	if math.IsInf(e, 0) || math.IsNaN(e) || e >= math.MaxInt64 {
		return 1 << 63
	}
	return uint64(int64(math.Round(e)))
}
