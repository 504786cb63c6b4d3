package keyspace

// ScanOptions filter SCAN results.
type ScanOptions struct {
	Match []byte // glob pattern (GlobMatch); nil matches everything
	Type  string // TypeName to keep; "" keeps every type
}

func (o *ScanOptions) keep(key string, v Value) bool {
	if o == nil {
		return true
	}
	if o.Match != nil && !(len(o.Match) == 1 && o.Match[0] == '*') && !GlobMatch(o.Match, sbytes(key), false) {
		return false
	}
	return o.Type == "" || TypeName(v) == o.Type
}

// Scan runs one SCAN step over db from cursor and returns the next cursor (0
// when done) and the keys found, appended to out.
//
// The cursor is Redis's reverse-binary bucket cursor over the db's
// power-of-two table: a key present from the first call to the last is
// returned at least once, even if keys are added or deleted (and the table
// grows or shrinks) between calls; keys may be returned more than once. As
// in Redis, count is a hint (buckets are visited until count keys were
// collected or count*10 buckets were seen) and the filters apply after
// collection. Expired keys are skipped and expired (lazy expiry) after the
// step. The returned strings are the stored keys (immutable, no copy).
func (ks *Keyspace) Scan(db int, cursor uint64, count int, opts *ScanOptions, out []string) (uint64, []string) {
	d := &ks.dbs[db].d
	now := ks.now()
	var expired []string
	next := d.scan(cursor, count, func(i int32) {
		e := d.at(i)
		if e.val.exp != 0 && now > e.val.exp {
			expired = append(expired, e.key)
			return
		}
		if opts.keep(e.key, e.val.v) {
			out = append(out, e.key)
		}
	})
	for _, k := range expired {
		ks.expireKey(db, sbytes(k))
	}
	return next, out
}

// Keys calls fn for every live key of db matching pattern (KEYS), until fn
// returns false. Expired keys are skipped (not deleted: fn may be iterating).
func (ks *Keyspace) Keys(db int, pattern []byte, fn func(key string) bool) {
	all := len(pattern) == 1 && pattern[0] == '*'
	now := ks.now()
	ks.dbs[db].d.each(func(e *dent[dbval]) bool {
		if e.val.exp != 0 && now > e.val.exp {
			return true
		}
		if all || GlobMatch(pattern, sbytes(e.key), false) {
			return fn(e.key)
		}
		return true
	})
}

// Each calls fn for every live key of db with its value and absolute expiry
// in Unix ms (0: none), in table order, until fn returns false. It has no
// side effect (no lazy expiry, no statistics, no LRU touch): persistence and
// digests walk the keyspace with it. fn must not modify db.
func (ks *Keyspace) Each(db int, fn func(key string, v Value, expireAt int64) bool) {
	now := ks.now()
	ks.dbs[db].d.each(func(e *dent[dbval]) bool {
		if e.val.exp != 0 && now > e.val.exp {
			return true
		}
		return fn(e.key, e.val.v, e.val.exp)
	})
}
