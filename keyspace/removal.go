package keyspace

// announceAt tells the hooks (KeyRemoving; callers check
// AnnounceRemovals) that key, entry i of db, is
// about to leave the keyspace for why, while it still holds its value and
// TTL, and returns the entry's index afterwards (-1 if the hook removed
// it, which a hook must not do). A flush announces nothing, as Redis's
// emptyDb fires no per-key event. Lazy expiry is off during the hook: an
// expired key (this one included) reads as present, as under Redis's
// lazy_expire_disabled.
func (ks *Keyspace) announceAt(db int, key []byte, i int32, why DropReason) int32 {
	if why == DropFlushed {
		return i
	}
	ks.noLazyExpire++
	ks.hooks.KeyRemoving(db, key, why)
	ks.noLazyExpire--
	return ks.dbs[db].d.find(bstr(key))
}

// Overwriting announces (KeyRemoving, DropOverwritten) that a command is
// about to replace key's value in place, an optimisation standing for
// SetKey (SET reusing a string's buffer): to the hooks it is an
// overwrite. A missing key announces nothing.
func (ks *Keyspace) Overwriting(db int, key []byte) {
	if !ks.AnnounceRemovals {
		return
	}
	if i := ks.dbs[db].d.find(bstr(key)); i >= 0 {
		ks.announceAt(db, key, i, DropOverwritten)
	}
}
