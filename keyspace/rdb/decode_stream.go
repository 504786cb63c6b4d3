package rdb

import (
	"encoding/binary"
	"strconv"

	"github.com/modhost/modhost/keyspace"
)

// lpInts reads listpack element e as an integer.
func lpInt(e []byte) (int64, bool) {
	v, err := strconv.ParseInt(string(e), 10, 64)
	return v, err == nil
}

// decodeStreamNode adds the entries of one stream listpack to s.
func decodeStreamNode(s *keyspace.Stream, master keyspace.StreamID, lp []byte) error {
	var elems [][]byte
	if err := lpEach(lp, func(e []byte) error {
		elems = append(elems, append([]byte(nil), e...))
		return nil
	}); err != nil {
		return err
	}
	next := func() ([]byte, bool) {
		if len(elems) == 0 {
			return nil, false
		}
		e := elems[0]
		elems = elems[1:]
		return e, true
	}
	nextInt := func() (int64, bool) {
		e, ok := next()
		if !ok {
			return 0, false
		}
		return lpInt(e)
	}
	if len(elems) == 0 {
		return errEncoding
	}
	if _, ok := nextInt(); !ok { // count
		return errEncoding
	}
	if _, ok := nextInt(); !ok { // deleted
		return errEncoding
	}
	nmf, ok := nextInt()
	if !ok || nmf < 0 || int(nmf) > len(elems) {
		return errEncoding
	}
	mfields := elems[:nmf]
	elems = elems[nmf:]
	if z, ok := nextInt(); !ok || z != 0 {
		return errEncoding
	}
	for len(elems) > 0 {
		flags, ok1 := nextInt()
		msd, ok2 := nextInt()
		seqd, ok3 := nextInt()
		if !ok1 || !ok2 || !ok3 {
			return errEncoding
		}
		id := keyspace.StreamID{Ms: master.Ms + uint64(msd), Seq: master.Seq + uint64(seqd)}
		var fields [][]byte
		if flags&2 != 0 {
			if len(elems) < len(mfields) {
				return errEncoding
			}
			for i, f := range mfields {
				fields = append(fields, f, elems[i])
			}
			elems = elems[len(mfields):]
		} else {
			nf, ok := nextInt()
			if !ok || nf < 0 || int(nf) > len(elems)/2 {
				return errEncoding
			}
			fields = elems[:2*nf]
			elems = elems[2*nf:]
		}
		if _, ok := nextInt(); !ok { // lp-count
			return errEncoding
		}
		if flags&1 != 0 { // deleted
			continue
		}
		if _, err := s.Add(keyspace.XAddID{ID: id}, 0, fields); err != nil {
			return errEncoding
		}
	}
	return nil
}

func (l *loader) readStream(t byte) (keyspace.Value, error) {
	s := keyspace.NewStream()
	n, err := l.r.readCount(2)
	if err != nil {
		return nil, err
	}
	for i := 0; i < n; i++ {
		key, err := l.r.ReadString()
		if err != nil {
			return nil, err
		}
		if len(key) != 16 {
			return nil, l.r.corrupt("Stream node key entry is not the size of a stream ID")
		}
		master := keyspace.StreamID{Ms: binary.BigEndian.Uint64(key), Seq: binary.BigEndian.Uint64(key[8:])}
		lp, err := l.r.ReadString()
		if err != nil {
			return nil, err
		}
		if len(lp) <= 7 {
			return nil, l.r.corrupt("Empty listpack inside stream")
		}
		if decodeStreamNode(s, master, lp) != nil {
			return nil, l.r.corrupt("Stream listpack integrity check failed.")
		}
	}
	var meta [9]uint64
	nmeta := 3
	if t >= TypeStreamListpacks2 {
		nmeta = 8
	}
	for i := 0; i < nmeta; i++ {
		if meta[i], err = l.r.ReadLen(); err != nil {
			return nil, err
		}
	}
	if meta[0] != uint64(s.Len()) {
		return nil, l.r.corrupt("Stream length inconsistent with rax entries")
	}
	s.SetLastID(keyspace.StreamID{Ms: meta[1], Seq: meta[2]})
	if t >= TypeStreamListpacks2 {
		s.SetMaxDeletedID(keyspace.StreamID{Ms: meta[5], Seq: meta[6]})
		s.SetEntriesAdded(meta[7])
	} else {
		s.SetEntriesAdded(uint64(s.Len()))
	}
	groups, err := l.r.readCount(3)
	if err != nil {
		return nil, err
	}
	for i := 0; i < groups; i++ {
		if err := l.readGroup(s, t); err != nil {
			return nil, err
		}
	}
	return s, nil
}

