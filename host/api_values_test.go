package host

import (
	"bufio"
	"math"
	"math/rand"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
	tresp "github.com/tidwall/resp"

	"github.com/modhost/modhost/host/internal/cgotest"
	mresp "github.com/modhost/modhost/resp"
)

func TestStringToLongLong(t *testing.T) {
	tests := []struct {
		in   string
		want int64
		ok   bool
	}{
		{"0", 0, true}, {"1", 1, true}, {"-1", -1, true}, {"123456789", 123456789, true},
		{"9223372036854775807", math.MaxInt64, true}, {"-9223372036854775808", math.MinInt64, true},
		{"9223372036854775808", 0, false}, {"-9223372036854775809", 0, false},
		{"", 0, false}, {"-", 0, false}, {"+1", 0, false}, {" 1", 0, false}, {"1 ", 0, false},
		{"01", 0, false}, {"-0", 0, false}, {"00", 0, false}, {"1a", 0, false}, {"1\x00", 0, false},
		{"18446744073709551616", 0, false}, {"123456789012345678901", 0, false},
	}
	for _, tc := range tests {
		got, ok := cgotest.ValToLL(tc.in)
		require.Equal(t, tc.ok, ok, "%q", tc.in)
		if tc.ok {
			require.Equal(t, tc.want, got, "%q", tc.in)
		}
	}
}

func TestStringToULongLong(t *testing.T) {
	tests := []struct {
		in   string
		want uint64
		ok   bool
	}{
		{"0", 0, true}, {"18446744073709551615", math.MaxUint64, true},
		{"18446744073709551616", 0, false}, {"-1", 0, false}, {"", 0, false},
		// Redis falls back to strtoull: leading space, '+', "-0" pass.
		{" 5", 5, true}, {"+7", 7, true}, {"-0", 0, true}, {"007", 7, true},
		{"5 ", 0, false}, {"abc", 0, false}, {"1.5", 0, false},
	}
	for _, tc := range tests {
		got, ok := cgotest.ValToULL(tc.in)
		require.Equal(t, tc.ok, ok, "%q", tc.in)
		if tc.ok {
			require.Equal(t, tc.want, got, "%q", tc.in)
		}
	}
}

func TestStringToDouble(t *testing.T) {
	tests := []struct {
		in   string
		want float64
		ok   bool
	}{
		{"1.5", 1.5, true}, {"-0.25", -0.25, true}, {"1e10", 1e10, true}, {"+3", 3, true},
		{"inf", math.Inf(1), true}, {"-inf", math.Inf(-1), true}, {"0x10", 16, true},
		{"1e-310", 1e-310, true}, // denormal: accepted
		{"nan", 0, false}, {"", 0, false}, {" 1", 0, false}, {"1 ", 0, false},
		{"1e400", 0, false}, {"-1e400", 0, false}, {"1e-400", 0, false}, {"1.5x", 0, false},
		{"1\x002", 0, false},
	}
	for _, tc := range tests {
		got, ok := cgotest.ValToDouble(tc.in)
		require.Equal(t, tc.ok, ok, "%q", tc.in)
		if tc.ok {
			require.Equal(t, tc.want, got, "%q", tc.in)
		}
		ld, lok := cgotest.ValToLongDouble(tc.in)
		if tc.in == "1e400" || tc.in == "-1e400" || tc.in == "1e-400" {
			require.True(t, lok, "long double holds %q", tc.in) // long double range is wider
			continue
		}
		require.Equal(t, tc.ok, lok, "long double %q", tc.in)
		if tc.ok {
			require.Equal(t, tc.want, ld, "long double %q", tc.in)
		}
	}
	_, ok := cgotest.ValToLongDouble(strings.Repeat("1", 5200))
	require.False(t, ok, "long double text longer than Redis's buffer")
}

func TestStringToStreamID(t *testing.T) {
	tests := []struct {
		in      string
		ms, seq uint64
		ok      bool
	}{
		{"1-2", 1, 2, true}, {"5", 5, 0, true}, {"-", 0, 0, true},
		{"+", math.MaxUint64, math.MaxUint64, true}, {"18446744073709551615-0", math.MaxUint64, 0, true},
		{"1-", 0, 0, false}, {"a-1", 0, 0, false}, {"1-2-3", 0, 0, false}, {"", 0, 0, false},
		{strings.Repeat("1", 130), 0, 0, false}, {"1-*", 0, 0, false},
	}
	for _, tc := range tests {
		ms, seq, ok := cgotest.ValToStreamID(tc.in)
		require.Equal(t, tc.ok, ok, "%q", tc.in)
		if tc.ok {
			require.Equal(t, [2]uint64{tc.ms, tc.seq}, [2]uint64{ms, seq}, "%q", tc.in)
		}
	}
}

