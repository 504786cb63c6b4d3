package commands

// SORT and SORT_RO (Redis's sort.c): sort a list, set or sorted set
// numerically or by collation, by its elements or by weights read through
// a key pattern, with LIMIT, GET patterns and STORE.

import (
	"bytes"
	"slices"

	"github.com/modhost/modhost/keyspace"
)

// sortCommands are SORT and SORT_RO.
var sortCommands = []Entry{
	{Name: "sort", Arity: -2, Flags: "write denyoom movablekeys", FirstKey: 1, LastKey: 1, KeyStep: 1,
		KeySpecs: "RO access: i1 r0,1,0 | RO access: u u # For the optional BY/GET keyword. It is marked 'unknown' because the key names derive from the content of the key we sort | OW update: u u # For the optional STORE keyword. It is marked 'unknown' because the keyword can appear anywhere in the argument array",
		ACL:      "write set sortedset list slow dangerous", Group: "generic", Since: "1.0.0",
		Handler: sortCommand, GetKeysFlags: sortKeys},
	{Name: "sort_ro", Arity: -2, Flags: "readonly movablekeys", FirstKey: 1, LastKey: 1, KeyStep: 1,
		KeySpecs: "RO access: i1 r0,1,0 | RO access: u u # For the optional BY/GET keyword. It is marked 'unknown' because the key names derive from the content of the key we sort",
		ACL:      "read set sortedset list slow dangerous", Group: "generic", Since: "7.0.0",
		Handler: sortROCommand, GetKeysFlags: sortROKeys},
}

// Error texts of SORT.
const (
	msgSortScores     = "ERR One or more scores can't be converted into double"
	msgSortByCluster  = "ERR BY option of SORT denied in Cluster mode."
	msgSortByACL      = "ERR BY option of SORT denied due to insufficient ACL permissions."
	msgSortGetCluster = "ERR GET option of SORT denied in Cluster mode."
	msgSortGetACL     = "ERR GET option of SORT denied due to insufficient ACL permissions."
)

// sortKeys is Redis's sortGetKeys: the sorted key, and the last STORE
// destination (skipping the arguments of LIMIT, GET and BY).
func sortKeys(args [][]byte) []KeyRef {
	keys := []KeyRef{{Pos: 1, Flags: KeyRO | KeyAccess}}
	store := 0
	for i := 2; i < len(args); i++ {
		switch {
		case eqFold(args[i], "limit"):
			i += 2
		case eqFold(args[i], "get"), eqFold(args[i], "by"):
			i++
		case eqFold(args[i], "store") && i+1 < len(args):
			store = i + 1
		}
	}
	if store > 0 {
		keys = append(keys, KeyRef{Pos: store, Flags: KeyOW | KeyUpdate})
	}
	return keys
}

// sortROKeys is Redis's sortROGetKeys: only the sorted key.
func sortROKeys([][]byte) []KeyRef { return []KeyRef{{Pos: 1, Flags: KeyRO | KeyAccess}} }

// sortItem is one element of the vector SORT sorts.
type sortItem struct {
	obj   []byte
	score float64
	cmp   []byte // ALPHA BY weight; nil when the weight key is missing
	cobj  cstr   // NUL-terminated obj or cmp for strcoll
}

// sortOpts are the parsed options of one SORT call.
type sortOpts struct {
	desc, alpha, dontsort bool
	limitStart, limitCnt  int64
	by, store             []byte
	gets                  [][]byte
}

func sortCommand(c Client, args [][]byte) { sortGeneric(c, args, false) }

func sortROCommand(c Client, args [][]byte) { sortGeneric(c, args, true) }

// beforeNul returns b up to its first NUL byte: Redis looks at patterns
// with C string functions.
func beforeNul(b []byte) []byte {
	if i := bytes.IndexByte(b, 0); i >= 0 {
		return b[:i]
	}
	return b
}

// parseSort reads SORT's options in Redis's order of checks.
func parseSort(c Client, args [][]byte, readonly bool) (o sortOpts, ok bool) {
	o.limitCnt = -1
	cluster := c.Config().Bool("cluster-enabled")
	full := c.UnrestrictedKeyAccess(args)
	for j := 2; j < len(args); j++ {
		left := len(args) - j - 1
		a := args[j]
		switch {
		case eqFold(a, "asc"):
			o.desc = false
		case eqFold(a, "desc"):
			o.desc = true
		case eqFold(a, "alpha"):
			o.alpha = true
		case eqFold(a, "limit") && left >= 2:
			if o.limitStart, ok = intArg(c, args[j+1]); !ok {
				return o, false
			}
			if o.limitCnt, ok = intArg(c, args[j+2]); !ok {
				return o, false
			}
			j += 2
		case !readonly && eqFold(a, "store") && left >= 1:
			o.store = args[j+1]
			j++
		case eqFold(a, "by") && left >= 1:
			o.by = args[j+1]
			if bytes.IndexByte(beforeNul(o.by), '*') < 0 {
				o.dontsort = true
			} else if cluster {
				c.Error(msgSortByCluster)
				return o, false
			} else if !full {
				c.Error(msgSortByACL)
				return o, false
			}
			j++
		case eqFold(a, "get") && left >= 1:
			if cluster {
				c.Error(msgSortGetCluster)
				return o, false
			}
			if !full {
				c.Error(msgSortGetACL)
				return o, false
			}
			o.gets = append(o.gets, args[j+1])
			j++
		default:
			c.Error(msgSyntax)
			return o, false
		}
	}
	return o, true
}

