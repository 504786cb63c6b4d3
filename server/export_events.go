package server

import (
	"github.com/modhost/modhost/host"
	"runtime"
	"strings"
	"time"

	"github.com/modhost/modhost/commands"
)

// Hooks the module system installs into the server: server events
// (RedisModule_SubscribeToServerEvent), command filters, module INFO
// sections and the busy state of RedisModule_Yield. Every hook is nil until
// installed, so a server without modules pays one nil check per site.

// hookState is the state behind the hooks of this file (guarded by the
// server lock).
type hookState struct {
	events  func(ev *host.ServerEvent)
	filter  func(c host.Client, args [][]byte) [][]byte
	modInfo func(requested map[string]bool) string

	busy      bool   // a module yields: answer -BUSY (or -LOADING)
	busyReply string // its busy_reply ("" for Redis's default text)
	yielding  bool
	// loading is set when the yield happens while the dataset loads:
	// commands without allow-loading get -LOADING instead of -BUSY.
	loading bool
	// yieldEnd is closed when the current yield window ends
	// (yield_gate.go).
	yieldEnd chan struct{}
}

// msgBusyModule is Redis's reply while a module command yields.
const msgBusyModule = "BUSY Redis is busy running a module command."

// OnServerEvent installs the receiver of server events (one per server).
func (s *Server) OnServerEvent(fn func(ev *host.ServerEvent)) { s.hooks.events = fn }

// FireEventLocked delivers ev to the installed receiver, if any.
func (s *Server) FireEventLocked(ev *host.ServerEvent) {
	if s.hooks.events != nil {
		s.hooks.events(ev)
	}
}

// fire is FireEventLocked for events without data.
func (s *Server) fire(id, sub int) {
	if s.hooks.events != nil {
		s.hooks.events(&host.ServerEvent{ID: id, Sub: sub})
	}
}

// fireEnd fires the ENDED or FAILED subevent of id after an operation.
func (s *Server) fireEnd(id int, err error) {
	if err != nil {
		s.fire(id, host.SubPersistenceFailed)
	} else {
		s.fire(id, host.SubPersistenceEnded)
	}
}

// fireFlush fires FLUSHDB start or end for db (-1: every database).
func (s *Server) fireFlush(sub, db int) {
	if s.hooks.events != nil {
		s.hooks.events(&host.ServerEvent{ID: host.EventFlushDB, Sub: sub, DB: db, Sync: true})
	}
}

// SetCommandFilter installs the command filter: it sees every client
// command before lookup and returns the arguments to run (the same slice
// when nothing changed).
func (s *Server) SetCommandFilter(fn func(c host.Client, args [][]byte) [][]byte) {
	s.hooks.filter = fn
}

// SetModuleInfo installs the producer of module INFO sections. requested
// is nil when every module section is wanted, else the lower-case section
// names asked for.
func (s *Server) SetModuleInfo(fn func(requested map[string]bool) string) { s.hooks.modInfo = fn }

// InfoText renders INFO for args (the section arguments), module
// sections included, as the INFO command does.
func (s *Server) InfoText(args []string) string {
	want := map[string]bool{}
	everything, all := false, false
	explicit := map[string]bool{}
	if len(args) == 0 {
		for _, sec := range defaultInfoSections {
			want[sec] = true
		}
	}
	for _, arg := range args {
		switch name := strings.ToLower(arg); name {
		case "default":
			for _, sec := range defaultInfoSections {
				want[sec] = true
			}
		case "all", "everything":
			everything = everything || name == "everything"
			all = true
			for _, sec := range allInfoSections {
				want[sec] = true
			}
		default:
			want[name] = true
			explicit[name] = true
		}
	}
	text := s.InfoString(want)
	if s.hooks.modInfo == nil {
		return text
	}
	unknown := false
	for name := range explicit {
		if !isInfoSection(name) {
			unknown = true
		}
	}
	if !everything && !explicit["modules"] && !unknown && !(all && len(explicit) > 0) {
		return text
	}
	var req map[string]bool
	if !everything && !explicit["modules"] {
		req = explicit
	}
	more := s.hooks.modInfo(req)
	if more == "" {
		return text
	}
	if text != "" {
		text += "\r\n"
	}
	return text + more
}

