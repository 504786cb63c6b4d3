package host

// "Key API for Stream type": StreamAdd, StreamDelete, the stream iterator
// and trimming. StreamIteratorStart materialises the range into a C cursor
// (api_key.h), so NextID and NextField run in C; Stop is C too, Delete is
// one Go call.

/*
#include <errno.h>
#include <stdlib.h>
#include "ctx.h"
#include "api_key.h"
*/
import "C"

import (
	"errors"
	"unsafe"

	"github.com/modhost/modhost/keyspace"
)

// streamNodeSize is stream-node-max-entries' default: approximate trimming
// removes whole nodes, modelled as runs of this many entries from the first.
const streamNodeSize = 100

// streamFor resolves key as a stream with the usual errno contract:
// EINVAL (NULL key), ENOTSUP (empty or another type).
func streamFor(key *C.RedisModuleKey, errno *C.int) (keyRef, *keyspace.Stream, bool) {
	r, ok := resolve(key)
	if !ok {
		*errno = C.EINVAL
		return r, nil, false
	}
	s, ok := r.value().(*keyspace.Stream)
	if !ok {
		*errno = C.ENOTSUP
		return r, nil, false
	}
	return r, s, true
}

// apiStreamAdd implements RedisModule_StreamAdd: appends an entry of
// numfields field/value pairs (argv holds 2*numfields strings) with the ID
// in *id, or a new ID with REDISMODULE_STREAM_ADD_AUTOID (then stored in
// *id when id is not NULL). The stream is created when the key is empty.
// REDISMODULE_ERR with errno EINVAL (bad arguments), ENOTSUP (another
// type), EBADF (not open for writing), EDOM (ID 0-0 or not above the last
// ID) or EFBIG (the stream used the last possible ID).
func apiStreamAdd(key *C.RedisModuleKey, flags C.int, id *C.RedisModuleStreamID, argv **C.RedisModuleString, numfields C.long, mh_errno *C.int) C.int {
	auto := flags&C.REDISMODULE_STREAM_ADD_AUTOID != 0
	r, ok := resolve(key)
	if !ok || (numfields != 0 && argv == nil) || flags&^C.REDISMODULE_STREAM_ADD_AUTOID != 0 || (!auto && id == nil) || numfields < 0 {
		*mh_errno = C.EINVAL
		return C.REDISMODULE_ERR
	}
	v := r.value()
	s, isStream := v.(*keyspace.Stream)
	switch {
	case v != nil && !isStream:
		*mh_errno = C.ENOTSUP
		return C.REDISMODULE_ERR
	case !r.writable():
		*mh_errno = C.EBADF
		return C.REDISMODULE_ERR
	case !auto && id.ms == 0 && id.seq == 0:
		*mh_errno = C.EDOM
		return C.REDISMODULE_ERR
	}
	created := v == nil
	if created {
		s = keyspace.NewStream()
		r.ks.Add(r.db, r.name, s)
	}
	if s.LastID() == keyspace.MaxStreamID {
		*mh_errno = C.EFBIG
		return C.REDISMODULE_ERR
	}
	var fields [][]byte
	if numfields > 0 {
		for _, a := range unsafe.Slice(argv, int(numfields)*2) {
			fields = append(fields, cStringBytes(a))
		}
	}
	want := keyspace.XAddID{Auto: auto}
	if !auto {
		want.ID = keyspace.StreamID{Ms: uint64(id.ms), Seq: uint64(id.seq)}
	}
	got, err := s.Add(want, r.ks.Now(), fields)
	if err != nil {
		*mh_errno = C.EDOM
		if errors.Is(err, keyspace.ErrStreamExhausted) {
			*mh_errno = C.EFBIG
		}
		if created && s.Len() == 0 {
			r.ks.Delete(r.db, r.name)
			r.wrote(nil)
		}
		return C.REDISMODULE_ERR
	}
	if !created {
		key.signalready = 1
	}
	if id != nil {
		id.ms = C.uint64_t(got.Ms)
		id.seq = C.uint64_t(got.Seq)
	}
	r.wrote(s)
	return C.REDISMODULE_OK
}

// apiStreamDelete implements RedisModule_StreamDelete: deletes the
// entry *id. REDISMODULE_ERR with errno EINVAL, ENOTSUP, EBADF (not open
// for writing, or an iterator is active) or ENOENT (no such entry).
func apiStreamDelete(key *C.RedisModuleKey, id *C.RedisModuleStreamID, mh_errno *C.int) C.int {
	if id == nil {
		*mh_errno = C.EINVAL
		return C.REDISMODULE_ERR
	}
	r, s, ok := streamFor(key, mh_errno)
	if !ok {
		return C.REDISMODULE_ERR
	}
	if !r.writable() || key.scur != nil {
		*mh_errno = C.EBADF
		return C.REDISMODULE_ERR
	}
	if !s.Delete(keyspace.StreamID{Ms: uint64(id.ms), Seq: uint64(id.seq)}) {
		*mh_errno = C.ENOENT
		return C.REDISMODULE_ERR
	}
	r.wrote(s)
	return C.REDISMODULE_OK
}

