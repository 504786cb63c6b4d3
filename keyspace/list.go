package keyspace

// List is a list value: a ring-buffer deque with O(1) push/pop at both ends
// and O(1) indexing. Elements are stored as private copies. It reports
// "listpack" while its estimated listpack size is within
// list-max-listpack-size (default -2: 8 KiB; a positive value is an entry
// count) and "quicklist" after that, converting back when it shrinks to
// half the limit, as Redis 7.2 does.
type List struct {
	buf    [][]byte // ring; len(buf) is 0 or a power of two
	head   int
	n      int
	lpSize int // sum of lpEntrySize over the elements
	quick  bool
	lim    *Limits
}

// NewList returns an empty list using lim (nil means DefaultLimits).
func NewList(lim *Limits) *List { return &List{lim: limitsOr(lim)} }

// Kind returns KindList.
func (l *List) Kind() Kind { return KindList }

// Encoding returns "listpack" or "quicklist".
func (l *List) Encoding() string {
	if l.quick {
		return "quicklist"
	}
	return "listpack"
}

// MemUsage estimates the listpack bytes plus per-node overhead.
func (l *List) MemUsage() int {
	if !l.quick {
		return 16 + lpOverhead + l.lpSize
	}
	return 16 + 48 + l.lpSize + (l.lpSize/8192+1)*(32+lpOverhead)
}

// Clone returns a deep copy.
func (l *List) Clone() Value {
	c := &List{lim: l.lim, quick: l.quick}
	l.Range(0, -1, func(b []byte) bool { c.PushBack(b); return true })
	c.quick = l.quick
	return c
}

// Len returns the number of elements (LLEN).
func (l *List) Len() int { return l.n }

func (l *List) slot(i int) *[]byte { return &l.buf[(l.head+i)&(len(l.buf)-1)] }

func (l *List) grow() {
	if l.n < len(l.buf) {
		return
	}
	nb := make([][]byte, max(4, len(l.buf)*2))
	for i := 0; i < l.n; i++ {
		nb[i] = *l.slot(i)
	}
	l.buf, l.head = nb, 0
}

func (l *List) added(b []byte) {
	l.lpSize += lpEntrySize(b)
	if !l.quick && listExceeds(l.lim.ListMaxListpackSize, lpOverhead+l.lpSize, l.n) {
		l.quick = true
	}
}

func (l *List) removed(b []byte) {
	l.lpSize -= lpEntrySize(b)
	l.maybeShrink()
}

// maybeShrink converts back to listpack when the list fits in half a node
// (Redis's listTypeTryConvertQuicklist).
func (l *List) maybeShrink() {
	if !l.quick {
		return
	}
	fill, size := l.lim.ListMaxListpackSize, l.lpSize+lpOverhead
	if fill >= 0 {
		l.quick = !(l.n <= max(fill, 1)/2 && size <= 8192)
	} else {
		l.quick = size > (4096<<(min(-fill, 5)-1))/2
	}
}

// listExceeds is quicklistNodeExceedsLimit for a whole listpack.
func listExceeds(fill, size, count int) bool {
	if fill >= 0 {
		if fill == 0 {
			fill = 1
		}
		return size > 8192 || count > fill
	}
	return size > 4096<<(min(-fill, 5)-1)
}

// PushFront inserts a copy of b at the head (LPUSH).
func (l *List) PushFront(b []byte) {
	l.grow()
	l.head = (l.head - 1) & (len(l.buf) - 1)
	c := append([]byte(nil), b...)
	l.buf[l.head] = c
	l.n++
	l.added(c)
}

// PushBack appends a copy of b at the tail (RPUSH).
func (l *List) PushBack(b []byte) {
	l.grow()
	c := append([]byte(nil), b...)
	*l.slot(l.n) = c
	l.n++
	l.added(c)
}

// PopFront removes and returns the head element (now owned by the caller).
func (l *List) PopFront() ([]byte, bool) {
	if l.n == 0 {
		return nil, false
	}
	s := l.slot(0)
	b := *s
	*s = nil
	l.head = (l.head + 1) & (len(l.buf) - 1)
	l.n--
	l.removed(b)
	return b, true
}

