package commands

import (
	"math"
	"strconv"
)

// Geohash arithmetic behind the GEO commands (Redis's geohash.c and
// geohash_helper.c). A GEO value is a sorted set whose scores are 52-bit
// interleaved geohashes (26 bits of latitude, 26 of longitude) over
// Web-Mercator's latitude range. Searches cover the query shape with the
// geohash box holding its centre plus the eight neighbours, at a precision
// estimated from the radius, and then filter each candidate by distance.
// Every expression keeps Redis's operation order (and explicit float64
// conversions forbid fused multiply-adds) so that scores, coordinates and
// distances are bit-identical to Redis's.

const (
	geoStepMax   = 26 // bits per coordinate in a stored score
	geoLatMin    = -85.05112878
	geoLatMax    = 85.05112878
	geoLonMin    = -180.0
	geoLonMax    = 180.0
	earthRadiusM = 6372797.560856 // Redis's EARTH_RADIUS_IN_METERS
	mercatorMax  = 20037726.37
)

// geoPi is M_PI as a variable, so geoDegToRad is computed in float64
// arithmetic exactly as C folds M_PI / 180.0.
var geoPi = math.Pi

// geoDegToRad is Redis's D_R (degrees to radians).
var geoDegToRad = geoPi / 180.0

func degRad(d float64) float64 { return float64(d * geoDegToRad) }

func radDeg(r float64) float64 { return r / geoDegToRad }

// geoHash is a geohash of step bits per coordinate (2*step bits in all).
type geoHash struct {
	bits uint64
	step uint8
}

// isZero reports the "no box" marker used for discarded neighbours.
func (h geoHash) isZero() bool { return h.bits == 0 && h.step == 0 }

// align52 shifts h to the 52-bit score scale.
func (h geoHash) align52() uint64 { return h.bits << (52 - 2*uint(h.step)) }

// geoRange is a coordinate interval.
type geoRange struct{ min, max float64 }

// geoArea is the rectangle a geohash denotes.
type geoArea struct {
	hash     geoHash
	lon, lat geoRange
}

// The coordinate ranges of stored scores, and of standard geohash strings.
var (
	geoLonRange    = geoRange{geoLonMin, geoLonMax}
	geoLatRange    = geoRange{geoLatMin, geoLatMax}
	geoStdLatRange = geoRange{-90, 90}
)

// spreadBits moves bit i of x to bit 2i.
func spreadBits(x uint32) uint64 {
	v := uint64(x)
	v = (v | v<<16) & 0x0000FFFF0000FFFF
	v = (v | v<<8) & 0x00FF00FF00FF00FF
	v = (v | v<<4) & 0x0F0F0F0F0F0F0F0F
	v = (v | v<<2) & 0x3333333333333333
	v = (v | v<<1) & 0x5555555555555555
	return v
}

// squeezeBits is the inverse of spreadBits: the even bits of v, packed.
func squeezeBits(v uint64) uint32 {
	v &= 0x5555555555555555
	v = (v | v>>1) & 0x3333333333333333
	v = (v | v>>2) & 0x0F0F0F0F0F0F0F0F
	v = (v | v>>4) & 0x00FF00FF00FF00FF
	v = (v | v>>8) & 0x0000FFFF0000FFFF
	v = (v | v>>16) & 0x00000000FFFFFFFF
	return uint32(v)
}

// interleave puts lat bits in the even and lon bits in the odd positions.
func interleave(lat, lon uint32) uint64 { return spreadBits(lat) | spreadBits(lon)<<1 }

// deinterleave returns the latitude and longitude halves of an
// interleaved hash.
func deinterleave(bits uint64) (lat, lon uint32) {
	return squeezeBits(bits), squeezeBits(bits >> 1)
}

// geoEncode hashes a coordinate pair at step bits per coordinate over the
// given ranges; ok is false outside Redis's supported limits.
func geoEncode(lonR, latR geoRange, lon, lat float64, step uint8) (geoHash, bool) {
	if step > 32 || step == 0 {
		return geoHash{}, false
	}
	if lon > geoLonMax || lon < geoLonMin || lat > geoLatMax || lat < geoLatMin {
		return geoHash{}, false
	}
	if lat < latR.min || lat > latR.max || lon < lonR.min || lon > lonR.max {
		return geoHash{step: step}, false
	}
	latOff := (lat - latR.min) / (latR.max - latR.min)
	lonOff := (lon - lonR.min) / (lonR.max - lonR.min)
	scale := float64(uint64(1) << step)
	latOff = float64(latOff * scale)
	lonOff = float64(lonOff * scale)
	return geoHash{bits: interleave(uint32(latOff), uint32(lonOff)), step: step}, true
}

