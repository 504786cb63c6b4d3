package server

import (
	"math/rand/v2"
	"sync/atomic"
	"time"
)

// keySaveDelay returns the pause rdb-key-save-delay puts after each key a
// save writes (Redis's debugDelay in rdbSaveKeyValuePair), or nil when the
// directive is 0: usec > 0 sleeps that many microseconds; usec < 0 sleeps
// one microsecond once every -usec keys on average. Redis's tests set it
// to keep a BGSAVE (or a full sync's snapshot) in progress. The pause of a
// background save stops as soon as cancel is set, so killing the save
// (DEBUG RELOAD, SHUTDOWN, FLUSHALL) does not wait for it; cancel may be
// nil (SAVE, which pauses under the server lock, as Redis's SAVE blocks
// its main thread).
func keySaveDelay(usec int64, cancel *atomic.Bool) func() {
	if usec == 0 {
		return nil
	}
	return func() {
		d := time.Duration(usec) * time.Microsecond
		if usec < 0 {
			if rand.Int64N(-usec) != 0 {
				return
			}
			d = time.Microsecond
		}
		const slice = 10 * time.Millisecond
		for d > 0 && (cancel == nil || !cancel.Load()) {
			step := min(d, slice)
			time.Sleep(step)
			d -= step
		}
	}
}
