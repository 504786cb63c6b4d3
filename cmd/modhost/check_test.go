package main

import (
	"encoding/json"
	"errors"
	"os/exec"
	"strings"
	"testing"

	"github.com/modhost/modhost/internal/hosttest"
	"github.com/stretchr/testify/require"
)

// runCheckBin runs `modhost check args...` (the real binary) and returns
// its standard output and exit status.
func runCheckBin(t *testing.T, args ...string) (string, int) {
	t.Helper()
	cmd := exec.Command(hosttest.ModhostBin(t), append([]string{"check"}, args...)...)
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	code := 0
	var exit *exec.ExitError
	if errors.As(err, &exit) {
		code = exit.ExitCode()
	} else {
		require.NoError(t, err)
	}
	return string(out), code
}

// requireLine fails unless out has a line equal to want.
func requireLine(t *testing.T, out, want string) {
	t.Helper()
	for _, l := range strings.Split(out, "\n") {
		if l == want {
			return
		}
	}
	require.Failf(t, "line not found", "want %q in:\n%s", want, out)
}

// TestCheckHello: hello.so loads; its commands are listed with their flags
// and keys, the API functions it asked for with their status, exit 0.
func TestCheckHello(t *testing.T) {
	out, code := runCheckBin(t, moduleSO(t, "hello"))
	require.Equal(t, 0, code, out)
	requireLine(t, out, "Commands (6):")
	requireLine(t, out, "  hello.push.native  arity -1  flags: write denyoom module  keys: first 1 last 1 step 1  acl: none")
	requireLine(t, out, "      key spec 0: RW access update; begin index 1; find range lastkey 0 keystep 1 limit 0")
	requireLine(t, out, "  hello.simple  arity -1  flags: readonly module fast  keys: first 0 last 0 step 0  acl: none")
	requireLine(t, out, "  implemented  RedisModule_CreateCommand")
	requireLine(t, out, "  partial      RedisModule_SetModuleOptions: options are recorded and reported, not acted on")
	require.Contains(t, out, "\nAPI functions asked for (")
	require.Contains(t, out, "missing 0\n")
	require.NotContains(t, out, "  missing  ")
	requireLine(t, out, "Result: OK")
}

// TestCheckRegistrations: a command with SetCommandInfo and ACL
// categories, a subcommand, a data type, a configuration and event
// subscriptions all show.
func TestCheckRegistrations(t *testing.T) {
	out, code := runCheckBin(t, moduleSO(t, "test_check"))
	require.Equal(t, 0, code, out)
	for _, line := range []string{
		`Module ` + moduleSO(t, "test_check") + `: loaded as "tcheck", version 2, API version 1`,
		"  tcheck.get  arity 2  flags: readonly module fast  keys: first 1 last 1 step 1  acl: keyspace read",
		"      key spec 0: RO access; begin index 1; find range lastkey 0 keystep 1 limit 0",
		"    tcheck.box|put  arity -2  flags: write denyoom module  keys: first 2 last 2 step 1  acl: none",
		"  tcheck-ty  encver 3  methods v5  callbacks: rdb_load rdb_save free",
		`  tcheck.verbose  bool  flags: none  value: "no"`,
		"  ForkChild (13)  never fired by modhost",
		"  FlushDB (2)  fired by modhost",
	} {
		requireLine(t, out, line)
	}
}

// TestCheckMissingAPI: a module that asks GetApi for a name modhost does
// not have fails the check, and the name is listed as missing.
func TestCheckMissingAPI(t *testing.T) {
	out, code := runCheckBin(t, moduleSO(t, "test_check"), "missing")
	require.Equal(t, 1, code, out)
	requireLine(t, out, "  missing      RedisModule_NoSuchFunction")
	requireLine(t, out, "  asked for a missing API function: RedisModule_NoSuchFunction")
}

// TestCheckMisuse: API misuse logged during OnLoad fails the check.
func TestCheckMisuse(t *testing.T) {
	out, code := runCheckBin(t, moduleSO(t, "test_check"), "misuse")
	require.Equal(t, 1, code, out)
	require.Contains(t, out, "  warning  API misuse detected in module tcheck: RedisModule_ReplySet*Length()")
	require.Contains(t, out, "Result: 1 problem(s)\n  API misuse: API misuse detected in module tcheck")
}

