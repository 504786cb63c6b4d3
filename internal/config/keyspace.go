package config

// Keyspace notification classes, with upstream's NOTIFY_* bit values.
const (
	NotifyKeyspace = 1 << 0  // K: __keyspace@<db>__ channel
	NotifyKeyevent = 1 << 1  // E: __keyevent@<db>__ channel
	NotifyGeneric  = 1 << 2  // g: DEL, EXPIRE, RENAME, ...
	NotifyString   = 1 << 3  // $: string commands
	NotifyList     = 1 << 4  // l: list commands
	NotifySet      = 1 << 5  // s: set commands
	NotifyHash     = 1 << 6  // h: hash commands
	NotifyZset     = 1 << 7  // z: sorted set commands
	NotifyExpired  = 1 << 8  // x: key expired
	NotifyEvicted  = 1 << 9  // e: key evicted
	NotifyStream   = 1 << 10 // t: stream commands
	NotifyKeyMiss  = 1 << 11 // m: key miss (not part of A)
	NotifyLoaded   = 1 << 12 // module-only: key loaded from RDB
	NotifyModule   = 1 << 13 // d: module key space notification
	NotifyNew      = 1 << 14 // n: new key (not part of A)
	// NotifyAll is the class set that 'A' stands for.
	NotifyAll = NotifyGeneric | NotifyString | NotifyList | NotifySet | NotifyHash |
		NotifyZset | NotifyExpired | NotifyEvicted | NotifyStream | NotifyModule
)

// ParseKeyspaceEvents turns a notify-keyspace-events class string such as
// "KEA" into NOTIFY_* flags; ok is false on an unknown class character.
func ParseKeyspaceEvents(s string) (flags int, ok bool) {
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case 'A':
			flags |= NotifyAll
		case 'g':
			flags |= NotifyGeneric
		case '$':
			flags |= NotifyString
		case 'l':
			flags |= NotifyList
		case 's':
			flags |= NotifySet
		case 'h':
			flags |= NotifyHash
		case 'z':
			flags |= NotifyZset
		case 'x':
			flags |= NotifyExpired
		case 'e':
			flags |= NotifyEvicted
		case 'K':
			flags |= NotifyKeyspace
		case 'E':
			flags |= NotifyKeyevent
		case 't':
			flags |= NotifyStream
		case 'm':
			flags |= NotifyKeyMiss
		case 'd':
			flags |= NotifyModule
		case 'n':
			flags |= NotifyNew
		default:
			return 0, false
		}
	}
	return flags, true
}

// KeyspaceEventsString renders flags in the canonical order CONFIG GET
// uses: 'A' when every class of A is set, otherwise the single classes,
// then K, E and m.
func KeyspaceEventsString(flags int) string {
	var b []byte
	if flags&NotifyAll == NotifyAll {
		b = append(b, 'A')
	} else {
		for _, c := range []struct {
			bit int
			ch  byte
		}{
			{NotifyGeneric, 'g'}, {NotifyString, '$'}, {NotifyList, 'l'},
			{NotifySet, 's'}, {NotifyHash, 'h'}, {NotifyZset, 'z'},
			{NotifyExpired, 'x'}, {NotifyEvicted, 'e'}, {NotifyStream, 't'},
			{NotifyModule, 'd'}, {NotifyNew, 'n'},
		} {
			if flags&c.bit != 0 {
				b = append(b, c.ch)
			}
		}
	}
	if flags&NotifyKeyspace != 0 {
		b = append(b, 'K')
	}
	if flags&NotifyKeyevent != 0 {
		b = append(b, 'E')
	}
	if flags&NotifyKeyMiss != 0 {
		b = append(b, 'm')
	}
	return string(b)
}