func TestCreateStringFromNumbers(t *testing.T) {
	require.Equal(t, "-9223372036854775808", cgotest.ValFromLL(math.MinInt64))
	require.Equal(t, "0", cgotest.ValFromLL(0))
	require.Equal(t, "18446744073709551615", cgotest.ValFromULL(math.MaxUint64))
	require.Equal(t, "1700000000000-3", cgotest.ValFromStreamID(1700000000000, 3))
	require.Equal(t, "hi:-3:002.2", cgotest.ValPrintf("hi", -3))
	n, s := cgotest.ValPrintfLong(1000)
	require.Equal(t, 1000, n)
	require.Equal(t, strings.Repeat("0", 999)+"7", s)

	ld := []struct {
		in    string
		human bool
		want  string
	}{
		{"3.5", true, "3.5"}, {"10", true, "10"}, {"-0", true, "0"}, {"0.1", true, "0.1"},
		{"1e20", true, "100000000000000000000"}, {"inf", true, "inf"}, {"-inf", false, "-inf"},
		{"nan", true, "nan"}, {"3.5", false, "3.5"}, {"0.1", false, "0.1"}, {"123456789.125", false, "123456789.125"},
		{"1e20", false, "1e+20"},
	}
	for _, tc := range ld {
		require.Equal(t, tc.want, cgotest.ValFromLongDouble(tc.in, tc.human), "%s human=%v", tc.in, tc.human)
	}
}

func TestCreateStringFromDoubleMatchesGo(t *testing.T) {
	fixed := []float64{0, math.Copysign(0, -1), 1, -1, 0.1, 1.5, 3.0, 1e20, 1e21, 1e22, 1e-7, 1e-6,
		123456789012345680, 4.611686018427388e18, 4.611686018427389e18, 1.7976931348623157e308,
		5e-324, math.Inf(1), math.Inf(-1), math.NaN(), 0.3, 2.5e-5, 123.456, 1e100, -1e-100}
	r := rand.New(rand.NewSource(1))
	var vals []float64
	vals = append(vals, fixed...)
	for len(vals) < 20000 {
		f := math.Float64frombits(r.Uint64())
		if len(vals)%2 == 0 {
			f = r.NormFloat64() * math.Pow(10, float64(r.Intn(40)-20))
		}
		vals = append(vals, f)
	}
	for _, f := range vals {
		require.Equal(t, mresp.FormatDouble(f), cgotest.ValFromDouble(f), "%v (%x)", f, math.Float64bits(f))
	}
}

func TestStringCompare(t *testing.T) {
	require.Equal(t, 0, cgotest.ValCompare("abc", "abc"))
	require.Less(t, cgotest.ValCompare("abc", "abd"), 0)
	require.Greater(t, cgotest.ValCompare("b", "abc"), 0)
	require.Equal(t, -1, cgotest.ValCompare("ab", "abc")) // length difference
	require.Equal(t, 2, cgotest.ValCompare("abcde", "abc"))
	require.Greater(t, cgotest.ValCompare("a\xff", "a\x01"), 0) // unsigned bytes
	require.Equal(t, 0, cgotest.ValCompare("a\x00b", "a\x00b"))
}

func TestStringAppendRetainTrim(t *testing.T) {
	require.Equal(t, 0x3f, cgotest.ValAppendChecks())
}

func TestStringsWithAutoMemory(t *testing.T) {
	require.Equal(t, 0x1f, cgotest.ValAutoMemChecks())
}

func TestHeapCounter(t *testing.T) {
	before := cgotest.ValAllocUsed()
	require.True(t, cgotest.ValHeapBalanced())
	require.Equal(t, before, cgotest.ValAllocUsed())
}

