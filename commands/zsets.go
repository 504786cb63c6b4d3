package commands

import (
	"math"
	"math/rand/v2"
	"slices"

	"github.com/modhost/modhost/keyspace"
	"github.com/modhost/modhost/resp"
)

// Sorted-set family (Redis's t_zset.c). This file holds the table and the
// single-key commands; ranges are in zsets_range.go, the multi-key set
// algebra in zsets_store.go and the pops in zsets_blocking.go.

const (
	zgroup        = "sorted-set"
	msgZNaN       = "ERR resulting score is not a number (NaN)"
	msgZScoreRng  = "ERR min or max is not a float"
	msgZLexRng    = "ERR min or max not valid string range item"
	msgZNumkeys   = "numkeys should be greater than 0"
	msgZCountPos  = "count should be greater than 0"
	msgZLimitNeg  = "LIMIT can't be negative"
	msgZWeight    = "weight value is not a float"
	msgZNXXX      = "ERR XX and NX options at the same time are not compatible"
	msgZGTLTNX    = "ERR GT, LT, and/or NX options at the same time are not compatible"
	msgZIncrPairs = "ERR INCR option supports a single increment-element pair"
)

// zsetCommands are the sorted-set family (t_zset.c).
var zsetCommands = []Entry{
	{Name: "zadd", Arity: -4, Flags: "write denyoom fast", FirstKey: 1, LastKey: 1, KeyStep: 1,
		KeySpecs: "RW update: i1 r0,1,0",
		ACL:      "write sortedset fast", Group: zgroup, Since: "1.2.0",
		Handler: zaddCmd},
	{Name: "zincrby", Arity: 4, Flags: "write denyoom fast", FirstKey: 1, LastKey: 1, KeyStep: 1,
		KeySpecs: "RW access update: i1 r0,1,0",
		ACL:      "write sortedset fast", Group: zgroup, Since: "1.2.0",
		Handler: zincrbyCmd},
	{Name: "zrem", Arity: -3, Flags: "write fast", FirstKey: 1, LastKey: 1, KeyStep: 1,
		KeySpecs: "RW delete: i1 r0,1,0",
		ACL:      "write sortedset fast", Group: zgroup, Since: "1.2.0",
		Handler: zremCmd},
	{Name: "zscore", Arity: 3, Flags: "readonly fast", FirstKey: 1, LastKey: 1, KeyStep: 1,
		KeySpecs: "RO access: i1 r0,1,0",
		ACL:      "read sortedset fast", Group: zgroup, Since: "1.2.0",
		Handler: zscoreCmd},
	{Name: "zmscore", Arity: -3, Flags: "readonly fast", FirstKey: 1, LastKey: 1, KeyStep: 1,
		KeySpecs: "RO access: i1 r0,1,0",
		ACL:      "read sortedset fast", Group: zgroup, Since: "6.2.0",
		Handler: zmscoreCmd},
	{Name: "zcard", Arity: 2, Flags: "readonly fast", FirstKey: 1, LastKey: 1, KeyStep: 1,
		KeySpecs: "RO: i1 r0,1,0",
		ACL:      "read sortedset fast", Group: zgroup, Since: "1.2.0",
		Handler: zcardCmd},
	{Name: "zcount", Arity: 4, Flags: "readonly fast", FirstKey: 1, LastKey: 1, KeyStep: 1,
		KeySpecs: "RO access: i1 r0,1,0",
		ACL:      "read sortedset fast", Group: zgroup, Since: "2.0.0",
		Handler: zcountCmd},
	{Name: "zlexcount", Arity: 4, Flags: "readonly fast", FirstKey: 1, LastKey: 1, KeyStep: 1,
		KeySpecs: "RO access: i1 r0,1,0",
		ACL:      "read sortedset fast", Group: zgroup, Since: "2.8.9",
		Handler: zlexcountCmd},
	{Name: "zrank", Arity: -3, Flags: "readonly fast", FirstKey: 1, LastKey: 1, KeyStep: 1,
		KeySpecs: "RO access: i1 r0,1,0",
		ACL:      "read sortedset fast", Group: zgroup, Since: "2.0.0",
		Handler: zrankCmd},
	{Name: "zrevrank", Arity: -3, Flags: "readonly fast", FirstKey: 1, LastKey: 1, KeyStep: 1,
		KeySpecs: "RO access: i1 r0,1,0",
		ACL:      "read sortedset fast", Group: zgroup, Since: "2.0.0",
		Handler: zrevrankCmd},
	{Name: "zremrangebyrank", Arity: 4, Flags: "write", FirstKey: 1, LastKey: 1, KeyStep: 1,
		KeySpecs: "RW delete: i1 r0,1,0",
		ACL:      "write sortedset slow", Group: zgroup, Since: "2.0.0",
		Handler: zremrangebyrankCmd},
	{Name: "zremrangebyscore", Arity: 4, Flags: "write", FirstKey: 1, LastKey: 1, KeyStep: 1,
		KeySpecs: "RW delete: i1 r0,1,0",
		ACL:      "write sortedset slow", Group: zgroup, Since: "1.2.0",
		Handler: zremrangebyscoreCmd},
	{Name: "zremrangebylex", Arity: 4, Flags: "write", FirstKey: 1, LastKey: 1, KeyStep: 1,
		KeySpecs: "RW delete: i1 r0,1,0",
		ACL:      "write sortedset slow", Group: zgroup, Since: "2.8.9",
		Handler: zremrangebylexCmd},
	{Name: "zscan", Arity: -3, Flags: "readonly", FirstKey: 1, LastKey: 1, KeyStep: 1,
		KeySpecs: "RO access: i1 r0,1,0",
		Tips:     "nondeterministic_output",
		ACL:      "read sortedset slow", Group: zgroup, Since: "2.8.0",
		Handler: zscanCmd},
	{Name: "zrandmember", Arity: -2, Flags: "readonly", FirstKey: 1, LastKey: 1, KeyStep: 1,
		KeySpecs: "RO access: i1 r0,1,0",
		Tips:     "nondeterministic_output",
		ACL:      "read sortedset slow", Group: zgroup, Since: "6.2.0",
		Handler: zrandmemberCmd},
	{Name: "zrange", Arity: -4, Flags: "readonly", FirstKey: 1, LastKey: 1, KeyStep: 1,
		KeySpecs: "RO access: i1 r0,1,0",
		ACL:      "read sortedset slow", Group: zgroup, Since: "1.2.0",
		Handler: zrangeCmd},
	{Name: "zrangestore", Arity: -5, Flags: "write denyoom", FirstKey: 1, LastKey: 2, KeyStep: 1,
		KeySpecs: "OW update: i1 r0,1,0 | RO access: i2 r0,1,0",
		ACL:      "write sortedset slow", Group: zgroup, Since: "6.2.0",
		Handler: zrangestoreCmd},
	{Name: "zrangebyscore", Arity: -4, Flags: "readonly", FirstKey: 1, LastKey: 1, KeyStep: 1,
		KeySpecs: "RO access: i1 r0,1,0",
		ACL:      "read sortedset slow", Group: zgroup, Since: "1.0.5",
		Handler: zrangebyscoreCmd},
	{Name: "zrevrangebyscore", Arity: -4, Flags: "readonly", FirstKey: 1, LastKey: 1, KeyStep: 1,
		KeySpecs: "RO access: i1 r0,1,0",
		ACL:      "read sortedset slow", Group: zgroup, Since: "2.2.0",
		Handler: zrevrangebyscoreCmd},
	{Name: "zrangebylex", Arity: -4, Flags: "readonly", FirstKey: 1, LastKey: 1, KeyStep: 1,
		KeySpecs: "RO access: i1 r0,1,0",
		ACL:      "read sortedset slow", Group: zgroup, Since: "2.8.9",
		Handler: zrangebylexCmd},
	{Name: "zrevrangebylex", Arity: -4, Flags: "readonly", FirstKey: 1, LastKey: 1, KeyStep: 1,
		KeySpecs: "RO access: i1 r0,1,0",
		ACL:      "read sortedset slow", Group: zgroup, Since: "2.8.9",
		Handler: zrevrangebylexCmd},
	{Name: "zrevrange", Arity: -4, Flags: "readonly", FirstKey: 1, LastKey: 1, KeyStep: 1,
		KeySpecs: "RO access: i1 r0,1,0",
		ACL:      "read sortedset slow", Group: zgroup, Since: "1.2.0",
		Handler: zrevrangeCmd},
	{Name: "zunionstore", Arity: -4, Flags: "write denyoom movablekeys", FirstKey: 1, LastKey: 1, KeyStep: 1,
		KeySpecs: "OW update: i1 r0,1,0 | RO access: i2 n0,1,1",
		ACL:      "write sortedset slow", Group: zgroup, Since: "2.0.0",
		Handler: zunionstoreCmd, GetKeys: numkeysKeys(2, true)},
	{Name: "zinterstore", Arity: -4, Flags: "write denyoom movablekeys", FirstKey: 1, LastKey: 1, KeyStep: 1,
		KeySpecs: "OW update: i1 r0,1,0 | RO access: i2 n0,1,1",
		ACL:      "write sortedset slow", Group: zgroup, Since: "2.0.0",
		Handler: zinterstoreCmd, GetKeys: numkeysKeys(2, true)},
	{Name: "zdiffstore", Arity: -4, Flags: "write denyoom movablekeys", FirstKey: 1, LastKey: 1, KeyStep: 1,
		KeySpecs: "OW update: i1 r0,1,0 | RO access: i2 n0,1,1",
		ACL:      "write sortedset slow", Group: zgroup, Since: "6.2.0",
		Handler: zdiffstoreCmd, GetKeys: numkeysKeys(2, true)},
	{Name: "zunion", Arity: -3, Flags: "readonly movablekeys",
		KeySpecs: "RO access: i1 n0,1,1",
		ACL:      "read sortedset slow", Group: zgroup, Since: "6.2.0",
		Handler: zunionCmd, GetKeys: numkeysKeys(1, false)},
	{Name: "zinter", Arity: -3, Flags: "readonly movablekeys",
		KeySpecs: "RO access: i1 n0,1,1",
		ACL:      "read sortedset slow", Group: zgroup, Since: "6.2.0",
		Handler: zinterCmd, GetKeys: numkeysKeys(1, false)},
	{Name: "zdiff", Arity: -3, Flags: "readonly movablekeys",
		KeySpecs: "RO access: i1 n0,1,1",
		ACL:      "read sortedset slow", Group: zgroup, Since: "6.2.0",
		Handler: zdiffCmd, GetKeys: numkeysKeys(1, false)},
	{Name: "zintercard", Arity: -3, Flags: "readonly movablekeys",
		KeySpecs: "RO access: i1 n0,1,1",
		ACL:      "read sortedset slow", Group: zgroup, Since: "7.0.0",
		Handler: zintercardCmd, GetKeys: numkeysKeys(1, false)},
	{Name: "zpopmin", Arity: -2, Flags: "write fast", FirstKey: 1, LastKey: 1, KeyStep: 1,
		KeySpecs: "RW access delete: i1 r0,1,0",
		ACL:      "write sortedset fast", Group: zgroup, Since: "5.0.0",
		Handler: zpopminCmd},
	{Name: "zpopmax", Arity: -2, Flags: "write fast", FirstKey: 1, LastKey: 1, KeyStep: 1,
		KeySpecs: "RW access delete: i1 r0,1,0",
		ACL:      "write sortedset fast", Group: zgroup, Since: "5.0.0",
		Handler: zpopmaxCmd},
	{Name: "bzpopmin", Arity: -3, Flags: "write fast blocking", FirstKey: 1, LastKey: -2, KeyStep: 1,
		KeySpecs: "RW access delete: i1 r-2,1,0",
		ACL:      "write sortedset fast blocking", Group: zgroup, Since: "5.0.0",
		Handler: bzpopminCmd},
	{Name: "bzpopmax", Arity: -3, Flags: "write fast blocking", FirstKey: 1, LastKey: -2, KeyStep: 1,
		KeySpecs: "RW access delete: i1 r-2,1,0",
		ACL:      "write sortedset fast blocking", Group: zgroup, Since: "5.0.0",
		Handler: bzpopmaxCmd},
	{Name: "zmpop", Arity: -4, Flags: "write movablekeys",
		KeySpecs: "RW access delete: i1 n0,1,1",
		ACL:      "write sortedset slow", Group: zgroup, Since: "7.0.0",
		Handler: zmpopCmd, GetKeys: numkeysKeys(1, false)},
	{Name: "bzmpop", Arity: -5, Flags: "write blocking movablekeys",
		KeySpecs: "RW access delete: i2 n0,1,1",
		ACL:      "write sortedset slow blocking", Group: zgroup, Since: "7.0.0",
		Handler: bzmpopCmd, GetKeys: numkeysKeys(2, false)},
}

