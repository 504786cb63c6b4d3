package commands

// PFDEBUG and PFSELFTEST, Redis's HyperLogLog debugging commands.

import (
	"encoding/binary"
	"fmt"
	"math"
	"math/rand/v2"
	"strconv"
	"strings"

	"github.com/modhost/modhost/keyspace"
)

// pfdebugCommand is PFDEBUG GETREG|DECODE|ENCODING|TODENSE key. As in
// Redis the key is looked up (and must be a HyperLogLog) before the
// subcommand is read.
func pfdebugCommand(c Client, a [][]byte) {
	s, ok := lookupHLL(c, a[2], true)
	if !ok {
		return
	}
	if s == nil {
		c.Error("ERR The specified key does not exist")
		return
	}
	b := hllWorkCopy(s)
	switch sub := string(a[1]); strings.ToLower(sub) {
	case "getreg":
		if b[4] == hllSparse {
			if b, ok = pfdebugToDense(c, s, b); !ok {
				return
			}
		}
		w := c.Writer()
		w.ArrayLen(hllRegisters)
		regs := b[hllHdrSize:]
		for i := 0; i < hllRegisters; i++ {
			w.Int(int64(hllGetReg(regs, i)))
		}
	case "decode":
		if b[4] != hllSparse {
			c.Error("ERR HLL encoding is not sparse")
			return
		}
		c.Writer().BulkString(hllDecode(b))
	case "encoding":
		if b[4] == hllDense {
			c.Writer().SimpleString("dense")
		} else {
			c.Writer().SimpleString("sparse")
		}
	case "todense":
		if b[4] != hllSparse {
			c.Writer().Int(0)
			return
		}
		if _, ok = pfdebugToDense(c, s, b); ok {
			c.Writer().Int(1)
		}
	default:
		c.Error("ERR Unknown PFDEBUG subcommand '" + oneLine(sub) + "'")
	}
}

// pfdebugToDense converts the value to dense for GETREG and TODENSE,
// counting a change (Redis forces propagation of the new encoding but
// signals nothing).
func pfdebugToDense(c Client, s *keyspace.String, b []byte) ([]byte, bool) {
	dense, ok := hllSparseToDense(b)
	if !ok {
		c.Error(msgHLLInvalid)
		return nil, false
	}
	hllStore(s, dense)
	ks(c).Dirty++
	return dense, true
}

// hllDecode prints a sparse body as PFDEBUG DECODE does: "z:LEN" for
// ZERO, "Z:LEN" for XZERO, "v:VALUE,LEN" for VAL, space separated.
func hllDecode(b []byte) string {
	var sb strings.Builder
	for p := hllHdrSize; p < len(b); {
		span, val, oplen, xzero := sparseOp(b, p)
		if sb.Len() > 0 {
			sb.WriteByte(' ')
		}
		switch {
		case xzero:
			sb.WriteString("Z:" + strconv.Itoa(span))
		case val == 0:
			sb.WriteString("z:" + strconv.Itoa(span))
		default:
			sb.WriteString("v:" + strconv.Itoa(val) + "," + strconv.Itoa(span))
		}
		p += oplen
	}
	return sb.String()
}

// oneLine replaces CR and LF as Redis's addReplyErrorFormat does, so a
// user string cannot break the error line.
func oneLine(s string) string {
	return strings.NewReplacer("\r", " ", "\n", " ").Replace(s)
}

// pfselftestCommand is PFSELFTEST: the register accessors keep every
// value and disturb no neighbour, and the dense and sparse encodings agree
// with each other and stay within six standard errors of the true count
// up to ten million elements.
func pfselftestCommand(c Client, _ [][]byte) {
	if msg := hllSelfTest(hllSparseMax(c)); msg != "" {
		c.Error(msg)
		return
	}
	c.OK()
}

// hllSelfTest runs PFSELFTEST's checks and returns the failure, or "".
func hllSelfTest(maxBytes int64) string {
	regs := make([]byte, hllDenseSize-hllHdrSize)
	var want [hllRegisters]uint8
	for cycle := 0; cycle < 1000; cycle++ {
		for i := range want {
			want[i] = uint8(rand.IntN(hllRegMax + 1))
			hllSetReg(regs, i, want[i])
		}
		for i := range want {
			if v := hllGetReg(regs, i); v != want[i] {
				return fmt.Sprintf("TESTFAILED Register %d should be %d but is %d", i, want[i], v)
			}
		}
	}
	dense := make([]byte, hllDenseSize)
	copy(dense, "HYLL")
	sparse := newHLL()
	relerr := 1.04 / math.Sqrt(hllRegisters)
	seed := rand.Uint64()
	var ele [8]byte
	for j, checkpoint := uint64(1), uint64(1); j <= 10000000; j++ {
		binary.LittleEndian.PutUint64(ele[:], j^seed)
		hllAdd(dense, ele[:], maxBytes)
		sparse, _ = hllAdd(sparse, ele[:], maxBytes)
		if j != checkpoint {
			continue
		}
		if int64(j) < maxBytes/2 && sparse[4] != hllSparse {
			return "TESTFAILED sparse encoding not used"
		}
		got := hllCount(dense)
		if got != hllCount(sparse) {
			return "TESTFAILED dense/sparse disagree"
		}
		maxerr := uint64(math.Ceil(relerr * 6 * float64(checkpoint)))
		if j == 10 {
			maxerr = 1
		}
		abserr := int64(checkpoint) - int64(got)
		if abserr < 0 {
			abserr = -abserr
		}
		if abserr > int64(maxerr) {
			return fmt.Sprintf("TESTFAILED Too big error. card:%d abserr:%d", checkpoint, abserr)
		}
		checkpoint *= 10
	}
	return ""
}

// hllCount estimates the cardinality of a well-formed HyperLogLog.
func hllCount(b []byte) uint64 {
	var h [64]int
	hllHisto(b, &h)
	return hllEstimate(&h)
}
