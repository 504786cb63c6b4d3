package rdb

import (
	"encoding/binary"
	"errors"
	"strconv"

	"github.com/modhost/modhost/keyspace"
)

// errEncoding reports a malformed listpack, ziplist, intset or zipmap.
var errEncoding = errors.New("bad encoding")

// lpBuilder builds Redis listpacks in b: the one being built starts at
// start and has n elements. Several listpacks may follow each other in b
// (a quicklist's nodes); reset empties it for reuse.
type lpBuilder struct {
	b     []byte
	start int
	n     int
}

func newLP() *lpBuilder { return &lpBuilder{b: make([]byte, 6, 64)} }

// reset drops everything built and starts a new listpack.
func (l *lpBuilder) reset() {
	l.b = l.b[:0]
	l.begin()
}

// begin starts a new listpack after the ones already in b.
func (l *lpBuilder) begin() {
	l.start = len(l.b)
	l.b = append(l.b, 0, 0, 0, 0, 0, 0)
	l.n = 0
}

// parseCanonicalInt returns b as an int64 when b is a canonical decimal
// (what Redis's string2ll accepts and lpAppend stores as an integer).
func parseCanonicalInt(b []byte) (int64, bool) {
	return keyspace.ParseInt(b)
}

// appendBytes adds an element, as an integer when it is a canonical one.
func (l *lpBuilder) appendBytes(e []byte) {
	if len(e) > 0 && (e[0]-'0' <= 9 || e[0] == '-') {
		if v, ok := parseCanonicalInt(e); ok {
			l.appendInt(v)
			return
		}
	}
	start := len(l.b)
	switch n := len(e); {
	case n < 64:
		l.b = append(l.b, 0x80|byte(n))
	case n < 4096:
		l.b = append(l.b, 0xE0|byte(n>>8), byte(n))
	default:
		l.b = append(l.b, 0xF0, byte(n), byte(n>>8), byte(n>>16), byte(n>>24))
	}
	l.b = append(l.b, e...)
	l.backlen(len(l.b) - start)
}

// appendInt adds an integer element in the smallest encoding.
func (l *lpBuilder) appendInt(v int64) {
	start := len(l.b)
	switch {
	case v >= 0 && v <= 127:
		l.b = append(l.b, byte(v))
	case v >= -4096 && v <= 4095:
		u := uint64(v) & 0x1fff
		l.b = append(l.b, 0xC0|byte(u>>8), byte(u))
	case v >= -32768 && v <= 32767:
		l.b = append(l.b, 0xF1, byte(v), byte(v>>8))
	case v >= -8388608 && v <= 8388607:
		l.b = append(l.b, 0xF2, byte(v), byte(v>>8), byte(v>>16))
	case v >= -2147483648 && v <= 2147483647:
		l.b = append(l.b, 0xF3, byte(v), byte(v>>8), byte(v>>16), byte(v>>24))
	default:
		l.b = append(l.b, 0xF4)
		l.b = binary.LittleEndian.AppendUint64(l.b, uint64(v))
	}
	l.backlen(len(l.b) - start)
}

// backlen appends the entry's reverse-readable length.
func (l *lpBuilder) backlen(n int) {
	l.n++
	switch {
	case n <= 127:
		l.b = append(l.b, byte(n))
	case n < 16383:
		l.b = append(l.b, byte(n>>7), byte(n&127)|128)
	case n < 2097151:
		l.b = append(l.b, byte(n>>14), byte((n>>7)&127)|128, byte(n&127)|128)
	case n < 268435455:
		l.b = append(l.b, byte(n>>21), byte((n>>14)&127)|128, byte((n>>7)&127)|128, byte(n&127)|128)
	default:
		l.b = append(l.b, byte(n>>28), byte((n>>21)&127)|128, byte((n>>14)&127)|128, byte((n>>7)&127)|128, byte(n&127)|128)
	}
}

// size is the listpack's byte size once finished.
func (l *lpBuilder) size() int { return len(l.b) - l.start + 1 }

// finish writes the header and terminator and returns the listpack's
// bytes (aliasing b).
func (l *lpBuilder) finish() []byte {
	l.b = append(l.b, 0xFF)
	lp := l.b[l.start:]
	binary.LittleEndian.PutUint32(lp, uint32(len(lp)))
	n := l.n
	if n > 65535 {
		n = 65535
	}
	binary.LittleEndian.PutUint16(lp[4:], uint16(n))
	return lp
}

