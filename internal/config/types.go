package config

import (
	"fmt"
	"math"
	"strconv"
	"strings"
)

// Directive flags (the subset of upstream's that changes behaviour here).
const (
	flagImmutable = 1 << iota // CONFIG SET refuses it
	flagProtected             // CONFIG SET needs enable-protected-configs
	flagHidden                // only an exact CONFIG GET name shows it
	flagSensitive             // value must not be logged
	flagMultiArg              // takes several arguments
	flagVolatile              // every set counts as a change
)

// value is the typed storage and behaviour of one directive.
type value interface {
	// set parses and stores args; err is Redis's reason text on failure.
	set(c *Config, args []string) (changed bool, err string)
	// get renders the value as CONFIG GET does.
	get(c *Config) string
	// rewrite emits the directive's lines into a CONFIG REWRITE state.
	rewrite(c *Config, st *rewriteState, name string)
}

// directive is one configuration entry; aliases share the same value.
type directive struct {
	name  string
	alias string
	flags int
	val   value
	apply func(c *Config) string // optional internal apply step
	// defValue is the default as CONFIG GET shows it.
	defValue string
}

// boolValue is a yes/no directive.
type boolValue struct {
	v, def bool
	valid  func(bool) string
}

func (b *boolValue) set(_ *Config, args []string) (bool, string) {
	var yn bool
	switch strings.ToLower(args[0]) {
	case "yes":
		yn = true
	case "no":
	default:
		return false, "argument must be 'yes' or 'no'"
	}
	if b.valid != nil {
		if e := b.valid(yn); e != "" {
			return false, e
		}
	}
	changed := b.v != yn
	b.v = yn
	return changed, ""
}

func yesNo(v bool) string {
	if v {
		return "yes"
	}
	return "no"
}

func (b *boolValue) get(*Config) string { return yesNo(b.v) }

func (b *boolValue) rewrite(_ *Config, st *rewriteState, name string) {
	st.rewriteLine(name, name+" "+yesNo(b.v), b.v != b.def)
}

// stringValue is a free-text directive; null models upstream's NULL
// (unset) value, which CONFIG GET shows as "".
type stringValue struct {
	v         string
	null      bool
	def       string
	defNull   bool
	emptyNull bool // an empty argument stores NULL
	valid     func(string) string
}

func (s *stringValue) set(_ *Config, args []string) (bool, string) {
	if s.valid != nil {
		if e := s.valid(args[0]); e != "" {
			return false, e
		}
	}
	newNull := s.emptyNull && args[0] == ""
	changed := newNull != s.null || (!newNull && args[0] != s.v)
	s.v, s.null = args[0], newNull
	if newNull {
		s.v = ""
	}
	return changed, ""
}

func (s *stringValue) get(*Config) string { return s.v }

func (s *stringValue) rewrite(_ *Config, st *rewriteState, name string) {
	if s.null {
		st.markProcessed(name)
		return
	}
	force := s.defNull || s.v != s.def
	st.rewriteLine(name, name+" "+Repr(s.v), force)
}

// enumItem is one name of an enum directive.
type enumItem struct {
	name string
	val  int
}

// enumValue is a directive taking one of a set of names (or, for
// multi-argument enums, several names OR-ed together as bit flags).
type enumValue struct {
	v, def int
	items  []enumItem
	multi  bool
	valid  func(int) string
}

func (e *enumValue) set(_ *Config, args []string) (bool, string) {
	v, ok := e.parse(args)
	if !ok {
		names := make([]string, len(e.items))
		for i, it := range e.items {
			names[i] = it.name
		}
		return false, "argument(s) must be one of the following: " + strings.Join(names, ", ")
	}
	if e.valid != nil {
		if msg := e.valid(v); msg != "" {
			return false, msg
		}
	}
	changed := v != e.v
	e.v = v
	return changed, ""
}

func (e *enumValue) parse(args []string) (int, bool) {
	if len(args) == 0 || (!e.multi && len(args) != 1) {
		return 0, false
	}
	v := 0
	for _, a := range args {
		matched := false
		for _, it := range e.items {
			if strings.EqualFold(a, it.name) {
				v |= it.val
				matched = true
			}
		}
		if !matched {
			return 0, false
		}
	}
	return v, true
}

// name renders a value as configEnumGetName does.
func (e *enumValue) name(v int) string {
	var names []string
	unmatched := v
	for _, it := range e.items {
		if v == it.val {
			return it.name
		}
		if e.multi && it.val != 0 && it.val == unmatched&it.val {
			names = append(names, it.name)
			unmatched &^= it.val
		}
	}
	if len(names) == 0 || unmatched != 0 {
		return "unknown"
	}
	return strings.Join(names, " ")
}

func (e *enumValue) get(*Config) string { return e.name(e.v) }

