package keyspace

import (
	"errors"
	"math"
	"strconv"

	"github.com/google/btree"
)

// XADD errors, with Redis's texts.
var (
	ErrStreamIDZero     = errors.New("ERR The ID specified in XADD must be greater than 0-0")
	ErrStreamIDTooSmall = errors.New("ERR The ID specified in XADD is equal or smaller than the target stream top item")
	ErrStreamExhausted  = errors.New("ERR The stream has exhausted the last possible ID, unable to add more items")
	ErrStreamIDInvalid  = errors.New("ERR Invalid stream ID specified as stream command argument")
)

// StreamID is a stream entry ID <ms>-<seq>.
type StreamID struct {
	Ms, Seq uint64
}

// MinStreamID and MaxStreamID are "-" and "+".
var (
	MinStreamID = StreamID{}
	MaxStreamID = StreamID{math.MaxUint64, math.MaxUint64}
)

// Compare returns -1, 0 or +1.
func (a StreamID) Compare(b StreamID) int {
	switch {
	case a.Ms < b.Ms || a.Ms == b.Ms && a.Seq < b.Seq:
		return -1
	case a == b:
		return 0
	}
	return 1
}

// Less reports a < b.
func (a StreamID) Less(b StreamID) bool { return a.Compare(b) < 0 }

// String formats the ID as "<ms>-<seq>".
func (a StreamID) String() string { return string(a.Append(nil)) }

// Append appends the "<ms>-<seq>" form to dst.
func (a StreamID) Append(dst []byte) []byte {
	dst = strconv.AppendUint(dst, a.Ms, 10)
	dst = append(dst, '-')
	return strconv.AppendUint(dst, a.Seq, 10)
}

// Next returns the smallest ID above a (ok false for MaxStreamID).
func (a StreamID) Next() (StreamID, bool) {
	switch {
	case a.Seq < math.MaxUint64:
		return StreamID{a.Ms, a.Seq + 1}, true
	case a.Ms < math.MaxUint64:
		return StreamID{a.Ms + 1, 0}, true
	}
	return a, false
}

// Prev returns the largest ID below a (ok false for MinStreamID).
func (a StreamID) Prev() (StreamID, bool) {
	switch {
	case a.Seq > 0:
		return StreamID{a.Ms, a.Seq - 1}, true
	case a.Ms > 0:
		return StreamID{a.Ms - 1, math.MaxUint64}, true
	}
	return a, false
}

// ParseStreamID parses "-", "+", "<ms>", "<ms>-<seq>" and, for XADD,
// "<ms>-*" (autoSeq true). A missing sequence becomes missingSeq (0 for
// starts and XADD, math.MaxUint64 for range ends). Numbers are unsigned
// decimals (leading zeros allowed, as strtoull does).
func ParseStreamID(b []byte, missingSeq uint64) (id StreamID, autoSeq bool, ok bool) {
	if len(b) == 1 && b[0] == '-' {
		return MinStreamID, false, true
	}
	if len(b) == 1 && b[0] == '+' {
		return MaxStreamID, false, true
	}
	dash := -1
	for i, c := range b {
		if c == '-' {
			dash = i
			break
		}
	}
	msPart := b
	if dash >= 0 {
		msPart = b[:dash]
	}
	if id.Ms, ok = parseIDPart(msPart); !ok {
		return id, false, false
	}
	if dash < 0 {
		id.Seq = missingSeq
		return id, false, true
	}
	rest := b[dash+1:]
	if len(rest) == 1 && rest[0] == '*' {
		return id, true, true
	}
	id.Seq, ok = parseIDPart(rest)
	return id, false, ok
}

func parseIDPart(b []byte) (uint64, bool) {
	if len(b) == 0 {
		return 0, false
	}
	var v uint64
	for _, c := range b {
		if c < '0' || c > '9' {
			return 0, false
		}
		d := uint64(c - '0')
		if v > math.MaxUint64/10 || v*10 > math.MaxUint64-d {
			return 0, false
		}
		v = v*10 + d
	}
	return v, true
}

// StreamEntry is one entry: its ID and alternating field/value pairs. The
// byte slices are owned by the stream and read-only.
type StreamEntry struct {
	ID     StreamID
	Fields [][]byte
}

// Stream is a stream value: entries ordered by ID in a B-tree, plus the
// metadata XINFO reports.
type Stream struct {
	tree         *btree.BTreeG[StreamEntry]
	last         StreamID
	entriesAdded uint64
	maxDeleted   StreamID
	groups       map[string]*ConsumerGroup
}

// NewStream returns an empty stream.
func NewStream() *Stream {
	return &Stream{tree: btree.NewG(16, func(a, b StreamEntry) bool { return a.ID.Less(b.ID) })}
}

// Kind returns KindStream.
func (s *Stream) Kind() Kind { return KindStream }

// Encoding returns "stream".
func (s *Stream) Encoding() string { return "stream" }

// MemUsage estimates the bytes used.
func (s *Stream) MemUsage() int {
	n := 64
	s.tree.Ascend(func(e StreamEntry) bool {
		n += 40
		for _, f := range e.Fields {
			n += lpEntrySize(f)
		}
		return true
	})
	return n + s.groupsMemUsage()
}

// Clone returns a deep copy, consumer groups included.
func (s *Stream) Clone() Value {
	c := NewStream()
	s.tree.Ascend(func(e StreamEntry) bool {
		c.tree.ReplaceOrInsert(StreamEntry{e.ID, copyFields(e.Fields)})
		return true
	})
	c.last, c.entriesAdded, c.maxDeleted = s.last, s.entriesAdded, s.maxDeleted
	s.cloneGroups(c)
	return c
}

