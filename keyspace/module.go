package keyspace

import "unsafe"

// ModuleValue is a module data type's value: the host's type descriptor
// (implement Namer to give TYPE its name, MemUsager for MEMORY USAGE) and
// the module's opaque pointer. The keyspace never dereferences Ptr; freeing
// it (the type's free callback) is the host's job when the key is deleted
// or overwritten.
type ModuleValue struct {
	Type any
	Ptr  unsafe.Pointer
}

// MemUsager is implemented by module type descriptors that can size a value
// (the type's mem_usage callback).
type MemUsager interface {
	// MemUsage returns the bytes used by the value at ptr.
	MemUsage(ptr unsafe.Pointer) int
}

// Kind returns KindModule.
func (m *ModuleValue) Kind() Kind { return KindModule }

// Encoding returns "raw", as Redis reports for module values.
func (m *ModuleValue) Encoding() string { return "raw" }

// MemUsage asks the type (MemUsager) or returns the object header size.
func (m *ModuleValue) MemUsage() int {
	if mu, ok := m.Type.(MemUsager); ok {
		return 16 + mu.MemUsage(m.Ptr)
	}
	return 16
}
