package keyspace

import (
	"errors"
	"unsafe"
)

// ModuleValue is a module data type's value: the host's type descriptor
// (implement Namer to give TYPE its name, MemUsager for MEMORY USAGE,
// ModuleDropper to be told when the value leaves the keyspace,
// ModuleCopier for COPY) and the module's opaque pointer. The keyspace
// never dereferences Ptr; freeing it (the type's free callback) is the
// descriptor's job, done from Drop.
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

// ModuleDropper is implemented by module type descriptors that release
// their values (the type's unlink and free callbacks).
type ModuleDropper interface {
	// DropModuleValue is told that mv left key in db, and why (see
	// DropReason for what each reason asks of it).
	DropModuleValue(mv *ModuleValue, db int, key []byte, why DropReason)
}

// ModuleCopier is implemented by module type descriptors whose values COPY
// can duplicate (the type's copy or copy2 callback).
type ModuleCopier interface {
	// CopyModuleValue duplicates ptr, the value of key from in db fromDB,
	// for key to in db toDB. It returns ErrNotCopyable when the type has
	// no copy callback, or another error when the copy failed.
	CopyModuleValue(ptr unsafe.Pointer, fromDB int, from []byte, toDB int, to []byte) (unsafe.Pointer, error)
}

// ErrNotCopyable is returned by ModuleCopier (and CloneKey) for a value
// whose type cannot be copied.
var ErrNotCopyable = errors.New("value cannot be copied")

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

// Drop hands the value to its type's ModuleDropper (Dropper); a type
// without one is not told.
func (m *ModuleValue) Drop(db int, key []byte, why DropReason) {
	if d, ok := m.Type.(ModuleDropper); ok {
		d.DropModuleValue(m, db, key, why)
	}
}

// CloneKey duplicates the value through its type's ModuleCopier
// (KeyCloner); ErrNotCopyable when the type has none.
func (m *ModuleValue) CloneKey(fromDB int, from []byte, toDB int, to []byte) (Value, error) {
	c, ok := m.Type.(ModuleCopier)
	if !ok {
		return nil, ErrNotCopyable
	}
	p, err := c.CopyModuleValue(m.Ptr, fromDB, from, toDB, to)
	if err != nil {
		return nil, err
	}
	return &ModuleValue{Type: m.Type, Ptr: p}, nil
}