func TestReplyEncoding(t *testing.T) {
	tests := []struct {
		name       string
		ops        string
		resp2      string
		resp3      string
		errs2      int // non-OK results for RESP2
		pending    int
		skipDecode bool
	}{
		{"integers", "L0|L-5|L9223372036854775807", ":0\r\n:-5\r\n:9223372036854775807\r\n", "", 0, 0, false},
		{"error", "EERR bad thing", "-ERR bad thing\r\n", "", 0, 0, false},
		{"error no code", "Ewrong", "-wrong\r\n", "", 0, 0, false},
		{"error newlines", "EERR a\r\nb\n", "-ERR a  b\r\n", "", 0, 0, false},
		{"error format", "Fvalue", "-ERR value 42\r\n", "", 0, 0, false},
		{"simple", "SOK", "+OK\r\n", "", 0, 0, false},
		{"bulk kinds", "Chi|bxy|sabc|Z|0", "$2\r\nhi\r\n$2\r\nxy\r\n$3\r\nabc\r\n$0\r\n\r\n$-1\r\n", "$2\r\nhi\r\n$2\r\nxy\r\n$3\r\nabc\r\n$0\r\n\r\n_\r\n", 0, 0, false},
		{"null", "N|U", "$-1\r\n*-1\r\n", "_\r\n_\r\n", 0, 0, false},
		{"empty array", "Y|A0", "*0\r\n*0\r\n", "", 0, 0, false},
		{"bool", "B1|B0", ":1\r\n:0\r\n", "#t\r\n#f\r\n", 0, 0, false},
		{"double", "D1.5|D3|Dinf|D-0.1", "$3\r\n1.5\r\n$1\r\n3\r\n$3\r\ninf\r\n$4\r\n-0.1\r\n", ",1.5\r\n,3\r\n,inf\r\n,-0.1\r\n", 0, 0, false},
		{"bignum", "G12345678901234567890", "$20\r\n12345678901234567890\r\n", "(12345678901234567890\r\n", 0, 0, false},
		{"long double", "Q3.5|Q10", "$3\r\n3.5\r\n$2\r\n10\r\n", ",3.5\r\n,10\r\n", 0, 0, false},
		{"verbatim", "Vhello|Wmd hi|W_  x", "$5\r\nhello\r\n$2\r\nhi\r\n$1\r\nx\r\n", "=9\r\ntxt:hello\r\n=6\r\nmd :hi\r\n=5\r\n   :x\r\n", 0, 0, false},
		{"map", "M1|Ck|L1|M0", "*2\r\n$1\r\nk\r\n:1\r\n*0\r\n", "%1\r\n$1\r\nk\r\n:1\r\n%0\r\n", 0, 0, false},
		{"set", "T2|L1|L2|T0", "*2\r\n:1\r\n:2\r\n*0\r\n", "~2\r\n:1\r\n:2\r\n~0\r\n", 0, 0, false},
		{"attribute", "R1|Ck|Cv|L7", "$1\r\nk\r\n$1\r\nv\r\n:7\r\n", "|1\r\n$1\r\nk\r\n$1\r\nv\r\n:7\r\n", 1, 0, true},
		{"postponed nested", "A-1|L1|A-1|L10|L20|L30|a3|a2", "*2\r\n:1\r\n*3\r\n:10\r\n:20\r\n:30\r\n", "", 0, 0, false},
		{"postponed back to back", "A-1|A-1|L1|a1|a1", "*1\r\n*1\r\n:1\r\n", "", 0, 0, false},
		{"postponed map and set", "M-1|Ca|T-1|L1|t1|m1", "*2\r\n$1\r\na\r\n*1\r\n:1\r\n", "%1\r\n$1\r\na\r\n~1\r\n:1\r\n", 0, 0, false},
		{"postponed large", "A-1|L1|L2|L3|L4|L5|L6|L7|L8|L9|L10|L11|a11", "*11\r\n:1\r\n:2\r\n:3\r\n:4\r\n:5\r\n:6\r\n:7\r\n:8\r\n:9\r\n:10\r\n:11\r\n", "", 0, 0, false},
		{"postponed attribute", "R-1|Ck|Cv|r1|L1", "$1\r\nk\r\n$1\r\nv\r\n:1\r\n", "|1\r\n$1\r\nk\r\n$1\r\nv\r\n:1\r\n", 1, 0, true},
		{"pending left open", "A-1|L1", ":1\r\n", "", 0, 1, true},
		{"set length without open", "a3|L1", ":1\r\n", "", 0, 0, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, pending, errs := cgotest.ValReply(2, tc.ops)
			require.Equal(t, tc.resp2, got, "RESP2")
			require.Equal(t, tc.pending, pending)
			require.Equal(t, tc.errs2, errs)
			want3 := tc.resp3
			if want3 == "" {
				want3 = tc.resp2
			}
			got3, pending3, errs3 := cgotest.ValReply(3, tc.ops)
			require.Equal(t, want3, got3, "RESP3")
			require.Equal(t, tc.pending, pending3)
			require.Equal(t, 0, errs3)
			if !tc.skipDecode {
				requireRESP2Values(t, got)
			}
		})
	}
}

// requireRESP2Values decodes buf with an independent RESP2 reader and
// checks that it is a whole number of well-formed values.
func requireRESP2Values(t *testing.T, buf string) {
	t.Helper()
	rd := tresp.NewReader(bufio.NewReader(strings.NewReader(buf)))
	n := 0
	for {
		_, _, err := rd.ReadValue()
		if err != nil {
			require.ErrorContains(t, err, "EOF")
			break
		}
		n++
	}
	require.Positive(t, n)
}
