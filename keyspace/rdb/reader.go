package rdb

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"path/filepath"
	"runtime"
	"strconv"
)

// ErrShortRead is returned when the file ends before a value is complete
// (Redis logs "Unexpected EOF reading RDB file").
var ErrShortRead = errors.New("unexpected EOF reading RDB file")

// CorruptError is a structural error in an RDB file; Msg is Redis's reason
// text (rdbReportCorruptRDB) and Offset the byte offset it was found at.
type CorruptError struct {
	Offset int
	Msg    string
	Where  string // source file:line of the check that failed, for the log
}

// ShortReadError is a file that ends inside a value: Need bytes were
// wanted at Offset with only Left remaining. errors.Is(err, ErrShortRead)
// holds for it.
type ShortReadError struct {
	Offset int
	Need   int
	Left   int
	Where  string // source file:line of the read, for the log
}

// Error describes what was read and where.
func (e *ShortReadError) Error() string {
	return fmt.Sprintf("Unexpected EOF reading RDB file (needed %d bytes at offset %d, %d left)", e.Need, e.Offset, e.Left)
}

// Is makes errors.Is(err, ErrShortRead) true.
func (e *ShortReadError) Is(target error) bool { return target == ErrShortRead }

// short is the error for a read of need bytes past the end of the file.
func (r *Reader) short(need int) error {
	return &ShortReadError{Offset: r.p, Need: need, Left: r.Remaining(), Where: sourceLine()}
}

// sourceLine names the first caller outside this file (the decoder
// function that was reading), as "decode.go:123".
func sourceLine() string {
	var pcs [8]uintptr
	n := runtime.Callers(2, pcs[:])
	frames := runtime.CallersFrames(pcs[:n])
	first := ""
	for {
		f, more := frames.Next()
		name := filepath.Base(f.File)
		if first == "" {
			first = fmt.Sprintf("%s:%d", name, f.Line)
		}
		if name != "reader.go" {
			return fmt.Sprintf("%s:%d", name, f.Line)
		}
		if !more {
			return first
		}
	}
}

// Error returns the reason.
func (e *CorruptError) Error() string { return e.Msg }

// Reader decodes RDB primitives from an in-memory file. Every length is
// checked against the bytes that remain before anything is allocated.
// Module loaders (ModuleLoader) read their values through it.
type Reader struct {
	b   []byte
	p   int
	ver int

	// Key and DB name the key whose module value is being read (Key is
	// nil for module aux data), for RedisModule_GetKeyNameFromIO.
	Key []byte
	DB  int
	// Restoring is set while RESTORE decodes a DUMP payload (Redis's
	// restore context): load failures are the client's error, not the
	// server's.
	Restoring bool
}

// NewReader returns a Reader over b for RDB version ver.
func NewReader(b []byte, ver int) *Reader { return &Reader{b: b, ver: ver} }

// Offset returns the current byte offset.
func (r *Reader) Offset() int { return r.p }

// Remaining returns the number of unread bytes.
func (r *Reader) Remaining() int { return len(r.b) - r.p }

func (r *Reader) corrupt(format string, args ...any) error {
	return &CorruptError{Offset: r.p, Msg: fmt.Sprintf(format, args...), Where: sourceLine()}
}

// ReadBytes returns the next n bytes (aliasing the file).
func (r *Reader) ReadBytes(n int) ([]byte, error) {
	if n < 0 || n > len(r.b)-r.p {
		return nil, r.short(n)
	}
	s := r.b[r.p : r.p+n]
	r.p += n
	return s, nil
}

// ReadByte returns the next byte.
func (r *Reader) ReadByte() (byte, error) {
	if r.p >= len(r.b) {
		return 0, r.short(1)
	}
	c := r.b[r.p]
	r.p++
	return c, nil
}

