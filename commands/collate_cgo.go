//go:build cgo

package commands

// #include <errno.h>
// #include <locale.h>
// #include <stdlib.h>
// #include <string.h>
import "C"

import (
	"sync"
	"syscall"
	"unsafe"
)

// SORT ALPHA compares with the C library's strcoll under the collation of
// the environment (redis-server calls setlocale(LC_COLLATE, "") at start),
// and SORT reads scores with strtod, whose leading blanks, hex floats and
// range errors Redis accepts or refuses as they come. Both go through libc
// so that modhost orders and refuses exactly what Redis does.

var collateOnce sync.Once

// init applies the environment's LC_COLLATE at start, as redis-server's
// main does (Lua's string comparisons use strcoll too).
func init() { setCollateLocale() }

// setCollateLocale applies the environment's LC_COLLATE once.
func setCollateLocale() {
	collateOnce.Do(func() {
		empty := C.CString("")
		C.setlocale(C.LC_COLLATE, empty)
		C.free(unsafe.Pointer(empty))
	})
}

// cstr is a NUL-terminated copy of b for strcoll and strtod.
type cstr []byte

// toCstr returns b followed by a NUL byte.
func toCstr(b []byte) cstr {
	out := make([]byte, len(b)+1)
	copy(out, b)
	return out
}

// strcoll compares two NUL-terminated strings (up to their first NUL) by
// the collation in force.
func strcoll(a, b cstr) int {
	return int(C.strcoll((*C.char)(unsafe.Pointer(&a[0])), (*C.char)(unsafe.Pointer(&b[0]))))
}

// strtodScore is how SORT reads a score: strtod must consume everything
// up to the first NUL and neither overflow, underflow nor give NaN.
func strtodScore(s cstr) (float64, bool) {
	var end *C.char
	p := (*C.char)(unsafe.Pointer(&s[0]))
	v, err := C.strtod(p, &end)
	f := float64(v)
	if *end != 0 || err == syscall.ERANGE || f != f {
		return f, false
	}
	return f, true
}
