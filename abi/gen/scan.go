package main

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
)

// impl is one host implementation found in host.
type impl struct {
	Name     string   // API name without prefix
	Lang     string   // "C" or "Go"
	File     string   // file name inside host
	Partial  string   // reason from a modhost:partial marker, "" if complete
	Errno    bool     // Go: takes a trailing mh_errno *C.int
	NArgs    int      // Go: parameters, excluding mh_errno
	GoParams string   // Go: parameter list as written
	GoResult string   // Go: result type, "" for none (names dropped)
	ArgNames []string // Go: parameter names in order, mh_errno included
	Includes []string // Go: #include lines of the file's cgo preamble
}

var (
	cDefRe      = regexp.MustCompile(`^[A-Za-z_][\w \t\*]*?\bmh_(_?[A-Z]\w*)\s*\(`)
	cPartialRe  = regexp.MustCompile(`^\s*/\*\s*modhost:partial\s+(.+?)\s*\*/\s*$`)
	goExportRe  = regexp.MustCompile(`^//export mhgo_(\w+)\s*$`)
	goPartialRe = regexp.MustCompile(`^//\s*modhost:partial\s+(.+?)\s*$`)
	goImplRe    = regexp.MustCompile(`^func api([A-Z]\w*)(\(.*) \{$`)
	includeRe   = regexp.MustCompile(`^#include [<"].+[>"]$`)
)

// scanHost finds mh_<Name> definitions in *.c and Go implementations
// func api<Name> in *.go of dir. Generated files (*_gen.*) are skipped.
func scanHost(dir string) (map[string]impl, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, err
	}
	out := map[string]impl{}
	add := func(im impl) error {
		if prev, ok := out[im.Name]; ok {
			return fmt.Errorf("%s implemented twice: %s and %s", im.Name, prev.File, im.File)
		}
		out[im.Name] = im
		return nil
	}
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	sort.Strings(names)
	for _, name := range names {
		if strings.Contains(name, "_gen.") || strings.HasSuffix(name, "_test.go") {
			continue
		}
		var found []impl
		switch filepath.Ext(name) {
		case ".c":
			found, err = scanC(dir, name)
		case ".go":
			found, err = scanGo(dir, name)
		default:
			continue
		}
		if err != nil {
			return nil, err
		}
		for _, im := range found {
			if err := add(im); err != nil {
				return nil, err
			}
		}
	}
	return out, nil
}

func readLines(dir, name string) ([]string, error) {
	b, err := os.ReadFile(filepath.Join(dir, name))
	if err != nil {
		return nil, err
	}
	return strings.Split(string(b), "\n"), nil
}

// scanC finds external function definitions named mh_<Upper...>. A
// definition is a line starting at column 0 that does not end in ';'.
func scanC(dir, name string) ([]impl, error) {
	lines, err := readLines(dir, name)
	if err != nil {
		return nil, err
	}
	var out []impl
	for i, l := range lines {
		m := cDefRe.FindStringSubmatch(l)
		if m == nil || strings.HasPrefix(l, "static") || strings.HasSuffix(strings.TrimSpace(l), ";") {
			continue
		}
		im := impl{Name: m[1], Lang: "C", File: name}
		for j := i - 1; j >= 0 && isCommentLine(lines[j]); j-- {
			if pm := cPartialRe.FindStringSubmatch(lines[j]); pm != nil {
				im.Partial = pm[1]
			}
		}
		out = append(out, im)
	}
	return out, nil
}

func isCommentLine(l string) bool {
	t := strings.TrimSpace(l)
	return strings.HasPrefix(t, "/*") || strings.HasPrefix(t, "*") || strings.HasPrefix(t, "//")
}

// scanGo finds the Go implementations func api<Name>(...) of a file, their
// modhost:partial markers (in the doc comment) and the file's cgo includes.
// The //export mhgo_<Name> trampolines are generated, so a hand-written
// one is an error.
func scanGo(dir, name string) ([]impl, error) {
	lines, err := readLines(dir, name)
	if err != nil {
		return nil, err
	}
	includes := preambleIncludes(lines)
	var out []impl
	for i, l := range lines {
		if goExportRe.MatchString(l) {
			return nil, fmt.Errorf("%s:%d: hand-written %s: write func api<Name> instead, abi/gen emits the export", name, i+1, l)
		}
		m := goImplRe.FindStringSubmatch(l)
		if m == nil {
			continue
		}
		params, result, ok := splitSignature(m[2])
		if !ok {
			return nil, fmt.Errorf("%s:%d: cannot parse the signature of api%s", name, i+1, m[1])
		}
		im := impl{Name: m[1], Lang: "Go", File: name, GoParams: params, Includes: includes}
		for j := i - 1; j >= 0 && strings.HasPrefix(lines[j], "//"); j-- {
			if pm := goPartialRe.FindStringSubmatch(lines[j]); pm != nil {
				im.Partial = pm[1]
			}
		}
		im.GoResult = resultType(result)
		plist := splitParams(params)
		for _, p := range plist {
			im.ArgNames = append(im.ArgNames, strings.Fields(p)[0])
		}
		if n := len(plist); n > 0 && strings.HasPrefix(plist[n-1], "mh_errno ") {
			im.Errno = true
			plist = plist[:n-1]
		}
		im.NArgs = len(plist) // "a, b C.int" splits into one entry per name
		out = append(out, im)
	}
	return out, nil
}

// splitSignature splits "(params) result" at the parenthesis that closes
// the parameter list.
func splitSignature(s string) (params, result string, ok bool) {
	depth := 0
	for i, c := range s {
		switch c {
		case '(':
			depth++
		case ')':
			depth--
			if depth == 0 {
				return s[1:i], strings.TrimSpace(s[i+1:]), true
			}
		}
	}
	return "", "", false
}

// resultType drops the parentheses and name of a single named result:
// "(rc C.int)" becomes "C.int".
func resultType(s string) string {
	s = strings.TrimSpace(s)
	if strings.HasPrefix(s, "(") && strings.HasSuffix(s, ")") {
		f := strings.Fields(s[1 : len(s)-1])
		if len(f) == 2 {
			return f[1]
		}
		return strings.Join(f, " ")
	}
	return s
}

// preambleIncludes returns the #include lines of the comment before
// import "C".
func preambleIncludes(lines []string) []string {
	var out []string
	for i, l := range lines {
		if l != `import "C"` {
			continue
		}
		for j := i - 1; j >= 0 && !strings.HasPrefix(lines[j], "/*"); j-- {
			if t := strings.TrimSpace(lines[j]); includeRe.MatchString(t) {
				out = append(out, t)
			}
		}
		break
	}
	return out
}
