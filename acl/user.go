package acl

import (
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"strings"
	"sync/atomic"
	"syscall"

	"github.com/modhost/modhost/internal/glob"
)

// pubsubDefault is acl-pubsub-default: true for allchannels (new users and
// selectors start with every channel), as Redis's server.acl_pubsub_default.
var pubsubDefault atomic.Bool

// SetPubsubDefault sets acl-pubsub-default (true: allchannels).
func SetPubsubDefault(allChannels bool) { pubsubDefault.Store(allChannels) }

// GlobMatch matches s against an ACL key or channel pattern.
func GlobMatch(pat string, s []byte) bool { return glob.Match([]byte(pat), s, false) }

// Result is the outcome of a permission check (Redis's ACL_OK and
// ACL_DENIED_*, with their values: a higher one wins when picking which
// denial of several selectors to report).
type Result int

// Check results.
const (
	OK            Result = 0
	DeniedCmd     Result = 1
	DeniedKey     Result = 2
	DeniedAuth    Result = 3
	DeniedChannel Result = 4
)

// User is an ACL user: in the store (ACL SETUSER, the config, the ACL
// file) or a module user (RedisModule_CreateModuleUser), which is not.
// Clients hold a pointer to their user; changes are made in place. Guarded
// by the server lock.
type User struct {
	name      string
	enabled   bool
	nopass    bool
	skipSan   bool     // skip-sanitize-payload
	passwords []string // SHA-256 hex, in order
	selectors []*Selector
	// open caches "the root selector allows every command, key and
	// channel": the dispatcher's one-flag fast path.
	open bool
}

// NewUser returns a user as Redis creates one: off, sanitize-payload, no
// passwords, keys or commands, channels per acl-pubsub-default.
func NewUser(name string) *User {
	u := &User{name: name, selectors: []*Selector{newSelector(true)}}
	u.refresh()
	return u
}

// newDefaultUser returns the default user: on, nopass, every command, key
// and channel.
func newDefaultUser() *User {
	u := NewUser("default")
	for _, op := range []string{"+@all", "~*", "&*", "on", "nopass"} {
		u.Set(op, nil)
	}
	return u
}

// Name returns the user name.
func (u *User) Name() string { return u.name }

// Enabled reports whether the user is "on".
func (u *User) Enabled() bool { return u.enabled }

// NoPass reports the nopass flag.
func (u *User) NoPass() bool { return u.nopass }

// Open reports whether the user may run everything (the root selector has
// +@all, ~* and &*), so that no check is needed.
func (u *User) Open() bool { return u.open }

// SkipSanitize reports skip-sanitize-payload.
func (u *User) SkipSanitize() bool { return u.skipSan }

func (u *User) refresh() {
	r := u.selectors[0]
	u.open = r.allCmds && r.allKeys && r.allChans
}

// Clone returns an independent copy of u with the same name.
func (u *User) Clone() *User {
	c := *u
	c.passwords = append([]string(nil), u.passwords...)
	c.selectors = make([]*Selector, len(u.selectors))
	for i, s := range u.selectors {
		c.selectors[i] = s.clone()
	}
	return &c
}

// CopyFrom makes u's rules those of src, keeping u's name (Redis's
// ACLCopyUser).
func (u *User) CopyFrom(src *User) {
	name := u.name
	*u = *src.Clone()
	u.name = name
}

// HashPassword is the form Redis stores passwords in (SHA-256, hex).
func HashPassword(p string) string {
	sum := sha256.Sum256([]byte(p))
	return hex.EncodeToString(sum[:])
}

// validHash reports whether h is 64 lower-case hex digits.
func validHash(h string) bool {
	if len(h) != 64 {
		return false
	}
	for i := 0; i < len(h); i++ {
		if !(h[i] >= '0' && h[i] <= '9' || h[i] >= 'a' && h[i] <= 'f') {
			return false
		}
	}
	return true
}

// Set applies one ACL SETUSER operation (Redis's ACLSetUser). It returns 0
// or the errno Redis sets (see ErrorText). lookup resolves command names;
// with a nil lookup every command name is unknown (ENOENT).
func (u *User) Set(op string, lookup Lookup) syscall.Errno {
	defer u.refresh()
	if op == "" {
		return 0
	}
	switch strings.ToLower(op) {
	case "on":
		u.enabled = true
	case "off":
		u.enabled = false
	case "skip-sanitize-payload":
		u.skipSan = true
	case "sanitize-payload":
		u.skipSan = false
	case "nopass":
		u.nopass, u.passwords = true, nil
	case "resetpass":
		u.nopass, u.passwords = false, nil
	case "clearselectors":
		u.selectors = u.selectors[:1]
	case "reset":
		for _, o := range []string{"resetpass", "resetkeys", "resetchannels"} {
			u.Set(o, lookup)
		}
		if pubsubDefault.Load() {
			u.Set("allchannels", lookup)
		}
		for _, o := range []string{"off", "sanitize-payload", "clearselectors", "-@all"} {
			u.Set(o, lookup)
		}
	default:
		return u.setArg(op, lookup)
	}
	return 0
}

