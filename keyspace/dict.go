package keyspace

import (
	"hash/maphash"
	"math/bits"
	"math/rand/v2"
	"unsafe"
)

// hashSeed is the process-wide seed of every table's hash function.
var hashSeed = maphash.MakeSeed()

// bstr views b as a string without copying. The result must not be retained
// past the call that received b; anything stored is cloned first.
func bstr(b []byte) string {
	return unsafe.String(unsafe.SliceData(b), len(b))
}

// dict is a chained hash table with a power-of-two bucket array, the shape of
// Redis's dict. It exists (instead of a Go map) for two reasons: a
// reverse-binary cursor over its buckets gives SCAN its guarantee (a key that
// is present for the whole iteration is returned at least once, whatever is
// added or removed between calls, even across resizes), and its entries live
// in a few large arrays, which keeps the per-key overhead small.
//
// Entries are stored in chunks of chunkSize (the first chunk grows like a
// slice up to that size), so a large table never copies its entries to
// grow and never holds an old and a new entry array at once.
//
// Entries are addressed by their index; indexes are only stable until the
// next insert or remove (a shrink compacts the entries).
type dict[V any] struct {
	buckets []int32 // head entry index + 1 per bucket; 0 means empty
	chunks  [][]dent[V]
	used    int32 // entry slots handed out (the high-water mark)
	free    int32 // head of the free-entry list, index + 1; 0 means none
	n       int
}

// Entry chunk geometry.
const (
	chunkBits = 12
	chunkSize = 1 << chunkBits
	chunkMask = chunkSize - 1
)

// dent is one table entry.
type dent[V any] struct {
	key  string
	val  V
	next int32  // next entry in the chain (or free list), index + 1
	meta uint32 // owner-defined (the keyspace keeps LRU/LFU here)
}

// Len returns the number of entries.
func (d *dict[V]) Len() int { return d.n }

func (d *dict[V]) bucketOf(key string) int {
	return int(maphash.String(hashSeed, key) & uint64(len(d.buckets)-1))
}

// find returns the index of key's entry, or -1.
func (d *dict[V]) find(key string) int32 {
	if d.n == 0 {
		return -1
	}
	for i := d.buckets[d.bucketOf(key)]; i != 0; {
		e := d.at(i - 1)
		if e.key == key {
			return i - 1
		}
		i = e.next
	}
	return -1
}

// at returns entry i.
func (d *dict[V]) at(i int32) *dent[V] {
	return &d.chunks[i>>chunkBits][i&chunkMask]
}

// slots returns the number of entry slots in use or on the free list.
func (d *dict[V]) slots() int { return int(d.used) }

// newSlot returns the index of a fresh, zeroed entry slot at the end.
func (d *dict[V]) newSlot() int32 {
	i := d.used
	c := int(i >> chunkBits)
	if c == len(d.chunks) {
		size := chunkSize
		if c == 0 {
			size = 4
		}
		d.chunks = append(d.chunks, make([]dent[V], 0, size))
	}
	ch := d.chunks[c]
	if len(ch) == cap(ch) {
		// Only the first chunk starts small: double it, up to chunkSize.
		nc := make([]dent[V], len(ch), min(2*cap(ch), chunkSize))
		copy(nc, ch)
		ch = nc
	}
	d.chunks[c] = append(ch, dent[V]{})
	d.used++
	return i
}

// insert adds key, which must be absent and owned by the table, and returns
// its entry index.
func (d *dict[V]) insert(key string, val V) int32 {
	if d.n >= len(d.buckets) {
		d.rehash(max(4, len(d.buckets)*2), false)
	}
	var i int32
	if d.free != 0 {
		i = d.free - 1
		d.free = d.at(i).next
	} else {
		i = d.newSlot()
	}
	b := d.bucketOf(key)
	*d.at(i) = dent[V]{key: key, val: val, next: d.buckets[b]}
	d.buckets[b] = i + 1
	d.n++
	return i
}

