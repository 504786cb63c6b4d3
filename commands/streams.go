package commands

// Stream commands that write: XADD, XDEL, XTRIM, with the ID parsing and
// trimming rules they share. The reading commands are in streams_read.go,
// XINFO in streams_info.go, the consumer group commands in
// streams_group.go, streams_readgroup.go and streams_claim.go.

import (
	"github.com/modhost/modhost/keyspace"
)

// Stream error texts (Redis's wording).
const (
	msgStreamBadID       = "ERR Invalid stream ID specified as stream command argument"
	msgStreamMaxLenNeg   = "ERR The MAXLEN argument must be >= 0."
	msgStreamLimitNeg    = "ERR The LIMIT argument must be >= 0."
	msgStreamBothTrims   = "ERR syntax error, MAXLEN and MINID options at the same time are not compatible"
	msgStreamLimitNoTrim = "ERR syntax error, LIMIT cannot be used without specifying a trimming strategy"
	msgStreamXTrimNoTrim = "ERR syntax error, XTRIM must be called with a trimming strategy"
	msgStreamLimitNoApx  = "ERR syntax error, LIMIT cannot be used without the special ~ option"
	msgXAddArity         = "ERR wrong number of arguments for 'xadd' command"
)

// streamNodeEntries is Redis's stream-node-max-entries default: approximate
// trimming ("~") only removes whole nodes of this many entries.
const streamNodeEntries = 100

// maxStreamIDLen is the longest ID argument Redis accepts (its parse buffer).
const maxStreamIDLen = 127

// streamCommands are the stream family (t_stream.c).
var streamCommands = []Entry{
	{Name: "xadd", Arity: -5, Flags: "write denyoom fast", FirstKey: 1, LastKey: 1, KeyStep: 1,
		KeySpecs: "RW update: i1 r0,1,0 # UPDATE instead of INSERT because of the optional trimming feature",
		Tips:     "nondeterministic_output",
		ACL:      "write stream fast", Group: "stream", Since: "5.0.0",
		Handler: xaddCommand},
	{Name: "xlen", Arity: 2, Flags: "readonly fast", FirstKey: 1, LastKey: 1, KeyStep: 1,
		KeySpecs: "RO: i1 r0,1,0",
		ACL:      "read stream fast", Group: "stream", Since: "5.0.0",
		Handler: xlenCommand},
	{Name: "xrange", Arity: -4, Flags: "readonly", FirstKey: 1, LastKey: 1, KeyStep: 1,
		KeySpecs: "RO access: i1 r0,1,0",
		ACL:      "read stream slow", Group: "stream", Since: "5.0.0",
		Handler: xrangeCommand},
	{Name: "xrevrange", Arity: -4, Flags: "readonly", FirstKey: 1, LastKey: 1, KeyStep: 1,
		KeySpecs: "RO access: i1 r0,1,0",
		ACL:      "read stream slow", Group: "stream", Since: "5.0.0",
		Handler: xrevrangeCommand},
	{Name: "xdel", Arity: -3, Flags: "write fast", FirstKey: 1, LastKey: 1, KeyStep: 1,
		KeySpecs: "RW delete: i1 r0,1,0",
		ACL:      "write stream fast", Group: "stream", Since: "5.0.0",
		Handler: xdelCommand},
	{Name: "xtrim", Arity: -4, Flags: "write", FirstKey: 1, LastKey: 1, KeyStep: 1,
		KeySpecs: "RW delete: i1 r0,1,0",
		Tips:     "nondeterministic_output",
		ACL:      "write stream slow", Group: "stream", Since: "5.0.0",
		Handler: xtrimCommand},
	{Name: "xread", Arity: -4, Flags: "readonly blocking movablekeys",
		KeySpecs: "RO access: kSTREAMS,1 r-1,1,2",
		ACL:      "read stream slow blocking", Group: "stream", Since: "5.0.0",
		Handler: xreadCommand, GetKeys: xreadKeys},
	{Name: "xinfo", Arity: -2,
		Group: "stream", Since: "5.0.0",
		Handler: noop,
		Subs: []Entry{
			{Name: "stream", Arity: -3, Flags: "readonly", FirstKey: 2, LastKey: 2, KeyStep: 1,
				KeySpecs: "RO access: i2 r0,1,0",
				ACL:      "read stream slow", Group: "stream", Since: "5.0.0",
				Handler: xinfoStreamCommand},
			{Name: "groups", Arity: 3, Flags: "readonly", FirstKey: 2, LastKey: 2, KeyStep: 1,
				KeySpecs: "RO access: i2 r0,1,0",
				ACL:      "read stream slow", Group: "stream", Since: "5.0.0",
				Handler: xinfoGroupsCommand},
			{Name: "consumers", Arity: 4, Flags: "readonly", FirstKey: 2, LastKey: 2, KeyStep: 1,
				KeySpecs: "RO access: i2 r0,1,0",
				Tips:     "nondeterministic_output",
				ACL:      "read stream slow", Group: "stream", Since: "5.0.0",
				Handler: xinfoConsumersCommand},
			{Name: "help", Arity: 2, Flags: "loading stale",
				ACL: "stream slow", Group: "stream", Since: "5.0.0",
				Handler: xinfoHelpCommand},
		},
	},
}