// sortGeneric runs SORT, or SORT_RO when readonly (no STORE).
func sortGeneric(c Client, args [][]byte, readonly bool) {
	o, ok := parseSort(c, args, readonly)
	if !ok {
		return
	}
	v := ks(c).LookupRead(c.DBIndex(), args[1], 0)
	if v != nil {
		switch v.Kind() {
		case keyspace.KindList, keyspace.KindSet, keyspace.KindZSet:
		default:
			c.Error(msgWrongType)
			return
		}
	}
	if o.dontsort && v != nil && v.Kind() == keyspace.KindSet && (o.store != nil || c.InScript()) {
		// A set has no order of its own: scripts and STORE (replicated
		// as is) get it sorted.
		o.dontsort, o.alpha, o.by = false, true, nil
	}
	n := int64(0)
	if v != nil {
		n = int64(sortLen(v))
	}
	start := min(max(o.limitStart, 0), n)
	cnt := min(max(o.limitCnt, -1), n)
	end := n - 1
	if cnt >= 0 {
		end = start + cnt - 1
	}
	if start >= n {
		start, end = n-1, n-2
	}
	if end >= n {
		end = n - 1
	}
	vec, start, end := sortLoad(v, &o, n, start, end)
	if !o.dontsort {
		if !sortScores(c, vec, &o) {
			c.Error(msgSortScores)
			return
		}
		cmp := sortComparator(vec, &o)
		if o.by != nil && (start != 0 || end != int64(len(vec))-1) {
			pqsort(vec, cmp, int(start), int(end))
		} else {
			slices.SortStableFunc(vec, cmp)
		}
	}
	if end < start {
		vec = nil
	} else {
		vec = vec[start : end+1]
	}
	sortOutput(c, vec, &o)
}

// sortLen is the number of elements SORT loads from v.
func sortLen(v keyspace.Value) int {
	switch x := v.(type) {
	case *keyspace.List:
		return x.Len()
	case *keyspace.Set:
		return x.Len()
	case *keyspace.ZSet:
		return x.Len()
	}
	return 0
}

// sortLoad fills the vector. A list or sorted set that is not sorted
// (BY without '*') loads only the LIMIT range, in its own order (reversed
// for DESC), and the range is then the whole vector.
func sortLoad(v keyspace.Value, o *sortOpts, n, start, end int64) ([]sortItem, int64, int64) {
	var vec []sortItem
	add := func(b []byte) { vec = append(vec, sortItem{obj: bytes.Clone(b)}) }
	switch x := v.(type) {
	case nil:
	case *keyspace.List:
		if !o.dontsort {
			x.Each(false, func(_ int, b []byte) bool { add(b); return true })
			break
		}
		if end >= start {
			want := int(end - start + 1)
			x.Each(o.desc, func(i int, b []byte) bool {
				k := int64(i)
				if o.desc {
					k = n - 1 - int64(i)
				}
				if k >= start {
					add(b)
				}
				return len(vec) < want
			})
			end -= start
			start = 0
		}
	case *keyspace.Set:
		x.Each(func(m string) bool { add([]byte(m)); return true })
	case *keyspace.ZSet:
		if !o.dontsort {
			x.Each(func(m string, _ float64) bool { add([]byte(m)); return true })
			break
		}
		if end >= start {
			x.RangeByRank(start, end, o.desc, func(m string, _ float64) bool { add([]byte(m)); return true })
		}
		end -= start
		start = 0
	}
	return vec, start, end
}

