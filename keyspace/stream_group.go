package keyspace

import (
	"maps"
	"slices"

	"github.com/google/btree"
)

// InvalidEntriesRead is a group's entries-read counter when it is unknown
// (Redis's SCG_INVALID_ENTRIES_READ); XINFO shows it as null.
const InvalidEntriesRead = -1

// StreamNACK is one pending entry of a consumer group: delivered to
// Consumer and not acknowledged yet. The group's PEL and the owner's PEL
// share it.
type StreamNACK struct {
	// DeliveryTime is the unix time in ms of the last delivery.
	DeliveryTime int64
	// DeliveryCount is the number of times the entry was delivered.
	DeliveryCount uint64
	// Consumer owns the entry (nil only while an RDB group is being read).
	Consumer *StreamConsumer
}

// pelItem is a PEL B-tree item: an entry ID and its NACK.
type pelItem struct {
	id   StreamID
	nack *StreamNACK
}

// PEL is a pending entries list ordered by ID.
type PEL struct {
	t *btree.BTreeG[pelItem]
}

func newPEL() *PEL {
	return &PEL{t: btree.NewG(8, func(a, b pelItem) bool { return a.id.Less(b.id) })}
}

// Len returns the number of pending entries.
func (p *PEL) Len() int { return p.t.Len() }

// Get returns the NACK of id.
func (p *PEL) Get(id StreamID) (*StreamNACK, bool) {
	it, ok := p.t.Get(pelItem{id: id})
	return it.nack, ok
}

// set stores n under id, replacing any NACK there.
func (p *PEL) set(id StreamID, n *StreamNACK) { p.t.ReplaceOrInsert(pelItem{id, n}) }

// remove deletes id.
func (p *PEL) remove(id StreamID) { p.t.Delete(pelItem{id: id}) }

// First returns the smallest pending ID.
func (p *PEL) First() (StreamID, bool) {
	it, ok := p.t.Min()
	return it.id, ok
}

// Last returns the largest pending ID.
func (p *PEL) Last() (StreamID, bool) {
	it, ok := p.t.Max()
	return it.id, ok
}

// Ascend calls fn for pending entries with ID >= from, in order, until fn
// returns false. fn must not change the PEL.
func (p *PEL) Ascend(from StreamID, fn func(id StreamID, n *StreamNACK) bool) {
	p.t.AscendGreaterOrEqual(pelItem{id: from}, func(it pelItem) bool { return fn(it.id, it.nack) })
}

// StreamConsumer is a consumer of a group.
type StreamConsumer struct {
	// Name is the consumer name.
	Name string
	// SeenTime is the unix time in ms of the last attempted interaction
	// (XREADGROUP, XCLAIM, XAUTOCLAIM).
	SeenTime int64
	// ActiveTime is the unix time in ms of the last successful interaction
	// (entries read or claimed), -1 if none.
	ActiveTime int64
	// PEL holds the entries delivered to this consumer.
	PEL *PEL
}

// ConsumerGroup is a stream consumer group.
type ConsumerGroup struct {
	// Name is the group name.
	Name string
	// LastID is the last delivered ID.
	LastID StreamID
	// EntriesRead is the logical read counter, InvalidEntriesRead if unknown.
	EntriesRead int64
	// PEL holds every pending entry of the group.
	PEL       *PEL
	consumers map[string]*StreamConsumer
}

// Consumer returns the consumer called name, or nil.
func (g *ConsumerGroup) Consumer(name []byte) *StreamConsumer { return g.consumers[string(name)] }

// NumConsumers returns the number of consumers.
func (g *ConsumerGroup) NumConsumers() int { return len(g.consumers) }

// Consumers returns the consumers ordered by name (Redis's rax order).
func (g *ConsumerGroup) Consumers() []*StreamConsumer { return valuesByName(g.consumers) }

// CreateConsumer adds a consumer seen at nowMs; nil if it exists.
func (g *ConsumerGroup) CreateConsumer(name []byte, nowMs int64) *StreamConsumer {
	if _, ok := g.consumers[string(name)]; ok {
		return nil
	}
	c := &StreamConsumer{Name: string(name), SeenTime: nowMs, ActiveTime: -1, PEL: newPEL()}
	g.consumers[c.Name] = c
	return c
}

