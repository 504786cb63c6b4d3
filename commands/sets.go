package commands

import (
	"math"
	"math/rand/v2"
	"slices"
	"strconv"

	"github.com/modhost/modhost/keyspace"
)

// Set family (Redis's t_set.c): SADD SREM SMEMBERS SISMEMBER SMISMEMBER
// SCARD SPOP SRANDMEMBER SINTER SINTERCARD SINTERSTORE SUNION SUNIONSTORE
// SDIFF SDIFFSTORE SMOVE SSCAN. The small argument helpers shared with the
// sorted-set family (szRangeLong, szScanArgs …) live here too.

// setCommands are the set family (t_set.c).
var setCommands = []Entry{
	{Name: "sadd", Arity: -3, Flags: "write denyoom fast", FirstKey: 1, LastKey: 1, KeyStep: 1,
		KeySpecs: "RW insert: i1 r0,1,0",
		ACL:      "write set fast", Group: "set", Since: "1.0.0",
		Handler: saddCmd},
	{Name: "srem", Arity: -3, Flags: "write fast", FirstKey: 1, LastKey: 1, KeyStep: 1,
		KeySpecs: "RW delete: i1 r0,1,0",
		ACL:      "write set fast", Group: "set", Since: "1.0.0",
		Handler: sremCmd},
	{Name: "smembers", Arity: 2, Flags: "readonly", FirstKey: 1, LastKey: 1, KeyStep: 1,
		KeySpecs: "RO access: i1 r0,1,0",
		Tips:     "nondeterministic_output_order",
		ACL:      "read set slow", Group: "set", Since: "1.0.0",
		Handler: smembersCmd},
	{Name: "sismember", Arity: 3, Flags: "readonly fast", FirstKey: 1, LastKey: 1, KeyStep: 1,
		KeySpecs: "RO: i1 r0,1,0",
		ACL:      "read set fast", Group: "set", Since: "1.0.0",
		Handler: sismemberCmd},
	{Name: "smismember", Arity: -3, Flags: "readonly fast", FirstKey: 1, LastKey: 1, KeyStep: 1,
		KeySpecs: "RO access: i1 r0,1,0",
		ACL:      "read set fast", Group: "set", Since: "6.2.0",
		Handler: smismemberCmd},
	{Name: "scard", Arity: 2, Flags: "readonly fast", FirstKey: 1, LastKey: 1, KeyStep: 1,
		KeySpecs: "RO: i1 r0,1,0",
		ACL:      "read set fast", Group: "set", Since: "1.0.0",
		Handler: scardCmd},
	{Name: "spop", Arity: -2, Flags: "write fast", FirstKey: 1, LastKey: 1, KeyStep: 1,
		KeySpecs: "RW access delete: i1 r0,1,0",
		Tips:     "nondeterministic_output",
		ACL:      "write set fast", Group: "set", Since: "1.0.0",
		Handler: spopCmd},
	{Name: "srandmember", Arity: -2, Flags: "readonly", FirstKey: 1, LastKey: 1, KeyStep: 1,
		KeySpecs: "RO access: i1 r0,1,0",
		Tips:     "nondeterministic_output",
		ACL:      "read set slow", Group: "set", Since: "1.0.0",
		Handler: srandmemberCmd},
	{Name: "sinter", Arity: -2, Flags: "readonly", FirstKey: 1, LastKey: -1, KeyStep: 1,
		KeySpecs: "RO access: i1 r-1,1,0",
		Tips:     "nondeterministic_output_order",
		ACL:      "read set slow", Group: "set", Since: "1.0.0",
		Handler: sinterCmd},
	{Name: "sintercard", Arity: -3, Flags: "readonly movablekeys",
		KeySpecs: "RO access: i1 n0,1,1",
		ACL:      "read set slow", Group: "set", Since: "7.0.0",
		Handler: sintercardCmd, GetKeys: numkeysKeys(1, false)},
	{Name: "sinterstore", Arity: -3, Flags: "write denyoom", FirstKey: 1, LastKey: -1, KeyStep: 1,
		KeySpecs: "OW update: i1 r0,1,0 | RO access: i2 r-1,1,0",
		ACL:      "write set slow", Group: "set", Since: "1.0.0",
		Handler: sinterstoreCmd},
	{Name: "sunion", Arity: -2, Flags: "readonly", FirstKey: 1, LastKey: -1, KeyStep: 1,
		KeySpecs: "RO access: i1 r-1,1,0",
		Tips:     "nondeterministic_output_order",
		ACL:      "read set slow", Group: "set", Since: "1.0.0",
		Handler: sunionCmd},
	{Name: "sunionstore", Arity: -3, Flags: "write denyoom", FirstKey: 1, LastKey: -1, KeyStep: 1,
		KeySpecs: "OW update: i1 r0,1,0 | RO access: i2 r-1,1,0",
		ACL:      "write set slow", Group: "set", Since: "1.0.0",
		Handler: sunionstoreCmd},
	{Name: "sdiff", Arity: -2, Flags: "readonly", FirstKey: 1, LastKey: -1, KeyStep: 1,
		KeySpecs: "RO access: i1 r-1,1,0",
		Tips:     "nondeterministic_output_order",
		ACL:      "read set slow", Group: "set", Since: "1.0.0",
		Handler: sdiffCmd},
	{Name: "sdiffstore", Arity: -3, Flags: "write denyoom", FirstKey: 1, LastKey: -1, KeyStep: 1,
		KeySpecs: "OW update: i1 r0,1,0 | RO access: i2 r-1,1,0",
		ACL:      "write set slow", Group: "set", Since: "1.0.0",
		Handler: sdiffstoreCmd},
	{Name: "smove", Arity: 4, Flags: "write fast", FirstKey: 1, LastKey: 2, KeyStep: 1,
		KeySpecs: "RW access delete: i1 r0,1,0 | RW insert: i2 r0,1,0",
		ACL:      "write set fast", Group: "set", Since: "1.0.0",
		Handler: smoveCmd},
	{Name: "sscan", Arity: -3, Flags: "readonly", FirstKey: 1, LastKey: 1, KeyStep: 1,
		KeySpecs: "RO access: i1 r0,1,0",
		Tips:     "nondeterministic_output",
		ACL:      "read set slow", Group: "set", Since: "2.8.0",
		Handler: sscanCmd},
}

