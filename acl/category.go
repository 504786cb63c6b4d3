// Package acl is the ACL user store shared by the server (ACL, AUTH, the
// dispatcher's permission checks) and the module host (module users,
// RedisModule_Call's "C" flag, ACLCheck*Permissions): users, their
// selectors and rules, the ACL log and the ACL file format, as Redis 7.2
// has them. It knows commands only through the Command interface, so it
// imports nothing of the server.
package acl

import (
	"strings"
	"sync"
)

// coreCategories are Redis's ACL command categories, in ACL CAT order;
// category i is bit 1<<i of a command's category set.
var coreCategories = []string{
	"keyspace", "read", "write", "set", "sortedset", "list", "hash", "string",
	"bitmap", "hyperloglog", "geo", "stream", "pubsub", "admin", "fast", "slow",
	"blocking", "dangerous", "connection", "transaction", "scripting",
}

// MaxCategories is Redis's limit (categories are bits of a 64-bit word).
const MaxCategories = 64

// cats holds the category names by bit: the core ones, then those modules
// added ("" for a removed one). Process-wide, as in Redis.
var cats = struct {
	sync.RWMutex
	names []string
	owner []any
}{names: append([]string(nil), coreCategories...), owner: make([]any, len(coreCategories))}

// CategoryBit returns the bit of category name (any case), 0 if unknown.
func CategoryBit(name string) uint64 {
	cats.RLock()
	defer cats.RUnlock()
	for i, c := range cats.names {
		if c != "" && strings.EqualFold(c, name) {
			return 1 << i
		}
	}
	return 0
}

// CategoryBits returns the bit set of the named categories; unknown names
// are skipped.
func CategoryBits(names []string) uint64 {
	var m uint64
	for _, n := range names {
		m |= CategoryBit(n)
	}
	return m
}

// Categories returns every category name in ACL CAT order.
func Categories() []string {
	cats.RLock()
	defer cats.RUnlock()
	out := make([]string, 0, len(cats.names))
	for _, c := range cats.names {
		if c != "" {
			out = append(out, c)
		}
	}
	return out
}

// AddCategory adds a module category owned by owner; false when the limit
// of 64 categories is reached.
func AddCategory(name string, owner any) bool {
	cats.Lock()
	defer cats.Unlock()
	l := strings.ToLower(name)
	for i, c := range cats.names {
		if c == "" {
			cats.names[i], cats.owner[i] = l, owner
			Invalidate()
			return true
		}
	}
	if len(cats.names) >= MaxCategories {
		return false
	}
	cats.names = append(cats.names, l)
	cats.owner = append(cats.owner, owner)
	Invalidate()
	return true
}

// RemoveCategories drops the categories owner added (a module whose OnLoad
// failed; after a successful load they stay until restart, as in Redis).
func RemoveCategories(owner any) {
	cats.Lock()
	defer cats.Unlock()
	for i := len(coreCategories); i < len(cats.names); i++ {
		if cats.owner[i] == owner {
			cats.names[i], cats.owner[i] = "", nil
		}
	}
	for len(cats.names) > len(coreCategories) && cats.names[len(cats.names)-1] == "" {
		cats.names = cats.names[:len(cats.names)-1]
		cats.owner = cats.owner[:len(cats.owner)-1]
	}
	Invalidate()
}

// AddedCategoryCount is the number of categories modules added.
func AddedCategoryCount() int { return len(Categories()) - len(coreCategories) }
