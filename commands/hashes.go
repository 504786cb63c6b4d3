package commands

// Hash commands (https://redis.io/commands/?group=hash).

import (
	"math"
	"math/rand/v2"
	"strconv"
	"unsafe"

	"github.com/modhost/modhost/keyspace"
)

// Error texts of the hash commands (Redis's wording).
const (
	msgHashNotInt     = "ERR hash value is not an integer"
	msgHashNotFloat   = "ERR hash value is not a float"
	msgHashNaNInf     = "ERR value is NaN or Infinity"
	msgHashOutOfRange = "ERR value is out of range"
	msgHashBadCursor  = "ERR invalid cursor"
	msgHashNoValues   = "ERR NOVALUES option can only be used in HSCAN"
)

// hashCommands are the hash family (t_hash.c).
var hashCommands = []Entry{
	{Name: "hset", Arity: -4, Flags: "write denyoom fast", FirstKey: 1, LastKey: 1, KeyStep: 1,
		KeySpecs: "RW update: i1 r0,1,0",
		ACL:      "write hash fast", Group: "hash", Since: "2.0.0",
		Handler: hsetCommand},
	{Name: "hsetnx", Arity: 4, Flags: "write denyoom fast", FirstKey: 1, LastKey: 1, KeyStep: 1,
		KeySpecs: "RW insert: i1 r0,1,0",
		ACL:      "write hash fast", Group: "hash", Since: "2.0.0",
		Handler: hsetnxCommand},
	{Name: "hget", Arity: 3, Flags: "readonly fast", FirstKey: 1, LastKey: 1, KeyStep: 1,
		KeySpecs: "RO access: i1 r0,1,0",
		ACL:      "read hash fast", Group: "hash", Since: "2.0.0",
		Handler: hgetCommand},
	{Name: "hmset", Arity: -4, Flags: "write denyoom fast", FirstKey: 1, LastKey: 1, KeyStep: 1,
		KeySpecs: "RW update: i1 r0,1,0",
		ACL:      "write hash fast", Group: "hash", Since: "2.0.0",
		Handler: hmsetCommand},
	{Name: "hmget", Arity: -3, Flags: "readonly fast", FirstKey: 1, LastKey: 1, KeyStep: 1,
		KeySpecs: "RO access: i1 r0,1,0",
		ACL:      "read hash fast", Group: "hash", Since: "2.0.0",
		Handler: hmgetCommand},
	{Name: "hgetall", Arity: 2, Flags: "readonly", FirstKey: 1, LastKey: 1, KeyStep: 1,
		KeySpecs: "RO access: i1 r0,1,0",
		Tips:     "nondeterministic_output_order",
		ACL:      "read hash slow", Group: "hash", Since: "2.0.0",
		Handler: hgetallCommand},
	{Name: "hdel", Arity: -3, Flags: "write fast", FirstKey: 1, LastKey: 1, KeyStep: 1,
		KeySpecs: "RW delete: i1 r0,1,0",
		ACL:      "write hash fast", Group: "hash", Since: "2.0.0",
		Handler: hdelCommand},
	{Name: "hlen", Arity: 2, Flags: "readonly fast", FirstKey: 1, LastKey: 1, KeyStep: 1,
		KeySpecs: "RO: i1 r0,1,0",
		ACL:      "read hash fast", Group: "hash", Since: "2.0.0",
		Handler: hlenCommand},
	{Name: "hexists", Arity: 3, Flags: "readonly fast", FirstKey: 1, LastKey: 1, KeyStep: 1,
		KeySpecs: "RO: i1 r0,1,0",
		ACL:      "read hash fast", Group: "hash", Since: "2.0.0",
		Handler: hexistsCommand},
	{Name: "hincrby", Arity: 4, Flags: "write denyoom fast", FirstKey: 1, LastKey: 1, KeyStep: 1,
		KeySpecs: "RW access update: i1 r0,1,0",
		ACL:      "write hash fast", Group: "hash", Since: "2.0.0",
		Handler: hincrbyCommand},
	{Name: "hincrbyfloat", Arity: 4, Flags: "write denyoom fast", FirstKey: 1, LastKey: 1, KeyStep: 1,
		KeySpecs: "RW access update: i1 r0,1,0",
		ACL:      "write hash fast", Group: "hash", Since: "2.6.0",
		Handler: hincrbyfloatCommand},
	{Name: "hkeys", Arity: 2, Flags: "readonly", FirstKey: 1, LastKey: 1, KeyStep: 1,
		KeySpecs: "RO access: i1 r0,1,0",
		Tips:     "nondeterministic_output_order",
		ACL:      "read hash slow", Group: "hash", Since: "2.0.0",
		Handler: hkeysCommand},
	{Name: "hvals", Arity: 2, Flags: "readonly", FirstKey: 1, LastKey: 1, KeyStep: 1,
		KeySpecs: "RO access: i1 r0,1,0",
		Tips:     "nondeterministic_output_order",
		ACL:      "read hash slow", Group: "hash", Since: "2.0.0",
		Handler: hvalsCommand},
	{Name: "hstrlen", Arity: 3, Flags: "readonly fast", FirstKey: 1, LastKey: 1, KeyStep: 1,
		KeySpecs: "RO: i1 r0,1,0",
		ACL:      "read hash fast", Group: "hash", Since: "3.2.0",
		Handler: hstrlenCommand},
	{Name: "hscan", Arity: -3, Flags: "readonly", FirstKey: 1, LastKey: 1, KeyStep: 1,
		KeySpecs: "RO access: i1 r0,1,0",
		Tips:     "nondeterministic_output",
		ACL:      "read hash slow", Group: "hash", Since: "2.8.0",
		Handler: hscanCommand},
	{Name: "hrandfield", Arity: -2, Flags: "readonly", FirstKey: 1, LastKey: 1, KeyStep: 1,
		KeySpecs: "RO access: i1 r0,1,0",
		Tips:     "nondeterministic_output",
		ACL:      "read hash slow", Group: "hash", Since: "6.2.0",
		Handler: hrandfieldCommand},
}

