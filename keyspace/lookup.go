package keyspace

import "errors"

// LookupFlags modify LookupRead and LookupWrite; the values equal Redis's
// LOOKUP_* constants.
type LookupFlags int

// Lookup flags.
const (
	LookupNone          LookupFlags = 0
	LookupNoTouch       LookupFlags = 1 << 0 // don't update LRU/LFU
	LookupNoNotify      LookupFlags = 1 << 1 // no "keymiss" event on a miss
	LookupNoStats       LookupFlags = 1 << 2 // don't count keyspace_hits/misses
	LookupWrite         LookupFlags = 1 << 3 // a write lookup (implies no stats, no keymiss)
	LookupNoExpire      LookupFlags = 1 << 4 // don't delete an expired key (it still reads as missing)
	LookupAccessExpired LookupFlags = 1 << 5 // return an expired key as if alive
	// LookupNoEffects makes a lookup with no side effect at all.
	LookupNoEffects = LookupNoNotify | LookupNoStats | LookupNoTouch | LookupNoExpire
)

// find returns key's entry index in db after lazy expiry, or -1.
func (ks *Keyspace) find(db int, key []byte, flags LookupFlags) int32 {
	d := &ks.dbs[db].d
	i := d.find(bstr(key))
	if i < 0 {
		return -1
	}
	if exp := d.at(i).val.exp; exp != 0 && ks.now() > exp {
		if flags&LookupAccessExpired != 0 || ks.MasterAccess || ks.noLazyExpire > 0 {
			return i
		}
		if flags&LookupNoExpire == 0 {
			ks.expireKey(db, key)
		}
		return -1
	}
	return i
}

// lookup is lookupKey: lazy expiry, stats, keymiss and touch per flags.
func (ks *Keyspace) lookup(db int, key []byte, flags LookupFlags) Value {
	i := ks.find(db, key, flags)
	if i < 0 {
		if flags&(LookupNoNotify|LookupWrite) == 0 {
			ks.hooks.Notify(NotifyKeyMiss, "keymiss", key, db)
		}
		if flags&(LookupNoStats|LookupWrite) == 0 {
			ks.Stats.KeyspaceMisses++
		}
		return nil
	}
	if flags&(LookupNoStats|LookupWrite) == 0 {
		ks.Stats.KeyspaceHits++
	}
	e := ks.dbs[db].d.at(i)
	if flags&LookupNoTouch == 0 && !ks.NoTouch {
		e.meta = ks.touch(e.meta&metaMask) | e.meta&snapBit
	}
	if flags&LookupWrite != 0 && e.meta&snapBit != 0 {
		ks.preserve(db, key, e, PreserveWrite)
	}
	return e.val.v
}

// LookupRead returns key's value for a read command, or nil. An expired key
// is deleted first (firing "expired" and KeyModified); hits and misses are
// counted and a miss fires "keymiss" (NotifyKeyMiss), unless flags say not
// to. The LRU/LFU word is updated unless LookupNoTouch.
func (ks *Keyspace) LookupRead(db int, key []byte, flags LookupFlags) Value {
	return ks.lookup(db, key, flags)
}

// LookupWrite returns key's value for a write command, or nil: lazy expiry
// and touch as LookupRead, but no hit/miss statistics and no "keymiss".
func (ks *Keyspace) LookupWrite(db int, key []byte, flags LookupFlags) Value {
	return ks.lookup(db, key, flags|LookupWrite)
}

// Peek returns key's value with no side effect (an expired key reads as
// missing but is not deleted).
func (ks *Keyspace) Peek(db int, key []byte) Value {
	return ks.lookup(db, key, LookupNoEffects)
}

// Exists reports whether key is present and not expired, with no side
// effect other than lazy expiry.
func (ks *Keyspace) Exists(db int, key []byte) bool {
	return ks.find(db, key, LookupNone) >= 0
}

// Add stores v under key, which must not exist (an expired key is first
// expired), and reports whether it did. The key bytes are copied; v is
// stored as is (it must not alias caller buffers: every New* constructor
// copies). Like Redis's dbAdd it fires KeyReady for list/zset/stream/module
// values and then Notify(NotifyNew, "new"); the caller still calls Modified
// with the command's event.
func (ks *Keyspace) Add(db int, key []byte, v Value) bool {
	if ks.find(db, key, LookupNone) >= 0 {
		return false
	}
	ks.insert(db, key, v)
	return true
}

func (ks *Keyspace) insert(db int, key []byte, v Value) int32 {
	d := &ks.dbs[db]
	i := d.d.insert(string(key), dbval{v: v})
	d.d.at(i).meta = ks.initMeta()
	if db == 0 && ks.slots != nil {
		ks.slots.add(d.d.at(i).key)
	}
	if k := v.Kind(); blocksOn(k) {
		if k == KindModule {
			d.modules++
		}
		ks.hooks.KeyReady(db, key)
	}
	ks.hooks.Notify(NotifyNew, "new", key, db)
	ks.trackFieldTTLs(db, key, v)
	return i
}

