package keyspace

import "time"

// Lazy and active expiry of hash fields (Redis 7.4). Every deletion of an
// expired field counts in Stats.ExpiredSubkeys and fires "hexpired"
// (NotifyHash); a hash left empty is deleted with a "del" event, and the
// key is signalled as modified, as Redis's hashTypeGetValue and
// hashTypeExpire do.

// trackFieldTTLs registers key for active field expiry when v is a hash
// with field expiries (any way a value enters a database: Add, SetKey,
// Rename, Move, Copy, RDB load, RESTORE).
func (ks *Keyspace) trackFieldTTLs(db int, key []byte, v Value) {
	if h, ok := v.(*Hash); ok && h.HasFieldTTLs() {
		ks.TrackFieldTTLs(db, key)
	}
}

// TrackFieldTTLs registers key (a hash that was just given a field expiry)
// for active field expiry. Commands that set field expiries call it.
func (ks *Keyspace) TrackFieldTTLs(db int, key []byte) {
	d := &ks.dbs[db]
	if d.hfe == nil {
		d.hfe = map[string]struct{}{}
	}
	if _, ok := d.hfe[string(key)]; !ok {
		d.hfe[string(key)] = struct{}{}
	}
}

// HashesWithFieldTTLs returns the number of hashes in db that have field
// expiries (INFO keyspace's subexpiry).
func (ks *Keyspace) HashesWithFieldTTLs(db int) int {
	n := 0
	d := &ks.dbs[db]
	for k := range d.hfe {
		if h := ks.peekHash(db, k); h != nil && h.HasFieldTTLs() {
			n++
		}
	}
	return n
}

// peekHash returns the hash stored at key with no side effect (nil when
// missing or of another type).
func (ks *Keyspace) peekHash(db int, key string) *Hash {
	i := ks.dbs[db].d.find(key)
	if i < 0 {
		return nil
	}
	h, _ := ks.dbs[db].d.at(i).val.v.(*Hash)
	return h
}

// FieldExpiry is the outcome of LazyExpireField.
type FieldExpiry int

// Outcomes of LazyExpireField.
const (
	FieldLive        FieldExpiry = iota // present and not expired, or absent
	FieldExpiredGone                    // was expired and has been deleted
	FieldHashDeleted                    // was expired, deleted, and the hash (now empty) too
)

// LazyExpireField deletes field f of h (the hash at key) when it is
// expired, as Redis's hashTypeGetValue does on access. With notify false
// the "hexpired"/"del" events are left to the caller (HMGET sends one for
// the whole command).
func (ks *Keyspace) LazyExpireField(db int, key []byte, h *Hash, f []byte, notify bool) FieldExpiry {
	if !h.HasFieldTTLs() || ks.Following {
		return FieldLive // a replica's fields go with its master's HDELs
	}
	exp, found := h.TTL(f)
	if !found || !FieldExpired(exp, ks.now()) {
		return FieldLive
	}
	ks.BeforeWrite(db, key)
	h.Delete(f)
	ks.Stats.ExpiredSubkeys++
	res := FieldExpiredGone
	if notify {
		ks.hooks.Notify(NotifyHash, "hexpired", key, db)
	}
	if h.Len() == 0 {
		if notify {
			ks.hooks.Notify(NotifyGeneric, "del", key, db)
		}
		ks.remove(db, key, DropDeleted)
		res = FieldHashDeleted
	}
	ks.hooks.KeyModified(db, key)
	return res
}

// ExpireHashFields deletes every expired field of h (the hash at key) and
// reports how many went and whether the hash went too (Redis's
// hashTypeExpireIfNeeded, used before HRANDFIELD).
func (ks *Keyspace) ExpireHashFields(db int, key []byte, h *Hash) (expired int, hashDeleted bool) {
	return ks.expireFields(db, key, h, 0)
}

// expireFields deletes up to max expired fields of h (0: all) with the
// events of Redis's hashTypeExpire.
func (ks *Keyspace) expireFields(db int, key []byte, h *Hash, max int) (int, bool) {
	if ks.Following {
		return 0, false
	}
	if ks.snaps != nil && h.HasFieldTTLs() && FieldExpired(h.MinFieldExpire(), ks.now()) {
		ks.BeforeWrite(db, key)
	}
	n := h.DeleteExpired(ks.now(), max, nil)
	if n == 0 {
		return 0, false
	}
	ks.Stats.ExpiredSubkeys += int64(n)
	ks.hooks.Notify(NotifyHash, "hexpired", key, db)
	deleted := false
	if h.Len() == 0 {
		ks.remove(db, key, DropDeleted)
		ks.hooks.Notify(NotifyGeneric, "del", key, db)
		deleted = true
	}
	ks.hooks.KeyModified(db, key)
	return n, deleted
}

// Active field expiry tuning: hashes visited per database per cycle and
// fields deleted per cycle (Redis bounds the fields of one cycle too).
const (
	fieldExpireHashesPerDB = 64
	fieldExpireMaxFields   = 1000
)

// activeExpireFields is the hash-field part of the active expiry cycle
// (Redis's hashTypeDbActiveExpire): it visits up to
// fieldExpireHashesPerDB registered hashes of db (map order is random, so
// successive cycles sample different ones), deletes their expired fields,
// and forgets keys that no longer hold a hash with field expiries. It
// returns the number of fields deleted.
func (ks *Keyspace) activeExpireFields(db int, quota int, deadline time.Time) int {
	d := &ks.dbs[db]
	if len(d.hfe) == 0 {
		return 0
	}
	now := ks.now()
	done, visited := 0, 0
	var stale []string
	for k := range d.hfe {
		if visited == fieldExpireHashesPerDB || done >= quota {
			break
		}
		visited++
		h := ks.peekHash(db, k)
		if h == nil || !h.HasFieldTTLs() {
			stale = append(stale, k)
			continue
		}
		if m := h.MinFieldExpire(); !FieldExpired(m, now) {
			continue
		}
		n, gone := ks.expireFields(db, sbytes(k), h, quota-done)
		done += n
		if gone || !h.HasFieldTTLs() {
			stale = append(stale, k)
		}
		if visited%16 == 0 && time.Now().After(deadline) {
			break
		}
	}
	for _, k := range stale {
		delete(d.hfe, k)
	}
	return done
}