// geoDecode returns the area of h over the given ranges.
func geoDecode(lonR, latR geoRange, h geoHash) (geoArea, bool) {
	if h.isZero() {
		return geoArea{}, false
	}
	ilat, ilon := deinterleave(h.bits)
	latScale := latR.max - latR.min
	lonScale := lonR.max - lonR.min
	div := float64(uint64(1) << h.step)
	at := func(min, scale float64, i uint32) float64 {
		return min + float64(float64(i)/div*scale)
	}
	return geoArea{
		hash: h,
		lat:  geoRange{at(latR.min, latScale, ilat), at(latR.min, latScale, ilat+1)},
		lon:  geoRange{at(lonR.min, lonScale, ilon), at(lonR.min, lonScale, ilon+1)},
	}, true
}

// geoDecodeScore turns a stored score into the centre of its box,
// clamped to the valid ranges (Redis's decodeGeohash).
func geoDecodeScore(score float64) (lon, lat float64) {
	a, _ := geoDecode(geoLonRange, geoLatRange, geoHash{bits: uint64(score), step: geoStepMax})
	lon = (a.lon.min + a.lon.max) / 2
	lon = max(min(lon, geoLonMax), geoLonMin)
	lat = (a.lat.min + a.lat.max) / 2
	lat = max(min(lat, geoLatMax), geoLatMin)
	return lon, lat
}

// geoScore is the sorted-set score GEOADD stores for a valid pair.
func geoScore(lon, lat float64) float64 {
	h, _ := geoEncode(geoLonRange, geoLatRange, lon, lat, geoStepMax)
	return float64(h.align52())
}

// geoHashString is GEOHASH's 11-character standard geohash of a score:
// the decoded point re-encoded over latitude -90..90, with a final '0'.
func geoHashString(score float64) string {
	const alphabet = "0123456789bcdefghjkmnpqrstuvwxyz"
	lon, lat := geoDecodeScore(score)
	h, _ := geoEncode(geoLonRange, geoStdLatRange, lon, lat, geoStepMax)
	var buf [11]byte
	for i := range 10 {
		buf[i] = alphabet[(h.bits>>(52-(i+1)*5))&0x1f]
	}
	buf[10] = alphabet[0]
	return string(buf[:])
}

// moveX shifts h by one box east (d > 0) or west (d < 0).
func (h *geoHash) moveX(d int) {
	if d == 0 {
		return
	}
	x := h.bits & 0xaaaaaaaaaaaaaaaa
	y := h.bits & 0x5555555555555555
	zz := uint64(0x5555555555555555) >> (64 - 2*uint(h.step))
	if d > 0 {
		x += zz + 1
	} else {
		x = (x | zz) - (zz + 1)
	}
	x &= 0xaaaaaaaaaaaaaaaa >> (64 - 2*uint(h.step))
	h.bits = x | y
}

// moveY shifts h by one box north (d > 0) or south (d < 0).
func (h *geoHash) moveY(d int) {
	if d == 0 {
		return
	}
	x := h.bits & 0xaaaaaaaaaaaaaaaa
	y := h.bits & 0x5555555555555555
	zz := uint64(0xaaaaaaaaaaaaaaaa) >> (64 - 2*uint(h.step))
	if d > 0 {
		y += zz + 1
	} else {
		y = (y | zz) - (zz + 1)
	}
	y &= 0x5555555555555555 >> (64 - 2*uint(h.step))
	h.bits = x | y
}

// Indexes into geoCover.boxes, in Redis's scan order.
const (
	boxSelf = iota
	boxN
	boxS
	boxE
	boxW
	boxNE
	boxNW
	boxSE
	boxSW
)

// neighbour returns h moved by dx boxes east and dy boxes north.
func (h geoHash) neighbour(dx, dy int) geoHash {
	h.moveX(dx)
	h.moveY(dy)
	return h
}

// geoShape is a search area: a circle (radius) or an axis-aligned box
// (width × height), in units of conv metres, around lon/lat.
type geoShape struct {
	box           bool
	lon, lat      float64
	conv          float64 // metres per unit
	radius        float64
	width, height float64
	bounds        [4]float64 // min lon, min lat, max lon, max lat
}

// geoEstimateSteps is the box precision for a search of rangeM metres at
// latitude lat.
func geoEstimateSteps(rangeM, lat float64) uint8 {
	if rangeM == 0 {
		return 26
	}
	step := 1
	for rangeM < mercatorMax {
		rangeM *= 2
		step++
	}
	step -= 2
	if lat > 66 || lat < -66 {
		step--
		if lat > 80 || lat < -80 {
			step--
		}
	}
	return uint8(max(1, min(step, 26)))
}

// boundingBox fills s.bounds with the shape's lon/lat bounding box.
func (s *geoShape) boundingBox() {
	h, w := s.radius, s.radius
	if s.box {
		h, w = s.height/2, s.width/2
	}
	height := float64(s.conv * h)
	width := float64(s.conv * w)
	latDelta := radDeg(height / earthRadiusM)
	lonDeltaTop := radDeg(width / earthRadiusM / geoCos(degRad(s.lat+latDelta)))
	lonDeltaBottom := radDeg(width / earthRadiusM / geoCos(degRad(s.lat-latDelta)))
	d := lonDeltaTop
	if s.lat < 0 {
		d = lonDeltaBottom
	}
	s.bounds = [4]float64{s.lon - d, s.lat - latDelta, s.lon + d, s.lat + latDelta}
}

