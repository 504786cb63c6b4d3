package acl

import (
	"strings"
	"sync"
	"syscall"
)

// keyPattern is one ~pattern, %R~pattern or %W~pattern.
type keyPattern struct {
	pat  string
	perm int // Read, Write or ReadWrite
}

// rule is one command rule after the +@all/-@all base, kept in order as
// Redis keeps its command_rules string.
type rule struct {
	allow bool
	// name is the rule without its sign, lower case: "get",
	// "client|list", "@read", or "select|0" (a first-arg rule).
	name string
	cat  uint64 // the category bit of an "@cat" rule
	// cmd and firstArg are set for a first-arg rule ("+select|0").
	cmd, firstArg string
}

// text is the rule as ACL GETUSER shows it.
func (r rule) text() string {
	if r.allow {
		return "+" + r.name
	}
	return "-" + r.name
}

// decision is the cached outcome of the command rules for one command.
type decision struct {
	ok        bool
	firstArgs []string
}

// decisionCache holds the rule outcomes per command of one selector.
type decisionCache struct {
	sync.Mutex
	gen uint64
	m   map[Command]decision
}

// Selector is a set of permissions: the user's root selector or one of
// its "(...)" selectors (Redis's aclSelector).
type Selector struct {
	root bool
	// future is the +@all base: commands loaded later are allowed too
	// (Redis's reserved command bit).
	future bool
	// allCmds is Redis's SELECTOR_FLAG_ALLCOMMANDS: +@all and nothing
	// removed since.
	allCmds  bool
	rules    []rule
	allKeys  bool
	keys     []keyPattern
	allChans bool
	chans    []string
	cache    *decisionCache
}

// newSelector returns an empty selector: no commands, keys or channels
// (all channels when acl-pubsub-default is allchannels).
func newSelector(root bool) *Selector {
	return &Selector{root: root, allChans: pubsubDefault.Load(), cache: &decisionCache{}}
}

// clone returns an independent copy of s.
func (s *Selector) clone() *Selector {
	c := *s
	c.rules = append([]rule(nil), s.rules...)
	c.keys = append([]keyPattern(nil), s.keys...)
	c.chans = append([]string(nil), s.chans...)
	c.cache = &decisionCache{}
	return &c
}

// changed drops the cached decisions.
func (s *Selector) changed() { s.cache = &decisionCache{} }

// set applies one selector operation (Redis's ACLSetSelector). It returns
// 0 or the errno Redis sets.
func (s *Selector) set(op string, lookup Lookup) syscall.Errno {
	switch strings.ToLower(op) {
	case "allkeys", "~*":
		s.allKeys, s.keys = true, nil
		return 0
	case "resetkeys":
		s.allKeys, s.keys = false, nil
		return 0
	case "allchannels", "&*":
		s.allChans, s.chans = true, nil
		return 0
	case "resetchannels":
		s.allChans, s.chans = false, nil
		return 0
	case "allcommands", "+@all":
		s.future, s.allCmds, s.rules = true, true, nil
		s.changed()
		return 0
	case "nocommands", "-@all":
		s.future, s.allCmds, s.rules = false, false, nil
		s.changed()
		return 0
	}
	switch op[0] {
	case '~', '%':
		return s.addKeyPattern(op)
	case '&':
		if s.allChans {
			return syscall.EISDIR
		}
		if hasSpaces(op[1:]) {
			return syscall.EINVAL
		}
		if !contains(s.chans, op[1:]) {
			s.chans = append(s.chans, op[1:])
		}
		return 0
	case '+', '-':
		errno := s.addCommandRule(op, lookup)
		s.changed()
		return errno
	}
	return syscall.EINVAL
}

// addKeyPattern applies ~pattern and %<R|W|RW>~pattern.
func (s *Selector) addKeyPattern(op string) syscall.Errno {
	if s.allKeys {
		return syscall.EEXIST
	}
	perm, off := ReadWrite, 1
	if op[0] == '%' {
		perm = 0
		done := false
		for ; off < len(op); off++ {
			ch := op[off]
			if (ch == 'R' || ch == 'r') && perm&Read == 0 {
				perm |= Read
			} else if (ch == 'W' || ch == 'w') && perm&Write == 0 {
				perm |= Write
			} else if ch == '~' && perm != 0 {
				off++
				done = true
				break
			} else {
				return syscall.EINVAL
			}
		}
		if !done {
			// "%RW" without '~': Redis takes the empty rest as the pattern
			// only after a '~'; without one the loop ends and the whole
			// op is consumed, giving an empty pattern.
			off = len(op)
		}
	}
	pat := op[off:]
	if hasSpaces(pat) {
		return syscall.EINVAL
	}
	for i := range s.keys {
		if s.keys[i].pat == pat {
			s.keys[i].perm |= perm
			return 0
		}
	}
	s.keys = append(s.keys, keyPattern{pat: pat, perm: perm})
	s.allKeys = false
	return 0
}

