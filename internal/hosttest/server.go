package hosttest

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"

	"github.com/redis/go-redis/v9"
)

// RedisServerBin is the reference server StartRedis runs. The REDIS_BIN
// environment variable overrides it.
const RedisServerBin = "redis-server"

// DiffArgs are the extra arguments both sides of a differential run get.
var DiffArgs = []string{
	"--save", "", "--appendonly", "no",
	"--enable-debug-command", "yes", "--enable-module-command", "yes",
}

// Server is a server process owned by a test.
type Server struct {
	*Process
	tb testing.TB
}

// StartServer starts bin with args (redis-server command line: an optional
// config file first, then --option value pairs) on a free loopback port,
// waits until it is ready and kills it in t.Cleanup. The server's output is
// printed when the test fails. A server built with -race that reported a
// data race (RaceWarning in its output) fails the test with the reports.
func StartServer(t testing.TB, bin string, args ...string) *Server {
	t.Helper()
	p, err := Launch(t.TempDir(), bin, args...)
	if err != nil {
		if races := RaceReports(err.Error()); races != "" {
			t.Errorf("hosttest: %s reported data races before it was ready:\n%s", filepath.Base(bin), races)
		}
		t.Fatalf("hosttest: %v", err)
	}
	s := &Server{Process: p, tb: t}
	t.Cleanup(func() {
		p.Kill()
		if races := p.RaceReports(); races != "" {
			t.Errorf("hosttest: %s on port %d reported data races:\n%s", filepath.Base(bin), p.Port, races)
			return
		}
		if t.Failed() {
			t.Logf("--- log of %s on port %d ---\n%s", filepath.Base(bin), p.Port, p.Logs())
		}
	})
	return s
}

// RedisBin returns the path of Debian's redis-server (or $REDIS_BIN). If it
// is missing the test fails rather than skips: `make test` installs it.
func RedisBin(t testing.TB) string {
	t.Helper()
	name := os.Getenv("REDIS_BIN")
	if name == "" {
		name = RedisServerBin
	}
	path, err := exec.LookPath(name)
	if err != nil {
		t.Fatalf("hosttest: %s not found (%v); run scripts/install-deps.sh", name, err)
	}
	return path
}

// StartRedis starts the reference redis-server with args, like StartServer.
func StartRedis(t testing.TB, args ...string) *Server {
	t.Helper()
	return StartServer(t, RedisBin(t), args...)
}

// StartModhost starts the modhost binary (see ModhostBin) with args.
func StartModhost(t testing.TB, args ...string) *Server {
	t.Helper()
	return StartServer(t, ModhostBin(t), args...)
}

var modhostBuild struct {
	once sync.Once
	path string
	err  error
}

// ModhostBin returns $MODHOST_BIN if set, otherwise builds ./cmd/modhost of
// this module into a temporary directory, once per test binary.
func ModhostBin(t testing.TB) string {
	t.Helper()
	if bin := os.Getenv("MODHOST_BIN"); bin != "" {
		path, err := exec.LookPath(bin)
		if err != nil {
			t.Fatalf("hosttest: MODHOST_BIN=%s: %v", bin, err)
		}
		return path
	}
	modhostBuild.once.Do(func() {
		modhostBuild.path, modhostBuild.err = buildModhost()
	})
	if modhostBuild.err != nil {
		t.Fatalf("hosttest: %v", modhostBuild.err)
	}
	return modhostBuild.path
}

func buildModhost() (string, error) {
	root, err := ModuleRoot()
	if err != nil {
		return "", err
	}
	dir, err := os.MkdirTemp("", "hosttest-modhost-")
	if err != nil {
		return "", err
	}
	out := filepath.Join(dir, "modhost")
	cmd := exec.Command("go", "build", "-o", out, "./cmd/modhost")
	cmd.Dir = root
	if b, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("go build ./cmd/modhost: %v\n%s", err, b)
	}
	return out, nil
}

// ModuleRoot returns the directory holding this module's go.mod, found by
// walking up from the working directory.
func ModuleRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", fmt.Errorf("no go.mod above the working directory")
		}
		dir = parent
	}
}

// Conn opens a raw connection to the server, closed in the test's cleanup.
func (s *Server) Conn(t testing.TB) *Conn {
	t.Helper()
	return Dial(t, s.Addr)
}

// Client returns a go-redis client for the server speaking protocol proto
// (2 or 3), closed in the test's cleanup.
func (s *Server) Client(t testing.TB, proto int) *redis.Client {
	t.Helper()
	return NewClient(t, s.Addr, proto)
}

// NewClient returns a go-redis client for addr speaking protocol proto
// (2 or 3) without CLIENT SETINFO on connect, closed in t.Cleanup.
func NewClient(t testing.TB, addr string, proto int) *redis.Client {
	c := redis.NewClient(&redis.Options{
		Addr:            addr,
		Protocol:        proto,
		DisableIdentity: true,
		MaxRetries:      -1,
	})
	t.Cleanup(func() { _ = c.Close() })
	return c
}
