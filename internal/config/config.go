// Package config implements redis.conf semantics for modhost: parsing a
// configuration file and redis-server style arguments, typed directives
// with Redis's defaults and validation, and CONFIG GET, SET and REWRITE.
package config

import (
	"fmt"
	"sort"
	"strings"

	"github.com/modhost/modhost/acl"
)

// ModuleSpec is one "loadmodule <path> [args...]" directive.
type ModuleSpec struct {
	Path string   // shared object path as written
	Args []string // arguments handed to the module's OnLoad
}

// CommandRename is one "rename-command <from> <to>" line; To is empty to
// remove the command. Line and Text locate it for a start-up error.
type CommandRename struct {
	From, To string
	Line     int
	Text     string
}

// Config holds every directive's current value. Not safe for concurrent
// use (the server lock guards it).
type Config struct {
	table         []*directive           // primary directives in table order
	byName        map[string]*directive  // lowercase name and alias -> directive
	names         []string               // every name and alias, sorted
	modules       []ModuleSpec           // loadmodule lines, in order
	moduleConfigs [][2]string            // "<module>.<name> value" lines, in order
	users         []acl.ConfigUser       // "user" directives, in order
	userLines     func() []string        // the current users for CONFIG REWRITE
	renames       []CommandRename        // rename-command lines, in order
	lineNo        int                    // line being loaded, for renames
	lineText      string                 // its text
	modDirs       []*directive           // module configurations, in registration order
	configFile    string                 // absolute path of the loaded file
	onChange      []func(name string)    // observers of successful sets
	onSet         []func(names []string) // observers of every successful CONFIG SET
	appliers      map[string]func() error
	readingFile   bool // inside LoadString (save lines accumulate)
	saveLoaded    bool // a save line has already replaced the defaults
	// acceptUnimplemented lets tests of the parsers store non-default
	// values of directives modhost does not implement.
	acceptUnimplemented bool
}

// New returns a Config holding every directive's default value.
func New() *Config {
	c := &Config{table: directives(), byName: map[string]*directive{}, appliers: map[string]func() error{}}
	for _, d := range c.table {
		d.defValue = d.val.get(c)
		c.byName[d.name] = d
		c.names = append(c.names, d.name)
		if d.alias != "" {
			c.byName[d.alias] = d
			c.names = append(c.names, d.alias)
		}
	}
	sort.Strings(c.names)
	return c
}

func (c *Config) lookup(name string) *directive {
	return c.byName[strings.ToLower(name)]
}

func (c *Config) mustLookup(name string) *directive {
	d := c.lookup(name)
	if d == nil {
		panic(fmt.Sprintf("config: unknown directive %q", name))
	}
	return d
}

// Int returns a numeric directive's value (a percent value of
// maxmemory-clients is returned negated, as upstream stores it), or an
// enum directive's numeric value. It panics on other names.
func (c *Config) Int(name string) int64 {
	switch v := c.mustLookup(name).val.(type) {
	case *numericValue:
		return v.v
	case *enumValue:
		return int64(v.v)
	case *notifyValue:
		return int64(v.flags)
	}
	panic(fmt.Sprintf("config: %q is not numeric", name))
}

// Bool returns a yes/no directive's value. It panics on other names.
func (c *Config) Bool(name string) bool {
	v, ok := c.mustLookup(name).val.(*boolValue)
	if !ok {
		panic(fmt.Sprintf("config: %q is not a yes/no directive", name))
	}
	return v.v
}

// String returns a directive's value as CONFIG GET shows it.
func (c *Config) String(name string) string {
	return c.mustLookup(name).val.get(c)
}

// Bind returns the addresses of the bind directive.
func (c *Config) Bind() []string {
	return append([]string(nil), c.byName["bind"].val.(*bindValue).addrs...)
}

// SaveParams returns the snapshot rules of the save directive.
func (c *Config) SaveParams() []SaveParam {
	return append([]SaveParam(nil), c.byName["save"].val.(*saveValue).params...)
}

// KeyspaceEvents returns the NOTIFY_* flags of notify-keyspace-events.
func (c *Config) KeyspaceEvents() int {
	return c.byName["notify-keyspace-events"].val.(*notifyValue).flags
}

// OutputBufferLimits returns client-output-buffer-limit for the normal,
// replica and pubsub classes.
func (c *Config) OutputBufferLimits() [3]ObufLimit {
	return c.byName["client-output-buffer-limit"].val.(*obufValue).limits
}

// LoadModules returns every loadmodule directive, in order.
func (c *Config) LoadModules() []ModuleSpec {
	return append([]ModuleSpec(nil), c.modules...)
}

// SetLoadModules replaces the module list that CONFIG REWRITE writes as
// loadmodule lines (the server keeps it in step with MODULE LOAD/UNLOAD).
func (c *Config) SetLoadModules(specs []ModuleSpec) {
	c.modules = append([]ModuleSpec(nil), specs...)
}

// CommandRenames returns the rename-command lines, in order, for the
// server to apply to its command table before modules load (as Redis
// does, a module command can't be renamed).
func (c *Config) CommandRenames() []CommandRename {
	return append([]CommandRename(nil), c.renames...)
}

// ModuleConfigs returns the "<module>.<name> <value>" lines of the loaded
// configuration, in order, for the server to apply when modules load.
func (c *Config) ModuleConfigs() [][2]string {
	return append([][2]string(nil), c.moduleConfigs...)
}

// SetUserLines installs the source of the "user" lines CONFIG REWRITE
// writes (the server's ACL users, "user <name> <rules>").
func (c *Config) SetUserLines(fn func() []string) { c.userLines = fn }

// Users returns the "user" directives, in order.
func (c *Config) Users() []acl.ConfigUser { return append([]acl.ConfigUser(nil), c.users...) }

// ConfigFile returns the absolute path of the configuration file, or ""
// when the server runs without one.
func (c *Config) ConfigFile() string { return c.configFile }

// SetConfigFile sets the path CONFIG REWRITE writes to.
func (c *Config) SetConfigFile(path string) { c.configFile = path }

// OnChange registers fn to be called, after a successful Set, with the
// primary name of each directive the Set changed.
func (c *Config) OnChange(fn func(name string)) {
	c.onChange = append(c.onChange, fn)
}

// OnSet registers fn to be called after every successful SetFrom with
// the names of all the directives it set, in argument order, changed or
// not, each as Redis registers the name the client used (an alias such as
// slave-read-only stays the alias): Redis's config-change server event
// (REDISMODULE_EVENT_CONFIG) lists every parameter of the CONFIG SET.
func (c *Config) OnSet(fn func(names []string)) {
	c.onSet = append(c.onSet, fn)
}

// SetApply registers the server's apply step for a directive (for
// example rebinding the listener for port or bind). During Set it runs
// after every new value is stored; an error restores all previous values
// and fails the Set with the error's text as the reason.
func (c *Config) SetApply(name string, fn func() error) {
	c.appliers[c.mustLookup(name).name] = fn
}

// StoreQuietly sets a directive's value without apply steps or change
// observers, for a value the server itself corrects (maxclients lowered to
// fit the open-file limit, as Redis does). It panics on an unknown name.
func (c *Config) StoreQuietly(name, value string) {
	d := c.mustLookup(name)
	d.val.set(c, setArgs(d, value))
}

// Names returns every directive name and alias, sorted.
func (c *Config) Names() []string { return append([]string(nil), c.names...) }
