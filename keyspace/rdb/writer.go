package rdb

import (
	"encoding/binary"
	"io"
	"math"
	"strconv"
)

// Writer encodes RDB primitives into an io.Writer, keeping the running
// CRC64 of everything written. Module savers (ModuleSaver) write their
// values through it.
type Writer struct {
	w        io.Writer // nil: everything stays in buf (pre-encoding)
	buf      []byte
	crc      uint64
	n        int64
	err      error
	compress bool

	// Scratch space reused across values so that a save allocates
	// nothing per key.
	lp   lpBuilder             // listpacks being built
	ends []int                 // quicklist node ends in lp.b
	ints []int64               // intset members
	zbuf []byte                // LZF output
	ztab *[1 << lzfHBits]int32 // LZF hash table
	num  [24]byte              // integer formatting

	// Key and DB name the key whose module value is being written (nil
	// Key for module aux data), for RedisModule_GetKeyNameFromIO.
	Key []byte
	DB  int
}

// NewWriter returns a Writer; compress enables LZF for strings longer than
// 20 bytes (rdbcompression).
func NewWriter(w io.Writer, compress bool) *Writer {
	return &Writer{w: w, buf: make([]byte, 0, flushAt+4<<10), compress: compress}
}

// newBufWriter returns a Writer that keeps everything in its buffer
// (Bytes), for values encoded ahead of the file.
func newBufWriter(compress bool) *Writer {
	return &Writer{buf: make([]byte, 0, 256), compress: compress}
}

// flushAt is the buffered size that triggers a write to the underlying
// writer.
const flushAt = 252 << 10

func (w *Writer) maybeFlush() {
	if len(w.buf) >= flushAt && w.w != nil {
		w.Flush()
	}
}

// Flush writes buffered bytes to the underlying writer and returns the
// first error seen so far.
func (w *Writer) Flush() error {
	if w.w == nil {
		return w.err
	}
	if len(w.buf) > 0 && w.err == nil {
		w.crc = CRC64(w.crc, w.buf)
		w.n += int64(len(w.buf))
		_, w.err = w.w.Write(w.buf)
	}
	w.buf = w.buf[:0]
	return w.err
}

// Err returns the first write error.
func (w *Writer) Err() error { return w.err }

// Written returns the bytes written so far (flushed and buffered).
func (w *Writer) Written() int64 { return w.n + int64(len(w.buf)) }

// WriteRaw appends raw bytes.
func (w *Writer) WriteRaw(b []byte) {
	if len(b) > flushAt && w.w != nil {
		w.Flush()
		if w.err == nil {
			w.crc = CRC64(w.crc, b)
			w.n += int64(len(b))
			_, w.err = w.w.Write(b)
		}
		return
	}
	w.buf = append(w.buf, b...)
	w.maybeFlush()
}

// WriteByte appends one byte (an opcode or type).
func (w *Writer) WriteByte(c byte) error {
	w.buf = append(w.buf, c)
	w.maybeFlush()
	return nil
}

// WriteLen appends a length in the shortest of Redis's forms.
func (w *Writer) WriteLen(n uint64) {
	switch {
	case n < 1<<6:
		w.buf = append(w.buf, byte(n))
	case n < 1<<14:
		w.buf = append(w.buf, 0x40|byte(n>>8), byte(n))
	case n <= math.MaxUint32:
		w.buf = append(w.buf, 0x80)
		w.buf = binary.BigEndian.AppendUint32(w.buf, uint32(n))
	default:
		w.buf = append(w.buf, 0x81)
		w.buf = binary.BigEndian.AppendUint64(w.buf, n)
	}
	w.maybeFlush()
}

