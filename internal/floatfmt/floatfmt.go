// Package floatfmt formats doubles the way Redis prints them. It sits below
// both resp (replies) and keyspace/rdb (DEBUG DIGEST hashes score text) so
// that the data model needs no wire-protocol package.
package floatfmt

import (
	"math"
	"strconv"
)

// FormatDouble formats f as Redis 7.2+ does in replies (d2string): "nan",
// "inf", "-inf", "0" and "-0" are spelled out; integral values within
// ±(2^63-1)/2 print as integers; anything else prints its shortest
// round-trip digits laid out like fpconv_dtoa: plain digits (padded with
// zeros) while the decimal exponent stays below digits+7, plain decimals for
// fractions with fewer than 7 digits after the point or exponents below 4,
// and "d.ddde±X" otherwise. fpconv uses Grisu2, which very rarely produces a
// longer (still round-tripping) digit string than the shortest one used
// here.
func FormatDouble(f float64) string {
	var tmp [40]byte
	return string(AppendDouble(tmp[:0], f))
}

// maxSafeLL is (double)(LLONG_MAX/2), the bound of Redis's double2ll.
const maxSafeLL = float64(math.MaxInt64 / 2)

// AppendDouble appends FormatDouble(f) to dst without allocating.
func AppendDouble(dst []byte, f float64) []byte {
	switch {
	case math.IsNaN(f):
		return append(dst, "nan"...)
	case math.IsInf(f, 1):
		return append(dst, "inf"...)
	case math.IsInf(f, -1):
		return append(dst, "-inf"...)
	case f == 0:
		if math.Signbit(f) {
			return append(dst, "-0"...)
		}
		return append(dst, '0')
	case f >= -maxSafeLL && f <= maxSafeLL && f == math.Trunc(f):
		return strconv.AppendInt(dst, int64(f), 10)
	}
	var dbuf [24]byte
	digits, k := shortestDigits(dbuf[:0], f)
	if f < 0 {
		dst = append(dst, '-')
	}
	return emitDigits(dst, digits, k)
}

// shortestDigits returns the shortest round-trip decimal digits of |f| and
// the decimal exponent k of the last digit (|f| = digits * 10^k).
func shortestDigits(buf []byte, f float64) ([]byte, int) {
	var ebuf [32]byte
	e := strconv.AppendFloat(ebuf[:0], math.Abs(f), 'e', -1, 64)
	i := 0
	for ; e[i] != 'e'; i++ {
		if e[i] != '.' {
			buf = append(buf, e[i])
		}
	}
	exp, neg := 0, e[i+1] == '-'
	for _, c := range e[i+2:] {
		exp = exp*10 + int(c-'0')
	}
	if neg {
		exp = -exp
	}
	return buf, exp - (len(buf) - 1)
}

// emitDigits lays out digits*10^k with fpconv_dtoa's rules.
func emitDigits(dst, digits []byte, k int) []byte {
	nd := len(digits)
	exp := k + nd - 1
	aexp := exp
	if aexp < 0 {
		aexp = -aexp
	}
	if (k >= 0 && aexp < nd+7) || (k < 0 && (k > -7 || aexp < 4)) {
		return emitPositional(dst, digits, k)
	}
	dst = append(dst, digits[0])
	if nd > 1 {
		dst = append(dst, '.')
		dst = append(dst, digits[1:]...)
	}
	dst = append(dst, 'e')
	if exp < 0 {
		dst = append(dst, '-')
	} else {
		dst = append(dst, '+')
	}
	return strconv.AppendInt(dst, int64(aexp), 10)
}

