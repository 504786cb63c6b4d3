package config

import (
	"fmt"
	"sort"
	"strings"
)

// ModuleConfigKind is the type of a module configuration.
type ModuleConfigKind int

// Module configuration types (RedisModule_Register*Config).
const (
	ModuleBool ModuleConfigKind = iota
	ModuleNumeric
	ModuleString
	ModuleEnum
)

// Module configuration flags, with the values of REDISMODULE_CONFIG_*.
const (
	ModConfImmutable   = 1 << 0 // only settable at load time
	ModConfSensitive   = 1 << 1 // value redacted from logs
	ModConfHidden      = 1 << 4 // not matched by CONFIG GET patterns
	ModConfProtected   = 1 << 5 // CONFIG SET needs enable-protected-configs
	ModConfDenyLoading = 1 << 6 // not settable while loading
	ModConfMemory      = 1 << 7 // numeric value with memory units
	ModConfBitflags    = 1 << 8 // enum names combine as bit flags
)

// EnumItem is one name of an enum module configuration.
type EnumItem struct {
	Name string
	Val  int
}

// ModuleConfigSpec describes one module configuration. The value lives in
// the module: the config system reads it with the Get hook of the kind and
// stores it with the Set hook. A Set hook returns ok=false to refuse the
// value, with msg as the reason ("" when the module gave none).
type ModuleConfigSpec struct {
	Module string // module name
	Name   string // name as registered (without the "<module>." prefix)
	Kind   ModuleConfigKind
	Flags  int // ModConf* flags

	DefBool    bool
	DefNum     int64
	Min, Max   int64
	DefStr     string
	DefStrNull bool // the default string is NULL
	DefEnum    int
	Enum       []EnumItem

	GetBool func() bool
	SetBool func(v bool) (msg string, ok bool)
	GetNum  func() int64
	SetNum  func(v int64) (msg string, ok bool)
	GetStr  func() (v string, null bool)
	SetStr  func(v string) (msg string, ok bool)
	GetEnum func() int
	SetEnum func(v int) (msg string, ok bool)

	// Apply, when set, runs after a CONFIG SET changed the value; configs
	// with equal ApplyKey share one Apply call per CONFIG SET.
	Apply    func() (msg string, ok bool)
	ApplyKey any
}

// FullName is "<module>.<name>", the name CONFIG and the file use.
func (s *ModuleConfigSpec) FullName() string { return s.Module + "." + s.Name }

// noReason marks a refusal for which the module gave no message: CONFIG
// SET then answers without the " - reason" suffix, as Redis.
const noReason = "\x00"

// moduleValue is the value of a module configuration: typed parsing,
// formatting and rewriting are those of the core directives, the storage
// is the module's.
type moduleValue struct {
	spec *ModuleConfigSpec
}

// view returns a core value holding the module's current value, for
// formatting (get, rewrite) and parsing.
func (m *moduleValue) view() value {
	s := m.spec
	switch s.Kind {
	case ModuleBool:
		return &boolValue{v: s.GetBool(), def: s.DefBool}
	case ModuleNumeric:
		style := numInteger
		if s.Flags&ModConfMemory != 0 {
			style = numMemory
		}
		return &numericValue{v: s.GetNum(), def: s.DefNum, lo: s.Min, hi: s.Max, style: style}
	case ModuleString:
		v, null := s.GetStr()
		return &stringValue{v: v, null: null, def: s.DefStr, defNull: s.DefStrNull}
	}
	items := make([]enumItem, len(s.Enum))
	for i, it := range s.Enum {
		items[i] = enumItem{name: it.Name, val: it.Val}
	}
	return &enumValue{v: s.GetEnum(), def: s.DefEnum, items: items, multi: s.Flags&ModConfBitflags != 0}
}

func (m *moduleValue) get(c *Config) string { return m.view().get(c) }

func (m *moduleValue) rewrite(c *Config, st *rewriteState, name string) {
	m.view().rewrite(c, st, name)
}

// set parses args as the core directive of the same kind would, and calls
// the module's Set hook only when the value differs from the current one.
func (m *moduleValue) set(c *Config, args []string) (bool, string) {
	v := m.view()
	old := v.get(c)
	if _, reason := v.set(c, args); reason != "" {
		return false, reason
	}
	if v.get(c) == old && m.spec.Kind != ModuleString {
		return false, ""
	}
	if sv, ok := v.(*stringValue); ok {
		cur, null := m.spec.GetStr()
		if !null && cur == sv.v {
			return false, ""
		}
	}
	return m.store(v)
}

// store hands the parsed value in v to the module.
func (m *moduleValue) store(v value) (bool, string) {
	var msg string
	var ok bool
	switch x := v.(type) {
	case *boolValue:
		msg, ok = m.spec.SetBool(x.v)
	case *numericValue:
		msg, ok = m.spec.SetNum(x.v)
	case *stringValue:
		msg, ok = m.spec.SetStr(x.v)
	case *enumValue:
		msg, ok = m.spec.SetEnum(x.v)
	}
	if !ok {
		if msg == "" {
			msg = noReason
		}
		return false, msg
	}
	return true, ""
}

// setDefault stores the registered default in the module, unconditionally.
func (m *moduleValue) setDefault() (bool, string) {
	s := m.spec
	switch s.Kind {
	case ModuleBool:
		return m.store(&boolValue{v: s.DefBool})
	case ModuleNumeric:
		return m.store(&numericValue{v: s.DefNum})
	case ModuleString:
		return m.store(&stringValue{v: s.DefStr, null: s.DefStrNull})
	}
	return m.store(&enumValue{v: s.DefEnum})
}

