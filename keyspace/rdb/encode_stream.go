package rdb

import (
	"encoding/binary"

	"github.com/modhost/modhost/keyspace"
)

// streamIDKey is a node's 16-byte big-endian master ID.
func streamIDKey(id keyspace.StreamID) []byte {
	var k [16]byte
	binary.BigEndian.PutUint64(k[:], id.Ms)
	binary.BigEndian.PutUint64(k[8:], id.Seq)
	return k[:]
}

// streamNode accumulates one listpack of a stream's radix tree.
type streamNode struct {
	master  keyspace.StreamID
	fields  [][]byte
	entries int
}

// writeStream writes a stream value of RDB type t (the listpacks, the
// metadata and the consumer groups).
func (w *Writer) writeStream(s *keyspace.Stream, t byte) {
	var keys, lps [][]byte
	var cur *streamNode
	var body []func(*lpBuilder)
	flush := func() {
		if cur == nil {
			return
		}
		lp := newLP()
		lp.appendInt(int64(cur.entries))
		lp.appendInt(0)
		lp.appendInt(int64(len(cur.fields)))
		for _, f := range cur.fields {
			lp.appendBytes(f)
		}
		lp.appendInt(0)
		for _, fn := range body {
			fn(lp)
		}
		keys = append(keys, streamIDKey(cur.master))
		lps = append(lps, lp.finish())
		cur, body = nil, nil
	}
	size := 0
	s.Range(keyspace.MinStreamID, keyspace.MaxStreamID, false, -1, func(e keyspace.StreamEntry) bool {
		esize := 16
		for _, f := range e.Fields {
			esize += len(f) + 2
		}
		if cur != nil && (cur.entries >= streamNodeMaxEntries || size+esize >= streamNodeMaxBytes) {
			flush()
		}
		if cur == nil {
			cur = &streamNode{master: e.ID}
			for i := 0; i < len(e.Fields); i += 2 {
				cur.fields = append(cur.fields, e.Fields[i])
			}
			size = 16
		}
		size += esize
		cur.entries++
		same := len(e.Fields)/2 == len(cur.fields)
		for i := 0; same && i < len(cur.fields); i++ {
			same = string(cur.fields[i]) == string(e.Fields[2*i])
		}
		master, fields := cur.master, e.Fields
		body = append(body, func(lp *lpBuilder) {
			nf := len(fields) / 2
			flags := int64(0)
			if same {
				flags = 2 // STREAM_ITEM_FLAG_SAMEFIELDS
			}
			lp.appendInt(flags)
			lp.appendInt(int64(e.ID.Ms - master.Ms))
			lp.appendInt(int64(e.ID.Seq - master.Seq))
			if !same {
				lp.appendInt(int64(nf))
			}
			for i := 0; i < nf; i++ {
				if !same {
					lp.appendBytes(fields[2*i])
				}
				lp.appendBytes(fields[2*i+1])
			}
			count := int64(nf + 3)
			if !same {
				count += int64(nf + 1)
			}
			lp.appendInt(count)
		})
		return true
	})
	flush()
	w.WriteLen(uint64(len(lps)))
	for i := range lps {
		w.WriteString(keys[i])
		w.WriteString(lps[i])
	}
	w.WriteLen(uint64(s.Len()))
	last := s.LastID()
	w.WriteLen(last.Ms)
	w.WriteLen(last.Seq)
	var first keyspace.StreamID
	if e, ok := s.First(); ok {
		first = e.ID
	}
	w.WriteLen(first.Ms)
	w.WriteLen(first.Seq)
	md := s.MaxDeletedID()
	w.WriteLen(md.Ms)
	w.WriteLen(md.Seq)
	w.WriteLen(s.EntriesAdded())
	w.writeStreamGroups(s, t)
}

// writeStreamGroups writes the consumer groups as rdbSaveObject does: name,
// last ID, entries read (RDB_TYPE_STREAM_LISTPACKS_2 and later), the group
// PEL with delivery time and count, then each consumer with its seen time,
// active time (_3) and the IDs of its PEL.
func (w *Writer) writeStreamGroups(s *keyspace.Stream, t byte) {
	groups := s.Groups()
	w.WriteLen(uint64(len(groups)))
	for _, g := range groups {
		w.WriteString([]byte(g.Name))
		w.WriteLen(g.LastID.Ms)
		w.WriteLen(g.LastID.Seq)
		if t >= TypeStreamListpacks2 {
			w.WriteLen(uint64(g.EntriesRead))
		}
		w.WriteLen(uint64(g.PEL.Len()))
		g.PEL.Ascend(keyspace.MinStreamID, func(id keyspace.StreamID, n *keyspace.StreamNACK) bool {
			w.WriteRaw(streamIDKey(id))
			w.WriteUint64LE(uint64(n.DeliveryTime))
			w.WriteLen(n.DeliveryCount)
			return true
		})
		consumers := g.Consumers()
		w.WriteLen(uint64(len(consumers)))
		for _, c := range consumers {
			w.WriteString([]byte(c.Name))
			w.WriteUint64LE(uint64(c.SeenTime))
			if t >= TypeStreamListpacks3 {
				w.WriteUint64LE(uint64(c.ActiveTime))
			}
			w.WriteLen(uint64(c.PEL.Len()))
			c.PEL.Ascend(keyspace.MinStreamID, func(id keyspace.StreamID, _ *keyspace.StreamNACK) bool {
				w.WriteRaw(streamIDKey(id))
				return true
			})
		}
	}
}
