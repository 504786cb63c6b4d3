package commands

// Command metadata beyond the name/arity/flags triple: key specs (where a
// command's keys are and how it uses them), tips, ACL categories as COMMAND
// INFO shows them, and the optional COMMAND DOCS fields. Data commands declare
// theirs in their family's table (Entry.KeySpecs), the server's own commands
// in the server's spec table, and module commands get theirs from
// RedisModule_SetCommandInfo.

import (
	"strconv"
	"strings"

	"github.com/modhost/modhost/keyspace"
)

// KeyFlag is a bit set of key-spec flags. The bit values are those of
// REDISMODULE_CMD_KEY_*, so module flags need no conversion.
type KeyFlag uint64

// Key-spec flags in the order COMMAND INFO lists them.
const (
	KeyRO KeyFlag = 1 << iota
	KeyRW
	KeyOW
	KeyRM
	KeyAccess
	KeyUpdate
	KeyInsert
	KeyDelete
	KeyNotKey
	KeyIncomplete
	KeyVariableFlags
)

var keyFlagNames = []string{"RO", "RW", "OW", "RM", "access", "update", "insert",
	"delete", "not_key", "incomplete", "variable_flags"}

// Names returns the flag names in COMMAND INFO order.
func (f KeyFlag) Names() []string {
	out := []string{}
	for i, n := range keyFlagNames {
		if f&(1<<i) != 0 {
			out = append(out, n)
		}
	}
	return out
}

// Begin-search and find-keys kinds of a KeySpec.
const (
	SearchUnknown = iota // begin_search or find_keys "unknown"
	SearchIndex          // begin_search "index"
	SearchKeyword        // begin_search "keyword"
	FindRange            // find_keys "range"
	FindKeynum           // find_keys "keynum"
)

// KeySpec is one Redis 7 key specification.
type KeySpec struct {
	Notes string
	Flags KeyFlag
	// Begin is SearchIndex, SearchKeyword or SearchUnknown; Index is the
	// index position, or the keyword's startfrom.
	Begin   int
	Index   int
	Keyword string
	// Find is FindRange, FindKeynum or SearchUnknown; FK holds lastkey,
	// keystep, limit (range) or keynumidx, firstkey, keystep (keynum).
	Find int
	FK   [3]int
}

// KeyRef is one key found in a command's arguments, with its spec flags.
type KeyRef struct {
	Pos   int
	Flags KeyFlag
}

// CommandDocs holds the COMMAND DOCS fields a command may have beyond
// summary, since and group.
type CommandDocs struct {
	Complexity string
	DocFlags   []string // "deprecated", "syscmd"
	Deprecated string   // deprecated_since
	ReplacedBy string
	History    [][2]string // since, changes
	Args       []Arg
}

// Arg is one node of a command's argument tree in COMMAND DOCS.
type Arg struct {
	Name, Type, Display, Token, Summary, Since, Deprecated string
	KeySpecIndex                                           int      // -1: none
	Flags                                                  []string // optional, multiple, multiple_token
	Sub                                                    []Arg    // for oneof and block
}

// ParseKeySpecs reads the table notation: specs separated by " | ", each
// "FLAGS: BEGIN FIND [# notes]" where BEGIN is iPOS, kKEYWORD,STARTFROM or
// u, and FIND is rLAST,STEP,LIMIT, nIDX,FIRST,STEP or u. The table is ours,
// so malformed text panics.
func ParseKeySpecs(s string) []KeySpec {
	if s == "" {
		return nil
	}
	var out []KeySpec
	for _, one := range strings.Split(s, " | ") {
		var ks KeySpec
		if i := strings.Index(one, " # "); i >= 0 {
			ks.Notes, one = one[i+3:], one[:i]
		}
		flags, rest, ok := strings.Cut(one, ": ")
		if !ok {
			panic("commands: bad key spec " + one)
		}
		for _, w := range strings.Fields(flags) {
			ks.Flags |= keyFlagByName(w)
		}
		parts := strings.Fields(rest)
		if len(parts) != 2 {
			panic("commands: bad key spec " + one)
		}
		ks.Begin, ks.Keyword, ks.Index = parseBegin(parts[0])
		ks.Find, ks.FK = parseFind(parts[1])
		out = append(out, ks)
	}
	return out
}

func keyFlagByName(w string) KeyFlag {
	for i, n := range keyFlagNames {
		if strings.EqualFold(n, w) {
			return 1 << i
		}
	}
	panic("commands: unknown key spec flag " + w)
}

func parseBegin(s string) (kind int, keyword string, index int) {
	switch s[0] {
	case 'u':
		return SearchUnknown, "", 0
	case 'i':
		return SearchIndex, "", mustAtoi(s[1:])
	case 'k':
		kw, from, _ := strings.Cut(s[1:], ",")
		return SearchKeyword, kw, mustAtoi(from)
	}
	panic("commands: bad begin_search " + s)
}