// lookupZSet is lookupRead/lookupWrite for sorted sets, typed.
func lookupZSet(c Client, key []byte, write bool) (*keyspace.ZSet, bool) {
	var v keyspace.Value
	var ok bool
	if write {
		v, ok = lookupWrite(c, key, keyspace.KindZSet)
	} else {
		v, ok = lookupRead(c, key, keyspace.KindZSet)
	}
	if !ok || v == nil {
		return nil, ok
	}
	return v.(*keyspace.ZSet), true
}

// ZADD input flags.
const (
	zaddNX = 1 << iota
	zaddXX
	zaddGT
	zaddLT
	zaddIncr
	zaddCH
)

// zaddResult is what zaddOne did to one member.
type zaddResult int

const (
	zaddNop zaddResult = iota
	zaddAdded
	zaddUpdated
	zaddSame // processed, score unchanged
	zaddNaN
)

// zaddOne applies one score-member pair under flags, as Redis's zsetAdd,
// and returns the outcome and the member's resulting score.
func zaddOne(z *keyspace.ZSet, member []byte, score float64, flags int) (zaddResult, float64) {
	cur, exists := z.Score(member)
	if !exists {
		if flags&zaddXX != 0 {
			return zaddNop, 0
		}
		z.Add(member, score)
		return zaddAdded, score
	}
	if flags&zaddNX != 0 {
		return zaddNop, 0
	}
	if flags&zaddIncr != 0 {
		score += cur
		if math.IsNaN(score) {
			return zaddNaN, 0
		}
	}
	if flags&zaddLT != 0 && score >= cur || flags&zaddGT != 0 && score <= cur {
		return zaddNop, 0
	}
	if score == cur {
		return zaddSame, score
	}
	z.Add(member, score)
	return zaddUpdated, score
}

