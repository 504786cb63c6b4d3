// Package abi describes the module API that modhost offers to Redis modules.
//
// Everything here is derived from the project's redismodule.h by
// `go generate ./abi` (see abi/gen): the list of API functions with their C
// signatures and families, and, on the host side, the GetApi name table and
// the C trampolines for functions implemented in Go.
package abi

// Status says how far modhost implements an API function.
type Status string

const (
	// Implemented means the function behaves as in Redis.
	Implemented Status = "implemented"
	// Partial means the function exists but differs from Redis; the
	// implementation carries a "modhost:partial <reason>" marker.
	Partial Status = "partial"
	// Missing means GetApi does not know the function: a module's pointer
	// for it stays NULL.
	Missing Status = "missing"
)

// Function is one RedisModule_* API function declared in redismodule.h.
type Function struct {
	// Name is the name without the RedisModule_ prefix, e.g. "Alloc".
	Name string
	// Return is the C return type, e.g. "void *".
	Return string
	// Params is the C parameter list as declared, e.g. "size_t bytes".
	Params string
	// Variadic is true when Params ends with "...".
	Variadic bool
	// Family is the API reference section the function belongs to.
	Family string
	// Status is how far the host implements it.
	Status Status
	// Note says how a Partial function differs from Redis (the text of
	// its "modhost:partial" marker); "" otherwise.
	Note string
}

// Lookup returns the function called name (without prefix), if declared.
func Lookup(name string) (Function, bool) {
	for _, f := range Functions {
		if f.Name == name {
			return f, true
		}
	}
	return Function{}, false
}
