package hosttest

import (
	"os"
	"path/filepath"
	"strconv"
	"syscall"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestReservePortIsExclusive: a reserved port's lock file can't be locked
// again (by this or another process) until the reservation is released.
func TestReservePortIsExclusive(t *testing.T) {
	r, err := reservePort()
	require.NoError(t, err)
	lo, hi := portRange()
	require.True(t, r.port >= lo && r.port < hi, "port %d in [%d,%d)", r.port, lo, hi)
	f, err := os.OpenFile(filepath.Join(portLockDir(), strconv.Itoa(r.port)), os.O_RDWR, 0)
	require.NoError(t, err)
	defer f.Close()
	require.ErrorIs(t, syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB), syscall.EWOULDBLOCK)
	r.release()
	require.NoError(t, syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB))
}

// TestLaunchNotFooledByAnotherServer: when the chosen port is held by
// another server that answers PING, the child that failed to bind is not
// taken for ready.
func TestLaunchNotFooledByAnotherServer(t *testing.T) {
	other, err := Launch(t.TempDir(), RedisBin(t), "--save", "", "--bind", "127.0.0.1")
	require.NoError(t, err)
	defer other.Kill()
	p, err := launchOn(t.TempDir(), RedisBin(t), other.Port, []string{"--save", "", "--bind", "127.0.0.1"})
	require.Error(t, err)
	require.NotNil(t, p)
	require.Contains(t, p.Logs(), "already in use")
}
