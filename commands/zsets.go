package commands

import (
	"math"
	"math/rand/v2"
	"slices"

	"github.com/modhost/modhost/keyspace"
	"github.com/modhost/modhost/resp"
	"github.com/modhost/modhost/server"
)

// Sorted-set family (Redis's t_zset.c). This file holds the table and the
// single-key commands; ranges are in zsets_range.go, the multi-key set
// algebra in zsets_store.go and the pops in zsets_blocking.go.

func init() { families = append(families, registerZSets) }

const (
	zgroup        = "sorted_set"
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

// zc builds a sorted-set command; acl lists the categories besides
// @sortedset ("write", "fast" …) in Redis's order.
func zc(name string, arity int, flags string, first, last, step int, acl, since string, h server.Handler) *server.Command {
	return cmd(name, arity, flags, first, last, step, acl, zgroup, since, h)
}

// movable marks a numkeys command: legacy key positions plus GetKeys.
func zMovable(c *server.Command, numkeysAt int, withDst bool) *server.Command {
	c.Flags |= server.FlagMovableKeys
	c.GetKeys = numkeysKeys(numkeysAt, withDst)
	return c
}

func registerZSets(s *server.Server) {
	const wf, rs, rf, ws = "write sortedset fast", "read sortedset slow", "read sortedset fast", "write sortedset slow"
	s.Cmds.Add(
		zc("zadd", -4, "write denyoom fast", 1, 1, 1, wf, "1.2.0", zaddCmd),
		zc("zincrby", 4, "write denyoom fast", 1, 1, 1, wf, "1.2.0", zincrbyCmd),
		zc("zrem", -3, "write fast", 1, 1, 1, wf, "1.2.0", zremCmd),
		zc("zscore", 3, "readonly fast", 1, 1, 1, rf, "1.2.0", zscoreCmd),
		zc("zmscore", -3, "readonly fast", 1, 1, 1, rf, "6.2.0", zmscoreCmd),
		zc("zcard", 2, "readonly fast", 1, 1, 1, rf, "1.2.0", zcardCmd),
		zc("zcount", 4, "readonly fast", 1, 1, 1, rf, "2.0.0", zcountCmd),
		zc("zlexcount", 4, "readonly fast", 1, 1, 1, rf, "2.8.9", zlexcountCmd),
		zc("zrank", -3, "readonly fast", 1, 1, 1, rf, "2.0.0", zrankCmd),
		zc("zrevrank", -3, "readonly fast", 1, 1, 1, rf, "2.0.0", zrevrankCmd),
		zc("zremrangebyrank", 4, "write", 1, 1, 1, ws, "2.0.0", zremrangebyrankCmd),
		zc("zremrangebyscore", 4, "write", 1, 1, 1, ws, "1.2.0", zremrangebyscoreCmd),
		zc("zremrangebylex", 4, "write", 1, 1, 1, ws, "2.8.9", zremrangebylexCmd),
		zc("zscan", -3, "readonly", 1, 1, 1, rs, "2.8.0", zscanCmd),
		zc("zrandmember", -2, "readonly", 1, 1, 1, rs, "6.2.0", zrandmemberCmd),

		zc("zrange", -4, "readonly", 1, 1, 1, rs, "1.2.0", zrangeCmd),
		zc("zrangestore", -5, "write denyoom", 1, 2, 1, ws, "6.2.0", zrangestoreCmd),
		zc("zrangebyscore", -4, "readonly", 1, 1, 1, rs, "1.0.5", zrangebyscoreCmd),
		zc("zrevrangebyscore", -4, "readonly", 1, 1, 1, rs, "2.2.0", zrevrangebyscoreCmd),
		zc("zrangebylex", -4, "readonly", 1, 1, 1, rs, "2.8.9", zrangebylexCmd),
		zc("zrevrangebylex", -4, "readonly", 1, 1, 1, rs, "2.8.9", zrevrangebylexCmd),
		zc("zrevrange", -4, "readonly", 1, 1, 1, rs, "1.2.0", zrevrangeCmd),

		zMovable(zc("zunionstore", -4, "write denyoom", 1, 1, 1, ws, "2.0.0", zunionstoreCmd), 2, true),
		zMovable(zc("zinterstore", -4, "write denyoom", 1, 1, 1, ws, "2.0.0", zinterstoreCmd), 2, true),
		zMovable(zc("zdiffstore", -4, "write denyoom", 1, 1, 1, ws, "6.2.0", zdiffstoreCmd), 2, true),
		zMovable(zc("zunion", -3, "readonly", 0, 0, 0, rs, "6.2.0", zunionCmd), 1, false),
		zMovable(zc("zinter", -3, "readonly", 0, 0, 0, rs, "6.2.0", zinterCmd), 1, false),
		zMovable(zc("zdiff", -3, "readonly", 0, 0, 0, rs, "6.2.0", zdiffCmd), 1, false),
		zMovable(zc("zintercard", -3, "readonly", 0, 0, 0, rs, "7.0.0", zintercardCmd), 1, false),

		zc("zpopmin", -2, "write fast", 1, 1, 1, wf, "5.0.0", zpopminCmd),
		zc("zpopmax", -2, "write fast", 1, 1, 1, wf, "5.0.0", zpopmaxCmd),
		zc("bzpopmin", -3, "write fast blocking", 1, -2, 1, "write sortedset fast blocking", "5.0.0", bzpopminCmd),
		zc("bzpopmax", -3, "write fast blocking", 1, -2, 1, "write sortedset fast blocking", "5.0.0", bzpopmaxCmd),
		zMovable(zc("zmpop", -4, "write", 0, 0, 0, ws, "7.0.0", zmpopCmd), 1, false),
		zMovable(zc("bzmpop", -5, "write blocking", 0, 0, 0, "write sortedset slow blocking", "7.0.0", bzmpopCmd), 2, false),
	)
}

// lookupZSet is lookupRead/lookupWrite for sorted sets, typed.
func lookupZSet(c *server.Client, key []byte, write bool) (*keyspace.ZSet, bool) {
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

func zaddCmd(c *server.Client, args [][]byte) { zaddGeneric(c, args, 0) }

func zincrbyCmd(c *server.Client, args [][]byte) { zaddGeneric(c, args, zaddIncr) }

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
func zaddCheck(c *server.Client, flags, elements int) bool {
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

func zaddGeneric(c *server.Client, args [][]byte, flags int) {
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
		ks(c).Add(c.DB, key, z)
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
		c.W.Double(score)
	case incr:
		c.W.NullBulk()
	case flags&zaddCH != 0:
		c.W.Int(int64(added + updated))
	default:
		c.W.Int(int64(added))
	}
	zaddNotify(c, key, incr, added, updated)
}

// zaddNotify fires "zadd"/"zincr" after a ZADD that changed something.
func zaddNotify(c *server.Client, key []byte, incr bool, added, updated int) {
	if added+updated == 0 {
		return
	}
	ev := "zadd"
	if incr {
		ev = "zincr"
	}
	ks(c).Modified(c.DB, key, keyspace.NotifyZSet, ev)
	szDirty(c, added+updated)
	if added > 0 {
		c.Server().SignalKeyAsReady(c.DB, key)
	}
}

func zremCmd(c *server.Client, args [][]byte) {
	key := args[1]
	z, ok := lookupZSet(c, key, true)
	if !ok {
		return
	}
	if z == nil {
		c.W.Int(0)
		return
	}
	deleted, removed := 0, false
	for _, m := range args[2:] {
		if z.Remove(m) {
			deleted++
		}
		if z.Len() == 0 {
			ks(c).Delete(c.DB, key)
			removed = true
			break
		}
	}
	if deleted > 0 {
		ks(c).Modified(c.DB, key, keyspace.NotifyZSet, "zrem")
		if removed {
			szDeleted(c, key)
		}
		szDirty(c, deleted)
	}
	c.W.Int(int64(deleted))
}

func zscoreCmd(c *server.Client, args [][]byte) {
	z, ok := lookupZSet(c, args[1], false)
	if !ok {
		return
	}
	if z == nil {
		c.W.NullBulk()
		return
	}
	if s, found := z.Score(args[2]); found {
		c.W.Double(s)
		return
	}
	c.W.NullBulk()
}

func zmscoreCmd(c *server.Client, args [][]byte) {
	z, ok := lookupZSet(c, args[1], false)
	if !ok {
		return
	}
	c.W.ArrayLen(len(args) - 2)
	for _, m := range args[2:] {
		if z != nil {
			if s, found := z.Score(m); found {
				c.W.Double(s)
				continue
			}
		}
		c.W.NullBulk()
	}
}

func zcardCmd(c *server.Client, args [][]byte) {
	z, ok := lookupZSet(c, args[1], false)
	if !ok {
		return
	}
	if z == nil {
		c.W.Int(0)
		return
	}
	c.W.Int(int64(z.Len()))
}

func zcountCmd(c *server.Client, args [][]byte) {
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
		c.W.Int(0)
		return
	}
	c.W.Int(int64(z.CountByScore(r)))
}

func zlexcountCmd(c *server.Client, args [][]byte) {
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
		c.W.Int(0)
		return
	}
	c.W.Int(int64(z.CountByLex(r)))
}

