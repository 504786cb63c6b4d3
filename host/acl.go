package host

import "github.com/modhost/modhost/acl"

// The ACL categories modules add live in package acl (process-wide, as in
// Redis); the host remembers which module added which, so that a failed
// OnLoad can take its categories back.

// aclCategoryKnown reports whether name (any case) is a core or added category.
func aclCategoryKnown(name string) bool { return acl.CategoryBit(name) != 0 }

// addACLCategory adds name for m; false when the limit is reached.
func addACLCategory(m *Module, name string) bool {
	if !acl.AddCategory(name, m) {
		return false
	}
	m.aclCats = append(m.aclCats, name)
	return true
}

// removeACLCategories drops the categories m added; used when its OnLoad
// fails (after a successful load they stay until restart, as in Redis).
func removeACLCategories(m *Module) {
	acl.RemoveCategories(m)
	m.aclCats = nil
}