// writeIntEnc appends v in an integer string encoding when it fits 32 bits.
func (w *Writer) writeIntEnc(v int64) bool {
	switch {
	case v >= math.MinInt8 && v <= math.MaxInt8:
		w.buf = append(w.buf, 0xC0, byte(v))
	case v >= math.MinInt16 && v <= math.MaxInt16:
		w.buf = append(w.buf, 0xC1, byte(v), byte(v>>8))
	case v >= math.MinInt32 && v <= math.MaxInt32:
		w.buf = append(w.buf, 0xC2, byte(v), byte(v>>8), byte(v>>16), byte(v>>24))
	default:
		return false
	}
	w.maybeFlush()
	return true
}

// WriteString appends a string the way rdbSaveRawString does: short
// canonical integers in an integer encoding, strings over 20 bytes LZF
// compressed when that saves at least 4 bytes and compression is on,
// otherwise length-prefixed.
func (w *Writer) WriteString(s []byte) {
	if len(s) <= 11 {
		if v, ok := parseCanonicalInt(s); ok && w.writeIntEnc(v) {
			return
		}
	}
	if w.compress && len(s) > 20 && w.writeLZF(s) {
		return
	}
	w.WriteLen(uint64(len(s)))
	w.WriteRaw(s)
}

// writeLZF appends s LZF-compressed when that saves more than 4 bytes.
func (w *Writer) writeLZF(s []byte) bool {
	maxOut := len(s) - 4
	if cap(w.zbuf) < maxOut {
		w.zbuf = make([]byte, 0, max(maxOut, 4<<10))
	}
	if w.ztab == nil {
		w.ztab = new([1 << lzfHBits]int32)
	}
	c := lzfCompressTo(w.zbuf, w.ztab, s, maxOut)
	if c == nil {
		return false
	}
	w.buf = append(w.buf, 0xC3)
	w.WriteLen(uint64(len(c)))
	w.WriteLen(uint64(len(s)))
	w.WriteRaw(c)
	return true
}

// WriteInt appends an integer as a string (rdbSaveLongLongAsStringObject).
func (w *Writer) WriteInt(v int64) {
	if !w.writeIntEnc(v) {
		w.WriteString(strconv.AppendInt(w.num[:0], v, 10))
	}
}

// WriteUint64LE appends a little-endian 64-bit word.
func (w *Writer) WriteUint64LE(v uint64) {
	w.buf = binary.LittleEndian.AppendUint64(w.buf, v)
	w.maybeFlush()
}

// WriteBinaryDouble appends an 8-byte IEEE double.
func (w *Writer) WriteBinaryDouble(f float64) { w.WriteUint64LE(math.Float64bits(f)) }

// ModuleUnsigned writes an unsigned integer field (RedisModule_SaveUnsigned).
func (w *Writer) ModuleUnsigned(v uint64) {
	w.WriteLen(ModuleOpUint)
	w.WriteLen(v)
}

// ModuleSigned writes a signed integer field (RedisModule_SaveSigned).
func (w *Writer) ModuleSigned(v int64) {
	w.WriteLen(ModuleOpSint)
	w.WriteLen(uint64(v))
}

// ModuleString writes a string field (RedisModule_SaveString).
func (w *Writer) ModuleString(s []byte) {
	w.WriteLen(ModuleOpString)
	w.WriteString(s)
}

// ModuleDouble writes a double field (RedisModule_SaveDouble).
func (w *Writer) ModuleDouble(f float64) {
	w.WriteLen(ModuleOpDouble)
	w.WriteBinaryDouble(f)
}

// ModuleFloat writes a float field (RedisModule_SaveFloat).
func (w *Writer) ModuleFloat(f float32) {
	w.WriteLen(ModuleOpFloat)
	w.buf = binary.LittleEndian.AppendUint32(w.buf, math.Float32bits(f))
	w.maybeFlush()
}

// ModuleEOF writes the end-of-value marker.
func (w *Writer) ModuleEOF() { w.WriteLen(ModuleOpEOF) }

// checksum returns the CRC64 of everything written (flushing first).
func (w *Writer) checksum() uint64 {
	w.Flush()
	return w.crc
}