// TestCheckOnLoadFails: a module whose OnLoad returns an error fails the
// check with Redis's log line; so does a library that cannot be opened.
func TestCheckOnLoadFails(t *testing.T) {
	so := moduleSO(t, "lifecycle")
	out, code := runCheckBin(t, so, "fail")
	require.Equal(t, 1, code, out)
	requireLine(t, out, "Module "+so+": OnLoad FAILED, not loaded")
	requireLine(t, out, "  warning  Module "+so+" initialization failed. Module not loaded")
	require.NotContains(t, out, "Commands (")

	out, code = runCheckBin(t, "/nonexistent/x.so")
	require.Equal(t, 1, code, out)
	require.Contains(t, out, "cannot open shared object file")
}

// checkJSON is the part of the --json object the tests read.
type checkJSON struct {
	Path     string   `json:"path"`
	Loaded   bool     `json:"loaded"`
	OK       bool     `json:"ok"`
	Problems []string `json:"problems"`
	Name     string   `json:"name"`
	Commands []struct {
		Name        string   `json:"name"`
		Flags       []string `json:"flags"`
		Arity       int      `json:"arity"`
		ACL         []string `json:"acl_categories"`
		Subcommands []struct {
			Name string `json:"name"`
		} `json:"subcommands"`
	} `json:"commands"`
	Types []struct {
		Name      string   `json:"name"`
		Callbacks []string `json:"callbacks"`
	} `json:"types"`
	APIs []struct {
		Name   string `json:"name"`
		Status string `json:"status"`
		Note   string `json:"note"`
	} `json:"apis"`
	APICounts map[string]int `json:"api_counts"`
	Misuse    []string       `json:"misuse"`
}

// TestCheckJSON: --json prints one object that parses and carries the
// same facts; the exit status is the same as for text.
func TestCheckJSON(t *testing.T) {
	out, code := runCheckBin(t, "--json", moduleSO(t, "test_check"), "missing")
	require.Equal(t, 1, code, out)
	var res checkJSON
	require.NoError(t, json.Unmarshal([]byte(out), &res), out)
	require.True(t, res.Loaded)
	require.False(t, res.OK)
	require.Equal(t, "tcheck", res.Name)
	require.Equal(t, []string{"asked for a missing API function: RedisModule_NoSuchFunction"}, res.Problems)
	require.Len(t, res.Commands, 2)
	require.Equal(t, "tcheck.get", res.Commands[0].Name)
	require.Equal(t, []string{"readonly", "module", "fast"}, res.Commands[0].Flags)
	require.Equal(t, []string{"keyspace", "read"}, res.Commands[0].ACL)
	require.Equal(t, "tcheck.box|put", res.Commands[1].Subcommands[0].Name)
	require.Equal(t, []string{"rdb_load", "rdb_save", "free"}, res.Types[0].Callbacks)
	status := map[string]string{}
	for _, a := range res.APIs {
		status[a.Name] = a.Status
		if a.Status == "partial" {
			require.NotEmpty(t, a.Note, a.Name)
		}
	}
	require.Equal(t, "missing", status["RedisModule_NoSuchFunction"])
	require.Equal(t, "implemented", status["RedisModule_CreateCommand"])
	require.Equal(t, "partial", status["RedisModule_SetModuleOptions"])
	require.Equal(t, "implemented", status["RedisModule_Call"])
	require.Equal(t, 1, res.APICounts["missing"])
	require.Equal(t, len(res.APIs), res.APICounts["implemented"]+res.APICounts["partial"]+res.APICounts["missing"])
	require.Empty(t, res.Misuse)

	out, code = runCheckBin(t, "--json", moduleSO(t, "hello"))
	require.Equal(t, 0, code, out)
	require.NoError(t, json.Unmarshal([]byte(out), &res))
	require.True(t, res.OK)
	require.Empty(t, res.Problems)
}

// TestCheckUsage: --help answers 0; no module or an unknown option is a
// usage error (2).
func TestCheckUsage(t *testing.T) {
	out, code := runCheckBin(t, "--help")
	require.Equal(t, 0, code)
	require.True(t, strings.HasPrefix(out, "Usage: modhost check [--json] MODULE.so [ARGS...]\n"), out)
	_, code = runCheckBin(t)
	require.Equal(t, 2, code)
	_, code = runCheckBin(t, "--bogus", moduleSO(t, "hello"))
	require.Equal(t, 2, code)
}