// hashStrBytes views a stored field name as bytes without copying; the
// result is read-only.
func hashStrBytes(s string) []byte { return unsafe.Slice(unsafe.StringData(s), len(s)) }

// hashRead looks key up for a read command: (nil, true) when missing.
func hashRead(c Client, key []byte) (*keyspace.Hash, bool) {
	v, ok := lookupRead(c, key, keyspace.KindHash)
	if !ok || v == nil {
		return nil, ok
	}
	return v.(*keyspace.Hash), true
}

// hashGetField is Get after lazy expiry of field f (HGET, HEXISTS,
// HSTRLEN): an expired field is deleted (the hash too when it was the last
// one) and reads as missing.
func hashGetField(c Client, key []byte, h *keyspace.Hash, f []byte, notify bool) ([]byte, bool) {
	if ks(c).LazyExpireField(c.DBIndex(), key, h, f, notify) != keyspace.FieldLive {
		return nil, false
	}
	return h.Get(f)
}

// hashLiveField lazily expires field f of the hash h at key for a write
// command, and reports whether f is present afterwards. When the expired
// field was the last one, the emptied hash is deleted and a new empty hash
// is created in its place (as Redis's HSETNX and HINCRBY do); the hash to
// write to is returned.
func hashLiveField(c Client, key []byte, h *keyspace.Hash, f []byte) (*keyspace.Hash, bool) {
	switch ks(c).LazyExpireField(c.DBIndex(), key, h, f, true) {
	case keyspace.FieldHashDeleted:
		h = ks(c).NewHash()
		ks(c).Add(c.DBIndex(), key, h)
		return h, false
	case keyspace.FieldExpiredGone:
		return h, false
	}
	return h, h.Exists(f)
}

// hashExpireAll deletes every expired field of h (HRANDFIELD does so
// first) and reports whether the hash went with them.
func hashExpireAll(c Client, key []byte, h *keyspace.Hash) bool {
	if !h.HasFieldTTLs() {
		return false
	}
	_, gone := ks(c).ExpireHashFields(c.DBIndex(), key, h)
	return gone
}

