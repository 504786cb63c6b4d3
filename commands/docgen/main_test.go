package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// TestGeneratedDocsUpToDate regenerates the docs table from the Redis
// source tree (REDIS_SRC, default /work/ext/redis-7.2.6) and compares it
// with the committed commands/docs_gen.go; it is skipped where that tree
// is absent.
func TestGeneratedDocsUpToDate(t *testing.T) {
	src := os.Getenv("REDIS_SRC")
	if src == "" {
		src = "/work/ext/redis-7.2.6"
	}
	if _, err := os.Stat(filepath.Join(src, "src", "commands", "xadd.json")); err != nil {
		t.Skipf("no Redis source tree at %s", src)
	}
	out := filepath.Join(t.TempDir(), "docs_gen.go")
	cmd := exec.Command("go", "run", ".", out)
	cmd.Env = append(os.Environ(), "REDIS_SRC="+src)
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("docgen: %v\n%s", err, b)
	}
	got, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	want, err := os.ReadFile(filepath.Join("..", "docs_gen.go"))
	if err != nil {
		t.Fatal(err)
	}
	if string(got) != string(want) {
		t.Fatal("commands/docs_gen.go is stale: run go generate ./commands")
	}
}