// DeleteConsumer removes a consumer and its pending entries from the group
// PEL, and returns how many entries it had pending (-1: no such consumer).
func (g *ConsumerGroup) DeleteConsumer(name []byte) int {
	c := g.consumers[string(name)]
	if c == nil {
		return -1
	}
	n := c.PEL.Len()
	c.PEL.Ascend(MinStreamID, func(id StreamID, _ *StreamNACK) bool {
		g.PEL.remove(id)
		return true
	})
	delete(g.consumers, c.Name)
	return n
}

// Ack removes id from the group PEL and its owner's, reporting whether it
// was pending.
func (g *ConsumerGroup) Ack(id StreamID) bool {
	n, ok := g.PEL.Get(id)
	if !ok {
		return false
	}
	g.PEL.remove(id)
	if n.Consumer != nil {
		n.Consumer.PEL.remove(id)
	}
	return true
}

// Deliver records that id was delivered to c at nowMs (XREADGROUP without
// NOACK): a new NACK, or an existing one moved to c with its count reset.
func (g *ConsumerGroup) Deliver(id StreamID, c *StreamConsumer, nowMs int64) {
	if old, ok := g.PEL.Get(id); ok && old.Consumer != nil {
		old.Consumer.PEL.remove(id)
	}
	n := &StreamNACK{DeliveryTime: nowMs, DeliveryCount: 1, Consumer: c}
	g.PEL.set(id, n)
	c.PEL.set(id, n)
}

// Claim gives the pending entry n of id to c (XCLAIM, XAUTOCLAIM); n may
// be a new NACK (FORCE), which is then added to the group PEL.
func (g *ConsumerGroup) Claim(id StreamID, n *StreamNACK, c *StreamConsumer) {
	if n.Consumer == c {
		return
	}
	if n.Consumer != nil {
		n.Consumer.PEL.remove(id)
	}
	g.PEL.set(id, n)
	c.PEL.set(id, n)
	n.Consumer = c
}

// AddLoadedNACK adds a NACK without owner to the group PEL (RDB loading);
// false if id is already there.
func (g *ConsumerGroup) AddLoadedNACK(id StreamID, n *StreamNACK) bool {
	if _, ok := g.PEL.Get(id); ok {
		return false
	}
	g.PEL.set(id, n)
	return true
}

// AssignLoadedNACK gives the group's NACK of id to c (RDB loading); it
// reports ok false when the group has no such NACK and dup when c already
// has it.
func (g *ConsumerGroup) AssignLoadedNACK(id StreamID, c *StreamConsumer) (ok, dup bool) {
	n, found := g.PEL.Get(id)
	if !found {
		return false, false
	}
	if _, have := c.PEL.Get(id); have {
		return true, true
	}
	n.Consumer = c
	c.PEL.set(id, n)
	return true, false
}

// Group returns the group called name, or nil.
func (s *Stream) Group(name []byte) *ConsumerGroup { return s.groups[string(name)] }

// NumGroups returns the number of consumer groups.
func (s *Stream) NumGroups() int { return len(s.groups) }

// Groups returns the groups ordered by name (Redis's rax order).
func (s *Stream) Groups() []*ConsumerGroup { return valuesByName(s.groups) }

// valuesByName returns m's values ordered by their keys, the names (rax
// order is byte order).
func valuesByName[T any](m map[string]T) []T {
	out := make([]T, 0, len(m))
	for _, name := range slices.Sorted(maps.Keys(m)) {
		out = append(out, m[name])
	}
	return out
}

// CreateGroup adds a group with its last delivered ID and read counter;
// nil if a group with that name exists.
func (s *Stream) CreateGroup(name []byte, last StreamID, entriesRead int64) *ConsumerGroup {
	if _, ok := s.groups[string(name)]; ok {
		return nil
	}
	if s.groups == nil {
		s.groups = map[string]*ConsumerGroup{}
	}
	g := &ConsumerGroup{Name: string(name), LastID: last, EntriesRead: entriesRead,
		PEL: newPEL(), consumers: map[string]*StreamConsumer{}}
	s.groups[g.Name] = g
	return g
}

