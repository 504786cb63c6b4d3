// Package keyspace is the data model of the modhost server: numbered
// databases of keys, the values of every Redis type, expiry (lazy and
// active), SCAN cursors, LRU/LFU bookkeeping, and the single write path that
// feeds keyspace notifications, WATCH invalidation and blocked clients.
//
// Nothing here locks: every method must be called under the server lock.
//
// Ownership rule: every method that stores bytes it was handed (keys, string
// values, list elements, hash fields and values, set and zset members,
// stream fields) copies them first, so callers may pass slices that alias a
// network buffer. Slices returned by accessors alias the stored data: they
// are read-only and valid until the value is next modified.
package keyspace

import "errors"

// Kind is a value's Redis type. The numbers equal Redis's OBJ_* constants.
type Kind uint8

// Value kinds.
const (
	KindString Kind = 0
	KindList   Kind = 1
	KindSet    Kind = 2
	KindZSet   Kind = 3
	KindHash   Kind = 4
	KindModule Kind = 5
	KindStream Kind = 6
)

// String returns the name TYPE reports ("module" for module values; see
// TypeName for the module type's own name).
func (k Kind) String() string {
	switch k {
	case KindString:
		return "string"
	case KindList:
		return "list"
	case KindSet:
		return "set"
	case KindZSet:
		return "zset"
	case KindHash:
		return "hash"
	case KindModule:
		return "module"
	case KindStream:
		return "stream"
	}
	return "none"
}

// Value is anything stored under a key: *String, *List, *Hash, *Set, *ZSet,
// *Stream or *ModuleValue.
type Value interface {
	// Kind returns the Redis type.
	Kind() Kind
	// Encoding returns what OBJECT ENCODING reports.
	Encoding() string
	// MemUsage estimates the bytes the value occupies (MEMORY USAGE).
	MemUsage() int
}

// Cloner is implemented by values that COPY can duplicate deeply.
type Cloner interface {
	// Clone returns a deep copy sharing no memory with the receiver.
	Clone() Value
}

// KeyCloner is implemented by values whose copy depends on the keys and
// databases involved (module values: the type's copy2 callback sees them).
// COPY prefers it to Cloner.
type KeyCloner interface {
	// CloneKey returns a copy of the value of from (db fromDB) to be
	// stored under to (db toDB), or an error (ErrNotCopyable when the
	// value cannot be copied at all).
	CloneKey(fromDB int, from []byte, toDB int, to []byte) (Value, error)
}

// DropReason says why a value left a key (Dropper).
type DropReason uint8

// Drop reasons. Each maps onto what Redis does to a module value: the
// type's unlink callback runs for every reason but DropFlushed, and its
// free callback for every reason but DropMoved.
const (
	// DropDeleted: DEL, a module's DeleteKey, a collection left empty,
	// RENAME or COPY REPLACE over an existing destination.
	DropDeleted DropReason = iota
	// DropUnlinked: UNLINK or a module's UnlinkKey (Redis asks the type's
	// free_effort before freeing lazily).
	DropUnlinked
	// DropExpired: lazy or active expiry, and EXPIRE/GETEX with a time
	// in the past.
	DropExpired
	// DropOverwritten: SET, SetKey and the like replaced the value.
	DropOverwritten
	// DropFlushed: FLUSHDB, FLUSHALL, DEBUG RELOAD, or a loaded value
	// discarded before it was stored (an expired key in an RDB file).
	DropFlushed
	// DropMoved: RENAME or MOVE took the value to another key; it stays
	// alive.
	DropMoved
	// DropEvicted: maxmemory eviction (freed as DropDeleted).
	DropEvicted
)

// Dropper is implemented by values that hold resources outside Go (only
// *ModuleValue): the keyspace calls Drop when the value leaves a key. The
// keyspace checks for it only on module values (KindModule), so the core
// types pay nothing. Drop must not modify the keyspace.
type Dropper interface {
	// Drop tells the value it left key in db, and why.
	Drop(db int, key []byte, why DropReason)
}

// dropValue tells v (when it is a Dropper) that it left key.
func dropValue(v Value, db int, key []byte, why DropReason) {
	if d, ok := v.(Dropper); ok {
		d.Drop(db, key, why)
	}
}

// Namer is implemented by module type descriptors (ModuleValue.Type) so that
// TYPE and SCAN TYPE can report the module type's name.
type Namer interface {
	// Name returns the 9-character module type name.
	Name() string
}

// TypeName returns the name TYPE reports for v: the kind's name, or the
// module type's name when v is a module value whose Type implements Namer.
func TypeName(v Value) string {
	if mv, ok := v.(*ModuleValue); ok {
		if n, ok := mv.Type.(Namer); ok {
			return n.Name()
		}
	}
	return v.Kind().String()
}

// Error texts shared with the command layer.
const (
	MsgWrongType = "WRONGTYPE Operation against a key holding the wrong kind of value"
	MsgNotInt    = "ERR value is not an integer or out of range"
	MsgNotFloat  = "ERR value is not a valid float"
)

// ErrWrongType is returned by helpers that find a key of another type.
var ErrWrongType = errors.New(MsgWrongType)

// Limits holds the encoding thresholds (the *-max-listpack-* and
// set-max-intset-entries config values). The server fills it from config;
// collections created with a *Limits read it on every mutation, so config
// changes take effect for later conversions (never backwards, as in Redis).
type Limits struct {
	ListMaxListpackSize    int // list-max-listpack-size: <0 is a byte class (-1 4K … -5 64K), >0 an entry count
	HashMaxListpackEntries int // hash-max-listpack-entries
	HashMaxListpackValue   int // hash-max-listpack-value
	SetMaxIntsetEntries    int // set-max-intset-entries
	SetMaxListpackEntries  int // set-max-listpack-entries
	SetMaxListpackValue    int // set-max-listpack-value
	ZSetMaxListpackEntries int // zset-max-listpack-entries
	ZSetMaxListpackValue   int // zset-max-listpack-value
}

// DefaultLimits returns Redis's defaults.
func DefaultLimits() Limits {
	return Limits{
		ListMaxListpackSize:    -2,
		HashMaxListpackEntries: 512,
		HashMaxListpackValue:   64,
		SetMaxIntsetEntries:    512,
		SetMaxListpackEntries:  128,
		SetMaxListpackValue:    64,
		ZSetMaxListpackEntries: 128,
		ZSetMaxListpackValue:   64,
	}
}

var defaultLimits = DefaultLimits()

func limitsOr(l *Limits) *Limits {
	if l == nil {
		return &defaultLimits
	}
	return l
}

// lpEntrySize estimates the bytes one element takes in a Redis listpack
// (encoding header + payload + back-length), integers encoded as Redis does.
func lpEntrySize(b []byte) int {
	var n int
	if v, ok := ParseInt(b); ok {
		switch {
		case v >= 0 && v <= 127:
			n = 1
		case v >= -4096 && v <= 4095:
			n = 2
		case v >= -32768 && v <= 32767:
			n = 3
		case v >= -8388608 && v <= 8388607:
			n = 4
		case v >= -2147483648 && v <= 2147483647:
			n = 5
		default:
			n = 9
		}
	} else {
		switch l := len(b); {
		case l < 64:
			n = 1 + l
		case l < 4096:
			n = 2 + l
		default:
			n = 5 + l
		}
	}
	switch {
	case n <= 127:
		return n + 1
	case n < 16383:
		return n + 2
	case n < 2097151:
		return n + 3
	case n < 268435455:
		return n + 4
	}
	return n + 5
}

// lpOverhead is a listpack's header plus terminator.
const lpOverhead = 7
