package commands

// XINFO: STREAM (with FULL), GROUPS, CONSUMERS and HELP, with the fields
// Redis 7.2 prints (7.0 lacks the consumers' active-time and inactive).

import (
	"math"

	"github.com/modhost/modhost/keyspace"
)

// xinfoStream looks up the stream of an XINFO subcommand, replying "no such
// key" or WRONGTYPE.
func xinfoStream(c Client, key []byte) (*keyspace.Stream, bool) {
	v := ks(c).LookupRead(c.DBIndex(), key, 0)
	if v == nil {
		c.Error(msgNoSuchKey)
		return nil, false
	}
	s, ok := v.(*keyspace.Stream)
	if !ok {
		c.Error(msgWrongType)
	}
	return s, ok
}

// XINFO STREAM key [FULL [COUNT count]]
func xinfoStreamCommand(c Client, a [][]byte) {
	s, ok := xinfoStream(c, a[2])
	if !ok {
		return
	}
	full, count := false, int64(10)
	if opts := a[3:]; len(opts) > 0 {
		if len(opts) != 1 && len(opts) != 3 || !eqFold(opts[0], "full") || len(opts) == 3 && !eqFold(opts[1], "count") {
			c.Error("ERR unknown subcommand or wrong number of arguments for '" + string(a[1]) + "'. Try XINFO HELP.")
			return
		}
		full = true
		if len(opts) == 3 {
			if count, ok = intArg(c, opts[2]); !ok {
				return
			}
			if count < 0 {
				count = 10
			}
		}
	}
	if full {
		c.Writer().MapLen(9)
	} else {
		c.Writer().MapLen(10)
	}
	nodes := streamNodeIDs(s)
	c.Writer().BulkString("length")
	c.Writer().Int(int64(s.Len()))
	c.Writer().BulkString("radix-tree-keys")
	c.Writer().Int(int64(len(nodes)))
	c.Writer().BulkString("radix-tree-nodes")
	c.Writer().Int(int64(raxNodeCount(nodes)))
	c.Writer().BulkString("last-generated-id")
	writeStreamID(c, s.LastID())
	c.Writer().BulkString("max-deleted-entry-id")
	writeStreamID(c, s.MaxDeletedID())
	c.Writer().BulkString("entries-added")
	c.Writer().Int(int64(s.EntriesAdded()))
	c.Writer().BulkString("recorded-first-entry-id")
	first, _ := s.First()
	writeStreamID(c, first.ID)
	if full {
		c.Writer().BulkString("entries")
		n := int(min(count, math.MaxInt32))
		if n == 0 {
			n = -1
		}
		writeStreamRange(c, s, keyspace.MinStreamID, keyspace.MaxStreamID, false, n)
		c.Writer().BulkString("groups")
		writeGroupsFull(c, s, count)
		return
	}
	c.Writer().BulkString("groups")
	c.Writer().Int(int64(s.NumGroups()))
	c.Writer().BulkString("first-entry")
	if e, ok := s.First(); ok {
		writeStreamEntry(c, e)
	} else {
		c.Writer().NullBulk()
	}
	c.Writer().BulkString("last-entry")
	if e, ok := s.Last(); ok {
		writeStreamEntry(c, e)
	} else {
		c.Writer().NullBulk()
	}
}

// XINFO HELP
func xinfoHelpCommand(c Client, a [][]byte) {
	lines := []string{
		"XINFO <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
		"CONSUMERS <key> <groupname>",
		"    Show consumers of <groupname>.",
		"GROUPS <key>",
		"    Show the stream consumer groups.",
		"STREAM <key> [FULL [COUNT <count>]",
		"    Show information about the stream.",
		"HELP",
		"    Print this help.",
	}
	c.Writer().ArrayLen(len(lines))
	for _, l := range lines {
		c.Writer().SimpleString(l)
	}
}

// writeGroupLag replies a group's lag, or null when it can't be known.
func writeGroupLag(c Client, s *keyspace.Stream, g *keyspace.ConsumerGroup) {
	if lag, ok := s.GroupLag(g); ok {
		c.Writer().Int(lag)
	} else {
		c.Writer().NullBulk()
	}
}