// apiStreamIteratorStart implements RedisModule_StreamIteratorStart:
// starts an iterator over the entries from *start to *end (NULL: the
// stream's ends), newest first with REDISMODULE_STREAM_ITERATOR_REVERSE,
// bounds excluded with REDISMODULE_STREAM_ITERATOR_EXCLUSIVE.
// REDISMODULE_ERR with errno EINVAL (NULL key, unknown flags), ENOTSUP
// (not a stream), EBADF (an iterator is already active) or EDOM (an
// exclusive bound cannot be moved).
func apiStreamIteratorStart(key *C.RedisModuleKey, flags C.int, start, end *C.RedisModuleStreamID, mh_errno *C.int) C.int {
	const allowed = C.REDISMODULE_STREAM_ITERATOR_EXCLUSIVE | C.REDISMODULE_STREAM_ITERATOR_REVERSE
	if key == nil || flags&^allowed != 0 {
		*mh_errno = C.EINVAL
		return C.REDISMODULE_ERR
	}
	_, s, ok := streamFor(key, mh_errno)
	if !ok {
		return C.REDISMODULE_ERR
	}
	if key.scur != nil {
		*mh_errno = C.EBADF
		return C.REDISMODULE_ERR
	}
	lo, hi := keyspace.MinStreamID, keyspace.MaxStreamID
	if start != nil {
		lo = keyspace.StreamID{Ms: uint64(start.ms), Seq: uint64(start.seq)}
	}
	if end != nil {
		hi = keyspace.StreamID{Ms: uint64(end.ms), Seq: uint64(end.seq)}
	}
	if flags&C.REDISMODULE_STREAM_ITERATOR_EXCLUSIVE != 0 {
		okLo, okHi := true, true
		if start != nil {
			lo, okLo = lo.Next()
		}
		if end != nil {
			hi, okHi = hi.Prev()
		}
		if !okLo || !okHi {
			*mh_errno = C.EDOM
			return C.REDISMODULE_ERR
		}
	}
	var ents []keyspace.StreamEntry
	if !hi.Less(lo) {
		s.Range(lo, hi, flags&C.REDISMODULE_STREAM_ITERATOR_REVERSE != 0, -1, func(e keyspace.StreamEntry) bool {
			ents = append(ents, e)
			return true
		})
	}
	key.scur = streamCursor(ents)
	return C.REDISMODULE_OK
}

// streamCursor copies ents into one C allocation laid out as mh_scur.
func streamCursor(ents []keyspace.StreamEntry) *C.mh_scur {
	slots, total := 0, 0
	for _, e := range ents {
		slots += len(e.Fields)
		for _, f := range e.Fields {
			total += len(f)
		}
	}
	hdr := int(unsafe.Sizeof(C.mh_scur{}))
	entSize := int(unsafe.Sizeof(C.mh_sent{}))
	fieldsAt := hdr + entSize*len(ents)
	bytesAt := fieldsAt + slots*2*int(unsafe.Sizeof(C.size_t(0)))
	mem := C.malloc(C.size_t(bytesAt + total + 1))
	if mem == nil {
		panic("out of memory")
	}
	cur := (*C.mh_scur)(mem)
	*cur = C.mh_scur{n: C.size_t(len(ents)), pos: -1}
	cur.ents = (*C.mh_sent)(unsafe.Add(mem, hdr))
	cur.fields = (*C.size_t)(unsafe.Add(mem, fieldsAt))
	cur.bytes = (*C.char)(unsafe.Add(mem, bytesAt))
	cents := unsafe.Slice(cur.ents, len(ents)+1)
	cfields := unsafe.Slice(cur.fields, slots*2+1)
	buf := unsafe.Slice((*byte)(unsafe.Pointer(cur.bytes)), total+1)
	slot, off := 0, 0
	for i, e := range ents {
		cents[i] = C.mh_sent{ms: C.uint64_t(e.ID.Ms), seq: C.uint64_t(e.ID.Seq), nfields: C.size_t(len(e.Fields) / 2), first: C.size_t(slot)}
		for _, f := range e.Fields {
			cfields[slot*2] = C.size_t(off)
			cfields[slot*2+1] = C.size_t(len(f))
			off += copy(buf[off:], f)
			slot++
		}
	}
	return cur
}

