package server

// The slow log (SLOWLOG GET/LEN/RESET/HELP) and the accounting of commands
// that block: as Redis, a command is measured when it completes, so a
// blocked command's statistics and slow log entry are recorded when the
// client is unblocked, with the time the module measured in the
// background and the time of the reply callback added.

import (
	"fmt"
	"math"
	"time"

	"github.com/modhost/modhost/commands"
)

// Limits of a slow log entry, Redis's SLOWLOG_ENTRY_MAX_ARGC and
// SLOWLOG_ENTRY_MAX_STRING.
const (
	slowlogMaxArgc   = 32
	slowlogMaxString = 128
)

// slowlogEntry is one logged command.
type slowlogEntry struct {
	id       int64
	unix     int64 // seconds
	duration int64 // microseconds
	args     [][]byte
	peer     string
	name     string
}

// slowLog holds the entries, newest first, and the settings it reads on
// every command (refreshed by applySlowlogConfig).
type slowLog struct {
	entries    []slowlogEntry
	nextID     int64
	slowerThan int64 // slowlog-log-slower-than, microseconds; <0 disables
	maxLen     int   // slowlog-max-len
	// latencyTracking is latency-tracking (INFO latencystats).
	latencyTracking bool
	// latency holds the INFO latencystats histograms indexed by
	// commands.Command.StatsID (nil: nothing recorded); lastStatsID is the
	// last ID given out; freeStatsIDs are IDs of removed commands, given
	// out again first.
	latency      []*latencyHistogram
	lastStatsID  int
	freeStatsIDs []int
}

// blockedCall is a command whose client blocked: its statistics wait for
// the unblock (Redis's updateStatsOnUnblock).
type blockedCall struct {
	cmd   *commands.Command
	args  [][]byte // copied: the read buffer is reused meanwhile
	dur   time.Duration
	extra time.Duration // background and reply time added while blocked
}

// applySlowlogConfig caches the slow log settings; it runs at start and
// after CONFIG SET.
func (s *Server) applySlowlogConfig(name string) {
	switch name {
	case "", "slowlog-log-slower-than", "slowlog-max-len", "latency-tracking":
	default:
		return
	}
	s.slowlog.latencyTracking = s.Config.Bool("latency-tracking")
	s.slowlog.slowerThan = s.Config.Int("slowlog-log-slower-than")
	maxLen := s.Config.Int("slowlog-max-len")
	if maxLen > math.MaxInt32 {
		maxLen = math.MaxInt32
	}
	s.slowlog.maxLen = int(maxLen)
}

// trim drops the oldest entries beyond slowlog-max-len.
func (l *slowLog) trim() {
	if len(l.entries) > l.maxLen {
		clear(l.entries[l.maxLen:])
		l.entries = l.entries[:l.maxLen]
	}
}

// slowlogPush logs the command if it ran at least slowlog-log-slower-than
// (Redis's slowlogPushCurrentCommand). Commands flagged no-slowlog are
// never logged.
func (s *Server) slowlogPush(c *Client, cmd *commands.Command, args [][]byte, dur time.Duration) {
	l := &s.slowlog
	us := dur.Microseconds()
	if l.slowerThan < 0 || cmd.Flags&commands.FlagSkipSlowlog != 0 {
		return
	}
	if us >= l.slowerThan {
		e := slowlogEntry{id: l.nextID, unix: time.Now().Unix(), duration: us, args: slowlogArgs(args), peer: c.peerID(), name: c.Name}
		l.nextID++
		l.entries = append(l.entries, slowlogEntry{})
		copy(l.entries[1:], l.entries)
		l.entries[0] = e
	}
	// A lowered slowlog-max-len takes effect at the next logged command.
	l.trim()
}

// slowlogArgs copies the arguments as Redis logs them: at most 32, the
// last one then saying how many more there were, and strings longer than
// 128 bytes cut with a note of the bytes left out.
func slowlogArgs(args [][]byte) [][]byte {
	n := len(args)
	if n > slowlogMaxArgc {
		n = slowlogMaxArgc
	}
	out := make([][]byte, n)
	for i := 0; i < n; i++ {
		a := args[i]
		switch {
		case n != len(args) && i == n-1:
			out[i] = []byte(fmt.Sprintf("... (%d more arguments)", len(args)-n+1))
		case len(a) > slowlogMaxString:
			out[i] = fmt.Appendf(append([]byte(nil), a[:slowlogMaxString]...), "... (%d more bytes)", len(a)-slowlogMaxString)
		default:
			out[i] = append([]byte(nil), a...)
		}
	}
	return out
}

// redactedArg replaces an argument a module redacted, as Redis shows it.
var redactedArg = []byte("(redacted)")

// RedactArgument hides argument pos (0 < pos < argc) of the command the
// client runs from the slow log and MONITOR
// (RedisModule_RedactClientCommandArgument).
func (c *Client) RedactArgument(pos int) {
	for _, p := range c.redacted {
		if p == pos {
			return
		}
	}
	c.redacted = append(c.redacted, pos)
}

// loggedArgs is args as the slow log and MONITOR show them: the
// arguments a module redacted replaced by "(redacted)" (args itself when
// none was).
func (c *Client) loggedArgs(args [][]byte) [][]byte {
	if len(c.redacted) == 0 {
		return args
	}
	out := append([][]byte(nil), args...)
	for _, p := range c.redacted {
		if p > 0 && p < len(out) {
			out[p] = redactedArg
		}
	}
	return out
}

// peerID is the client's address as the slow log and CLIENT LIST show it
// ("?:0" for a client without a connection, as Redis).
func (c *Client) peerID() string {
	if c.Addr == "" {
		return "?:0"
	}
	return c.Addr
}