// FormatLongDouble formats f as Redis's ld2string does for INCRBYFLOAT and
// HINCRBYFLOAT, approximated with float64 (Redis computes in 80-bit long
// double).
//
// humanfriendly (LD_STR_HUMAN, Redis "%.17Lf" with trailing zeros trimmed):
// the value is written without exponent using its shortest round-trip
// digits, rounded to 17 fractional digits when it has more, trailing zeros
// and a bare point removed, "-0" written as "0". Redis prints the long double
// to 17 fractional digits; where float64 rounding noise would show in those
// digits (0.1+0.2) Redis's wider type usually hides it and this function
// shows the float64's shortest form instead, and integers above 2^53 print
// the float64's digits.
//
// Otherwise (LD_STR_AUTO, "%.17Lg"): shortest digits in %g layout, exponent
// form "d.ddde±XX" when the decimal exponent is below -4 or at least 17.
//
// inf, -inf and nan are spelled as Redis does.
func FormatLongDouble(f float64, humanfriendly bool) string {
	var tmp [64]byte
	return string(AppendLongDouble(tmp[:0], f, humanfriendly))
}

// AppendLongDouble appends FormatLongDouble(f, humanfriendly) to dst.
func AppendLongDouble(dst []byte, f float64, humanfriendly bool) []byte {
	switch {
	case math.IsNaN(f):
		return append(dst, "nan"...)
	case math.IsInf(f, 1):
		return append(dst, "inf"...)
	case math.IsInf(f, -1):
		return append(dst, "-inf"...)
	}
	if humanfriendly {
		return appendHuman(dst, f)
	}
	return appendAuto(dst, f)
}

// appendHuman writes f positionally with at most 17 fractional digits.
func appendHuman(dst []byte, f float64) []byte {
	start := len(dst)
	dst = strconv.AppendFloat(dst, f, 'f', -1, 64)
	for i := start; i < len(dst); i++ {
		if dst[i] == '.' && len(dst)-i-1 > 17 {
			dst = strconv.AppendFloat(dst[:start], f, 'f', 17, 64)
			break
		}
	}
	dst = trimFraction(dst, start)
	if string(dst[start:]) == "-0" {
		dst = append(dst[:start], '0')
	}
	return dst
}

// trimFraction removes trailing zeros after a decimal point in dst[start:],
// then the point itself if nothing follows it.
func trimFraction(dst []byte, start int) []byte {
	point := false
	for _, c := range dst[start:] {
		if c == '.' {
			point = true
		}
	}
	if !point {
		return dst
	}
	for dst[len(dst)-1] == '0' {
		dst = dst[:len(dst)-1]
	}
	if dst[len(dst)-1] == '.' {
		dst = dst[:len(dst)-1]
	}
	return dst
}

// appendAuto writes f in C's %.17g layout using its shortest digits.
func appendAuto(dst []byte, f float64) []byte {
	if f == 0 {
		if math.Signbit(f) {
			return append(dst, "-0"...)
		}
		return append(dst, '0')
	}
	var dbuf [24]byte
	digits, k := shortestDigits(dbuf[:0], f)
	if f < 0 {
		dst = append(dst, '-')
	}
	exp := k + len(digits) - 1
	if exp < -4 || exp >= 17 {
		dst = append(dst, digits[0])
		if len(digits) > 1 {
			dst = append(dst, '.')
			dst = append(dst, digits[1:]...)
		}
		dst = append(dst, 'e')
		if exp < 0 {
			dst = append(dst, '-')
			exp = -exp
		} else {
			dst = append(dst, '+')
		}
		if exp < 10 {
			dst = append(dst, '0')
		}
		return strconv.AppendInt(dst, int64(exp), 10)
	}
	return emitPositional(dst, digits, k)
}

// emitPositional writes digits*10^k without exponent.
func emitPositional(dst, digits []byte, k int) []byte {
	if k >= 0 {
		dst = append(dst, digits...)
		for i := 0; i < k; i++ {
			dst = append(dst, '0')
		}
		return dst
	}
	point := len(digits) + k
	if point <= 0 {
		dst = append(dst, '0', '.')
		for i := 0; i < -point; i++ {
			dst = append(dst, '0')
		}
		return append(dst, digits...)
	}
	dst = append(dst, digits[:point]...)
	dst = append(dst, '.')
	return append(dst, digits[point:]...)
}
