package rdb

import (
	"crypto/sha1"
	"encoding/binary"
	"encoding/hex"
	"strconv"

	"github.com/modhost/modhost/internal/floatfmt"
	"github.com/modhost/modhost/keyspace"
)

// Digest is a DEBUG DIGEST value: 20 bytes combined from SHA1 sums the way
// Redis's debug.c does, so that digests compare across servers.
type Digest [20]byte

// String returns the 40 lowercase hex digits DEBUG DIGEST replies.
func (d Digest) String() string { return hex.EncodeToString(d[:]) }

// xor folds SHA1(p) into d (order-independent).
func (d *Digest) xor(p []byte) {
	h := sha1.Sum(p)
	for i := range d {
		d[i] ^= h[i]
	}
}

// mix folds p into d so that order matters: d = SHA1(d xor SHA1(p)).
func (d *Digest) mix(p []byte) {
	d.xor(p)
	*d = sha1.Sum(d[:])
}

// ValueDigest is DEBUG DIGEST-VALUE for one value: its type, contents and
// whether it has an expiry. Module values contribute their type only (as
// a module type without a digest callback does in Redis; use
// KeyValueDigest to run a type's digest callback).
func ValueDigest(v keyspace.Value, hasExpire bool) Digest {
	return KeyValueDigest(v, nil, 0, hasExpire)
}

// KeyValueDigest is ValueDigest for the value of key in database db (the
// key reaches a module type's digest callback).
func KeyValueDigest(v keyspace.Value, key []byte, db int, hasExpire bool) Digest {
	var d Digest
	d.addValue(v, key, db, hasExpire)
	return d
}

func (d *Digest) addValue(v keyspace.Value, key []byte, db int, hasExpire bool) {
	var typ [4]byte
	binary.BigEndian.PutUint32(typ[:], uint32(v.Kind()))
	d.mix(typ[:])
	switch v := v.(type) {
	case *keyspace.String:
		d.mix(v.Bytes())
	case *keyspace.List:
		v.Each(false, func(_ int, b []byte) bool { d.mix(b); return true })
	case *keyspace.Set:
		v.Each(func(m string) bool { d.xor(unsafeBytes(m)); return true })
	case *keyspace.ZSet:
		var buf []byte
		v.Each(func(m string, s float64) bool {
			var e Digest
			e.mix(unsafeBytes(m))
			buf = floatfmt.AppendDouble(buf[:0], s)
			e.mix(buf)
			d.xor(e[:])
			return true
		})
	case *keyspace.Hash:
		v.EachTTL(func(f string, val []byte, exp int64) bool {
			var e Digest
			e.mix(unsafeBytes(f))
			e.mix(val)
			if exp != 0 { // Redis 7.4 marks a field with an expiry
				e.xor([]byte("!!hexpire!!"))
			}
			d.xor(e[:])
			return true
		})
	case *keyspace.Stream:
		var buf []byte
		v.Range(keyspace.MinStreamID, keyspace.MaxStreamID, false, -1, func(e keyspace.StreamEntry) bool {
			buf = strconv.AppendUint(buf[:0], e.ID.Ms, 10)
			buf = append(buf, '.')
			buf = strconv.AppendUint(buf, e.ID.Seq, 10)
			d.mix(buf)
			for _, f := range e.Fields {
				d.mix(f)
			}
			return true
		})
	case *keyspace.ModuleValue:
		if md, ok := v.Type.(ModuleDigester); ok {
			if x, ok := md.ModuleDigest(v.Ptr, key, db); ok {
				d.xor(x[:])
			}
		}
	}
	if hasExpire {
		d.xor([]byte("!!expire!!"))
	}
}

// DatasetDigest is DEBUG DIGEST: every live key of every database.
func DatasetDigest(ks *keyspace.Keyspace) Digest {
	var final Digest
	for db := 0; db < ks.NumDBs(); db++ {
		if ks.Size(db) == 0 {
			continue
		}
		var id [4]byte
		binary.BigEndian.PutUint32(id[:], uint32(db))
		final.mix(id[:])
		ks.Each(db, func(key string, v keyspace.Value, exp int64) bool {
			kb := unsafeBytes(key)
			var d Digest
			d.mix(kb)
			d.addValue(v, kb, db, exp != 0)
			final.xor(d[:])
			return true
		})
	}
	return final
}