// readLenEnc reads a length; enc reports the special (11xxxxxx) form, in
// which case the value is the encoding type.
func (r *Reader) readLenEnc() (v uint64, enc bool, err error) {
	c, err := r.ReadByte()
	if err != nil {
		return 0, false, err
	}
	switch c >> 6 {
	case 0:
		return uint64(c & 0x3F), false, nil
	case 1:
		d, err := r.ReadByte()
		if err != nil {
			return 0, false, err
		}
		return uint64(c&0x3F)<<8 | uint64(d), false, nil
	case 3:
		return uint64(c & 0x3F), true, nil
	}
	switch c {
	case 0x80:
		b, err := r.ReadBytes(4)
		if err != nil {
			return 0, false, err
		}
		return uint64(binary.BigEndian.Uint32(b)), false, nil
	case 0x81:
		b, err := r.ReadBytes(8)
		if err != nil {
			return 0, false, err
		}
		return binary.BigEndian.Uint64(b), false, nil
	}
	return 0, false, r.corrupt("Unknown length encoding %d in rdbLoadLen()", c)
}

// ReadLen reads a length (rdbLoadLen).
func (r *Reader) ReadLen() (uint64, error) {
	v, enc, err := r.readLenEnc()
	if err == nil && enc {
		return 0, r.corrupt("Unknown length encoding %d in rdbLoadLen()", 0xC0|v)
	}
	return v, err
}

// readCount reads a length that counts items each at least min bytes
// long, rejecting counts the rest of the file cannot hold.
func (r *Reader) readCount(minBytes int) (int, error) {
	n, err := r.ReadLen()
	if err != nil {
		return 0, err
	}
	if n > uint64(r.Remaining()/max(minBytes, 1)) {
		return 0, r.short(int(min(n*uint64(max(minBytes, 1)), math.MaxInt32)))
	}
	return int(n), nil
}

// ReadString reads a string in any of its encodings (plain, integer,
// LZF). The result may alias the file; callers that keep it must copy.
func (r *Reader) ReadString() ([]byte, error) {
	v, enc, err := r.readLenEnc()
	if err != nil {
		return nil, err
	}
	if !enc {
		if v > uint64(r.Remaining()) {
			return nil, r.short(int(min(v, math.MaxInt32)))
		}
		return r.ReadBytes(int(v))
	}
	switch v {
	case 0, 1, 2:
		n := 1 << v
		b, err := r.ReadBytes(n)
		if err != nil {
			return nil, err
		}
		var iv int64
		switch n {
		case 1:
			iv = int64(int8(b[0]))
		case 2:
			iv = int64(int16(binary.LittleEndian.Uint16(b)))
		default:
			iv = int64(int32(binary.LittleEndian.Uint32(b)))
		}
		return strconv.AppendInt(nil, iv, 10), nil
	case 3:
		clen, err := r.ReadLen()
		if err != nil {
			return nil, err
		}
		ulen, err := r.ReadLen()
		if err != nil {
			return nil, err
		}
		if clen > uint64(r.Remaining()) {
			return nil, r.short(int(min(clen, math.MaxInt32)))
		}
		// An LZF stream expands at most 264/3 times (a 3-byte reference).
		if ulen > clen*lzfMaxRef/2+lzfMaxRef {
			return nil, r.corrupt("Invalid LZF compressed string")
		}
		c, _ := r.ReadBytes(int(clen))
		out, err := lzfDecompress(c, int(ulen))
		if err != nil {
			return nil, r.corrupt("Invalid LZF compressed string")
		}
		return out, nil
	}
	return nil, r.corrupt("Unknown RDB string encoding type %d", v)
}

// ReadUint64LE reads a little-endian 64-bit word (millisecond times).
func (r *Reader) ReadUint64LE() (uint64, error) {
	b, err := r.ReadBytes(8)
	if err != nil {
		return 0, err
	}
	return binary.LittleEndian.Uint64(b), nil
}

// ReadBinaryDouble reads an 8-byte IEEE double (RDB_TYPE_ZSET_2 scores,
// module doubles).
func (r *Reader) ReadBinaryDouble() (float64, error) {
	u, err := r.ReadUint64LE()
	return math.Float64frombits(u), err
}

