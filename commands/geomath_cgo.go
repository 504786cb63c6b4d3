//go:build cgo

package commands

// #cgo LDFLAGS: -lm
// #include <math.h>
import "C"

// The trigonometry of GEO distances goes through the C library's libm,
// as in Redis: Go's math.Sin, Cos and Asin may differ from glibc's in the
// last bit, and STOREDIST scores and box membership expose every bit.

func geoSin(x float64) float64  { return float64(C.sin(C.double(x))) }
func geoCos(x float64) float64  { return float64(C.cos(C.double(x))) }
func geoAsin(x float64) float64 { return float64(C.asin(C.double(x))) }
