package main

import (
	"bytes"
	"math"
	"strconv"
	"testing"

	"github.com/modhost/modhost/internal/hosttest"
	"github.com/stretchr/testify/require"
)

// bitfieldEdges returns the values around the limits of a field of bits
// bits (signed or not) that fit an int64, plus int64's own limits.
func bitfieldEdges(bits int, signed bool) []int64 {
	var lo, hi int64
	switch {
	case signed && bits == 64:
		lo, hi = math.MinInt64, math.MaxInt64
	case signed:
		lo, hi = -(int64(1) << (bits - 1)), int64(1)<<(bits-1)-1
	default:
		lo, hi = 0, int64(1)<<bits-1
	}
	out := []int64{0, 1, -1, 3, -3, lo, hi, math.MinInt64, math.MaxInt64, 12345, -12345}
	if lo > math.MinInt64 {
		out = append(out, lo-1, lo+1)
	}
	if hi < math.MaxInt64 {
		out = append(out, hi+1, hi-1, 2*hi+1)
	}
	if bits < 63 {
		out = append(out, int64(1)<<bits, -(int64(1) << bits))
	}
	return out
}

// TestBitfieldOverflowMatchesRedis runs, for every type i1..i64 and
// u1..u63, every overflow mode,
// SET to each edge value followed by INCRBY of each edge increment and a
// GET, in one BITFIELD call per type and mode (at a byte-aligned offset
// for even widths, an unaligned one for odd), on redis-server and
// modhost, and compares the replies byte for byte.
func TestBitfieldOverflowMatchesRedis(t *testing.T) {
	ref := hosttest.StartRedis(t, hosttest.DiffArgs...)
	cand := hosttest.StartServer(t, hosttest.ModhostBin(t), hosttest.DiffArgs...)
	rc, mc := ref.Conn(t), cand.Conn(t)
	calls := 0
	for _, signed := range []bool{true, false} {
		for bits := 1; bits <= 64; bits++ {
			if !signed && bits == 64 {
				continue
			}
			typ := "u" + strconv.Itoa(bits)
			if signed {
				typ = "i" + strconv.Itoa(bits)
			}
			edges := bitfieldEdges(bits, signed)
			for _, ow := range []string{"WRAP", "SAT", "FAIL"} {
				for _, off := range []string{[]string{"8", "13"}[bits%2]} {
					args := []string{"BITFIELD", "bf", "OVERFLOW", ow}
					for _, v := range edges {
						for _, inc := range edges {
							args = append(args, "SET", typ, off, strconv.FormatInt(v, 10),
								"INCRBY", typ, off, strconv.FormatInt(inc, 10), "GET", typ, off)
						}
					}
					want, got := rc.Do(args...), mc.Do(args...)
					calls++
					if !bytes.Equal(want, got) {
						t.Fatalf("BITFIELD %s OVERFLOW %s at %s:\nredis   %.600q\nmodhost %.600q", typ, ow, off, want, got)
					}
					require.Equal(t, rc.Do("GET", "bf"), mc.Do("GET", "bf"), "%s %s value", typ, ow)
				}
			}
		}
	}
	require.Equal(t, 127*3, calls)
	// The replies hold nils for FAIL, so the comparison is not vacuous.
	require.Contains(t, string(mc.Do("BITFIELD", "bf", "OVERFLOW", "FAIL", "SET", "u8", "0", "256")), "$-1")
}
