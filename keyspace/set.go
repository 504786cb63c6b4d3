package keyspace

import (
	"slices"
	"strconv"
)

// Set is a set value with Redis 7.2's three encodings:
//   - "intset": every member a canonical int64 (ParseInt) and at most
//     set-max-intset-entries members, kept sorted numerically (SMEMBERS
//     order);
//   - "listpack": at most set-max-listpack-entries members of at most
//     set-max-listpack-value bytes, in insertion order;
//   - "hashtable" otherwise (never converted back).
//
// Members are stored as copies. The command layer deletes the key when Len
// reaches 0.
type Set struct {
	ints  []int64
	strs  []string
	big   *dict[struct{}]
	isInt bool
	lim   *Limits
}

// NewSet returns an empty set using lim (nil means DefaultLimits); first is
// the member about to be added, which picks intset or listpack as Redis's
// setTypeCreate does.
func NewSet(lim *Limits, first []byte) *Set {
	s := &Set{lim: limitsOr(lim)}
	if _, ok := ParseInt(first); ok && s.lim.SetMaxIntsetEntries > 0 {
		s.isInt = true
	} else if s.lim.SetMaxListpackEntries == 0 || len(first) > s.lim.SetMaxListpackValue {
		s.big = &dict[struct{}]{}
	}
	return s
}

// Kind returns KindSet.
func (s *Set) Kind() Kind { return KindSet }

// Encoding returns "intset", "listpack" or "hashtable".
func (s *Set) Encoding() string {
	switch {
	case s.big != nil:
		return "hashtable"
	case s.isInt:
		return "intset"
	}
	return "listpack"
}

// MemUsage estimates the bytes used.
func (s *Set) MemUsage() int {
	switch {
	case s.big != nil:
		n := 16
		s.big.each(func(e *dent[struct{}]) bool { n += 32 + len(e.key); return true })
		return n
	case s.isInt:
		return 16 + 8 + 8*len(s.ints)
	}
	n := 16 + lpOverhead
	for _, m := range s.strs {
		n += lpEntrySize(sbytes(m))
	}
	return n
}

// Clone returns a deep copy.
func (s *Set) Clone() Value {
	c := &Set{lim: s.lim, isInt: s.isInt, ints: slices.Clone(s.ints), strs: slices.Clone(s.strs)}
	if s.big != nil {
		c.big = &dict[struct{}]{}
		s.big.each(func(e *dent[struct{}]) bool { c.big.insert(e.key, struct{}{}); return true })
	}
	return c
}

// Len returns the number of members (SCARD).
func (s *Set) Len() int {
	switch {
	case s.big != nil:
		return s.big.Len()
	case s.isInt:
		return len(s.ints)
	}
	return len(s.strs)
}

// Has reports whether m is a member (SISMEMBER).
func (s *Set) Has(m []byte) bool {
	switch {
	case s.big != nil:
		return s.big.find(bstr(m)) >= 0
	case s.isInt:
		v, ok := ParseInt(m)
		if !ok {
			return false
		}
		_, found := slices.BinarySearch(s.ints, v)
		return found
	}
	return slices.Index(s.strs, bstr(m)) >= 0
}

// Add adds a copy of m and reports whether it was new (SADD).
func (s *Set) Add(m []byte) bool {
	if s.isInt {
		if v, ok := ParseInt(m); ok {
			i, found := slices.BinarySearch(s.ints, v)
			if found {
				return false
			}
			s.ints = slices.Insert(s.ints, i, v)
			if len(s.ints) > s.lim.SetMaxIntsetEntries {
				s.toHashtable()
			}
			return true
		}
		if len(s.ints) < s.lim.SetMaxListpackEntries && len(m) <= s.lim.SetMaxListpackValue && s.intsFitListpack() {
			s.toListpack()
		} else {
			s.toHashtable()
		}
	}
	if s.big != nil {
		if s.big.find(bstr(m)) >= 0 {
			return false
		}
		s.big.insert(string(m), struct{}{})
		return true
	}
	if slices.Index(s.strs, bstr(m)) >= 0 {
		return false
	}
	if len(s.strs) < s.lim.SetMaxListpackEntries && len(m) <= s.lim.SetMaxListpackValue {
		s.strs = append(s.strs, string(m))
		return true
	}
	s.toHashtable()
	s.big.insert(string(m), struct{}{})
	return true
}

// intsFitListpack checks the intset's longest member against
// set-max-listpack-value (as Redis does before leaving intset).
func (s *Set) intsFitListpack() bool {
	if len(s.ints) == 0 {
		return true
	}
	l := max(len(strconv.FormatInt(s.ints[0], 10)), len(strconv.FormatInt(s.ints[len(s.ints)-1], 10)))
	return l <= s.lim.SetMaxListpackValue
}

func (s *Set) toListpack() {
	s.strs = make([]string, 0, len(s.ints)+1)
	for _, v := range s.ints {
		s.strs = append(s.strs, strconv.FormatInt(v, 10))
	}
	s.ints, s.isInt = nil, false
}

func (s *Set) toHashtable() {
	d := &dict[struct{}]{}
	s.Each(func(m string) bool { d.insert(m, struct{}{}); return true })
	s.big, s.ints, s.strs, s.isInt = d, nil, nil, false
}

// Remove deletes m and reports whether it was a member (SREM).
func (s *Set) Remove(m []byte) bool {
	switch {
	case s.big != nil:
		_, ok := s.big.remove(bstr(m))
		return ok
	case s.isInt:
		v, ok := ParseInt(m)
		if !ok {
			return false
		}
		i, found := slices.BinarySearch(s.ints, v)
		if found {
			s.ints = slices.Delete(s.ints, i, i+1)
		}
		return found
	}
	i := slices.Index(s.strs, bstr(m))
	if i < 0 {
		return false
	}
	s.strs = slices.Delete(s.strs, i, i+1)
	return true
}

// Each calls fn for every member (intset: ascending; listpack: insertion
// order) until fn returns false. fn must not modify the set.
func (s *Set) Each(fn func(m string) bool) {
	switch {
	case s.big != nil:
		s.big.each(func(e *dent[struct{}]) bool { return fn(e.key) })
	case s.isInt:
		for _, v := range s.ints {
			if !fn(strconv.FormatInt(v, 10)) {
				return
			}
		}
	default:
		for _, m := range s.strs {
			if !fn(m) {
				return
			}
		}
	}
}

// Scan is one SSCAN step: intset/listpack sets return everything and cursor
// 0; a hashtable uses Keyspace.Scan's cursor and guarantee.
func (s *Set) Scan(cursor uint64, count int, fn func(m string)) uint64 {
	if s.big == nil {
		s.Each(func(m string) bool { fn(m); return true })
		return 0
	}
	return s.big.scan(cursor, count, func(i int32) { fn(s.big.at(i).key) })
}

// Random returns a random member (SRANDMEMBER/SPOP); ok is false when empty.
func (s *Set) Random() (string, bool) {
	switch n := s.Len(); {
	case n == 0:
		return "", false
	case s.big != nil:
		return s.big.at(s.big.random(pkgRand)).key, true
	case s.isInt:
		return strconv.FormatInt(s.ints[pkgRand.IntN(n)], 10), true
	default:
		return s.strs[pkgRand.IntN(n)], true
	}
}
