package keyspace

import (
	"time"
	"unsafe"
)

// sbytes views s as a read-only byte slice, for handing stored keys to
// hooks without copying.
func sbytes(s string) []byte {
	return unsafe.Slice(unsafe.StringData(s), len(s))
}

// expireKey deletes an expired key the way Redis's
// deleteExpiredKeyAndPropagate does: delete (KeyReady for blocking kinds,
// DropExpired for module values), Notify(NotifyExpired, "expired"),
// KeyModified, expired_keys++. The server
// propagates a DEL to replicas/AOF from the "expired" notification.
func (ks *Keyspace) expireKey(db int, key []byte) {
	if ks.ExpirePaused {
		return // it reads as missing but stays until the pause ends
	}
	if ks.Following {
		return // a replica's keys are deleted by its master's DELs
	}
	if _, ok := ks.remove(db, key, DropExpired); !ok {
		return
	}
	ks.hooks.Notify(NotifyExpired, "expired", key, db)
	ks.hooks.KeyModified(db, key)
	ks.Stats.ExpiredKeys++
}

// SetExpire sets key's absolute expiry (Unix ms; 0 removes it) and reports
// whether the key exists. A time in the past is stored as is: the key
// expires on its next access; commands that must delete immediately (EXPIRE
// with a past time) call Delete instead, as Redis does.
func (ks *Keyspace) SetExpire(db int, key []byte, atMs int64) bool {
	i := ks.find(db, key, LookupNone)
	if i < 0 {
		return false
	}
	d := &ks.dbs[db]
	e := &d.d.at(i).val
	switch {
	case e.exp == 0 && atMs != 0:
		d.expires++
	case e.exp != 0 && atMs == 0:
		d.expires--
	}
	e.exp = atMs
	return true
}

// GetExpire returns key's absolute expiry in Unix ms (0 when it has none)
// and whether the key exists. Lazy expiry applies.
func (ks *Keyspace) GetExpire(db int, key []byte) (atMs int64, ok bool) {
	i := ks.find(db, key, LookupNone)
	if i < 0 {
		return 0, false
	}
	return ks.dbs[db].d.at(i).val.exp, true
}

// Persist removes key's TTL and reports whether there was one to remove.
func (ks *Keyspace) Persist(db int, key []byte) bool {
	at, ok := ks.GetExpire(db, key)
	if !ok || at == 0 {
		return false
	}
	return ks.SetExpire(db, key, 0)
}

// Active expiry tuning, as Redis's activeExpireCycle defaults.
const (
	expireKeysPerLoop = 20 // volatile keys sampled per loop
	expireStalePerc   = 10 // repeat while more than this % were expired
	expireMaxBuckets  = expireKeysPerLoop * 20
)

// ActiveExpireCycle samples volatile keys and deletes expired ones, like
// Redis's activeExpireCycle: databases round-robin, 20 volatile keys per
// loop found by walking the table's buckets from a per-db cursor, looping
// on a db while more than 10% of a sample was expired, until budget (wall
// time) is spent. It returns the number of keys expired. Each database's
// hashes with field expiries get a field-expiry pass first (see
// activeExpireFields).
func (ks *Keyspace) ActiveExpireCycle(budget time.Duration) int {
	if ks.ExpirePaused {
		return 0
	}
	start := time.Now()
	expired := 0
	totalSampled := 0
	defer func() { ks.updateStalePerc(expired, totalSampled) }()
	var keys []string
	for n := 0; n < len(ks.dbs); n++ {
		db := ks.expDB
		ks.expDB = (ks.expDB + 1) % len(ks.dbs)
		ks.activeExpireFields(db, fieldExpireMaxFields, start.Add(budget))
		for iter := 0; ; iter++ {
			d := &ks.dbs[db]
			if d.expires == 0 {
				break
			}
			now := ks.now()
			keys = keys[:0]
			sampled, buckets := 0, 0
			var ttlSum int64
			var ttlN int64
			for sampled < expireKeysPerLoop && buckets < expireMaxBuckets {
				d.expCursor = d.d.scanStep(d.expCursor, func(i int32) {
					e := d.d.at(i)
					if e.val.exp == 0 {
						return
					}
					sampled++
					if now > e.val.exp {
						keys = append(keys, e.key)
					} else {
						ttlSum += e.val.exp - now
						ttlN++
					}
				})
				buckets++
				if d.expCursor == 0 {
					break
				}
			}
			for _, k := range keys {
				ks.expireKey(db, sbytes(k))
			}
			expired += len(keys)
			if ttlN > 0 {
				avg := ttlSum / ttlN
				if d.avgTTL == 0 {
					d.avgTTL = avg
				} else {
					d.avgTTL = d.avgTTL/50*49 + avg/50
				}
			}
			totalSampled += sampled
			if iter%16 == 15 && time.Since(start) > budget {
				ks.Stats.ExpiredTimeCapReached++
				return expired
			}
			if sampled == 0 || len(keys)*100 <= sampled*expireStalePerc {
				break
			}
		}
		if time.Since(start) > budget {
			break
		}
	}
	return expired
}

// updateStalePerc folds one cycle's share of expired keys among those
// sampled into the running estimate of expired_stale_perc, with Redis's
// weights (5% for the new cycle).
func (ks *Keyspace) updateStalePerc(expired, sampled int) {
	cur := 0.0
	if sampled > 0 {
		cur = float64(expired) / float64(sampled)
	}
	ks.Stats.ExpiredStalePerc = cur*0.05 + ks.Stats.ExpiredStalePerc*0.95
}
