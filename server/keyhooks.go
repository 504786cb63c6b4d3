package server

import (
	"github.com/modhost/modhost/host"
	"github.com/modhost/modhost/keyspace"
)

// keyHooks connects the keyspace's single write path to the server:
// WATCH, keyspace notifications and blocked clients.
type keyHooks struct{ s *Server }

// KeyModified invalidates WATCHes on the key.
func (h keyHooks) KeyModified(db int, key []byte) {
	h.s.touchWatchedKey(db, key)
	h.s.trackingInvalidateKey(key, true)
}

// Notify publishes keyspace notifications and calls notification
// subscribers (modules).
func (h keyHooks) Notify(class keyspace.NotifyClass, event string, key []byte, db int) {
	deletion := class == keyspace.NotifyExpired || class == keyspace.NotifyEvicted
	if deletion && h.s.prop.removalUnit {
		// The unit KeyRemoving opened for this key ends here.
		h.s.prop.removalUnit = false
		h.notify(class, event, key, db, deletion)
		h.s.ExitExecutionUnit()
		return
	}
	if deletion && h.s.prop.nesting == 0 {
		// Active expiry or eviction: each key is an execution unit, the
		// handlers' writes then its DEL (activeExpireCycleTryExpire,
		// performEvictions).
		h.s.inUnit(func() { h.notify(class, event, key, db, deletion) })
		return
	}
	h.notify(class, event, key, db, deletion)
}

// notify is Notify inside whatever execution unit runs.
func (h keyHooks) notify(class keyspace.NotifyClass, event string, key []byte, db int, deletion bool) {
	// Module subscribers first, then pub/sub: Redis's notifyKeyspaceEvent
	// calls moduleNotifyKeyspaceEvent before publishing.
	for _, fn := range h.s.notifySubscribers {
		fn(class, event, key, db)
	}
	h.s.notifyKeyspaceEvent(class, event, key, db)
	if deletion {
		h.s.propagateKeyEvent(class, key, db)
	}
}

// KeyReady queues the key for clients blocked on it.
func (h keyHooks) KeyReady(db int, key []byte) { h.s.SignalKeyAsReady(db, key) }

// OnKeyspaceEvent registers fn to receive every keyspace event, whatever
// notify-keyspace-events says (modules filter by their own mask).
func (s *Server) OnKeyspaceEvent(fn func(class keyspace.NotifyClass, event string, key []byte, db int)) {
	s.notifySubscribers = append(s.notifySubscribers, fn)
}

// applyConfig copies configuration the hot paths read into server fields;
// it runs at start and after CONFIG SET.
func (s *Server) applyConfig(name string) {
	if name == "" || name == "notify-keyspace-events" {
		// The flags, not the canonical string: CONFIG GET shows "AKE" for
		// "KEAn" (as Redis does) but the 'n' class stays enabled.
		s.notifyFlags = s.Config.KeyspaceEvents()
	}
	s.applyEncodingLimits()
	s.applyACLConfig(name)
	s.hot.protoMaxBulk = s.Config.Int("proto-max-bulk-len")
	s.hot.queryBufLimit = s.Config.Int("client-query-buffer-limit")
	s.applyOutputLimits()
	s.keepAliveSecs.Store(s.Config.Int("tcp-keepalive"))
	s.applyMaxmemory(name)
	s.hot.clientEvict = s.clientEvictLimit()
	s.trk.maxKeys = s.Config.Int("tracking-table-max-keys")
	s.hot.latencyThreshold = s.Config.Int("latency-monitor-threshold")
}

// Flush empties the current database or all of them (FLUSHDB/FLUSHALL),
// invalidating WATCHes, signalling the keys clients are blocked on as
// deleted (signalFlushedKeys) and counting the change.
func (s *Server) Flush(c *Client, all bool) {
	if all {
		s.fireFlush(host.SubFlushStart, -1)
		s.touchWatchedDB(-1)
		s.trackingFlush()

		s.signalFlushedKeys(-1)
		n := s.Keys.FlushAll()
		s.Keys.Dirty += int64(n) + 1
		s.fireFlush(host.SubFlushEnd, -1)
		releaseAfterFlush(n)
		return
	}
	s.fireFlush(host.SubFlushStart, c.DB)
	s.touchWatchedDB(c.DB)
	s.trackingFlush()

	s.signalFlushedKeys(c.DB)
	n := s.Keys.FlushDB(c.DB)
	s.Keys.Dirty += int64(n)
	s.fireFlush(host.SubFlushEnd, c.DB)
	releaseAfterFlush(n)
}

// applyEncodingLimits copies the *-max-listpack-* and intset thresholds
// into the keyspace, which reads them on every conversion decision.
func (s *Server) applyEncodingLimits() {
	l := &s.Keys.Limits
	l.ListMaxListpackSize = int(s.Config.Int("list-max-listpack-size"))
	l.HashMaxListpackEntries = int(s.Config.Int("hash-max-listpack-entries"))
	l.HashMaxListpackValue = int(s.Config.Int("hash-max-listpack-value"))
	l.SetMaxIntsetEntries = int(s.Config.Int("set-max-intset-entries"))
	l.SetMaxListpackEntries = int(s.Config.Int("set-max-listpack-entries"))
	l.SetMaxListpackValue = int(s.Config.Int("set-max-listpack-value"))
	l.ZSetMaxListpackEntries = int(s.Config.Int("zset-max-listpack-entries"))
	l.ZSetMaxListpackValue = int(s.Config.Int("zset-max-listpack-value"))
}