func parseFind(s string) (kind int, fk [3]int) {
	switch s[0] {
	case 'u':
		return SearchUnknown, fk
	case 'r':
		kind = FindRange
	case 'n':
		kind = FindKeynum
	default:
		panic("commands: bad find_keys " + s)
	}
	nums := strings.Split(s[1:], ",")
	if len(nums) != 3 {
		panic("commands: bad find_keys " + s)
	}
	for i, n := range nums {
		fk[i] = mustAtoi(n)
	}
	return kind, fk
}

func mustAtoi(s string) int {
	n, err := strconv.Atoi(s)
	if err != nil {
		panic("commands: bad number in key spec: " + s)
	}
	return n
}

// Specs returns the command's key specs. A module command registered with
// first/last/step and no SetCommandInfo specs has Redis's implied one:
// RW access update (plus variable_flags for a getkeys-api command).
func (c *Command) Specs() []KeySpec {
	if c.KeySpecs != nil || c.Module == "" || c.FirstKey == 0 {
		return c.KeySpecs
	}
	ks := KeySpec{Flags: KeyRW | KeyAccess | KeyUpdate, Begin: SearchIndex, Index: c.FirstKey,
		Find: FindRange, FK: [3]int{c.LastKey, c.KeyStep, 0}}
	if c.LastKey >= 0 {
		ks.FK[0] = c.LastKey - c.FirstKey
	}
	if c.GetKeys != nil {
		ks.Flags |= KeyVariableFlags
	}
	return []KeySpec{ks}
}

// SetKeySpecs replaces the key specs (RedisModule_SetCommandInfo) and, as
// Redis does, recomputes first/last/step by gluing consecutive plain range
// specs, and the movablekeys flag.
func (c *Command) SetKeySpecs(specs []KeySpec) {
	c.KeySpecs = specs
	first, last, step, movable := LegacyRange(specs)
	c.FirstKey, c.LastKey, c.KeyStep = first, last, step
	if movable || (c.Module != "" && c.GetKeys != nil) {
		c.Flags |= FlagMovableKeys
	} else {
		c.Flags &^= FlagMovableKeys
	}
}

// LegacyRange derives COMMAND INFO's first/last/step from key specs and
// reports whether the keys are movable (not all described by the triple).
func LegacyRange(specs []KeySpec) (first, last, step int, movable bool) {
	if len(specs) == 0 {
		return 0, 0, 0, false
	}
	plain := func(ks KeySpec) bool { return ks.Begin == SearchIndex && ks.Find == FindRange }
	abs := func(ks KeySpec) int {
		if ks.FK[0] >= 0 {
			return ks.FK[0] + ks.Index
		}
		return ks.FK[0]
	}
	if len(specs) == 1 && plain(specs[0]) {
		ks := specs[0]
		return ks.Index, abs(ks), ks.FK[1], ks.Flags&KeyIncomplete != 0
	}
	first, last = -1, 0
	prev := 0
	for _, ks := range specs {
		if !plain(ks) || ks.FK[1] != 1 || (prev != 0 && prev != ks.Index-1) {
			movable = true
			continue
		}
		if ks.Flags&KeyIncomplete != 0 {
			movable = true
		}
		if first < 0 || ks.Index < first {
			first = ks.Index
		}
		if a := abs(ks); uint(a) > uint(last) { // unsigned: -1 is the largest
			last = a
		}
		prev = last
	}
	if first < 0 {
		return 0, 0, 0, true
	}
	return first, last, 1, movable
}

// HasKeys reports whether the command can have key arguments at all
// (Redis's doesCommandHaveKeys).
func (c *Command) HasKeys() bool {
	if c.GetKeys != nil || c.GetKeysFlags != nil && c.Module == "" {
		return true
	}
	for _, ks := range c.Specs() {
		if ks.Flags&KeyNotKey == 0 {
			return true
		}
	}
	return false
}

// Keys finds the key arguments of args (args[0] is the command name) as
// COMMAND GETKEYS does: key specs when they are complete and their flags
// fixed, else the command's own key function. ok is false when args name
// no keys (invalid specs and nothing found otherwise).
func (c *Command) Keys(args [][]byte) (keys []KeyRef, ok bool) {
	specs := c.Specs()
	var all, notAll KeyFlag
	for _, ks := range specs {
		all |= ks.Flags
		notAll |= ^ks.Flags
	}
	if notAll&KeyNotKey != 0 && all&KeyVariableFlags == 0 {
		keys, ok := keysFromSpecs(c, specs, args)
		if ok || c.Module == "" && all&KeyIncomplete == 0 && !hasUnknown(specs) {
			// Complete core specs that do not fit args: Redis's own key
			// functions find no keys either.
			return keys, ok && len(keys) > 0
		}
	}
	if c.GetKeysFlags != nil {
		keys = c.GetKeysFlags(args)
		return keys, len(keys) > 0
	}
	if c.GetKeys != nil {
		// Module keys come from RedisModule_KeyAtPos, whose flags are RW
		// access update; core key functions report no flags.
		var f KeyFlag
		if c.Module != "" {
			f = KeyRW | KeyAccess | KeyUpdate
		}
		for _, p := range c.GetKeys(args) {
			keys = append(keys, KeyRef{Pos: p, Flags: f})
		}
	}
	return keys, len(keys) > 0
}

