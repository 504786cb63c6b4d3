package config

import (
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// newAcceptingUnimplemented is a Config for tests of the parsers that
// store values modhost refuses at run time.
func newAcceptingUnimplemented() *Config {
	c := New()
	c.acceptUnimplemented = true
	return c
}

// nonDefaultValues gives a valid non-default value for directives whose
// type gives no obvious one.
var nonDefaultValues = map[string]string{
	"replicaof":                         "127.0.0.1 6380",
	"client-output-buffer-limit":        "normal 1mb 1mb 10",
	"oom-score-adj-values":              "1 2 3",
	"save":                              "10 1",
	"bind":                              "127.0.0.1",
	"notify-keyspace-events":            "KEA",
	"latency-tracking-info-percentiles": "50",
	"dir":                               os.TempDir(),
	"shutdown-on-sigint":                "save",
	"shutdown-on-sigterm":               "nosave",
}

// nonDefault returns a valid value other than d's default, as CONFIG SET
// takes it.
func nonDefault(t *testing.T, d *directive) string {
	if v, ok := nonDefaultValues[d.name]; ok {
		return v
	}
	switch v := d.val.(type) {
	case *boolValue:
		return yesNo(!v.def)
	case *enumValue:
		for _, it := range v.items {
			if it.val != v.def {
				return it.name
			}
		}
	case *numericValue:
		for _, cand := range []int64{v.def + 1, v.def - 1, v.lo, v.hi} {
			if v.check(cand) == "" && cand != v.def {
				if v.style&numOctal != 0 {
					return strconv.FormatInt(cand, 8)
				}
				if v.unsigned {
					return strconv.FormatUint(uint64(cand), 10)
				}
				return strconv.FormatInt(cand, 10)
			}
		}
	case *stringValue:
		return "x1"
	}
	t.Fatalf("no non-default value known for %s", d.name)
	return ""
}

// configReaders returns the text of every non-test Go file of the module
// outside this package's table and class lists: where a directive's value
// is read by name.
func configReaders(t *testing.T) string {
	var b strings.Builder
	root := filepath.Join("..", "..")
	err := filepath.WalkDir(root, func(p string, e fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if e.IsDir() && (e.Name() == "testdata" || e.Name() == "modules_c" || strings.HasPrefix(e.Name(), ".")) && p != root {
			return filepath.SkipDir
		}
		base := e.Name()
		if e.IsDir() || !strings.HasSuffix(base, ".go") || strings.HasSuffix(base, "_test.go") {
			return nil
		}
		if abs, _ := filepath.Abs(p); strings.HasSuffix(abs, "internal/config/table.go") || strings.HasSuffix(abs, "internal/config/support.go") {
			return nil
		}
		data, err := os.ReadFile(p)
		b.Write(data)
		return err
	})
	require.NoError(t, err)
	return b.String()
}

// honouredInPackage are honoured directives not read by their literal
// name: where they take effect.
var honouredInPackage = map[string]string{
	"dir":                 "dirValue changes the working directory",
	"shutdown-on-sigint":  `cmd/modhost reads "shutdown-on-" + signal`,
	"shutdown-on-sigterm": `cmd/modhost reads "shutdown-on-" + signal`,
}

// TestEveryDirectiveHasAClass walks the whole table: a honoured directive
// is read somewhere, an unimplemented one refuses any non-default value
// (at start-up and by CONFIG SET) and accepts its default, and one
// without meaning here is documented in docs/CONFIG.md with its reason.
func TestEveryDirectiveHasAClass(t *testing.T) {
	readers := configReaders(t)
	doc, err := os.ReadFile(filepath.Join("..", "..", "docs", "CONFIG.md"))
	require.NoError(t, err)
	for _, d := range New().table {
		t.Run(d.name, func(t *testing.T) {
			_, meaningless := noMeaning[d.name]
			require.False(t, meaningless && unimplemented[d.name], "in two classes")
			val := nonDefault(t, d)
			line := d.name + " " + Repr(val)
			if d.flags&flagMultiArg != 0 {
				line = d.name + " " + val
			}
			switch {
			case unimplemented[d.name]:
				want := "modhost does not implement '" + d.name + "' yet"
				if d.name == "activedefrag" {
					want = activeDefragRefusal
				}
				err := New().LoadString(line, "t.conf")
				require.Error(t, err, line)
				require.Contains(t, err.Error(), want)
				defLine := d.name + " " + Repr(d.defValue)
				if d.name == "replicaof" {
					defLine = "replicaof no one"
				}
				require.NoError(t, New().LoadString(defLine, "t.conf"))
				if d.flags&(flagImmutable|flagProtected) == 0 {
					c := New()
					before := c.Get("*")
					err := c.Set([][2]string{{d.name, val}})
					require.EqualError(t, err, "ERR CONFIG SET failed (possibly related to argument '"+
						d.name+"') - "+refusal(d))
					require.Equal(t, before, c.Get("*"), "value kept")
					if d.name != "replicaof" {
						require.NoError(t, c.Set([][2]string{{d.name, d.defValue}}))
					}
				}
			case meaningless:
				require.NotEmpty(t, noMeaning[d.name])
				require.Contains(t, string(doc), "`"+d.name+"`", "docs/CONFIG.md lists it")
				require.NoError(t, New().LoadString(line, "t.conf"))
			default:
				if _, ok := honouredInPackage[d.name]; ok {
					break
				}
				require.True(t, strings.Contains(readers, `"`+d.name+`"`),
					"%s is neither read anywhere, refused, nor documented as without meaning", d.name)
			}
		})
	}
	for name := range unimplemented {
		require.NotNil(t, New().lookup(name), "unimplemented lists unknown %s", name)
	}
	for name := range noMeaning {
		require.NotNil(t, New().lookup(name), "noMeaning lists unknown %s", name)
	}
}

// defaultConfLines are the directives Redis's Tcl suite starts every
// server with (tests/assets/default.conf of Redis 7.2) and adds itself.
var defaultConfLines = []string{
	"always-show-logo yes", "notify-keyspace-events KEA", "daemonize no",
	"pidfile /var/run/redis.pid", "port 6379", "timeout 0", "bind 127.0.0.1",
	"loglevel verbose", "logfile ''", "databases 16", "latency-monitor-threshold 1",
	"repl-diskless-sync-delay 0", "save ''", "save 900 1", "rdbcompression yes",
	"dbfilename dump.rdb", "dir ./", "slave-serve-stale-data yes", "appendonly no",
	"appendfsync everysec", "no-appendfsync-on-rewrite no", "activerehashing yes",
	"enable-protected-configs yes", "enable-debug-command yes",
	"enable-module-command yes", "propagation-error-behavior panic",
	"shutdown-on-sigterm force", "unixsocket /tmp/x/socket", "loglevel debug",
}

// TestRedisSuiteDefaultConfAccepted checks that every line of Redis's
// test-suite configuration loads, and is honoured, without meaning here,
// or the default value.
func TestRedisSuiteDefaultConfAccepted(t *testing.T) {
	for _, line := range defaultConfLines {
		c := New()
		require.NoError(t, c.LoadString(line, "default.conf"), line)
		name := strings.Fields(line)[0]
		d := c.lookup(name)
		require.NotNil(t, d)
		if unimplemented[d.name] {
			require.Equal(t, d.defValue, d.val.get(c), "%s: an unimplemented directive at a non-default value", line)
		}
	}
}