// numkeysKeys returns a GetKeys function for commands whose argument at
// index numkeysAt counts the keys that follow it (SINTERCARD, ZUNION …);
// withDst adds the destination key at index 1 (ZUNIONSTORE …).
func numkeysKeys(numkeysAt int, withDst bool) GetKeysFunc {
	return func(args [][]byte) []int {
		var out []int
		if withDst {
			out = append(out, 1)
		}
		if numkeysAt >= len(args) {
			return out
		}
		n, ok := parseInt(args[numkeysAt])
		if !ok || n < 1 {
			return out
		}
		for i := numkeysAt + 1; i < len(args) && int64(i-numkeysAt) <= n; i++ {
			out = append(out, i)
		}
		return out
	}
}

// szRangeLong parses an integer as Redis's getRangeLongFromObjectOrReply:
// msg (when not "") replaces both the not-an-integer and the out-of-range
// error texts.
func szRangeLong(c Client, b []byte, lo, hi int64, msg string) (int64, bool) {
	v, ok := parseInt(b)
	switch {
	case !ok && msg != "":
		c.Error("ERR " + msg)
		return 0, false
	case !ok:
		c.Error(msgNotInt)
		return 0, false
	case v < lo || v > hi:
		if msg != "" {
			c.Error("ERR " + msg)
		} else {
			c.Error("ERR value is out of range, value must between " +
				strconv.FormatInt(lo, 10) + " and " + strconv.FormatInt(hi, 10))
		}
		return 0, false
	}
	return v, true
}

// szPositive is getPositiveLongFromObjectOrReply: 0..LONG_MAX.
func szPositive(c Client, b []byte, msg string) (int64, bool) {
	if msg == "" {
		msg = "value is out of range, must be positive"
	}
	return szRangeLong(c, b, 0, math.MaxInt64, msg)
}

// szDirty adds n-1 to the dirty counter (Modified already added one), for
// commands that count every changed element as Redis does.
func szDirty(c Client, n int) {
	if n > 1 {
		ks(c).Dirty += int64(n - 1)
	}
}

// szDeleted emits the "del" event for a key a command emptied.
func szDeleted(c Client, key []byte) {
	ks(c).Notify(keyspace.NotifyGeneric, "del", key, c.DBIndex())
}