// parseStreamID parses an ID argument as Redis's streamGenericParseIDOrReply:
// strict rejects "-" and "+"; allowAutoSeq accepts "<ms>-*" (XADD). A
// missing sequence becomes missingSeq.
func parseStreamID(b []byte, missingSeq uint64, strict, allowAutoSeq bool) (id keyspace.StreamID, autoSeq, ok bool) {
	if len(b) > maxStreamIDLen {
		return id, false, false
	}
	if strict && len(b) == 1 && (b[0] == '-' || b[0] == '+') {
		return id, false, false
	}
	id, autoSeq, ok = keyspace.ParseStreamID(b, missingSeq)
	if autoSeq && !allowAutoSeq {
		return id, false, false
	}
	return id, autoSeq, ok
}

// streamIDArg parses a strict ID or replies the invalid-ID error.
func streamIDArg(c Client, b []byte, missingSeq uint64) (keyspace.StreamID, bool) {
	id, _, ok := parseStreamID(b, missingSeq, true, false)
	if !ok {
		c.Error(msgStreamBadID)
	}
	return id, ok
}

// trimStrategy says how XADD/XTRIM trim.
type trimStrategy int

const (
	trimNone trimStrategy = iota
	trimMaxLen
	trimMinID
)

// trimArgs are the parsed options of XADD and XTRIM.
type trimArgs struct {
	strategy   trimStrategy
	approx     bool
	maxLen     int64
	minID      keyspace.StreamID
	limit      int64
	noMkStream bool
	idGiven    bool
	want       keyspace.XAddID
}

// parseTrimArgs parses the options of XADD (xadd true: up to and including
// the ID) or XTRIM as Redis's streamParseAddOrTrimArgsOrReply. It returns
// the index of the ID argument (XADD) or replies an error and returns -1.
func parseTrimArgs(c Client, a [][]byte, xadd bool, t *trimArgs) int {
	limitGiven := false
	i := 2
	for ; i < len(a); i++ {
		more := len(a) - 1 - i
		opt := a[i]
		switch {
		case xadd && len(opt) == 1 && opt[0] == '*':
			t.want.Auto = true
			return finishTrimArgs(c, xadd, t, limitGiven, i)
		case eqFold(opt, "maxlen") && more > 0, eqFold(opt, "minid") && more > 0:
			if t.strategy != trimNone {
				c.Error(msgStreamBothTrims)
				return -1
			}
			t.approx = false
			if next := a[i+1]; more >= 2 && len(next) == 1 && (next[0] == '~' || next[0] == '=') {
				t.approx = next[0] == '~'
				i++
			}
			if eqFold(opt, "maxlen") {
				n, ok := intArg(c, a[i+1])
				if !ok {
					return -1
				}
				if n < 0 {
					c.Error(msgStreamMaxLenNeg)
					return -1
				}
				t.strategy, t.maxLen = trimMaxLen, n
			} else {
				id, ok := streamIDArg(c, a[i+1], 0)
				if !ok {
					return -1
				}
				t.strategy, t.minID = trimMinID, id
			}
			i++
		case eqFold(opt, "limit") && more > 0:
			n, ok := intArg(c, a[i+1])
			if !ok {
				return -1
			}
			if n < 0 {
				c.Error(msgStreamLimitNeg)
				return -1
			}
			t.limit, limitGiven = n, true
			i++
		case xadd && eqFold(opt, "nomkstream"):
			t.noMkStream = true
		case xadd:
			id, autoSeq, ok := parseStreamID(opt, 0, true, true)
			if !ok {
				c.Error(msgStreamBadID)
				return -1
			}
			t.idGiven = true
			t.want = keyspace.XAddID{AutoSeq: autoSeq, ID: id}
			return finishTrimArgs(c, xadd, t, limitGiven, i)
		default:
			c.Error(msgSyntax)
			return -1
		}
	}
	return finishTrimArgs(c, xadd, t, limitGiven, i)
}

// finishTrimArgs applies the cross-option checks and the default LIMIT.
func finishTrimArgs(c Client, xadd bool, t *trimArgs, limitGiven bool, i int) int {
	switch {
	case t.limit != 0 && t.strategy == trimNone:
		c.Error(msgStreamLimitNoTrim)
		return -1
	case !xadd && t.strategy == trimNone:
		c.Error(msgStreamXTrimNoTrim)
		return -1
	case limitGiven && !t.approx:
		c.Error(msgStreamLimitNoApx)
		return -1
	case !limitGiven && t.approx:
		t.limit = 100 * streamNodeEntries
	case !limitGiven:
		t.limit = 0
	}
	return i
}