// sortScores loads the weights: numbers (false when one does not parse)
// or, for ALPHA BY, the weight strings.
func sortScores(c Client, vec []sortItem, o *sortOpts) bool {
	okAll := true
	if o.alpha && o.store == nil {
		setCollateLocale()
	}
	for i := range vec {
		it := &vec[i]
		by := it.obj
		if o.by != nil {
			w, found := sortPatternValue(c, o.by, it.obj)
			if !found {
				continue
			}
			by = w
		}
		if o.alpha {
			if o.by != nil {
				it.cmp = by
				if it.cmp == nil {
					it.cmp = []byte{}
				}
				it.cobj = toCstr(by)
			} else {
				it.cobj = toCstr(it.obj)
			}
			continue
		}
		score, ok := strtodScore(toCstr(by))
		it.score = score
		if !ok {
			okAll = false
		}
	}
	return okAll
}

// sortComparator is Redis's sortCompare for the options: numbers with ties
// broken by the elements' bytes; ALPHA by strcoll, or by bytes when
// storing; missing ALPHA BY weights first.
func sortComparator(vec []sortItem, o *sortOpts) func(a, b sortItem) int {
	var cmp func(a, b sortItem) int
	switch {
	case !o.alpha:
		cmp = func(a, b sortItem) int {
			switch {
			case a.score > b.score:
				return 1
			case a.score < b.score:
				return -1
			}
			return bytes.Compare(a.obj, b.obj)
		}
	case o.by != nil:
		cmp = func(a, b sortItem) int {
			switch {
			case a.cmp == nil && b.cmp == nil:
				return 0
			case a.cmp == nil:
				return -1
			case b.cmp == nil:
				return 1
			case o.store != nil:
				return bytes.Compare(a.cmp, b.cmp)
			}
			return strcoll(a.cobj, b.cobj)
		}
	case o.store != nil:
		cmp = func(a, b sortItem) int { return bytes.Compare(a.obj, b.obj) }
	default:
		cmp = func(a, b sortItem) int { return strcoll(a.cobj, b.cobj) }
	}
	if o.desc {
		return func(a, b sortItem) int { return -cmp(a, b) }
	}
	return cmp
}

// sortPatternValue is Redis's lookupKeyByPattern: "#" is the element
// itself; otherwise the first '*' of the pattern is replaced by the
// element and the resulting key's string value is read, or with
// "key->field" a hash field. found is false for a pattern without '*', a
// missing key, field or a value of another type.
func sortPatternValue(c Client, pat, elem []byte) (val []byte, found bool) {
	if len(pat) > 0 && pat[0] == '#' && (len(pat) == 1 || pat[1] == 0) {
		return elem, true
	}
	head := beforeNul(pat)
	star := bytes.IndexByte(head, '*')
	if star < 0 {
		return nil, false
	}
	var field []byte
	keyEnd := len(pat)
	if f := bytes.Index(head[star+1:], []byte("->")); f >= 0 && star+1+f+2 < len(head) {
		at := star + 1 + f
		field = pat[at+2:]
		keyEnd = at
	}
	key := make([]byte, 0, len(pat)+len(elem))
	key = append(key, pat[:star]...)
	key = append(key, elem...)
	key = append(key, pat[star+1:keyEnd]...)
	v := ks(c).LookupRead(c.DBIndex(), key, 0)
	if v == nil {
		return nil, false
	}
	if field != nil {
		h, isHash := v.(*keyspace.Hash)
		if !isHash {
			return nil, false
		}
		return hashGetField(c, key, h, field, true)
	}
	s, isStr := v.(*keyspace.String)
	if !isStr {
		return nil, false
	}
	return s.Bytes(), true
}

// sortOutput replies the sorted range (with the GET patterns applied), or
// stores it as a list at the STORE key and replies its length.
func sortOutput(c Client, vec []sortItem, o *sortOpts) {
	per := 1
	if len(o.gets) > 0 {
		per = len(o.gets)
	}
	outLen := per * len(vec)
	if o.store == nil {
		w := c.Writer()
		w.ArrayLen(outLen)
		for _, it := range vec {
			if len(o.gets) == 0 {
				w.Bulk(it.obj)
			}
			for _, g := range o.gets {
				if val, found := sortPatternValue(c, g, it.obj); found {
					w.Bulk(val)
				} else {
					w.NullBulk()
				}
			}
		}
		return
	}
	k := ks(c)
	l := k.NewList()
	for _, it := range vec {
		if len(o.gets) == 0 {
			l.PushBack(it.obj)
		}
		for _, g := range o.gets {
			val, _ := sortPatternValue(c, g, it.obj)
			l.PushBack(val)
		}
	}
	if outLen > 0 {
		k.SetKey(c.DBIndex(), o.store, l, false)
		k.Modified(c.DBIndex(), o.store, keyspace.NotifyList, "sortstore")
		k.Dirty += int64(outLen - 1)
	} else if k.Delete(c.DBIndex(), o.store) {
		k.Modified(c.DBIndex(), o.store, keyspace.NotifyGeneric, "del")
	}
	c.Writer().Int(int64(outLen))
}