func (e *enumValue) rewrite(_ *Config, st *rewriteState, name string) {
	st.rewriteLine(name, name+" "+e.name(e.v), e.v != e.def)
}

// Numeric parse styles.
const (
	numInteger = 0
	numMemory  = 1 << iota
	numPercent
	numOctal
)

// numericValue is an integer directive with bounds. Unsigned directives
// keep their bit pattern in v and are bounds-checked as uint64, as
// upstream does for unsigned int, size_t and unsigned long long.
type numericValue struct {
	v, def   int64
	lo, hi   int64
	unsigned bool
	style    int
}

func (n *numericValue) set(_ *Config, args []string) (bool, string) {
	v, err := n.parse(args[0])
	if err != "" {
		return false, err
	}
	if err := n.check(v); err != "" {
		return false, err
	}
	changed := v != n.v
	n.v = v
	return changed, ""
}

func (n *numericValue) parse(s string) (int64, string) {
	if n.style&numMemory != 0 {
		if v, ok := parseMemory(s); ok {
			return int64(v), ""
		}
	}
	if n.style&numPercent != 0 && len(s) > 1 && s[len(s)-1] == '%' {
		if v, ok := parseStrictInt(s[:len(s)-1]); ok && v >= 0 {
			return -v, ""
		}
	}
	if n.style&numOctal != 0 {
		if v, ok := cStrtoll(s, 8); ok {
			return v, ""
		}
	}
	if n.style == numInteger {
		if v, ok := parseStrictInt(s); ok {
			return v, ""
		}
	}
	switch {
	case n.style&numMemory != 0 && n.style&numPercent != 0:
		return 0, "argument must be a memory or percent value"
	case n.style&numMemory != 0:
		return 0, "argument must be a memory value"
	case n.style&numOctal != 0:
		return 0, "argument couldn't be parsed as an octal number"
	}
	return 0, "argument couldn't be parsed into an integer"
}

func (n *numericValue) check(v int64) string {
	if n.unsigned {
		u, lo, hi := uint64(v), uint64(n.lo), uint64(n.hi)
		if u > hi || u < lo {
			if n.style&numOctal != 0 {
				return fmt.Sprintf("argument must be between %o and %o inclusive", lo, hi)
			}
			return fmt.Sprintf("argument must be between %d and %d inclusive", lo, hi)
		}
		return ""
	}
	if n.style&numPercent != 0 && v < 0 {
		if v < n.lo {
			return fmt.Sprintf("percentage argument must be less or equal to %d", -n.lo)
		}
		return ""
	}
	if v > n.hi || v < n.lo {
		return fmt.Sprintf("argument must be between %d and %d inclusive", n.lo, n.hi)
	}
	return ""
}

func (n *numericValue) get(*Config) string {
	switch {
	case n.style&numPercent != 0 && n.v < 0:
		return strconv.FormatInt(-n.v, 10) + "%"
	case n.style&numMemory != 0:
		return strconv.FormatUint(uint64(n.v), 10)
	case n.style&numOctal != 0:
		return strconv.FormatInt(n.v, 8)
	case n.unsigned:
		return strconv.FormatUint(uint64(n.v), 10)
	}
	return strconv.FormatInt(n.v, 10)
}

func (n *numericValue) rewrite(_ *Config, st *rewriteState, name string) {
	force := n.v != n.def
	switch {
	case n.style&numPercent != 0 && n.v < 0:
		st.rewriteLine(name, fmt.Sprintf("%s %d%%", name, -n.v), force)
	case n.style&numMemory != 0:
		st.rewriteLine(name, name+" "+formatMemory(n.v), force)
	case n.style&numOctal != 0:
		st.rewriteLine(name, fmt.Sprintf("%s %o", name, n.v), force)
	default:
		st.rewriteLine(name, fmt.Sprintf("%s %d", name, n.v), force)
	}
}

// formatMemory writes bytes with the largest exact gb/mb/kb unit.
func formatMemory(b int64) string {
	const kb, mb, gb = 1024, 1024 * 1024, 1024 * 1024 * 1024
	switch {
	case b != 0 && b%gb == 0:
		return fmt.Sprintf("%dgb", b/gb)
	case b != 0 && b%mb == 0:
		return fmt.Sprintf("%dmb", b/mb)
	case b != 0 && b%kb == 0:
		return fmt.Sprintf("%dkb", b/kb)
	}
	return strconv.FormatInt(b, 10)
}

// Bounds used by the directive table.
const (
	intMax   = math.MaxInt32
	intMin   = math.MinInt32
	uintMax  = math.MaxUint32
	longMax  = math.MaxInt64
	llongMax = math.MaxInt64
	ullMax   = -1 // all bits set, read as uint64
)
