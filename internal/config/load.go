package config

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
)

// FatalError is a configuration error that stops the server at startup.
// Error renders exactly the text redis-server prints to stderr.
type FatalError struct {
	Line   int    // 1-based line of the offending text; 0 when not tied to a line
	Text   string // the offending line, trimmed
	Reason string // Redis's reason, e.g. "Bad directive or wrong number of arguments"
	File   string // the file being read ("" for arguments only); not rendered
}

// Error renders the message as redis-server does.
func (e *FatalError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "\n*** FATAL CONFIG FILE ERROR (Redis %s) ***\n", RedisVersion)
	if e.Line > 0 {
		fmt.Fprintf(&b, "Reading the configuration file, at line %d\n", e.Line)
		fmt.Fprintf(&b, ">>> '%s'\n", e.Text)
	}
	b.WriteString(e.Reason)
	b.WriteByte('\n')
	return b.String()
}

// deprecated directives are accepted and ignored with exactly this many
// words (directive name included).
var deprecated = map[string]int{
	"list-max-ziplist-entries": 2,
	"list-max-ziplist-value":   2,
	"lua-replicate-commands":   2,
}

// LoadString applies a configuration text (file contents, then the
// options from the command line), as redis-server does. file names the
// source for error reports. The error is a *FatalError on bad input, or
// the open error of an included file.
func (c *Config) LoadString(text, file string) error {
	prev := c.readingFile
	c.readingFile = true
	defer func() { c.readingFile = prev }()

	lines := strings.Split(text, "\n")
	for i, raw := range lines {
		line := strings.Trim(raw, " \t\r\n")
		if line == "" || line[0] == '#' {
			continue
		}
		fail := func(reason string) error {
			return &FatalError{Line: i + 1, Text: line, Reason: reason, File: file}
		}
		argv, ok := SplitArgs(line)
		if !ok {
			return fail("Unbalanced quotes in configuration line")
		}
		if len(argv) == 0 {
			continue
		}
		argv[0] = strings.ToLower(argv[0])
		c.lineNo, c.lineText = i+1, line
		if reason, err := c.loadDirective(argv); err != nil {
			return err
		} else if reason != "" {
			return fail(reason)
		}
	}
	return c.checkLoaded(file)
}

// loadDirective applies one split line; it returns a reason for a fatal
// error tied to the line, or an error of its own (from include).
func (c *Config) loadDirective(argv []string) (string, error) {
	name, args := argv[0], argv[1:]
	if d := c.lookup(name); d != nil {
		if d.flags&flagMultiArg == 0 && len(args) != 1 {
			return "wrong number of arguments", nil
		}
		if d.flags&flagMultiArg != 0 && len(args) == 1 && args[0] != "" {
			// A single argument of a multi-argument directive may hold
			// all of them, as in --bind "a b".
			split, ok := SplitArgs(args[0])
			if !ok {
				split = []string{}
			}
			args = split
		}
		if _, reason := c.setValue(d, args); reason != "" {
			return reason, nil
		}
		if d.apply != nil {
			d.apply(c)
		}
		return "", nil
	}
	if n, ok := deprecated[name]; ok && len(argv) == n {
		return "", nil
	}
	switch {
	case name == "include" && len(argv) == 2:
		return "", c.include(argv[1])
	case name == "rename-command" && len(argv) == 3:
		c.renames = append(c.renames, CommandRename{From: argv[1], To: argv[2], Line: c.lineNo, Text: c.lineText})
	case name == "loadmodule" && len(argv) >= 2:
		c.modules = append(c.modules, ModuleSpec{Path: argv[1], Args: append([]string{}, argv[2:]...)})
	case strings.Contains(name, "."):
		if len(args) < 1 {
			return "Module config specified without value", nil
		}
		c.setModuleConfig(name, strings.Join(args, " "))
	default:
		return "Bad directive or wrong number of arguments", nil
	}
	return "", nil
}

func (c *Config) setModuleConfig(name, val string) {
	for i := range c.moduleConfigs {
		if c.moduleConfigs[i][0] == name {
			c.moduleConfigs[i][1] = val
			return
		}
	}
	c.moduleConfigs = append(c.moduleConfigs, [2]string{name, val})
}

// include reads and applies another configuration file.
func (c *Config) include(path string) error {
	text, err := readConfigFile(path)
	if err != nil {
		return err
	}
	return c.LoadString(text, path)
}

// checkLoaded runs the checks redis-server makes after a whole text.
func (c *Config) checkLoaded(file string) error {
	if lf := c.String("logfile"); lf != "" {
		f, err := os.OpenFile(lf, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o644)
		if err != nil {
			return &FatalError{Reason: "Can't open the log file: " + strerror(err), File: file}
		}
		_ = f.Close()
	}
	if c.Bool("cluster-enabled") && c.String("replicaof") != "" {
		return &FatalError{Reason: "replicaof directive not allowed in cluster mode", File: file}
	}
	return nil
}

