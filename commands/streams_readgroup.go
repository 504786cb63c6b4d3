package commands

// XREADGROUP: reading a stream through a consumer group, with BLOCK. A
// blocked XREADGROUP is run again whenever one of its keys is signalled
// (new entries, XGROUP DESTROY, deletion, a module's SignalKeyAsReady), as
// Redis 7.2 reprocesses the command: it then replies the new entries, or an
// error when the key or group is gone, or keeps waiting.

import (
	"math"
	"time"

	"github.com/modhost/modhost/keyspace"
)

// xreadGroupArgs are the parsed options of XREADGROUP (the IDs are parsed
// on each run, after the key lookups, as Redis does).
type xreadGroupArgs struct {
	block      time.Duration
	blocks     bool
	count      int
	noack      bool
	group      []byte
	consumer   []byte
	groupArg   int // index of the group name argument
	streamsArg int
	nkeys      int
}

// parseXReadGroupOptions parses the options before the keys as Redis's
// xreadCommand does for XREADGROUP, or replies an error.
func parseXReadGroupOptions(c Client, a [][]byte) (*xreadGroupArgs, bool) {
	x := &xreadGroupArgs{}
	for i := 1; i < len(a) && x.streamsArg == 0; i++ {
		more := len(a) - i - 1
		switch {
		case eqFold(a[i], "block") && more > 0:
			i++
			ms, ok := keyspace.ParseInt(a[i])
			if !ok {
				c.Error("ERR timeout is not an integer or out of range")
				return nil, false
			}
			if ms < 0 {
				c.Error(msgTimeoutNeg)
				return nil, false
			}
			if ms > math.MaxInt64-time.Now().UnixMilli() {
				c.Error("ERR timeout is out of range")
				return nil, false
			}
			x.blocks, x.block = true, time.Duration(min(ms, math.MaxInt64/int64(time.Millisecond)))*time.Millisecond
		case eqFold(a[i], "count") && more > 0:
			i++
			n, ok := intArg(c, a[i])
			if !ok {
				return nil, false
			}
			x.count = int(min(max(n, 0), math.MaxInt32))
		case eqFold(a[i], "streams") && more > 0:
			x.streamsArg = i + 1
			if (len(a)-x.streamsArg)%2 != 0 {
				c.Error("ERR Unbalanced XREAD list of streams: for each stream key an ID or '$' must be specified.")
				return nil, false
			}
		case eqFold(a[i], "group") && more >= 2:
			x.group, x.consumer, x.groupArg = a[i+1], a[i+2], i+1
			i += 2
		case eqFold(a[i], "noack"):
			x.noack = true
		default:
			c.Error(msgSyntax)
			return nil, false
		}
	}
	if x.streamsArg == 0 {
		c.Error(msgSyntax)
		return nil, false
	}
	if x.group == nil {
		c.Error("ERR Missing GROUP option for XREADGROUP")
		return nil, false
	}
	x.nkeys = (len(a) - x.streamsArg) / 2
	return x, true
}

// XREADGROUP GROUP group consumer [COUNT count] [BLOCK ms] [NOACK] STREAMS key [key ...] id [id ...]
func xreadgroupCommand(c Client, a [][]byte) {
	x, ok := parseXReadGroupOptions(c, a)
	if !ok {
		return
	}
	if runXReadGroup(c, a, x, false) {
		return
	}
	if !x.blocks || !c.CanBlock() {
		c.Writer().NullArray()
		return
	}
	args := make([][]byte, len(a))
	for i, b := range a {
		args[i] = append([]byte(nil), b...)
	}
	x.group, x.consumer = args[x.groupArg], args[x.groupArg+1]
	c.BlockOnKeys(args[x.streamsArg:x.streamsArg+x.nkeys], x.block,
		func(c Client, _ []byte) bool { return runXReadGroup(c, args, x, true) },
		func(c Client) { c.Writer().NullArray() })
}

// xreadGroupTarget is one key of an XREADGROUP run.
type xreadGroupTarget struct {
	s       *keyspace.Stream
	g       *keyspace.ConsumerGroup
	id      keyspace.StreamID // ">" is MaxStreamID, as in Redis
	history bool
}

