package commands

// Consumer group commands that manage groups and their pending entries:
// XGROUP, XSETID, XACK and XPENDING. XREADGROUP is in
// streams_readgroup.go, XCLAIM and XAUTOCLAIM in streams_claim.go.

import (
	"math"

	"github.com/modhost/modhost/keyspace"
)

// streamGroupCommands are the consumer group commands of the stream family.
var streamGroupCommands = []Entry{
	{Name: "xgroup", Arity: -2, Group: "stream", Since: "5.0.0", Handler: noop,
		Subs: []Entry{
			{Name: "create", Arity: -5, Flags: "write denyoom", FirstKey: 2, LastKey: 2, KeyStep: 1,
				KeySpecs: "RW insert: i2 r0,1,0",
				ACL:      "write stream slow", Group: "stream", Since: "5.0.0",
				Handler: xgroupCreateCommand},
			{Name: "setid", Arity: -5, Flags: "write", FirstKey: 2, LastKey: 2, KeyStep: 1,
				KeySpecs: "RW update: i2 r0,1,0",
				ACL:      "write stream slow", Group: "stream", Since: "5.0.0",
				Handler: xgroupSetIDCommand},
			{Name: "destroy", Arity: 4, Flags: "write", FirstKey: 2, LastKey: 2, KeyStep: 1,
				KeySpecs: "RW delete: i2 r0,1,0",
				ACL:      "write stream slow", Group: "stream", Since: "5.0.0",
				Handler: xgroupDestroyCommand},
			{Name: "createconsumer", Arity: 5, Flags: "write denyoom", FirstKey: 2, LastKey: 2, KeyStep: 1,
				KeySpecs: "RW insert: i2 r0,1,0",
				ACL:      "write stream slow", Group: "stream", Since: "6.2.0",
				Handler: xgroupCreateConsumerCommand},
			{Name: "delconsumer", Arity: 5, Flags: "write", FirstKey: 2, LastKey: 2, KeyStep: 1,
				KeySpecs: "RW delete: i2 r0,1,0",
				ACL:      "write stream slow", Group: "stream", Since: "5.0.0",
				Handler: xgroupDelConsumerCommand},
			{Name: "help", Arity: 2, Flags: "loading stale",
				ACL: "stream slow", Group: "stream", Since: "5.0.0",
				Handler: xgroupHelpCommand},
		},
	},
	{Name: "xreadgroup", Arity: -7, Flags: "write blocking movablekeys",
		KeySpecs: "RO access: kSTREAMS,4 r-1,1,2",
		ACL:      "write stream slow blocking", Group: "stream", Since: "5.0.0",
		Handler: xreadgroupCommand, GetKeys: xreadKeys},
	{Name: "xack", Arity: -4, Flags: "write fast", FirstKey: 1, LastKey: 1, KeyStep: 1,
		KeySpecs: "RW update: i1 r0,1,0",
		ACL:      "write stream fast", Group: "stream", Since: "5.0.0",
		Handler: xackCommand},
	{Name: "xclaim", Arity: -6, Flags: "write fast", FirstKey: 1, LastKey: 1, KeyStep: 1,
		KeySpecs: "RW update: i1 r0,1,0",
		Tips:     "nondeterministic_output",
		ACL:      "write stream fast", Group: "stream", Since: "5.0.0",
		Handler: xclaimCommand},
	{Name: "xautoclaim", Arity: -6, Flags: "write fast", FirstKey: 1, LastKey: 1, KeyStep: 1,
		KeySpecs: "RW delete: i1 r0,1,0",
		Tips:     "nondeterministic_output",
		ACL:      "write stream fast", Group: "stream", Since: "6.2.0",
		Handler: xautoclaimCommand},
	{Name: "xpending", Arity: -3, Flags: "readonly", FirstKey: 1, LastKey: 1, KeyStep: 1,
		KeySpecs: "RO access: i1 r0,1,0",
		Tips:     "nondeterministic_output",
		ACL:      "read stream slow", Group: "stream", Since: "5.0.0",
		Handler: xpendingCommand},
	{Name: "xsetid", Arity: -3, Flags: "write denyoom fast", FirstKey: 1, LastKey: 1, KeyStep: 1,
		KeySpecs: "RW update: i1 r0,1,0",
		ACL:      "write stream fast", Group: "stream", Since: "5.0.0",
		Handler: xsetidCommand},
}

// Consumer group error texts (Redis's wording).
const (
	msgXGroupNoKey = "ERR The XGROUP subcommand requires the key to exist. " +
		"Note that for CREATE you may want to use the MKSTREAM option to create an empty stream automatically."
	msgBusyGroup        = "BUSYGROUP Consumer Group name already exists"
	msgEntriesReadRange = "ERR value for ENTRIESREAD must be positive or -1"
)

