package commands

import (
	"math/big"
	"strings"
)

// INCRBYFLOAT and HINCRBYFLOAT work in Redis's long double, the x87 80-bit extended
// format on the platforms Redis is built for: a 64-bit mantissa and a
// 15-bit exponent. big.Float at precision 64 with round-to-nearest-even
// gives the same results for every finite value in that range.
const (
	ldPrec     = 64
	ldMaxExp   = 16384    // finite values are below 2^16384 (MantExp exponent)
	ldMinExp   = -16444   // the smallest denormal is 2^-16445
	ldMaxChars = 5 * 1024 // MAX_LONG_DOUBLE_CHARS
	ldExpGuard = 1_000_000_000
)

// newLongDouble returns a long double zero.
func newLongDouble() *big.Float { return new(big.Float).SetPrec(ldPrec) }

// parseLongDouble reads b as Redis's string2ld (strtold over the whole
// input, no leading blank, NaN and out-of-range values rejected); ±inf is
// accepted.
func parseLongDouble(b []byte) (*big.Float, bool) {
	if len(b) == 0 || len(b) >= ldMaxChars || strings.IndexByte(" \t\n\v\f\r", b[0]) >= 0 {
		return nil, false
	}
	body := b
	neg := false
	if body[0] == '+' || body[0] == '-' {
		neg = body[0] == '-'
		body = body[1:]
	}
	switch strings.ToLower(string(body)) {
	case "inf", "infinity":
		return newLongDouble().SetInf(neg), true
	}
	hex := len(body) > 1 && body[0] == '0' && (body[1]|0x20) == 'x'
	zero, exp, ok := longDoubleSyntax(body, hex)
	if !ok {
		return nil, false
	}
	if zero {
		f := newLongDouble()
		if neg {
			f.Neg(f)
		}
		return f, true
	}
	// With at most ldMaxChars digits, a decimal exponent beyond ±20000 (or
	// a binary one beyond ±100000) over- or underflows whatever the digits.
	if limit := int64(20000); hex && (exp > 5*limit || exp < -5*limit) || !hex && (exp > limit || exp < -limit) {
		return nil, false
	}
	f, _, err := newLongDouble().Parse(string(b), 0)
	if err != nil {
		return nil, false
	}
	if e := f.MantExp(nil); e > ldMaxExp || e < ldMinExp {
		return nil, false
	}
	return f, true
}

// longDoubleSyntax checks that b (without its sign) is a complete strtold number:
// decimal or 0x-hex digits with at most one '.', at least one digit, then
// an optional e/p exponent with at least one digit. It reports whether the
// mantissa is zero and the (saturated) exponent.
func longDoubleSyntax(b []byte, hex bool) (zero bool, exp int64, ok bool) {
	i := 0
	if hex {
		i = 2
	}
	digits, dot, zero := 0, false, true
	for ; i < len(b); i++ {
		ch := b[i]
		isDigit := ch >= '0' && ch <= '9' || hex && (ch|0x20) >= 'a' && (ch|0x20) <= 'f'
		switch {
		case isDigit:
			digits++
			if ch != '0' {
				zero = false
			}
			continue
		case ch == '.' && !dot:
			dot = true
			continue
		}
		break
	}
	if digits == 0 {
		return false, 0, false
	}
	if i == len(b) {
		return zero, 0, true
	}
	if hex && (b[i]|0x20) != 'p' || !hex && (b[i]|0x20) != 'e' {
		return false, 0, false
	}
	i++
	eneg := false
	if i < len(b) && (b[i] == '+' || b[i] == '-') {
		eneg = b[i] == '-'
		i++
	}
	if i == len(b) {
		return false, 0, false
	}
	for ; i < len(b); i++ {
		if b[i] < '0' || b[i] > '9' {
			return false, 0, false
		}
		if exp < ldExpGuard {
			exp = exp*10 + int64(b[i]-'0')
		}
	}
	if eneg {
		exp = -exp
	}
	return zero, exp, true
}

// addLongDouble returns x+y rounded to a long double; false when the sum
// overflows to infinity.
func addLongDouble(x, y *big.Float) (*big.Float, bool) {
	z := newLongDouble().Add(x, y)
	if z.IsInf() || z.Sign() != 0 && z.MantExp(nil) > ldMaxExp {
		return nil, false
	}
	return z, true
}

// formatLongDouble is Redis's ld2string in LD_STR_HUMAN mode:
// "%.17Lf", trailing zeros (and a trailing point) removed, "-0" as "0".
// Like Redis it yields an empty string when the text does not fit in
// MAX_LONG_DOUBLE_CHARS.
func formatLongDouble(x *big.Float) []byte {
	out := x.Append(nil, 'f', 17)
	if len(out)+1 > ldMaxChars {
		return []byte{}
	}
	if strings.IndexByte(string(out), '.') >= 0 {
		for out[len(out)-1] == '0' {
			out = out[:len(out)-1]
		}
		if out[len(out)-1] == '.' {
			out = out[:len(out)-1]
		}
	}
	if string(out) == "-0" {
		out = out[:0]
		out = append(out, '0')
	}
	return out
}