// hashWriteOrCreate is Redis's hashTypeLookupWriteOrCreate: the hash at key,
// created (and added) when missing; false after a WRONGTYPE reply.
func hashWriteOrCreate(c Client, key []byte) (*keyspace.Hash, bool) {
	v, ok := lookupWrite(c, key, keyspace.KindHash)
	if !ok {
		return nil, false
	}
	if v != nil {
		return v.(*keyspace.Hash), true
	}
	h := ks(c).NewHash()
	ks(c).Add(c.DBIndex(), key, h)
	return h, true
}

func hsetCommand(c Client, a [][]byte)  { hashSet(c, a, "hset") }
func hmsetCommand(c Client, a [][]byte) { hashSet(c, a, "hmset") }

// hashSet implements HSET (reply: fields created) and HMSET (reply: OK).
func hashSet(c Client, a [][]byte, name string) {
	if len(a)%2 == 1 {
		listArityErr(c, name)
		return
	}
	h, ok := hashWriteOrCreate(c, a[1])
	if !ok {
		return
	}
	created := 0
	for i := 2; i < len(a); i += 2 {
		if h.Set(a[i], a[i+1]) {
			created++
		}
	}
	if name == "hset" {
		c.Writer().Int(int64(created))
	} else {
		c.OK()
	}
	ks(c).Modified(c.DBIndex(), a[1], keyspace.NotifyHash, "hset")
	ks(c).Dirty += int64((len(a)-2)/2 - 1)
}

func hsetnxCommand(c Client, a [][]byte) {
	h, ok := hashWriteOrCreate(c, a[1])
	if !ok {
		return
	}
	h, live := hashLiveField(c, a[1], h, a[2])
	if live {
		c.Writer().Int(0)
		return
	}
	h.Set(a[2], a[3])
	c.Writer().Int(1)
	ks(c).Modified(c.DBIndex(), a[1], keyspace.NotifyHash, "hset")
}

func hgetCommand(c Client, a [][]byte) {
	h, ok := hashRead(c, a[1])
	if !ok {
		return
	}
	if h != nil {
		if v, found := hashGetField(c, a[1], h, a[2], true); found {
			c.Writer().Bulk(v)
			return
		}
	}
	c.Writer().NullBulk()
}

func hmgetCommand(c Client, a [][]byte) {
	h, ok := hashRead(c, a[1])
	if !ok {
		return
	}
	c.Writer().ArrayLen(len(a) - 2)
	expired, deleted := false, false
	for _, f := range a[2:] {
		if h != nil && !deleted {
			switch ks(c).LazyExpireField(c.DBIndex(), a[1], h, f, false) {
			case keyspace.FieldExpiredGone:
				expired = true
			case keyspace.FieldHashDeleted:
				expired, deleted = true, true
			}
			if v, found := h.Get(f); found && !deleted {
				c.Writer().Bulk(v)
				continue
			}
		}
		c.Writer().NullBulk()
	}
	if expired {
		ks(c).Notify(keyspace.NotifyHash, "hexpired", a[1], c.DBIndex())
		if deleted {
			ks(c).Notify(keyspace.NotifyGeneric, "del", a[1], c.DBIndex())
		}
	}
}

// Parts of a hash that hashGetAll replies with.
const (
	hashWantKeys = 1 << iota
	hashWantVals
)

func hgetallCommand(c Client, a [][]byte) { hashGetAll(c, a[1], hashWantKeys|hashWantVals) }
func hkeysCommand(c Client, a [][]byte)   { hashGetAll(c, a[1], hashWantKeys) }
func hvalsCommand(c Client, a [][]byte)   { hashGetAll(c, a[1], hashWantVals) }

// hashGetAll is HGETALL (a map), HKEYS and HVALS (arrays).
func hashGetAll(c Client, key []byte, what int) {
	h, ok := hashRead(c, key)
	if !ok {
		return
	}
	n := 0
	now := ks(c).Now()
	if h != nil {
		n = h.LiveLen(now)
	}
	if what == hashWantKeys|hashWantVals {
		c.Writer().MapLen(n)
	} else {
		c.Writer().ArrayLen(n)
	}
	if h == nil {
		return
	}
	w := c.Writer()
	h.EachLive(now, func(f string, v []byte) bool {
		if what&hashWantKeys != 0 {
			w.BulkString(f)
		}
		if what&hashWantVals != 0 {
			w.Bulk(v)
		}
		return true
	})
}

