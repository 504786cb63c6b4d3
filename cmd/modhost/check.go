package main

// `modhost check MODULE.so [ARGS...]`: load a module into a private
// in-process host (no port, no config file) with the server's own loader
// and report what it asked for and registered, for module authors and CI.

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"

	"github.com/modhost/modhost/abi"
	"github.com/modhost/modhost/commands"
	"github.com/modhost/modhost/host"
	"github.com/modhost/modhost/internal/config"
	"github.com/modhost/modhost/internal/logging"
	"github.com/modhost/modhost/server"
)

const checkUsage = `Usage: modhost check [--json] MODULE.so [ARGS...]

Loads MODULE.so into a private in-process host (no listening port, no
config file; the same loader as the server) with ARGS for its OnLoad, and
reports:
  - every API function it asked GetApi for, with its status in modhost
    (implemented, partial and why, missing)
  - the commands it registered: flags, arity, first/last/step, key specs,
    ACL categories, subcommands
  - its data types: callbacks present, encoding version
  - its configurations, server-event subscriptions and module options
  - what was logged during OnLoad, API misuse included

Options (before MODULE.so; everything after it goes to the module):
  --json    print one JSON object instead of text
  -h, --help

Exit status: 0 when the module loaded, asked for nothing missing and
misused nothing; 1 otherwise; 2 for a usage error.
`

// Exit statuses of modhost check.
const (
	checkOK       = 0
	checkProblems = 1
	checkUsageErr = 2
)

// apiStatus is one API function a module asked for, with its status here.
type apiStatus struct {
	Name   string `json:"name"`
	Status string `json:"status"` // implemented, partial, missing
	Note   string `json:"note,omitempty"`
}

// logLine is one line logged while the module loaded.
type logLine struct {
	Level   string `json:"level"`
	Message string `json:"message"`
}

// checkResult is what modhost check reports (the --json object).
type checkResult struct {
	Path     string   `json:"path"`
	Args     []string `json:"args"`
	Loaded   bool     `json:"loaded"`
	OK       bool     `json:"ok"`
	Problems []string `json:"problems"`
	*host.ModuleReport
	APIs      []apiStatus    `json:"apis"`
	APICounts map[string]int `json:"api_counts"`
	Log       []logLine      `json:"log"`
	Misuse    []string       `json:"misuse"`
}

// runCheck is `modhost check`; args follow the word "check".
func runCheck(args []string, stdout, stderr io.Writer) int {
	asJSON := false
	for len(args) > 0 && strings.HasPrefix(args[0], "-") {
		switch args[0] {
		case "--json":
			asJSON = true
		case "-h", "--help":
			fmt.Fprint(stdout, checkUsage)
			return checkOK
		default:
			fmt.Fprintf(stderr, "modhost check: unknown option %s\n\n%s", args[0], checkUsage)
			return checkUsageErr
		}
		args = args[1:]
	}
	if len(args) == 0 {
		fmt.Fprintf(stderr, "modhost check: no module given\n\n%s", checkUsage)
		return checkUsageErr
	}
	res := checkModule(args[0], args[1:])
	if asJSON {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		_ = enc.Encode(res)
	} else {
		writeCheckText(stdout, res)
	}
	if !res.OK {
		return checkProblems
	}
	return checkOK
}

// checkModule loads path with args into a private host and reports.
func checkModule(path string, args []string) *checkResult {
	var logs lineCollector
	log := logging.NewWriter(&logs, logging.Debug)
	srv := server.New(config.New(), log)
	srv.AddCommands(commands.Tables(), commands.DebugSubcommands())
	sys := host.New(srv)
	srv.Modules = sys

	res := &checkResult{Path: path, Args: append([]string{}, args...), Problems: []string{}, Misuse: []string{}}
	srv.Lock()
	err := sys.Load(dlopenPath(path), args)
	reqs := sys.LastLoadAPIs()
	if err == nil {
		if mods := sys.List(); len(mods) == 1 {
			res.ModuleReport = sys.Report(mods[0].Name)
		}
	}
	srv.Unlock()

	res.Loaded = err == nil && res.ModuleReport != nil
	if !res.Loaded {
		res.Problems = append(res.Problems, "the module did not load: OnLoad failed or the library could not be opened (see the log)")
	}
	res.APIs, res.APICounts = apiStatuses(reqs)
	for _, a := range res.APIs {
		if a.Status == string(abi.Missing) {
			res.Problems = append(res.Problems, "asked for a missing API function: "+a.Name)
		}
	}
	res.Log = logs.take()
	for _, l := range res.Log {
		if isMisuse(l.Message) {
			res.Misuse = append(res.Misuse, l.Message)
			res.Problems = append(res.Problems, "API misuse: "+l.Message)
		}
	}
	res.OK = len(res.Problems) == 0
	return res
}

// dlopenPath makes a path without a slash that names an existing file
// relative to the working directory: dlopen would search the library path
// for it instead (the server keeps Redis's behaviour; check is a tool).
func dlopenPath(path string) string {
	if strings.Contains(path, "/") {
		return path
	}
	if _, err := os.Stat(path); err == nil {
		return "." + string(filepath.Separator) + path
	}
	return path
}

// apiStatuses gives each requested name its status in abi's table.
func apiStatuses(reqs []host.APIRequest) ([]apiStatus, map[string]int) {
	out := make([]apiStatus, 0, len(reqs))
	counts := map[string]int{string(abi.Implemented): 0, string(abi.Partial): 0, string(abi.Missing): 0}
	for _, r := range reqs {
		st := apiStatus{Name: r.Name, Status: string(abi.Missing)}
		if fn, ok := abi.Lookup(r.Bare); ok && r.Found {
			st.Status, st.Note = string(fn.Status), fn.Note
		} else if r.Found {
			st.Status = string(abi.Implemented) // in the table, not in the header
		}
		counts[st.Status]++
		out = append(out, st)
	}
	return out, counts
}

// misuseLineRe matches the host's misuse diagnostics:
// "module <name>: <command or thread>: <what>".
var misuseLineRe = regexp.MustCompile(`^module [^ :]+: [^:]+: `)

// isMisuse reports whether a log message is an API misuse diagnostic.
func isMisuse(msg string) bool {
	return strings.Contains(msg, "API misuse") || misuseLineRe.MatchString(msg)
}

// lineCollector is the log of a check: it splits the logger's lines into
// level and message.
type lineCollector struct {
	mu    sync.Mutex
	buf   []byte
	lines []logLine
}

// Write implements io.Writer; the logger writes whole lines.
func (c *lineCollector) Write(p []byte) (int, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.buf = append(c.buf, p...)
	for {
		i := strings.IndexByte(string(c.buf), '\n')
		if i < 0 {
			break
		}
		c.lines = append(c.lines, parseLogLine(string(c.buf[:i])))
		c.buf = c.buf[i+1:]
	}
	return len(p), nil
}

// take returns the lines so far.
func (c *lineCollector) take() []logLine {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]logLine{}, c.lines...)
}

// levelByMark maps the logger's level characters to level names.
var levelByMark = map[string]string{".": "debug", "-": "verbose", "*": "notice", "#": "warning"}

// parseLogLine splits "pid:M dd Mon yyyy hh:mm:ss.mmm <c> message".
func parseLogLine(line string) logLine {
	f := strings.SplitN(line, " ", 7)
	if len(f) == 7 && levelByMark[f[5]] != "" {
		return logLine{Level: levelByMark[f[5]], Message: f[6]}
	}
	return logLine{Level: "raw", Message: line}
}
