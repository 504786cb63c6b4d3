package hosttest

import (
	"os"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// TestProcCPU: the test process's own CPU time grows while it spins.
func TestProcCPU(t *testing.T) {
	before, err := ProcCPU(os.Getpid())
	require.NoError(t, err)
	for end := time.Now().Add(300 * time.Millisecond); time.Now().Before(end); {
	}
	after, err := ProcCPU(os.Getpid())
	require.NoError(t, err)
	require.Greater(t, after, before)
	_, err = ProcCPU(-1)
	require.Error(t, err)
}