// hasUnknown reports whether a spec has an unknown begin_search or find_keys.
func hasUnknown(specs []KeySpec) bool {
	for _, ks := range specs {
		if ks.Begin == SearchUnknown || ks.Find == SearchUnknown {
			return true
		}
	}
	return false
}

// keysFromSpecs applies every spec that is not NOT_KEY; ok is false when a
// spec is unknown, incomplete or does not fit args.
func keysFromSpecs(c *Command, specs []KeySpec, args [][]byte) (keys []KeyRef, ok bool) {
	argc := len(args)
	for _, ks := range specs {
		if ks.Flags&KeyNotKey != 0 {
			continue
		}
		first := 0
		switch ks.Begin {
		case SearchIndex:
			first = ks.Index
		case SearchKeyword:
			first = keywordPos(ks, args)
			if first == 0 {
				continue
			}
		default:
			return nil, false
		}
		var last, step int
		switch ks.Find {
		case FindRange:
			step = ks.FK[1]
			switch {
			case ks.FK[0] >= 0:
				last = first + ks.FK[0]
			case ks.FK[2] == 0:
				last = argc + ks.FK[0]
			default:
				last = first + ((argc-first)/ks.FK[2] + ks.FK[0])
			}
		case FindKeynum:
			step = ks.FK[2]
			if ks.FK[0] >= argc || first+ks.FK[0] >= argc {
				return nil, false
			}
			n, good := keyspace.ParseInt(args[first+ks.FK[0]])
			if !good || n < 0 || n > int64(argc) {
				return nil, false
			}
			first += ks.FK[1]
			last = first + int(n) - 1
		default:
			return nil, false
		}
		if last >= argc || last < first || first >= argc || step <= 0 {
			return nil, false
		}
		for i := first; i <= last; i += step {
			keys = append(keys, KeyRef{Pos: i, Flags: ks.Flags})
		}
		if ks.Flags&KeyIncomplete != 0 {
			return nil, false
		}
	}
	return keys, true
}

// keywordPos returns the index after the spec's keyword, searched from
// startfrom (backwards from the end when negative), or 0.
func keywordPos(ks KeySpec, args [][]byte) int {
	argc := len(args)
	start, end, dir := ks.Index, argc-1, 1
	if ks.Index <= 0 {
		start, end, dir = argc+ks.Index, 1, -1
	}
	for i := start; i != end+dir; i += dir {
		if i >= argc || i < 1 {
			break
		}
		if strings.EqualFold(string(args[i]), ks.Keyword) {
			return i + 1
		}
	}
	return 0
}

// aclOrder is Redis's ACL category order, which COMMAND INFO follows.
var aclOrder = []string{"keyspace", "read", "write", "set", "sortedset", "list",
	"hash", "string", "bitmap", "hyperloglog", "geo", "stream", "pubsub", "admin",
	"fast", "slow", "blocking", "dangerous", "connection", "transaction", "scripting"}

// Categories returns the command's ACL categories as COMMAND INFO shows
// them (without '@'). Core commands also get the categories their flags
// imply (write, read, admin+dangerous, pubsub, fast, blocking, else slow);
// module commands show only what SetCommandACLCategories gave them.
func (c *Command) Categories() []string {
	have := map[string]bool{}
	for _, a := range c.ACL {
		have[strings.ToLower(a)] = true
	}
	if c.Module == "" {
		f := c.Flags
		have["write"] = have["write"] || f&FlagWrite != 0
		have["read"] = have["read"] || (f&FlagReadonly != 0 && !have["scripting"])
		have["admin"] = have["admin"] || f&FlagAdmin != 0
		have["dangerous"] = have["dangerous"] || f&FlagAdmin != 0
		have["pubsub"] = have["pubsub"] || f&FlagPubSub != 0
		have["fast"] = have["fast"] || f&FlagFast != 0
		have["blocking"] = have["blocking"] || f&FlagBlocking != 0
		have["slow"] = have["slow"] || !have["fast"]
	}
	var out []string
	for _, cat := range aclOrder {
		if have[cat] {
			out = append(out, cat)
			delete(have, cat)
		}
	}
	for _, a := range c.ACL { // module-defined categories, in given order
		if l := strings.ToLower(a); have[l] {
			out = append(out, l)
			delete(have, l)
		}
	}
	return out
}
