package config

import "github.com/modhost/modhost/keyspace"

// Match reports whether str matches the glob pattern with Redis's rules
// (stringmatchlen: '*', '?', '[...]' classes with '^' and ranges, '\'
// escapes); nocase compares ASCII letters case-insensitively. CONFIG GET
// matches names with it.
func Match(pattern, str string, nocase bool) bool {
	return keyspace.GlobMatch([]byte(pattern), []byte(str), nocase)
}
