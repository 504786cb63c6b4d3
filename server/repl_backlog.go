package server

// The replication backlog: a ring of the most recent repl-backlog-size
// bytes of the replication stream, from which a replica that lost its
// link resumes with PSYNC (a partial resync) instead of a full one.

// replBacklog is the ring. Offsets are stream offsets as Redis counts
// them: the first byte ever produced has offset 1.
type replBacklog struct {
	buf     []byte // the ring, len(buf) == size
	idx     int    // where the next byte goes
	histlen int64  // valid bytes in the ring (<= size)
	// first is the stream offset of the oldest byte held
	// (repl_backlog_first_byte_offset).
	first int64
}

// newReplBacklog makes an empty backlog of size bytes whose next byte has
// offset next.
func newReplBacklog(size int64, next int64) *replBacklog {
	if size < 1 {
		size = 1
	}
	return &replBacklog{buf: make([]byte, size), first: next}
}

// size is repl_backlog_size.
func (b *replBacklog) size() int64 { return int64(len(b.buf)) }

// feed appends stream bytes, dropping the oldest when full.
func (b *replBacklog) feed(p []byte) {
	n := len(b.buf)
	if len(p) >= n {
		// Only the tail fits: it fills the ring, starting at index 0.
		b.first += b.histlen + int64(len(p)-n)
		copy(b.buf, p[len(p)-n:])
		b.idx = 0
		b.histlen = int64(n)
		return
	}
	for len(p) > 0 {
		k := copy(b.buf[b.idx:], p)
		b.idx = (b.idx + k) % n
		p = p[k:]
		b.histlen += int64(k)
	}
	if over := b.histlen - int64(n); over > 0 {
		b.first += over
		b.histlen = int64(n)
	}
}

// covers reports whether the backlog holds every byte from offset on (an
// offset just past the end is covered: nothing is missing).
func (b *replBacklog) covers(offset int64) bool {
	return offset >= b.first && offset <= b.first+b.histlen
}

// since returns a copy of the bytes from offset to the end; covers(offset)
// must hold.
func (b *replBacklog) since(offset int64) []byte {
	skip := offset - b.first
	count := b.histlen - skip
	out := make([]byte, 0, count)
	n := int64(len(b.buf))
	start := (int64(b.idx) - b.histlen + skip + 2*n) % n
	for count > 0 {
		end := start + count
		if end > n {
			end = n
		}
		out = append(out, b.buf[start:end]...)
		count -= end - start
		start = 0
	}
	return out
}

// resize changes the capacity to size, keeping the newest bytes (as CONFIG
// SET repl-backlog-size does, the history that no longer fits is lost).
func (b *replBacklog) resize(size int64) {
	if size < 1 {
		size = 1
	}
	if size == int64(len(b.buf)) {
		return
	}
	end := b.first + b.histlen
	keep := b.since(b.first)
	*b = replBacklog{buf: make([]byte, size), first: end}
	b.feed(keep)
	b.first = end - b.histlen
}
