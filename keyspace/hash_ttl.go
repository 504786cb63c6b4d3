package keyspace

import "slices"

// Hash field expiration (Redis 7.4): the per-field expiries of a Hash.
//
// A field expiry is an absolute Unix time in ms; 0 means none. A field
// whose expiry is before the current time is expired: commands do not see
// it, but it stays stored (and counted by Len, as Redis's HLEN counts it)
// until lazy expiry (an access to the field), active expiry
// (Keyspace.ActiveExpireCycle) or a write deletes it.

// MaxFieldExpire is the largest absolute field expiry a command may set
// (Redis's HFE_MAX_ABS_TIME_MSEC: EB_EXPIRE_TIME_MAX >> 2).
const MaxFieldExpire = int64(0x0000FFFFFFFFFFFF >> 2)

// MaxStoredFieldExpire is the largest field expiry an RDB file may carry
// (Redis's EB_EXPIRE_TIME_MAX).
const MaxStoredFieldExpire = int64(0x0000FFFFFFFFFFFF)

// MakeEx turns a small hash into the listpackex encoding, as Redis does to a
// hash when a field-expiry command first touches it; a hashtable is left as
// is. The change is for good (HPERSIST does not undo it).
func (h *Hash) MakeEx() {
	if h.big == nil {
		h.ex = true
	}
}

// HasFieldTTLs reports whether some field has an expiry.
func (h *Hash) HasFieldTTLs() bool { return h.nttl > 0 }

// FieldTTLs returns the number of fields with an expiry (INFO keyspace's
// subexpiry counts hashes, the commands count fields).
func (h *Hash) FieldTTLs() int { return h.nttl }

// TTL returns field f's expiry (0: none) and whether f is stored (expired
// or not).
func (h *Hash) TTL(f []byte) (exp int64, found bool) {
	if h.big != nil {
		if h.big.find(bstr(f)) < 0 {
			return 0, false
		}
		return h.ttls[string(f)], true
	}
	if i := h.smallIndex(f); i >= 0 {
		return h.small[i].exp, true
	}
	return 0, false
}

// SetTTL sets the expiry of the stored field f (0 removes it) and reports
// whether f is stored. A small hash becomes listpackex and keeps its pairs
// ordered by expiry.
func (h *Hash) SetTTL(f []byte, exp int64) bool {
	if h.big != nil {
		i := h.big.find(bstr(f))
		if i < 0 {
			return false
		}
		if exp == 0 {
			h.dropTTL(bstr(f))
			return true
		}
		if h.ttls == nil {
			h.ttls = map[string]int64{}
		}
		key := h.big.at(i).key
		if _, had := h.ttls[key]; !had {
			h.nttl++
		}
		h.ttls[key] = exp
		return true
	}
	i := h.smallIndex(f)
	if i < 0 {
		return false
	}
	h.ex = true
	h.moveSmall(i, exp)
	return true
}

// dropTTL removes field f's expiry in a hashtable hash.
func (h *Hash) dropTTL(f string) {
	if _, had := h.ttls[f]; had {
		delete(h.ttls, f)
		h.nttl--
		if len(h.ttls) == 0 {
			h.ttls = nil
		}
	}
}

// moveSmall gives small pair i expiry exp and moves it where Redis's
// listpackex would put it: no expiry at the end, otherwise before the
// first pair that has no expiry or one not sooner than exp.
func (h *Hash) moveSmall(i int, exp int64) {
	p := h.small[i]
	if p.exp != 0 {
		h.nttl--
	}
	if exp != 0 {
		h.nttl++
	}
	p.exp = exp
	h.small = slices.Delete(h.small, i, i+1)
	h.insertSmall(p)
}

// insertSmall inserts p at its listpackex position.
func (h *Hash) insertSmall(p hpair) {
	at := len(h.small)
	if p.exp != 0 {
		for j, q := range h.small {
			if q.exp == 0 || q.exp >= p.exp {
				at = j
				break
			}
		}
	}
	h.small = slices.Insert(h.small, at, p)
}

