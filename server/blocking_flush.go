package server

import (
	"cmp"
	"slices"
	"strings"

	"github.com/modhost/modhost/keyspace"
)

// signalFlushedKeys is Redis's signalFlushedDb → scanDatabaseForDeletedKeys
// for FLUSHALL/FLUSHDB (and the empty-before-load of DEBUG RELOAD): called
// before db (-1: every database) is emptied, it signals as ready every key
// that clients are blocked on and that holds a value of a kind clients
// block on (list, zset, stream, module). After the command, clients that
// are served on a deleted key (XREADGROUP, modules blocked with
// REDISMODULE_BLOCK_UNBLOCK_DELETED) get their reply; the others look,
// find no key and keep waiting (BLPOP on a flushed list stays blocked, as
// in Redis). Keys are signalled in name order so serving is reproducible
// (Redis walks its blocking_keys hash table).
func (s *Server) signalFlushedKeys(db int) {
	if len(s.blockers) == 0 {
		return
	}
	var gone []watchKey
	for wk := range s.blockers {
		if db >= 0 && wk.db != db {
			continue
		}
		// Redis looks in the raw dict: a key past its TTL still counts.
		v := s.Keys.LookupRead(wk.db, []byte(wk.key), keyspace.LookupNoEffects|keyspace.LookupAccessExpired)
		if v != nil && blockableKind(v.Kind()) {
			gone = append(gone, wk)
		}
	}
	slices.SortFunc(gone, func(a, b watchKey) int {
		if c := cmp.Compare(a.db, b.db); c != 0 {
			return c
		}
		return strings.Compare(a.key, b.key)
	})
	for _, wk := range gone {
		s.SignalKeyAsReady(wk.db, []byte(wk.key))
	}
}

// blockableKind reports whether clients can block on values of kind k
// (Redis's getBlockedTypeByType is not BLOCKED_NONE).
func blockableKind(k keyspace.Kind) bool {
	switch k {
	case keyspace.KindList, keyspace.KindZSet, keyspace.KindStream, keyspace.KindModule:
		return true
	}
	return false
}
