package commands

// Stream commands that read: XLEN, XRANGE, XREVRANGE and XREAD (with
// BLOCK). XINFO is in streams_info.go.

import (
	"math"
	"time"

	"github.com/modhost/modhost/keyspace"
)

// XLEN key
func xlenCommand(c Client, a [][]byte) {
	v, ok := lookupRead(c, a[1], keyspace.KindStream)
	if !ok {
		return
	}
	if v == nil {
		c.Writer().Int(0)
		return
	}
	c.Writer().Int(int64(v.(*keyspace.Stream).Len()))
}

// parseIntervalID parses a range bound: "(" makes it exclusive (then the
// rest is parsed strictly), as Redis's streamParseIntervalIDOrReply.
func parseIntervalID(c Client, b []byte, missingSeq uint64) (id keyspace.StreamID, excl, ok bool) {
	excl = len(b) > 1 && b[0] == '('
	if excl {
		id, _, ok = parseStreamID(b[1:], missingSeq, true, false)
	} else {
		id, _, ok = parseStreamID(b, missingSeq, false, false)
	}
	if !ok {
		c.Error(msgStreamBadID)
	}
	return id, excl, ok
}

// XRANGE key start end [COUNT count]
func xrangeCommand(c Client, a [][]byte) { xrangeGeneric(c, a, false) }

// XREVRANGE key end start [COUNT count]
func xrevrangeCommand(c Client, a [][]byte) { xrangeGeneric(c, a, true) }

func xrangeGeneric(c Client, a [][]byte, rev bool) {
	startArg, endArg := a[2], a[3]
	if rev {
		startArg, endArg = endArg, startArg
	}
	start, excl, ok := parseIntervalID(c, startArg, 0)
	if !ok {
		return
	}
	if excl {
		if start, ok = start.Next(); !ok {
			c.Error("ERR invalid start ID for the interval")
			return
		}
	}
	end, excl, ok := parseIntervalID(c, endArg, math.MaxUint64)
	if !ok {
		return
	}
	if excl {
		if end, ok = end.Prev(); !ok {
			c.Error("ERR invalid end ID for the interval")
			return
		}
	}
	count := int64(-1)
	for j := 4; j < len(a); j++ {
		if eqFold(a[j], "count") && j+1 < len(a) {
			if count, ok = intArg(c, a[j+1]); !ok {
				return
			}
			count = max(count, 0)
			j++
			continue
		}
		c.Error(msgSyntax)
		return
	}
	v, ok := lookupRead(c, a[1], keyspace.KindStream)
	if !ok {
		return
	}
	if v == nil {
		c.Writer().ArrayLen(0)
		return
	}
	if count == 0 {
		c.Writer().NullArray()
		return
	}
	writeStreamRange(c, v.(*keyspace.Stream), start, end, rev, int(min(count, math.MaxInt32)))
}

// writeStreamRange replies the entries in [start, end] as an array; count
// < 0 means all.
func writeStreamRange(c Client, s *keyspace.Stream, start, end keyspace.StreamID, rev bool, count int) int {
	mark := c.Writer().DeferLen()
	n := 0
	s.Range(start, end, rev, count, func(e keyspace.StreamEntry) bool {
		writeStreamEntry(c, e)
		n++
		return true
	})
	c.Writer().SetDeferredArrayLen(mark, n)
	return n
}

// xreadKeys returns the key positions of XREAD: the first half of the
// arguments after STREAMS.
func xreadKeys(a [][]byte) []int {
	for i := 1; i < len(a); i++ {
		if eqFold(a[i], "streams") {
			n := (len(a) - i - 1) / 2
			out := make([]int, n)
			for j := range out {
				out[j] = i + 1 + j
			}
			return out
		}
	}
	return nil
}

// xreadArgs are the parsed XREAD arguments.
type xreadArgs struct {
	block   time.Duration
	blocks  bool
	count   int
	keys    [][]byte
	ids     []keyspace.StreamID
	keysArg int
}

