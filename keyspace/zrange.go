package keyspace

import (
	"errors"
	"math"
)

// Range parsing errors, with Redis's texts.
var (
	ErrScoreRange = errors.New("ERR min or max is not a float")
	ErrLexRange   = errors.New("ERR min or max not valid string range item")
)

// ScoreRange is a score interval; MinEx/MaxEx make a bound exclusive.
type ScoreRange struct {
	Min, Max     float64
	MinEx, MaxEx bool
}

// ParseScoreRange parses ZRANGEBYSCORE bounds: a float (ParseFloat, so
// "-inf"/"+inf" work) optionally prefixed by '(' for exclusive.
func ParseScoreRange(min, max []byte) (ScoreRange, error) {
	var r ScoreRange
	var ok bool
	if r.Min, r.MinEx, ok = parseScoreBound(min); !ok {
		return r, ErrScoreRange
	}
	if r.Max, r.MaxEx, ok = parseScoreBound(max); !ok {
		return r, ErrScoreRange
	}
	return r, nil
}

func parseScoreBound(b []byte) (float64, bool, bool) {
	ex := len(b) > 0 && b[0] == '('
	if ex {
		b = b[1:]
	}
	f, ok := ParseFloat(b)
	return f, ex, ok
}

func (r *ScoreRange) aboveMin(s float64) bool {
	return s > r.Min || !r.MinEx && s == r.Min
}

func (r *ScoreRange) belowMax(s float64) bool {
	return s < r.Max || !r.MaxEx && s == r.Max
}

// LexRange is a member interval for *BYLEX; MinInf means "-", MaxInf "+".
type LexRange struct {
	Min, Max       string
	MinEx, MaxEx   bool
	MinInf, MaxInf bool
	empty          bool // min "+" or max "-"
}

// ParseLexRange parses ZRANGEBYLEX bounds: "-", "+", "[x" or "(x". A "+" min
// or "-" max yields an empty range, as in Redis.
func ParseLexRange(min, max []byte) (LexRange, error) {
	lo, loEx, loNeg, loPos, ok := parseLexBound(min)
	if !ok {
		return LexRange{}, ErrLexRange
	}
	hi, hiEx, hiNeg, hiPos, ok := parseLexBound(max)
	if !ok {
		return LexRange{}, ErrLexRange
	}
	return LexRange{Min: lo, MinEx: loEx, MinInf: loNeg, Max: hi, MaxEx: hiEx, MaxInf: hiPos,
		empty: loPos || hiNeg}, nil
}

func parseLexBound(b []byte) (s string, ex, neg, pos, ok bool) {
	if len(b) == 0 {
		return "", false, false, false, false
	}
	switch b[0] {
	case '-':
		return "", false, len(b) == 1, false, len(b) == 1
	case '+':
		return "", false, false, len(b) == 1, len(b) == 1
	case '(':
		return string(b[1:]), true, false, false, true
	case '[':
		return string(b[1:]), false, false, false, true
	}
	return "", false, false, false, false
}

func (r *LexRange) aboveMin(m string) bool {
	return r.MinInf || m > r.Min || !r.MinEx && m == r.Min
}

func (r *LexRange) belowMax(m string) bool {
	return r.MaxInf || m < r.Max || !r.MaxEx && m == r.Max
}

// RangeByScore calls fn for members whose score is in r, ascending (or
// descending when rev), skipping offset matches and stopping after count
// (count < 0: no limit) or when fn returns false.
func (z *ZSet) RangeByScore(r ScoreRange, rev bool, offset, count int, fn func(member string, score float64) bool) {
	lim := limiter{offset: offset, count: count}
	if !rev {
		z.tree.AscendGreaterOrEqual(zitem{score: r.Min}, func(it zitem) bool {
			if !r.aboveMin(it.score) {
				return true
			}
			if !r.belowMax(it.score) {
				return false
			}
			return lim.visit(func() bool { return fn(it.member, it.score) })
		})
		return
	}
	visit := func(it zitem) bool {
		if !r.belowMax(it.score) {
			return true
		}
		if !r.aboveMin(it.score) {
			return false
		}
		return lim.visit(func() bool { return fn(it.member, it.score) })
	}
	if math.IsInf(r.Max, 1) || math.IsNaN(r.Max) {
		z.tree.Descend(visit)
	} else {
		z.tree.DescendLessOrEqual(zitem{score: nextUp(r.Max)}, visit)
	}
}

// limiter applies LIMIT offset count.
type limiter struct{ offset, count, seen int }

func (l *limiter) visit(fn func() bool) bool {
	if l.offset > 0 {
		l.offset--
		return true
	}
	if l.count >= 0 && l.seen >= l.count {
		return false
	}
	l.seen++
	return fn()
}

// RangeByLex is RangeByScore for a lex range; like Redis it assumes every
// member has the same score (ordering is by (score, member)).
func (z *ZSet) RangeByLex(r LexRange, rev bool, offset, count int, fn func(member string, score float64) bool) {
	if z.Len() == 0 || r.empty {
		return
	}
	lim := limiter{offset: offset, count: count}
	first, _ := z.tree.Min()
	if !rev {
		visit := func(it zitem) bool {
			if !r.aboveMin(it.member) {
				return true
			}
			if !r.belowMax(it.member) {
				return false
			}
			return lim.visit(func() bool { return fn(it.member, it.score) })
		}
		if r.MinInf {
			z.tree.Ascend(visit)
		} else {
			z.tree.AscendGreaterOrEqual(zitem{first.score, r.Min}, visit)
		}
		return
	}
	z.tree.Descend(func(it zitem) bool {
		if !r.belowMax(it.member) {
			return true
		}
		if !r.aboveMin(it.member) {
			return false
		}
		return lim.visit(func() bool { return fn(it.member, it.score) })
	})
}

// CountByScore returns how many members have a score in r (ZCOUNT).
func (z *ZSet) CountByScore(r ScoreRange) int {
	n := 0
	z.RangeByScore(r, false, 0, -1, func(string, float64) bool { n++; return true })
	return n
}

// CountByLex returns how many members are in r (ZLEXCOUNT).
func (z *ZSet) CountByLex(r LexRange) int {
	n := 0
	z.RangeByLex(r, false, 0, -1, func(string, float64) bool { n++; return true })
	return n
}

// removeAll deletes the collected members and returns how many.
func (z *ZSet) removeAll(ms []string) int {
	for _, m := range ms {
		z.Remove(sbytes(m))
	}
	return len(ms)
}

// RemoveRangeByScore deletes members with a score in r (ZREMRANGEBYSCORE).
func (z *ZSet) RemoveRangeByScore(r ScoreRange) int {
	var ms []string
	z.RangeByScore(r, false, 0, -1, func(m string, _ float64) bool { ms = append(ms, m); return true })
	return z.removeAll(ms)
}

// RemoveRangeByLex deletes members in r (ZREMRANGEBYLEX).
func (z *ZSet) RemoveRangeByLex(r LexRange) int {
	var ms []string
	z.RangeByLex(r, false, 0, -1, func(m string, _ float64) bool { ms = append(ms, m); return true })
	return z.removeAll(ms)
}

// RemoveRangeByRank deletes ranks start..stop (ZREMRANGEBYRANK).
func (z *ZSet) RemoveRangeByRank(start, stop int64) int {
	var ms []string
	z.RangeByRank(start, stop, false, func(m string, _ float64) bool { ms = append(ms, m); return true })
	return z.removeAll(ms)
}
