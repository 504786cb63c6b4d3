package commands

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/require"
)

// hllRegs returns the 16384 registers of a well-formed HyperLogLog.
func hllRegs(t testing.TB, b []byte) []uint8 {
	dense, ok := hllSparseToDense(b)
	require.True(t, ok, "malformed sparse body % x", b)
	out := make([]uint8, hllRegisters)
	for i := range out {
		out[i] = hllGetReg(dense[hllHdrSize:], i)
	}
	return out
}

func TestHLLNewIsOneXZero(t *testing.T) {
	b := newHLL()
	require.Equal(t, "HYLL\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x7f\xff", string(b))
	require.Equal(t, "Z:16384", hllDecode(b))
	var h [64]int
	require.True(t, hllHisto(b, &h))
	require.Equal(t, hllRegisters, h[0])
	require.Equal(t, uint64(0), hllEstimate(&h))
}

// TestHLLSparseTracksDense adds the same elements to a sparse and a dense
// HyperLogLog: the registers must agree after every add, the sparse form
// must stay sparse until it would pass hll-sparse-max-bytes, and both
// must estimate the same count.
func TestHLLSparseTracksDense(t *testing.T) {
	for _, maxBytes := range []int64{40, 300, 3000} {
		t.Run(fmt.Sprint(maxBytes), func(t *testing.T) {
			sparse := newHLL()
			dense, ok := hllSparseToDense(newHLL())
			require.True(t, ok)
			rng := rand.New(rand.NewPCG(uint64(maxBytes), 7))
			var ele [8]byte
			for i := 0; i < 5000; i++ {
				binary.LittleEndian.PutUint64(ele[:], rng.Uint64())
				var rs, rd hllResult
				wasSparse := sparse[4] == hllSparse
				sparse, rs = hllAdd(sparse, ele[:], maxBytes)
				dense, rd = hllAdd(dense, ele[:], maxBytes)
				require.Equal(t, rd, rs, "add %d", i)
				if wasSparse && sparse[4] == hllDense {
					t.Logf("promoted after %d adds", i+1)
				}
				if sparse[4] == hllSparse {
					require.LessOrEqual(t, int64(len(sparse)), max(maxBytes, 18))
				}
				if i%97 == 0 || i < 50 {
					require.Equal(t, hllRegs(t, dense), hllRegs(t, sparse), "add %d", i)
					require.Equal(t, hllCount(dense), hllCount(sparse), "add %d", i)
				}
			}
			require.Equal(t, byte(hllDense), sparse[4])
		})
	}
}

// TestHLLSetRegisterValues sets every register value 1..63 at the edges
// of the register array in both encodings.
func TestHLLSetRegisterValues(t *testing.T) {
	for _, idx := range []int{0, 1, 63, 64, 65, 16319, 16382, 16383} {
		for v := uint8(1); v <= hllRegMax; v++ {
			b, r := hllSet(newHLL(), idx, v, 3000)
			require.Equal(t, hllUpdated, r)
			regs := hllRegs(t, b)
			require.Equal(t, v, regs[idx], "idx %d v %d", idx, v)
			require.Equal(t, v > hllValMax, b[4] == hllDense)
			b2, r := hllSet(b, idx, v, 3000)
			require.Equal(t, hllUnchanged, r)
			require.Equal(t, b, b2)
		}
	}
}

// TestHLLEstimateKnownCounts checks the estimator against counts Redis
// 7.0.15 answered for the same elements (PFADD el:1 .. el:N; PFCOUNT).
func TestHLLEstimateKnownCounts(t *testing.T) {
	b := newHLL()
	for i := 1; i <= 3000; i++ {
		b, _ = hllAdd(b, []byte(fmt.Sprintf("el:%d", i)), 3000)
	}
	// redis-cli: EVAL "for i=1,3000 do redis.call('pfadd','k','el:'..i) end" 0; PFCOUNT k
	require.Equal(t, uint64(2974), hllCount(b))
}

func TestHLLSelfTest(t *testing.T) {
	require.Empty(t, hllSelfTest(3000))
}

// hllCanonical reports whether the sparse body of b ends on a whole
// opcode (no XZERO cut short by the end of the string).
func hllCanonical(b []byte) bool {
	p := hllHdrSize
	for p < len(b) {
		_, _, oplen, _ := sparseOp(b, p)
		p += oplen
	}
	return p == len(b)
}

// FuzzHLL feeds arbitrary values to every HyperLogLog reader and writer:
// none may panic, and on a well-formed sparse value an add must give the
// registers of the same add on the dense form.
func FuzzHLL(f *testing.F) {
	hdr := "HYLL\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x80"
	f.Add([]byte(hdr+"\x7f\xff"), []byte("a"), int64(3000))
	f.Add([]byte(hdr+"\x40\x00"), []byte("b"), int64(3000))
	f.Add([]byte(hdr+"\x3f\x3f\x3f\x3e\x7f"), []byte("abc"), int64(3000))
	f.Add([]byte(hdr+"\x7f\xfd\xff"), []byte("x"), int64(20))
	f.Add([]byte(hdr), []byte(""), int64(0))
	f.Add([]byte(hdr+"\x80\x7f\xfd\x00\x80"), []byte("0"), int64(20)) // VAL past the end
	f.Add([]byte("HYLL\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\xff\xff\x41"), []byte("zz"), int64(3000))
	f.Fuzz(func(t *testing.T, val, ele []byte, maxBytes int64) {
		if len(val) > 4 && val[4] == hllDense && len(val) < hllDenseSize {
			// A dense value is 12304 bytes: grow short inputs to that size
			// rather than seed (and minimise) inputs that large.
			val = append(val, make([]byte, hllDenseSize-len(val))...)
		}
		if !hllValid(val) {
			return
		}
		orig := bytes.Clone(val)
		var h [64]int
		wellFormed := hllHisto(bytes.Clone(val), &h)
		hllEstimate(&h)
		var max [hllRegisters]uint8
		require.Equal(t, wellFormed, hllMerge(&max, val))
		_, ok := hllSparseToDense(val)
		require.Equal(t, wellFormed, ok)
		if val[4] == hllSparse {
			hllDecode(val)
		}
		got, r := hllAdd(bytes.Clone(val), ele, maxBytes)
		require.True(t, hllValid(got) || r == hllCorrupt)
		if !wellFormed || val[4] != hllSparse || !hllCanonical(val) {
			return
		}
		require.NotEqual(t, hllCorrupt, r)
		dense, _ := hllSparseToDense(orig)
		want, _ := hllAdd(dense, ele, maxBytes)
		require.Equal(t, hllRegs(t, want), hllRegs(t, got))
		if got[4] == hllSparse {
			require.True(t, hllCanonical(got))
		}
	})
}
