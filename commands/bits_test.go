package commands

import (
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/require"
)

// naiveBit reads bit p of b (bit 0 is the MSB of byte 0).
func naiveBit(b []byte, p int64) bool { return b[p>>3]&(0x80>>uint(p&7)) != 0 }

func TestPopcountAndFindBitMatchNaive(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	cases := 0
	for n := 1; n <= 9; n++ {
		for iter := 0; iter < 50; iter++ {
			b := make([]byte, n)
			for i := range b {
				b[i] = byte(rng.IntN(256))
				if rng.IntN(4) == 0 {
					b[i] = 0xFF * byte(rng.IntN(2))
				}
			}
			lo := rng.Int64N(int64(n) * 8)
			hi := lo + rng.Int64N(int64(n)*8-lo)
			var count int64
			first1, first0 := int64(-1), int64(-1)
			for p := lo; p <= hi; p++ {
				if naiveBit(b, p) {
					count++
					if first1 < 0 {
						first1 = p
					}
				} else if first0 < 0 {
					first0 = p
				}
			}
			require.Equal(t, count, popcountBits(b, lo, hi), "%x %d..%d", b, lo, hi)
			require.Equal(t, first1, findBit(b, lo, hi, true), "%x %d..%d", b, lo, hi)
			require.Equal(t, first0, findBit(b, lo, hi, false), "%x %d..%d", b, lo, hi)
			cases++
		}
	}
	require.Equal(t, 450, cases)
}

func TestBitRange(t *testing.T) {
	tests := []struct {
		start, end int64
		n          int
		isBit      bool
		lo, hi     int64
		empty      bool
	}{
		{0, -1, 3, false, 0, 23, false},
		{1, 1, 3, false, 8, 15, false},
		{-2, -1, 3, false, 8, 23, false},
		{5, 30, 6, true, 5, 30, false},
		{0, 100, 2, true, 0, 15, false},
		{2, 1, 3, false, 0, 0, true},
		{-100, 0, 2, false, 0, 7, false},
		{0, -100, 2, false, 0, 7, false},
		{5, 3, 2, true, 0, 0, true},
	}
	for _, tc := range tests {
		lo, hi, empty := bitRange(tc.start, tc.end, tc.n, tc.isBit)
		require.Equal(t, tc.empty, empty, "%+v", tc)
		if !empty {
			require.Equal(t, [2]int64{tc.lo, tc.hi}, [2]int64{lo, hi}, "%+v", tc)
		}
	}
}
