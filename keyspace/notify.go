package keyspace

// NotifyClass is a keyspace-notification class bit; the values equal Redis's
// NOTIFY_* constants so they can be handed to modules unchanged.
type NotifyClass int

// Notification classes.
const (
	NotifyKeyspace NotifyClass = 1 << 0  // K
	NotifyKeyevent NotifyClass = 1 << 1  // E
	NotifyGeneric  NotifyClass = 1 << 2  // g
	NotifyString   NotifyClass = 1 << 3  // $
	NotifyList     NotifyClass = 1 << 4  // l
	NotifySet      NotifyClass = 1 << 5  // s
	NotifyHash     NotifyClass = 1 << 6  // h
	NotifyZSet     NotifyClass = 1 << 7  // z
	NotifyExpired  NotifyClass = 1 << 8  // x
	NotifyEvicted  NotifyClass = 1 << 9  // e
	NotifyStream   NotifyClass = 1 << 10 // t
	NotifyKeyMiss  NotifyClass = 1 << 11 // m (not part of NotifyAll)
	NotifyLoaded   NotifyClass = 1 << 12 // module-only: key loaded from RDB
	NotifyModule   NotifyClass = 1 << 13 // d
	NotifyNew      NotifyClass = 1 << 14 // n
	NotifyAll                  = NotifyGeneric | NotifyString | NotifyList | NotifySet | NotifyHash |
		NotifyZSet | NotifyExpired | NotifyEvicted | NotifyStream | NotifyModule // A
)

// Hooks receives the keyspace's side effects. The server installs one with
// SetHooks; all methods run synchronously under the server lock. The key
// slice is only valid during the call: copy it to keep it.
type Hooks interface {
	// KeyModified is Redis's signalModifiedKey: WATCH invalidation and
	// client-side-caching/module key-space tracking.
	KeyModified(db int, key []byte)
	// Notify is notifyKeyspaceEvent: keyspace notifications (pub/sub and
	// module subscribers).
	Notify(class NotifyClass, event string, key []byte, db int)
	// KeyReady is signalKeyAsReady / signalDeletedKeyAsReady: a list, zset,
	// stream or module key was added to (or deleted from) db, so clients
	// blocked on it should be re-examined.
	KeyReady(db int, key []byte)
	// KeyRemoving is called just before key leaves db for why (every
	// reason but a flush), while it still holds its value and TTL:
	// Redis's moduleNotifyKeyUnlink, behind the module Key event. The
	// hook may read the keyspace (expired keys read as present) but must
	// not write it. Only called while Keyspace.AnnounceRemovals is set.
	KeyRemoving(db int, key []byte, why DropReason)
}

// NopHooks ignores every event; it is the default.
type NopHooks struct{}

// KeyModified does nothing.
func (NopHooks) KeyModified(int, []byte) {}

// Notify does nothing.
func (NopHooks) Notify(NotifyClass, string, []byte, int) {}

// KeyReady does nothing.
func (NopHooks) KeyReady(int, []byte) {}

// KeyRemoving does nothing.
func (NopHooks) KeyRemoving(int, []byte, DropReason) {}

// SetHooks installs h (nil restores NopHooks).
func (ks *Keyspace) SetHooks(h Hooks) {
	if h == nil {
		h = NopHooks{}
	}
	ks.hooks = h
}

// Modified is the one write path a command takes after changing key:
// KeyModified, then Dirty++, then Notify(class, event), the order Redis's
// commands use (signalModifiedKey, server.dirty++, notifyKeyspaceEvent).
// Pass class 0 or event "" to skip the notification.
func (ks *Keyspace) Modified(db int, key []byte, class NotifyClass, event string) {
	ks.hooks.KeyModified(db, key)
	ks.Dirty++
	if class != 0 && event != "" {
		ks.hooks.Notify(class, event, key, db)
	}
}

// Notify forwards an event that is not a modification (for example "keymiss"
// or a module-generated event) to the hooks.
func (ks *Keyspace) Notify(class NotifyClass, event string, key []byte, db int) {
	ks.hooks.Notify(class, event, key, db)
}

// blocksOn reports whether clients can block on keys of kind k.
func blocksOn(k Kind) bool {
	return k == KindList || k == KindZSet || k == KindStream || k == KindModule
}
