//go:build !cgo

package commands

import (
	"bytes"
	"errors"
	"math"
	"strconv"
)

// Without cgo, SORT ALPHA compares bytes (the C locale's strcoll) and
// scores are read with strconv, which agrees with strtod on every decimal
// and hex float but not on "nan(...)" forms.

func setCollateLocale() {}

// cstr is a NUL-terminated copy of b.
type cstr []byte

func toCstr(b []byte) cstr {
	out := make([]byte, len(b)+1)
	copy(out, b)
	return out
}

// strcoll compares up to the first NUL, as the C locale's strcoll.
func strcoll(a, b cstr) int {
	return bytes.Compare(a[:bytes.IndexByte(a, 0)], b[:bytes.IndexByte(b, 0)])
}

// strtodScore reads a score as SORT's strtod check does.
func strtodScore(s cstr) (float64, bool) {
	b := s[:bytes.IndexByte(s, 0)]
	if len(b) == 0 {
		return 0, true // nothing converted, and nothing left over
	}
	b = bytes.TrimLeft(b, " \t\n\v\f\r")
	f, err := strconv.ParseFloat(string(b), 64)
	if err != nil && !errors.Is(err, strconv.ErrRange) || math.IsNaN(f) {
		return 0, false
	}
	return f, err == nil
}