// recordCall adds one completed command to INFO commandstats and the slow
// log.
func (s *Server) recordCall(c *Client, cmd *commands.Command, args [][]byte, dur time.Duration, failed bool) {
	cmd.Calls++
	cmd.Usec += dur.Microseconds()
	if failed {
		cmd.FailedCalls++
	}
	s.stats.commands++
	s.recordLatency(cmd, dur.Microseconds())
	s.slowlogPush(c, cmd, args, dur)
}

// deferBlockedCall keeps the statistics of a command whose handler blocked
// the client, to be recorded when the block ends.
func (c *Client) deferBlockedCall(cmd *commands.Command, args [][]byte, dur time.Duration) {
	args = c.loggedArgs(args)
	cp := make([][]byte, len(args))
	for i, a := range args {
		cp[i] = append([]byte(nil), a...)
	}
	c.blocked.call = &blockedCall{cmd: cmd, args: cp, dur: dur}
}

// AddBlockedTime adds d to the time of the command the client is blocked
// in: the background time a module measured with
// BlockedClientMeasureTimeStart/End and the time of its reply callback.
// Without a blocked command it does nothing.
func (c *Client) AddBlockedTime(d time.Duration) {
	if bs := c.blocked; bs != nil && bs.call != nil && d > 0 {
		bs.call.extra += d
	}
}

// finishBlockedCall records a blocked command when its block ends (not
// when the client disconnected, as Redis).
func (s *Server) finishBlockedCall(c *Client, bs *blockState) {
	bc := bs.call
	if bc == nil {
		return
	}
	bs.call = nil
	s.recordCall(c, bc.cmd, bc.args, bc.dur+bc.extra, c.errs > 0)
}

func registerSlowlogCommands(s *Server) {
	sl := &commands.Command{Name: "slowlog", Arity: -2, Group: "server", Since: "2.2.12", Summary: "A container for slow log commands",
		ACL: []string{"slow"}, Docs: &commands.CommandDocs{Complexity: "Depends on subcommand."}, Handler: adapt(func(*Client, [][]byte) {})}
	adm := commands.ParseCmdFlags("admin loading stale")
	admACL := []string{"admin", "slow", "dangerous"}
	sl.AddSub(&commands.Command{Name: "get", Arity: -2, Flags: adm, ACL: admACL, Since: "2.2.12", Summary: "Get the slow log's entries",
		Docs: &commands.CommandDocs{Complexity: "O(N) where N is the number of entries returned",
			History: [][2]string{{"4.0.0", "Added client IP address, port and name to the reply."}},
			Args:    []commands.Arg{{Name: "count", Type: "integer", KeySpecIndex: -1, Flags: []string{"optional"}}}},
		Handler: adapt(slowlogGet)})
	sl.AddSub(&commands.Command{Name: "len", Arity: 2, Flags: adm, ACL: admACL, Since: "2.2.12", Summary: "Get the slow log's length",
		Docs: &commands.CommandDocs{Complexity: "O(1)"}, Handler: adapt(func(c *Client, _ [][]byte) { c.W.Int(int64(len(c.srv.slowlog.entries))) })})
	sl.AddSub(&commands.Command{Name: "reset", Arity: 2, Flags: adm, ACL: admACL, Since: "2.2.12", Summary: "Clear all entries from the slow log",
		Docs: &commands.CommandDocs{Complexity: "O(N) where N is the number of entries in the slowlog"}, Handler: adapt(slowlogReset)})
	sl.AddSub(&commands.Command{Name: "help", Arity: 2, Flags: commands.ParseCmdFlags("loading stale"), ACL: []string{"slow"}, Since: "6.2.0",
		Summary: "Show helpful text about the different subcommands", Docs: &commands.CommandDocs{Complexity: "O(1)"},
		Handler: adapt(func(c *Client, _ [][]byte) { c.replyHelp(slowlogHelp) })})
	s.Cmds.Add(sl)
}

var slowlogHelp = []string{
	"SLOWLOG <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
	"GET [<count>]",
	"    Return top <count> entries from the slowlog (default: 10, -1 mean all).",
	"    Entries are made of:",
	"    id, timestamp, time in microseconds, arguments array, client IP and port,",
	"    client name",
	"LEN",
	"    Return the length of the slowlog.",
	"RESET",
	"    Reset the slowlog.",
}

func slowlogReset(c *Client, _ [][]byte) {
	l := &c.srv.slowlog
	clear(l.entries)
	l.entries = l.entries[:0]
	c.OK()
}

// slowlogGet is SLOWLOG GET [count]: the newest count entries (10 by
// default, -1 for all).
func slowlogGet(c *Client, a [][]byte) {
	if len(a) > 3 {
		c.Error(fmt.Sprintf("ERR unknown subcommand or wrong number of arguments for '%s'. Try SLOWLOG HELP.", clip(a[1], 128)))
		return
	}
	l := &c.srv.slowlog
	count := 10
	if len(a) == 3 {
		n, ok := parseInt(a[2])
		if !ok || n < -1 {
			c.Error("ERR count should be greater than or equal to -1")
			return
		}
		if n == -1 || n > int64(len(l.entries)) {
			n = int64(len(l.entries))
		}
		count = int(n)
	}
	if count > len(l.entries) {
		count = len(l.entries)
	}
	c.W.ArrayLen(count)
	for _, e := range l.entries[:count] {
		c.W.ArrayLen(6)
		c.W.Int(e.id)
		c.W.Int(e.unix)
		c.W.Int(e.duration)
		c.W.ArrayLen(len(e.args))
		for _, arg := range e.args {
			c.W.Bulk(arg)
		}
		c.W.BulkString(e.peer)
		c.W.BulkString(e.name)
	}
}