// remove deletes key and returns its value.
func (d *dict[V]) remove(key string) (V, bool) {
	var zero V
	if d.n == 0 {
		return zero, false
	}
	b := d.bucketOf(key)
	prev := int32(0)
	for i := d.buckets[b]; i != 0; i = d.at(i - 1).next {
		e := d.at(i - 1)
		if e.key != key {
			prev = i
			continue
		}
		if prev == 0 {
			d.buckets[b] = e.next
		} else {
			d.at(prev - 1).next = e.next
		}
		v := e.val
		*e = dent[V]{next: d.free}
		d.free = i
		d.n--
		d.maybeShrink()
		return v, true
	}
	return zero, false
}

// maybeShrink halves the table (and compacts the entry slice) when it is
// less than 1/8 full, as Redis does.
func (d *dict[V]) maybeShrink() {
	if d.n == 0 {
		*d = dict[V]{}
		return
	}
	if len(d.buckets) > 4 && d.n*8 < len(d.buckets) {
		size := 4
		for size < d.n {
			size *= 2
		}
		d.rehash(size, true)
	}
}

// rehash rebuilds the bucket array with size buckets; compact also rebuilds
// the entry slice without free slots.
func (d *dict[V]) rehash(size int, compact bool) {
	old := d.buckets
	d.buckets = make([]int32, size)
	if compact {
		src := *d
		d.chunks, d.used, d.free = nil, 0, 0
		for _, h := range old {
			for i := h; i != 0; i = src.at(i - 1).next {
				j := d.newSlot()
				e := d.at(j)
				*e = *src.at(i - 1)
				b := d.bucketOf(e.key)
				e.next = d.buckets[b]
				d.buckets[b] = j + 1
			}
		}
		return
	}
	for _, h := range old {
		for i := h; i != 0; {
			e := d.at(i - 1)
			next := e.next
			b := d.bucketOf(e.key)
			e.next = d.buckets[b]
			d.buckets[b] = i
			i = next
		}
	}
}

// scanStep visits one bucket (the one cursor designates), calling fn with
// each entry index, and returns the next cursor (0 when the scan is over).
// fn must not modify the table.
func (d *dict[V]) scanStep(cursor uint64, fn func(i int32)) uint64 {
	if d.n == 0 {
		return 0
	}
	mask := uint64(len(d.buckets) - 1)
	for i := d.buckets[cursor&mask]; i != 0; {
		next := d.at(i - 1).next
		fn(i - 1)
		i = next
	}
	cursor |= ^mask
	cursor = bits.Reverse64(cursor)
	cursor++
	return bits.Reverse64(cursor)
}

// scan visits buckets from cursor until at least count entries were seen or
// count*10 buckets were visited, and returns the next cursor.
func (d *dict[V]) scan(cursor uint64, count int, fn func(i int32)) uint64 {
	if count < 1 {
		count = 1
	}
	seen, steps := 0, 0
	for {
		cursor = d.scanStep(cursor, func(i int32) { seen++; fn(i) })
		steps++
		if cursor == 0 || seen >= count || steps >= count*10 {
			return cursor
		}
	}
}

// random returns the index of a random entry, or -1 when empty.
func (d *dict[V]) random(r *rand.Rand) int32 {
	if d.n == 0 {
		return -1
	}
	for {
		h := d.buckets[r.IntN(len(d.buckets))]
		if h == 0 {
			continue
		}
		n := 0
		for i := h; i != 0; i = d.at(i - 1).next {
			n++
		}
		k := r.IntN(n)
		i := h
		for ; k > 0; k-- {
			i = d.at(i - 1).next
		}
		return i - 1
	}
}

// each calls fn for every entry until it returns false. fn must not modify
// the table.
func (d *dict[V]) each(fn func(e *dent[V]) bool) {
	for _, h := range d.buckets {
		for i := h; i != 0; i = d.at(i - 1).next {
			if !fn(d.at(i - 1)) {
				return
			}
		}
	}
}
