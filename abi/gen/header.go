package main

import (
	"bufio"
	"bytes"
	"fmt"
	"regexp"
	"strings"
)

// apiFunc is one API declaration parsed from redismodule.h.
type apiFunc struct {
	Name     string  // without the RedisModule_ prefix
	Return   string  // normalised C return type, e.g. "void *"
	Params   string  // parameter list as written
	Variadic bool    // last parameter is "..."
	Family   string  // from the preceding "API family:" banner
	Args     []param // parsed Params, without "..."
}

// param is one parameter of a C prototype.
type param struct {
	Decl string // full declaration, e.g. "const char *name"
	Name string // declared name, or "" when unnamed
}

var (
	familyRe = regexp.MustCompile(`^/\* ---- API family: (.+?) ---- \*/$`)
	declRe   = regexp.MustCompile(`^REDISMODULE_API (.+?)\(\*RedisModule_(\w+)\)\((.*)\) REDISMODULE_ATTR\b.*;$`)
)

// parseHeader extracts every REDISMODULE_API function declaration.
func parseHeader(src []byte) ([]apiFunc, error) {
	var out []apiFunc
	seen := map[string]bool{}
	family := ""
	sc := bufio.NewScanner(bytes.NewReader(src))
	sc.Buffer(make([]byte, 1<<16), 1<<20)
	for line := 1; sc.Scan(); line++ {
		text := strings.TrimSpace(sc.Text())
		if m := familyRe.FindStringSubmatch(text); m != nil {
			family = m[1]
			continue
		}
		if !strings.HasPrefix(text, "REDISMODULE_API ") || strings.HasPrefix(text, "#") {
			continue
		}
		m := declRe.FindStringSubmatch(text)
		if m == nil {
			return nil, fmt.Errorf("redismodule.h:%d: unparsable API declaration", line)
		}
		if family == "" {
			return nil, fmt.Errorf("redismodule.h:%d: declaration before any API family banner", line)
		}
		f, err := newAPIFunc(m[2], m[1], m[3], family)
		if err != nil {
			return nil, fmt.Errorf("redismodule.h:%d: %w", line, err)
		}
		if seen[f.Name] {
			return nil, fmt.Errorf("redismodule.h:%d: %s declared twice", line, f.Name)
		}
		seen[f.Name] = true
		out = append(out, f)
	}
	if err := sc.Err(); err != nil {
		return nil, err
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("redismodule.h: no API declarations found")
	}
	return out, nil
}

func newAPIFunc(name, ret, params, family string) (apiFunc, error) {
	f := apiFunc{Name: name, Return: normType(ret), Params: strings.TrimSpace(params), Family: family}
	parts := splitParams(f.Params)
	if len(parts) == 1 && parts[0] == "void" {
		parts = nil
	}
	for i, p := range parts {
		if p == "..." {
			if i != len(parts)-1 {
				return f, fmt.Errorf("%s: ... is not last", name)
			}
			f.Variadic = true
			break
		}
		f.Args = append(f.Args, param{Decl: p, Name: paramName(p)})
	}
	return f, nil
}

// normType collapses spaces and writes pointers as "T *" / "T **".
func normType(t string) string {
	t = strings.Join(strings.Fields(t), " ")
	t = strings.ReplaceAll(t, " *", "*")
	if i := strings.IndexByte(t, '*'); i >= 0 {
		t = t[:i] + " " + t[i:]
	}
	return t
}

// splitParams splits a C parameter list at top-level commas.
func splitParams(s string) []string {
	var out []string
	depth, start := 0, 0
	for i, c := range s {
		switch c {
		case '(':
			depth++
		case ')':
			depth--
		case ',':
			if depth == 0 {
				out = append(out, strings.TrimSpace(s[start:i]))
				start = i + 1
			}
		}
	}
	if rest := strings.TrimSpace(s[start:]); rest != "" {
		out = append(out, rest)
	}
	return out
}

var (
	fnPtrNameRe = regexp.MustCompile(`\(\s*\*\s*(\w+)\s*\)`)
	lastIdentRe = regexp.MustCompile(`(\w+)\s*(\[\w*\])?$`)
	typeWords   = map[string]bool{
		"void": true, "char": true, "short": true, "int": true, "long": true,
		"float": true, "double": true, "unsigned": true, "signed": true,
		"const": true, "size_t": true, "int64_t": true, "uint64_t": true,
		"int32_t": true, "uint32_t": true, "uint8_t": true, "mstime_t": true,
		"ustime_t": true,
	}
)

// paramName returns the declared name of a parameter, or "" if unnamed.
func paramName(p string) string {
	if m := fnPtrNameRe.FindStringSubmatch(p); m != nil {
		return m[1]
	}
	m := lastIdentRe.FindStringSubmatch(p)
	if m == nil {
		return ""
	}
	w := m[1]
	if typeWords[w] || strings.HasPrefix(w, "RedisModule") || !strings.ContainsAny(p, " *") {
		return ""
	}
	return w
}