// noGroupFor replies NOGROUP for XGROUP's and XINFO's missing group.
func noGroupFor(c Client, key, group []byte) {
	c.Error("NOGROUP No such consumer group '" + string(group) + "' for key name '" + string(key) + "'")
}

// noKeyOrGroup replies NOGROUP for a missing key or group (XPENDING,
// XCLAIM, XAUTOCLAIM).
func noKeyOrGroup(c Client, key, group []byte) {
	c.Error("NOGROUP No such key '" + string(key) + "' or consumer group '" + string(group) + "'")
}

// xgroupSyntaxError is addReplySubcommandSyntaxError for XGROUP.
func xgroupSyntaxError(c Client, a [][]byte) {
	c.Error("ERR unknown subcommand or wrong number of arguments for '" + string(a[1]) + "'. Try XGROUP HELP.")
}

// xgroupTarget is what every XGROUP subcommand resolves first, in
// xgroupCommand's order: options, key, then group.
type xgroupTarget struct {
	s           *keyspace.Stream
	g           *keyspace.ConsumerGroup
	mkstream    bool
	entriesRead int64
}

// xgroupResolve parses the CREATE/SETID options and looks the key and group
// up, replying Redis's error when one is missing (needGroup: SETID,
// CREATECONSUMER, DELCONSUMER).
func xgroupResolve(c Client, a [][]byte, needGroup bool) (*xgroupTarget, bool) {
	t := &xgroupTarget{entriesRead: keyspace.InvalidEntriesRead}
	create, setid := eqFold(a[1], "create"), eqFold(a[1], "setid")
	for i := 5; i < len(a); {
		switch {
		case create && eqFold(a[i], "mkstream"):
			t.mkstream = true
			i++
		case (create || setid) && eqFold(a[i], "entriesread") && i+1 < len(a):
			n, ok := intArg(c, a[i+1])
			if !ok {
				return nil, false
			}
			if n < 0 && n != keyspace.InvalidEntriesRead {
				c.Error(msgEntriesReadRange)
				return nil, false
			}
			t.entriesRead = n
			i += 2
		default:
			xgroupSyntaxError(c, a)
			return nil, false
		}
	}
	v, ok := lookupWrite(c, a[2], keyspace.KindStream)
	if !ok {
		return nil, false
	}
	if v != nil {
		t.s = v.(*keyspace.Stream)
	}
	if t.mkstream {
		return t, true
	}
	if t.s == nil {
		c.Error(msgXGroupNoKey)
		return nil, false
	}
	t.g = t.s.Group(a[3])
	if t.g == nil && needGroup {
		noGroupFor(c, a[2], a[3])
		return nil, false
	}
	return t, true
}

// XGROUP CREATE key group id|$ [MKSTREAM] [ENTRIESREAD n]
func xgroupCreateCommand(c Client, a [][]byte) {
	t, ok := xgroupResolve(c, a, false)
	if !ok {
		return
	}
	if len(a) > 8 {
		xgroupSyntaxError(c, a)
		return
	}
	var id keyspace.StreamID
	if string(a[4]) == "$" {
		if t.s != nil {
			id = t.s.LastID()
		}
	} else if id, ok = streamIDArg(c, a[4], 0); !ok {
		return
	}
	if t.s == nil {
		t.s = keyspace.NewStream()
		ks(c).Add(c.DBIndex(), a[2], t.s)
		ks(c).Modified(c.DBIndex(), a[2], 0, "")
		ks(c).Dirty--
	}
	if t.s.CreateGroup(a[3], id, t.entriesRead) == nil {
		c.Error(msgBusyGroup)
		return
	}
	c.OK()
	ks(c).Dirty++
	ks(c).Notify(keyspace.NotifyStream, "xgroup-create", a[2], c.DBIndex())
}

// XGROUP SETID key group id|$ [ENTRIESREAD n]
func xgroupSetIDCommand(c Client, a [][]byte) {
	t, ok := xgroupResolve(c, a, true)
	if !ok {
		return
	}
	if len(a) != 5 && len(a) != 7 {
		xgroupSyntaxError(c, a)
		return
	}
	var id keyspace.StreamID
	if string(a[4]) == "$" {
		id = t.s.LastID()
	} else {
		var parsed bool
		if id, _, parsed = parseStreamID(a[4], 0, false, false); !parsed {
			c.Error(msgStreamBadID)
			return
		}
	}
	t.g.LastID = id
	t.g.EntriesRead = t.entriesRead
	c.OK()
	ks(c).Dirty++
	ks(c).Notify(keyspace.NotifyStream, "xgroup-setid", a[2], c.DBIndex())
}

