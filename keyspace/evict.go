package keyspace

import "sort"

// Eviction under maxmemory: the candidates are chosen as Redis's
// evict.c does (the algorithm, not its code): each call samples a few keys
// per database, scores them (idle time, inverted LFU counter, or how soon
// the TTL ends) and keeps the best in a small pool that survives between
// calls, so successive evictions approach true LRU/LFU order without a
// global index. Random policies pick a random key, visiting the databases
// in turn.

// EvictPolicy is a maxmemory-policy.
type EvictPolicy int

// Eviction policies.
const (
	EvictNone           EvictPolicy = iota // noeviction
	EvictAllKeysLRU                        // allkeys-lru
	EvictAllKeysLFU                        // allkeys-lfu
	EvictAllKeysRandom                     // allkeys-random
	EvictVolatileLRU                       // volatile-lru
	EvictVolatileLFU                       // volatile-lfu
	EvictVolatileRandom                    // volatile-random
	EvictVolatileTTL                       // volatile-ttl
)

// ParseEvictPolicy maps a maxmemory-policy name to its policy (EvictNone
// for an unknown name).
func ParseEvictPolicy(name string) EvictPolicy {
	switch name {
	case "allkeys-lru":
		return EvictAllKeysLRU
	case "allkeys-lfu":
		return EvictAllKeysLFU
	case "allkeys-random":
		return EvictAllKeysRandom
	case "volatile-lru":
		return EvictVolatileLRU
	case "volatile-lfu":
		return EvictVolatileLFU
	case "volatile-random":
		return EvictVolatileRandom
	case "volatile-ttl":
		return EvictVolatileTTL
	}
	return EvictNone
}

func (p EvictPolicy) volatile() bool {
	return p == EvictVolatileLRU || p == EvictVolatileLFU || p == EvictVolatileRandom || p == EvictVolatileTTL
}

func (p EvictPolicy) random() bool { return p == EvictAllKeysRandom || p == EvictVolatileRandom }

// evictPoolSize is how many candidates the pool keeps (Redis's EVPOOL_SIZE).
const evictPoolSize = 16

// evictCandidate is one pooled key: higher score means evict first.
type evictCandidate struct {
	score uint64
	db    int
	key   string
}

// evictState is the sampler's memory between calls.
type evictState struct {
	pool    []evictCandidate // ascending score
	nextDB  int              // random policies: the next database to try
	cursors []uint64         // volatile policies: per-db scan position for sparse TTLs
}

// Evicted is one key removed by EvictOne.
type Evicted struct {
	DB    int
	Key   string
	Bytes int // MEMORY USAGE's estimate of what the key held
}

// EvictOne removes the best candidate for policy, sampling samples keys
// per database, and reports it; ok is false when policy is noeviction or
// no key qualifies. The removal is Redis's eviction: a module value is
// freed (DropEvicted, so its unlink and free callbacks run), clients
// blocked on the key are woken, then KeyModified, the "evicted"
// notification (class NotifyEvicted) and evicted_keys++.
func (ks *Keyspace) EvictOne(policy EvictPolicy, samples int) (ev Evicted, ok bool) {
	if policy == EvictNone {
		return ev, false
	}
	samples = max(samples, 1)
	var db int
	var key string
	if policy.random() {
		db, key, ok = ks.randomVictim(policy.volatile())
	} else {
		db, key, ok = ks.pooledVictim(policy, samples)
	}
	if !ok {
		return ev, false
	}
	k := []byte(key)
	i := ks.dbs[db].d.find(key)
	e := ks.dbs[db].d.at(i)
	ev = Evicted{DB: db, Key: key, Bytes: entryOverhead + len(e.key) + e.val.v.MemUsage()}
	ks.remove(db, k, DropEvicted)
	ks.hooks.KeyModified(db, k)
	ks.hooks.Notify(NotifyEvicted, "evicted", k, db)
	ks.Stats.EvictedKeys++
	return ev, true
}

// randomVictim picks a random key (with a TTL when volatile), visiting
// the databases in turn as Redis does.
func (ks *Keyspace) randomVictim(volatile bool) (int, string, bool) {
	st := &ks.evict
	for n := 0; n < len(ks.dbs); n++ {
		db := st.nextDB % len(ks.dbs)
		st.nextDB++
		d := &ks.dbs[db]
		if d.d.Len() == 0 || volatile && d.expires == 0 {
			continue
		}
		var found []int32
		ks.sampleDB(db, volatile, 1, func(i int32) { found = append(found, i) })
		if len(found) > 0 {
			return db, d.d.at(found[0]).key, true
		}
	}
	return 0, "", false
}

