package commands

// List commands (https://redis.io/commands/?group=list): the non-blocking
// half. The blocking commands (BLPOP, BRPOP, BLMOVE, BLMPOP, BRPOPLPUSH)
// live in lists_blocking.go and share the pop and move helpers below.

import (
	"fmt"
	"math"

	"github.com/modhost/modhost/keyspace"
)

// Error texts of the list commands (Redis's wording).
const (
	msgListRankZero  = "ERR RANK can't be zero: use 1 to start from the first match, 2 from the second ... or use negative to start from the end of the list"
	msgListCountNeg  = "ERR COUNT can't be negative"
	msgListMaxlenNeg = "ERR MAXLEN can't be negative"
	msgListNumkeys   = "ERR numkeys should be greater than 0"
	msgListCountPos  = "ERR count should be greater than 0"
	msgListLongRange = "ERR value is out of range, value must between -9223372036854775807 and 9223372036854775807"
)

// listCommands are the list family (t_list.c).
var listCommands = []Entry{
	{Name: "lpush", Arity: -3, Flags: "write denyoom fast", FirstKey: 1, LastKey: 1, KeyStep: 1,
		KeySpecs: "RW insert: i1 r0,1,0",
		ACL:      "write list fast", Group: "list", Since: "1.0.0",
		Handler: lpushCommand},
	{Name: "rpush", Arity: -3, Flags: "write denyoom fast", FirstKey: 1, LastKey: 1, KeyStep: 1,
		KeySpecs: "RW insert: i1 r0,1,0",
		ACL:      "write list fast", Group: "list", Since: "1.0.0",
		Handler: rpushCommand},
	{Name: "lpushx", Arity: -3, Flags: "write denyoom fast", FirstKey: 1, LastKey: 1, KeyStep: 1,
		KeySpecs: "RW insert: i1 r0,1,0",
		ACL:      "write list fast", Group: "list", Since: "2.2.0",
		Handler: lpushxCommand},
	{Name: "rpushx", Arity: -3, Flags: "write denyoom fast", FirstKey: 1, LastKey: 1, KeyStep: 1,
		KeySpecs: "RW insert: i1 r0,1,0",
		ACL:      "write list fast", Group: "list", Since: "2.2.0",
		Handler: rpushxCommand},
	{Name: "lpop", Arity: -2, Flags: "write fast", FirstKey: 1, LastKey: 1, KeyStep: 1,
		KeySpecs: "RW access delete: i1 r0,1,0",
		ACL:      "write list fast", Group: "list", Since: "1.0.0",
		Handler: lpopCommand},
	{Name: "rpop", Arity: -2, Flags: "write fast", FirstKey: 1, LastKey: 1, KeyStep: 1,
		KeySpecs: "RW access delete: i1 r0,1,0",
		ACL:      "write list fast", Group: "list", Since: "1.0.0",
		Handler: rpopCommand},
	{Name: "llen", Arity: 2, Flags: "readonly fast", FirstKey: 1, LastKey: 1, KeyStep: 1,
		KeySpecs: "RO: i1 r0,1,0",
		ACL:      "read list fast", Group: "list", Since: "1.0.0",
		Handler: llenCommand},
	{Name: "lrange", Arity: 4, Flags: "readonly", FirstKey: 1, LastKey: 1, KeyStep: 1,
		KeySpecs: "RO access: i1 r0,1,0",
		ACL:      "read list slow", Group: "list", Since: "1.0.0",
		Handler: lrangeCommand},
	{Name: "lindex", Arity: 3, Flags: "readonly", FirstKey: 1, LastKey: 1, KeyStep: 1,
		KeySpecs: "RO access: i1 r0,1,0",
		ACL:      "read list slow", Group: "list", Since: "1.0.0",
		Handler: lindexCommand},
	{Name: "lset", Arity: 4, Flags: "write denyoom", FirstKey: 1, LastKey: 1, KeyStep: 1,
		KeySpecs: "RW update: i1 r0,1,0",
		ACL:      "write list slow", Group: "list", Since: "1.0.0",
		Handler: lsetCommand},
	{Name: "linsert", Arity: 5, Flags: "write denyoom", FirstKey: 1, LastKey: 1, KeyStep: 1,
		KeySpecs: "RW insert: i1 r0,1,0",
		ACL:      "write list slow", Group: "list", Since: "2.2.0",
		Handler: linsertCommand},
	{Name: "lrem", Arity: 4, Flags: "write", FirstKey: 1, LastKey: 1, KeyStep: 1,
		KeySpecs: "RW delete: i1 r0,1,0",
		ACL:      "write list slow", Group: "list", Since: "1.0.0",
		Handler: lremCommand},
	{Name: "ltrim", Arity: 4, Flags: "write", FirstKey: 1, LastKey: 1, KeyStep: 1,
		KeySpecs: "RW delete: i1 r0,1,0",
		ACL:      "write list slow", Group: "list", Since: "1.0.0",
		Handler: ltrimCommand},
	{Name: "lpos", Arity: -3, Flags: "readonly", FirstKey: 1, LastKey: 1, KeyStep: 1,
		KeySpecs: "RO access: i1 r0,1,0",
		ACL:      "read list slow", Group: "list", Since: "6.0.6",
		Handler: lposCommand},
	{Name: "lmove", Arity: 5, Flags: "write denyoom", FirstKey: 1, LastKey: 2, KeyStep: 1,
		KeySpecs: "RW access delete: i1 r0,1,0 | RW insert: i2 r0,1,0",
		ACL:      "write list slow", Group: "list", Since: "6.2.0",
		Handler: lmoveCommand},
	{Name: "rpoplpush", Arity: 3, Flags: "write denyoom", FirstKey: 1, LastKey: 2, KeyStep: 1,
		KeySpecs: "RW access delete: i1 r0,1,0 | RW insert: i2 r0,1,0",
		ACL:      "write list slow", Group: "list", Since: "1.2.0",
		Handler: rpoplpushCommand},
	{Name: "lmpop", Arity: -4, Flags: "write movablekeys",
		KeySpecs: "RW access delete: i1 n0,1,1",
		ACL:      "write list slow", Group: "list", Since: "7.0.0",
		Handler: lmpopCommand, GetKeys: listNumkeysKeys(1)},
}

