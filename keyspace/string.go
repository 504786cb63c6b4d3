package keyspace

import "strconv"

// String is a string value. It tracks what OBJECT ENCODING reports: "int"
// for a canonical int64 (as ParseInt accepts), "embstr" up to 44 bytes,
// "raw" above that or once it has been grown in place (Append, SetRange).
type String struct {
	b   []byte
	raw bool
}

// Redis's OBJ_ENCODING_EMBSTR_SIZE_LIMIT.
const embstrLimit = 44

// NewString returns a string value holding a copy of b.
func NewString(b []byte) *String {
	return &String{b: append(make([]byte, 0, len(b)), b...)}
}

// NewStringOwned returns a string value that takes ownership of b (the
// caller must not touch b afterwards).
func NewStringOwned(b []byte) *String { return &String{b: b} }

// NewStringInt returns the string value of n ("int" encoding).
func NewStringInt(n int64) *String { return &String{b: strconv.AppendInt(nil, n, 10)} }

// Kind returns KindString.
func (s *String) Kind() Kind { return KindString }

// Encoding returns "int", "embstr" or "raw".
func (s *String) Encoding() string {
	if !s.raw {
		if len(s.b) <= 20 {
			if _, ok := ParseInt(s.b); ok {
				return "int"
			}
		}
		if len(s.b) <= embstrLimit {
			return "embstr"
		}
	}
	return "raw"
}

// MemUsage estimates the object header, sds header and payload.
func (s *String) MemUsage() int { return 16 + 3 + cap(s.b) + 1 }

// Clone returns a deep copy.
func (s *String) Clone() Value { return &String{b: append([]byte(nil), s.b...), raw: s.raw} }

// Bytes returns the content (read-only; valid until the next mutation).
func (s *String) Bytes() []byte { return s.b }

// Len returns the length in bytes (STRLEN).
func (s *String) Len() int { return len(s.b) }

// Int returns the value as an integer when it is one (INCR's check).
func (s *String) Int() (int64, bool) { return ParseInt(s.b) }

// SetInt replaces the content with n (INCR/DECR); the encoding becomes "int".
func (s *String) SetInt(n int64) {
	s.b = strconv.AppendInt(s.b[:0], n, 10)
	s.raw = false
}

// Set replaces the content with a copy of b, resetting the encoding.
func (s *String) Set(b []byte) {
	s.b = append(s.b[:0], b...)
	s.raw = false
}

// Append appends a copy of b (APPEND) and returns the new length. The
// encoding becomes "raw".
func (s *String) Append(b []byte) int {
	s.b = append(s.b, b...)
	s.raw = true
	return len(s.b)
}

// SetRange overwrites at offset with b, zero-padding as needed (SETRANGE),
// and returns the new length. An empty b changes nothing. The encoding
// becomes "raw" when anything is written.
func (s *String) SetRange(offset int, b []byte) int {
	if len(b) == 0 {
		return len(s.b)
	}
	if end := offset + len(b); end > len(s.b) {
		if end <= cap(s.b) {
			clear(s.b[len(s.b):end])
			s.b = s.b[:end]
		} else {
			nb := make([]byte, end, end+end/4)
			copy(nb, s.b)
			s.b = nb
		}
	}
	copy(s.b[offset:], b)
	s.raw = true
	return len(s.b)
}

// GetRange returns the bytes from start to end inclusive with Redis's
// negative-index rules (GETRANGE); the result aliases the value.
func (s *String) GetRange(start, end int64) []byte {
	n := int64(len(s.b))
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
	return s.b[start : end+1]
}
