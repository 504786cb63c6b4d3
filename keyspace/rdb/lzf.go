package rdb

import (
	"errors"
	"sync"
)

// lzfTables recycles compressor hash tables.
var lzfTables = sync.Pool{New: func() any { return new([1 << lzfHBits]int32) }}

// LZF parameters (the format liblzf and Redis use).
const (
	lzfMaxLit = 1 << 5          // literal run length limit
	lzfMaxOff = 1 << 13         // back-reference distance limit
	lzfMaxRef = (1 << 8) + 1<<3 // back-reference length limit (264)
	lzfHBits  = 14
)

var errLZF = errors.New("invalid LZF data")

// lzfCompress compresses in into a buffer of at most maxOut bytes and
// returns it, or nil when the result would not fit (the caller then stores
// the string uncompressed, as Redis does).
func lzfCompress(in []byte, maxOut int) []byte {
	if maxOut <= 0 {
		return nil
	}
	tp := lzfTables.Get().(*[1 << lzfHBits]int32)
	defer lzfTables.Put(tp)
	return lzfCompressTo(make([]byte, 0, maxOut), tp, in, maxOut)
}

// lzfCompressTo is lzfCompress writing into dst[:0], whose capacity must
// be at least maxOut, with tp as the hash table.
func lzfCompressTo(dst []byte, tp *[1 << lzfHBits]int32, in []byte, maxOut int) []byte {
	n := len(in)
	if n < 4 || maxOut <= 0 || cap(dst) < maxOut {
		return nil
	}
	out := dst[:0]
	// The hash table is sized to the input and never cleared: a slot may
	// hold a position from an earlier input, which the byte comparison
	// below rejects unless it really matches (ref < i keeps it in range).
	hbits := uint32(8)
	for hbits < lzfHBits && 1<<hbits < n {
		hbits++
	}
	table := tp[:1<<hbits]
	hash := func(i int) uint32 {
		v := uint32(in[i])<<16 | uint32(in[i+1])<<8 | uint32(in[i+2])
		return (v * 2654435761) >> (32 - hbits)
	}
	litStart := 0 // start of the pending literal run
	flushLits := func(end int) bool {
		for litStart < end {
			run := min(end-litStart, lzfMaxLit)
			if len(out)+1+run > maxOut {
				return false
			}
			out = append(out, byte(run-1))
			out = append(out, in[litStart:litStart+run]...)
			litStart += run
		}
		return true
	}
	i := 0
	for i+2 < n {
		h := hash(i)
		ref := int(table[h]) - 1
		table[h] = int32(i + 1)
		off := i - ref - 1
		if ref >= 0 && ref < i && off < lzfMaxOff && in[ref] == in[i] && in[ref+1] == in[i+1] && in[ref+2] == in[i+2] {
			l := 3
			maxL := min(lzfMaxRef, n-i)
			for l < maxL && in[ref+l] == in[i+l] {
				l++
			}
			if !flushLits(i) {
				return nil
			}
			l -= 2 // stored length is matched length - 2
			need := 2
			if l >= 7 {
				need = 3
			}
			if len(out)+need > maxOut {
				return nil
			}
			if l < 7 {
				out = append(out, byte(l<<5|off>>8), byte(off))
			} else {
				out = append(out, byte(7<<5|off>>8), byte(l-7), byte(off))
			}
			i += l + 2
			litStart = i
			continue
		}
		i++
	}
	if !flushLits(n) {
		return nil
	}
	return out
}

// lzfDecompress expands in into exactly outLen bytes.
func lzfDecompress(in []byte, outLen int) ([]byte, error) {
	out := make([]byte, 0, outLen)
	for i := 0; i < len(in); {
		ctrl := int(in[i])
		i++
		if ctrl < lzfMaxLit {
			run := ctrl + 1
			if i+run > len(in) || len(out)+run > outLen {
				return nil, errLZF
			}
			out = append(out, in[i:i+run]...)
			i += run
			continue
		}
		l := ctrl >> 5
		if l == 7 {
			if i >= len(in) {
				return nil, errLZF
			}
			l += int(in[i])
			i++
		}
		if i >= len(in) {
			return nil, errLZF
		}
		ref := len(out) - (ctrl&0x1f)<<8 - int(in[i]) - 1
		i++
		l += 2
		if ref < 0 || len(out)+l > outLen {
			return nil, errLZF
		}
		for k := 0; k < l; k++ { // byte by byte: the source may overlap
			out = append(out, out[ref+k])
		}
	}
	if len(out) != outLen {
		return nil, errLZF
	}
	return out, nil
}