// listNumkeysKeys returns a GetKeys function for commands whose argument at
// position idx is the number of keys that follow it (LMPOP, BLMPOP).
func listNumkeysKeys(idx int) GetKeysFunc {
	return func(args [][]byte) []int {
		if idx >= len(args) {
			return nil
		}
		n, ok := parseInt(args[idx])
		if !ok || n < 1 || n > int64(len(args)-idx-1) {
			return nil
		}
		out := make([]int, n)
		for i := range out {
			out[i] = idx + 1 + i
		}
		return out
	}
}

// listArityErr answers Redis's arity error for a command that checks part of
// its arity itself (HSET pairs, LPOP's count).
func listArityErr(c Client, name string) {
	c.Error(fmt.Sprintf("ERR wrong number of arguments for '%s' command", name))
}

// listRangeArg parses an integer that Redis reads with
// getRangeLongFromObjectOrReply(-LONG_MAX, LONG_MAX) and no custom message.
func listRangeArg(c Client, b []byte) (int64, bool) {
	v, ok := intArg(c, b)
	if !ok {
		return 0, false
	}
	if v == math.MinInt64 {
		c.Error(msgListLongRange)
		return 0, false
	}
	return v, true
}

// listPositiveArg parses a non-negative integer as Redis's
// getPositiveLongFromObjectOrReply: one message (msg, or "must be positive"
// when msg is empty) answers both a non-integer and a negative value.
func listPositiveArg(c Client, b []byte, msg string) (int64, bool) {
	v, ok := parseInt(b)
	if !ok || v < 0 {
		if msg == "" {
			msg = msgMustBePos
		}
		c.Error(msg)
		return 0, false
	}
	return v, true
}

