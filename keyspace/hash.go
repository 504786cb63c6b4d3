package keyspace

import (
	"math/rand/v2"
	"slices"
)

// pkgRand serves the Random* helpers of collections.
var pkgRand = rand.New(rand.NewPCG(rand.Uint64(), rand.Uint64()))

// Hash is a hash value. While small ("listpack": at most
// hash-max-listpack-entries fields, every field and value at most
// hash-max-listpack-value bytes) it is an insertion-ordered slice, so
// HGETALL returns insertion order as Redis does; past either limit it
// becomes a "hashtable" for good. Fields and values are stored as copies.
// The command layer deletes the key when Len reaches 0.
//
// Fields may carry an expiry (Redis 7.4 hash field expiration, see
// hash_ttl.go). Once a field expiry has been set on a small hash it becomes
// "listpackex": its pairs are then kept ordered by expiry (soonest first,
// fields without one last), as Redis 7.4 orders its listpackex tuples.
type Hash struct {
	small []hpair
	big   *dict[[]byte]
	lim   *Limits
	// ex marks the listpackex encoding (small hashes only).
	ex bool
	// ttls holds the field expiries of a hashtable hash (nil: none).
	ttls map[string]int64
	// nttl counts fields with an expiry, in either encoding.
	nttl int
}

type hpair struct {
	f   string
	v   []byte
	exp int64 // field expiry, Unix ms; 0: none
}

// NewHash returns an empty hash using lim (nil means DefaultLimits).
func NewHash(lim *Limits) *Hash { return &Hash{lim: limitsOr(lim)} }

// Kind returns KindHash.
func (h *Hash) Kind() Kind { return KindHash }

// Encoding returns "listpack", "listpackex" or "hashtable".
func (h *Hash) Encoding() string {
	if h.big != nil {
		return "hashtable"
	}
	if h.ex {
		return "listpackex"
	}
	return "listpack"
}

// MemUsage estimates the bytes used.
func (h *Hash) MemUsage() int {
	n := 16
	h.Each(func(f string, v []byte) bool {
		if h.big != nil {
			n += 56 + len(f) + len(v)
		} else {
			n += lpEntrySize(sbytes(f)) + lpEntrySize(v)
		}
		return true
	})
	if h.ex {
		n += 3 * len(h.small) // the expiry element of each tuple (2 bytes when none)
	}
	return n + 40*len(h.ttls)
}

// Clone returns a deep copy, field expiries included.
func (h *Hash) Clone() Value {
	c := &Hash{lim: h.lim, ex: h.ex, nttl: h.nttl}
	if h.big == nil {
		c.small = make([]hpair, len(h.small))
		for i, p := range h.small {
			c.small[i] = hpair{f: p.f, v: clone(p.v), exp: p.exp}
		}
		return c
	}
	c.nttl = 0
	if h.big != nil {
		c.big = &dict[[]byte]{}
	}
	h.Each(func(f string, v []byte) bool {
		c.Set(sbytes(f), v)
		return true
	})
	h.EachTTL(func(f string, _ []byte, exp int64) bool {
		if exp != 0 {
			c.SetTTL(sbytes(f), exp)
		}
		return true
	})
	return c
}

// Len returns the number of fields (HLEN).
func (h *Hash) Len() int {
	if h.big != nil {
		return h.big.Len()
	}
	return len(h.small)
}

func (h *Hash) smallIndex(f []byte) int {
	for i := range h.small {
		if h.small[i].f == string(f) {
			return i
		}
	}
	return -1
}

// Get returns field f's value (read-only alias).
func (h *Hash) Get(f []byte) ([]byte, bool) {
	if h.big != nil {
		i := h.big.find(bstr(f))
		if i < 0 {
			return nil, false
		}
		return h.big.at(i).val, true
	}
	if i := h.smallIndex(f); i >= 0 {
		return h.small[i].v, true
	}
	return nil, false
}

// Exists reports whether field f is present (HEXISTS).
func (h *Hash) Exists(f []byte) bool {
	_, ok := h.Get(f)
	return ok
}

// Set stores copies of f and v and reports whether f is new (HSET). An
// existing field loses its expiry, as in Redis.
func (h *Hash) Set(f, v []byte) bool { return h.set(f, v, false) }

