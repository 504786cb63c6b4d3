package keyspace

import (
	"math"
	"strconv"
)

// ParseInt parses b as Redis's string2ll does: an optional '-', then digits
// with no leading zero (except "0" itself), nothing else; "-0", "+1", " 1",
// empty input and values outside int64 are rejected.
func ParseInt(b []byte) (int64, bool) {
	n := len(b)
	if n == 0 || n >= 21 {
		return 0, false
	}
	if n == 1 && b[0] == '0' {
		return 0, true
	}
	i, neg := 0, false
	if b[0] == '-' {
		neg = true
		i++
		if i == n {
			return 0, false
		}
	}
	if b[i] < '1' || b[i] > '9' {
		return 0, false
	}
	var v uint64
	for ; i < n; i++ {
		c := b[i]
		if c < '0' || c > '9' {
			return 0, false
		}
		if v > math.MaxUint64/10 {
			return 0, false
		}
		v *= 10
		d := uint64(c - '0')
		if v > math.MaxUint64-d {
			return 0, false
		}
		v += d
	}
	if neg {
		if v > 1<<63 {
			return 0, false
		}
		return int64(-v), true
	}
	if v > math.MaxInt64 {
		return 0, false
	}
	return int64(v), true
}

// ParseUint parses a canonical unsigned decimal (digits only, no sign, no
// leading zero) up to math.MaxUint64, as stream IDs are parsed.
func ParseUint(b []byte) (uint64, bool) {
	if len(b) == 0 || len(b) > 20 || (b[0] == '0' && len(b) > 1) {
		return 0, false
	}
	var v uint64
	for _, c := range b {
		if c < '0' || c > '9' {
			return 0, false
		}
		d := uint64(c - '0')
		if v > math.MaxUint64/10 || v*10 > math.MaxUint64-d {
			return 0, false
		}
		v = v*10 + d
	}
	return v, true
}

// ParseFloat parses b as Redis's string2d does for scores and float
// arguments: the whole input must be a number as strtod reads it ("inf",
// "+inf", "-inf", "infinity", decimal and exponent forms, hex floats), with no
// leading white space, not NaN, and not overflowing (±HUGE_VAL) or
// underflowing to zero.
func ParseFloat(b []byte) (float64, bool) {
	if len(b) == 0 || isSpace(b[0]) {
		return 0, false
	}
	for _, c := range b {
		// Go accepts '_' digit separators, strtod does not.
		if c == '_' || isSpace(c) {
			return 0, false
		}
	}
	s := bstr(b)
	f, err := strconv.ParseFloat(s, 64)
	if err != nil {
		if ne, ok := err.(*strconv.NumError); ok && ne.Err == strconv.ErrRange && !math.IsInf(f, 0) && f != 0 {
			return f, true // denormal result: strtod accepts it
		}
		if !isHexNoExp(b) {
			return 0, false
		}
		// strtod accepts hex floats without a binary exponent.
		if f, err = strconv.ParseFloat(s+"p0", 64); err != nil {
			return 0, false
		}
	}
	if math.IsNaN(f) || math.IsInf(f, 0) && !looksInfinite(b) {
		return 0, false
	}
	if f == 0 && hasNonZeroMantissa(b) {
		return 0, false // underflow to zero: strtod sets ERANGE
	}
	return f, true
}

func isSpace(c byte) bool {
	return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r'
}

// looksInfinite reports whether b spells infinity (not an overflow).
func looksInfinite(b []byte) bool {
	if len(b) > 0 && (b[0] == '+' || b[0] == '-') {
		b = b[1:]
	}
	return len(b) >= 3 && (b[0]|0x20) == 'i'
}

func isHexNoExp(b []byte) bool {
	if len(b) > 0 && (b[0] == '+' || b[0] == '-') {
		b = b[1:]
	}
	if len(b) < 3 || b[0] != '0' || (b[1]|0x20) != 'x' {
		return false
	}
	for _, c := range b[2:] {
		if c == 'p' || c == 'P' {
			return false
		}
	}
	return true
}

// hasNonZeroMantissa reports whether a decimal or hex mantissa has a
// non-zero digit.
func hasNonZeroMantissa(b []byte) bool {
	hex := false
	if len(b) > 0 && (b[0] == '+' || b[0] == '-') {
		b = b[1:]
	}
	if len(b) > 1 && b[0] == '0' && (b[1]|0x20) == 'x' {
		hex = true
		b = b[2:]
	}
	for _, c := range b {
		if !hex && (c == 'e' || c == 'E') || hex && (c == 'p' || c == 'P') {
			return false
		}
		if c >= '1' && c <= '9' || hex && (c|0x20) >= 'a' && (c|0x20) <= 'f' {
			return true
		}
	}
	return false
}
