package acl

// Log contexts (Redis's ACL_LOG_CTX_*).
const (
	CtxToplevel = iota
	CtxMulti
	CtxLua
	CtxModule
)

// logGroupMillis is how close in time two similar entries must be to be
// counted as one (Redis's ACL_LOG_GROUPING_MAX_TIME_DELTA).
const logGroupMillis = 60000

// LogEntry is one ACL LOG entry.
type LogEntry struct {
	Count    int64
	Reason   Result
	Context  int
	Object   string
	Username string
	// Millis is the time of the last update, Created of the first (Unix
	// milliseconds).
	Millis, Created int64
	ClientInfo      string
	ID              int64
}

// ReasonName is the "reason" field of ACL LOG.
func (e *LogEntry) ReasonName() string {
	switch e.Reason {
	case DeniedCmd:
		return "command"
	case DeniedKey:
		return "key"
	case DeniedChannel:
		return "channel"
	case DeniedAuth:
		return "auth"
	}
	return "unknown"
}

// ContextName is the "context" field of ACL LOG.
func (e *LogEntry) ContextName() string {
	switch e.Context {
	case CtxToplevel:
		return "toplevel"
	case CtxMulti:
		return "multi"
	case CtxLua:
		return "lua"
	case CtxModule:
		return "module"
	}
	return "unknown"
}

// Log is the ACL log, newest first.
type Log struct {
	Entries []*LogEntry
	// Max is acllog-max-len.
	Max    int
	nextID int64
}

// Add records e, merging it into one of the ten newest entries with the
// same reason, context, object and user within a minute (that entry moves
// to the front), as Redis's addACLLogEntry.
func (l *Log) Add(e LogEntry) {
	for i := 0; i < len(l.Entries) && i < 10; i++ {
		m := l.Entries[i]
		d := m.Millis - e.Millis
		if d < 0 {
			d = -d
		}
		if m.Reason == e.Reason && m.Context == e.Context && d <= logGroupMillis && m.Object == e.Object && m.Username == e.Username {
			m.ClientInfo, m.Millis = e.ClientInfo, e.Millis
			m.Count++
			copy(l.Entries[1:i+1], l.Entries[:i])
			l.Entries[0] = m
			return
		}
	}
	e.Count, e.ID, e.Created = 1, l.nextID, e.Millis
	l.nextID++
	l.Entries = append([]*LogEntry{&e}, l.Entries...)
	l.Trim()
}

// Trim drops the oldest entries beyond Max.
func (l *Log) Trim() {
	if l.Max >= 0 && len(l.Entries) > l.Max {
		l.Entries = l.Entries[:l.Max]
	}
}

// Reset empties the log (ACL LOG RESET); entry ids go on counting.
func (l *Log) Reset() { l.Entries = nil }