// XGROUP DESTROY key group
func xgroupDestroyCommand(c Client, a [][]byte) {
	t, ok := xgroupResolve(c, a, false)
	if !ok {
		return
	}
	if t.g == nil || !t.s.DestroyGroup(a[3]) {
		c.Writer().Int(0)
		return
	}
	c.Writer().Int(1)
	ks(c).Dirty++
	ks(c).Notify(keyspace.NotifyStream, "xgroup-destroy", a[2], c.DBIndex())
	// Clients blocked in XREADGROUP on this group get NOGROUP.
	c.SignalKeyAsReady(c.DBIndex(), a[2])
}

// XGROUP CREATECONSUMER key group consumer
func xgroupCreateConsumerCommand(c Client, a [][]byte) {
	t, ok := xgroupResolve(c, a, true)
	if !ok {
		return
	}
	if t.g.CreateConsumer(a[4], ks(c).Now()) == nil {
		c.Writer().Int(0)
		return
	}
	c.Writer().Int(1)
	ks(c).Dirty++
	ks(c).Notify(keyspace.NotifyStream, "xgroup-createconsumer", a[2], c.DBIndex())
}

// XGROUP DELCONSUMER key group consumer
func xgroupDelConsumerCommand(c Client, a [][]byte) {
	t, ok := xgroupResolve(c, a, true)
	if !ok {
		return
	}
	pending := t.g.DeleteConsumer(a[4])
	if pending < 0 {
		c.Writer().Int(0)
		return
	}
	c.Writer().Int(int64(pending))
	ks(c).Dirty++
	ks(c).Notify(keyspace.NotifyStream, "xgroup-delconsumer", a[2], c.DBIndex())
}

// XGROUP HELP
func xgroupHelpCommand(c Client, a [][]byte) {
	objectReplyHelp(c, "XGROUP", []string{
		"CREATE <key> <groupname> <id|$> [option]",
		"    Create a new consumer group. Options are:",
		"    * MKSTREAM",
		"      Create the empty stream if it does not exist.",
		"    * ENTRIESREAD entries_read",
		"      Set the group's entries_read counter (internal use).",
		"CREATECONSUMER <key> <groupname> <consumer>",
		"    Create a new consumer in the specified group.",
		"DELCONSUMER <key> <groupname> <consumer>",
		"    Remove the specified consumer.",
		"DESTROY <key> <groupname>",
		"    Remove the specified group.",
		"SETID <key> <groupname> <id|$> [ENTRIESREAD entries_read]",
		"    Set the current group ID and entries_read counter.",
	})
}

// XSETID key last-id [ENTRIESADDED n] [MAXDELETEDID id]
func xsetidCommand(c Client, a [][]byte) {
	id, ok := streamIDArg(c, a[2], 0)
	if !ok {
		return
	}
	var maxDel keyspace.StreamID
	entriesAdded := int64(-1)
	for i := 3; i < len(a); i += 2 {
		more := len(a) - 1 - i
		switch {
		case eqFold(a[i], "entriesadded") && more > 0:
			if entriesAdded, ok = intArg(c, a[i+1]); !ok {
				return
			}
			if entriesAdded < 0 {
				c.Error("ERR entries_added must be positive")
				return
			}
		case eqFold(a[i], "maxdeletedid") && more > 0:
			if maxDel, ok = streamIDArg(c, a[i+1], 0); !ok {
				return
			}
			if id.Less(maxDel) {
				c.Error("ERR The ID specified in XSETID is smaller than the provided max_deleted_entry_id")
				return
			}
		default:
			c.Error(msgSyntax)
			return
		}
	}
	v, ok := lookupWrite(c, a[1], keyspace.KindStream)
	if !ok {
		return
	}
	if v == nil {
		c.Error(msgNoSuchKey)
		return
	}
	s := v.(*keyspace.Stream)
	if id.Less(s.MaxDeletedID()) {
		c.Error("ERR The ID specified in XSETID is smaller than current max_deleted_entry_id")
		return
	}
	if last, ok := s.Last(); ok {
		if id.Less(last.ID) {
			c.Error("ERR The ID specified in XSETID is smaller than the target stream top item")
			return
		}
		if entriesAdded != -1 && int64(s.Len()) > entriesAdded {
			c.Error("ERR The entries_added specified in XSETID is smaller than the target stream length")
			return
		}
	}
	s.SetLastID(id)
	if entriesAdded != -1 {
		s.SetEntriesAdded(uint64(entriesAdded))
	}
	if maxDel != keyspace.MinStreamID {
		s.SetMaxDeletedID(maxDel)
	}
	c.OK()
	ks(c).Dirty++
	ks(c).Notify(keyspace.NotifyStream, "xsetid", a[1], c.DBIndex())
}

