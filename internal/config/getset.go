package config

import (
	"fmt"
	"strings"
)

// Get answers CONFIG GET: each pattern is either an exact name (alias or
// hidden directive included, reported under the spelling asked for) or a
// glob matched case-insensitively against every non-hidden name and
// alias. Each name appears once; loadmodule is never listed.
func (c *Config) Get(patterns ...string) [][2]string {
	var out [][2]string
	seen := map[string]bool{}
	add := func(key string, d *directive) {
		lk := strings.ToLower(key)
		if seen[lk] {
			return
		}
		seen[lk] = true
		out = append(out, [2]string{key, d.val.get(c)})
	}
	for _, p := range patterns {
		if !strings.ContainsAny(p, "[*?") {
			if d := c.lookup(p); d != nil {
				add(p, d)
			}
			continue
		}
		for _, name := range c.names {
			d := c.byName[name]
			if d.flags&flagHidden != 0 || seen[name] {
				continue
			}
			if Match(p, name, true) {
				add(name, d)
			}
		}
	}
	return out
}

// Set answers CONFIG SET with the caller treated as a non-local client
// (see SetFrom).
func (c *Config) Set(pairs [][2]string) error {
	return c.SetFrom(pairs, false)
}

// SetError is a failed CONFIG SET; Error is the reply text with its
// "ERR " prefix.
type SetError struct{ Msg string }

// Error returns the error reply text.
func (e *SetError) Error() string { return e.Msg }

func setErrorf(format string, args ...any) error {
	return &SetError{Msg: "ERR " + fmt.Sprintf(format, args...)}
}

// SetFrom answers CONFIG SET atomically as Redis 7 does: every name is
// checked first (unknown, immutable, protected, duplicate), then all
// values are set, then the apply steps run; any failure restores every
// previous value. local says whether the client connected locally, for
// enable-protected-configs local. Observers registered with OnChange run
// after success for each directive whose value changed, then those
// registered with OnSet with every directive set.
func (c *Config) SetFrom(pairs [][2]string, local bool) error {
	dirs := make([]*directive, len(pairs))
	var invalidName, errArg, errStr string
	invalid := false
	for i, p := range pairs {
		d := c.lookup(p[0])
		if d == nil {
			if !invalid {
				invalidName, invalid = p[0], true
			}
			continue
		}
		if invalid {
			continue
		}
		if d.flags&flagImmutable != 0 || (d.flags&flagProtected != 0 && !c.AllowProtected("enable-protected-configs", local)) {
			errStr = "can't set protected config"
			if d.flags&flagImmutable != 0 {
				errStr = "can't set immutable config"
			}
			errArg, invalid = p[0], true
			continue
		}
		for j := 0; j < i; j++ {
			if dirs[j] == d {
				errStr, errArg, invalid = "duplicate parameter", p[0], true
				break
			}
		}
		dirs[i] = d
	}
	if invalid {
		if invalidName != "" {
			return setErrorf("Unknown option or number of arguments for CONFIG SET - '%s'", invalidName)
		}
		return setErrorf("CONFIG SET failed (possibly related to argument '%s') - %s", errArg, errStr)
	}

	old := make([]string, len(dirs))
	for i, d := range dirs {
		old[i] = d.val.get(c)
	}
	var changed []*directive
	for i, d := range dirs {
		ch, reason := c.setValue(d, setArgs(d, pairs[i][1]))
		if reason != "" {
			c.restore(dirs[:i+1], old)
			return setFailed(d.name, reason)
		}
		if ch || d.flags&flagVolatile != 0 {
			changed = append(changed, d)
		}
	}
	for _, d := range changed {
		if _, mod := d.val.(*moduleValue); mod {
			continue
		}
		if reason := c.applyOne(d); reason != "" {
			c.restore(dirs, old)
			for _, d2 := range changed {
				c.applyOne(d2)
			}
			return setErrorf("CONFIG SET failed (possibly related to argument '%s') - %s", d.name, reason)
		}
	}
	if name, reason := applyModules(changed); reason != "" {
		c.restore(dirs, old)
		for _, d2 := range changed {
			if _, mod := d2.val.(*moduleValue); !mod {
				c.applyOne(d2)
			}
		}
		applyModules(changed)
		return setFailed(name, reason)
	}
	for _, d := range changed {
		for _, fn := range c.onChange {
			fn(d.name)
		}
	}
	if len(c.onSet) > 0 {
		names := make([]string, len(dirs))
		for i, d := range dirs {
			names[i] = d.name
			if !strings.EqualFold(pairs[i][0], d.name) {
				names[i] = strings.ToLower(pairs[i][0]) // an alias, as Redis registers it
			}
		}
		for _, fn := range c.onSet {
			fn(names)
		}
	}
	return nil
}

// setFailed is the CONFIG SET error for a refused value; a module's
// refusal without a message has no " - reason" part, as in Redis.
func setFailed(name, reason string) error {
	if reason == noReason {
		return setErrorf("CONFIG SET failed (possibly related to argument '%s')", name)
	}
	return setErrorf("CONFIG SET failed (possibly related to argument '%s') - %s", name, reason)
}

// applyOne runs the internal and the server's apply steps of d.
func (c *Config) applyOne(d *directive) string {
	if d.apply != nil {
		if r := d.apply(c); r != "" {
			return r
		}
	}
	if fn := c.appliers[d.name]; fn != nil {
		if err := fn(); err != nil {
			return err.Error()
		}
	}
	return ""
}

// restore puts back the values saved before a failed Set.
func (c *Config) restore(dirs []*directive, old []string) {
	for i, d := range dirs {
		d.val.set(c, setArgs(d, old[i]))
	}
}

// setArgs splits a CONFIG SET value: multi-argument directives split on
// single spaces (an empty value is no argument at all), others take the
// value whole.
func setArgs(d *directive, v string) []string {
	if d.flags&flagMultiArg == 0 {
		return []string{v}
	}
	if v == "" {
		return nil
	}
	return strings.Split(v, " ")
}

// AllowProtected reports whether an action guarded by one of the
// protected-action directives (enable-debug-command,
// enable-module-command, enable-protected-configs) is allowed for a
// client; local says whether the client connected locally.
func (c *Config) AllowProtected(name string, local bool) bool {
	switch c.Int(name) {
	case ProtectedYes:
		return true
	case ProtectedLocal:
		return local
	}
	return false
}
