package keyspace

// Point-in-time snapshots without stopping the world (BGSAVE, an AOF
// rewrite's base, a replica's full sync). BeginSnapshot walks every
// database once under the lock, copying only each key's name, value
// pointer and TTL, and marks every entry with snapBit. From then on any
// path that is about to change a marked value in place, move it or
// release it first calls preserve, which clears the mark and hands the
// value to every running snapshot's observer: the observer keeps a copy
// (or, for a module value, its serialised form) for the saver before the
// change happens. A value whose mark is gone is no longer the snapshot's
// business, so a key is preserved at most once per snapshot.

// snapBit is the meta bit marking an entry whose value may still be read
// by a running snapshot; the LRU/LFU word uses the low 24 bits.
const (
	snapBit  uint32 = 1 << 31
	metaMask        = snapBit - 1
)

// PreserveKind says what is about to happen to a preserved value.
type PreserveKind uint8

// Preserve kinds.
const (
	// PreserveWrite: the value is about to be modified in place, or moved
	// to another key (RENAME, MOVE) where it may be modified later.
	PreserveWrite PreserveKind = iota
	// PreserveDrop: the value leaves the keyspace unchanged (delete,
	// overwrite, expiry, flush). Core values then stay as they are, but a
	// module value is about to be freed by its type.
	PreserveDrop
)

// SnapshotObserver is a running snapshot's side of copy-on-write.
type SnapshotObserver interface {
	// Preserve is called under the server lock before v, the value of key
	// in db when the snapshot began (or since moved there), changes or
	// leaves the keyspace as kind says. It must keep what the snapshot
	// needs of v; it must not modify the keyspace.
	Preserve(db int, key []byte, v Value, kind PreserveKind)
}

// SnapEntry is one key of a snapshot: its name, value and TTL (Unix ms)
// as BeginSnapshot found them. Value is the live value, valid for the
// snapshot only through the observer's copy-on-write protocol.
type SnapEntry struct {
	Key      string
	Value    Value
	ExpireAt int64
}

// BeginSnapshot registers obs and returns every live key of every
// database in Each's order (an empty slice for an empty database), with
// each entry marked for copy-on-write. Call it under the server lock; call
// EndSnapshot(obs) under the lock when the snapshot is no longer read.
func (ks *Keyspace) BeginSnapshot(obs SnapshotObserver) [][]SnapEntry {
	ks.snaps = append(ks.snaps, obs)
	out := make([][]SnapEntry, len(ks.dbs))
	now := ks.now()
	for db := range ks.dbs {
		d := &ks.dbs[db].d
		if d.Len() == 0 {
			continue
		}
		es := make([]SnapEntry, 0, d.Len())
		d.each(func(e *dent[dbval]) bool {
			if e.val.exp != 0 && now > e.val.exp {
				return true
			}
			e.meta |= snapBit
			es = append(es, SnapEntry{Key: e.key, Value: e.val.v, ExpireAt: e.val.exp})
			return true
		})
		out[db] = es
	}
	return out
}

// EndSnapshot unregisters obs (under the server lock). Marks left on
// entries are harmless: with no snapshot running they are ignored and
// the next snapshot sets them again.
func (ks *Keyspace) EndSnapshot(obs SnapshotObserver) {
	for i, o := range ks.snaps {
		if o == obs {
			ks.snaps = append(ks.snaps[:i], ks.snaps[i+1:]...)
			break
		}
	}
	if len(ks.snaps) == 0 {
		ks.snaps = nil
	}
}

// Snapshots returns the number of snapshots running.
func (ks *Keyspace) Snapshots() int { return len(ks.snaps) }

// BeforeWrite tells the keyspace that the caller is about to modify key's
// value in place although it found it with a read lookup (PFCOUNT's
// cached cardinality, lazy hash field expiry, a module's DMA window): a
// running snapshot first keeps the value as it is. Cheap when no snapshot
// runs.
func (ks *Keyspace) BeforeWrite(db int, key []byte) {
	if ks.snaps == nil {
		return
	}
	if i := ks.dbs[db].d.find(bstr(key)); i >= 0 {
		ks.preserve(db, key, ks.dbs[db].d.at(i), PreserveWrite)
	}
}

// preserve hands e's value to the running snapshots when e is marked and
// clears the mark.
func (ks *Keyspace) preserve(db int, key []byte, e *dent[dbval], kind PreserveKind) {
	if e.meta&snapBit == 0 {
		return
	}
	e.meta &^= snapBit
	if kind == PreserveDrop && e.val.v.Kind() != KindModule {
		return // nothing will touch the old value again
	}
	for _, o := range ks.snaps {
		o.Preserve(db, key, e.val.v, kind)
	}
}

// preserveRemoved is preserve for a value already out of the table:
// marked says whether its entry carried the mark.
func (ks *Keyspace) preserveRemoved(db int, key []byte, v Value, marked bool, kind PreserveKind) {
	if !marked || ks.snaps == nil {
		return
	}
	if kind == PreserveDrop && v.Kind() != KindModule {
		return
	}
	for _, o := range ks.snaps {
		o.Preserve(db, key, v, kind)
	}
}