// XACK key group id [id ...]
func xackCommand(c Client, a [][]byte) {
	v, ok := lookupRead(c, a[1], keyspace.KindStream)
	if !ok {
		return
	}
	var g *keyspace.ConsumerGroup
	if v != nil {
		g = v.(*keyspace.Stream).Group(a[2])
	}
	if g == nil {
		c.Writer().Int(0)
		return
	}
	ids := make([]keyspace.StreamID, len(a)-3)
	for i, b := range a[3:] {
		if ids[i], ok = streamIDArg(c, b, 0); !ok {
			return
		}
	}
	acked := 0
	for _, id := range ids {
		if g.Ack(id) {
			acked++
			ks(c).Dirty++
		}
	}
	c.Writer().Int(int64(acked))
}

// XPENDING key group [[IDLE min-idle] start end count [consumer]]
func xpendingCommand(c Client, a [][]byte) {
	if len(a) != 3 && (len(a) < 6 || len(a) > 9) {
		c.Error(msgSyntax)
		return
	}
	var start, end keyspace.StreamID
	var count, minIdle int64
	var consumer []byte
	ok := true
	if len(a) >= 6 {
		at := 3
		if eqFold(a[3], "idle") {
			if minIdle, ok = intArg(c, a[4]); !ok {
				return
			}
			if len(a) < 8 {
				c.Error(msgSyntax)
				return
			}
			at += 2
		}
		if count, ok = intArg(c, a[at+2]); !ok {
			return
		}
		count = max(count, 0)
		if start, ok = intervalStart(c, a[at]); !ok {
			return
		}
		if end, ok = intervalEnd(c, a[at+1]); !ok {
			return
		}
		if at+3 < len(a) {
			consumer = a[at+3]
		}
	}
	v, ok := lookupRead(c, a[1], keyspace.KindStream)
	if !ok {
		return
	}
	var g *keyspace.ConsumerGroup
	if v != nil {
		g = v.(*keyspace.Stream).Group(a[2])
	}
	if g == nil {
		noKeyOrGroup(c, a[1], a[2])
		return
	}
	if len(a) == 3 {
		xpendingSummary(c, g)
		return
	}
	pel := g.PEL
	if consumer != nil {
		cons := g.Consumer(consumer)
		if cons == nil {
			c.Writer().ArrayLen(0)
			return
		}
		pel = cons.PEL
	}
	now := ks(c).Now()
	w := c.Writer()
	mark := w.DeferLen()
	n := 0
	if count > 0 {
		pel.Ascend(start, func(id keyspace.StreamID, nack *keyspace.StreamNACK) bool {
			if end.Less(id) {
				return false
			}
			if minIdle != 0 && now-nack.DeliveryTime < minIdle {
				return true
			}
			w.ArrayLen(4)
			writeStreamID(c, id)
			w.BulkString(nack.Consumer.Name)
			w.Int(max(now-nack.DeliveryTime, 0))
			w.Int(int64(nack.DeliveryCount))
			n++
			return int64(n) < count
		})
	}
	w.SetDeferredArrayLen(mark, n)
}

// xpendingSummary replies XPENDING's short form: the count, the smallest
// and largest pending IDs, and each consumer with entries pending.
func xpendingSummary(c Client, g *keyspace.ConsumerGroup) {
	w := c.Writer()
	w.ArrayLen(4)
	w.Int(int64(g.PEL.Len()))
	first, ok := g.PEL.First()
	if !ok {
		w.NullBulk()
		w.NullBulk()
		w.NullArray()
		return
	}
	last, _ := g.PEL.Last()
	writeStreamID(c, first)
	writeStreamID(c, last)
	mark := w.DeferLen()
	n := 0
	for _, cons := range g.Consumers() {
		if cons.PEL.Len() == 0 {
			continue
		}
		w.ArrayLen(2)
		w.BulkString(cons.Name)
		w.BulkInt(int64(cons.PEL.Len()))
		n++
	}
	w.SetDeferredArrayLen(mark, n)
}

// intervalStart parses an inclusive or "(" exclusive range start.
func intervalStart(c Client, b []byte) (keyspace.StreamID, bool) {
	id, excl, ok := parseIntervalID(c, b, 0)
	if ok && excl {
		if id, ok = id.Next(); !ok {
			c.Error("ERR invalid start ID for the interval")
		}
	}
	return id, ok
}

// intervalEnd parses an inclusive or "(" exclusive range end.
func intervalEnd(c Client, b []byte) (keyspace.StreamID, bool) {
	id, excl, ok := parseIntervalID(c, b, math.MaxUint64)
	if ok && excl {
		if id, ok = id.Prev(); !ok {
			c.Error("ERR invalid end ID for the interval")
		}
	}
	return id, ok
}
