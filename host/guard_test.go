package host

import (
	"bytes"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/modhost/modhost/internal/logging"
)

// panickingExport behaves like a generated export whose implementation
// panics: the named result is preset to the error value.
func panickingExport() (r int) {
	r = 1
	defer guardExport(nil, "Example")
	panic("boom")
}

func TestGuardExportTurnsPanicIntoErrorReturn(t *testing.T) {
	var buf bytes.Buffer
	oldLog, oldSrv := fallbackLog, defaultServer.Swap(nil)
	fallbackLog = logging.NewWriter(&buf, logging.Notice)
	defer func() { fallbackLog = oldLog; defaultServer.Store(oldSrv) }()

	require.Equal(t, 1, panickingExport())
	require.Contains(t, buf.String(), "module ?: ?: RedisModule_Example: boom")
}

func TestGuardExportRunsOnPanicOnlyAfterPanic(t *testing.T) {
	var buf bytes.Buffer
	oldLog, oldSrv := fallbackLog, defaultServer.Swap(nil)
	fallbackLog = logging.NewWriter(&buf, logging.Notice)
	defer func() { fallbackLog = oldLog; defaultServer.Store(oldSrv) }()

	ran := 0
	func() {
		defer guardExport(nil, "Quiet", func() { ran++ })
	}()
	require.Zero(t, ran)
	require.Empty(t, buf.String())
	func() {
		defer guardExport(nil, "Loud", func() { ran++ })
		panic("x")
	}()
	require.Equal(t, 1, ran)
	require.Contains(t, buf.String(), "RedisModule_Loud: x")
}
