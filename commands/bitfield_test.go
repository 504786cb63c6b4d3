package commands

import (
	"math"
	"math/big"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/require"
)

// modelOverflow is the arithmetic BITFIELD promises, on big integers:
// the exact sum, whether it leaves the field's range (+1 above, -1 below)
// and what WRAP (modulo 2^bits, into the range) and SAT (clamped) store.
func modelOverflow(value, incr *big.Int, bits uint, signed bool) (of int, wrap, sat *big.Int) {
	lo, hi := new(big.Int), new(big.Int).Lsh(big.NewInt(1), bits)
	if signed {
		lo.Neg(new(big.Int).Lsh(big.NewInt(1), bits-1))
		hi.Lsh(big.NewInt(1), bits-1)
	}
	hi.Sub(hi, big.NewInt(1))
	sum := new(big.Int).Add(value, incr)
	mod := new(big.Int).Lsh(big.NewInt(1), bits)
	wrap = new(big.Int).Mod(new(big.Int).Sub(sum, lo), mod)
	wrap.Add(wrap, lo)
	switch {
	case sum.Cmp(hi) > 0:
		return 1, wrap, hi
	case sum.Cmp(lo) < 0:
		return -1, wrap, lo
	}
	return 0, sum, sum
}

// redisSignedQuirk reports a SET value for which Redis's
// checkSignedBitfieldOverflow wraps max-value (a narrow field, a value
// below max-MaxInt64).
func redisSignedQuirk(v int64, bits uint) bool {
	if bits == 64 {
		return false
	}
	d := new(big.Int).Sub(big.NewInt(int64(1)<<(bits-1)-1), big.NewInt(v))
	return d.Cmp(big.NewInt(math.MaxInt64)) > 0
}

// edgeValues are int64s around the limits of a bits-wide field.
func edgeValues(rng *rand.Rand, bits uint) []int64 {
	out := []int64{0, 1, -1, 2, -2, math.MaxInt64, math.MinInt64, math.MaxInt64 - 1, math.MinInt64 + 1}
	for _, b := range []uint{bits - 1, bits} {
		if b >= 63 {
			continue
		}
		p := int64(1) << b
		out = append(out, p, p-1, p+1, -p, -p-1, -p+1)
	}
	for range 5 {
		out = append(out, int64(rng.Uint64()), rng.Int64N(1<<min(bits, 62)+1))
	}
	return out
}

// TestBitfieldOverflowModel checks signedOverflow and unsignedOverflow
// (Redis's overflow checks) against exact arithmetic at every width, for
// INCRBY (a value in range plus any increment) and SET (any value, as an
// int64 for signed fields and as its uint64 bits for unsigned ones).
func TestBitfieldOverflowModel(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	checked := 0
	for bits := uint(1); bits <= 64; bits++ {
		edges := edgeValues(rng, bits)
		for _, signed := range []bool{true, false} {
			if !signed && bits == 64 {
				continue
			}
			for _, v := range edges {
				for _, inc := range append([]int64{0}, edges...) {
					if signed {
						fv := v // SET: any value
						if inc != 0 && bits < 64 {
							fv = v << (64 - bits) >> (64 - bits) // INCRBY: the field's value
						}
						for _, ow := range []int{overflowWrap, overflowSat} {
							of, lim := signedOverflow(fv, inc, bits, ow)
							mof, wrap, sat := modelOverflow(big.NewInt(fv), big.NewInt(inc), bits, true)
							if redisSignedQuirk(fv, bits) {
								// Redis computes max-value in 64 bits; when that
								// wraps, a value far below the range counts as
								// above it, and SAT stores the maximum.
								mof = 1
								sat = big.NewInt(int64(1)<<(bits-1) - 1)
							}
							want := sat
							if ow == overflowWrap {
								want = wrap
							}
							if of != mof || of != 0 && want.Int64() != lim {
								t.Fatalf("i%d %d%+d ow %d: got %d %d, want %d %s", bits, fv, inc, ow, of, lim, mof, want)
							}
							checked++
						}
						continue
					}
					uv := uint64(v) & (1<<bits - 1) // INCRBY: the field's value
					if inc == 0 {
						uv = uint64(v) // SET: any value
					}
					for _, ow := range []int{overflowWrap, overflowSat} {
						of, lim := unsignedOverflow(uv, inc, bits, ow)
						mof, wrap, sat := modelOverflow(new(big.Int).SetUint64(uv), big.NewInt(inc), bits, false)
						want := sat
						if ow == overflowWrap {
							want = wrap
						}
						if of != mof || of != 0 && want.Uint64() != lim {
							t.Fatalf("u%d %d%+d ow %d: got %d %d, want %d %s", bits, uv, inc, ow, of, lim, mof, want)
						}
						checked++
					}
				}
			}
		}
	}
	require.Greater(t, checked, 200000)
}

// TestBitfieldGetSetRoundTrip writes random fields at random offsets and
// reads them back, checking that the bits around them did not change.
func TestBitfieldGetSetRoundTrip(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	for range 5000 {
		buf := make([]byte, 12)
		for i := range buf {
			buf[i] = byte(rng.Uint32())
		}
		before := append([]byte(nil), buf...)
		bits := uint(1 + rng.IntN(64))
		off := uint64(rng.IntN(96 - int(bits) + 1))
		v := rng.Uint64()
		setBits(buf, off, bits, v)
		mask := uint64(math.MaxUint64)
		if bits < 64 {
			mask = 1<<bits - 1
		}
		require.Equal(t, v&mask, getUnsignedBits(buf, off, bits))
		sv := getSignedBits(buf, off, bits)
		require.Equal(t, v&mask, uint64(sv)&mask)
		if bits < 64 {
			neg := v&(1<<(bits-1)) != 0
			require.Equal(t, neg, sv < 0, "sign of i%d", bits)
		}
		for p := uint64(0); p < 96; p++ {
			if p >= off && p < off+uint64(bits) {
				continue
			}
			if naiveBit(before, int64(p)) != naiveBit(buf, int64(p)) {
				t.Fatalf("i%d at %d changed bit %d outside the field", bits, off, p)
			}
		}
	}
}