// setArg applies the operations that carry an argument.
func (u *User) setArg(op string, lookup Lookup) syscall.Errno {
	switch op[0] {
	case '>', '#':
		h := HashPassword(op[1:])
		if op[0] == '#' {
			if !validHash(op[1:]) {
				return syscall.EBADMSG
			}
			h = op[1:]
		}
		if !contains(u.passwords, h) {
			u.passwords = append(u.passwords, h)
		}
		u.nopass = false
		return 0
	case '<', '!':
		h := HashPassword(op[1:])
		if op[0] == '!' {
			if !validHash(op[1:]) {
				return syscall.EBADMSG
			}
			h = op[1:]
		}
		for i, p := range u.passwords {
			if p == h {
				u.passwords = append(u.passwords[:i], u.passwords[i+1:]...)
				return 0
			}
		}
		return syscall.ENODEV
	case '(':
		if op[len(op)-1] != ')' {
			break
		}
		s := newSelector(false)
		args, ok := SplitArgs(op[1 : len(op)-1])
		if !ok {
			return syscall.EINVAL
		}
		for _, a := range args {
			if errno := s.set(a, lookup); errno != 0 {
				return errno
			}
		}
		u.selectors = append(u.selectors, s)
		return 0
	}
	return u.selectors[0].set(op, lookup)
}

// SetString applies a whole rule string (operations separated by spaces,
// selectors may span several) all or nothing, as module
// SetModuleUserACLString: on error u is unchanged and the text is Redis's.
func (u *User) SetString(acl string, lookup Lookup) string {
	return u.SetArgs(strings.Fields(acl), lookup)
}

// SetArgs applies operations all or nothing (Redis's ACLStringSetUser
// without creating the user): "" or Redis's error text.
func (u *User) SetArgs(ops []string, lookup Lookup) string {
	tmp, msg := u.Staged(ops, lookup)
	if msg != "" {
		return msg
	}
	u.CopyFrom(tmp)
	return ""
}

// Staged returns a copy of u with ops applied, or Redis's error text.
func (u *User) Staged(ops []string, lookup Lookup) (*User, string) {
	merged, bad := MergeSelectorArgs(ops)
	if bad >= 0 {
		return nil, "Unmatched parenthesis in acl selector starting at '" + ops[bad] + "'."
	}
	tmp := u.Clone()
	for _, op := range merged {
		if errno := tmp.Set(op, lookup); errno != 0 {
			return nil, "Error in ACL SETUSER modifier '" + op + "': " + ErrorText(errno)
		}
	}
	return tmp, ""
}

// MergeSelectorArgs joins selector operations spread over several
// arguments ("(~key" "+get)") into one, as Redis's
// ACLMergeSelectorArguments. bad is the index of an unclosed '(' or -1.
func MergeSelectorArgs(ops []string) (merged []string, bad int) {
	open := -1
	var sel string
	for j, op := range ops {
		if open == -1 && len(op) > 0 && op[0] == '(' && op[len(op)-1] != ')' {
			sel, open = op, j
			continue
		}
		if open != -1 {
			sel += " " + op
			if len(op) > 0 && op[len(op)-1] == ')' {
				open = -1
				merged = append(merged, sel)
			}
			continue
		}
		merged = append(merged, op)
	}
	if open != -1 {
		return nil, open
	}
	return merged, -1
}

// ErrorText is Redis's ACLSetUserStringError for errno.
func ErrorText(errno syscall.Errno) string {
	switch errno {
	case syscall.ENOENT:
		return "Unknown command or category name in ACL"
	case syscall.EINVAL:
		return "Syntax error"
	case syscall.EEXIST:
		return "Adding a pattern after the * pattern (or the 'allkeys' flag) is not valid and does not have any effect. Try 'resetkeys' to start with an empty list of patterns"
	case syscall.EISDIR:
		return "Adding a pattern after the * pattern (or the 'allchannels' flag) is not valid and does not have any effect. Try 'resetchannels' to start with an empty list of channels"
	case syscall.ENODEV:
		return "The password you are trying to remove from the user does not exist"
	case syscall.EBADMSG:
		return "The password hash must be exactly 64 characters and contain only lowercase hexadecimal characters"
	case syscall.EALREADY:
		return "Duplicate user found. A user can only be defined once in config files"
	case syscall.ECHILD:
		return "Allowing first-arg of a subcommand is not supported"
	}
	return "Wrong format"
}

// Flags returns the user flags as ACL GETUSER lists them.
func (u *User) Flags() []string {
	var out []string
	if u.enabled {
		out = append(out, "on")
	} else {
		out = append(out, "off")
	}
	if u.nopass {
		out = append(out, "nopass")
	}
	if u.skipSan {
		out = append(out, "skip-sanitize-payload")
	} else {
		out = append(out, "sanitize-payload")
	}
	return out
}