func zaddCmd(c Client, args [][]byte) { zaddGeneric(c, args, 0) }

func zincrbyCmd(c Client, args [][]byte) { zaddGeneric(c, args, zaddIncr) }

// zaddFlags parses ZADD's leading options and returns the flags and the
// index of the first score.
func zaddFlags(args [][]byte, flags int) (int, int) {
	i := 2
	for ; i < len(args); i++ {
		a := args[i]
		switch {
		case eqFold(a, "nx"):
			flags |= zaddNX
		case eqFold(a, "xx"):
			flags |= zaddXX
		case eqFold(a, "ch"):
			flags |= zaddCH
		case eqFold(a, "incr"):
			flags |= zaddIncr
		case eqFold(a, "gt"):
			flags |= zaddGT
		case eqFold(a, "lt"):
			flags |= zaddLT
		default:
			return flags, i
		}
	}
	return flags, i
}

// zaddCheck validates the option combination and pair count.
func zaddCheck(c Client, flags, elements int) bool {
	has := func(f int) bool { return flags&f != 0 }
	switch {
	case elements%2 != 0 || elements == 0:
		c.Error(msgSyntax)
	case has(zaddNX) && has(zaddXX):
		c.Error(msgZNXXX)
	case has(zaddGT) && has(zaddNX) || has(zaddLT) && has(zaddNX) || has(zaddGT) && has(zaddLT):
		c.Error(msgZGTLTNX)
	case has(zaddIncr) && elements > 2:
		c.Error(msgZIncrPairs)
	default:
		return true
	}
	return false
}

