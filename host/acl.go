package host

import (
	"strings"
	"sync"
)

// coreACLCategories are Redis's ACL command categories.
var coreACLCategories = []string{
	"keyspace", "read", "write", "set", "sortedset", "list", "hash", "string",
	"bitmap", "hyperloglog", "geo", "stream", "pubsub", "admin", "fast", "slow",
	"blocking", "dangerous", "connection", "transaction", "scripting",
}

// maxACLCategories is Redis's limit (categories are bits of a 64-bit word).
const maxACLCategories = 64

// aclCats holds categories added by modules (process-wide, as in Redis).
var aclCats = struct {
	sync.Mutex
	added map[string]*Module // lower-case name -> module that added it
}{added: map[string]*Module{}}

// aclCategoryKnown reports whether name (any case) is a core or added category.
func aclCategoryKnown(name string) bool {
	l := strings.ToLower(name)
	for _, c := range coreACLCategories {
		if c == l {
			return true
		}
	}
	aclCats.Lock()
	defer aclCats.Unlock()
	return aclCats.added[l] != nil
}

// addACLCategory adds name for m; false when the limit is reached.
func addACLCategory(m *Module, name string) bool {
	aclCats.Lock()
	defer aclCats.Unlock()
	if len(coreACLCategories)+len(aclCats.added) >= maxACLCategories {
		return false
	}
	l := strings.ToLower(name)
	aclCats.added[l] = m
	m.aclCats = append(m.aclCats, l)
	return true
}

// removeACLCategories drops the categories m added; used when its OnLoad
// fails (after a successful load they stay until restart, as in Redis).
func removeACLCategories(m *Module) {
	aclCats.Lock()
	defer aclCats.Unlock()
	for _, c := range m.aclCats {
		if aclCats.added[c] == m {
			delete(aclCats.added, c)
		}
	}
	m.aclCats = nil
}