// readGroup reads one consumer group with its PEL and consumers, checking
// what rdbLoadObject checks (duplicates, consumer PEL entries missing from
// the group PEL).
func (l *loader) readGroup(s *keyspace.Stream, t byte) error {
	name, err := l.strCopy()
	if err != nil {
		return err
	}
	ms, err := l.r.ReadLen()
	if err != nil {
		return err
	}
	seq, err := l.r.ReadLen()
	if err != nil {
		return err
	}
	last := keyspace.StreamID{Ms: ms, Seq: seq}
	var entriesRead int64
	if t >= TypeStreamListpacks2 {
		er, err := l.r.ReadLen()
		if err != nil {
			return err
		}
		entriesRead = int64(er)
	} else {
		entriesRead = s.EntriesReadOf(last)
	}
	g := s.CreateGroup(name, last, entriesRead)
	if g == nil {
		return l.r.corrupt("Duplicated consumer group name %s", name)
	}
	pel, err := l.r.readCount(17)
	if err != nil {
		return err
	}
	for i := 0; i < pel; i++ {
		raw, err := l.r.ReadBytes(16)
		if err != nil {
			return err
		}
		id := rawStreamID(raw)
		dt, err := l.r.ReadUint64LE()
		if err != nil {
			return err
		}
		dc, err := l.r.ReadLen()
		if err != nil {
			return err
		}
		if !g.AddLoadedNACK(id, &keyspace.StreamNACK{DeliveryTime: int64(dt), DeliveryCount: dc}) {
			return l.r.corrupt("Duplicated global PEL entry loading stream consumer group")
		}
	}
	consumers, err := l.r.readCount(10)
	if err != nil {
		return err
	}
	for i := 0; i < consumers; i++ {
		cname, err := l.r.ReadString()
		if err != nil {
			return err
		}
		seen, err := l.r.ReadUint64LE()
		if err != nil {
			return err
		}
		active := seen
		if t >= TypeStreamListpacks3 {
			if active, err = l.r.ReadUint64LE(); err != nil {
				return err
			}
		}
		c := g.CreateConsumer(cname, int64(seen))
		if c == nil {
			return l.r.corrupt("Duplicate stream consumer detected.")
		}
		c.ActiveTime = int64(active)
		cp, err := l.r.readCount(16)
		if err != nil {
			return err
		}
		for j := 0; j < cp; j++ {
			raw, err := l.r.ReadBytes(16)
			if err != nil {
				return err
			}
			found, dup := g.AssignLoadedNACK(rawStreamID(raw), c)
			if !found {
				return l.r.corrupt("Consumer entry not found in group global PEL")
			}
			if dup {
				return l.r.corrupt("Duplicated consumer PEL entry  loading a stream consumer group")
			}
		}
	}
	var orphan bool
	g.PEL.Ascend(keyspace.MinStreamID, func(_ keyspace.StreamID, n *keyspace.StreamNACK) bool {
		orphan = n.Consumer == nil
		return !orphan
	})
	if orphan {
		return l.r.corrupt("Stream CG PEL entry without consumer")
	}
	return nil
}

// rawStreamID decodes a 16-byte big-endian stream ID.
func rawStreamID(b []byte) keyspace.StreamID {
	return keyspace.StreamID{Ms: binary.BigEndian.Uint64(b), Seq: binary.BigEndian.Uint64(b[8:])}
}