func hdelCommand(c Client, a [][]byte) {
	v, ok := lookupWrite(c, a[1], keyspace.KindHash)
	if !ok {
		return
	}
	if v == nil {
		c.Writer().Int(0)
		return
	}
	h := v.(*keyspace.Hash)
	deleted := 0
	for _, f := range a[2:] {
		if h.Delete(f) {
			deleted++
			if h.Len() == 0 {
				break
			}
		}
	}
	if deleted > 0 {
		k := ks(c)
		k.Modified(c.DBIndex(), a[1], keyspace.NotifyHash, "hdel")
		k.Dirty += int64(deleted - 1)
		if h.Len() == 0 {
			k.Delete(c.DBIndex(), a[1])
			k.Notify(keyspace.NotifyGeneric, "del", a[1], c.DBIndex())
		}
	}
	c.Writer().Int(int64(deleted))
}

func hlenCommand(c Client, a [][]byte) {
	h, ok := hashRead(c, a[1])
	if !ok {
		return
	}
	if h == nil {
		c.Writer().Int(0)
		return
	}
	c.Writer().Int(int64(h.Len()))
}

func hexistsCommand(c Client, a [][]byte) {
	h, ok := hashRead(c, a[1])
	if !ok {
		return
	}
	if h != nil {
		if _, found := hashGetField(c, a[1], h, a[2], true); found {
			c.Writer().Int(1)
			return
		}
	}
	c.Writer().Int(0)
}

func hstrlenCommand(c Client, a [][]byte) {
	h, ok := hashRead(c, a[1])
	if !ok {
		return
	}
	if h != nil {
		if v, found := hashGetField(c, a[1], h, a[2], true); found {
			c.Writer().Int(int64(len(v)))
			return
		}
	}
	c.Writer().Int(0)
}

func hincrbyCommand(c Client, a [][]byte) {
	incr, ok := intArg(c, a[3])
	if !ok {
		return
	}
	h, ok := hashWriteOrCreate(c, a[1])
	if !ok {
		return
	}
	var cur int64
	h, _ = hashLiveField(c, a[1], h, a[2])
	if v, found := h.Get(a[2]); found {
		if cur, ok = parseInt(v); !ok {
			c.Error(msgHashNotInt)
			return
		}
	}
	if incr < 0 && cur < 0 && incr < math.MinInt64-cur || incr > 0 && cur > 0 && incr > math.MaxInt64-cur {
		c.Error(msgOverflow)
		return
	}
	cur += incr
	var buf [24]byte
	h.SetKeepTTL(a[2], strconv.AppendInt(buf[:0], cur, 10))
	c.Writer().Int(cur)
	ks(c).Modified(c.DBIndex(), a[1], keyspace.NotifyHash, "hincrby")
}

func hincrbyfloatCommand(c Client, a [][]byte) {
	incr, ok := parseLongDouble(a[3])
	if !ok {
		c.Error(msgNotFloat)
		return
	}
	if incr.IsInf() {
		c.Error(msgHashNaNInf)
		return
	}
	h, ok := hashWriteOrCreate(c, a[1])
	if !ok {
		return
	}
	cur := newLongDouble()
	h, _ = hashLiveField(c, a[1], h, a[2])
	if v, found := h.Get(a[2]); found {
		if cur, ok = parseLongDouble(v); !ok {
			c.Error(msgHashNotFloat)
			return
		}
	}
	sum, ok := addLongDouble(cur, incr)
	if !ok {
		c.Error(msgNaN)
		return
	}
	out := formatLongDouble(sum)
	h.SetKeepTTL(a[2], out)
	c.Writer().Bulk(out)
	ks(c).Modified(c.DBIndex(), a[1], keyspace.NotifyHash, "hincrbyfloat")
}

