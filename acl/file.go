package acl

import (
	"fmt"
	"os"
	"strings"
	"syscall"
)

// LoadFile is ACL LOAD and the aclfile at startup (Redis's
// ACLLoadFromFile): every line must be "user <name> rules..." (blank lines
// allowed). With any error nothing changes and the text lists the errors;
// otherwise the users are replaced (the default user keeps its identity,
// new rules) and the users that went away (every old user but default) are
// returned so that their clients can be closed.
func (s *Store) LoadFile(path string, lookup Lookup) (gone []*User, errText string) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Sprintf("Error loading ACLs, opening file '%s': %s", path, strerrorOf(err))
	}
	users := map[string]*User{}
	var errs strings.Builder
	for i, line := range strings.Split(string(data), "\n") {
		n := i + 1
		line = strings.Trim(line, " \t\r\n")
		if line == "" {
			continue
		}
		argv := strings.Split(line, " ")
		if argv[0] != "user" || len(argv) < 2 {
			fmt.Fprintf(&errs, "%s:%d should start with user keyword followed by the username. ", path, n)
			continue
		}
		if hasSpaces(argv[1]) {
			fmt.Fprintf(&errs, "'%s:%d: username '%s' contains invalid characters. ", path, n, argv[1])
			continue
		}
		if users[argv[1]] != nil {
			fmt.Fprintf(&errs, "WARNING: Duplicate user '%s' found on line %d. ", argv[1], n)
			continue
		}
		u := NewUser(argv[1])
		users[argv[1]] = u
		merged, bad := MergeSelectorArgs(argv[2:])
		if bad >= 0 {
			fmt.Fprintf(&errs, "%s:%d: Unmatched parenthesis in selector definition.", path, n)
		}
		syntaxErr := false
		for _, op := range merged {
			op = strings.Trim(op, "\t\r\n")
			errno := u.Set(op, lookup)
			if errno == 0 {
				continue
			}
			if errno == syscall.ENOENT {
				fmt.Fprintf(&errs, "%s:%d: Error in applying operation '%s': %s. ", path, n, op, ErrorText(errno))
			} else if !syntaxErr {
				fmt.Fprintf(&errs, "%s:%d: %s. ", path, n, ErrorText(errno))
				syntaxErr = true
			}
		}
	}
	if errs.Len() > 0 {
		errs.WriteString("WARNING: ACL errors detected, no change to the previously active ACL rules was performed")
		return nil, errs.String()
	}
	if nd := users["default"]; nd != nil {
		s.def.CopyFrom(nd)
	} else {
		s.def.CopyFrom(newDefaultUser())
	}
	users["default"] = s.def
	for name, u := range s.users {
		if name != "default" {
			gone = append(gone, u)
		}
	}
	s.users = users
	return gone, ""
}

// FileText is the ACL file ACL SAVE writes: one "user <name> <rules>"
// line per user, in name order.
func (s *Store) FileText() string {
	var b strings.Builder
	for _, u := range s.Users() {
		b.WriteString("user " + u.name + " " + u.Describe() + "\n")
	}
	return b.String()
}

// SaveFile writes FileText to path through a temporary file and a rename,
// as Redis's ACLSaveToFile. On failure it returns the line Redis logs.
func (s *Store) SaveFile(path string) (logLine string) {
	tmp := fmt.Sprintf("%s.tmp-%d", path, os.Getpid())
	f, err := os.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o644)
	if err != nil {
		return "Opening temp ACL file for ACL SAVE: " + strerrorOf(err)
	}
	defer os.Remove(tmp)
	if _, err := f.WriteString(s.FileText()); err != nil {
		f.Close()
		return "Writing ACL file for ACL SAVE: " + strerrorOf(err)
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return "Syncing ACL file for ACL SAVE: " + strerrorOf(err)
	}
	f.Close()
	if err := os.Rename(tmp, path); err != nil {
		return "Renaming ACL file for ACL SAVE: " + strerrorOf(err)
	}
	return ""
}

// strerrorOf returns the C strerror text of a file error ("No such file or
// directory"), with a capital first letter as glibc writes it.
func strerrorOf(err error) string {
	if pe, ok := err.(*os.PathError); ok {
		err = pe.Err
	}
	msg := err.Error()
	if msg != "" {
		msg = strings.ToUpper(msg[:1]) + msg[1:]
	}
	return msg
}

// SplitArgs splits a line as Redis's sdssplitargs: spaces separate
// arguments; "double quotes" take \n \r \t \b \a \\ \" and \xHH escapes;
// 'single quotes' take \'. ok is false for unbalanced quotes or a closing
// quote not followed by a space.
func SplitArgs(line string) (args []string, ok bool) {
	i := 0
	for {
		for i < len(line) && isSpace(line[i]) {
			i++
		}
		if i >= len(line) {
			return args, true
		}
		var cur []byte
		inDq, inSq := false, false
		for done := false; !done; {
			if inDq {
				if i >= len(line) {
					return nil, false
				}
				switch {
				case line[i] == '\\' && i+3 < len(line) && line[i+1] == 'x' && isHex(line[i+2]) && isHex(line[i+3]):
					cur = append(cur, hexVal(line[i+2])*16+hexVal(line[i+3]))
					i += 3
				case line[i] == '\\' && i+1 < len(line):
					i++
					cur = append(cur, unescape(line[i]))
				case line[i] == '"':
					if i+1 < len(line) && !isSpace(line[i+1]) {
						return nil, false
					}
					done = true
				default:
					cur = append(cur, line[i])
				}
			} else if inSq {
				if i >= len(line) {
					return nil, false
				}
				switch {
				case line[i] == '\\' && i+1 < len(line) && line[i+1] == '\'':
					i++
					cur = append(cur, '\'')
				case line[i] == '\'':
					if i+1 < len(line) && !isSpace(line[i+1]) {
						return nil, false
					}
					done = true
				default:
					cur = append(cur, line[i])
				}
			} else {
				if i >= len(line) {
					break
				}
				switch line[i] {
				case ' ', '\n', '\r', '\t', 0:
					done = true
				case '"':
					inDq = true
				case '\'':
					inSq = true
				default:
					cur = append(cur, line[i])
				}
			}
			if i < len(line) {
				i++
			}
		}
		args = append(args, string(cur))
	}
}

func isSpace(c byte) bool {
	return c == ' ' || c == '\n' || c == '\r' || c == '\t' || c == '\v' || c == '\f'
}

func isHex(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F'
}

func hexVal(c byte) byte {
	switch {
	case c >= '0' && c <= '9':
		return c - '0'
	case c >= 'a' && c <= 'f':
		return c - 'a' + 10
	}
	return c - 'A' + 10
}

func unescape(c byte) byte {
	switch c {
	case 'n':
		return '\n'
	case 'r':
		return '\r'
	case 't':
		return '\t'
	case 'b':
		return '\b'
	case 'a':
		return '\a'
	}
	return c
}