func zaddGeneric(c Client, args [][]byte, flags int) {
	key := args[1]
	flags, at := zaddFlags(args, flags)
	if !zaddCheck(c, flags, len(args)-at) {
		return
	}
	pairs := args[at:]
	var one [1]float64
	scores := one[:0]
	if len(pairs) > 2 {
		scores = make([]float64, 0, len(pairs)/2)
	}
	for i := 0; i < len(pairs); i += 2 {
		f, ok := floatArg(c, pairs[i])
		if !ok {
			return
		}
		scores = append(scores, f)
	}
	z, ok := lookupZSet(c, key, true)
	if !ok {
		return
	}
	incr := flags&zaddIncr != 0
	added, updated, processed := 0, 0, 0
	var score float64
	if z == nil && flags&zaddXX == 0 {
		z = ks(c).NewZSet()
		ks(c).Add(c.DBIndex(), key, z)
	}
	if z != nil {
		for j, sc := range scores {
			res, ns := zaddOne(z, pairs[2*j+1], sc, flags)
			switch res {
			case zaddNaN:
				c.Error(msgZNaN)
				zaddNotify(c, key, incr, added, updated)
				return
			case zaddAdded:
				added++
			case zaddUpdated:
				updated++
			}
			if res != zaddNop {
				processed++
				score = ns
			}
		}
	}
	switch {
	case incr && processed > 0:
		c.Writer().Double(score)
	case incr:
		c.Writer().NullBulk()
	case flags&zaddCH != 0:
		c.Writer().Int(int64(added + updated))
	default:
		c.Writer().Int(int64(added))
	}
	zaddNotify(c, key, incr, added, updated)
}

