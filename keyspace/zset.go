package keyspace

import (
	"math"

	"github.com/google/btree"
)

// ZSet is a sorted set: a member→score table plus a B-tree ordered by
// (score, member bytes). Encoding is "listpack" while it has at most
// zset-max-listpack-entries members of at most zset-max-listpack-value bytes,
// else "skiplist" (never back). Ranks are computed by walking the tree, so
// Rank and rank ranges cost O(rank). Members are stored as copies. The
// command layer deletes the key when Len reaches 0.
type ZSet struct {
	scores dict[float64]
	tree   *btree.BTreeG[zitem]
	big    bool
	lim    *Limits
}

type zitem struct {
	score  float64
	member string
}

func zless(a, b zitem) bool {
	if a.score != b.score {
		return a.score < b.score
	}
	return a.member < b.member
}

// NewZSet returns an empty sorted set using lim (nil means DefaultLimits).
func NewZSet(lim *Limits) *ZSet {
	return &ZSet{tree: btree.NewG(16, zless), lim: limitsOr(lim)}
}

// Kind returns KindZSet.
func (z *ZSet) Kind() Kind { return KindZSet }

// Encoding returns "listpack" or "skiplist".
func (z *ZSet) Encoding() string {
	if z.big {
		return "skiplist"
	}
	return "listpack"
}

// MemUsage estimates the bytes used.
func (z *ZSet) MemUsage() int {
	n := 16
	z.tree.Ascend(func(it zitem) bool {
		if z.big {
			n += 80 + len(it.member)
		} else {
			n += lpEntrySize(sbytes(it.member)) + 10
		}
		return true
	})
	return n
}

// Clone returns a deep copy.
func (z *ZSet) Clone() Value {
	c := &ZSet{tree: z.tree.Clone(), big: z.big, lim: z.lim}
	z.scores.each(func(e *dent[float64]) bool { c.scores.insert(e.key, e.val); return true })
	return c
}

// Len returns the number of members (ZCARD).
func (z *ZSet) Len() int { return z.scores.Len() }

// Score returns member's score (ZSCORE).
func (z *ZSet) Score(member []byte) (float64, bool) {
	i := z.scores.find(bstr(member))
	if i < 0 {
		return 0, false
	}
	return z.scores.at(i).val, true
}

// Add sets member's score (a copy of member is stored) and reports whether
// the member is new. NaN must be rejected by the caller. ZADD's NX/XX/GT/LT
// and INCR logic belongs to the command, built on Score and Add.
func (z *ZSet) Add(member []byte, score float64) bool {
	if i := z.scores.find(bstr(member)); i >= 0 {
		e := z.scores.at(i)
		if e.val != score {
			score = z.storedScore(score)
			z.tree.Delete(zitem{e.val, e.key})
			e.val = score
			z.tree.ReplaceOrInsert(zitem{score, e.key})
		}
		return false
	}
	m := string(member)
	if !z.big && (z.Len()+1 > z.lim.ZSetMaxListpackEntries || len(m) > z.lim.ZSetMaxListpackValue) {
		z.big = true
	}
	score = z.storedScore(score)
	z.scores.insert(m, score)
	z.tree.ReplaceOrInsert(zitem{score, m})
	return true
}

// storedScore is the score as the encoding keeps it: a listpack holds a
// score as text that reads back as an integer when it is one, so -0 comes
// back as 0 (ZADD z -0 a then ZSCORE answers 0), while a skiplist keeps
// the double's sign.
func (z *ZSet) storedScore(score float64) float64 {
	if !z.big && score == 0 {
		return 0
	}
	return score
}

// Remove deletes member and reports whether it existed (ZREM).
func (z *ZSet) Remove(member []byte) bool {
	i := z.scores.find(bstr(member))
	if i < 0 {
		return false
	}
	e := *z.scores.at(i)
	z.tree.Delete(zitem{e.val, e.key})
	z.scores.remove(e.key)
	return true
}

// Rank returns member's 0-based rank, from the highest score when rev
// (ZRANK/ZREVRANK).
func (z *ZSet) Rank(member []byte, rev bool) (int, bool) {
	s, ok := z.Score(member)
	if !ok {
		return 0, false
	}
	r := 0
	z.tree.AscendLessThan(zitem{s, string(member)}, func(zitem) bool { r++; return true })
	if rev {
		r = z.Len() - 1 - r
	}
	return r, true
}

// RangeByRank calls fn for ranks start..stop (ZRANGE rules: inclusive,
// negative from the end), from the highest score when rev, until fn returns
// false.
func (z *ZSet) RangeByRank(start, stop int64, rev bool, fn func(member string, score float64) bool) {
	s, e, ok := rangeBounds(start, stop, z.Len())
	if !ok {
		return
	}
	k := 0
	visit := func(it zitem) bool {
		if k > e {
			return false
		}
		k++
		if k-1 < s {
			return true
		}
		return fn(it.member, it.score)
	}
	if rev {
		z.tree.Descend(visit)
	} else {
		z.tree.Ascend(visit)
	}
}

// pop removes up to count members from the low (or high) end and returns
// them in pop order.
func (z *ZSet) pop(count int, high bool) []ScoredMember {
	var out []ScoredMember
	for len(out) < count {
		var it zitem
		var ok bool
		if high {
			it, ok = z.tree.DeleteMax()
		} else {
			it, ok = z.tree.DeleteMin()
		}
		if !ok {
			break
		}
		z.scores.remove(it.member)
		out = append(out, ScoredMember{it.member, it.score})
	}
	return out
}

// ScoredMember is a member with its score.
type ScoredMember struct {
	Member string
	Score  float64
}

// PopMin removes and returns up to count lowest-scored members (ZPOPMIN).
func (z *ZSet) PopMin(count int) []ScoredMember { return z.pop(count, false) }

// PopMax removes and returns up to count highest-scored members (ZPOPMAX).
func (z *ZSet) PopMax(count int) []ScoredMember { return z.pop(count, true) }

// Each calls fn in ascending order until fn returns false. fn must not
// modify the set.
func (z *ZSet) Each(fn func(member string, score float64) bool) {
	z.tree.Ascend(func(it zitem) bool { return fn(it.member, it.score) })
}

// Scan is one ZSCAN step: a listpack zset returns everything in score order
// and cursor 0; a skiplist zset uses Keyspace.Scan's cursor and guarantee.
func (z *ZSet) Scan(cursor uint64, count int, fn func(member string, score float64)) uint64 {
	if !z.big {
		z.Each(func(m string, s float64) bool { fn(m, s); return true })
		return 0
	}
	return z.scores.scan(cursor, count, func(i int32) { fn(z.scores.at(i).key, z.scores.at(i).val) })
}

// Random returns a random member and score (ZRANDMEMBER).
func (z *ZSet) Random() (ScoredMember, bool) {
	i := z.scores.random(pkgRand)
	if i < 0 {
		return ScoredMember{}, false
	}
	e := z.scores.at(i)
	return ScoredMember{e.key, e.val}, true
}

// nextUp is the smallest float above f (f itself for +Inf).
func nextUp(f float64) float64 { return math.Nextafter(f, math.Inf(1)) }
