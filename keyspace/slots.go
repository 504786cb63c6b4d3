package keyspace

// Redis Cluster's hash slots: the key→slot function and, when enabled, a
// per-slot index of database 0's keys so that CLUSTER COUNTKEYSINSLOT and
// GETKEYSINSLOT (and MIGRATE-based resharding) do not scan the keyspace.
// Without cluster mode the index is nil and costs one nil test per key
// insert or removal.

// NumSlots is the number of hash slots of Redis Cluster.
const NumSlots = 16384

// crc16tab is CRC16-CCITT (XMODEM, polynomial 0x1021), built at start-up.
var crc16tab = func() (t [256]uint16) {
	for i := range t {
		c := uint16(i) << 8
		for j := 0; j < 8; j++ {
			if c&0x8000 != 0 {
				c = c<<1 ^ 0x1021
			} else {
				c <<= 1
			}
		}
		t[i] = c
	}
	return
}()

func crc16(b []byte) uint16 {
	var c uint16
	for _, x := range b {
		c = c<<8 ^ crc16tab[byte(c>>8)^x]
	}
	return c
}

// KeySlot returns key's hash slot as Redis computes it: the CRC16 of the
// key, or of the part between the first '{' and the next '}' when that
// part is not empty (a hash tag), modulo 16384.
func KeySlot(key []byte) int {
	for i, b := range key {
		if b != '{' {
			continue
		}
		for j := i + 1; j < len(key); j++ {
			if key[j] == '}' {
				if j == i+1 {
					break // empty tag: hash the whole key
				}
				return int(crc16(key[i+1:j]) & (NumSlots - 1))
			}
		}
		break
	}
	return int(crc16(key) & (NumSlots - 1))
}

// slotIndex maps each slot to its keys (database 0 only: cluster mode has
// one database).
type slotIndex struct {
	keys [NumSlots]map[string]struct{}
}

func (x *slotIndex) add(key string) {
	s := KeySlot(sbytes(key))
	m := x.keys[s]
	if m == nil {
		m = map[string]struct{}{}
		x.keys[s] = m
	}
	m[key] = struct{}{}
}

func (x *slotIndex) del(key []byte) {
	s := KeySlot(key)
	if m := x.keys[s]; m != nil {
		delete(m, bstr(key))
		if len(m) == 0 {
			x.keys[s] = nil
		}
	}
}

// EnableSlotIndex starts keeping the per-slot key index of database 0
// (cluster mode), indexing the keys already present.
func (ks *Keyspace) EnableSlotIndex() {
	if ks.slots != nil {
		return
	}
	x := &slotIndex{}
	ks.dbs[0].d.each(func(e *dent[dbval]) bool {
		x.add(e.key)
		return true
	})
	ks.slots = x
}

// SlotIndexed reports whether the per-slot index is kept.
func (ks *Keyspace) SlotIndexed() bool { return ks.slots != nil }

// CountKeysInSlot returns how many keys of database 0 hash to slot (0
// without the index).
func (ks *Keyspace) CountKeysInSlot(slot int) int {
	if ks.slots == nil || slot < 0 || slot >= NumSlots {
		return 0
	}
	return len(ks.slots.keys[slot])
}

// KeysInSlot returns up to count keys of database 0 that hash to slot, in
// no particular order (nil without the index).
func (ks *Keyspace) KeysInSlot(slot, count int) [][]byte {
	if ks.slots == nil || slot < 0 || slot >= NumSlots {
		return nil
	}
	var out [][]byte
	for k := range ks.slots.keys[slot] {
		if len(out) >= count {
			break
		}
		out = append(out, []byte(k))
	}
	return out
}

// reindexSlots rebuilds the index after database 0 was replaced as a whole
// (FLUSHDB, SWAPDB).
func (ks *Keyspace) reindexSlots() {
	if ks.slots == nil {
		return
	}
	ks.slots = nil
	ks.EnableSlotIndex()
}
