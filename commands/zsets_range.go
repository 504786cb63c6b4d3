package commands

import (
	"github.com/modhost/modhost/keyspace"
)

// ZRANGE and its legacy forms (ZRANGEBYSCORE, ZRANGEBYLEX, ZREVRANGE …)
// and ZRANGESTORE, all through zrangeGeneric as Redis's zrangeGenericCommand.

// zrangeKind is the kind of range: by rank, score or lex.
type zrangeKind int

const (
	zrAuto zrangeKind = iota
	zrRank
	zrScore
	zrLex
)

// zrangeDir is the direction; zdAuto means "not fixed by the command name".
type zrangeDir int

const (
	zdAuto zrangeDir = iota
	zdForward
	zdReverse
)

func zrangeCmd(c Client, args [][]byte) { zrangeGeneric(c, args, 1, false, zrAuto, zdAuto) }

func zrangestoreCmd(c Client, args [][]byte) {
	zrangeGeneric(c, args, 2, true, zrAuto, zdAuto)
}

func zrevrangeCmd(c Client, args [][]byte) {
	zrangeGeneric(c, args, 1, false, zrRank, zdReverse)
}

func zrangebyscoreCmd(c Client, args [][]byte) {
	zrangeGeneric(c, args, 1, false, zrScore, zdForward)
}

func zrevrangebyscoreCmd(c Client, args [][]byte) {
	zrangeGeneric(c, args, 1, false, zrScore, zdReverse)
}

func zrangebylexCmd(c Client, args [][]byte) {
	zrangeGeneric(c, args, 1, false, zrLex, zdForward)
}

func zrevrangebylexCmd(c Client, args [][]byte) {
	zrangeGeneric(c, args, 1, false, zrLex, zdReverse)
}

// zrangeOpts are the parsed options of a range command.
type zrangeOpts struct {
	kind          zrangeKind
	dir           zrangeDir
	withScores    bool
	offset, limit int64
	hasLimit      bool
}

// parseZRangeOpts parses the arguments after <key> <min> <max>.
func parseZRangeOpts(c Client, args [][]byte, from int, store bool, o *zrangeOpts) bool {
	o.limit = -1
	for j := from; j < len(args); j++ {
		left := len(args) - j - 1
		a := args[j]
		switch {
		case !store && eqFold(a, "withscores"):
			o.withScores = true
		case eqFold(a, "limit") && left >= 2:
			var ok bool
			if o.offset, ok = intArg(c, args[j+1]); !ok {
				return false
			}
			if o.limit, ok = intArg(c, args[j+2]); !ok {
				return false
			}
			o.hasLimit = o.limit != -1
			j += 2
		case o.dir == zdAuto && eqFold(a, "rev"):
			o.dir = zdReverse
		case o.kind == zrAuto && eqFold(a, "bylex"):
			o.kind = zrLex
		case o.kind == zrAuto && eqFold(a, "byscore"):
			o.kind = zrScore
		default:
			c.Error(msgSyntax)
			return false
		}
	}
	if o.dir == zdAuto {
		o.dir = zdForward
	}
	if o.kind == zrAuto {
		o.kind = zrRank
	}
	if o.hasLimit && o.kind == zrRank {
		c.Error("ERR syntax error, LIMIT is only supported in combination with either BYSCORE or BYLEX")
		return false
	}
	if o.withScores && o.kind == zrLex {
		c.Error("ERR syntax error, WITHSCORES not supported in combination with BYLEX")
		return false
	}
	return true
}

// zrangeSpec is a parsed range of any kind.
type zrangeSpec struct {
	start, end int64
	score      keyspace.ScoreRange
	lex        keyspace.LexRange
}

// parseZRangeSpec parses min and max for o.kind (already swapped for REV
// score and lex ranges).
func parseZRangeSpec(c Client, min, max []byte, o *zrangeOpts) (zrangeSpec, bool) {
	var sp zrangeSpec
	var ok bool
	var err error
	switch o.kind {
	case zrScore:
		if sp.score, err = keyspace.ParseScoreRange(min, max); err != nil {
			c.Error(msgZScoreRng)
			return sp, false
		}
	case zrLex:
		if sp.lex, err = keyspace.ParseLexRange(min, max); err != nil {
			c.Error(msgZLexRng)
			return sp, false
		}
	default:
		if sp.start, ok = intArg(c, min); !ok {
			return sp, false
		}
		if sp.end, ok = intArg(c, max); !ok {
			return sp, false
		}
	}
	return sp, true
}