// zaddNotify fires "zadd"/"zincr" after a ZADD that changed something.
func zaddNotify(c Client, key []byte, incr bool, added, updated int) {
	if added+updated == 0 {
		return
	}
	ev := "zadd"
	if incr {
		ev = "zincr"
	}
	ks(c).Modified(c.DBIndex(), key, keyspace.NotifyZSet, ev)
	szDirty(c, added+updated)
	// A new key was signalled ready by Add; adding to an existing zset
	// wakes nobody, as in Redis (signalKeyAsReady is in dbAdd only).
}

func zremCmd(c Client, args [][]byte) {
	key := args[1]
	z, ok := lookupZSet(c, key, true)
	if !ok {
		return
	}
	if z == nil {
		c.Writer().Int(0)
		return
	}
	deleted, removed := 0, false
	for _, m := range args[2:] {
		if z.Remove(m) {
			deleted++
		}
		if z.Len() == 0 {
			ks(c).Delete(c.DBIndex(), key)
			removed = true
			break
		}
	}
	if deleted > 0 {
		ks(c).Modified(c.DBIndex(), key, keyspace.NotifyZSet, "zrem")
		if removed {
			szDeleted(c, key)
		}
		szDirty(c, deleted)
	}
	c.Writer().Int(int64(deleted))
}

func zscoreCmd(c Client, args [][]byte) {
	z, ok := lookupZSet(c, args[1], false)
	if !ok {
		return
	}
	if z == nil {
		c.Writer().NullBulk()
		return
	}
	if s, found := z.Score(args[2]); found {
		c.Writer().Double(s)
		return
	}
	c.Writer().NullBulk()
}

func zmscoreCmd(c Client, args [][]byte) {
	z, ok := lookupZSet(c, args[1], false)
	if !ok {
		return
	}
	c.Writer().ArrayLen(len(args) - 2)
	for _, m := range args[2:] {
		if z != nil {
			if s, found := z.Score(m); found {
				c.Writer().Double(s)
				continue
			}
		}
		c.Writer().NullBulk()
	}
}

func zcardCmd(c Client, args [][]byte) {
	z, ok := lookupZSet(c, args[1], false)
	if !ok {
		return
	}
	if z == nil {
		c.Writer().Int(0)
		return
	}
	c.Writer().Int(int64(z.Len()))
}

func zcountCmd(c Client, args [][]byte) {
	r, err := keyspace.ParseScoreRange(args[2], args[3])
	if err != nil {
		c.Error(msgZScoreRng)
		return
	}
	z, ok := lookupZSet(c, args[1], false)
	if !ok {
		return
	}
	if z == nil {
		c.Writer().Int(0)
		return
	}
	c.Writer().Int(int64(z.CountByScore(r)))
}