// RegisterModuleConfig adds a module configuration under
// "<module>.<name>": CONFIG GET, SET and REWRITE then treat it like a core
// directive. It fails when the name is taken.
func (c *Config) RegisterModuleConfig(spec *ModuleConfigSpec) error {
	full := strings.ToLower(spec.FullName())
	if c.byName[full] != nil {
		return fmt.Errorf("config: %s already registered", spec.FullName())
	}
	flags := 0
	for _, f := range [][2]int{{ModConfImmutable, flagImmutable}, {ModConfProtected, flagProtected},
		{ModConfHidden, flagHidden}, {ModConfSensitive, flagSensitive}, {ModConfBitflags, flagMultiArg}} {
		if spec.Flags&f[0] != 0 {
			flags |= f[1]
		}
	}
	d := &directive{name: spec.FullName(), flags: flags, val: &moduleValue{spec: spec}}
	c.byName[full] = d
	c.modDirs = append(c.modDirs, d)
	c.names = append(c.names, full)
	sort.Strings(c.names)
	return nil
}

// ModuleConfigSpecs returns the configurations module registered, in
// registration order.
func (c *Config) ModuleConfigSpecs(module string) []*ModuleConfigSpec {
	var out []*ModuleConfigSpec
	for _, d := range c.modDirs {
		if spec := d.val.(*moduleValue).spec; spec.Module == module {
			out = append(out, spec)
		}
	}
	return out
}

// RemoveModuleConfigs drops every configuration registered by module
// (when it is unloaded, or its OnLoad failed).
func (c *Config) RemoveModuleConfigs(module string) {
	keep := c.modDirs[:0]
	for _, d := range c.modDirs {
		if d.val.(*moduleValue).spec.Module == module {
			delete(c.byName, strings.ToLower(d.name))
			continue
		}
		keep = append(keep, d)
	}
	c.modDirs = keep
	names := c.names[:0]
	for _, n := range c.names {
		if c.byName[n] != nil {
			names = append(names, n)
		}
	}
	c.names = names
}

// ModuleConfigCount is the number of module configurations registered.
func (c *Config) ModuleConfigCount() int { return len(c.modDirs) }

// QueueModuleConfig queues "<module>.<name> value" for the module's
// LoadConfigs (MODULE LOADEX's CONFIG arguments); a queued name replaces
// an earlier value.
func (c *Config) QueueModuleConfig(name, val string) { c.setModuleConfig(name, val) }

// ClearModuleConfigQueue empties the queue of module configuration values.
func (c *Config) ClearModuleConfigQueue() { c.moduleConfigs = nil }

// takeQueued removes and returns the queued value of name (matched
// case-insensitively, as Redis's queue).
func (c *Config) takeQueued(name string) (string, bool) {
	for i, kv := range c.moduleConfigs {
		if strings.EqualFold(kv[0], name) {
			c.moduleConfigs = append(c.moduleConfigs[:i], c.moduleConfigs[i+1:]...)
			return kv[1], true
		}
	}
	return "", false
}

// LoadModuleConfigs is RedisModule_LoadConfigs: every configuration of
// module, in registration order, takes its queued value (config file or
// LOADEX) or else its default, through the module's Set hook. On the first
// failure the whole queue is emptied and an error naming the line Redis
// logs is returned.
func (c *Config) LoadModuleConfigs(module string) error {
	for _, d := range c.modDirs {
		mv := d.val.(*moduleValue)
		if mv.spec.Module != module {
			continue
		}
		full := mv.spec.FullName()
		if val, ok := c.takeQueued(full); ok {
			if _, reason := mv.set(c, setArgs(d, val)); reason != "" {
				c.moduleConfigs = nil
				return &LoadError{Line: fmt.Sprintf("Issue during loading of configuration %s : %s", full, printable(reason))}
			}
			continue
		}
		if _, reason := mv.setDefault(); reason != "" {
			c.moduleConfigs = nil
			return &LoadError{Line: fmt.Sprintf("Issue attempting to set default value of configuration %s : %s", mv.spec.Name, printable(reason))}
		}
	}
	return nil
}

// LoadError is a refused LoadModuleConfigs; Line is Redis's log line.
type LoadError struct{ Line string }

// Error returns the log line.
func (e *LoadError) Error() string { return e.Line }

// printable renders a refusal reason for the log (noReason as "(null)",
// as Redis's %s of a NULL pointer).
func printable(reason string) string {
	if reason == noReason {
		return "(null)"
	}
	return reason
}

// applyModules runs the Apply hooks of the changed module configurations,
// once per ApplyKey, in order. It returns the short name of the failing
// configuration and the reason.
func applyModules(changed []*directive) (name, reason string) {
	var done []any
	for _, d := range changed {
		mv, ok := d.val.(*moduleValue)
		if !ok || mv.spec.Apply == nil {
			continue
		}
		dup := false
		for _, k := range done {
			dup = dup || k == mv.spec.ApplyKey
		}
		if dup {
			continue
		}
		done = append(done, mv.spec.ApplyKey)
		if msg, ok := mv.spec.Apply(); !ok {
			if msg == "" {
				msg = noReason
			}
			return mv.spec.Name, msg
		}
	}
	return "", ""
}
