package keyspace

import (
	"math/rand/v2"
	"time"
)

// Clock returns the current time in Unix milliseconds. Tests inject a fake;
// the server may return a per-command cached time, as Redis does. It is
// called on every touching lookup (LRU/LFU), so it should be cheap.
type Clock interface {
	NowMs() int64
}

// ClockFunc adapts a function to Clock.
type ClockFunc func() int64

// NowMs calls f.
func (f ClockFunc) NowMs() int64 { return f() }

// SystemClock is the wall clock.
var SystemClock Clock = ClockFunc(func() int64 { return time.Now().UnixMilli() })

// Stats are the keyspace counters INFO stats reports.
type Stats struct {
	ExpiredKeys           int64 // expired_keys
	KeyspaceHits          int64 // keyspace_hits
	KeyspaceMisses        int64 // keyspace_misses
	ExpiredStalePerc      float64
	ExpiredTimeCapReached int64 // expired_time_cap_reached_count
	ExpiredSubkeys        int64 // expired_subkeys (hash fields)
	EvictedKeys           int64 // evicted_keys
}

// dbval is what a database entry holds besides its key and LRU/LFU word.
type dbval struct {
	v   Value
	exp int64 // absolute expiry in Unix ms; 0 means none
}

// database is one numbered database.
type database struct {
	d         dict[dbval]
	expires   int    // keys with a TTL
	modules   int    // module values (FlushDB walks the table only when > 0)
	avgTTL    int64  // running estimate from active-expiry samples, ms
	expCursor uint64 // active-expiry position in d
	// hfe names the keys that may hold a hash with field expiries (active
	// field expiry visits them; stale names are dropped when met).
	hfe map[string]struct{}
}

// Keyspace is the set of numbered databases plus the server-wide state the
// data model needs (clock, hooks, limits, counters). It does no locking.
type Keyspace struct {
	dbs   []database
	clock Clock
	hooks Hooks
	rng   *rand.Rand
	expDB int // next db the active-expiry cycle visits
	// pinned is the command time snapshot set by PinTime (0: read clock).
	pinned int64
	// Limits are the encoding thresholds; collections created by this
	// keyspace's New* methods point at this field.
	Limits Limits
	// Stats are the lookup and expiry counters.
	Stats Stats
	// Dirty counts changes since the last save (server.dirty); Modified
	// increments it and the server may add to or reset it.
	Dirty int64
	// evict is the eviction sampler's pool and positions.
	evict evictState
	// LFU selects LFU bookkeeping (maxmemory-policy *-lfu) instead of LRU.
	LFU bool
	// LFULogFactor and LFUDecayTime are lfu-log-factor and lfu-decay-time.
	LFULogFactor, LFUDecayTime int
	// ExpirePaused holds expiry back (CLIENT PAUSE): expired keys read as
	// missing but are not deleted.
	ExpirePaused bool
	// NoTouch makes every lookup leave LRU/LFU alone (the running
	// command's client has CLIENT NO-TOUCH on).
	NoTouch bool
	// Following is set while the server is a replica: keys never expire
	// on their own (the master sends their DELs) and expired keys read as
	// missing, except to the master's own commands (MasterAccess), which
	// see them alive as Redis 7's expireIfNeeded does.
	Following, MasterAccess bool
	// slots is database 0's per-slot key index (cluster mode; nil otherwise).
	slots *slotIndex
	// snaps are the running point-in-time snapshots (snapshot.go); nil
	// when none runs, which is all the write paths test.
	snaps []SnapshotObserver
	// AnnounceRemovals turns the KeyRemoving hook on; while it is off
	// (no module listens to the Key event) a removal costs nothing more.
	AnnounceRemovals bool
	// noLazyExpire is nonzero while a KeyRemoving hook runs: expired keys
	// read as present and are not deleted (Redis's lazy_expire_disabled).
	noLazyExpire int
}

// New creates a keyspace with n databases (n >= 1) reading time from clock
// (nil means SystemClock).
func New(n int, clock Clock) *Keyspace {
	if n < 1 {
		n = 1
	}
	if clock == nil {
		clock = SystemClock
	}
	return &Keyspace{
		dbs:          make([]database, n),
		clock:        clock,
		hooks:        NopHooks{},
		rng:          rand.New(rand.NewPCG(rand.Uint64(), rand.Uint64())),
		Limits:       DefaultLimits(),
		LFULogFactor: 10,
		LFUDecayTime: 1,
	}
}