// apiStreamIteratorDelete implements RedisModule_StreamIteratorDelete:
// deletes the entry the iterator is on. REDISMODULE_ERR with errno EINVAL,
// ENOTSUP, EBADF (not open for writing, or no iterator) or ENOENT (no
// current entry, or it was already deleted).
func apiStreamIteratorDelete(key *C.RedisModuleKey, mh_errno *C.int) C.int {
	r, s, ok := streamFor(key, mh_errno)
	if !ok {
		return C.REDISMODULE_ERR
	}
	if !r.writable() || key.scur == nil {
		*mh_errno = C.EBADF
		return C.REDISMODULE_ERR
	}
	cur := key.scur
	if cur.cur_ms == 0 && cur.cur_seq == 0 {
		*mh_errno = C.ENOENT
		return C.REDISMODULE_ERR
	}
	s.Delete(keyspace.StreamID{Ms: uint64(cur.cur_ms), Seq: uint64(cur.cur_seq)})
	cur.cur_ms, cur.cur_seq, cur.fieldsleft = 0, 0, 0
	r.wrote(s)
	return C.REDISMODULE_OK
}

// trimChecks applies the trim functions' argument and errno contract.
func trimChecks(key *C.RedisModuleKey, flags C.int, bad bool, errno *C.int) (keyRef, *keyspace.Stream, bool) {
	if key == nil || flags&^C.REDISMODULE_STREAM_TRIM_APPROX != 0 || bad {
		*errno = C.EINVAL
		return keyRef{}, nil, false
	}
	r, s, ok := streamFor(key, errno)
	if !ok {
		return r, nil, false
	}
	if !r.writable() {
		*errno = C.EBADF
		return r, nil, false
	}
	return r, s, true
}

// trimApprox removes whole modelled nodes while keep says the node may go,
// at most limit entries, and returns how many were removed.
func trimApprox(s *keyspace.Stream, limit int, keep func(last keyspace.StreamID, n int) bool) int {
	deleted := 0
	for s.Len() > 0 {
		var last keyspace.StreamID
		n := 0
		s.Range(keyspace.MinStreamID, keyspace.MaxStreamID, false, streamNodeSize, func(e keyspace.StreamEntry) bool {
			last = e.ID
			n++
			return true
		})
		if deleted+n > limit || keep(last, n) {
			break
		}
		if next, ok := last.Next(); ok {
			s.TrimMinID(next)
		} else {
			s.TrimMaxLen(0)
		}
		deleted += n
	}
	return deleted
}

// apiStreamTrimByLength implements RedisModule_StreamTrimByLength: trims
// the stream to length entries (with REDISMODULE_STREAM_TRIM_APPROX, only
// whole nodes, possibly leaving more) and returns the number removed, or
// -1 with errno EINVAL (bad arguments), ENOTSUP or EBADF.
func apiStreamTrimByLength(key *C.RedisModuleKey, flags C.int, length C.longlong, mh_errno *C.int) C.longlong {
	r, s, ok := trimChecks(key, flags, length < 0, mh_errno)
	if !ok {
		return -1
	}
	var n int
	if flags&C.REDISMODULE_STREAM_TRIM_APPROX != 0 {
		n = trimApprox(s, 100*streamNodeSize, func(_ keyspace.StreamID, k int) bool {
			return int64(s.Len()-k) < int64(length)
		})
	} else {
		n = s.TrimMaxLen(int(min(int64(length), int64(s.Len()))))
	}
	r.wrote(s)
	return C.longlong(n)
}

// apiStreamTrimByID implements RedisModule_StreamTrimByID: removes the
// entries with an ID below *id (APPROX: whole nodes only) and returns the
// number removed, or -1 with errno EINVAL, ENOTSUP or EBADF.
func apiStreamTrimByID(key *C.RedisModuleKey, flags C.int, id *C.RedisModuleStreamID, mh_errno *C.int) C.longlong {
	r, s, ok := trimChecks(key, flags, id == nil, mh_errno)
	if !ok {
		return -1
	}
	minID := keyspace.StreamID{Ms: uint64(id.ms), Seq: uint64(id.seq)}
	var n int
	if flags&C.REDISMODULE_STREAM_TRIM_APPROX != 0 {
		n = trimApprox(s, 100*streamNodeSize, func(last keyspace.StreamID, _ int) bool {
			return !last.Less(minID)
		})
	} else {
		n = s.TrimMinID(minID)
	}
	r.wrote(s)
	return C.longlong(n)
}