// ReadBinaryFloat reads a 4-byte IEEE float (module floats).
func (r *Reader) ReadBinaryFloat() (float32, error) {
	b, err := r.ReadBytes(4)
	if err != nil {
		return 0, err
	}
	return math.Float32frombits(binary.LittleEndian.Uint32(b)), nil
}

// ReadOldDouble reads the textual double of RDB_TYPE_ZSET (length byte,
// 253 NaN, 254 +inf, 255 -inf).
func (r *Reader) ReadOldDouble() (float64, error) {
	n, err := r.ReadByte()
	if err != nil {
		return 0, err
	}
	switch n {
	case 253:
		return math.NaN(), nil
	case 254:
		return math.Inf(1), nil
	case 255:
		return math.Inf(-1), nil
	}
	b, err := r.ReadBytes(int(n))
	if err != nil {
		return 0, err
	}
	f, perr := strconv.ParseFloat(string(b), 64)
	if perr != nil {
		return 0, r.corrupt("Invalid double value")
	}
	return f, nil
}

// Module value opcodes (RDB_MODULE_OPCODE_*).
const (
	ModuleOpEOF    = 0
	ModuleOpSint   = 1
	ModuleOpUint   = 2
	ModuleOpFloat  = 3
	ModuleOpDouble = 4
	ModuleOpString = 5
)

// expectModuleOp reads the opcode that precedes every module field.
func (r *Reader) expectModuleOp(op uint64) error {
	got, err := r.ReadLen()
	if err != nil {
		return err
	}
	if got != op {
		return r.corrupt("Bad module value opcode %d, expected %d", got, op)
	}
	return nil
}

// ModuleUnsigned reads an unsigned integer saved by RedisModule_SaveUnsigned.
func (r *Reader) ModuleUnsigned() (uint64, error) {
	if err := r.expectModuleOp(ModuleOpUint); err != nil {
		return 0, err
	}
	return r.ReadLen()
}

// ModuleSigned reads a signed integer saved by RedisModule_SaveSigned.
func (r *Reader) ModuleSigned() (int64, error) {
	if err := r.expectModuleOp(ModuleOpSint); err != nil {
		return 0, err
	}
	v, err := r.ReadLen()
	return int64(v), err
}

// ModuleString reads a string saved by RedisModule_SaveString/StringBuffer.
func (r *Reader) ModuleString() ([]byte, error) {
	if err := r.expectModuleOp(ModuleOpString); err != nil {
		return nil, err
	}
	return r.ReadString()
}

// ModuleDouble reads a double saved by RedisModule_SaveDouble.
func (r *Reader) ModuleDouble() (float64, error) {
	if err := r.expectModuleOp(ModuleOpDouble); err != nil {
		return 0, err
	}
	return r.ReadBinaryDouble()
}

// ModuleFloat reads a float saved by RedisModule_SaveFloat.
func (r *Reader) ModuleFloat() (float32, error) {
	if err := r.expectModuleOp(ModuleOpFloat); err != nil {
		return 0, err
	}
	return r.ReadBinaryFloat()
}

// ModuleEOF reads the end-of-value marker after a module value.
func (r *Reader) ModuleEOF() error { return r.expectModuleOp(ModuleOpEOF) }

// SkipModuleValue skips a module value's fields up to its EOF marker
// (redis-check-rdb's rdbLoadCheckModuleValue).
func (r *Reader) SkipModuleValue() error {
	for {
		op, err := r.ReadLen()
		if err != nil {
			return err
		}
		switch op {
		case ModuleOpEOF:
			return nil
		case ModuleOpSint, ModuleOpUint:
			_, err = r.ReadLen()
		case ModuleOpFloat:
			_, err = r.ReadBytes(4)
		case ModuleOpDouble:
			_, err = r.ReadBytes(8)
		case ModuleOpString:
			_, err = r.ReadString()
		default:
			return r.corrupt("Unknown module opcode %d", op)
		}
		if err != nil {
			return err
		}
	}
}