// runXReadGroup looks the keys and groups up, parses the IDs and serves
// what it can, as Redis's xreadCommand. It reports whether it replied
// (entries or an error); when it did not, the caller blocks or replies
// null. reprocess marks a run for a blocked client.
func runXReadGroup(c Client, a [][]byte, x *xreadGroupArgs, reprocess bool) bool {
	keys := a[x.streamsArg : x.streamsArg+x.nkeys]
	targets := make([]xreadGroupTarget, x.nkeys)
	for j, idArg := range a[x.streamsArg+x.nkeys:] {
		v, ok := lookupRead(c, keys[j], keyspace.KindStream)
		if !ok {
			return true
		}
		t := &targets[j]
		if v != nil {
			t.s = v.(*keyspace.Stream)
			t.g = t.s.Group(x.group)
		}
		if t.g == nil {
			c.Error("NOGROUP No such key '" + string(keys[j]) + "' or consumer group '" + string(x.group) +
				"' in XREADGROUP with GROUP option")
			return true
		}
		switch string(idArg) {
		case "$":
			c.Error("ERR The $ ID is meaningless in the context of XREADGROUP: you want to read the history of " +
				"this consumer by specifying a proper ID, or use the > ID to get new messages. The $ ID would " +
				"just return an empty result set.")
			return true
		case ">":
			t.id = keyspace.MaxStreamID
			continue
		}
		if t.id, ok = streamIDArg(c, idArg, 0); !ok {
			return true
		}
	}
	now := ks(c).Now()
	w := c.Writer()
	mark, served := 0, 0
	for j, key := range keys {
		t := &targets[j]
		serve := false
		gt := t.id
		if t.id != keyspace.MaxStreamID {
			serve, t.history = true, true
		} else if last, ok := t.s.Last(); ok && t.g.LastID.Less(last.ID) {
			serve, gt = true, t.g.LastID
		}
		cons := t.g.Consumer(x.consumer)
		if cons == nil {
			cons = t.g.CreateConsumer(x.consumer, now)
			ks(c).Dirty++
			ks(c).Notify(keyspace.NotifyStream, "xgroup-createconsumer", key, c.DBIndex())
		}
		cons.SeenTime = now
		if !serve {
			continue
		}
		if served == 0 {
			mark = w.DeferLen()
		}
		served++
		if c.Proto() == 2 {
			w.ArrayLen(2)
		}
		w.Bulk(key)
		start, _ := gt.Next()
		if t.history {
			writeConsumerHistory(c, t.s, cons, start, x.count, now)
		} else {
			deliverNewEntries(c, t.s, t.g, cons, start, x.count, x.noack, now)
		}
		ks(c).Dirty++
	}
	if served == 0 {
		return false
	}
	if c.Proto() == 2 {
		w.SetDeferredArrayLen(mark, served)
	} else {
		w.SetDeferredMapLen(mark, served)
	}
	return true
}

// deliverNewEntries replies the entries from start on (at most count, 0:
// all), advancing the group and, unless noack, adding them to the PELs.
func deliverNewEntries(c Client, s *keyspace.Stream, g *keyspace.ConsumerGroup, cons *keyspace.StreamConsumer,
	start keyspace.StreamID, count int, noack bool, now int64) {
	if count == 0 {
		count = -1
	}
	var delivered []keyspace.StreamID
	mark := c.Writer().DeferLen()
	n := 0
	s.Range(start, keyspace.MaxStreamID, false, count, func(e keyspace.StreamEntry) bool {
		delivered = append(delivered, e.ID)
		writeStreamEntry(c, e)
		n++
		return true
	})
	c.Writer().SetDeferredArrayLen(mark, n)
	for _, id := range delivered {
		s.AdvanceGroup(g, id)
		if !noack {
			g.Deliver(id, cons, now)
			cons.ActiveTime = now
		}
	}
}

// writeConsumerHistory replies the consumer's pending entries from start on
// (at most count, 0: all); an entry deleted from the stream is [id, nil].
// Each entry served counts as a new delivery.
func writeConsumerHistory(c Client, s *keyspace.Stream, cons *keyspace.StreamConsumer, start keyspace.StreamID, count int, now int64) {
	w := c.Writer()
	mark := w.DeferLen()
	n := 0
	cons.PEL.Ascend(start, func(id keyspace.StreamID, nack *keyspace.StreamNACK) bool {
		if count > 0 && n >= count {
			return false
		}
		if e, ok := s.Get(id); ok {
			writeStreamEntry(c, e)
			nack.DeliveryTime = now
			nack.DeliveryCount++
		} else {
			w.ArrayLen(2)
			writeStreamID(c, id)
			w.NullArray()
		}
		n++
		return true
	})
	w.SetDeferredArrayLen(mark, n)
}
