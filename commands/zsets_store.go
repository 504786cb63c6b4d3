package commands

import (
	"math"
	"slices"

	"github.com/modhost/modhost/keyspace"
)

// ZUNION ZINTER ZDIFF, their *STORE forms and ZINTERCARD, as Redis's
// zunionInterDiffGenericCommand. Inputs may be sorted sets or plain sets
// (members of a plain set score 1).

// zsetOp selects the set operation.
type zsetOp int

const (
	zopUnion zsetOp = iota
	zopInter
	zopDiff
)

// Aggregation functions.
const (
	zaggSum = iota
	zaggMin
	zaggMax
)

// zsrc is one input: a sorted set, a plain set or nothing (missing key).
type zsrc struct {
	z      *keyspace.ZSet
	s      *keyspace.Set
	weight float64
}

// same reports whether a and b are the same stored value.
func (a *zsrc) same(b *zsrc) bool {
	return a.z != nil && a.z == b.z || a.s != nil && a.s == b.s
}

// size is the number of members.
func (a *zsrc) size() int {
	switch {
	case a.z != nil:
		return a.z.Len()
	case a.s != nil:
		return a.s.Len()
	}
	return 0
}

// each calls fn with every member and its (unweighted) score.
func (a *zsrc) each(fn func(m string, s float64) bool) {
	switch {
	case a.z != nil:
		a.z.Each(fn)
	case a.s != nil:
		a.s.Each(func(m string) bool { return fn(m, 1) })
	}
}

// find returns m's unweighted score.
func (a *zsrc) find(m string) (float64, bool) {
	switch {
	case a.z != nil:
		return a.z.Score([]byte(m))
	case a.s != nil:
		return 1, a.s.Has([]byte(m))
	}
	return 0, false
}

// zaggregate folds val into *t with agg (a NaN sum becomes 0, as in Redis).
func zaggregate(t *float64, val float64, agg int) {
	switch agg {
	case zaggSum:
		*t += val
		if math.IsNaN(*t) {
			*t = 0
		}
	case zaggMin:
		if val < *t {
			*t = val
		}
	case zaggMax:
		if val > *t {
			*t = val
		}
	}
}

// zWeighted is weight*score with NaN (0*inf) mapped to 0.
func zWeighted(w, s float64) float64 {
	v := w * s
	if math.IsNaN(v) {
		return 0
	}
	return v
}

func zunionstoreCmd(c Client, args [][]byte) {
	zsetOpGeneric(c, args, true, 2, zopUnion, false)
}

func zinterstoreCmd(c Client, args [][]byte) {
	zsetOpGeneric(c, args, true, 2, zopInter, false)
}

func zdiffstoreCmd(c Client, args [][]byte) { zsetOpGeneric(c, args, true, 2, zopDiff, false) }

func zunionCmd(c Client, args [][]byte) { zsetOpGeneric(c, args, false, 1, zopUnion, false) }

func zinterCmd(c Client, args [][]byte) { zsetOpGeneric(c, args, false, 1, zopInter, false) }

func zdiffCmd(c Client, args [][]byte) { zsetOpGeneric(c, args, false, 1, zopDiff, false) }

func zintercardCmd(c Client, args [][]byte) { zsetOpGeneric(c, args, false, 1, zopInter, true) }

// zopOpts are the parsed options after the keys.
type zopOpts struct {
	agg        int
	withScores bool
	limit      int64
}

// loadZSrcs parses numkeys at args[at] and looks the keys up.
func loadZSrcs(c Client, args [][]byte, at int) ([]zsrc, int, bool) {
	n, ok := intArg(c, args[at])
	if !ok {
		return nil, 0, false
	}
	if n < 1 {
		c.Error("ERR at least 1 input key is needed for '" + string(szLower(args[0])) + "' command")
		return nil, 0, false
	}
	if n > int64(len(args)-(at+1)) {
		c.Error(msgSyntax)
		return nil, 0, false
	}
	srcs := make([]zsrc, n)
	for i := range srcs {
		srcs[i].weight = 1
		v := ks(c).LookupRead(c.DBIndex(), args[at+1+i], 0)
		switch {
		case v == nil:
		case v.Kind() == keyspace.KindZSet:
			srcs[i].z = v.(*keyspace.ZSet)
		case v.Kind() == keyspace.KindSet:
			srcs[i].s = v.(*keyspace.Set)
		default:
			c.Error(msgWrongType)
			return nil, 0, false
		}
	}
	return srcs, at + 1 + int(n), true
}

