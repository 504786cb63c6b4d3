package hosttest

import (
	"bytes"
	"math"
	"slices"
	"strconv"
)

// Equivalent reports whether two replies match for differential testing:
// identical bytes, or the same shape where bulk strings and RESP3 doubles
// that both read as numbers are equal by value (Redis 7.0 prints 17
// significant digits, 7.2+ the shortest round-trip form). Errors must match
// exactly. With unordered, the elements of the top-level aggregate are
// compared as a multiset (map entries as key/value pairs).
func Equivalent(a, b *Frame, unordered bool) bool {
	if bytes.Equal(a.Raw, b.Raw) {
		return true
	}
	if a.Type != b.Type || a.Null != b.Null {
		return false
	}
	if (a.Attr == nil) != (b.Attr == nil) || a.Attr != nil && !Equivalent(a.Attr, b.Attr, false) {
		return false
	}
	switch a.Type {
	case '$', ',':
		return sameNumber(a.Str, b.Str)
	case '*', '~', '>', '%', '|':
		return sameElems(a, b, unordered)
	}
	return false
}

func sameElems(a, b *Frame, unordered bool) bool {
	if len(a.Elems) != len(b.Elems) {
		return false
	}
	ga, gb := groups(a), groups(b)
	if unordered {
		sortGroups(ga)
		sortGroups(gb)
	}
	for i := range ga {
		for j := range ga[i] {
			if !Equivalent(ga[i][j], gb[i][j], false) {
				return false
			}
		}
	}
	return true
}

// groups splits an aggregate into its units: single elements, or key/value
// pairs for maps and attributes.
func groups(f *Frame) [][]*Frame {
	size := 1
	if f.Type == '%' || f.Type == '|' {
		size = 2
	}
	out := make([][]*Frame, 0, len(f.Elems)/size)
	for i := 0; i+size <= len(f.Elems); i += size {
		out = append(out, f.Elems[i:i+size])
	}
	return out
}

func sortGroups(gs [][]*Frame) {
	key := func(g []*Frame) []byte {
		var k []byte
		for _, e := range g {
			k = append(k, e.Raw...)
		}
		return k
	}
	slices.SortStableFunc(gs, func(x, y []*Frame) int { return bytes.Compare(key(x), key(y)) })
}

// sameNumber reports whether a and b both look like decimal floats and are
// equal by value (NaN matches NaN, and inf spelled either way matches).
func sameNumber(a, b []byte) bool {
	x, ok1 := parseNumber(a)
	y, ok2 := parseNumber(b)
	if !ok1 || !ok2 {
		return false
	}
	return x == y || math.IsNaN(x) && math.IsNaN(y)
}

func parseNumber(s []byte) (float64, bool) {
	if len(s) == 0 || len(s) > 64 {
		return 0, false
	}
	switch string(bytes.ToLower(s)) {
	case "inf", "+inf", "infinity", "+infinity":
		return math.Inf(1), true
	case "-inf", "-infinity":
		return math.Inf(-1), true
	case "nan", "-nan":
		return math.NaN(), true
	}
	for _, c := range s {
		if (c < '0' || c > '9') && c != '.' && c != 'e' && c != 'E' && c != '-' && c != '+' {
			return 0, false
		}
	}
	v, err := strconv.ParseFloat(string(s), 64)
	return v, err == nil
}