// listWhereArg parses LEFT or RIGHT; true means LEFT (the head).
func listWhereArg(c Client, b []byte) (left, ok bool) {
	switch {
	case eqFold(b, "left"):
		return true, true
	case eqFold(b, "right"):
		return false, true
	}
	c.Error(msgSyntax)
	return false, false
}

func lpushCommand(c Client, a [][]byte)  { listPush(c, a, true, false) }
func rpushCommand(c Client, a [][]byte)  { listPush(c, a, false, false) }
func lpushxCommand(c Client, a [][]byte) { listPush(c, a, true, true) }
func rpushxCommand(c Client, a [][]byte) { listPush(c, a, false, true) }

// listPush implements LPUSH/RPUSH and, with xx, LPUSHX/RPUSHX.
func listPush(c Client, a [][]byte, head, xx bool) {
	key := a[1]
	v, ok := lookupWrite(c, key, keyspace.KindList)
	if !ok {
		return
	}
	var l *keyspace.List
	if v == nil {
		if xx {
			c.Writer().Int(0)
			return
		}
		l = ks(c).NewList()
		ks(c).Add(c.DBIndex(), key, l)
	} else {
		// No ready signal: as in Redis, only creating the key (Add) wakes
		// clients; a push to an existing list wakes nobody (a module
		// client blocked on a non-empty list waits for its own signal).
		l = v.(*keyspace.List)
	}
	for _, e := range a[2:] {
		if head {
			l.PushFront(e)
		} else {
			l.PushBack(e)
		}
	}
	c.Writer().Int(int64(l.Len()))
	event := "rpush"
	if head {
		event = "lpush"
	}
	ks(c).Modified(c.DBIndex(), key, keyspace.NotifyList, event)
	ks(c).Dirty += int64(len(a) - 3)
}

// listRemoved is Redis's listElementsRemoved: the pop event, then "del" if
// the list is now empty, after n elements were popped from key.
func listRemoved(c Client, key []byte, l *keyspace.List, head bool, n int) {
	event := "rpop"
	if head {
		event = "lpop"
	}
	k := ks(c)
	k.Modified(c.DBIndex(), key, keyspace.NotifyList, event)
	k.Dirty += int64(n - 1)
	if l.Len() == 0 {
		k.Delete(c.DBIndex(), key)
		k.Notify(keyspace.NotifyGeneric, "del", key, c.DBIndex())
	}
}

// listPopOne removes one element from the head or the tail.
func listPopOne(l *keyspace.List, head bool) []byte {
	if head {
		b, _ := l.PopFront()
		return b
	}
	b, _ := l.PopBack()
	return b
}

// listPopReply pops up to count elements and writes them as an array, in
// pop order, then fires the notifications.
func listPopReply(c Client, key []byte, l *keyspace.List, head bool, count int64) {
	n := int(min(count, int64(l.Len())))
	c.Writer().ArrayLen(n)
	for i := 0; i < n; i++ {
		c.Writer().Bulk(listPopOne(l, head))
	}
	listRemoved(c, key, l, head, n)
}

func lpopCommand(c Client, a [][]byte) { listPop(c, a, true) }
func rpopCommand(c Client, a [][]byte) { listPop(c, a, false) }

// listPop implements LPOP and RPOP with the optional count.
func listPop(c Client, a [][]byte, head bool) {
	if len(a) > 3 {
		listArityErr(c, listCmdName(head, "pop"))
		return
	}
	hasCount := len(a) == 3
	var count int64
	if hasCount {
		var ok bool
		if count, ok = listPositiveArg(c, a[2], ""); !ok {
			return
		}
	}
	v, ok := lookupWrite(c, a[1], keyspace.KindList)
	if !ok {
		return
	}
	if v == nil {
		if hasCount {
			c.Writer().NullArray()
		} else {
			c.Writer().NullBulk()
		}
		return
	}
	l := v.(*keyspace.List)
	switch {
	case hasCount && count == 0:
		c.Writer().ArrayLen(0)
	case hasCount:
		listPopReply(c, a[1], l, head, count)
	default:
		c.Writer().Bulk(listPopOne(l, head))
		listRemoved(c, a[1], l, head, 1)
	}
}