// SetKey stores v under key whether or not it exists (Redis's setKey),
// dropping any TTL unless keepTTL, and reports whether the key existed. It
// does not call Modified: the command does, with its own event.
func (ks *Keyspace) SetKey(db int, key []byte, v Value, keepTTL bool) (existed bool) {
	i := ks.find(db, key, LookupNone)
	if i < 0 {
		ks.insert(db, key, v)
		return false
	}
	ks.replace(db, key, i, v, keepTTL)
	return true
}

// replace swaps the value of entry i (Redis's dbSetValue with overwrite);
// the old value, unless it is v itself, is dropped (DropOverwritten).
func (ks *Keyspace) replace(db int, key []byte, i int32, v Value, keepTTL bool) {
	d := &ks.dbs[db]
	if ks.AnnounceRemovals && d.d.at(i).val.v != v {
		if i = ks.announceAt(db, key, i, DropOverwritten); i < 0 {
			ks.insert(db, key, v) // the hook deleted the key
			return
		}
	}
	e := d.d.at(i)
	old := e.val.v
	if e.meta&snapBit != 0 {
		kind := PreserveDrop
		if old == v {
			kind = PreserveWrite
		}
		ks.preserve(db, key, e, kind)
	}
	e.val.v = v
	if !keepTTL && e.val.exp != 0 {
		e.val.exp = 0
		d.expires--
	}
	if !ks.LFU {
		e.meta = ks.lruClock() | e.meta&snapBit
	}
	if v.Kind() == KindModule {
		d.modules++
	}
	ks.trackFieldTTLs(db, key, v)
	if k := old.Kind(); blocksOn(k) {
		ks.hooks.KeyReady(db, key)
		if k == KindModule {
			d.modules--
			if old != v {
				dropValue(old, db, key, DropOverwritten)
			}
		}
	}
}

// Overwrite replaces the value of an existing key keeping its TTL (Redis's
// dbOverwrite) and reports whether the key existed.
func (ks *Keyspace) Overwrite(db int, key []byte, v Value) bool {
	i := ks.find(db, key, LookupNone)
	if i < 0 {
		return false
	}
	ks.replace(db, key, i, v, true)
	return true
}

// Delete removes key (an expired key counts as missing and is expired) and
// reports whether it existed. Deleting a list/zset/stream/module key fires
// KeyReady (signalDeletedKeyAsReady) and a module value is dropped
// (DropDeleted); the caller calls Modified.
func (ks *Keyspace) Delete(db int, key []byte) bool {
	return ks.deleteAs(db, key, DropDeleted)
}

// Unlink is Delete for UNLINK and a module's UnlinkKey: a module value is
// dropped with DropUnlinked (its type is asked for its free effort, as
// Redis's lazy free does, and a costly value is freed in the background).
func (ks *Keyspace) Unlink(db int, key []byte) bool {
	return ks.deleteAs(db, key, DropUnlinked)
}

// DeleteExpired is Delete for a key a command expires on the spot
// (EXPIRE, GETEX ... with a time in the past): the KeyRemoving hook and a
// module value see DropExpired, as Redis deletes it with
// DB_FLAG_KEY_EXPIRED. The command still notifies "del".
func (ks *Keyspace) DeleteExpired(db int, key []byte) bool {
	return ks.deleteAs(db, key, DropExpired)
}

func (ks *Keyspace) deleteAs(db int, key []byte, why DropReason) bool {
	if ks.find(db, key, LookupNone) < 0 {
		return false
	}
	ks.remove(db, key, why)
	return true
}

// remove deletes a present key without any expiry check; a module value
// is dropped with why.
func (ks *Keyspace) remove(db int, key []byte, why DropReason) (dbval, bool) {
	dv, _, ok := ks.removeEntry(db, key, why)
	return dv, ok
}

// removeEntry is remove that also reports whether the removed entry was
// still marked for a running snapshot (only for DropMoved of a core
// value: the caller carries the mark to the value's new entry; every
// other marked value is preserved here, before a module value is freed).
func (ks *Keyspace) removeEntry(db int, key []byte, why DropReason) (dbval, bool, bool) {
	d := &ks.dbs[db]
	if ks.AnnounceRemovals {
		if i := d.d.find(bstr(key)); i >= 0 {
			ks.announceAt(db, key, i, why)
		}
	}
	marked := false
	if ks.snaps != nil {
		if i := d.d.find(bstr(key)); i >= 0 && d.d.at(i).meta&snapBit != 0 {
			e := d.d.at(i)
			switch {
			case why == DropMoved && e.val.v.Kind() != KindModule:
				marked = true
			case why == DropMoved:
				ks.preserve(db, key, e, PreserveWrite)
			default:
				ks.preserve(db, key, e, PreserveDrop)
			}
		}
	}
	dv, ok := d.d.remove(bstr(key))
	if !ok {
		return dv, false, false
	}
	if db == 0 && ks.slots != nil {
		ks.slots.del(key)
	}
	if dv.exp != 0 {
		d.expires--
	}
	if k := dv.v.Kind(); blocksOn(k) {
		ks.hooks.KeyReady(db, key)
		if k == KindModule {
			d.modules--
			dropValue(dv.v, db, key, why)
		}
	}
	return dv, marked, true
}