// Passwords returns the password hashes.
func (u *User) Passwords() []string { return append([]string(nil), u.passwords...) }

// Describe returns the user's rules as ACL LIST shows them after the name
// (Redis's ACLDescribeUser).
func (u *User) Describe() string {
	var b strings.Builder
	for _, f := range u.Flags() {
		b.WriteString(f + " ")
	}
	for _, p := range u.passwords {
		b.WriteString("#" + p + " ")
	}
	for _, s := range u.selectors {
		if s.root {
			b.WriteString(s.describe())
		} else {
			b.WriteString(" (" + s.describe() + ")")
		}
	}
	return b.String()
}

// Root returns the GETUSER description of the root selector.
func (u *User) Root() SelectorInfo { return u.selectors[0].info() }

// Selectors returns the GETUSER descriptions of the other selectors.
func (u *User) Selectors() []SelectorInfo {
	out := make([]SelectorInfo, 0, len(u.selectors)-1)
	for _, s := range u.selectors[1:] {
		out = append(out, s.info())
	}
	return out
}

// CheckPassword reports whether pass opens u: enabled, and nopass or a
// matching password (compared in constant time).
func (u *User) CheckPassword(pass []byte) bool {
	if !u.enabled {
		return false
	}
	if u.nopass {
		return true
	}
	h := HashPassword(string(pass))
	ok := false
	for _, p := range u.passwords {
		if subtle.ConstantTimeCompare([]byte(p), []byte(h)) == 1 {
			ok = true
		}
	}
	return ok
}

// Check is Redis's ACLCheckAllUserCommandPerm: OK when some selector
// allows cmd with args; otherwise the denial to report (the command when
// no selector allows it, else the last key or channel no selector
// matched) and the index of the argument denied (0 for the command).
func (u *User) Check(cmd Command, args [][]byte) (Result, int) {
	if u.open {
		return OK, 0
	}
	relevant, last := DeniedCmd, 0
	var kc keyCache
	for _, s := range u.selectors {
		res, pos := s.check(cmd, args, &kc)
		if res == OK {
			return OK, 0
		}
		if res > relevant || res == relevant && pos > last {
			relevant, last = res, pos
		}
	}
	return relevant, last
}

// CheckKey reports whether some selector allows key with need (Read,
// Write, both or 0), as Redis's ACLUserCheckKeyPerm.
func (u *User) CheckKey(key []byte, need int) bool {
	for _, s := range u.selectors {
		if s.checkKey(key, need) {
			return true
		}
	}
	return false
}

// CheckChannel reports whether some selector allows ch, as Redis's
// ACLUserCheckChannelPerm.
func (u *User) CheckChannel(ch []byte, isPattern bool) bool {
	for _, s := range u.selectors {
		if s.checkChannel(ch, isPattern) {
			return true
		}
	}
	return false
}

// CheckCmdUnrestrictedKeys is Redis's
// ACLUserCheckCmdWithUnrestrictedKeyAccess: some selector allows cmd and
// need on every key.
func (u *User) CheckCmdUnrestrictedKeys(cmd Command, args [][]byte, need int) bool {
	var kc keyCache
	for _, s := range u.selectors {
		if res, _ := s.check(cmd, args, &kc); res == OK && s.unrestrictedKeys(need) {
			return true
		}
	}
	return false
}

// DeniedMessage is Redis's getAclErrorMessage: the text after "NOPERM "
// for res (verbose: name the key or channel, as ACL DRYRUN does).
func DeniedMessage(res Result, u *User, cmd Command, val []byte, verbose bool) string {
	switch res {
	case DeniedCmd:
		return "User " + u.name + " has no permissions to run the '" + cmd.ACLName() + "' command"
	case DeniedKey:
		if verbose {
			return "User " + u.name + " has no permissions to access the '" + string(val) + "' key"
		}
		return "No permissions to access a key"
	case DeniedChannel:
		if verbose {
			return "User " + u.name + " has no permissions to access the '" + string(val) + "' channel"
		}
		return "No permissions to access a channel"
	}
	return ""
}

// ChannelsShrunk reports whether the channels next allows are not a
// superset of those orig allowed (Redis's test before killing pub/sub
// clients in ACLKillPubsubClientsIfNeeded); when true, allowed tells
// whether a subscription is still permitted.
func ChannelsShrunk(next, orig *User) (shrunk bool, allowed func(ch []byte, isPattern bool) bool) {
	var upcoming []string
	for _, s := range next.selectors {
		if s.allChans {
			return false, nil
		}
		upcoming = append(upcoming, s.chans...)
	}
	match := true
	for _, s := range orig.selectors {
		if s.allChans {
			match = false
			break
		}
		for _, c := range s.chans {
			if !contains(upcoming, c) {
				match = false
			}
		}
	}
	if match {
		return false, nil
	}
	return true, func(ch []byte, isPattern bool) bool { return channelInList(upcoming, ch, isPattern) }
}
