package acl

import (
	"sort"
	"syscall"
)

// Store is the server's set of ACL users by name, always holding
// "default", and the ACL log. Guarded by the server lock.
type Store struct {
	users map[string]*User
	def   *User
	// Log is the ACL LOG.
	Log Log
	// Stats count the denials INFO reports (acl_access_denied_*).
	Stats struct{ Auth, Cmd, Key, Channel int64 }
}

// NewStore returns a store with only the default user.
func NewStore() *Store {
	d := newDefaultUser()
	return &Store{users: map[string]*User{"default": d}, def: d, Log: Log{Max: 128}}
}

// Default returns the default user.
func (s *Store) Default() *User { return s.def }

// Get returns the user called name, nil if none.
func (s *Store) Get(name string) *User { return s.users[name] }

// Names returns the user names in byte order (as Redis's radix tree).
func (s *Store) Names() []string {
	out := make([]string, 0, len(s.users))
	for n := range s.users {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}

// Users returns the users in name order.
func (s *Store) Users() []*User {
	names := s.Names()
	out := make([]*User, len(names))
	for i, n := range names {
		out[i] = s.users[n]
	}
	return out
}

// AuthRequired reports whether a new connection must authenticate (the
// default user has passwords or is off), Redis's authRequired.
func (s *Store) AuthRequired() bool { return !s.def.nopass || !s.def.enabled }

// SetUser is ACL SETUSER: it applies ops to the user called name, creating
// it, all or nothing. It returns the user, a copy of its rules before the
// change (nil for a new user) and Redis's error text.
func (s *Store) SetUser(name string, ops []string, lookup Lookup) (u, before *User, msg string) {
	u = s.users[name]
	base := u
	if base == nil {
		base = NewUser(name)
	}
	tmp, msg := base.Staged(ops, lookup)
	if msg != "" {
		return nil, nil, msg
	}
	if u == nil {
		u = base
		s.users[name] = u
	} else {
		before = u.Clone()
	}
	u.CopyFrom(tmp)
	return u, before, ""
}

// Delete removes the user called name and returns it (nil if none). The
// default user cannot be deleted; the caller checks.
func (s *Store) Delete(name string) *User {
	u := s.users[name]
	if u != nil && u != s.def {
		delete(s.users, name)
		return u
	}
	return nil
}

// SetDefaultPassword is requirepass (Redis's ACLUpdateDefaultUserPassword):
// resetpass, then >pass, or nopass for "".
func (s *Store) SetDefaultPassword(pass string) {
	s.def.Set("resetpass", nil)
	if pass != "" {
		s.def.Set(">"+pass, nil)
	} else {
		s.def.Set("nopass", nil)
	}
}

// Count records one denial for INFO (Redis's ACLUpdateInfoMetrics).
func (s *Store) Count(res Result) {
	switch res {
	case DeniedAuth:
		s.Stats.Auth++
	case DeniedCmd:
		s.Stats.Cmd++
	case DeniedKey:
		s.Stats.Key++
	case DeniedChannel:
		s.Stats.Channel++
	}
}

// ConfigUser is one "user" directive of the configuration: the name and
// its operations.
type ConfigUser struct {
	Name string
	Ops  []string
}

// ValidateConfigUser checks a "user" directive (argv[0] is "user") as
// Redis does when it reads the configuration (ACLAppendUserForLoading):
// unknown commands are left for later (modules may add them). It returns
// Redis's error text, or "", and the index Redis names in its message
// (which, as in Redis, counts the merged rules, not argv).
func ValidateConfigUser(argv []string, seen []ConfigUser) (msg string, bad int) {
	for _, cu := range seen {
		if cu.Name == argv[1] {
			return ErrorText(syscall.EALREADY), 1
		}
	}
	merged, open := MergeSelectorArgs(argv[2:])
	if open >= 0 {
		return "Wrong format", open
	}
	fake := NewUser("")
	for j, op := range merged {
		if errno := fake.Set(op, nil); errno != 0 && errno != syscall.ENOENT {
			return ErrorText(errno), j
		}
	}
	return "", 0
}

// LoadConfigUsers creates the users of the "user" directives at startup
// (Redis's ACLLoadConfiguredUsers); "default" is reset and redefined. It
// returns the error to log, or "".
func (s *Store) LoadConfigUsers(list []ConfigUser, lookup Lookup) string {
	for _, cu := range list {
		if hasSpaces(cu.Name) {
			return "Spaces not allowed in ACL usernames"
		}
		u := s.users[cu.Name]
		if u == nil {
			u = NewUser(cu.Name)
			s.users[cu.Name] = u
		} else {
			u.Set("reset", lookup)
		}
		merged, _ := MergeSelectorArgs(cu.Ops)
		for _, op := range merged {
			if errno := u.Set(op, lookup); errno != 0 {
				return "Error loading ACL rule '" + op + "' for the user named '" + cu.Name + "': " + ErrorText(errno)
			}
		}
	}
	return ""
}
