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

// Image is the layout of every database at BeginSnapshot's moment: a
// copy of each table's bucket array and entry blocks (key names, value
// pointers, TTLs). It is read without the server lock; its values are
// live ones, valid for the snapshot only through the observer's
// copy-on-write protocol.
type Image struct {
	now int64
	dbs []imageDB
}

// imageDB is one database's copied table.
type imageDB struct {
	buckets []int32
	chunks  [][]dent[dbval]
}

// NumDBs returns the number of databases.
func (im *Image) NumDBs() int { return len(im.dbs) }

// Each calls fn for every key of db that was live at the snapshot, in the
// order Keyspace.Each walked it then, until fn returns false.
func (im *Image) Each(db int, fn func(key string, v Value, expireAt int64) bool) {
	d := &im.dbs[db]
	for _, h := range d.buckets {
		for i := h; i != 0; {
			e := &d.chunks[(i-1)>>chunkBits][(i-1)&chunkMask]
			i = e.next
			if e.val.exp != 0 && im.now > e.val.exp {
				continue
			}
			if !fn(e.key, e.val.v, e.val.exp) {
				return
			}
		}
	}
}

// BeginSnapshot registers obs, marks every entry for copy-on-write and
// returns the image of every database. The pause is one sequential copy
// of the entry blocks and bucket arrays: no value is copied. Call it under
// the server lock; call EndSnapshot(obs) under the lock when the image is
// no longer read.
func (ks *Keyspace) BeginSnapshot(obs SnapshotObserver) *Image {
	ks.snaps = append(ks.snaps, obs)
	im := &Image{now: ks.now(), dbs: make([]imageDB, len(ks.dbs))}
	for db := range ks.dbs {
		d := &ks.dbs[db].d
		if d.Len() == 0 {
			continue
		}
		out := &im.dbs[db]
		out.buckets = make([]int32, len(d.buckets))
		copy(out.buckets, d.buckets)
		out.chunks = make([][]dent[dbval], len(d.chunks))
		for c, ch := range d.chunks {
			for j := range ch {
				ch[j].meta |= snapBit
			}
			out.chunks[c] = make([]dent[dbval], len(ch))
			copy(out.chunks[c], ch)
		}
	}
	return im
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
