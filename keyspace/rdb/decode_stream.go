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

// readGroup reads one consumer group; modhost keeps its cursor only (the
// PEL and consumers are read and dropped).
func (l *loader) readGroup(s *keyspace.Stream, t byte) error {
	name, err := l.strCopy()
	if err != nil {
		return err
	}
	var g keyspace.ConsumerGroup
	ms, err := l.r.ReadLen()
	if err != nil {
		return err
	}
	seq, err := l.r.ReadLen()
	if err != nil {
		return err
	}
	g.LastID = keyspace.StreamID{Ms: ms, Seq: seq}
	g.EntriesRead = -1
	if t >= TypeStreamListpacks2 {
		er, err := l.r.ReadLen()
		if err != nil {
			return err
		}
		g.EntriesRead = int64(er)
	}
	if s.Groups == nil {
		s.Groups = map[string]*keyspace.ConsumerGroup{}
	}
	if _, dup := s.Groups[string(name)]; dup {
		return l.r.corrupt("Duplicated consumer group name %s", name)
	}
	s.Groups[string(name)] = &g
	pel, err := l.r.readCount(17)
	if err != nil {
		return err
	}
	for i := 0; i < pel; i++ {
		if _, err := l.r.ReadBytes(24); err != nil { // raw ID + delivery time
			return err
		}
		if _, err := l.r.ReadLen(); err != nil { // delivery count
			return err
		}
	}
	consumers, err := l.r.readCount(10)
	if err != nil {
		return err
	}
	for i := 0; i < consumers; i++ {
		if _, err := l.r.ReadString(); err != nil {
			return err
		}
		times := 8
		if t >= TypeStreamListpacks3 {
			times = 16
		}
		if _, err := l.r.ReadBytes(times); err != nil {
			return err
		}
		cp, err := l.r.readCount(16)
		if err != nil {
			return err
		}
		if _, err := l.r.ReadBytes(16 * cp); err != nil {
			return err
		}
	}
	return nil
}