// zrangeGeneric implements every range command. at is the index of the
// source key; store selects ZRANGESTORE (destination at args[1]).
func zrangeGeneric(c Client, args [][]byte, at int, store bool, kind zrangeKind, dir zrangeDir) {
	o := zrangeOpts{kind: kind, dir: dir}
	if !parseZRangeOpts(c, args, at+3, store, &o) {
		return
	}
	minArg, maxArg := args[at+1], args[at+2]
	if o.dir == zdReverse && o.kind != zrRank {
		minArg, maxArg = maxArg, minArg
	}
	sp, ok := parseZRangeSpec(c, minArg, maxArg, &o)
	if !ok {
		return
	}
	z, ok := lookupZSet(c, args[at], false)
	if !ok {
		return
	}
	if store {
		zrangeStore(c, args[1], z, &o, &sp)
		return
	}
	if z == nil {
		c.Writer().ArrayLen(0)
		return
	}
	w := zpairWriter{c: c, scores: o.withScores, nested: o.withScores && c.Proto() > 2}
	if o.kind == zrRank {
		n := zrankCount(z.Len(), sp.start, sp.end)
		w.begin(n)
		if n > 0 {
			z.RangeByRank(sp.start, sp.end, o.dir == zdReverse, func(m string, s float64) bool {
				w.pair(m, s)
				return true
			})
		}
		return
	}
	mark := c.Writer().DeferLen()
	n := 0
	zrangeEach(z, &o, &sp, func(m string, s float64) {
		w.pair(m, s)
		n++
	})
	if w.scores && !w.nested {
		n *= 2
	}
	c.Writer().SetDeferredArrayLen(mark, n)
}

// zrankCount is the number of members a rank range selects (Redis's
// start/end sanitising).
func zrankCount(llen int, start, end int64) int {
	ln := int64(llen)
	if start < 0 {
		start += ln
	}
	if end < 0 {
		end += ln
	}
	if start < 0 {
		start = 0
	}
	if start > end || start >= ln {
		return 0
	}
	if end >= ln {
		end = ln - 1
	}
	return int(end - start + 1)
}

// zrangeEach calls fn for each member in a score or lex range, honouring
// direction and LIMIT (a negative offset selects nothing, a negative count
// means no limit, as in Redis).
func zrangeEach(z *keyspace.ZSet, o *zrangeOpts, sp *zrangeSpec, fn func(m string, s float64)) {
	if o.offset < 0 || o.offset > 0 && o.offset >= int64(z.Len()) {
		return
	}
	count := -1
	if o.limit >= 0 {
		count = int(min(o.limit, int64(z.Len())))
	}
	off := int(o.offset)
	visit := func(m string, s float64) bool { fn(m, s); return true }
	rev := o.dir == zdReverse
	switch o.kind {
	case zrScore:
		z.RangeByScore(sp.score, rev, off, count, visit)
	case zrLex:
		z.RangeByLex(sp.lex, rev, off, count, visit)
	default:
		z.RangeByRank(sp.start, sp.end, rev, visit)
	}
}

// zrangeStore writes the selected range into dst (ZRANGESTORE).
func zrangeStore(c Client, dst []byte, z *keyspace.ZSet, o *zrangeOpts, sp *zrangeSpec) {
	var out *keyspace.ZSet
	if z != nil {
		out = ks(c).NewZSet()
		zrangeEach(z, o, sp, func(m string, s float64) { out.Add([]byte(m), s) })
	}
	storeZSet(c, dst, out, "zrangestore")
}

// storeZSet replaces dst with z (or deletes dst when z is nil or empty),
// replies the cardinality and fires event as Redis's *STORE commands.
func storeZSet(c Client, dst []byte, z *keyspace.ZSet, event string) {
	if z == nil || z.Len() == 0 {
		if ks(c).Delete(c.DBIndex(), dst) {
			ks(c).Modified(c.DBIndex(), dst, keyspace.NotifyGeneric, "del")
		}
		c.Writer().Int(0)
		return
	}
	ks(c).SetKey(c.DBIndex(), dst, z, false)
	ks(c).Modified(c.DBIndex(), dst, keyspace.NotifyZSet, event)
	c.Writer().Int(int64(z.Len()))
}