// lpEach walks a listpack, calling fn with each element (string elements
// alias b; integers are formatted). It validates every length.
func lpEach(b []byte, fn func(e []byte) error) error {
	if len(b) < 7 || int(binary.LittleEndian.Uint32(b)) != len(b) || b[len(b)-1] != 0xFF {
		return errEncoding
	}
	var num [24]byte
	p := 6
	for {
		if p >= len(b) {
			return errEncoding
		}
		c := b[p]
		if c == 0xFF {
			if p != len(b)-1 {
				return errEncoding
			}
			return nil
		}
		var hdr, dlen int
		var iv int64
		isInt := true
		need := func(n int) bool { return p+n <= len(b)-1 }
		switch {
		case c&0x80 == 0:
			hdr, iv = 1, int64(c)
		case c&0xC0 == 0x80:
			hdr, dlen, isInt = 1, int(c&0x3F), false
		case c&0xE0 == 0xC0:
			if !need(2) {
				return errEncoding
			}
			u := uint64(c&0x1F)<<8 | uint64(b[p+1])
			if u >= 1<<12 {
				iv = int64(u) - 1<<13
			} else {
				iv = int64(u)
			}
			hdr = 2
		case c&0xF0 == 0xE0:
			if !need(2) {
				return errEncoding
			}
			hdr, dlen, isInt = 2, int(c&0x0F)<<8|int(b[p+1]), false
		case c == 0xF0:
			if !need(5) {
				return errEncoding
			}
			hdr, dlen, isInt = 5, int(binary.LittleEndian.Uint32(b[p+1:])), false
		case c == 0xF1:
			if !need(3) {
				return errEncoding
			}
			hdr, iv = 3, int64(int16(binary.LittleEndian.Uint16(b[p+1:])))
		case c == 0xF2:
			if !need(4) {
				return errEncoding
			}
			u := uint32(b[p+1]) | uint32(b[p+2])<<8 | uint32(b[p+3])<<16
			hdr, iv = 4, int64(int32(u<<8)>>8)
		case c == 0xF3:
			if !need(5) {
				return errEncoding
			}
			hdr, iv = 5, int64(int32(binary.LittleEndian.Uint32(b[p+1:])))
		case c == 0xF4:
			if !need(9) {
				return errEncoding
			}
			hdr, iv = 9, int64(binary.LittleEndian.Uint64(b[p+1:]))
		default:
			return errEncoding
		}
		if dlen < 0 || !need(hdr+dlen) {
			return errEncoding
		}
		var e []byte
		if isInt {
			e = strconv.AppendInt(num[:0], iv, 10)
		} else {
			e = b[p+hdr : p+hdr+dlen]
		}
		if err := fn(e); err != nil {
			return err
		}
		entry := hdr + dlen
		bl := 1
		for x := entry; x > 127; x >>= 7 {
			bl++
		}
		p += entry + bl
	}
}

// zlEach walks a ziplist (pre-7.0 encoding), calling fn with each element.
func zlEach(b []byte, fn func(e []byte) error) error {
	if len(b) < 11 || int(binary.LittleEndian.Uint32(b)) != len(b) || b[len(b)-1] != 0xFF {
		return errEncoding
	}
	var num [24]byte
	p := 10
	end := len(b) - 1
	for p < end {
		if b[p] == 0xFE {
			p += 5
		} else {
			p++
		}
		if p >= end {
			return errEncoding
		}
		c := b[p]
		var hdr, dlen int
		var iv int64
		isInt := true
		need := func(n int) bool { return p+n <= end }
		switch c >> 6 {
		case 0:
			hdr, dlen, isInt = 1, int(c&0x3F), false
		case 1:
			if !need(2) {
				return errEncoding
			}
			hdr, dlen, isInt = 2, int(c&0x3F)<<8|int(b[p+1]), false
		case 2:
			if !need(5) {
				return errEncoding
			}
			hdr, dlen, isInt = 5, int(binary.BigEndian.Uint32(b[p+1:])), false
		default:
			switch {
			case c == 0xC0:
				if !need(3) {
					return errEncoding
				}
				hdr, iv = 3, int64(int16(binary.LittleEndian.Uint16(b[p+1:])))
			case c == 0xD0:
				if !need(5) {
					return errEncoding
				}
				hdr, iv = 5, int64(int32(binary.LittleEndian.Uint32(b[p+1:])))
			case c == 0xE0:
				if !need(9) {
					return errEncoding
				}
				hdr, iv = 9, int64(binary.LittleEndian.Uint64(b[p+1:]))
			case c == 0xF0:
				if !need(4) {
					return errEncoding
				}
				u := uint32(b[p+1]) | uint32(b[p+2])<<8 | uint32(b[p+3])<<16
				hdr, iv = 4, int64(int32(u<<8)>>8)
			case c == 0xFE:
				if !need(2) {
					return errEncoding
				}
				hdr, iv = 2, int64(int8(b[p+1]))
			case c >= 0xF1 && c <= 0xFD:
				hdr, iv = 1, int64(c&0x0F)-1
			default:
				return errEncoding
			}
		}
		if dlen < 0 || !need(hdr+dlen) {
			return errEncoding
		}
		var e []byte
		if isInt {
			e = strconv.AppendInt(num[:0], iv, 10)
		} else {
			e = b[p+hdr : p+hdr+dlen]
		}
		if err := fn(e); err != nil {
			return err
		}
		p += hdr + dlen
	}
	if p != end {
		return errEncoding
	}
	return nil
}

