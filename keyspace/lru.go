package keyspace

// LRU/LFU bookkeeping lives in each entry's 32-bit meta word, laid out as
// Redis's 24-bit robj.lru: in LRU mode a seconds clock modulo 2^24, in LFU
// mode the last decrement time in minutes (16 bits) above an 8-bit
// logarithmic access counter.

const (
	lruClockMax  = 1<<24 - 1
	lruClockRes  = 1000 // ms per LRU clock tick
	lfuInitVal   = 5
	lfuCounterMx = 255
)

func (ks *Keyspace) lruClock() uint32 {
	return uint32(ks.now()/lruClockRes) & lruClockMax
}

func (ks *Keyspace) lfuMinutes() uint32 {
	return uint32(ks.now()/60000) & 0xFFFF
}

// initMeta is the meta word of a freshly added key.
func (ks *Keyspace) initMeta() uint32 {
	if ks.LFU {
		return ks.lfuMinutes()<<8 | lfuInitVal
	}
	return ks.lruClock()
}

// touch updates meta for an access.
func (ks *Keyspace) touch(meta uint32) uint32 {
	if !ks.LFU {
		return ks.lruClock()
	}
	c := ks.lfuDecr(meta)
	c = ks.lfuLogIncr(c)
	return ks.lfuMinutes()<<8 | c
}

// lfuDecr returns the counter after decaying it for the elapsed minutes.
func (ks *Keyspace) lfuDecr(meta uint32) uint32 {
	ldt, c := meta>>8, meta&0xFF
	now := ks.lfuMinutes()
	elapsed := now - ldt
	if now < ldt {
		elapsed = 0xFFFF - ldt + now
	}
	if ks.LFUDecayTime > 0 {
		periods := elapsed / uint32(ks.LFUDecayTime)
		if periods >= c {
			return 0
		}
		return c - periods
	}
	return c
}

func (ks *Keyspace) lfuLogIncr(c uint32) uint32 {
	if c == lfuCounterMx {
		return c
	}
	base := float64(0)
	if c > lfuInitVal {
		base = float64(c - lfuInitVal)
	}
	p := 1.0 / (base*float64(ks.LFULogFactor) + 1)
	if ks.rng.Float64() < p {
		c++
	}
	return c
}

// IdleTime returns OBJECT IDLETIME's value for key in ms (LRU mode), without
// touching the key. ok is false when the key is missing.
func (ks *Keyspace) IdleTime(db int, key []byte) (ms int64, ok bool) {
	i := ks.find(db, key, LookupNoTouch|LookupNoStats|LookupNoNotify)
	if i < 0 {
		return 0, false
	}
	meta := ks.dbs[db].d.at(i).meta & metaMask
	now := ks.lruClock()
	var ticks uint32
	if now >= meta {
		ticks = now - meta
	} else {
		ticks = lruClockMax - meta + now
	}
	return int64(ticks) * lruClockRes, true
}

// Freq returns OBJECT FREQ's value (the decayed LFU counter) for key.
func (ks *Keyspace) Freq(db int, key []byte) (int, bool) {
	i := ks.find(db, key, LookupNoTouch|LookupNoStats|LookupNoNotify)
	if i < 0 {
		return 0, false
	}
	return int(ks.lfuDecr(ks.dbs[db].d.at(i).meta & metaMask)), true
}

// SetIdleTime sets key's LRU clock so that it appears idle for ms
// (RedisModule_SetLRU, OBJECT IDLETIME restore). No effect in LFU mode.
func (ks *Keyspace) SetIdleTime(db int, key []byte, ms int64) bool {
	i := ks.find(db, key, LookupNoTouch|LookupNoStats|LookupNoNotify)
	if i < 0 {
		return false
	}
	if !ks.LFU {
		ticks := uint32(ms/lruClockRes) & lruClockMax
		now := ks.lruClock()
		var v uint32
		if now >= ticks {
			v = now - ticks
		} else {
			v = lruClockMax - (ticks - now)
		}
		e := ks.dbs[db].d.at(i)
		e.meta = v | e.meta&snapBit
	}
	return true
}

// SetFreq sets key's LFU counter (RedisModule_SetLFU, RESTORE FREQ); freq is
// clamped to 0..255. No effect in LRU mode.
func (ks *Keyspace) SetFreq(db int, key []byte, freq int) bool {
	i := ks.find(db, key, LookupNoTouch|LookupNoStats|LookupNoNotify)
	if i < 0 {
		return false
	}
	if ks.LFU {
		e := ks.dbs[db].d.at(i)
		e.meta = ks.lfuMinutes()<<8 | uint32(min(max(freq, 0), 255)) | e.meta&snapBit
	}
	return true
}
