package host

// The ACL rules of module users (RedisModule_CreateModuleUser and
// SetModuleUserACL): a subset of ACL SETUSER that modules use, evaluated
// the way Redis evaluates a user's root selector. Pure Go, no cgo.

import (
	"crypto/sha256"
	"encoding/hex"
	"strings"
	"syscall"

	"github.com/modhost/modhost/commands"
	"github.com/modhost/modhost/keyspace"
)

// Key pattern permissions (Redis's ACL_READ_PERMISSION and friends).
const (
	aclRead  = 1 << 0
	aclWrite = 1 << 1
	aclAll   = aclRead | aclWrite
)

// aclKeyPattern is one ~pattern, %R~pattern or %W~pattern.
type aclKeyPattern struct {
	pat  string
	perm int
}

// aclUser is an ACL user: a module user, or the built-in default user
// seen through GetModuleUserFromUserName. Guarded by the server lock.
type aclUser struct {
	name      string
	enabled   bool     // "on" (a new user is "off")
	nopass    bool     // "nopass"
	skipSan   bool     // "skip-sanitize-payload" (default "sanitize-payload")
	passwords []string // SHA-256 hex of each password, in order
	allCmds   bool     // the rules start from +@all (else -@all)
	rules     []string // command and category rules after the base, "+get", "-@write"
	allKeys   bool
	keys      []aclKeyPattern
	allChans  bool
	chans     []string
}

// newACLUser returns a user as Redis creates one: off, no passwords, no
// keys, no channels, no commands.
func newACLUser(name string) *aclUser { return &aclUser{name: name} }

// clone returns an independent copy of u.
func (u *aclUser) clone() *aclUser {
	c := *u
	c.passwords = append([]string(nil), u.passwords...)
	c.rules = append([]string(nil), u.rules...)
	c.keys = append([]aclKeyPattern(nil), u.keys...)
	c.chans = append([]string(nil), u.chans...)
	return &c
}

// cmdLookup finds a command by name ("get", "client|setname"), nil if none.
type cmdLookup func(name string) *commands.Command