// readConfigFile reads a file, or every file matching a glob pattern (no
// match is not an error), concatenated.
func readConfigFile(path string) (string, error) {
	paths := []string{path}
	if strings.ContainsAny(path, "*?[") {
		m, err := filepath.Glob(path)
		if err != nil {
			m = nil
		}
		paths = m
	}
	var b strings.Builder
	for _, p := range paths {
		data, err := os.ReadFile(p)
		if err != nil {
			//lint:ignore ST1005 the text is redis-server's own message
			return "", fmt.Errorf("Fatal error, can't open config file '%s': %s", p, strerror(err))
		}
		b.Write(data)
	}
	return b.String(), nil
}

// LoadFile reads the configuration file at path (a glob pattern reads
// every match) and records its absolute path for CONFIG REWRITE. It
// returns the text for the caller to pass, followed by the command line
// options, to LoadString. An unreadable file gives Redis's message
// "Fatal error, can't open config file '<path>': <reason>".
func (c *Config) LoadFile(path string) (string, error) {
	text, err := readConfigFile(path)
	if err != nil {
		return "", err
	}
	if abs, err := filepath.Abs(path); err == nil {
		c.configFile = abs
	} else {
		c.configFile = path
	}
	return text, nil
}

// Args is a parsed redis-server command line.
type Args struct {
	ConfigFile string // the config file argument, or ""
	Stdin      bool   // "-" asked for configuration text on standard input
	Options    string // the "--name value" options as configuration lines
}

// Errors ParseArgs returns for the options that print and exit.
var (
	ErrVersion = errors.New("config: -v/--version requested")
	ErrHelp    = errors.New("config: -h/--help requested")
)

// ParseArgs interprets a redis-server style argv (without the program
// name) as redis-server's main does: a first argument not starting with
// '-' is the config file; "-" as the first or last argument reads
// standard input; "--name v1 v2" becomes the line "name v1 v2" with each
// value quoted; a bare "--save" followed by another option (or last)
// means save "". Values may start with a single '-' ("--hz -1"), and
// after an option name with no value yet, even "--x" is taken as a value.
func ParseArgs(argv []string) (Args, error) {
	var a Args
	if len(argv) == 0 {
		return a, nil
	}
	switch argv[0] {
	case "-v", "--version":
		return a, ErrVersion
	case "-h", "--help":
		return a, ErrHelp
	}
	j := 0
	if !strings.HasPrefix(argv[0], "-") {
		a.ConfigFile = argv[0]
		j = 1
	}
	var opts strings.Builder
	handled := true
	last := len(argv) - 1
	for ; j < len(argv); j++ {
		arg := argv[j]
		switch {
		case arg == "-" && (j == 0 || j == last):
			a.Stdin = true
		case handled && strings.HasPrefix(arg, "--"):
			if opts.Len() > 0 {
				opts.WriteByte('\n')
			}
			opts.WriteString(arg[2:])
			opts.WriteByte(' ')
			words, _ := SplitArgs(arg)
			if len(words) != 1 {
				handled = true
				break
			}
			handled = false
			nextIsOpt := j != last && strings.HasPrefix(argv[j+1], "--")
			switch lower := strings.ToLower(arg); {
			case lower == "--save" && (nextIsOpt || j == last):
				opts.WriteString(`""`)
				handled = nextIsOpt
			case lower == "--sentinel" && nextIsOpt:
				handled = true
			}
		default:
			opts.WriteString(Repr(arg))
			opts.WriteByte(' ')
			handled = true
		}
	}
	a.Options = opts.String()
	return a, nil
}

// ArgsToConfig turns a redis-server style argv (without the program name)
// into the config file to read and the configuration text of the options.
// configFile is "-" when only standard input was asked for (the caller
// reads it); use ParseArgs to tell a file plus "-" apart.
func ArgsToConfig(argv []string) (configFile string, text string, err error) {
	a, err := ParseArgs(argv)
	if err != nil {
		return "", "", err
	}
	configFile = a.ConfigFile
	if configFile == "" && a.Stdin {
		configFile = "-"
	}
	return configFile, a.Options, nil
}

// LoadArgs does a whole redis-server startup load: it parses argv, reads
// the config file (recording it for CONFIG REWRITE) and stdin when asked,
// and applies the file, stdin and options texts in that order.
func (c *Config) LoadArgs(argv []string, stdin io.Reader) error {
	a, err := ParseArgs(argv)
	if err != nil {
		return err
	}
	var text strings.Builder
	if a.ConfigFile != "" {
		t, err := c.LoadFile(a.ConfigFile)
		if err != nil {
			return err
		}
		text.WriteString(t)
	}
	if a.Stdin && stdin != nil {
		data, err := io.ReadAll(stdin)
		if err != nil {
			return err
		}
		text.Write(data)
	}
	if len(argv) > 0 {
		text.WriteString("\n")
		text.WriteString(a.Options)
	}
	return c.LoadString(text.String(), a.ConfigFile)
}
