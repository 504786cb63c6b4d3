package commands

import (
	"math"
	"testing"

	"github.com/stretchr/testify/require"
)

// Expected values below were read from redis-server 7.0.15.

func TestGeoScoreAndHashString(t *testing.T) {
	for _, tc := range []struct {
		name     string
		lon, lat float64
		score    float64
		hash     string
	}{
		{"Palermo", 13.361389, 38.115556, 3479099956230698, "sqc8b49rny0"},
		{"Catania", 15.087269, 37.502669, 3479447370796909, "sqdtr74hyu0"},
		{"north-east corner", 180, 85.05112878, 13510798882111488, "bp05b5048p0"},
		{"south-west corner", -180, -85.05112878, 0, "00bh0hbj200"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			require.Equal(t, tc.score, geoScore(tc.lon, tc.lat))
			require.Equal(t, tc.hash, geoHashString(tc.score))
		})
	}
}

func TestGeoDecodeScore(t *testing.T) {
	for _, tc := range []struct {
		score    float64
		lon, lat float64
	}{
		{3479099956230698, 13.36138933897018433, 38.11555639549629859},
		{13510798882111488, 180, 85.05112878}, // clamped to the valid range
		{0, -179.99999731779098511, -85.05112751263942528},
	} {
		lon, lat := geoDecodeScore(tc.score)
		require.Equal(t, tc.lon, lon, "lon of %v", tc.score)
		require.Equal(t, tc.lat, lat, "lat of %v", tc.score)
	}
}

func TestGeoDistance(t *testing.T) {
	pal, cat := geoScore(13.361389, 38.115556), geoScore(15.087269, 37.502669)
	lon1, lat1 := geoDecodeScore(pal)
	lon2, lat2 := geoDecodeScore(cat)
	d := geoDistance(lon1, lat1, lon2, lat2)
	for _, tc := range []struct {
		conv float64
		want string
	}{
		{1, "166274.1516"},
		{1609.34, "103.3182"},
		{1000, "166.2742"},
	} {
		require.Equal(t, tc.want, string(appendDistance(nil, d/tc.conv)))
	}
	require.Zero(t, geoDistance(lon1, lat1, lon1, lat1))
	// Same longitude: the meridian shortcut.
	require.InDelta(t, earthRadiusM*math.Pi/180, geoDistance(10, 20, 10, 21), 1e-6)
}

func TestAppendDistance(t *testing.T) {
	for _, tc := range []struct {
		in   float64
		want string
	}{
		{0, "0.0000"},
		{0.00004, "0.0000"},
		{0.0001, "0.0001"},
		{0.775, "0.7750"},
		{1.23456, "1.2346"},
		{12345.67891, "12345.6789"},
		{-2.5, "-2.5000"},
	} {
		require.Equal(t, tc.want, string(appendDistance(nil, tc.in)), "%v", tc.in)
	}
}

func TestFormatCoordC(t *testing.T) {
	for _, tc := range []struct {
		in   float64
		want string
	}{
		{200, "200.000000"},
		{-0.5, "-0.500000"},
		{math.Inf(1), "inf"},
		{math.Inf(-1), "-inf"},
		{1e20, "100000000000000000000.000000"},
	} {
		require.Equal(t, tc.want, formatCoordC(tc.in))
	}
}

func TestInterleaveRoundTrip(t *testing.T) {
	for _, tc := range []struct{ lat, lon uint32 }{
		{0, 0}, {1, 0}, {0, 1}, {0xFFFFFFFF, 0}, {0x12345678, 0x9abcdef0}, {1 << 26, 3},
	} {
		bits := interleave(tc.lat, tc.lon)
		require.Equal(t, uint64(0), bits&0xaaaaaaaaaaaaaaaa&^(spreadBits(tc.lon)<<1))
		lat, lon := deinterleave(bits)
		require.Equal(t, tc.lat, lat)
		require.Equal(t, tc.lon, lon)
	}
	require.Equal(t, uint64(0b10), interleave(0, 1))
	require.Equal(t, uint64(0b01), interleave(1, 0))
}

func TestGeoNeighbours(t *testing.T) {
	h, ok := geoEncode(geoLonRange, geoLatRange, 10, 50, 10)
	require.True(t, ok)
	for _, tc := range []struct{ dx, dy int }{{1, 0}, {-1, 0}, {0, 1}, {0, -1}, {1, 1}, {-1, -1}} {
		n := h.neighbour(tc.dx, tc.dy)
		require.NotEqual(t, h, n)
		require.Equal(t, h, n.neighbour(-tc.dx, -tc.dy), "move %+v and back", tc)
		a, _ := geoDecode(geoLonRange, geoLatRange, h)
		b, _ := geoDecode(geoLonRange, geoLatRange, n)
		if tc.dx > 0 {
			require.InDelta(t, a.lon.max, b.lon.min, 1e-9)
		}
		if tc.dy < 0 {
			require.InDelta(t, a.lat.min, b.lat.max, 1e-9)
		}
	}
}

func TestGeoEstimateSteps(t *testing.T) {
	for _, tc := range []struct {
		meters, lat float64
		want        uint8
	}{
		{0, 0, 26},
		{1, 0, 24},
		{1000, 0, 14},
		{1000, 70, 13},
		{1000, -85, 12},
		{5000000, 0, 2},
		{1e9, 0, 1},
		{math.Inf(1), 0, 1},
	} {
		require.Equal(t, tc.want, geoEstimateSteps(tc.meters, tc.lat), "%v m at %v", tc.meters, tc.lat)
	}
}

func TestGeoShapeWithin(t *testing.T) {
	circle := geoShape{lon: 10, lat: 50, conv: 1000, radius: 100}
	box := geoShape{box: true, lon: 10, lat: 50, conv: 1000, width: 100, height: 20}
	for _, tc := range []struct {
		name     string
		s        *geoShape
		lon, lat float64
		in       bool
	}{
		{"circle centre", &circle, 10, 50, true},
		{"circle near", &circle, 10.5, 50.5, true},
		{"circle far", &circle, 12, 50, false},
		{"box east inside", &box, 10.6, 50, true},
		{"box east outside", &box, 10.8, 50, false},
		{"box north outside", &box, 10, 50.1, false},
		{"box north inside", &box, 10, 50.08, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			d, in := tc.s.within(tc.lon, tc.lat)
			require.Equal(t, tc.in, in)
			if in {
				require.Equal(t, geoDistance(tc.s.lon, tc.s.lat, tc.lon, tc.lat), d)
			}
		})
	}
}

func TestGeoCoverKeepsCentreBox(t *testing.T) {
	for _, s := range []geoShape{
		{lon: 0, lat: 0, conv: 1, radius: 0},
		{lon: 179.9, lat: 10, conv: 1000, radius: 50},
		{lon: 0, lat: 84.9, conv: 1000, radius: 3000},
		{box: true, lon: 10, lat: 50, conv: 1000, width: 1000, height: 600},
	} {
		boxes := geoCover(&s)
		require.False(t, boxes[boxSelf].isZero(), "%+v", s)
		want, _ := geoEncode(geoLonRange, geoLatRange, s.lon, s.lat, boxes[boxSelf].step)
		require.Equal(t, want, boxes[boxSelf])
		// Latitude bounds are ordered; longitude bounds flip past the pole,
		// as in Redis.
		require.LessOrEqual(t, s.bounds[1], s.bounds[3])
	}
}