// writeEntriesRead replies a group's read counter, or null when invalid.
func writeEntriesRead(c Client, g *keyspace.ConsumerGroup) {
	if g.EntriesRead == keyspace.InvalidEntriesRead {
		c.Writer().NullBulk()
	} else {
		c.Writer().Int(g.EntriesRead)
	}
}

// writeGroupsFull replies the groups of XINFO STREAM FULL: each with its
// PEL and consumers, PELs cut at count entries (0: all).
func writeGroupsFull(c Client, s *keyspace.Stream, count int64) {
	w := c.Writer()
	groups := s.Groups()
	w.ArrayLen(len(groups))
	for _, g := range groups {
		w.MapLen(7)
		w.BulkString("name")
		w.BulkString(g.Name)
		w.BulkString("last-delivered-id")
		writeStreamID(c, g.LastID)
		w.BulkString("entries-read")
		writeEntriesRead(c, g)
		w.BulkString("lag")
		writeGroupLag(c, s, g)
		w.BulkString("pel-count")
		w.Int(int64(g.PEL.Len()))
		w.BulkString("pending")
		writePELFull(c, g.PEL, count, true)
		w.BulkString("consumers")
		consumers := g.Consumers()
		w.ArrayLen(len(consumers))
		for _, cons := range consumers {
			w.MapLen(5)
			w.BulkString("name")
			w.BulkString(cons.Name)
			w.BulkString("seen-time")
			w.Int(cons.SeenTime)
			w.BulkString("active-time")
			w.Int(cons.ActiveTime)
			w.BulkString("pel-count")
			w.Int(int64(cons.PEL.Len()))
			w.BulkString("pending")
			writePELFull(c, cons.PEL, count, false)
		}
	}
}

// writePELFull replies up to count (0: all) PEL entries as [id, (owner,)
// delivery time, delivery count].
func writePELFull(c Client, pel *keyspace.PEL, count int64, owner bool) {
	w := c.Writer()
	n := int64(pel.Len())
	if count > 0 {
		n = min(n, count)
	}
	w.ArrayLen(int(n))
	i := int64(0)
	pel.Ascend(keyspace.MinStreamID, func(id keyspace.StreamID, nack *keyspace.StreamNACK) bool {
		if i == n {
			return false
		}
		i++
		if owner {
			w.ArrayLen(4)
		} else {
			w.ArrayLen(3)
		}
		writeStreamID(c, id)
		if owner {
			w.BulkString(nack.Consumer.Name)
		}
		w.Int(nack.DeliveryTime)
		w.Int(int64(nack.DeliveryCount))
		return true
	})
}

// XINFO GROUPS key
func xinfoGroupsCommand(c Client, a [][]byte) {
	s, ok := xinfoStream(c, a[2])
	if !ok {
		return
	}
	w := c.Writer()
	groups := s.Groups()
	w.ArrayLen(len(groups))
	for _, g := range groups {
		w.MapLen(6)
		w.BulkString("name")
		w.BulkString(g.Name)
		w.BulkString("consumers")
		w.Int(int64(g.NumConsumers()))
		w.BulkString("pending")
		w.Int(int64(g.PEL.Len()))
		w.BulkString("last-delivered-id")
		writeStreamID(c, g.LastID)
		w.BulkString("entries-read")
		writeEntriesRead(c, g)
		w.BulkString("lag")
		writeGroupLag(c, s, g)
	}
}

// XINFO CONSUMERS key group
func xinfoConsumersCommand(c Client, a [][]byte) {
	s, ok := xinfoStream(c, a[2])
	if !ok {
		return
	}
	g := s.Group(a[3])
	if g == nil {
		noGroupFor(c, a[2], a[3])
		return
	}
	now := ks(c).Now()
	w := c.Writer()
	consumers := g.Consumers()
	w.ArrayLen(len(consumers))
	for _, cons := range consumers {
		inactive := int64(-1)
		if cons.ActiveTime != -1 {
			inactive = now - cons.ActiveTime
		}
		w.MapLen(4)
		w.BulkString("name")
		w.BulkString(cons.Name)
		w.BulkString("pending")
		w.Int(int64(cons.PEL.Len()))
		w.BulkString("idle")
		w.Int(max(now-cons.SeenTime, 0))
		w.BulkString("inactive")
		w.Int(inactive)
	}
}
