//go:build !cgo

package commands

import "math"

// Without cgo the GEO trigonometry falls back to Go's math package, which
// can differ from Redis's libm in the last bit of a distance.

func geoSin(x float64) float64  { return math.Sin(x) }
func geoCos(x float64) float64  { return math.Cos(x) }
func geoAsin(x float64) float64 { return math.Asin(x) }
