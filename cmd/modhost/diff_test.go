package main

import (
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"github.com/modhost/modhost/internal/hosttest"
	"github.com/stretchr/testify/require"
)

// diffDir holds the differential scripts (format: testdata/diff/README.md).
const diffDir = "../../testdata/diff"

// TestDiff runs every script in testdata/diff against a fresh redis-server
// and a fresh modhost (MODHOST_BIN overrides the binary), once with RESP2
// connections and once with RESP3, and reports every reply that differs. Run one script with -run 'TestDiff/connection'.
func TestDiff(t *testing.T) {
	scripts, err := filepath.Glob(filepath.Join(diffDir, "*.txt"))
	require.NoError(t, err)
	require.NotEmpty(t, scripts, "no scripts in %s", diffDir)
	bin := hosttest.ModhostBin(t)
	root, err := hosttest.ModuleRoot()
	require.NoError(t, err)
	for _, path := range scripts {
		name := strings.TrimSuffix(filepath.Base(path), ".txt")
		script, err := hosttest.LoadScript(path)
		require.NoError(t, err)
		args := append([]string(nil), hosttest.DiffArgs...)
		for _, a := range script.ServerArgs {
			args = append(args, strings.ReplaceAll(a, "$ROOT", root))
		}
		for _, proto := range []int{2, 3} {
			t.Run(fmt.Sprintf("%s/resp%d", name, proto), func(t *testing.T) {
				t.Parallel()
				ref := hosttest.StartRedis(t, args...)
				cand := hosttest.StartServer(t, bin, args...)
				hosttest.RunScriptFile(t, script.Clone(), proto,
					hosttest.Target{Name: "redis", Addr: ref.Addr},
					hosttest.Target{Name: "modhost", Addr: cand.Addr})
			})
		}
	}
}