// szScanArgs holds the parsed options of SSCAN/ZSCAN.
type szScanArgs struct {
	cursor uint64
	count  int
	match  []byte // nil: match everything
}

// parseSZScan parses "key cursor [MATCH p] [COUNT n]" (args[2:] onward) as
// Redis's scanGenericCommand for a collection, replying on error.
func parseSZScan(c Client, args [][]byte) (szScanArgs, bool) {
	sa := szScanArgs{count: 10}
	var ok bool
	if sa.cursor, ok = parseScanCursor(args[2]); !ok {
		c.Error("ERR invalid cursor")
		return sa, false
	}
	return sa, true
}

// parseSZScanOpts parses the options after the cursor; it runs after the
// key lookup, as in Redis.
func parseSZScanOpts(c Client, args [][]byte, sa *szScanArgs) bool {
	for i := 3; i < len(args); {
		left := len(args) - i
		switch {
		case eqFold(args[i], "count") && left >= 2:
			n, ok := parseInt(args[i+1])
			if !ok {
				c.Error(msgNotInt)
				return false
			}
			if n < 1 {
				c.Error(msgSyntax)
				return false
			}
			sa.count = int(min(n, math.MaxInt32))
			i += 2
		case eqFold(args[i], "match") && left >= 2:
			p := args[i+1]
			if len(p) == 1 && p[0] == '*' {
				sa.match = nil
			} else {
				sa.match = p
			}
			i += 2
		case eqFold(args[i], "novalues"):
			c.Error("ERR NOVALUES option can only be used in HSCAN")
			return false
		default:
			c.Error(msgSyntax)
			return false
		}
	}
	return true
}

// scanMatch reports whether member passes the MATCH filter.
func (sa *szScanArgs) scanMatch(m string) bool {
	return sa.match == nil || keyspace.GlobMatch(sa.match, []byte(m), false)
}

// lookupSet is lookupRead for sets, typed.
func lookupSet(c Client, key []byte, write bool) (*keyspace.Set, bool) {
	var v keyspace.Value
	var ok bool
	if write {
		v, ok = lookupWrite(c, key, keyspace.KindSet)
	} else {
		v, ok = lookupRead(c, key, keyspace.KindSet)
	}
	if !ok || v == nil {
		return nil, ok
	}
	return v.(*keyspace.Set), true
}

func saddCmd(c Client, args [][]byte) {
	key := args[1]
	set, ok := lookupSet(c, key, true)
	if !ok {
		return
	}
	if set == nil {
		set = ks(c).NewSet(args[2])
		ks(c).Add(c.DBIndex(), key, set)
	}
	added := 0
	for _, m := range args[2:] {
		if set.Add(m) {
			added++
		}
	}
	if added > 0 {
		ks(c).Modified(c.DBIndex(), key, keyspace.NotifySet, "sadd")
		szDirty(c, added)
	}
	c.Writer().Int(int64(added))
}

func sremCmd(c Client, args [][]byte) {
	key := args[1]
	set, ok := lookupSet(c, key, true)
	if !ok {
		return
	}
	if set == nil {
		c.Writer().Int(0)
		return
	}
	deleted, removed := 0, false
	for _, m := range args[2:] {
		if set.Remove(m) {
			deleted++
			if set.Len() == 0 {
				ks(c).Delete(c.DBIndex(), key)
				removed = true
				break
			}
		}
	}
	if deleted > 0 {
		ks(c).Modified(c.DBIndex(), key, keyspace.NotifySet, "srem")
		if removed {
			szDeleted(c, key)
		}
		szDirty(c, deleted)
	}
	c.Writer().Int(int64(deleted))
}