// intsetEach walks an intset, calling fn with each member.
func intsetEach(b []byte, fn func(v int64) error) error {
	if len(b) < 8 {
		return errEncoding
	}
	enc := int(binary.LittleEndian.Uint32(b))
	n := int(binary.LittleEndian.Uint32(b[4:]))
	if (enc != 2 && enc != 4 && enc != 8) || n < 0 || uint64(n)*uint64(enc) != uint64(len(b)-8) {
		return errEncoding
	}
	for i := 0; i < n; i++ {
		p := b[8+i*enc:]
		var v int64
		switch enc {
		case 2:
			v = int64(int16(binary.LittleEndian.Uint16(p)))
		case 4:
			v = int64(int32(binary.LittleEndian.Uint32(p)))
		default:
			v = int64(binary.LittleEndian.Uint64(p))
		}
		if err := fn(v); err != nil {
			return err
		}
	}
	return nil
}

// buildIntset encodes sorted distinct members as an intset.
func buildIntset(vals []int64) []byte { return appendIntset(nil, vals) }

// appendIntset appends the intset of sorted distinct members to b.
func appendIntset(b []byte, vals []int64) []byte {
	enc := 2
	for _, v := range vals {
		if v < -32768 || v > 32767 {
			enc = max(enc, 4)
		}
		if v < -2147483648 || v > 2147483647 {
			enc = 8
		}
	}
	b = binary.LittleEndian.AppendUint32(b, uint32(enc))
	b = binary.LittleEndian.AppendUint32(b, uint32(len(vals)))
	for _, v := range vals {
		switch enc {
		case 2:
			b = binary.LittleEndian.AppendUint16(b, uint16(v))
		case 4:
			b = binary.LittleEndian.AppendUint32(b, uint32(v))
		default:
			b = binary.LittleEndian.AppendUint64(b, uint64(v))
		}
	}
	return b
}

// zipmapEach walks a zipmap (RDB_TYPE_HASH_ZIPMAP), calling fn with each
// field and value.
func zipmapEach(b []byte, fn func(f, v []byte) error) error {
	if len(b) < 2 {
		return errEncoding
	}
	p := 1
	readLen := func() (int, bool) {
		if p >= len(b) {
			return 0, false
		}
		c := b[p]
		if c < 254 {
			p++
			return int(c), true
		}
		if c == 254 && p+5 <= len(b) {
			n := int(binary.LittleEndian.Uint32(b[p+1:]))
			p += 5
			return n, true
		}
		return 0, false
	}
	for {
		if p >= len(b) {
			return errEncoding
		}
		if b[p] == 0xFF {
			if p != len(b)-1 {
				return errEncoding
			}
			return nil
		}
		fl, ok := readLen()
		if !ok || fl < 0 || p+fl > len(b) {
			return errEncoding
		}
		f := b[p : p+fl]
		p += fl
		vl, ok := readLen()
		if !ok || vl < 0 || p >= len(b) {
			return errEncoding
		}
		free := int(b[p])
		p++
		if p+vl+free > len(b) {
			return errEncoding
		}
		v := b[p : p+vl]
		p += vl + free
		if err := fn(f, v); err != nil {
			return err
		}
	}
}