func zrankCmd(c *server.Client, args [][]byte) { zrankGeneric(c, args, false) }

func zrevrankCmd(c *server.Client, args [][]byte) { zrankGeneric(c, args, true) }

func zrankGeneric(c *server.Client, args [][]byte, rev bool) {
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
		c.W.NullArray()
	case rank < 0:
		c.W.NullBulk()
	case withScore:
		s, _ := z.Score(args[2])
		c.W.ArrayLen(2)
		c.W.Int(int64(rank))
		c.W.Double(s)
	default:
		c.W.Int(int64(rank))
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

func zremrangebyrankCmd(c *server.Client, args [][]byte) {
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

func zremrangebyscoreCmd(c *server.Client, args [][]byte) {
	r, err := keyspace.ParseScoreRange(args[2], args[3])
	if err != nil {
		c.Error(msgZScoreRng)
		return
	}
	zremrange(c, args[1], "zremrangebyscore", func(z *keyspace.ZSet) int { return z.RemoveRangeByScore(r) })
}

func zremrangebylexCmd(c *server.Client, args [][]byte) {
	r, err := keyspace.ParseLexRange(args[2], args[3])
	if err != nil {
		c.Error(msgZLexRng)
		return
	}
	zremrange(c, args[1], "zremrangebylex", func(z *keyspace.ZSet) int { return z.RemoveRangeByLex(r) })
}

// zremrange runs a ZREMRANGEBY* removal on key and replies the count.
func zremrange(c *server.Client, key []byte, event string, remove func(z *keyspace.ZSet) int) {
	z, ok := lookupZSet(c, key, true)
	if !ok {
		return
	}
	if z == nil {
		c.W.Int(0)
		return
	}
	n := remove(z)
	if n > 0 {
		removed := z.Len() == 0
		if removed {
			ks(c).Delete(c.DB, key)
		}
		ks(c).Modified(c.DB, key, keyspace.NotifyZSet, event)
		if removed {
			szDeleted(c, key)
		}
		szDirty(c, n)
	}
	c.W.Int(int64(n))
}

func zscanCmd(c *server.Client, args [][]byte) {
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
		c.W.BulkString(e.Member)
		if big {
			c.W.Bulk(resp.AppendLongDouble(tmp[:0], e.Score, false))
		} else {
			c.W.Bulk(resp.AppendDouble(tmp[:0], e.Score))
		}
	}
}

func zrandmemberCmd(c *server.Client, args [][]byte) {
	if len(args) == 2 {
		z, ok := lookupZSet(c, args[1], false)
		if !ok {
			return
		}
		if z == nil {
			c.W.NullBulk()
			return
		}
		e, _ := z.Random()
		c.W.BulkString(e.Member)
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
		c.W.ArrayLen(0)
		return
	}
	zrandCount(c, z, l, withScores)
}

// zrandCount serves ZRANDMEMBER with a count (l != 0).
func zrandCount(c *server.Client, z *keyspace.ZSet, l int64, withScores bool) {
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
	c      *server.Client
	scores bool // emit scores
	nested bool // RESP3 pairs
}

// begin writes the array header for n members.
func (w *zpairWriter) begin(n int) {
	if w.scores && !w.nested {
		n *= 2
	}
	w.c.W.ArrayLen(n)
}

// pair writes one member (and its score).
func (w *zpairWriter) pair(m string, s float64) {
	if w.nested {
		w.c.W.ArrayLen(2)
	}
	w.c.W.BulkString(m)
	if w.scores {
		w.c.W.Double(s)
	}
}