// lookupName finds "cmd" or "cmd|sub" as Redis's ACLLookupCommand: more
// than one '|' or a '|' after a command without subcommands finds nothing.
func lookupName(lookup Lookup, name string) Command {
	if lookup == nil {
		return nil
	}
	parent, sub, hasSub := strings.Cut(name, "|")
	c := lookup(parent)
	if c == nil || !hasSub {
		return c
	}
	if strings.Contains(sub, "|") || !c.ACLHasSubcommands() {
		return nil
	}
	return lookup(name)
}

// addCommandRule applies +cmd, -cmd, +cmd|sub, -cmd|sub, +cmd|firstarg,
// +@cat and -@cat.
func (s *Selector) addCommandRule(op string, lookup Lookup) syscall.Errno {
	allow := op[0] == '+'
	body := strings.ToLower(op[1:])
	if strings.HasPrefix(body, "@") {
		bit := CategoryBit(body[1:])
		if bit == 0 {
			return syscall.ENOENT
		}
		s.addRule(rule{allow: allow, name: body, cat: bit})
		return 0
	}
	if !allow || !strings.Contains(body, "|") {
		cmd := lookupName(lookup, body)
		if cmd == nil {
			return syscall.ENOENT
		}
		s.addRule(rule{allow: allow, name: cmd.ACLName()})
		return 0
	}
	i := strings.LastIndexByte(body, '|')
	head, sub := body[:i], body[i+1:]
	cmd := lookupName(lookup, head)
	if cmd == nil {
		return syscall.ENOENT
	}
	if cmd.ACLParent() != nil {
		return syscall.ECHILD
	}
	if sub == "" {
		return syscall.EINVAL
	}
	if cmd.ACLHasSubcommands() {
		if lookupName(lookup, body) == nil {
			return syscall.ENOENT
		}
		s.addRule(rule{allow: true, name: body})
		return 0
	}
	s.addRule(rule{allow: true, name: body, cmd: cmd.ACLName(), firstArg: sub})
	return 0
}

// addRule appends r after dropping the earlier rules it replaces: the same
// name, and the subcommand (or first-arg) rules under it.
func (s *Selector) addRule(r rule) {
	kept := s.rules[:0]
	for _, old := range s.rules {
		if old.name == r.name || strings.HasPrefix(old.name, r.name+"|") {
			continue
		}
		kept = append(kept, old)
	}
	s.rules = append(kept, r)
	if !r.allow {
		s.allCmds = false
	}
}

// decide replays the command rules for cmd, as Redis's command bitmap
// and allowed first-args would answer.
func (s *Selector) decide(cmd Command) decision {
	gen := generation.Load()
	dc := s.cache
	dc.Lock()
	if dc.gen == gen && dc.m != nil {
		if d, ok := dc.m[cmd]; ok {
			dc.Unlock()
			return d
		}
	} else {
		dc.gen, dc.m = gen, map[Command]decision{}
	}
	dc.Unlock()
	d := decision{ok: s.future}
	name := cmd.ACLName()
	parent := cmd.ACLParent()
	cats := cmd.ACLCategories()
	parentName := ""
	if parent != nil {
		parentName = parent.ACLName()
		cats |= parent.ACLCategories()
	}
	for _, r := range s.rules {
		switch {
		case r.cat != 0:
			if cats&r.cat != 0 {
				d.ok, d.firstArgs = r.allow, nil
			}
		case r.firstArg != "":
			if r.cmd == name && !containsFold(d.firstArgs, r.firstArg) {
				d.firstArgs = append(d.firstArgs, r.firstArg)
			}
		case r.name == name, parent != nil && r.name == parentName:
			d.ok, d.firstArgs = r.allow, nil
		}
	}
	dc.Lock()
	if dc.gen == gen {
		dc.m[cmd] = d
	}
	dc.Unlock()
	return d
}

// canRun reports whether the command rules allow cmd with args.
func (s *Selector) canRun(cmd Command, args [][]byte) bool {
	if s.allCmds || cmd.ACLNoAuth() {
		return true
	}
	d := s.decide(cmd)
	if d.ok {
		return true
	}
	idx := 1
	if cmd.ACLParent() != nil {
		idx = 2
	}
	if len(d.firstArgs) == 0 || len(args) <= idx {
		return false
	}
	return containsFold(d.firstArgs, string(args[idx]))
}