// NumDBs returns the number of databases.
func (ks *Keyspace) NumDBs() int { return len(ks.dbs) }

// Now returns the clock's time in Unix ms, or the time pinned by PinTime.
func (ks *Keyspace) Now() int64 { return ks.now() }

// now is Now for the package: every expiry check, LRU/LFU update and TTL
// computation reads the time through it.
func (ks *Keyspace) now() int64 {
	if ks.pinned != 0 {
		return ks.pinned
	}
	return ks.clock.NowMs()
}

// PinTime fixes the time the keyspace reads (Unix ms) until the next
// PinTime; 0 unpins it, so the clock is read again on every access. The
// server pins the time of each command before running it, as Redis's
// command time snapshot: lazy expiry and LRU updates then cost no clock
// read, and a command sees one consistent time. The caller must unpin
// before releasing the server lock.
func (ks *Keyspace) PinTime(ms int64) { ks.pinned = ms }

// PinnedTime returns the time PinTime set (0: none), so that a caller can
// put it back.
func (ks *Keyspace) PinnedTime() int64 { return ks.pinned }

// Size returns the number of keys in db (DBSIZE; expired keys not yet
// reclaimed are counted, as in Redis).
func (ks *Keyspace) Size(db int) int { return ks.dbs[db].d.Len() }

// Expires returns the number of keys with a TTL in db.
func (ks *Keyspace) Expires(db int) int { return ks.dbs[db].expires }

// AvgTTL returns the estimated average TTL in ms of db's volatile keys, as
// INFO keyspace's avg_ttl (0 when unknown).
func (ks *Keyspace) AvgTTL(db int) int64 { return ks.dbs[db].avgTTL }

// SwapDB exchanges databases a and b. It reports false for an index out of
// range. The server is responsible for touching WATCHed keys and
// re-examining blocked clients of both databases.
func (ks *Keyspace) SwapDB(a, b int) bool {
	if a < 0 || b < 0 || a >= len(ks.dbs) || b >= len(ks.dbs) {
		return false
	}
	ks.dbs[a], ks.dbs[b] = ks.dbs[b], ks.dbs[a]
	if a == 0 || b == 0 {
		ks.reindexSlots()
	}
	return true
}

// FlushDB empties db and returns how many keys it held. No per-key hooks
// fire (Redis signals a flush as a whole; that is the server's job), but
// module values are dropped (DropFlushed): the table is walked only when
// db holds some, so flushing plain data stays O(1).
func (ks *Keyspace) FlushDB(db int) int {
	old := ks.dbs[db]
	ks.dbs[db] = database{}
	if db == 0 && ks.slots != nil {
		ks.slots = &slotIndex{}
	}
	if old.modules > 0 {
		old.d.each(func(e *dent[dbval]) bool {
			if e.val.v.Kind() == KindModule {
				ks.preserve(db, sbytes(e.key), e, PreserveDrop)
				dropValue(e.val.v, db, sbytes(e.key), DropFlushed)
			}
			return true
		})
	}
	return old.d.Len()
}

// ModuleValues returns the number of module values in db.
func (ks *Keyspace) ModuleValues(db int) int { return ks.dbs[db].modules }

// FlushAll empties every database and returns the number of keys removed.
func (ks *Keyspace) FlushAll() int {
	n := 0
	for i := range ks.dbs {
		n += ks.FlushDB(i)
	}
	return n
}

// NewList creates an empty list using ks.Limits.
func (ks *Keyspace) NewList() *List { return NewList(&ks.Limits) }

// NewHash creates an empty hash using ks.Limits.
func (ks *Keyspace) NewHash() *Hash { return NewHash(&ks.Limits) }

// NewSet creates an empty set using ks.Limits; first is the first member
// about to be added (it decides intset or listpack, as in Redis).
func (ks *Keyspace) NewSet(first []byte) *Set { return NewSet(&ks.Limits, first) }

// NewZSet creates an empty sorted set using ks.Limits.
func (ks *Keyspace) NewZSet() *ZSet { return NewZSet(&ks.Limits) }
