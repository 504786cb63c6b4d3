package server

import (
	"github.com/modhost/modhost/host"
	"github.com/modhost/modhost/keyspace"
)

// SwapDB exchanges databases a and b as Redis's dbSwapDatabases does and
// reports false when an index is out of range. Clients stay in their
// database number, so WATCHed keys that exist on either side of the swap
// are touched (EXEC fails), and keys that clients are blocked on are
// re-examined: a key that now exists, or that existed before and is gone
// or changed type, is signalled ready. The caller counts the change
// (dirty) and fires the module SWAPDB event if any.
func (s *Server) SwapDB(a, b int) bool {
	ks := s.Keys
	n := ks.NumDBs()
	if a < 0 || b < 0 || a >= n || b >= n {
		return false
	}
	if a == b {
		if s.hooks.events != nil {
			s.hooks.events(&host.ServerEvent{ID: host.EventSwapDB, DB: a, DB2: b})
		}
		return true
	}
	kindOf := func(db int, key string) (keyspace.Kind, bool) {
		v := ks.Peek(db, []byte(key))
		if v == nil {
			return 0, false
		}
		return v.Kind(), true
	}
	for wk, list := range s.watchers {
		if wk.db != a && wk.db != b {
			continue
		}
		_, inA := kindOf(a, wk.key)
		_, inB := kindOf(b, wk.key)
		if inA || inB {
			for _, c := range list {
				c.watchDirty = true
			}
		}
	}
	type before struct {
		kind    keyspace.Kind
		existed bool
	}
	var blocked map[watchKey]before
	for wk := range s.blockers {
		if wk.db == a || wk.db == b {
			if blocked == nil {
				blocked = map[watchKey]before{}
			}
			k, ok := kindOf(wk.db, wk.key)
			blocked[wk] = before{k, ok}
		}
	}
	ks.SwapDB(a, b)
	for wk, was := range blocked {
		k, ok := kindOf(wk.db, wk.key)
		if ok || (was.existed && (!ok || k != was.kind)) {
			s.SignalKeyAsReady(wk.db, []byte(wk.key))
		}
	}
	if s.hooks.events != nil {
		s.hooks.events(&host.ServerEvent{ID: host.EventSwapDB, DB: a, DB2: b})
	}
	return true
}