// DestroyGroup removes a group and reports whether it existed.
func (s *Stream) DestroyGroup(name []byte) bool {
	if _, ok := s.groups[string(name)]; !ok {
		return false
	}
	delete(s.groups, string(name))
	return true
}

// cloneGroups deep-copies the groups of s into c, sharing nothing.
func (s *Stream) cloneGroups(c *Stream) {
	for _, g := range s.groups {
		ng := c.CreateGroup([]byte(g.Name), g.LastID, g.EntriesRead)
		nacks := map[*StreamNACK]*StreamNACK{}
		g.PEL.Ascend(MinStreamID, func(id StreamID, n *StreamNACK) bool {
			cp := *n
			cp.Consumer = nil
			nacks[n] = &cp
			ng.PEL.set(id, &cp)
			return true
		})
		for _, cons := range g.consumers {
			nc := ng.CreateConsumer([]byte(cons.Name), cons.SeenTime)
			nc.ActiveTime = cons.ActiveTime
			cons.PEL.Ascend(MinStreamID, func(id StreamID, n *StreamNACK) bool {
				cp := nacks[n]
				cp.Consumer = nc
				nc.PEL.set(id, cp)
				return true
			})
		}
	}
}

// groupsMemUsage estimates the bytes used by the groups.
func (s *Stream) groupsMemUsage() int {
	n := 0
	for _, g := range s.groups {
		n += 96 + len(g.Name) + 48*g.PEL.Len()
		for _, c := range g.consumers {
			n += 64 + len(c.Name) + 24*c.PEL.Len()
		}
	}
	return n
}

// EntriesReadOf returns the logical read counter of id, Redis's
// streamEstimateDistanceFromFirstEverEntry: exact for the last ID, derived
// for IDs at or before the first entry when nothing was deleted inside the
// stream, else InvalidEntriesRead.
func (s *Stream) EntriesReadOf(id StreamID) int64 {
	if s.entriesAdded == 0 {
		return 0
	}
	if s.Len() == 0 && id.Compare(s.last) <= 0 {
		return int64(s.entriesAdded)
	}
	switch cmp := id.Compare(s.last); {
	case cmp == 0:
		return int64(s.entriesAdded)
	case cmp > 0:
		return InvalidEntriesRead
	}
	first := s.firstID()
	if s.maxDeleted == MinStreamID || s.maxDeleted.Less(first) {
		switch id.Compare(first) {
		case -1:
			return int64(s.entriesAdded) - int64(s.Len())
		case 0:
			return int64(s.entriesAdded) - int64(s.Len()) + 1
		}
	}
	return InvalidEntriesRead
}

// firstID is the first entry's ID, 0-0 when empty.
func (s *Stream) firstID() StreamID {
	e, _ := s.First()
	return e.ID
}

// RangeHasTombstones reports whether a deleted entry may lie at or after
// start (Redis's streamRangeHasTombstones with an open end).
func (s *Stream) RangeHasTombstones(start StreamID) bool {
	if s.Len() == 0 || s.maxDeleted == MinStreamID {
		return false
	}
	if s.firstID().Compare(s.maxDeleted) > 0 {
		return false
	}
	return start.Compare(s.maxDeleted) <= 0
}

// GroupLag returns the number of entries not yet delivered to g, ok false
// when it can't be known (XINFO shows null).
func (s *Stream) GroupLag(g *ConsumerGroup) (int64, bool) {
	if s.entriesAdded == 0 {
		return 0, true
	}
	if g.EntriesRead != InvalidEntriesRead && !s.RangeHasTombstones(g.LastID) {
		return int64(s.entriesAdded) - g.EntriesRead, true
	}
	if er := s.EntriesReadOf(g.LastID); er != InvalidEntriesRead {
		return int64(s.entriesAdded) - er, true
	}
	return 0, false
}

// AdvanceGroup moves g's last delivered ID to id (an entry being
// delivered above it), keeping its read counter as Redis does.
func (s *Stream) AdvanceGroup(g *ConsumerGroup, id StreamID) {
	if !g.LastID.Less(id) {
		return
	}
	if g.EntriesRead != InvalidEntriesRead && !s.RangeHasTombstones(id) {
		g.EntriesRead++
	} else if s.entriesAdded != 0 {
		g.EntriesRead = s.EntriesReadOf(id)
	}
	g.LastID = id
}