// SetKeepTTL is Set keeping an existing field's expiry (HINCRBY,
// HINCRBYFLOAT: Redis's HASH_SET_KEEP_TTL).
func (h *Hash) SetKeepTTL(f, v []byte) bool { return h.set(f, v, true) }

func (h *Hash) set(f, v []byte, keepTTL bool) bool {
	if h.big == nil && (len(f) > h.lim.HashMaxListpackValue || len(v) > h.lim.HashMaxListpackValue) {
		h.convert()
	}
	if h.big != nil {
		if i := h.big.find(bstr(f)); i >= 0 {
			e := h.big.at(i)
			e.val = overwrite(e.val, v)
			if !keepTTL {
				h.dropTTL(e.key)
			}
			return false
		}
		h.big.insert(string(f), clone(v))
		return true
	}
	if i := h.smallIndex(f); i >= 0 {
		h.small[i].v = overwrite(h.small[i].v, v)
		if !keepTTL && h.small[i].exp != 0 {
			h.moveSmall(i, 0) // Redis re-inserts it at the end without TTL
		}
		return false
	}
	h.small = append(h.small, hpair{f: string(f), v: clone(v)})
	if len(h.small) > h.lim.HashMaxListpackEntries {
		h.convert()
	}
	return true
}

func (h *Hash) convert() {
	d := &dict[[]byte]{}
	for _, p := range h.small {
		d.insert(p.f, p.v)
		if p.exp != 0 {
			if h.ttls == nil {
				h.ttls = map[string]int64{}
			}
			h.ttls[p.f] = p.exp
		}
	}
	h.big, h.small, h.ex = d, nil, false
}

// Delete removes field f and reports whether it existed (HDEL).
func (h *Hash) Delete(f []byte) bool {
	if h.big != nil {
		_, ok := h.big.remove(bstr(f))
		if ok {
			h.dropTTL(bstr(f))
		}
		return ok
	}
	i := h.smallIndex(f)
	if i < 0 {
		return false
	}
	if h.small[i].exp != 0 {
		h.nttl--
	}
	h.small = slices.Delete(h.small, i, i+1)
	return true
}

// Each calls fn for every field (insertion order while listpack) until fn
// returns false. fn must not modify the hash.
func (h *Hash) Each(fn func(f string, v []byte) bool) {
	if h.big != nil {
		h.big.each(func(e *dent[[]byte]) bool { return fn(e.key, e.val) })
		return
	}
	for _, p := range h.small {
		if !fn(p.f, p.v) {
			return
		}
	}
}

// Scan is one HSCAN step: a listpack hash returns everything and cursor 0;
// a hashtable uses the same reverse-binary cursor as Keyspace.Scan (same
// guarantee). fn must not modify the hash.
func (h *Hash) Scan(cursor uint64, count int, fn func(f string, v []byte)) uint64 {
	if h.big == nil {
		for _, p := range h.small {
			fn(p.f, p.v)
		}
		return 0
	}
	return h.big.scan(cursor, count, func(i int32) { fn(h.big.at(i).key, h.big.at(i).val) })
}

// Random returns a random field and its value (HRANDFIELD); ok is false when
// empty.
func (h *Hash) Random() (f string, v []byte, ok bool) {
	if h.big != nil {
		i := h.big.random(pkgRand)
		if i < 0 {
			return "", nil, false
		}
		return h.big.at(i).key, h.big.at(i).val, true
	}
	if len(h.small) == 0 {
		return "", nil, false
	}
	p := h.small[pkgRand.IntN(len(h.small))]
	return p.f, p.v, true
}

// clone returns a private copy of b.
func clone(b []byte) []byte { return append(make([]byte, 0, len(b)), b...) }

// overwrite returns v stored in old's buffer when it fits without wasting
// much (the steady HSET workload then allocates nothing), else a copy.
// Slices handed out earlier for old are invalidated, as the package's
// ownership rule allows.
func overwrite(old, v []byte) []byte {
	if len(v) <= cap(old) && cap(old) <= 2*len(v)+32 {
		return append(old[:0], v...)
	}
	return clone(v)
}