// copyFields copies fields into one allocation.
func copyFields(fields [][]byte) [][]byte {
	n := 0
	for _, f := range fields {
		n += len(f)
	}
	buf := make([]byte, 0, n)
	out := make([][]byte, len(fields))
	for i, f := range fields {
		buf = append(buf, f...)
		out[i] = buf[len(buf)-len(f) : len(buf) : len(buf)]
	}
	return out
}

// Len returns the number of entries (XLEN).
func (s *Stream) Len() int { return s.tree.Len() }

// LastID returns the last generated ID (kept after deletions).
func (s *Stream) LastID() StreamID { return s.last }

// SetLastID sets the last ID (XSETID); the caller validates it.
func (s *Stream) SetLastID(id StreamID) { s.last = id }

// EntriesAdded returns the number of entries ever added.
func (s *Stream) EntriesAdded() uint64 { return s.entriesAdded }

// SetEntriesAdded sets the counter (XSETID ENTRIESADDED).
func (s *Stream) SetEntriesAdded(n uint64) { s.entriesAdded = n }

// MaxDeletedID returns the largest ID ever deleted by Delete.
func (s *Stream) MaxDeletedID() StreamID { return s.maxDeleted }

// SetMaxDeletedID sets it (XSETID MAXDELETEDID).
func (s *Stream) SetMaxDeletedID(id StreamID) { s.maxDeleted = id }

// First returns the first entry.
func (s *Stream) First() (StreamEntry, bool) { return s.tree.Min() }

// Last returns the last entry.
func (s *Stream) Last() (StreamEntry, bool) { return s.tree.Max() }

// XAddID says which ID XADD asked for: Auto ("*"), or ID with AutoSeq
// ("<ms>-*") or an explicit "<ms>-<seq>".
type XAddID struct {
	Auto    bool
	AutoSeq bool
	ID      StreamID
}

// Add appends an entry with copies of fields (field/value pairs) and returns
// its ID, applying Redis's rules: "*" uses max(nowMs, last ms) and the next
// sequence; "<ms>-*" continues the sequence of an equal ms or starts at 0;
// explicit IDs must exceed the last ID and 0-0.
func (s *Stream) Add(want XAddID, nowMs int64, fields [][]byte) (StreamID, error) {
	if s.last == MaxStreamID {
		return StreamID{}, ErrStreamExhausted
	}
	var id StreamID
	switch {
	case want.Auto:
		if now := uint64(max(nowMs, 0)); now > s.last.Ms {
			id = StreamID{now, 0}
		} else {
			id, _ = s.last.Next()
		}
	case want.AutoSeq:
		id = StreamID{want.ID.Ms, 0}
		if want.ID.Ms == s.last.Ms {
			if s.last.Seq == math.MaxUint64 {
				return StreamID{}, ErrStreamIDTooSmall
			}
			id.Seq = s.last.Seq + 1
		}
		if id.Compare(s.last) <= 0 {
			return StreamID{}, ErrStreamIDTooSmall
		}
	default:
		id = want.ID
		if id == MinStreamID {
			return StreamID{}, ErrStreamIDZero
		}
		if id.Compare(s.last) <= 0 {
			return StreamID{}, ErrStreamIDTooSmall
		}
	}
	s.tree.ReplaceOrInsert(StreamEntry{id, copyFields(fields)})
	s.last = id
	s.entriesAdded++
	return id, nil
}

// Get returns the entry with id.
func (s *Stream) Get(id StreamID) (StreamEntry, bool) {
	return s.tree.Get(StreamEntry{ID: id})
}

// Delete removes the entry with id (XDEL) and reports whether it existed;
// it advances MaxDeletedID.
func (s *Stream) Delete(id StreamID) bool {
	if _, ok := s.tree.Delete(StreamEntry{ID: id}); !ok {
		return false
	}
	if id.Compare(s.maxDeleted) > 0 {
		s.maxDeleted = id
	}
	return true
}

// Range calls fn for entries with start <= ID <= end, ascending (descending
// when rev, still with start <= end), at most count (count < 0: all), until
// fn returns false. fn must not modify the stream.
func (s *Stream) Range(start, end StreamID, rev bool, count int, fn func(e StreamEntry) bool) {
	if start.Compare(end) > 0 || count == 0 {
		return
	}
	n := 0
	visit := func(e StreamEntry) bool {
		if rev && e.ID.Less(start) || !rev && end.Less(e.ID) {
			return false
		}
		n++
		return fn(e) && (count < 0 || n < count)
	}
	if rev {
		s.tree.DescendLessOrEqual(StreamEntry{ID: end}, visit)
	} else {
		s.tree.AscendGreaterOrEqual(StreamEntry{ID: start}, visit)
	}
}

// TrimMaxLen removes the oldest entries until at most maxLen remain
// (XTRIM MAXLEN, exact) and returns how many were removed.
func (s *Stream) TrimMaxLen(maxLen int) int {
	n := 0
	for s.tree.Len() > max(maxLen, 0) {
		s.tree.DeleteMin()
		n++
	}
	return n
}

// TrimMinID removes entries with an ID below minID (XTRIM MINID, exact) and
// returns how many were removed.
func (s *Stream) TrimMinID(minID StreamID) int {
	n := 0
	for {
		e, ok := s.tree.Min()
		if !ok || !e.ID.Less(minID) {
			return n
		}
		s.tree.DeleteMin()
		n++
	}
}