func smoveCmd(c Client, args [][]byte) {
	src, dst, ele := args[1], args[2], args[3]
	srcV := ks(c).LookupWrite(c.DBIndex(), src, 0)
	dstV := ks(c).LookupWrite(c.DBIndex(), dst, 0)
	if srcV == nil {
		c.Writer().Int(0)
		return
	}
	if srcV.Kind() != keyspace.KindSet || dstV != nil && dstV.Kind() != keyspace.KindSet {
		c.Error(msgWrongType)
		return
	}
	srcSet := srcV.(*keyspace.Set)
	if string(src) == string(dst) {
		c.Writer().Int(szBoolInt(srcSet.Has(ele)))
		return
	}
	if !srcSet.Remove(ele) {
		c.Writer().Int(0)
		return
	}
	ks(c).Modified(c.DBIndex(), src, keyspace.NotifySet, "srem")
	if srcSet.Len() == 0 {
		ks(c).Delete(c.DBIndex(), src)
		szDeleted(c, src)
	}
	var dstSet *keyspace.Set
	if dstV == nil {
		dstSet = ks(c).NewSet(ele)
		ks(c).Add(c.DBIndex(), dst, dstSet)
	} else {
		dstSet = dstV.(*keyspace.Set)
	}
	if dstSet.Add(ele) {
		ks(c).Modified(c.DBIndex(), dst, keyspace.NotifySet, "sadd")
	}
	c.Writer().Int(1)
}

// szBoolInt is 1 for true, 0 for false.
func szBoolInt(b bool) int64 {
	if b {
		return 1
	}
	return 0
}

func sismemberCmd(c Client, args [][]byte) {
	set, ok := lookupSet(c, args[1], false)
	if !ok {
		return
	}
	c.Writer().Int(szBoolInt(set != nil && set.Has(args[2])))
}

func smismemberCmd(c Client, args [][]byte) {
	set, ok := lookupSet(c, args[1], false)
	if !ok {
		return
	}
	c.Writer().ArrayLen(len(args) - 2)
	for _, m := range args[2:] {
		c.Writer().Int(szBoolInt(set != nil && set.Has(m)))
	}
}

func scardCmd(c Client, args [][]byte) {
	set, ok := lookupSet(c, args[1], false)
	if !ok {
		return
	}
	if set == nil {
		c.Writer().Int(0)
		return
	}
	c.Writer().Int(int64(set.Len()))
}

func smembersCmd(c Client, args [][]byte) {
	set, ok := lookupSet(c, args[1], false)
	if !ok {
		return
	}
	if set == nil {
		c.Writer().SetLen(0)
		return
	}
	writeSetMembers(c, set)
}

// writeSetMembers replies every member as a set (RESP3) or array.
func writeSetMembers(c Client, set *keyspace.Set) {
	c.Writer().SetLen(set.Len())
	set.Each(func(m string) bool { c.Writer().BulkString(m); return true })
}

func spopCmd(c Client, args [][]byte) {
	if len(args) > 3 {
		c.Error(msgSyntax)
		return
	}
	key := args[1]
	if len(args) == 3 {
		spopCount(c, key, args[2])
		return
	}
	set, ok := lookupSet(c, key, true)
	if !ok {
		return
	}
	if set == nil {
		c.Writer().NullBulk()
		return
	}
	m, _ := set.Random()
	set.Remove([]byte(m))
	c.Writer().BulkString(m)
	ks(c).Modified(c.DBIndex(), key, keyspace.NotifySet, "spop")
	if set.Len() == 0 {
		ks(c).Delete(c.DBIndex(), key)
		szDeleted(c, key)
	}
}

func spopCount(c Client, key, countArg []byte) {
	count, ok := szPositive(c, countArg, "")
	if !ok {
		return
	}
	set, ok := lookupSet(c, key, true)
	if !ok {
		return
	}
	if set == nil || count == 0 {
		c.Writer().SetLen(0)
		return
	}
	size := set.Len()
	if count >= int64(size) {
		writeSetMembers(c, set)
		ks(c).Delete(c.DBIndex(), key)
		ks(c).Modified(c.DBIndex(), key, keyspace.NotifySet, "spop")
		szDeleted(c, key)
		szDirty(c, size)
		return
	}
	c.Writer().SetLen(int(count))
	for range count {
		m, _ := set.Random()
		set.Remove([]byte(m))
		c.Writer().BulkString(m)
	}
	ks(c).Modified(c.DBIndex(), key, keyspace.NotifySet, "spop")
	szDirty(c, int(count))
}

func srandmemberCmd(c Client, args [][]byte) {
	if len(args) > 3 {
		c.Error(msgSyntax)
		return
	}
	if len(args) == 3 {
		srandmemberCount(c, args[1], args[2])
		return
	}
	set, ok := lookupSet(c, args[1], false)
	if !ok {
		return
	}
	if set == nil {
		c.Writer().NullBulk()
		return
	}
	m, _ := set.Random()
	c.Writer().BulkString(m)
}