// hashPassword is the form Redis stores passwords in.
func hashPassword(p string) string {
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

// set applies one ACL SETUSER operation to u. It returns 0 or the errno
// Redis's ACLSetUser sets: EINVAL (syntax, and the forms modhost does not
// support: selectors and first-arg rules), ENOENT (unknown command or
// category), EEXIST/EISDIR (a pattern after allkeys/allchannels), ENODEV
// (removing an unknown password), EBADMSG (a bad password hash).
func (u *aclUser) set(op string, lookup cmdLookup) syscall.Errno {
	if op == "" {
		return 0
	}
	lower := strings.ToLower(op)
	switch lower {
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
	case "reset":
		*u = aclUser{name: u.name}
	case "allkeys", "~*":
		u.allKeys, u.keys = true, nil
	case "resetkeys":
		u.allKeys, u.keys = false, nil
	case "allchannels", "&*":
		u.allChans, u.chans = true, nil
	case "resetchannels":
		u.allChans, u.chans = false, nil
	case "allcommands", "+@all":
		u.allCmds, u.rules = true, nil
	case "nocommands", "-@all":
		u.allCmds, u.rules = false, nil
	default:
		return u.setPattern(op, lookup)
	}
	return 0
}

// setPattern applies the operations that carry an argument.
func (u *aclUser) setPattern(op string, lookup cmdLookup) syscall.Errno {
	switch op[0] {
	case '>', '#':
		h := hashPassword(op[1:])
		if op[0] == '#' {
			if !validHash(op[1:]) {
				return syscall.EBADMSG
			}
			h = op[1:]
		}
		if !aclContains(u.passwords, h) {
			u.passwords = append(u.passwords, h)
		}
		u.nopass = false
	case '<', '!':
		h := hashPassword(op[1:])
		if op[0] == '!' {
			if !validHash(op[1:]) {
				return syscall.EBADMSG
			}
			h = op[1:]
		}
		i := aclIndex(u.passwords, h)
		if i < 0 {
			return syscall.ENODEV
		}
		u.passwords = append(u.passwords[:i], u.passwords[i+1:]...)
	case '~', '%':
		return u.addKeyPattern(op)
	case '&':
		if u.allChans {
			return syscall.EISDIR
		}
		if strings.ContainsAny(op[1:], " ") {
			return syscall.EINVAL
		}
		if !aclContains(u.chans, op[1:]) {
			u.chans = append(u.chans, op[1:])
		}
	case '+', '-':
		return u.addCommandRule(op, lookup)
	default:
		return syscall.EINVAL
	}
	return 0
}

// addKeyPattern applies ~pattern and %<R|W|RW>~pattern.
func (u *aclUser) addKeyPattern(op string) syscall.Errno {
	if u.allKeys {
		return syscall.EEXIST
	}
	perm, off := aclAll, 1
	if op[0] == '%' {
		perm = 0
		for off = 1; off < len(op); off++ {
			ch := op[off]
			if (ch == 'R' || ch == 'r') && perm&aclRead == 0 {
				perm |= aclRead
			} else if (ch == 'W' || ch == 'w') && perm&aclWrite == 0 {
				perm |= aclWrite
			} else if ch == '~' && perm != 0 {
				off++
				break
			} else {
				return syscall.EINVAL
			}
		}
		if op[off-1] != '~' {
			return syscall.EINVAL
		}
	}
	pat := op[off:]
	if strings.ContainsAny(pat, " ") {
		return syscall.EINVAL
	}
	for i := range u.keys {
		if u.keys[i].pat == pat {
			u.keys[i].perm |= perm
			return 0
		}
	}
	u.keys = append(u.keys, aclKeyPattern{pat: pat, perm: perm})
	return 0
}

// addCommandRule applies +cmd, -cmd, +cmd|sub, -cmd|sub, +@cat and -@cat,
// keeping Redis's ordered rule list (an earlier rule for the same command
// or category, and its subcommand rules, are replaced).
func (u *aclUser) addCommandRule(op string, lookup cmdLookup) syscall.Errno {
	name := strings.ToLower(op[1:])
	if name == "" {
		return syscall.EINVAL
	}
	if name[0] == '@' {
		if !aclCategoryKnown(name[1:]) {
			return syscall.ENOENT
		}
	} else {
		cmd := lookup(name)
		if cmd == nil {
			if i := strings.IndexByte(name, '|'); i >= 0 && lookup(name[:i]) != nil && lookup(name[:i]).Subs == nil {
				return syscall.EINVAL // first-arg rules: not supported by modhost
			}
			return syscall.ENOENT
		}
		name = cmd.FullName
	}
	kept := u.rules[:0]
	for _, r := range u.rules {
		body := r[1:]
		if body == name || strings.HasPrefix(body, name+"|") {
			continue
		}
		kept = append(kept, r)
	}
	u.rules = append(kept, op[:1]+name)
	return 0
}

// setString applies a whole ACL string (RedisModule_SetModuleUserACLString)
// atomically: on error u is unchanged and the text is Redis's.
func (u *aclUser) setString(acl string, lookup cmdLookup) string {
	tmp := u.clone()
	for _, op := range strings.Fields(acl) {
		if op[0] == '(' {
			return "Error in ACL SETUSER modifier '" + op + "': Syntax error"
		}
		if errno := tmp.set(op, lookup); errno != 0 {
			return "Error in ACL SETUSER modifier '" + op + "': " + aclErrorText(errno)
		}
	}
	*u = *tmp
	return ""
}

// aclErrorText is Redis's ACLSetUserStringError for errno.
func aclErrorText(errno syscall.Errno) string {
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
	case syscall.ECHILD:
		return "Allowing first-arg of a subcommand is not supported"
	}
	return "Wrong format"
}

// describe returns the user as ACL LIST shows it (ACLDescribeUser).
func (u *aclUser) describe() string {
	var b strings.Builder
	if u.enabled {
		b.WriteString("on ")
	} else {
		b.WriteString("off ")
	}
	if u.nopass {
		b.WriteString("nopass ")
	}
	if u.skipSan {
		b.WriteString("skip-sanitize-payload ")
	} else {
		b.WriteString("sanitize-payload ")
	}
	for _, p := range u.passwords {
		b.WriteString("#" + p + " ")
	}
	if u.allKeys {
		b.WriteString("~* ")
	} else {
		for _, k := range u.keys {
			switch k.perm {
			case aclRead:
				b.WriteString("%R~")
			case aclWrite:
				b.WriteString("%W~")
			default:
				b.WriteString("~")
			}
			b.WriteString(k.pat + " ")
		}
	}
	if u.allChans {
		b.WriteString("&* ")
	} else {
		b.WriteString("resetchannels ")
		for _, c := range u.chans {
			b.WriteString("&" + c + " ")
		}
	}
	if u.allCmds {
		b.WriteString("+@all")
	} else {
		b.WriteString("-@all")
	}
	for _, r := range u.rules {
		b.WriteString(" " + r)
	}
	return b.String()
}