func zlexcountCmd(c Client, args [][]byte) {
	r, err := keyspace.ParseLexRange(args[2], args[3])
	if err != nil {
		c.Error(msgZLexRng)
		return
	}
	z, ok := lookupZSet(c, args[1], false)
	if !ok {
		return
	}
	if z == nil {
		c.Writer().Int(0)
		return
	}
	c.Writer().Int(int64(z.CountByLex(r)))
}

func zrankCmd(c Client, args [][]byte) { zrankGeneric(c, args, false) }

func zrevrankCmd(c Client, args [][]byte) { zrankGeneric(c, args, true) }

func zrankGeneric(c Client, args [][]byte, rev bool) {
	if len(args) > 4 {
		c.Error("ERR wrong number of arguments for '" + string(szLower(args[0])) + "' command")
		return
	}
	withScore := false
	if len(args) == 4 {
		if !eqFold(args[3], "withscore") {
			c.Error(msgSyntax)
			return
		}
		withScore = true
	}
	z, ok := lookupZSet(c, args[1], false)
	if !ok {
		return
	}
	rank := -1
	if z != nil {
		if r, found := z.Rank(args[2], rev); found {
			rank = r
		}
	}
	switch {
	case rank < 0 && withScore:
		c.Writer().NullArray()
	case rank < 0:
		c.Writer().NullBulk()
	case withScore:
		s, _ := z.Score(args[2])
		c.Writer().ArrayLen(2)
		c.Writer().Int(int64(rank))
		c.Writer().Double(s)
	default:
		c.Writer().Int(int64(rank))
	}
}

// lower returns an ASCII lower-case copy of b.
func szLower(b []byte) []byte {
	out := make([]byte, len(b))
	for i, ch := range b {
		if 'A' <= ch && ch <= 'Z' {
			ch += 'a' - 'A'
		}
		out[i] = ch
	}
	return out
}

func zremrangebyrankCmd(c Client, args [][]byte) {
	start, ok := intArg(c, args[2])
	if !ok {
		return
	}
	end, ok := intArg(c, args[3])
	if !ok {
		return
	}
	zremrange(c, args[1], "zremrangebyrank", func(z *keyspace.ZSet) int {
		return z.RemoveRangeByRank(start, end)
	})
}

func zremrangebyscoreCmd(c Client, args [][]byte) {
	r, err := keyspace.ParseScoreRange(args[2], args[3])
	if err != nil {
		c.Error(msgZScoreRng)
		return
	}
	zremrange(c, args[1], "zremrangebyscore", func(z *keyspace.ZSet) int { return z.RemoveRangeByScore(r) })
}

func zremrangebylexCmd(c Client, args [][]byte) {
	r, err := keyspace.ParseLexRange(args[2], args[3])
	if err != nil {
		c.Error(msgZLexRng)
		return
	}
	zremrange(c, args[1], "zremrangebylex", func(z *keyspace.ZSet) int { return z.RemoveRangeByLex(r) })
}

// zremrange runs a ZREMRANGEBY* removal on key and replies the count.
func zremrange(c Client, key []byte, event string, remove func(z *keyspace.ZSet) int) {
	z, ok := lookupZSet(c, key, true)
	if !ok {
		return
	}
	if z == nil {
		c.Writer().Int(0)
		return
	}
	n := remove(z)
	if n > 0 {
		removed := z.Len() == 0
		if removed {
			ks(c).Delete(c.DBIndex(), key)
		}
		ks(c).Modified(c.DBIndex(), key, keyspace.NotifyZSet, event)
		if removed {
			szDeleted(c, key)
		}
		szDirty(c, n)
	}
	c.Writer().Int(int64(n))
}

func zscanCmd(c Client, args [][]byte) {
	sa, ok := parseSZScan(c, args)
	if !ok {
		return
	}
	z, ok := lookupZSet(c, args[1], false)
	if !ok {
		return
	}
	if z == nil {
		szEmptyScan(c)
		return
	}
	if !parseSZScanOpts(c, args, &sa) {
		return
	}
	var found []keyspace.ScoredMember
	next := z.Scan(sa.cursor, sa.count, func(m string, s float64) {
		if sa.scanMatch(m) {
			found = append(found, keyspace.ScoredMember{Member: m, Score: s})
		}
	})
	szScanHead(c, next, 2*len(found))
	big := z.Encoding() == "skiplist"
	var tmp [64]byte
	for _, e := range found {
		c.Writer().BulkString(e.Member)
		if big {
			c.Writer().Bulk(resp.AppendLongDouble(tmp[:0], e.Score, false))
		} else {
			c.Writer().Bulk(resp.AppendDouble(tmp[:0], e.Score))
		}
	}
}