// MinFieldExpire returns the soonest field expiry (0 when none).
func (h *Hash) MinFieldExpire() int64 {
	if h.nttl == 0 {
		return 0
	}
	var m int64
	if h.big != nil {
		for _, exp := range h.ttls {
			if m == 0 || exp < m {
				m = exp
			}
		}
		return m
	}
	for _, p := range h.small {
		if p.exp != 0 && (m == 0 || p.exp < m) {
			m = p.exp
		}
	}
	return m
}

// AddLoaded adds field f with value v and expiry exp (0: none) as an RDB
// listpackex is read: a small hash keeps the file's order rather than
// re-sorting ties. It reports whether f was new.
func (h *Hash) AddLoaded(f, v []byte, exp int64) bool {
	isNew := h.Set(f, v)
	if exp == 0 {
		return isNew
	}
	if h.big == nil && isNew {
		h.small[len(h.small)-1].exp = exp
		h.ex = true
		h.nttl++
		return true
	}
	h.SetTTL(f, exp)
	return isNew
}

// FieldExpired reports whether an expiry exp is past at time now (Unix ms).
func FieldExpired(exp, now int64) bool { return exp != 0 && exp < now }

// LiveLen returns the number of fields not expired at now (HGETALL's
// count).
func (h *Hash) LiveLen(now int64) int {
	n := h.Len()
	if h.nttl == 0 {
		return n
	}
	h.EachTTL(func(_ string, _ []byte, exp int64) bool {
		if FieldExpired(exp, now) {
			n--
		}
		return true
	})
	return n
}

// EachTTL calls fn for every stored field with its expiry (0: none),
// expired ones included, in Each's order, until fn returns false. fn must
// not modify the hash.
func (h *Hash) EachTTL(fn func(f string, v []byte, exp int64) bool) {
	if h.big != nil {
		h.big.each(func(e *dent[[]byte]) bool { return fn(e.key, e.val, h.ttls[e.key]) })
		return
	}
	for _, p := range h.small {
		if !fn(p.f, p.v, p.exp) {
			return
		}
	}
}

// EachLive is Each skipping the fields expired at now.
func (h *Hash) EachLive(now int64, fn func(f string, v []byte) bool) {
	if h.nttl == 0 {
		h.Each(fn)
		return
	}
	h.EachTTL(func(f string, v []byte, exp int64) bool {
		if FieldExpired(exp, now) {
			return true
		}
		return fn(f, v)
	})
}

// ScanLive is Scan skipping the fields expired at now (HSCAN).
func (h *Hash) ScanLive(cursor uint64, count int, now int64, fn func(f string, v []byte)) uint64 {
	if h.nttl == 0 {
		return h.Scan(cursor, count, fn)
	}
	return h.Scan(cursor, count, func(f string, v []byte) {
		if !FieldExpired(h.fieldTTL(f), now) {
			fn(f, v)
		}
	})
}

// fieldTTL returns stored field f's expiry.
func (h *Hash) fieldTTL(f string) int64 {
	exp, _ := h.TTL(sbytes(f))
	return exp
}

// GetLive is Get for a field not expired at now; expired reports a stored
// but expired field.
func (h *Hash) GetLive(f []byte, now int64) (v []byte, found, expired bool) {
	v, found = h.Get(f)
	if found && h.nttl > 0 && FieldExpired(h.fieldTTL(bstr(f)), now) {
		return nil, false, true
	}
	return v, found, false
}

// DeleteExpired deletes up to max fields expired at now (max <= 0: all),
// calling fn (may be nil) with each name before it goes, and returns how
// many it deleted.
func (h *Hash) DeleteExpired(now int64, max int, fn func(f string)) int {
	if h.nttl == 0 {
		return 0
	}
	var gone []string
	h.EachTTL(func(f string, _ []byte, exp int64) bool {
		if FieldExpired(exp, now) {
			gone = append(gone, f)
		}
		return max <= 0 || len(gone) < max
	})
	for _, f := range gone {
		if fn != nil {
			fn(f)
		}
		h.Delete(sbytes(f))
	}
	return len(gone)
}
