package hosttest

import (
	"fmt"
	"math/rand/v2"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
)

// Ports for test servers are taken below the kernel's ephemeral range (so
// no outgoing connection or bind to port 0 is handed one) and reserved
// with an exclusive flock on a per-port file shared by every process using
// this package: parallel test binaries never pick the same port, from the
// moment one is chosen until its server is gone.
const (
	portRangeLow  = 20000 // used when the ephemeral range starts above portRangeHigh
	portRangeHigh = 32000
	portAttempts  = 200
)

// portLockDir is where the per-port lock files live.
func portLockDir() string { return filepath.Join(os.TempDir(), "modhost-hosttest-ports") }

// portReservation holds a port's lock file open (and locked).
type portReservation struct {
	port int
	f    *os.File
	once sync.Once
}

// release drops the reservation; safe to call more than once.
func (r *portReservation) release() {
	if r == nil {
		return
	}
	r.once.Do(func() { _ = r.f.Close() })
}

// portRange returns the range ports are drawn from: [lo, hi).
func portRange() (lo, hi int) {
	lo, hi = portRangeLow, portRangeHigh
	if b, err := os.ReadFile("/proc/sys/net/ipv4/ip_local_port_range"); err == nil {
		if f := strings.Fields(string(b)); len(f) == 2 {
			if eph, err := strconv.Atoi(f[0]); err == nil && eph < hi {
				hi = eph
				lo = min(lo, hi/2)
			}
		}
	}
	return lo, hi
}

// reservePort picks a port that no other user of this package holds and
// that is free right now on every address, and locks it for the caller.
func reservePort() (*portReservation, error) {
	if err := os.MkdirAll(portLockDir(), 0o777); err != nil {
		return nil, err
	}
	lo, hi := portRange()
	for range portAttempts {
		port := lo + rand.IntN(hi-lo)
		f, err := os.OpenFile(filepath.Join(portLockDir(), strconv.Itoa(port)), os.O_CREATE|os.O_RDWR, 0o666)
		if err != nil {
			return nil, err
		}
		if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
			_ = f.Close()
			continue
		}
		if !portFree(port) {
			_ = f.Close()
			continue
		}
		return &portReservation{port: port, f: f}, nil
	}
	return nil, fmt.Errorf("hosttest: no free port in %d-%d after %d attempts", lo, hi, portAttempts)
}

// portFree reports whether port can be bound on the wildcard and loopback
// addresses (servers bind either).
func portFree(port int) bool {
	for _, addr := range []string{"0.0.0.0", "127.0.0.1"} {
		l, err := net.Listen("tcp4", net.JoinHostPort(addr, strconv.Itoa(port)))
		if err != nil {
			return false
		}
		_ = l.Close()
	}
	return true
}

// heldPorts keeps FreePort's reservations for the life of the test binary.
var heldPorts struct {
	sync.Mutex
	r []*portReservation
}

// FreePort returns a TCP port that is free and reserved against every
// other user of this package until the calling process exits.
func FreePort() (int, error) {
	r, err := reservePort()
	if err != nil {
		return 0, err
	}
	heldPorts.Lock()
	heldPorts.r = append(heldPorts.r, r)
	heldPorts.Unlock()
	return r.port, nil
}