func zrandmemberCmd(c Client, args [][]byte) {
	if len(args) == 2 {
		z, ok := lookupZSet(c, args[1], false)
		if !ok {
			return
		}
		if z == nil {
			c.Writer().NullBulk()
			return
		}
		e, _ := z.Random()
		c.Writer().BulkString(e.Member)
		return
	}
	l, ok := szRangeLong(c, args[2], -math.MaxInt64, math.MaxInt64, "")
	if !ok {
		return
	}
	withScores := false
	if len(args) > 4 || len(args) == 4 && !eqFold(args[3], "withscores") {
		c.Error(msgSyntax)
		return
	}
	if len(args) == 4 {
		withScores = true
		if l < -math.MaxInt64/2 || l > math.MaxInt64/2 {
			c.Error("ERR value is out of range")
			return
		}
	}
	z, ok := lookupZSet(c, args[1], false)
	if !ok {
		return
	}
	if z == nil || l == 0 {
		c.Writer().ArrayLen(0)
		return
	}
	zrandCount(c, z, l, withScores)
}

// zrandCount serves ZRANDMEMBER with a count (l != 0).
func zrandCount(c Client, z *keyspace.ZSet, l int64, withScores bool) {
	w := zpairWriter{c: c, scores: withScores, nested: withScores && c.Proto() > 2}
	if l < 0 || l == 1 {
		n := l
		if n < 0 {
			n = -n
		}
		w.begin(int(n))
		for range n {
			e, _ := z.Random()
			w.pair(e.Member, e.Score)
		}
		return
	}
	size := z.Len()
	if l >= int64(size) {
		// Redis walks a sorted set from the highest score here.
		w.begin(size)
		z.RangeByRank(0, -1, true, func(m string, s float64) bool { w.pair(m, s); return true })
		return
	}
	count := int(l)
	var picks []keyspace.ScoredMember
	if count*3 > size {
		picks = make([]keyspace.ScoredMember, 0, size)
		z.Each(func(m string, s float64) bool {
			picks = append(picks, keyspace.ScoredMember{Member: m, Score: s})
			return true
		})
		rand.Shuffle(len(picks), func(i, j int) { picks[i], picks[j] = picks[j], picks[i] })
		picks = picks[:count]
	} else {
		seen := make(map[string]struct{}, count)
		for len(picks) < count {
			e, _ := z.Random()
			if _, dup := seen[e.Member]; !dup {
				seen[e.Member] = struct{}{}
				picks = append(picks, e)
			}
		}
	}
	if z.Encoding() == "listpack" {
		// Redis samples a listpack in place, so its picks come in order.
		slices.SortFunc(picks, func(a, b keyspace.ScoredMember) int { return zcmp(a, b) })
	}
	w.begin(count)
	for _, e := range picks {
		w.pair(e.Member, e.Score)
	}
}

// zcmp orders scored members by (score, member).
func zcmp(a, b keyspace.ScoredMember) int {
	switch {
	case a.Score < b.Score:
		return -1
	case a.Score > b.Score:
		return 1
	case a.Member < b.Member:
		return -1
	case a.Member > b.Member:
		return 1
	}
	return 0
}

// zpairWriter writes member(+score) lists as Redis does: flat in RESP2
// (2n entries with scores), [member, score] pairs in RESP3 when nested.
type zpairWriter struct {
	c      Client
	scores bool // emit scores
	nested bool // RESP3 pairs
}

// begin writes the array header for n members.
func (w *zpairWriter) begin(n int) {
	if w.scores && !w.nested {
		n *= 2
	}
	w.c.Writer().ArrayLen(n)
}

// pair writes one member (and its score).
func (w *zpairWriter) pair(m string, s float64) {
	if w.nested {
		w.c.Writer().ArrayLen(2)
	}
	w.c.Writer().BulkString(m)
	if w.scores {
		w.c.Writer().Double(s)
	}
}