// geoCover returns the nine boxes (self first, discarded ones zero)
// that cover s, as Redis's geohashCalculateAreasByShapeWGS84.
func geoCover(s *geoShape) [9]geoHash {
	s.boundingBox()
	minLon, minLat, maxLon, maxLat := s.bounds[0], s.bounds[1], s.bounds[2], s.bounds[3]
	radiusM := s.radius
	if s.box {
		hw, hh := s.width/2, s.height/2
		radiusM = math.Sqrt(float64(hw*hw) + float64(hh*hh))
	}
	radiusM = float64(radiusM * s.conv)
	steps := geoEstimateSteps(radiusM, s.lat)

	boxes := geoBoxes(s.lon, s.lat, steps)
	decode := func(h geoHash) geoArea { a, _ := geoDecode(geoLonRange, geoLatRange, h); return a }
	n, so, e, w := decode(boxes[boxN]), decode(boxes[boxS]), decode(boxes[boxE]), decode(boxes[boxW])
	if steps > 1 && (n.lat.max < maxLat || so.lat.min > minLat || e.lon.max < maxLon || w.lon.min > minLon) {
		steps--
		boxes = geoBoxes(s.lon, s.lat, steps)
	}
	if steps >= 2 {
		area := decode(boxes[boxSelf])
		drop := func(ids ...int) {
			for _, i := range ids {
				boxes[i] = geoHash{}
			}
		}
		if area.lat.min < minLat {
			drop(boxS, boxSW, boxSE)
		}
		if area.lat.max > maxLat {
			drop(boxN, boxNE, boxNW)
		}
		if area.lon.min < minLon {
			drop(boxW, boxSW, boxNW)
		}
		if area.lon.max > maxLon {
			drop(boxE, boxSE, boxNE)
		}
	}
	return boxes
}

// geoBoxes is the box holding lon/lat at steps precision and its eight
// neighbours, in scan order.
func geoBoxes(lon, lat float64, steps uint8) [9]geoHash {
	h, _ := geoEncode(geoLonRange, geoLatRange, lon, lat, steps)
	return [9]geoHash{h, h.neighbour(0, 1), h.neighbour(0, -1), h.neighbour(1, 0), h.neighbour(-1, 0),
		h.neighbour(1, 1), h.neighbour(-1, 1), h.neighbour(1, -1), h.neighbour(-1, -1)}
}

// geoLatDistance is the distance in metres along a meridian.
func geoLatDistance(lat1, lat2 float64) float64 {
	return float64(earthRadiusM * math.Abs(degRad(lat2)-degRad(lat1)))
}

// geoDistance is Redis's haversine distance in metres.
func geoDistance(lon1, lat1, lon2, lat2 float64) float64 {
	v := geoSin((degRad(lon2) - degRad(lon1)) / 2)
	if v == 0 {
		return geoLatDistance(lat1, lat2)
	}
	lat1r, lat2r := degRad(lat1), degRad(lat2)
	u := geoSin((lat2r - lat1r) / 2)
	cc := float64(float64(geoCos(lat1r)*geoCos(lat2r)) * v)
	a := float64(u*u) + float64(cc*v)
	return float64(2.0*earthRadiusM) * geoAsin(math.Sqrt(a))
}

// within reports whether the point lon/lat is inside s, and its distance
// in metres from the centre.
func (s *geoShape) within(lon, lat float64) (float64, bool) {
	if !s.box {
		d := geoDistance(s.lon, s.lat, lon, lat)
		return d, d <= float64(s.radius*s.conv)
	}
	w, h := float64(s.width*s.conv), float64(s.height*s.conv)
	if geoLatDistance(lat, s.lat) > h/2 {
		return 0, false
	}
	if geoDistance(lon, lat, s.lon, lat) > w/2 {
		return 0, false
	}
	return geoDistance(s.lon, s.lat, lon, lat), true
}

// appendDistance formats d with four decimals rounded half to even, as
// Redis's fixedpoint_d2string (GEODIST, WITHDIST).
func appendDistance(dst []byte, d float64) []byte {
	if d == 0 {
		return append(dst, "0.0000"...)
	}
	v := math.RoundToEven(float64(d * 10000))
	if v < 0 {
		dst = append(dst, '-')
		v = -v
	}
	digits := strconv.AppendUint(nil, uint64(v), 10)
	for len(digits) < 5 {
		digits = append([]byte{'0'}, digits...)
	}
	n := len(digits) - 4
	dst = append(dst, digits[:n]...)
	dst = append(dst, '.')
	return append(dst, digits[n:]...)
}

// formatCoordC formats f as C's "%f" (used in the invalid-pair error).
func formatCoordC(f float64) string {
	switch {
	case math.IsInf(f, 1):
		return "inf"
	case math.IsInf(f, -1):
		return "-inf"
	}
	return strconv.FormatFloat(f, 'f', 6, 64)
}