// listCmdName returns "l"+op or "r"+op.
func listCmdName(head bool, op string) string {
	if head {
		return "l" + op
	}
	return "r" + op
}

func llenCommand(c Client, a [][]byte) {
	v, ok := lookupRead(c, a[1], keyspace.KindList)
	if !ok {
		return
	}
	if v == nil {
		c.Writer().Int(0)
		return
	}
	c.Writer().Int(int64(v.(*keyspace.List).Len()))
}

// listBounds clamps an inclusive start/stop pair (negative from the tail)
// against a list of n elements; ok is false for an empty range.
func listBounds(start, stop int64, n int) (int64, int64, bool) {
	ln := int64(n)
	if start < 0 {
		start += ln
	}
	if stop < 0 {
		stop += ln
	}
	if start < 0 {
		start = 0
	}
	if start > stop || start >= ln {
		return 0, 0, false
	}
	if stop >= ln {
		stop = ln - 1
	}
	return start, stop, true
}

func lrangeCommand(c Client, a [][]byte) {
	start, ok := intArg(c, a[2])
	if !ok {
		return
	}
	stop, ok := intArg(c, a[3])
	if !ok {
		return
	}
	v, ok := lookupRead(c, a[1], keyspace.KindList)
	if !ok {
		return
	}
	if v == nil {
		c.Writer().ArrayLen(0)
		return
	}
	l := v.(*keyspace.List)
	s, e, ok := listBounds(start, stop, l.Len())
	if !ok {
		c.Writer().ArrayLen(0)
		return
	}
	c.Writer().ArrayLen(int(e - s + 1))
	w := c.Writer()
	l.Range(s, e, func(b []byte) bool {
		w.Bulk(b)
		return true
	})
}

func lindexCommand(c Client, a [][]byte) {
	v, ok := lookupRead(c, a[1], keyspace.KindList)
	if !ok {
		return
	}
	if v == nil {
		c.Writer().NullBulk()
		return
	}
	idx, ok := intArg(c, a[2])
	if !ok {
		return
	}
	if b, ok := v.(*keyspace.List).Index(idx); ok {
		c.Writer().Bulk(b)
		return
	}
	c.Writer().NullBulk()
}

func lsetCommand(c Client, a [][]byte) {
	v, ok := lookupWrite(c, a[1], keyspace.KindList)
	if !ok {
		return
	}
	if v == nil {
		c.Error(msgNoSuchKey)
		return
	}
	idx, ok := intArg(c, a[2])
	if !ok {
		return
	}
	if !v.(*keyspace.List).Set(idx, a[3]) {
		c.Error(msgOutOfRange)
		return
	}
	c.OK()
	ks(c).Modified(c.DBIndex(), a[1], keyspace.NotifyList, "lset")
}

func linsertCommand(c Client, a [][]byte) {
	var after bool
	switch {
	case eqFold(a[2], "after"):
		after = true
	case eqFold(a[2], "before"):
	default:
		c.Error(msgSyntax)
		return
	}
	v, ok := lookupWrite(c, a[1], keyspace.KindList)
	if !ok {
		return
	}
	if v == nil {
		c.Writer().Int(0)
		return
	}
	n := v.(*keyspace.List).Insert(a[3], a[4], after)
	if n < 0 {
		c.Writer().Int(-1)
		return
	}
	ks(c).Modified(c.DBIndex(), a[1], keyspace.NotifyList, "linsert")
	c.Writer().Int(int64(n))
}

