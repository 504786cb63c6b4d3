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
	Name    string // API name without prefix
	Lang    string // "C" or "Go"
	File    string // file name inside host
	Partial string // reason from a modhost:partial marker, "" if complete
	Errno   bool   // Go export takes a trailing mh_errno *C.int
	NArgs   int    // Go export: parameters, excluding mh_errno
}

var (
	cDefRe      = regexp.MustCompile(`^[A-Za-z_][\w \t\*]*?\bmh_(_?[A-Z]\w*)\s*\(`)
	cPartialRe  = regexp.MustCompile(`^\s*/\*\s*modhost:partial\s+(.+?)\s*\*/\s*$`)
	goExportRe  = regexp.MustCompile(`^//export mhgo_(\w+)\s*$`)
	goPartialRe = regexp.MustCompile(`^//\s*modhost:partial\s+(.+?)\s*$`)
	goFuncRe    = regexp.MustCompile(`^func mhgo_(\w+)\((.*)\)`)
)

// scanHost finds mh_<Name> definitions in *.c and //export mhgo_<Name>
// functions in *.go of dir. Generated files (*_gen.*) are skipped.
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

// scanGo finds //export mhgo_<Name> functions and their markers.
func scanGo(dir, name string) ([]impl, error) {
	lines, err := readLines(dir, name)
	if err != nil {
		return nil, err
	}
	var out []impl
	for i, l := range lines {
		m := goExportRe.FindStringSubmatch(l)
		if m == nil {
			continue
		}
		im := impl{Name: m[1], Lang: "Go", File: name}
		j := i - 1
		for ; j >= 0 && strings.HasPrefix(lines[j], "//"); j-- {
			if pm := goPartialRe.FindStringSubmatch(lines[j]); pm != nil {
				im.Partial = pm[1]
			}
		}
		k := i + 1
		for ; k < len(lines) && strings.HasPrefix(lines[k], "//"); k++ {
			if pm := goPartialRe.FindStringSubmatch(lines[k]); pm != nil {
				im.Partial = pm[1]
			}
		}
		if k >= len(lines) {
			return nil, fmt.Errorf("%s:%d: //export without a function", name, i+1)
		}
		fm := goFuncRe.FindStringSubmatch(lines[k])
		if fm == nil || fm[1] != im.Name {
			return nil, fmt.Errorf("%s:%d: //export mhgo_%s must be followed by func mhgo_%s", name, i+1, im.Name, im.Name)
		}
		params := splitParams(fm[2])
		if n := len(params); n > 0 && strings.HasPrefix(params[n-1], "mh_errno ") {
			im.Errno = true
			params = params[:n-1]
		}
		im.NArgs = len(params) // "a, b C.int" splits into one entry per name
		out = append(out, im)
	}
	return out, nil
}