// checkPassword reports whether pass opens u (enabled, and nopass or a
// matching password).
func (u *aclUser) checkPassword(pass []byte) bool {
	if !u.enabled {
		return false
	}
	return u.nopass || aclContains(u.passwords, hashPassword(string(pass)))
}

// inCategory reports whether cmd, or its container, is in category cat.
func inCategory(cmd *commands.Command, cat string) bool {
	for c := cmd; c != nil; c = c.Parent {
		for _, have := range c.Categories() {
			if have == cat {
				return true
			}
		}
	}
	return false
}

// canRunCommand replays the rules for cmd as Redis's command bitmap
// would answer.
func (u *aclUser) canRunCommand(cmd *commands.Command) bool {
	ok := u.allCmds
	for _, r := range u.rules {
		allow, body := r[0] == '+', r[1:]
		switch {
		case body[0] == '@':
			if inCategory(cmd, body[1:]) {
				ok = allow
			}
		case body == cmd.FullName, cmd.Parent != nil && body == cmd.Parent.FullName:
			ok = allow
		}
	}
	return ok
}

// checkKey reports whether u may access key with the host's key-spec
// flags (KeyAccess needs read, KeyInsert/Update/Delete need write; no
// flags need any matching pattern).
func (u *aclUser) checkKey(key []byte, flags commands.KeyFlag) bool {
	if u.allKeys {
		return true
	}
	need := 0
	if flags&commands.KeyAccess != 0 {
		need |= aclRead
	}
	if flags&(commands.KeyInsert|commands.KeyUpdate|commands.KeyDelete) != 0 {
		need |= aclWrite
	}
	for _, k := range u.keys {
		if k.perm&need != need {
			continue
		}
		if keyspace.GlobMatch([]byte(k.pat), key, false) {
			return true
		}
	}
	return false
}

// checkChannel reports whether u may use channel; a pattern (PSUBSCRIBE)
// must equal one of the user's patterns literally, as in Redis.
func (u *aclUser) checkChannel(ch []byte, isPattern bool) bool {
	if u.allChans {
		return true
	}
	for _, p := range u.chans {
		if isPattern && p == string(ch) || !isPattern && keyspace.GlobMatch([]byte(p), ch, false) {
			return true
		}
	}
	return false
}

// Denial reasons of checkCommand (Redis's ACL_DENIED_*).
const (
	aclOK = iota
	aclDeniedCmd
	aclDeniedKey
	aclDeniedChannel
)

// checkCommand is Redis's ACLCheckAllUserCommandPerm for u: the command
// itself, then its keys (by key specs), then the channels of the pub/sub
// commands.
func (u *aclUser) checkCommand(cmd *commands.Command, args [][]byte) int {
	if !u.canRunCommand(cmd) {
		return aclDeniedCmd
	}
	if !u.allKeys && cmd.HasKeys() {
		keys, _ := cmd.Keys(args)
		for _, k := range keys {
			if k.Pos < len(args) && !u.checkKey(args[k.Pos], k.Flags) {
				return aclDeniedKey
			}
		}
	}
	if !u.allChans {
		first, pattern := 1, false
		switch cmd.FullName {
		case "publish", "spublish":
			if len(args) > 1 && !u.checkChannel(args[1], false) {
				return aclDeniedChannel
			}
		case "psubscribe":
			pattern = true
			fallthrough
		case "subscribe", "ssubscribe":
			for _, ch := range args[first:] {
				if !u.checkChannel(ch, pattern) {
					return aclDeniedChannel
				}
			}
		}
	}
	return aclOK
}

// deniedText is Redis's getAclErrorMessage (not verbose) for reason.
func (u *aclUser) deniedText(reason int, cmd *commands.Command) string {
	switch reason {
	case aclDeniedCmd:
		return "User " + u.name + " has no permissions to run the '" + cmd.FullName + "' command"
	case aclDeniedKey:
		return "No permissions to access a key"
	case aclDeniedChannel:
		return "No permissions to access a channel"
	}
	return ""
}

func aclContains(list []string, s string) bool { return aclIndex(list, s) >= 0 }

func aclIndex(list []string, s string) int {
	for i, v := range list {
		if v == s {
			return i
		}
	}
	return -1
}