func lremCommand(c Client, a [][]byte) {
	count, ok := listRangeArg(c, a[2])
	if !ok {
		return
	}
	v, ok := lookupWrite(c, a[1], keyspace.KindList)
	if !ok {
		return
	}
	if v == nil {
		c.Writer().Int(0)
		return
	}
	l := v.(*keyspace.List)
	removed := l.Remove(count, a[3])
	if removed > 0 {
		k := ks(c)
		k.Modified(c.DBIndex(), a[1], keyspace.NotifyList, "lrem")
		k.Dirty += int64(removed - 1)
		if l.Len() == 0 {
			k.Delete(c.DBIndex(), a[1])
			k.Notify(keyspace.NotifyGeneric, "del", a[1], c.DBIndex())
		}
	}
	c.Writer().Int(int64(removed))
}

func ltrimCommand(c Client, a [][]byte) {
	start, ok := intArg(c, a[2])
	if !ok {
		return
	}
	stop, ok := intArg(c, a[3])
	if !ok {
		return
	}
	v, ok := lookupWrite(c, a[1], keyspace.KindList)
	if !ok {
		return
	}
	if v == nil {
		c.OK()
		return
	}
	l := v.(*keyspace.List)
	before := l.Len()
	l.Trim(start, stop)
	k := ks(c)
	k.Modified(c.DBIndex(), a[1], keyspace.NotifyList, "ltrim")
	k.Dirty += int64(before - l.Len() - 1)
	if l.Len() == 0 {
		k.Delete(c.DBIndex(), a[1])
		k.Notify(keyspace.NotifyGeneric, "del", a[1], c.DBIndex())
	}
	c.OK()
}

// lposOptions are LPOS's parsed options; count is -1 when COUNT is absent.
type lposOptions struct {
	rank, count, maxlen int64
}

// parseLposOptions reads RANK, COUNT and MAXLEN, replying on error.
func parseLposOptions(c Client, a [][]byte) (lposOptions, bool) {
	o := lposOptions{rank: 1, count: -1}
	for j := 3; j < len(a); j++ {
		more := j < len(a)-1
		var ok bool
		switch {
		case eqFold(a[j], "rank") && more:
			j++
			if o.rank, ok = listRangeArg(c, a[j]); !ok {
				return o, false
			}
			if o.rank == 0 {
				c.Error(msgListRankZero)
				return o, false
			}
		case eqFold(a[j], "count") && more:
			j++
			if o.count, ok = listPositiveArg(c, a[j], msgListCountNeg); !ok {
				return o, false
			}
		case eqFold(a[j], "maxlen") && more:
			j++
			if o.maxlen, ok = listPositiveArg(c, a[j], msgListMaxlenNeg); !ok {
				return o, false
			}
		default:
			c.Error(msgSyntax)
			return o, false
		}
	}
	return o, true
}

func lposCommand(c Client, a [][]byte) {
	o, ok := parseLposOptions(c, a)
	if !ok {
		return
	}
	v, ok := lookupRead(c, a[1], keyspace.KindList)
	if !ok {
		return
	}
	if v == nil {
		if o.count != -1 {
			c.Writer().ArrayLen(0)
		} else {
			c.Writer().NullBulk()
		}
		return
	}
	reverse := o.rank < 0
	rank := o.rank
	if reverse {
		rank = -rank
	}
	mark := -1
	if o.count != -1 {
		mark = c.Writer().DeferLen()
	}
	var matches, found, scanned int64
	last := int64(-1)
	want := a[2]
	w := c.Writer()
	v.(*keyspace.List).Each(reverse, func(i int, b []byte) bool {
		if o.maxlen != 0 && scanned >= o.maxlen {
			return false
		}
		scanned++
		if string(b) != string(want) {
			return true
		}
		matches++
		if matches < rank {
			return true
		}
		if mark < 0 {
			last = int64(i)
			return false
		}
		found++
		w.Int(int64(i))
		return o.count == 0 || found < o.count
	})
	if mark >= 0 {
		c.Writer().SetDeferredArrayLen(mark, int(found))
		return
	}
	if last < 0 {
		c.Writer().NullBulk()
		return
	}
	c.Writer().Int(last)
}