func srandmemberCount(c Client, key, countArg []byte) {
	l, ok := szRangeLong(c, countArg, -math.MaxInt64, math.MaxInt64, "")
	if !ok {
		return
	}
	set, ok := lookupSet(c, key, false)
	if !ok {
		return
	}
	if set == nil || l == 0 {
		c.Writer().ArrayLen(0)
		return
	}
	if l < 0 || l == 1 {
		n := l
		if n < 0 {
			n = -n
		}
		c.Writer().ArrayLen(int(n))
		for range n {
			m, _ := set.Random()
			c.Writer().BulkString(m)
		}
		return
	}
	size := set.Len()
	if l >= int64(size) {
		c.Writer().ArrayLen(size)
		set.Each(func(m string) bool { c.Writer().BulkString(m); return true })
		return
	}
	c.Writer().ArrayLen(int(l))
	for _, m := range szSample(size, int(l), set.Each, set.Random) {
		c.Writer().BulkString(m)
	}
}

// szSample picks count distinct members out of size (count < size):
// a partial shuffle of all members when count is a large share of the set,
// else repeated random picks with rejection of duplicates.
func szSample(size, count int, each func(func(string) bool), random func() (string, bool)) []string {
	if count*3 > size {
		all := make([]string, 0, size)
		each(func(m string) bool { all = append(all, m); return true })
		for i := 0; i < count; i++ {
			j := i + rand.IntN(len(all)-i)
			all[i], all[j] = all[j], all[i]
		}
		return all[:count]
	}
	seen := make(map[string]struct{}, count)
	out := make([]string, 0, count)
	for len(out) < count {
		m, _ := random()
		if _, dup := seen[m]; dup {
			continue
		}
		seen[m] = struct{}{}
		out = append(out, m)
	}
	return out
}

// loadSets looks up keys as sets for SINTER/SUNION/SDIFF: a missing key is
// a nil entry; a key of another type replies WRONGTYPE (ok=false).
func loadSets(c Client, keys [][]byte) ([]*keyspace.Set, bool) {
	sets := make([]*keyspace.Set, len(keys))
	for i, k := range keys {
		s, ok := lookupSet(c, k, false)
		if !ok {
			return nil, false
		}
		sets[i] = s
	}
	return sets, true
}

// setInter returns the members common to all sets (none may be nil), in
// the iteration order of the smallest, stopping after limit (0: no limit).
func setInter(sets []*keyspace.Set, limit int) []string {
	sorted := slices.Clone(sets)
	slices.SortStableFunc(sorted, func(a, b *keyspace.Set) int { return a.Len() - b.Len() })
	var out []string
	sorted[0].Each(func(m string) bool {
		for _, o := range sorted[1:] {
			if o != sorted[0] && !o.Has([]byte(m)) {
				return true
			}
		}
		out = append(out, m)
		return limit == 0 || len(out) < limit
	})
	return out
}

// setUnionDiff returns SUNION (diff=false) or SDIFF (diff=true) of sets
// (nil entries are empty sets), without duplicates.
func setUnionDiff(sets []*keyspace.Set, diff bool) []string {
	var out []string
	seen := map[string]struct{}{}
	if !diff {
		for _, s := range sets {
			if s == nil {
				continue
			}
			s.Each(func(m string) bool {
				if _, dup := seen[m]; !dup {
					seen[m] = struct{}{}
					out = append(out, m)
				}
				return true
			})
		}
		return out
	}
	if sets[0] == nil {
		return nil
	}
	sets[0].Each(func(m string) bool {
		for _, o := range sets[1:] {
			if o == sets[0] {
				return false
			}
			if o != nil && o.Has([]byte(m)) {
				return true
			}
		}
		out = append(out, m)
		return true
	})
	if len(sets) > 1 && slices.Contains(sets[1:], sets[0]) {
		return nil
	}
	return out
}

// szAnyNil reports whether a set is missing.
func szAnyNil(sets []*keyspace.Set) bool { return slices.Contains(sets, nil) }

func sinterCmd(c Client, args [][]byte) {
	sets, ok := loadSets(c, args[1:])
	if !ok {
		return
	}
	if szAnyNil(sets) {
		c.Writer().SetLen(0)
		return
	}
	szWriteMembers(c, setInter(sets, 0))
}

