package server

import (
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/modhost/modhost/host"
)

// Serving clients while the dataset loads. Every load (start-up RDB or
// AOF, DEBUG RELOAD, DEBUG LOADAOF, RedisModule_RdbLoad) runs under the
// server lock, as Redis's runs on its main thread. As Redis's
// rdbLoadProgressCallback does every loading-process-events-interval-bytes,
// the loader opens a yield window (YieldLocked) each time it crosses such
// a boundary: connections waiting for the lock run, commands flagged
// "loading" (PING, INFO, ...) are answered and the others get -LOADING.
// The LoadingProgress server event fires at most hz times a second from
// the same place. key-load-delay sleeps after each key (and each AOF
// command), as Redis's debugDelay: microseconds, or for a negative value
// -n a one-in-n chance of one microsecond.

// loadState is the dataset load in progress (server.loading and its
// loading_* statistics). Guarded by the server lock.
type loadState struct {
	on        bool
	start     time.Time // loading_start_time
	total     int64     // loading_total_bytes (0: unknown)
	loaded    int64     // loading_loaded_bytes
	nextEvent time.Time // when LoadingProgress may fire again
	delay     int64     // key-load-delay, reread after each window
	interval  int64     // loading-process-events-interval-bytes
}

// Loading subevents (REDISMODULE_SUBEVENT_LOADING_* and
// REDISMODULE_SUBEVENT_LOADING_PROGRESS_*).
const (
	subLoadingProgressRDB = 0
	subLoadingProgressAOF = 1
)

// startLoadingLocked marks the dataset as loading total bytes (0 when
// unknown) and fires the Loading event's start subevent sub, as Redis's
// startLoading.
func (s *Server) startLoadingLocked(total int64, sub int) {
	s.load = loadState{on: true, start: time.Now(), total: total}
	s.readLoadConfig()
	s.fire(host.EventLoading, sub)
}

// stopLoadingLocked ends the load and fires the Loading event's ENDED or
// FAILED subevent, as Redis's stopLoading.
func (s *Server) stopLoadingLocked(err error) {
	s.load = loadState{}
	s.fireEnd(host.EventLoading, err)
}

// readLoadConfig copies the two hidden loading directives.
func (s *Server) readLoadConfig() {
	s.load.delay = s.Config.Int("key-load-delay")
	s.load.interval = s.Config.Int("loading-process-events-interval-bytes")
}

// StartLoadingLocked marks the dataset as loading a file of total bytes
// for RedisModule_RdbLoad (Loading RDB start subevent) and returns the
// hook for rdb.LoadOptions.KeyDone. Call StopLoadingLocked afterwards.
func (s *Server) StartLoadingLocked(total int64) func(offset int) {
	s.startLoadingLocked(total, host.SubLoadingRDBStart)
	return s.loadKeyDone(0)
}

// StopLoadingLocked ends a load begun with StartLoadingLocked.
func (s *Server) StopLoadingLocked(err error) { s.stopLoadingLocked(err) }

// loadKeyDone returns the per-key hook of a load whose data starts at
// base bytes into the whole load (an AOF's later files): it sleeps
// key-load-delay and serves events each time the byte count crosses a
// loading-process-events-interval-bytes boundary.
func (s *Server) loadKeyDone(base int64) func(offset int) {
	return func(offset int) {
		s.loadDelay()
		s.loadProgressLocked(base + int64(offset))
	}
}

// loadDelay sleeps key-load-delay (Redis's debugDelay).
func (s *Server) loadDelay() {
	usec := s.load.delay
	if usec == 0 {
		return
	}
	if usec < 0 {
		if rand.Int64N(-usec) != 0 {
			return
		}
		usec = 1
	}
	time.Sleep(time.Duration(usec) * time.Microsecond)
}

// loadProgressLocked records that pos bytes are loaded; when that crosses
// an interval boundary it serves connections (a yield window) and fires
// LoadingProgress, as rdbLoadProgressCallback does.
func (s *Server) loadProgressLocked(pos int64) {
	l := &s.load
	if !l.on || l.interval <= 0 || pos/l.interval <= l.loaded/l.interval {
		if pos > l.loaded {
			l.loaded = pos
		}
		return
	}
	s.serveWhileLoadingLocked(pos, false)
}

// serveWhileLoadingLocked records pos bytes loaded, opens a yield window
// and fires LoadingProgress (the AOF's subevent when aof is set).
func (s *Server) serveWhileLoadingLocked(pos int64, aof bool) {
	s.load.loaded = pos
	s.YieldLocked("")
	s.readLoadConfig()
	s.fireLoadingProgressLocked(aof)
}

// fireLoadingProgressLocked fires LoadingProgress (at most hz times a
// second) with the permille loaded, as processModuleLoadingProgressEvent.
func (s *Server) fireLoadingProgressLocked(aof bool) {
	l := &s.load
	now := time.Now()
	if now.Before(l.nextEvent) || s.hooks.events == nil {
		return
	}
	hz := int(s.Config.Int("hz"))
	if hz <= 0 {
		hz = 10
	}
	l.nextEvent = now.Add(time.Second / time.Duration(hz))
	progress := -1
	if l.total > 0 {
		progress = int((l.loaded << 10) / l.total)
	}
	sub := subLoadingProgressRDB
	if aof {
		sub = subLoadingProgressAOF
	}
	s.hooks.events(&host.ServerEvent{ID: host.EventLoadingProgress, Sub: sub, Hz: hz, Progress: progress})
}

// loadingInfoLines are INFO persistence's loading_* fields, present while
// the dataset loads.
func (s *Server) loadingInfoLines() []string {
	l := &s.load
	if !l.on {
		return nil
	}
	perc, remaining := 0.0, int64(1)
	if l.total > 0 {
		perc = float64(l.loaded) / float64(l.total) * 100
		remaining = l.total - l.loaded
	}
	elapsed := int64(time.Since(l.start).Seconds())
	eta := int64(1) // Redis's figure before a second has passed
	if elapsed > 0 {
		eta = elapsed * remaining / (l.loaded + 1)
	}
	return []string{
		fmt.Sprintf("loading_start_time:%d", l.start.Unix()),
		fmt.Sprintf("loading_total_bytes:%d", l.total),
		"loading_rdb_used_mem:0",
		fmt.Sprintf("loading_loaded_bytes:%d", l.loaded),
		fmt.Sprintf("loading_loaded_perc:%.2f", perc),
		fmt.Sprintf("loading_eta_seconds:%d", eta),
	}
}