// trimStream trims s as t says and returns the number of entries removed.
// Exact trimming is exact; approximate trimming ("~") removes only whole
// nodes, modelled as runs of streamNodeEntries entries from the first
// entry, and stops at t.limit entries (0: no limit), as Redis's streamTrim.
func trimStream(s *keyspace.Stream, t *trimArgs) int64 {
	if !t.approx {
		if t.strategy == trimMaxLen {
			return int64(s.TrimMaxLen(int(min(t.maxLen, int64(s.Len())))))
		}
		return int64(s.TrimMinID(t.minID))
	}
	var deleted int64
	for s.Len() > 0 {
		if t.strategy == trimMaxLen && int64(s.Len()) <= t.maxLen {
			break
		}
		var last keyspace.StreamID
		n := 0
		s.Range(keyspace.MinStreamID, keyspace.MaxStreamID, false, streamNodeEntries, func(e keyspace.StreamEntry) bool {
			last = e.ID
			n++
			return true
		})
		if t.limit > 0 && deleted+int64(n) > t.limit {
			break
		}
		remove := last.Less(t.minID)
		if t.strategy == trimMaxLen {
			remove = int64(s.Len()-n) >= t.maxLen
		}
		if !remove {
			break
		}
		if next, ok := last.Next(); ok {
			s.TrimMinID(next)
		} else {
			s.TrimMaxLen(0)
		}
		deleted += int64(n)
	}
	return deleted
}

// XADD key [NOMKSTREAM] [MAXLEN|MINID [=|~] threshold [LIMIT count]] *|id field value [field value ...]
func xaddCommand(c Client, a [][]byte) {
	var t trimArgs
	idPos := parseTrimArgs(c, a, true, &t)
	if idPos < 0 {
		return
	}
	fieldPos := idPos + 1
	if n := len(a) - fieldPos; n < 2 || n%2 == 1 {
		c.Error(msgXAddArity)
		return
	}
	if t.idGiven && !t.want.AutoSeq && t.want.ID == keyspace.MinStreamID {
		c.Error(keyspace.ErrStreamIDZero.Error())
		return
	}
	v, ok := lookupWrite(c, a[1], keyspace.KindStream)
	if !ok {
		return
	}
	created := false
	var s *keyspace.Stream
	if v == nil {
		if t.noMkStream {
			c.Writer().NullBulk()
			return
		}
		s = keyspace.NewStream()
		ks(c).Add(c.DBIndex(), a[1], s)
		created = true
	} else {
		s = v.(*keyspace.Stream)
	}
	id, err := s.Add(t.want, ks(c).Now(), a[fieldPos:])
	if err != nil {
		c.Error(err.Error())
		return
	}
	writeStreamID(c, id)
	ks(c).Modified(c.DBIndex(), a[1], keyspace.NotifyStream, "xadd")
	if t.strategy != trimNone && trimStream(s, &t) > 0 {
		ks(c).Notify(keyspace.NotifyStream, "xtrim", a[1], c.DBIndex())
	}
	if !created {
		c.SignalKeyAsReady(c.DBIndex(), a[1])
	}
}

// XDEL key id [id ...]
func xdelCommand(c Client, a [][]byte) {
	v, ok := lookupWrite(c, a[1], keyspace.KindStream)
	if !ok {
		return
	}
	if v == nil {
		c.Writer().Int(0)
		return
	}
	s := v.(*keyspace.Stream)
	ids := make([]keyspace.StreamID, len(a)-2)
	for i, b := range a[2:] {
		if ids[i], ok = streamIDArg(c, b, 0); !ok {
			return
		}
	}
	deleted := 0
	for _, id := range ids {
		if s.Delete(id) {
			deleted++
		}
	}
	if deleted > 0 {
		ks(c).Modified(c.DBIndex(), a[1], keyspace.NotifyStream, "xdel")
		ks(c).Dirty += int64(deleted - 1)
	}
	c.Writer().Int(int64(deleted))
}

// XTRIM key MAXLEN|MINID [=|~] threshold [LIMIT count]
func xtrimCommand(c Client, a [][]byte) {
	var t trimArgs
	if parseTrimArgs(c, a, false, &t) < 0 {
		return
	}
	v, ok := lookupWrite(c, a[1], keyspace.KindStream)
	if !ok {
		return
	}
	if v == nil {
		c.Writer().Int(0)
		return
	}
	deleted := trimStream(v.(*keyspace.Stream), &t)
	if deleted > 0 {
		ks(c).Modified(c.DBIndex(), a[1], keyspace.NotifyStream, "xtrim")
		ks(c).Dirty += deleted - 1
	}
	c.Writer().Int(deleted)
}

// writeStreamID replies an ID as a bulk string without allocating.
func writeStreamID(c Client, id keyspace.StreamID) {
	var buf [48]byte
	c.Writer().Bulk(id.Append(buf[:0]))
}

// writeStreamEntry replies one entry as [id, [field, value, ...]].
func writeStreamEntry(c Client, e keyspace.StreamEntry) {
	c.Writer().ArrayLen(2)
	writeStreamID(c, e.ID)
	c.Writer().ArrayLen(len(e.Fields))
	for _, f := range e.Fields {
		c.Writer().Bulk(f)
	}
}
