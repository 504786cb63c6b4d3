package rdb

import (
	"unsafe"

	"github.com/modhost/modhost/keyspace"
)

// ModuleLoader is the module layer's hook for loading module values
// (RDB_TYPE_MODULE_2). Load finds the type registered under typeID (the
// 54-bit name id and 10-bit encoding version), calls its rdb_load with r
// and returns the value; it returns ErrNoModuleType when no loaded module
// owns typeID. when is the aux-data phase for MODULE_AUX (-1 for a key's
// value). The loader reads the trailing EOF marker itself.
type ModuleLoader interface {
	Load(typeID uint64, when int, r *Reader) (keyspace.Value, error)
}

// ModuleSaver is the module layer's hook for saving module values: TypeID
// returns the 64-bit id written before the value and Save writes the
// value's fields (the type's rdb_save) through w; the encoder writes the
// EOF marker after it.
type ModuleSaver interface {
	TypeID(v *keyspace.ModuleValue) (uint64, bool)
	Save(v *keyspace.ModuleValue, w *Writer) error
}

// ErrNoModuleType is what a ModuleLoader returns for an unknown type id.
var ErrNoModuleType = &CorruptError{Msg: "no matching module type"}

// moduleCharset is the alphabet of module type names (6 bits a symbol).
const moduleCharset = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"

// ModuleTypeName returns the 9-character type name encoded in a module
// type id (the upper 54 bits).
func ModuleTypeName(id uint64) string {
	var name [9]byte
	id >>= 10
	for i := 8; i >= 0; i-- {
		name[i] = moduleCharset[id&63]
		id >>= 6
	}
	return string(name[:])
}

// ModuleTypeID builds the id of a 9-character type name and encoding
// version; ok is false when the name uses a symbol outside the alphabet.
func ModuleTypeID(name string, encver int) (id uint64, ok bool) {
	if len(name) != 9 || encver < 0 || encver > 1023 {
		return 0, false
	}
	for i := 0; i < 9; i++ {
		j := -1
		for k := 0; k < len(moduleCharset); k++ {
			if moduleCharset[k] == name[i] {
				j = k
				break
			}
		}
		if j < 0 {
			return 0, false
		}
		id = id<<6 | uint64(j)
	}
	return id<<10 | uint64(encver), true
}

// Phases of module aux data (REDISMODULE_AUX_BEFORE_RDB / AFTER_RDB).
const (
	AuxBeforeRDB = 1
	AuxAfterRDB  = 2
)

// ModuleAuxSaver is implemented by a ModuleSaver whose types keep data
// outside the keyspace: SaveAux returns the complete RDB_OPCODE_MODULE_AUX
// entries (opcode included) for phase when, or nil. TakeSnapshot calls it
// under the server lock, before the first database (AuxBeforeRDB) and
// after the last (AuxAfterRDB).
type ModuleAuxSaver interface {
	SaveAux(when int) ([]byte, error)
}

// moduleAuxDB wraps the aux entries of phase when as a snapshot element
// with a negative Index, which Encode writes verbatim.
func moduleAuxDB(opt Options, when int) (*DB, error) {
	as, ok := opt.Modules.(ModuleAuxSaver)
	if !ok {
		return nil, nil
	}
	b, err := as.SaveAux(when)
	if err != nil || len(b) == 0 {
		return nil, err
	}
	return &DB{Index: -when, Entries: []Entry{{Pre: b}}}, nil
}

// ModuleDigester is implemented by module type descriptors
// (keyspace.ModuleValue.Type) whose type has a digest callback: it runs
// the callback for the value at ptr (key in database db; key may be nil)
// and returns the 20 bytes it accumulated, which DEBUG DIGEST folds into
// the value's digest as Redis's xorObjectDigest does.
type ModuleDigester interface {
	ModuleDigest(ptr unsafe.Pointer, key []byte, db int) (Digest, bool)
}