// PopBack removes and returns the tail element (now owned by the caller).
func (l *List) PopBack() ([]byte, bool) {
	if l.n == 0 {
		return nil, false
	}
	s := l.slot(l.n - 1)
	b := *s
	*s = nil
	l.n--
	l.removed(b)
	return b, true
}

// norm turns a Redis index (negative counts from the tail) into 0..n-1.
func (l *List) norm(i int64) (int, bool) {
	if i < 0 {
		i += int64(l.n)
	}
	if i < 0 || i >= int64(l.n) {
		return 0, false
	}
	return int(i), true
}

// Index returns the element at i (LINDEX), aliasing the stored copy.
func (l *List) Index(i int64) ([]byte, bool) {
	j, ok := l.norm(i)
	if !ok {
		return nil, false
	}
	return *l.slot(j), true
}

// Set replaces the element at i with a copy of b (LSET); false if out of
// range.
func (l *List) Set(i int64, b []byte) bool {
	j, ok := l.norm(i)
	if !ok {
		return false
	}
	s := l.slot(j)
	l.lpSize -= lpEntrySize(*s)
	*s = append([]byte(nil), b...)
	l.added(*s)
	return true
}

// rangeBounds clamps start/stop (inclusive, negative from the tail) as
// LRANGE/LTRIM do; ok is false for an empty range.
func rangeBounds(start, stop int64, n int) (int, int, bool) {
	ln := int64(n)
	if start < 0 {
		start = max(ln+start, 0)
	}
	if stop < 0 {
		stop += ln
	}
	if stop >= ln {
		stop = ln - 1
	}
	if start > stop || start >= ln {
		return 0, 0, false
	}
	return int(start), int(stop), true
}

// Range calls fn for elements start..stop (LRANGE rules) until it returns
// false. fn must not modify the list.
func (l *List) Range(start, stop int64, fn func(b []byte) bool) {
	s, e, ok := rangeBounds(start, stop, l.n)
	if !ok {
		return
	}
	for i := s; i <= e; i++ {
		if !fn(*l.slot(i)) {
			return
		}
	}
}

// Each calls fn(index, element) from the head, or from the tail when
// reverse, until fn returns false (LPOS).
func (l *List) Each(reverse bool, fn func(i int, b []byte) bool) {
	for k := 0; k < l.n; k++ {
		i := k
		if reverse {
			i = l.n - 1 - k
		}
		if !fn(i, *l.slot(i)) {
			return
		}
	}
}

// Insert puts a copy of val before (or after) the first element equal to
// pivot (LINSERT) and returns the new length, or -1 when pivot is absent.
func (l *List) Insert(pivot, val []byte, after bool) int {
	for i := 0; i < l.n; i++ {
		if string(*l.slot(i)) != string(pivot) {
			continue
		}
		if after {
			i++
		}
		l.grow()
		l.n++
		for j := l.n - 1; j > i; j-- {
			*l.slot(j) = *l.slot(j - 1)
		}
		c := append([]byte(nil), val...)
		*l.slot(i) = c
		l.added(c)
		return l.n
	}
	return -1
}

// Remove deletes elements equal to val (LREM): the first count from the head
// when count > 0, from the tail when count < 0, all when 0. It returns the
// number removed.
func (l *List) Remove(count int64, val []byte) int {
	limit := count
	if limit < 0 {
		limit = -limit
	}
	del := make([]bool, l.n)
	found := 0
	l.Each(count < 0, func(i int, b []byte) bool {
		if string(b) == string(val) {
			del[i] = true
			found++
		}
		return limit == 0 || int64(found) < limit
	})
	if found == 0 {
		return 0
	}
	w := 0
	for r := 0; r < l.n; r++ {
		b := *l.slot(r)
		if del[r] {
			l.lpSize -= lpEntrySize(b)
			continue
		}
		*l.slot(w) = b
		w++
	}
	for i := w; i < l.n; i++ {
		*l.slot(i) = nil
	}
	l.n = w
	l.maybeShrink()
	return found
}

// Trim keeps only elements start..stop (LTRIM rules).
func (l *List) Trim(start, stop int64) {
	s, e, ok := rangeBounds(start, stop, l.n)
	if !ok {
		s, e = 0, -1
	}
	for i := l.n - 1; i > e; i-- {
		l.PopBack()
	}
	for i := 0; i < s; i++ {
		l.PopFront()
	}
}