// szWriteMembers replies ms as a set (RESP3) or array.
func szWriteMembers(c Client, ms []string) {
	c.Writer().SetLen(len(ms))
	for _, m := range ms {
		c.Writer().BulkString(m)
	}
}

func sintercardCmd(c Client, args [][]byte) {
	numkeys, ok := szRangeLong(c, args[1], 1, math.MaxInt64, "numkeys should be greater than 0")
	if !ok {
		return
	}
	if numkeys > int64(len(args)-2) {
		c.Error("ERR Number of keys can't be greater than number of args")
		return
	}
	var limit int64
	for j := 2 + int(numkeys); j < len(args); j++ {
		if eqFold(args[j], "limit") && j < len(args)-1 {
			j++
			if limit, ok = szPositive(c, args[j], "LIMIT can't be negative"); !ok {
				return
			}
			continue
		}
		c.Error(msgSyntax)
		return
	}
	sets, ok := loadSets(c, args[2:2+numkeys])
	if !ok {
		return
	}
	if szAnyNil(sets) {
		c.Writer().Int(0)
		return
	}
	c.Writer().Int(int64(len(setInter(sets, int(min(limit, math.MaxInt32))))))
}

// storeSet replaces dst with a set of ms (or deletes dst when ms is empty)
// and replies the cardinality, firing event as Redis's *STORE commands.
func storeSet(c Client, dst []byte, ms []string, event string) {
	if len(ms) == 0 {
		if ks(c).Delete(c.DBIndex(), dst) {
			ks(c).Modified(c.DBIndex(), dst, keyspace.NotifyGeneric, "del")
		}
		c.Writer().Int(0)
		return
	}
	set := ks(c).NewSet([]byte(ms[0]))
	for _, m := range ms {
		set.Add([]byte(m))
	}
	ks(c).SetKey(c.DBIndex(), dst, set, false)
	ks(c).Modified(c.DBIndex(), dst, keyspace.NotifySet, event)
	c.Writer().Int(int64(set.Len()))
}

func sinterstoreCmd(c Client, args [][]byte) {
	sets, ok := loadSets(c, args[2:])
	if !ok {
		return
	}
	var ms []string
	if !szAnyNil(sets) {
		ms = setInter(sets, 0)
	}
	storeSet(c, args[1], ms, "sinterstore")
}

func sunionCmd(c Client, args [][]byte) { setOpReply(c, args[1:], false) }

func sdiffCmd(c Client, args [][]byte) { setOpReply(c, args[1:], true) }

func setOpReply(c Client, keys [][]byte, diff bool) {
	sets, ok := loadSets(c, keys)
	if !ok {
		return
	}
	szWriteMembers(c, setUnionDiff(sets, diff))
}

func sunionstoreCmd(c Client, args [][]byte) { setOpStore(c, args, false, "sunionstore") }

func sdiffstoreCmd(c Client, args [][]byte) { setOpStore(c, args, true, "sdiffstore") }

func setOpStore(c Client, args [][]byte, diff bool, event string) {
	sets, ok := loadSets(c, args[2:])
	if !ok {
		return
	}
	storeSet(c, args[1], setUnionDiff(sets, diff), event)
}

func sscanCmd(c Client, args [][]byte) {
	sa, ok := parseSZScan(c, args)
	if !ok {
		return
	}
	set, ok := lookupSet(c, args[1], false)
	if !ok {
		return
	}
	if set == nil {
		szEmptyScan(c)
		return
	}
	if !parseSZScanOpts(c, args, &sa) {
		return
	}
	var found []string
	next := set.Scan(sa.cursor, sa.count, func(m string) {
		if sa.scanMatch(m) {
			found = append(found, m)
		}
	})
	szScanHead(c, next, len(found))
	for _, m := range found {
		c.Writer().BulkString(m)
	}
}

// szEmptyScan replies ["0", []] (shared.emptyscan).
func szEmptyScan(c Client) { szScanHead(c, 0, 0) }

// szScanHead starts a SCAN reply: the next cursor and an array of n.
func szScanHead(c Client, next uint64, n int) {
	var tmp [20]byte
	c.Writer().ArrayLen(2)
	c.Writer().Bulk(strconv.AppendUint(tmp[:0], next, 10))
	c.Writer().ArrayLen(n)
}
