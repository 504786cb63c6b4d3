package server

import (
	"strings"

	"github.com/modhost/modhost/commands"
	"github.com/modhost/modhost/keyspace"
	"sync/atomic"
)

// stats are the INFO stats counters, guarded by the server lock except
// the atomic byte counters updated by connection goroutines.
type stats struct {
	connectionsReceived int64
	rejectedConns       int64
	commands            int64
	errorReplies        int64
	errors              map[string]int64 // errorstats by error code
	netInput            atomic.Int64
	netOutput           atomic.Int64
	// Clients closed for their query or output buffer limits.
	qbufLimitDisconnections atomic.Int64
	obufLimitDisconnections int64
	// evictedClients counts clients closed by maxmemory-clients.
	evictedClients int64
}

// countError records an error reply in errorstats (keyed by its first word,
// as Redis does; at most 128 distinct codes are tracked).
func (st *stats) countError(msg string) {
	st.errorReplies++
	code := msg
	if i := strings.IndexByte(msg, ' '); i >= 0 {
		code = msg[:i]
	}
	if _, ok := st.errors[code]; !ok && len(st.errors) >= 128 {
		return
	}
	st.errors[code]++
}

// resetStats implements CONFIG RESETSTAT.
func (s *Server) resetStats() {
	s.stats.connectionsReceived = 0
	s.stats.rejectedConns = 0
	s.stats.commands = 0
	s.stats.errorReplies = 0
	s.ACL.Stats = struct{ Auth, Cmd, Key, Channel int64 }{}
	s.stats.qbufLimitDisconnections.Store(0)
	s.stats.obufLimitDisconnections = 0
	s.stats.errors = map[string]int64{}
	s.stats.netInput.Store(0)
	s.stats.netOutput.Store(0)
	for _, c := range s.Cmds.All() {
		resetCmdStats(c)
	}
	clear(s.slowlog.latency)
	s.Keys.Stats = keyspace.Stats{}
	if s.Modules != nil {
		s.Modules.ResetLazyfreeStats()
	}
}

func resetCmdStats(c *commands.Command) {
	c.Calls, c.Usec, c.RejectedCalls, c.FailedCalls = 0, 0, 0, 0
	for _, sub := range c.Subs {
		resetCmdStats(sub)
	}
}
