package keyspace

import (
	"strconv"
	"unsafe"
)

// String is a string value. It tracks what OBJECT ENCODING reports: "int"
// for a canonical int64 (as ParseInt accepts), "embstr" up to 44 bytes,
// "raw" above that or once it has been grown in place (Append, SetRange).
//
// The header is 16 bytes and short contents live in the same allocation
// (see newStringCap), so a small string value costs one 32- or 48-byte
// object instead of a header plus a separate byte slice. Contents are
// limited to maxStringLen bytes.
type String struct {
	p *byte  // contents; may point into the enclosing allocation
	n uint32 // length
	c uint32 // capacity, with the raw flag in the top bit
}

// Redis's OBJ_ENCODING_EMBSTR_SIZE_LIMIT.
const embstrLimit = 44

const (
	rawFlag = 1 << 31
	// maxStringLen bounds a string's length (Redis's default limit,
	// proto-max-bulk-len, is 512MB).
	maxStringLen = rawFlag - 1
)

// Allocation shapes of a String with its contents inline.
type (
	strInline8 struct {
		s   String
		buf [8]byte
	}
	strInline16 struct {
		s   String
		buf [16]byte
	}
	strInline32 struct {
		s   String
		buf [32]byte
	}
	strInline48 struct {
		s   String
		buf [48]byte
	}
)

// newStringCap returns an empty string with room for at least n bytes,
// inline when n is small.
func newStringCap(n int) *String {
	switch {
	case n <= 8:
		x := new(strInline8)
		x.s.p, x.s.c = &x.buf[0], uint32(len(x.buf))
		return &x.s
	case n <= 16:
		x := new(strInline16)
		x.s.p, x.s.c = &x.buf[0], uint32(len(x.buf))
		return &x.s
	case n <= 32:
		x := new(strInline32)
		x.s.p, x.s.c = &x.buf[0], uint32(len(x.buf))
		return &x.s
	case n <= 48:
		x := new(strInline48)
		x.s.p, x.s.c = &x.buf[0], uint32(len(x.buf))
		return &x.s
	}
	s := new(String)
	s.adopt(make([]byte, 0, n))
	return s
}

// NewString returns a string value holding a copy of b.
func NewString(b []byte) *String {
	s := newStringCap(len(b))
	s.Set(b)
	return s
}

// NewStringOwned returns a string value that takes ownership of b (the
// caller must not touch b afterwards).
func NewStringOwned(b []byte) *String {
	if cap(b) <= 48 {
		return NewString(b)
	}
	s := new(String)
	s.adopt(b)
	return s
}

// NewStringInt returns the string value of n ("int" encoding).
func NewStringInt(n int64) *String {
	s := newStringCap(20)
	s.SetInt(n)
	return s
}

// adopt makes b the contents (raw flag cleared).
func (s *String) adopt(b []byte) {
	if cap(b) > maxStringLen {
		panic("keyspace: string value larger than 2GB")
	}
	s.p = unsafe.SliceData(b)
	s.n = uint32(len(b))
	s.c = uint32(cap(b))
}

func (s *String) setRaw(raw bool) {
	if raw {
		s.c |= rawFlag
	} else {
		s.c &^= rawFlag
	}
}

// Kind returns KindString.
func (s *String) Kind() Kind { return KindString }

// Encoding returns "int", "embstr" or "raw".
func (s *String) Encoding() string {
	if s.c&rawFlag == 0 {
		b := s.Bytes()
		if len(b) <= 20 {
			if _, ok := ParseInt(b); ok {
				return "int"
			}
		}
		if len(b) <= embstrLimit {
			return "embstr"
		}
	}
	return "raw"
}

// MemUsage estimates the object header, sds header and payload.
func (s *String) MemUsage() int { return 16 + 3 + cap(s.Bytes()) + 1 }

// Clone returns a deep copy.
func (s *String) Clone() Value {
	c := NewString(s.Bytes())
	c.setRaw(s.c&rawFlag != 0)
	return c
}

// Bytes returns the content (read-only; valid until the next mutation).
// Its capacity is the storage's.
func (s *String) Bytes() []byte {
	return unsafe.Slice(s.p, s.c&^rawFlag)[:s.n]
}

// Len returns the length in bytes (STRLEN).
func (s *String) Len() int { return int(s.n) }

// Int returns the value as an integer when it is one (INCR's check).
func (s *String) Int() (int64, bool) { return ParseInt(s.Bytes()) }

// SetInt replaces the content with n (INCR/DECR); the encoding becomes "int".
func (s *String) SetInt(n int64) {
	s.adopt(strconv.AppendInt(s.Bytes()[:0], n, 10))
}

// Set replaces the content with a copy of b, resetting the encoding.
func (s *String) Set(b []byte) {
	s.adopt(append(s.Bytes()[:0], b...))
}

// MarkRaw makes the encoding "raw" without touching the content, as
// Redis's dbUnshareStringValue leaves a value it is about to edit in place
// (the HyperLogLog commands).
func (s *String) MarkRaw() { s.setRaw(true) }

// SetRawOwned replaces the content with b, taking ownership of it (the
// caller must not keep b), and makes the encoding "raw".
func (s *String) SetRawOwned(b []byte) {
	s.adopt(b)
	s.setRaw(true)
}

// Append appends a copy of b (APPEND) and returns the new length. The
// encoding becomes "raw".
func (s *String) Append(b []byte) int {
	s.adopt(append(s.Bytes(), b...))
	s.setRaw(true)
	return int(s.n)
}

// SetRange overwrites at offset with b, zero-padding as needed (SETRANGE),
// and returns the new length. An empty b changes nothing. The encoding
// becomes "raw" when anything is written.
func (s *String) SetRange(offset int, b []byte) int {
	if len(b) == 0 {
		return int(s.n)
	}
	cur := s.Bytes()
	if end := offset + len(b); end > len(cur) {
		if end <= cap(cur) {
			clear(cur[len(cur):end])
			cur = cur[:end]
		} else {
			nb := make([]byte, end, end+end/4)
			copy(nb, cur)
			cur = nb
		}
	}
	copy(cur[offset:], b)
	s.adopt(cur)
	s.setRaw(true)
	return int(s.n)
}

// GetRange returns the bytes from start to end inclusive with Redis's
// negative-index rules (GETRANGE); the result aliases the value.
func (s *String) GetRange(start, end int64) []byte {
	n := int64(s.n)
	if start < 0 && end < 0 && start > end {
		return nil
	}
	if start < 0 {
		start = max(n+start, 0)
	}
	if end < 0 {
		end = max(n+end, 0)
	}
	if end >= n {
		end = n - 1
	}
	if n == 0 || start > end {
		return nil
	}
	return s.Bytes()[start : end+1]
}