// pooledVictim refills the pool from every database and takes the best
// candidate that still exists (with a TTL, for volatile policies).
func (ks *Keyspace) pooledVictim(policy EvictPolicy, samples int) (int, string, bool) {
	st := &ks.evict
	for {
		found := false
		for db := range ks.dbs {
			d := &ks.dbs[db]
			if d.d.Len() == 0 || policy.volatile() && d.expires == 0 {
				continue
			}
			found = true
			ks.sampleDB(db, policy.volatile(), samples, func(i int32) {
				e := d.d.at(i)
				st.offer(evictCandidate{score: ks.evictScore(policy, e.meta&metaMask, e.val.exp), db: db, key: e.key})
			})
		}
		if !found {
			st.pool = st.pool[:0]
			return 0, "", false
		}
		for len(st.pool) > 0 {
			c := st.pool[len(st.pool)-1]
			st.pool = st.pool[:len(st.pool)-1]
			if c.db >= len(ks.dbs) {
				continue
			}
			i := ks.dbs[c.db].d.find(c.key)
			if i < 0 || policy.volatile() && ks.dbs[c.db].d.at(i).val.exp == 0 {
				continue // gone or changed since it was sampled
			}
			return c.db, c.key, true
		}
	}
}

// offer inserts c into the pool when it has room or c beats the worst
// candidate; a key already pooled is rescored.
func (st *evictState) offer(c evictCandidate) {
	for j := range st.pool {
		if st.pool[j].db == c.db && st.pool[j].key == c.key {
			st.pool = append(st.pool[:j], st.pool[j+1:]...)
			break
		}
	}
	if len(st.pool) >= evictPoolSize {
		if c.score <= st.pool[0].score {
			return
		}
		st.pool = st.pool[1:]
	}
	j := sort.Search(len(st.pool), func(j int) bool { return st.pool[j].score > c.score })
	st.pool = append(st.pool, evictCandidate{})
	copy(st.pool[j+1:], st.pool[j:])
	st.pool[j] = c
}

// evictScore ranks an entry: idle time for LRU, 255 minus the decayed
// counter for LFU, and for TTL the inverse of the expiry time.
func (ks *Keyspace) evictScore(policy EvictPolicy, meta uint32, exp int64) uint64 {
	switch policy {
	case EvictVolatileTTL:
		return ^uint64(exp)
	case EvictAllKeysLFU, EvictVolatileLFU:
		if !ks.LFU {
			return 0
		}
		return 255 - uint64(ks.lfuDecr(meta))
	}
	if ks.LFU {
		return 0
	}
	now := ks.lruClock()
	if now >= meta {
		return uint64(now - meta)
	}
	return uint64(lruClockMax - meta + now)
}

// sampleDB hands up to n entries of db to fn: random entries, or for a
// volatile sample random entries with a TTL. When TTLs are too sparse for
// random probing to find them, it scans on from a per-db cursor instead.
func (ks *Keyspace) sampleDB(db int, volatile bool, n int, fn func(i int32)) {
	d := &ks.dbs[db]
	if !volatile {
		for k := 0; k < n; k++ {
			fn(d.d.random(ks.rng))
		}
		return
	}
	got := 0
	for tries := 0; tries < 4*n && got < n; tries++ {
		i := d.d.random(ks.rng)
		if d.d.at(i).val.exp != 0 {
			fn(i)
			got++
		}
	}
	if got > 0 || d.expires == 0 {
		return
	}
	st := &ks.evict
	for len(st.cursors) < len(ks.dbs) {
		st.cursors = append(st.cursors, 0)
	}
	cur := st.cursors[db]
	// Two passes over the buckets are enough to meet every volatile key.
	for steps := 0; got < n && steps < 2*len(d.d.buckets); steps++ {
		cur = d.d.scanStep(cur, func(i int32) {
			if got < n && d.d.at(i).val.exp != 0 {
				fn(i)
				got++
			}
		})
	}
	st.cursors[db] = cur
}