// isInfoSection reports whether name is one of the server's own sections.
func isInfoSection(name string) bool {
	for _, sec := range allInfoSections {
		if sec == name {
			return true
		}
	}
	return false
}

// YieldLocked is RedisModule_Yield with REDISMODULE_YIELD_FLAG_CLIENTS:
// the running command (or module thread, or RDB load) lets other
// connections take the server lock for a moment. While it is released,
// every command without the allow-busy flag is refused with
// "-BUSY <busyReply>" (Redis's default text when busyReply is empty);
// allow-busy commands run. While the dataset loads, commands without
// allow-loading get "-LOADING ..." instead and allowed ones run. Nothing
// but connections runs in the window (see yield_gate.go). Called with the
// lock held; it returns with the lock held again. Nested yields do
// nothing.
func (s *Server) YieldLocked(busyReply string) {
	h := &s.hooks
	if h.yielding {
		return
	}
	cur := s.current
	pinned := s.Keys.PinnedTime()
	h.yielding, h.busy, h.busyReply = true, true, busyReply
	h.loading = s.LoadingLocked()
	h.yieldEnd = make(chan struct{})
	s.Keys.PinTime(0) // unpinned while the lock is released
	s.mu.Unlock()
	// Connections waiting for the lock take it now; Go's mutex hands it
	// over to waiters that waited for more than a millisecond.
	runtime.Gosched()
	time.Sleep(time.Millisecond)
	s.mu.Lock()
	h.yielding, h.busy, h.busyReply, h.loading = false, false, "", false
	close(h.yieldEnd)
	h.yieldEnd = nil
	s.current = cur
	s.Keys.PinTime(pinned) // the yielding command keeps its own time
}

// busyRejected answers -BUSY for cmd while a module command yields and
// reports whether it did.
func (s *Server) busyRejected(c *Client, cmd *commands.Command) bool {
	if s.hooks.loading {
		return s.loadingRejected(c, cmd)
	}
	if !s.hooks.busy || cmd.Flags&commands.FlagAllowBusy != 0 {
		return false
	}
	msg := msgBusyModule
	if s.hooks.busyReply != "" {
		msg = "BUSY " + s.hooks.busyReply
	}
	s.reject(c, cmd, msg)
	return true
}

// ClientByID returns the connected client with that id, or nil.
func (s *Server) ClientByID(id int64) *Client { return s.clients[id] }

// Port returns the client's remote port (0 for fake or unix clients).
func (c *Client) Port() int {
	if i := strings.LastIndexByte(c.Addr, ':'); i >= 0 {
		n := 0
		for _, ch := range c.Addr[i+1:] {
			if ch < '0' || ch > '9' {
				return 0
			}
			n = n*10 + int(ch-'0')
		}
		return n
	}
	return 0
}

// Host returns the client's remote address without the port.
func (c *Client) Host() string {
	if i := strings.LastIndexByte(c.Addr, ':'); i >= 0 {
		return strings.Trim(c.Addr[:i], "[]")
	}
	return c.Addr
}

// Subscriber reports whether the client has pub/sub subscriptions.
func (c *Client) Subscriber() bool { return c.isSubscriber() }

// Tracking reports whether CLIENT TRACKING is on for the client.
func (c *Client) Tracking() bool { return c.trackFlags()&trackOn != 0 }

// InMulti reports whether the client is inside MULTI (queueing, or running
// the queue of EXEC, as Redis keeps CLIENT_MULTI until EXEC ends).
func (c *Client) InMulti() bool { return c.tx != nil || c.inExec }

// Unix reports whether the client came in through a unix socket.
func (c *Client) Unix() bool {
	return c.conn != nil && c.conn.LocalAddr().Network() == "unix"
}

// CommandStartLocked returns the start time of the command running now:
// the dispatcher's batch clock reading for it, or the current time outside
// a connection's batch.
func (s *Server) CommandStartLocked() time.Time {
	if c := s.current; c != nil && c.clk.on {
		return c.clk.at(c.clk.last)
	}
	return time.Now()
}
