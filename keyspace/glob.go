package keyspace

import "github.com/modhost/modhost/internal/glob"

// GlobMatch reports whether s matches pattern with Redis's stringmatchlen
// rules (see glob.Match); nocase folds ASCII case.
func GlobMatch(pattern, s []byte, nocase bool) bool { return glob.Match(pattern, s, nocase) }
