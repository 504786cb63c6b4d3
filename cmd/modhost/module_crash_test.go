package main

import (
	"errors"
	"fmt"
	"os/exec"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/modhost/modhost/internal/hosttest"
	"github.com/stretchr/testify/require"
)

// crashServer starts modhost with test_crash loaded, sends cmd, and
// returns the log and the signal the process died of.
func crashServer(t *testing.T, cmd ...string) (string, syscall.Signal) {
	t.Helper()
	p, err := hosttest.Launch(t.TempDir(), hosttest.ModhostBin(t), append(append([]string(nil), hosttest.DiffArgs...),
		"--loadmodule", moduleSO(t, "test_crash"))...)
	require.NoError(t, err)
	t.Cleanup(p.Kill)
	c := hosttest.Dial(t, p.Addr)
	defer c.Close()
	require.Equal(t, "+OK\r\n", string(c.Do("SET", "k", "v")))
	_, err = c.Command(cmd...)
	require.Error(t, err, "the connection must drop when the server dies")
	require.Eventually(t, p.Exited, 20*time.Second, 10*time.Millisecond)
	werr := p.Wait()
	var exit *exec.ExitError
	require.True(t, errors.As(werr, &exit), "exit: %v", werr)
	ws := exit.Sys().(syscall.WaitStatus)
	require.True(t, ws.Signaled(), "the process must die of the signal, got %v\n%s", ws, p.Logs())
	return p.Logs(), ws.Signal()
}

// TestModuleCrashReport: a fault in module C code (a NULL dereference, a
// call to abort()) produces the bug report naming the module, the command
// with its arguments and the module function in the backtrace, with INFO
// and the client list, and the process dies of that signal.
func TestModuleCrashReport(t *testing.T) {
	for _, tc := range []struct {
		cmd  []string
		sig  syscall.Signal
		name string
		fn   string
		api  string
	}{
		{[]string{"tcrash.segv", "arg one", "x"}, syscall.SIGSEGV, "SIGSEGV", "tcrash_null_deref", "StringPtrLen"},
		{[]string{"tcrash.abort"}, syscall.SIGABRT, "SIGABRT", "tcrash_call_abort", "GetSelectedDb"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			logs, sig := crashServer(t, tc.cmd...)
			require.Equal(t, tc.sig, sig)
			start := strings.Index(logs, "=== MODHOST BUG REPORT START")
			end := strings.Index(logs, "=== MODHOST BUG REPORT END")
			require.True(t, start >= 0 && end > start, "report missing:\n%s", logs)
			report := logs[start:end]
			require.Contains(t, report, fmt.Sprintf("crashed by signal: %d (%s)", int(tc.sig), tc.name))
			require.Contains(t, report, "module: tcrash\n")
			args := `command: "` + strings.Join(tc.cmd, `" "`) + `"`
			require.Contains(t, report, args+"\n")
			require.Contains(t, report, "last module API call on this thread: RedisModule_"+tc.api+"\n")
			require.Regexp(t, regexp.MustCompile(`(?m)^module .*test_crash\.so\(`+tc.fn+`\+0x[0-9a-f]+\) \[0x[0-9a-f]+\]$`), report)
			require.Contains(t, report, "------ INFO OUTPUT ------\n# Server\n")
			require.Contains(t, report, "db0:keys=1,")
			require.Contains(t, report, "------ CLIENT LIST OUTPUT ------\nid=")
			require.NotContains(t, logs, "goroutine ", "a Go goroutine dump instead of the report")
		})
	}
}
