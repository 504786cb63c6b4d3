package rdb

// Hashes with field expiries (RDB 12, Redis 7.4).
//
// TypeHashListpackEx (25): the soonest field expiry as an 8-byte
// little-endian Unix ms time (0 when no field has one), then a listpack
// string of (field, value, expiry) triples, expiry an integer element in
// Unix ms, 0 for none. TypeHashListpackExPreGA (23) lacks the leading time.
//
// TypeHashMetadata (24): the soonest field expiry (8-byte LE ms), the
// field count, then per field a length-encoded TTL (0: none, otherwise
// expiry - soonest + 1), the field and the value as strings.
// TypeHashMetadataPreGA (22) has no leading time and stores each expiry as
// an absolute length-encoded time.

import (
	"strconv"

	"github.com/modhost/modhost/keyspace"
)

// writeHashWithTTLs writes h in the RDB 12 layouts: listpackex for a small
// hash, hash-metadata for a hashtable.
func (w *Writer) writeHashWithTTLs(key []byte, h *keyspace.Hash) {
	minExp := h.MinFieldExpire()
	if h.Encoding() != "hashtable" {
		lp := &w.lp
		lp.reset()
		h.EachTTL(func(f string, v []byte, exp int64) bool {
			lp.appendBytes(unsafeBytes(f))
			lp.appendBytes(v)
			lp.appendInt(exp)
			return true
		})
		_ = w.WriteByte(TypeHashListpackEx)
		w.WriteString(key)
		w.WriteUint64LE(uint64(minExp))
		w.WriteString(lp.finish())
		return
	}
	_ = w.WriteByte(TypeHashMetadata)
	w.WriteString(key)
	w.WriteUint64LE(uint64(minExp))
	w.WriteLen(uint64(h.Len()))
	h.EachTTL(func(f string, v []byte, exp int64) bool {
		var ttl uint64
		if exp != 0 {
			ttl = uint64(exp-minExp) + 1
		}
		w.WriteLen(ttl)
		w.WriteString(unsafeBytes(f))
		w.WriteString(v)
		return true
	})
}

// readHashWithTTLs decodes RDB types 22 to 25.
func (l *loader) readHashWithTTLs(t byte) (keyspace.Value, error) {
	var minExp uint64
	if t == TypeHashMetadata || t == TypeHashListpackEx {
		v, err := l.r.ReadUint64LE()
		if err != nil {
			return nil, err
		}
		minExp = v
		if t == TypeHashMetadata && minExp > uint64(keyspace.MaxStoredFieldExpire)+1 {
			return nil, l.r.corrupt("Hash read invalid minExpire value")
		}
	}
	h := l.ks.NewHash()
	h.MakeEx()
	dup := false
	if t == TypeHashListpackEx || t == TypeHashListpackExPreGA {
		err := l.readTriples(func(f, v []byte, exp int64) {
			if !h.AddLoaded(f, v, exp) {
				dup = true
			}
		})
		if err != nil {
			return nil, err
		}
	} else {
		n, err := l.r.readCount(3)
		if err != nil {
			return nil, err
		}
		for i := 0; i < n; i++ {
			ttl, err := l.r.ReadLen()
			if err != nil {
				return nil, err
			}
			exp := ttl
			if t == TypeHashMetadata && ttl != 0 {
				exp = ttl + minExp - 1
			}
			if exp > uint64(keyspace.MaxStoredFieldExpire) {
				return nil, l.r.corrupt("invalid expireAt time: %d", exp)
			}
			f, err := l.r.ReadString()
			if err != nil {
				return nil, err
			}
			v, err := l.r.ReadString()
			if err != nil {
				return nil, err
			}
			if !h.Set(f, v) {
				dup = true
			}
			if exp != 0 {
				h.SetTTL(f, int64(exp))
			}
		}
	}
	if dup {
		return nil, l.r.corrupt("Duplicate hash fields detected")
	}
	if h.Len() == 0 {
		return nil, errEmptyKey
	}
	return h, nil
}

// readTriples reads a listpackex string and calls fn with each (field,
// value, expiry) triple; a malformed listpack, a count that is not a
// multiple of 3 or a bad expiry is Redis's integrity error.
func (l *loader) readTriples(fn func(f, v []byte, exp int64)) error {
	s, err := l.r.ReadString()
	if err != nil {
		return err
	}
	var f, v []byte
	i := 0
	bad := lpEach(s, func(e []byte) error {
		switch i % 3 {
		case 0:
			f = append(f[:0], e...)
		case 1:
			v = append(v[:0], e...)
		default:
			exp, err := strconv.ParseInt(string(e), 10, 64)
			if err != nil || exp < 0 || exp > keyspace.MaxStoredFieldExpire {
				return errEncoding
			}
			fn(f, v, exp)
		}
		i++
		return nil
	})
	if bad != nil || i%3 != 0 {
		return l.r.corrupt("Hash listpack integrity check failed.")
	}
	return nil
}