func hscanCommand(c Client, a [][]byte) {
	cursor, ok := parseScanCursor(a[2])
	if !ok {
		c.Error(msgHashBadCursor)
		return
	}
	h, ok := hashRead(c, a[1])
	if !ok {
		return
	}
	if h == nil {
		c.Writer().ArrayLen(2)
		c.Writer().BulkString("0")
		c.Writer().ArrayLen(0)
		return
	}
	count := int64(10)
	var pattern []byte
	noValues := false
	for i := 3; i < len(a); {
		more := len(a) - i
		switch {
		case eqFold(a[i], "count") && more >= 2:
			if count, ok = intArg(c, a[i+1]); !ok {
				return
			}
			if count < 1 {
				c.Error(msgSyntax)
				return
			}
			i += 2
		case eqFold(a[i], "match") && more >= 2:
			pattern = a[i+1]
			if len(pattern) == 1 && pattern[0] == '*' {
				pattern = nil
			}
			i += 2
		case eqFold(a[i], "novalues"):
			noValues = true
			i++
		default:
			c.Error(msgSyntax)
			return
		}
	}
	var items [][]byte
	next := h.ScanLive(cursor, int(min(count, math.MaxInt32)), ks(c).Now(), func(f string, v []byte) {
		if pattern != nil && !keyspace.GlobMatch(pattern, hashStrBytes(f), false) {
			return
		}
		items = append(items, hashStrBytes(f))
		if !noValues {
			items = append(items, v)
		}
	})
	var buf [20]byte
	c.Writer().ArrayLen(2)
	c.Writer().Bulk(strconv.AppendUint(buf[:0], next, 10))
	c.Writer().ArrayLen(len(items))
	for _, b := range items {
		c.Writer().Bulk(b)
	}
}

// hashRandMaxReply bounds the reply of HRANDFIELD with a huge negative
// count: past it the client is disconnected, as Redis closes a client
// whose output buffer overflows.
const hashRandMaxReply = 512 << 20

func hrandfieldCommand(c Client, a [][]byte) {
	if len(a) >= 3 {
		n, ok := listRangeArg(c, a[2])
		if !ok {
			return
		}
		if len(a) > 4 || len(a) == 4 && !eqFold(a[3], "withvalues") {
			c.Error(msgSyntax)
			return
		}
		withValues := len(a) == 4
		if withValues && (n < -math.MaxInt64/2 || n > math.MaxInt64/2) {
			c.Error(msgHashOutOfRange)
			return
		}
		hashRandWithCount(c, a[1], n, withValues)
		return
	}
	h, ok := hashRead(c, a[1])
	if !ok {
		return
	}
	if h == nil || hashExpireAll(c, a[1], h) {
		c.Writer().NullBulk()
		return
	}
	f, _, _ := h.Random()
	c.Writer().BulkString(f)
}

// hashRandWithCount is HRANDFIELD key count [WITHVALUES]: distinct fields
// for a positive count, possibly repeated ones for a negative count. With
// values, RESP2 gets a flat array and RESP3 an array of pairs.
func hashRandWithCount(c Client, key []byte, n int64, withValues bool) {
	h, ok := hashRead(c, key)
	if !ok {
		return
	}
	if h == nil || hashExpireAll(c, key, h) || n == 0 {
		c.Writer().ArrayLen(0)
		return
	}
	pairs := withValues && c.Proto() > 2
	emit := func(f string, v []byte) {
		if pairs {
			c.Writer().ArrayLen(2)
		}
		c.Writer().BulkString(f)
		if withValues {
			c.Writer().Bulk(v)
		}
	}
	header := func(n int64) {
		if withValues && !pairs {
			n *= 2
		}
		c.Writer().ArrayLen(int(n))
	}
	if n < 0 || n == 1 {
		count := n
		if count < 0 {
			count = -count
		}
		header(count)
		for ; count > 0; count-- {
			f, v, _ := h.Random()
			emit(f, v)
			if len(c.Writer().Buf) > hashRandMaxReply {
				c.Kill()
				return
			}
		}
		return
	}
	size := int64(h.Len())
	header(min(n, size))
	if n >= size {
		h.Each(func(f string, v []byte) bool { emit(f, v); return true })
		return
	}
	type pair struct {
		f string
		v []byte
	}
	all := make([]pair, 0, size)
	h.Each(func(f string, v []byte) bool { all = append(all, pair{f, v}); return true })
	for i := range int(n) {
		j := i + rand.IntN(len(all)-i)
		all[i], all[j] = all[j], all[i]
		emit(all[i].f, all[i].v)
	}
}