// remark puts back the snapshot mark of a value moved to key (RENAME,
// MOVE), if the key still holds it.
func (ks *Keyspace) remark(db int, key []byte, v Value) {
	d := &ks.dbs[db].d
	if i := d.find(bstr(key)); i >= 0 && d.at(i).val.v == v {
		d.at(i).meta |= snapBit
	}
}

// Rename moves src's value and TTL to dst in the same db, replacing dst,
// and reports false when src is missing. Hooks fire as for Delete of both
// keys and Add of dst; the caller emits "rename_from"/"rename_to".
func (ks *Keyspace) Rename(db int, src, dst []byte) bool {
	if ks.find(db, src, LookupNone) < 0 {
		return false
	}
	if string(src) == string(dst) {
		return true
	}
	// dst goes first, then src, as Redis's RENAME deletes them (the
	// KeyRemoving hook sees them in that order).
	ks.Delete(db, dst)
	dv, marked, _ := ks.removeEntry(db, src, DropMoved)
	ks.insert(db, dst, dv.v)
	if marked {
		ks.remark(db, dst, dv.v)
	}
	if dv.exp != 0 {
		ks.SetExpire(db, dst, dv.exp)
	}
	return true
}

// Move moves key with its TTL from db src to db dst; it reports false when
// the key is missing in src or already present in dst.
func (ks *Keyspace) Move(src, dst int, key []byte) bool {
	if src == dst || ks.find(src, key, LookupNone) < 0 || ks.find(dst, key, LookupNone) >= 0 {
		return false
	}
	dv, marked, _ := ks.removeEntry(src, key, DropMoved)
	ks.insert(dst, key, dv.v)
	if marked {
		ks.remark(dst, key, dv.v)
	}
	if dv.exp != 0 {
		ks.SetExpire(dst, key, dv.exp)
	}
	return true
}

// CopyResult is the outcome of Copy.
type CopyResult int

// Copy outcomes.
const (
	CopyDone        CopyResult = iota // copied
	CopyNoSource                      // src missing
	CopyDstExists                     // dst exists and replace was false
	CopyNotCopyable                   // the value implements neither KeyCloner nor Cloner, or ErrNotCopyable
	CopyFailed                        // KeyCloner failed (a module type's copy callback returned NULL)
)

// Copy deep-copies src (db srcDB) to dst (db dstDB) with its TTL, replacing
// dst only if replace. The value is copied (KeyCloner, else Cloner) only
// once dst is known to be writable, and a replaced dst is dropped
// (DropDeleted) only once the copy succeeded, as Redis's COPY does.
func (ks *Keyspace) Copy(srcDB int, src []byte, dstDB int, dst []byte, replace bool) CopyResult {
	i := ks.find(srcDB, src, LookupNone)
	if i < 0 {
		return CopyNoSource
	}
	dv := ks.dbs[srcDB].d.at(i).val
	if srcDB == dstDB && string(src) == string(dst) {
		return CopyDstExists
	}
	exists := ks.find(dstDB, dst, LookupNone) >= 0
	if exists && !replace {
		return CopyDstExists
	}
	var nv Value
	switch c := dv.v.(type) {
	case KeyCloner:
		v, err := c.CloneKey(srcDB, src, dstDB, dst)
		switch {
		case errors.Is(err, ErrNotCopyable):
			return CopyNotCopyable
		case err != nil:
			return CopyFailed
		}
		nv = v
	case Cloner:
		nv = c.Clone()
	default:
		return CopyNotCopyable
	}
	if exists {
		ks.remove(dstDB, dst, DropDeleted)
	}
	ks.insert(dstDB, dst, nv)
	if dv.exp != 0 {
		ks.SetExpire(dstDB, dst, dv.exp)
	}
	return CopyDone
}

// RandomKey returns a random live key of db (expired keys met on the way are
// expired), or false when db is empty.
func (ks *Keyspace) RandomKey(db int) (string, bool) {
	d := &ks.dbs[db].d
	for tries := 0; d.Len() > 0; tries++ {
		i := d.random(ks.rng)
		e := d.at(i)
		if e.val.exp == 0 || ks.now() <= e.val.exp {
			return e.key, true
		}
		if tries >= 100 && d.Len() == ks.dbs[db].expires {
			// Every key is volatile and we keep hitting expired ones:
			// return one rather than loop (as Redis does).
			return e.key, true
		}
		ks.expireKey(db, []byte(e.key))
	}
	return "", false
}

// MemoryUsage estimates the bytes key and its value occupy (MEMORY USAGE).
func (ks *Keyspace) MemoryUsage(db int, key []byte) (int, bool) {
	i := ks.find(db, key, LookupNoTouch)
	if i < 0 {
		return 0, false
	}
	e := ks.dbs[db].d.at(i)
	return entryOverhead + len(e.key) + e.val.v.MemUsage(), true
}

// entryOverhead is the per-key table cost: the entry slot plus its bucket.
const entryOverhead = 48 + 4