func lmoveCommand(c Client, a [][]byte) {
	from, ok := listWhereArg(c, a[3])
	if !ok {
		return
	}
	to, ok := listWhereArg(c, a[4])
	if !ok {
		return
	}
	listMove(c, a[1], a[2], from, to)
}

func rpoplpushCommand(c Client, a [][]byte) { listMove(c, a[1], a[2], false, true) }

// listMove is Redis's lmoveGenericCommand: pop from src (head when from),
// push to dst (head when to), reply with the element or a null.
func listMove(c Client, src, dst []byte, from, to bool) {
	v, ok := lookupWrite(c, src, keyspace.KindList)
	if !ok {
		return
	}
	if v == nil || v.(*keyspace.List).Len() == 0 {
		c.Writer().NullBulk()
		return
	}
	sl := v.(*keyspace.List)
	dv, ok := lookupWrite(c, dst, keyspace.KindList)
	if !ok {
		return
	}
	val := listPopOne(sl, from)
	k := ks(c)
	var dl *keyspace.List
	if dv == nil {
		dl = k.NewList()
		k.Add(c.DBIndex(), dst, dl)
	} else {
		dl = dv.(*keyspace.List) // existing: no ready signal, as in Redis
	}
	event := "rpush"
	if to {
		dl.PushFront(val)
		event = "lpush"
	} else {
		dl.PushBack(val)
	}
	k.Modified(c.DBIndex(), dst, keyspace.NotifyList, event)
	c.Writer().Bulk(val)
	listRemoved(c, src, sl, from, 1)
}

// listMpopArgs are the parsed arguments of LMPOP and BLMPOP.
type listMpopArgs struct {
	keys  [][]byte
	head  bool
	count int64
}

// parseListMpop parses "numkeys key... LEFT|RIGHT [COUNT n]" starting at
// a[idx], replying on error.
func parseListMpop(c Client, a [][]byte, idx int) (listMpopArgs, bool) {
	var m listMpopArgs
	n, ok := parseInt(a[idx])
	if !ok || n < 1 {
		c.Error(msgListNumkeys)
		return m, false
	}
	if n >= int64(len(a)-idx-1) {
		c.Error(msgSyntax)
		return m, false
	}
	whereIdx := idx + int(n) + 1
	m.keys = a[idx+1 : whereIdx]
	if m.head, ok = listWhereArg(c, a[whereIdx]); !ok {
		return m, false
	}
	m.count = -1
	for j := whereIdx + 1; j < len(a); j++ {
		if m.count == -1 && eqFold(a[j], "count") && j < len(a)-1 {
			j++
			if m.count, ok = parseInt(a[j]); !ok || m.count < 1 {
				c.Error(msgListCountPos)
				return m, false
			}
			continue
		}
		c.Error(msgSyntax)
		return m, false
	}
	if m.count == -1 {
		m.count = 1
	}
	return m, true
}

func lmpopCommand(c Client, a [][]byte) {
	m, ok := parseListMpop(c, a, 1)
	if !ok {
		return
	}
	if !listTryPop(c, m.keys, m.head, m.count) {
		c.Writer().NullArray()
	}
}

// listTryPop pops from the first non-empty list among keys, replying
// [key, element] when count is -1 (BLPOP) or [key, [elements...]]
// otherwise (LMPOP). It reports whether it wrote a reply: a WRONGTYPE error
// on the first key of another type also counts.
func listTryPop(c Client, keys [][]byte, head bool, count int64) bool {
	for _, key := range keys {
		v, ok := lookupWrite(c, key, keyspace.KindList)
		if !ok {
			return true
		}
		if v == nil {
			continue
		}
		l := v.(*keyspace.List)
		if l.Len() == 0 {
			continue
		}
		c.Writer().ArrayLen(2)
		c.Writer().Bulk(key)
		if count == -1 {
			c.Writer().Bulk(listPopOne(l, head))
			listRemoved(c, key, l, head, 1)
		} else {
			listPopReply(c, key, l, head, count)
		}
		return true
	}
	return false
}
