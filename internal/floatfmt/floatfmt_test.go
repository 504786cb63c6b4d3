package floatfmt

import (
	"math"
	"strconv"
	"testing"

	"github.com/stretchr/testify/require"
)

var (
	negInf   = math.Inf(-1)
	pointOne = 0.1
	pointTwo = 0.2
	ten5     = 10.5
)

func TestFormatDouble(t *testing.T) {
	tests := []struct {
		in   float64
		want string
	}{
		{0, "0"},
		{math.Copysign(0, -1), "-0"},
		{math.NaN(), "nan"},
		{math.Inf(1), "inf"},
		{negInf, "-inf"},
		{1, "1"},
		{-1, "-1"},
		{1.5, "1.5"},
		{-2.5, "-2.5"},
		{0.1, "0.1"},
		{0.3, "0.3"},
		{pointOne + pointTwo, "0.30000000000000004"},
		{3.14159, "3.14159"},
		{123.456, "123.456"},
		{10000000.5, "10000000.5"},
		{1234.56789012, "1234.56789012"},
		{1.5e10, "15000000000"},
		{1e17, "100000000000000000"},
		{1e18, "1000000000000000000"},
		{4611686018427387904, "4611686018427387904"},
		{4.7e18, "4.7e+18"},
		{1e19, "1e+19"},
		{1.2345678901234568e20, "123456789012345680000"},
		{1e21, "1e+21"},
		{1e22, "1e+22"},
		{1.5e300, "1.5e+300"},
		{1.7976931348623157e308, "1.7976931348623157e+308"},
		{0.0001, "0.0001"},
		{0.00015, "0.00015"},
		{1e-6, "0.000001"},
		{1e-7, "1e-7"},
		{1.5e-7, "1.5e-7"},
		{1.5e-6, "1.5e-6"},
		{1.2345e-6, "1.2345e-6"},
		{0.00012345678, "1.2345678e-4"},
		{-1.5e-10, "-1.5e-10"},
		{5e-324, "5e-324"},
		{2.2250738585072014e-308, "2.2250738585072014e-308"},
	}
	for _, tc := range tests {
		t.Run(tc.want, func(t *testing.T) {
			require.Equal(t, tc.want, FormatDouble(tc.in))
			require.Equal(t, "x"+tc.want, string(AppendDouble([]byte("x"), tc.in)))
			if !math.IsNaN(tc.in) {
				back, err := strconv.ParseFloat(tc.want, 64)
				require.NoError(t, err)
				require.Equal(t, tc.in, back, "must round-trip")
			}
		})
	}
}

func TestFormatLongDouble(t *testing.T) {
	tests := []struct {
		in    float64
		human bool
		want  string
	}{
		{10.6, true, "10.6"},
		{ten5 + pointOne, true, "10.6"},
		{pointOne + pointTwo, true, "0.30000000000000004"}, // Redis (long double): 0.3
		{3, true, "3"},
		{5200, true, "5200"},
		{-1.25, true, "-1.25"},
		{math.Copysign(0, -1), true, "0"},
		{0, true, "0"},
		{1e-20, true, "0"},
		{-1e-20, true, "0"},
		{1.5e-17, true, "0.00000000000000002"},
		{1e20, true, "100000000000000000000"},
		{math.Inf(1), true, "inf"},
		{negInf, true, "-inf"},
		{math.NaN(), true, "nan"},
		{0.1, false, "0.1"},
		{3, false, "3"},
		{1e16, false, "10000000000000000"},
		{1e17, false, "1e+17"},
		{1.5e-5, false, "1.5e-05"},
		{0.0001, false, "0.0001"},
		{-2.5e100, false, "-2.5e+100"},
		{math.Copysign(0, -1), false, "-0"},
		{negInf, false, "-inf"},
	}
	for _, tc := range tests {
		t.Run(tc.want, func(t *testing.T) {
			require.Equal(t, tc.want, FormatLongDouble(tc.in, tc.human))
		})
	}
}

func TestFormatDoubleRoundTripsRandomBits(t *testing.T) {
	seen := 0
	for i := uint64(1); i < 1<<63; i = i*3 + 12345 {
		f := math.Float64frombits(i)
		if math.IsNaN(f) || math.IsInf(f, 0) {
			continue
		}
		for _, s := range []string{FormatDouble(f), FormatLongDouble(f, false)} {
			back, err := strconv.ParseFloat(s, 64)
			require.NoError(t, err, s)
			require.Equal(t, f, back, s)
		}
		seen++
	}
	require.Greater(t, seen, 30)
}