// parseXRead parses XREAD's options and IDs as Redis's xreadCommand, or
// replies an error.
func parseXRead(c Client, a [][]byte) (*xreadArgs, bool) {
	x := &xreadArgs{}
	streamsArg := 0
	for i := 1; i < len(a) && streamsArg == 0; i++ {
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
			streamsArg = i + 1
			if (len(a)-streamsArg)%2 != 0 {
				c.Error("ERR Unbalanced XREAD list of streams: for each stream key an ID or '$' must be specified.")
				return nil, false
			}
		case eqFold(a[i], "group") && more >= 2:
			c.Error("ERR The GROUP option is only supported by XREADGROUP. You called XREAD instead.")
			return nil, false
		case eqFold(a[i], "noack"):
			c.Error("ERR The NOACK option is only supported by XREADGROUP. You called XREAD instead.")
			return nil, false
		default:
			c.Error(msgSyntax)
			return nil, false
		}
	}
	if streamsArg == 0 {
		c.Error(msgSyntax)
		return nil, false
	}
	n := (len(a) - streamsArg) / 2
	x.keysArg = streamsArg
	x.keys = a[streamsArg : streamsArg+n]
	x.ids = make([]keyspace.StreamID, n)
	for j, idArg := range a[streamsArg+n:] {
		v, ok := lookupRead(c, x.keys[j], keyspace.KindStream)
		if !ok {
			return nil, false
		}
		switch string(idArg) {
		case "$":
			if v != nil {
				x.ids[j] = v.(*keyspace.Stream).LastID()
			}
			continue
		case ">":
			c.Error("ERR The > ID can be specified only when calling XREADGROUP using the GROUP <group> <consumer> option.")
			return nil, false
		}
		if x.ids[j], ok = streamIDArg(c, idArg, 0); !ok {
			return nil, false
		}
	}
	return x, true
}

// XREAD [COUNT count] [BLOCK milliseconds] STREAMS key [key ...] id [id ...]
func xreadCommand(c Client, a [][]byte) {
	x, ok := parseXRead(c, a)
	if !ok {
		return
	}
	if serveXRead(c, x) {
		return
	}
	if !x.blocks || !c.CanBlock() {
		c.Writer().NullArray()
		return
	}
	keys := make([][]byte, len(x.keys))
	for i, k := range x.keys {
		keys[i] = append([]byte(nil), k...)
	}
	x.keys = keys
	c.BlockOnKeys(keys, x.block,
		func(c Client, _ []byte) bool { return serveXRead(c, x) },
		func(c Client) { c.Writer().NullArray() })
}

// serveXRead replies the entries newer than x.ids of every stream that has
// some, and reports whether it replied.
func serveXRead(c Client, x *xreadArgs) bool {
	mark, served := 0, 0
	for i, key := range x.keys {
		v := ks(c).LookupRead(c.DBIndex(), key, 0)
		s, ok := v.(*keyspace.Stream)
		if !ok || s.Len() == 0 {
			continue
		}
		last, _ := s.Last()
		if last.ID.Compare(x.ids[i]) <= 0 {
			continue
		}
		if served == 0 {
			mark = c.Writer().DeferLen()
		}
		served++
		if c.Proto() == 2 {
			c.Writer().ArrayLen(2)
		}
		c.Writer().Bulk(key)
		start, _ := x.ids[i].Next()
		count := x.count
		if count == 0 {
			count = -1
		}
		writeStreamRange(c, s, start, keyspace.MaxStreamID, false, count)
	}
	if served == 0 {
		return false
	}
	if c.Proto() == 2 {
		c.Writer().SetDeferredArrayLen(mark, served)
	} else {
		c.Writer().SetDeferredMapLen(mark, served)
	}
	return true
}

// streamNodeIDs returns the first ID of each node of s in the node model
// used by approximate trimming (runs of streamNodeEntries entries).
func streamNodeIDs(s *keyspace.Stream) []keyspace.StreamID {
	var out []keyspace.StreamID
	i := 0
	s.Range(keyspace.MinStreamID, keyspace.MaxStreamID, false, -1, func(e keyspace.StreamEntry) bool {
		if i%streamNodeEntries == 0 {
			out = append(out, e.ID)
		}
		i++
		return true
	})
	return out
}

// raxNodeCount estimates the node count of Redis's radix tree holding the
// node keys (128-bit big-endian IDs): an empty tree has one node, and each
// key adds its leaf plus the compressed and branching nodes its path needs.
func raxNodeCount(keys []keyspace.StreamID) int {
	if len(keys) == 0 {
		return 1
	}
	enc := make([][16]byte, len(keys))
	for i, k := range keys {
		for b := 0; b < 8; b++ {
			enc[i][b] = byte(k.Ms >> (56 - 8*b))
			enc[i][8+b] = byte(k.Seq >> (56 - 8*b))
		}
	}
	return raxSubtree(enc, 0)
}

// raxSubtree counts the nodes of the subtree for sorted keys sharing their
// first depth bytes: a compressed node for a common run, a branching node
// where they differ, and a leaf at the end.
func raxSubtree(keys [][16]byte, depth int) int {
	if depth == 16 {
		return 1
	}
	common := depth
	for common < 16 && sameByteAt(keys, common) {
		common++
	}
	if common == 16 {
		return 2
	}
	n := 1
	if common > depth {
		n++
	}
	for i := 0; i < len(keys); {
		j := i
		for j < len(keys) && keys[j][common] == keys[i][common] {
			j++
		}
		n += raxSubtree(keys[i:j], common+1)
		i = j
	}
	return n
}

func sameByteAt(keys [][16]byte, i int) bool {
	for _, k := range keys[1:] {
		if k[i] != keys[0][i] {
			return false
		}
	}
	return true
}