// checkKey reports whether the selector allows key with the access need.
func (s *Selector) checkKey(key []byte, need int) bool {
	if s.allKeys {
		return true
	}
	for _, k := range s.keys {
		if k.perm&need != need {
			continue
		}
		if GlobMatch(k.pat, key) {
			return true
		}
	}
	return false
}

// unrestrictedKeys reports whether the selector allows need on every key
// (allkeys, or a "*" pattern with that access).
func (s *Selector) unrestrictedKeys(need int) bool {
	if s.allKeys {
		return true
	}
	for _, k := range s.keys {
		if k.perm&need == need && k.pat == "*" {
			return true
		}
	}
	return false
}

// checkChannel reports whether the selector allows ch; a pattern
// (PSUBSCRIBE) must equal one of the selector's patterns literally.
func (s *Selector) checkChannel(ch []byte, isPattern bool) bool {
	return s.allChans || channelInList(s.chans, ch, isPattern)
}

// channelInList is Redis's ACLCheckChannelAgainstList.
func channelInList(list []string, ch []byte, isPattern bool) bool {
	for _, p := range list {
		if isPattern && p == string(ch) || !isPattern && GlobMatch(p, ch) {
			return true
		}
	}
	return false
}

// keyCache holds the keys of one command across selectors.
type keyCache struct {
	done bool
	keys []KeyRef
}

// check is Redis's ACLSelectorCheckCmd: the result and, for a key or
// channel, the index of the argument denied.
func (s *Selector) check(cmd Command, args [][]byte, kc *keyCache) (Result, int) {
	if !s.canRun(cmd, args) {
		return DeniedCmd, 0
	}
	if !s.allKeys && cmd.ACLHasKeys() {
		if !kc.done {
			kc.keys, kc.done = cmd.ACLKeys(args), true
		}
		for _, k := range kc.keys {
			if k.Pos < len(args) && !s.checkKey(args[k.Pos], k.Need) {
				return DeniedKey, k.Pos
			}
		}
	}
	if !s.allChans {
		for _, ch := range cmd.ACLChannels(args) {
			if ch.Flags&(ChannelPublish|ChannelSubscribe) == 0 || ch.Pos >= len(args) {
				continue
			}
			if !channelInList(s.chans, args[ch.Pos], ch.Flags&ChannelPattern != 0) {
				return DeniedChannel, ch.Pos
			}
		}
	}
	return OK, 0
}

// describeCommands is Redis's ACLDescribeSelectorCommandRules.
func (s *Selector) describeCommands() string {
	var b strings.Builder
	if s.future {
		b.WriteString("+@all")
	} else {
		b.WriteString("-@all")
	}
	for _, r := range s.rules {
		b.WriteByte(' ')
		b.WriteString(r.text())
	}
	return b.String()
}

// patternText is one key pattern as ACL LIST shows it.
func (k keyPattern) text() string {
	switch k.perm {
	case Read:
		return "%R~" + k.pat
	case Write:
		return "%W~" + k.pat
	}
	return "~" + k.pat
}

// describe is Redis's ACLDescribeSelector: keys, channels, commands.
func (s *Selector) describe() string {
	var b strings.Builder
	if s.allKeys {
		b.WriteString("~* ")
	} else {
		for _, k := range s.keys {
			b.WriteString(k.text() + " ")
		}
	}
	if s.allChans {
		b.WriteString("&* ")
	} else {
		b.WriteString("resetchannels ")
		for _, c := range s.chans {
			b.WriteString("&" + c + " ")
		}
	}
	b.WriteString(s.describeCommands())
	return b.String()
}

// SelectorInfo is one selector as ACL GETUSER shows it.
type SelectorInfo struct {
	Commands, Keys, Channels string
}

// info returns the GETUSER fields of s.
func (s *Selector) info() SelectorInfo {
	in := SelectorInfo{Commands: s.describeCommands()}
	if s.allKeys {
		in.Keys = "~*"
	} else {
		parts := make([]string, len(s.keys))
		for i, k := range s.keys {
			parts[i] = k.text()
		}
		in.Keys = strings.Join(parts, " ")
	}
	if s.allChans {
		in.Channels = "&*"
	} else {
		parts := make([]string, len(s.chans))
		for i, c := range s.chans {
			parts[i] = "&" + c
		}
		in.Channels = strings.Join(parts, " ")
	}
	return in
}

func hasSpaces(s string) bool { return strings.ContainsAny(s, " \x00") }

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

func containsFold(list []string, s string) bool {
	for _, v := range list {
		if strings.EqualFold(v, s) {
			return true
		}
	}
	return false
}
