package commands

import (
	"math"

	"github.com/modhost/modhost/keyspace"
)

// ZPOPMIN ZPOPMAX ZMPOP and their blocking forms BZPOPMIN BZPOPMAX BZMPOP,
// as Redis's genericZpopCommand / blockingGenericZpopCommand.

// zpopShape says how a pop reply is laid out.
type zpopShape struct {
	max        bool  // pop the highest scores
	emitKey    bool  // the key name comes first (blocking pops, ZMPOP)
	nested     bool  // [member, score] pairs instead of a flat list
	nilIfEmpty bool  // no key found: null array instead of empty array
	count      int64 // -1: a plain single pop
}

// zpopFrom pops from the first existing key of keys (lookupWrite), or
// replies the empty/nil form. It returns false when it replied WRONGTYPE.
func zpopFrom(c Client, keys [][]byte, sh zpopShape) bool {
	for _, key := range keys {
		z, ok := lookupZSet(c, key, true)
		if !ok {
			return false
		}
		if z != nil {
			zpopKey(c, key, z, sh)
			return true
		}
	}
	if sh.nilIfEmpty {
		c.Writer().NullArray()
	} else {
		c.Writer().ArrayLen(0)
	}
	return true
}

// zpopKey pops from z (stored at key) and writes the reply.
func zpopKey(c Client, key []byte, z *keyspace.ZSet, sh zpopShape) {
	if sh.count == 0 {
		c.Writer().ArrayLen(0)
		return
	}
	count := sh.count
	if count < 0 {
		count = 1
	}
	n := int(min(count, int64(z.Len())))
	switch {
	case !sh.nested && !sh.emitKey:
		c.Writer().ArrayLen(2 * n)
	case sh.nested && !sh.emitKey:
		c.Writer().ArrayLen(n)
	case !sh.nested:
		c.Writer().ArrayLen(2*n + 1)
		c.Writer().Bulk(key)
	default:
		c.Writer().ArrayLen(2)
		c.Writer().Bulk(key)
		c.Writer().ArrayLen(n)
	}
	var popped []keyspace.ScoredMember
	event := "zpopmin"
	if sh.max {
		popped = z.PopMax(n)
		event = "zpopmax"
	} else {
		popped = z.PopMin(n)
	}
	for _, e := range popped {
		if sh.nested {
			c.Writer().ArrayLen(2)
		}
		c.Writer().BulkString(e.Member)
		c.Writer().Double(e.Score)
	}
	emptied := z.Len() == 0
	if emptied {
		ks(c).Delete(c.DBIndex(), key)
	}
	ks(c).Modified(c.DBIndex(), key, keyspace.NotifyZSet, event)
	if emptied {
		szDeleted(c, key)
	}
	szDirty(c, n)
}

func zpopminCmd(c Client, args [][]byte) { zpopMinMax(c, args, false) }

func zpopmaxCmd(c Client, args [][]byte) { zpopMinMax(c, args, true) }

func zpopMinMax(c Client, args [][]byte, max bool) {
	if len(args) > 3 {
		c.Error(msgSyntax)
		return
	}
	sh := zpopShape{max: max, count: -1}
	if len(args) == 3 {
		var ok bool
		if sh.count, ok = szPositive(c, args[2], ""); !ok {
			return
		}
		sh.nested = c.Proto() > 2
	}
	zpopFrom(c, args[1:2], sh)
}

func bzpopminCmd(c Client, args [][]byte) { bzpop(c, args, false) }

func bzpopmaxCmd(c Client, args [][]byte) { bzpop(c, args, true) }

func bzpop(c Client, args [][]byte, max bool) {
	sh := zpopShape{max: max, emitKey: true, count: -1}
	zpopBlocking(c, args[1:len(args)-1], args[len(args)-1], sh)
}

func zmpopCmd(c Client, args [][]byte) {
	keys, sh, ok := parseZMPop(c, args, 1)
	if ok {
		zpopFrom(c, keys, sh)
	}
}

func bzmpopCmd(c Client, args [][]byte) {
	keys, sh, ok := parseZMPop(c, args, 2)
	if ok {
		zpopBlocking(c, keys, args[1], sh)
	}
}

// parseZMPop parses "numkeys key... MIN|MAX [COUNT n]" with numkeys at
// args[at].
func parseZMPop(c Client, args [][]byte, at int) ([][]byte, zpopShape, bool) {
	sh := zpopShape{emitKey: true, nested: true, nilIfEmpty: true, count: -1}
	numkeys, ok := szRangeLong(c, args[at], 1, math.MaxInt64, msgZNumkeys)
	if !ok {
		return nil, sh, false
	}
	whereAt := int64(at) + numkeys + 1
	if whereAt >= int64(len(args)) {
		c.Error(msgSyntax)
		return nil, sh, false
	}
	switch w := args[whereAt]; {
	case eqFold(w, "min"):
	case eqFold(w, "max"):
		sh.max = true
	default:
		c.Error(msgSyntax)
		return nil, sh, false
	}
	for j := int(whereAt) + 1; j < len(args); j++ {
		if sh.count == -1 && eqFold(args[j], "count") && j < len(args)-1 {
			j++
			if sh.count, ok = szRangeLong(c, args[j], 1, math.MaxInt64, msgZCountPos); !ok {
				return nil, sh, false
			}
			continue
		}
		c.Error(msgSyntax)
		return nil, sh, false
	}
	if sh.count == -1 {
		sh.count = 1
	}
	return args[at+1 : whereAt], sh, true
}

// zpopBlocking pops from the first non-empty key or blocks the client on
// keys until one gets members or the timeout passes (null array reply).
// Inside MULTI (or for a client that cannot block) it replies a null array
// at once.
func zpopBlocking(c Client, keys [][]byte, tmo []byte, sh zpopShape) {
	timeout, ok := timeoutArg(c, tmo)
	if !ok {
		return
	}
	for _, key := range keys {
		z, ok := lookupZSet(c, key, true)
		if !ok {
			return
		}
		if z != nil && z.Len() > 0 {
			zpopKey(c, key, z, sh)
			return
		}
	}
	if !c.CanBlock() {
		c.Writer().NullArray()
		return
	}
	owned := make([][]byte, len(keys))
	for i, k := range keys {
		owned[i] = append([]byte(nil), k...)
	}
	c.BlockOnKeys(owned, timeout, func(c Client, ready []byte) bool {
		return zpopServe(c, owned, ready, sh)
	}, func(c Client) { c.Writer().NullArray() })
}

// zpopServe retries a blocked pop after ready was signalled: it serves the
// client from the first non-empty sorted set among keys (the command runs
// again, as in Redis 7.2) once ready holds members.
func zpopServe(c Client, keys [][]byte, ready []byte, sh zpopShape) bool {
	v := ks(c).Peek(c.DBIndex(), ready)
	if z, ok := v.(*keyspace.ZSet); !ok || z.Len() == 0 {
		return false
	}
	for _, key := range keys {
		v := ks(c).LookupWrite(c.DBIndex(), key, 0)
		if v == nil {
			continue
		}
		if v.Kind() != keyspace.KindZSet {
			c.Error(msgWrongType)
			return true
		}
		zpopKey(c, key, v.(*keyspace.ZSet), sh)
		return true
	}
	return false
}
