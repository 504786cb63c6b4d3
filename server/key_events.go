package server

import (
	"github.com/modhost/modhost/host"
	"github.com/modhost/modhost/keyspace"
)

// The Key server event (REDISMODULE_EVENT_KEY, Redis 7.2): the keyspace
// announces every key about to leave it (keyHooks.KeyRemoving, Redis's
// moduleNotifyKeyUnlink) and, while a module listens (WantKeyEvents), the
// server fires the event with the key still in place, so the listener can
// read the old value through the key handle it is given.

// WantKeyEvents turns the Key event on or off (the module system calls
// it when a module subscribes to it).
func (s *Server) WantKeyEvents(on bool) {
	s.keyEvents = on
	s.Keys.AnnounceRemovals = on
}

// keySubevent maps why a key leaves onto the event's subevent: Redis
// reports RENAME and MOVE sources and UNLINK as deletions.
func keySubevent(why keyspace.DropReason) int {
	switch why {
	case keyspace.DropExpired:
		return host.SubKeyExpired
	case keyspace.DropEvicted:
		return host.SubKeyEvicted
	case keyspace.DropOverwritten:
		return host.SubKeyOverwritten
	}
	return host.SubKeyDeleted
}

// KeyRemoving fires the Key event for key, about to leave db. A key that
// active expiry or eviction removes outside any execution unit opens the
// unit of its removal here (Redis's activeExpireCycleTryExpire and
// performEvictions wrap each key in one), so that what the listener
// queues (post-notification jobs) joins the key's DEL; Notify closes it
// after the "expired" or "evicted" notification.
func (h keyHooks) KeyRemoving(db int, key []byte, why keyspace.DropReason) {
	s := h.s
	if !s.keyEvents || s.hooks.events == nil {
		return
	}
	if (why == keyspace.DropExpired || why == keyspace.DropEvicted) && s.prop.nesting == 0 && !s.prop.removalUnit {
		s.prop.removalUnit = true
		s.EnterExecutionUnit()
	}
	s.hooks.events(&host.ServerEvent{ID: host.EventKey, Sub: keySubevent(why), DB: db, Key: key})
}