// parseZopOpts parses WEIGHTS, AGGREGATE, WITHSCORES and LIMIT from args[j:].
func parseZopOpts(c Client, args [][]byte, j int, srcs []zsrc, store bool, op zsetOp, card bool) (zopOpts, bool) {
	var o zopOpts
	for j < len(args) {
		left := len(args) - j
		a := args[j]
		switch {
		case op != zopDiff && !card && left >= len(srcs)+1 && eqFold(a, "weights"):
			j++
			for i := range srcs {
				w, ok := keyspace.ParseFloat(args[j])
				if !ok {
					c.Error("ERR " + msgZWeight)
					return o, false
				}
				srcs[i].weight = w
				j++
			}
		case op != zopDiff && !card && left >= 2 && eqFold(a, "aggregate"):
			switch b := args[j+1]; {
			case eqFold(b, "sum"):
				o.agg = zaggSum
			case eqFold(b, "min"):
				o.agg = zaggMin
			case eqFold(b, "max"):
				o.agg = zaggMax
			default:
				c.Error(msgSyntax)
				return o, false
			}
			j += 2
		case !store && !card && eqFold(a, "withscores"):
			o.withScores = true
			j++
		case card && left >= 2 && eqFold(a, "limit"):
			var ok bool
			if o.limit, ok = szPositive(c, args[j+1], msgZLimitNeg); !ok {
				return o, false
			}
			j += 2
		default:
			c.Error(msgSyntax)
			return o, false
		}
	}
	return o, true
}

// zsetOpGeneric implements the seven commands; at is the numkeys index.
func zsetOpGeneric(c Client, args [][]byte, store bool, at int, op zsetOp, card bool) {
	srcs, j, ok := loadZSrcs(c, args, at)
	if !ok {
		return
	}
	o, ok := parseZopOpts(c, args, j, srcs, store, op, card)
	if !ok {
		return
	}
	if op != zopDiff {
		slices.SortStableFunc(srcs, func(a, b zsrc) int { return a.size() - b.size() })
	}
	if card {
		c.Writer().Int(int64(zinterCount(srcs, o.limit)))
		return
	}
	var out *keyspace.ZSet
	switch op {
	case zopInter:
		out = zinter(ks(c), srcs, o.agg)
	case zopUnion:
		out = zunion(ks(c), srcs, o.agg)
	default:
		out = zdiff(ks(c), srcs)
	}
	if store {
		event := [...]string{"zunionstore", "zinterstore", "zdiffstore"}[op]
		storeZSet(c, args[1], out, event)
		return
	}
	w := zpairWriter{c: c, scores: o.withScores, nested: o.withScores && c.Proto() > 2}
	w.begin(out.Len())
	out.Each(func(m string, s float64) bool { w.pair(m, s); return true })
}

// zinterEach calls fn for each member of the intersection with its
// aggregated score, until fn returns false. srcs are sorted by size.
func zinterEach(srcs []zsrc, agg int, fn func(m string, s float64) bool) {
	if srcs[0].size() == 0 {
		return
	}
	first := &srcs[0]
	first.each(func(m string, s0 float64) bool {
		score := zWeighted(first.weight, s0)
		for j := 1; j < len(srcs); j++ {
			o := &srcs[j]
			if o.same(first) {
				zaggregate(&score, o.weight*s0, agg)
				continue
			}
			v, found := o.find(m)
			if !found {
				return true
			}
			zaggregate(&score, o.weight*v, agg)
		}
		return fn(m, score)
	})
}

// zinterCount is ZINTERCARD: the intersection size, stopping at limit (0:
// no limit).
func zinterCount(srcs []zsrc, limit int64) int64 {
	var n int64
	zinterEach(srcs, zaggSum, func(string, float64) bool {
		n++
		return limit == 0 || n < limit
	})
	return n
}

func zinter(k *keyspace.Keyspace, srcs []zsrc, agg int) *keyspace.ZSet {
	out := k.NewZSet()
	zinterEach(srcs, agg, func(m string, s float64) bool { out.Add([]byte(m), s); return true })
	return out
}

func zunion(k *keyspace.Keyspace, srcs []zsrc, agg int) *keyspace.ZSet {
	acc := map[string]float64{}
	var order []string
	for i := range srcs {
		src := &srcs[i]
		src.each(func(m string, s float64) bool {
			v := zWeighted(src.weight, s)
			if cur, ok := acc[m]; ok {
				zaggregate(&cur, v, agg)
				acc[m] = cur
			} else {
				acc[m] = v
				order = append(order, m)
			}
			return true
		})
	}
	out := k.NewZSet()
	for _, m := range order {
		out.Add([]byte(m), acc[m])
	}
	return out
}

func zdiff(k *keyspace.Keyspace, srcs []zsrc) *keyspace.ZSet {
	out := k.NewZSet()
	first := &srcs[0]
	for j := 1; j < len(srcs); j++ {
		if srcs[j].same(first) {
			return out
		}
	}
	first.each(func(m string, s float64) bool {
		for j := 1; j < len(srcs); j++ {
			if _, found := srcs[j].find(m); found {
				return true
			}
		}
		out.Add([]byte(m), s)
		return true
	})
	return out
}
