package keyspace

// PeekExpire returns key's absolute expiry in Unix ms (0 when it has
// none) and whether the key is stored, with no side effect: an expired
// key is reported as stored and is not deleted. The propagation layer
// reads what a command set with it.
func (ks *Keyspace) PeekExpire(db int, key []byte) (atMs int64, ok bool) {
	i := ks.find(db, key, LookupNoEffects|LookupAccessExpired)
	if i < 0 {
		return 0, false
	}
	return ks.dbs[db].d.at(i).val.exp, true
}
