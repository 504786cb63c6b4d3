package server

// FAILOVER [TO host port [FORCE]] [ABORT] [TIMEOUT ms], Redis 7.2's
// coordinated failover from a master to one of its replicas: the master
// pauses writes (as CLIENT PAUSE WRITE, for the failover's purpose),
// waits until a replica (the one named with TO, or any) has acknowledged
// its whole stream, then becomes that replica's replica and sends it
// PSYNC <replid> <offset> FAILOVER, which makes the replica a master
// first and then accepts the old master with a partial resync. The
// receiving side (PSYNC ... FAILOVER on a replica) is in syncCommand.
// The state shows as INFO's master_failover_state.

import (
	"fmt"
	"strings"
	"time"

	"github.com/modhost/modhost/commands"
)

// Failover states (Redis's failover_state).
const (
	failoverNone       = iota // no-failover
	failoverWaitSync          // waiting-for-sync: writes paused, waiting for an ACK
	failoverInProgress        // failover-in-progress: PSYNC FAILOVER under way
)

// failoverState is a FAILOVER in flight. Guarded by the server lock.
type failoverState struct {
	state int
	// host and port are the target ("" while FAILOVER without TO waits
	// for any replica).
	host string
	port int64
	// end is when the wait for sync times out (zero: never); force fails
	// over to the target then instead of aborting.
	end   time.Time
	force bool
}

// stateString is master_failover_state.
func (f *failoverState) stateString() string {
	switch f.state {
	case failoverWaitSync:
		return "waiting-for-sync"
	case failoverInProgress:
		return "failover-in-progress"
	}
	return "no-failover"
}

// registerFailoverCommand adds FAILOVER.
func registerFailoverCommand(s *Server) {
	args := []commands.Arg{
		{Name: "target", Type: "block", Token: "TO", KeySpecIndex: -1, Flags: []string{"optional"}, Sub: []commands.Arg{
			{Name: "host", Type: "string", Display: "host", KeySpecIndex: -1},
			{Name: "port", Type: "integer", Display: "port", KeySpecIndex: -1},
			{Name: "force", Type: "pure-token", Token: "FORCE", KeySpecIndex: -1, Flags: []string{"optional"}},
		}},
		{Name: "abort", Type: "pure-token", Token: "ABORT", KeySpecIndex: -1, Flags: []string{"optional"}},
		{Name: "milliseconds", Type: "integer", Display: "milliseconds", Token: "TIMEOUT", KeySpecIndex: -1, Flags: []string{"optional"}},
	}
	s.Cmds.Add(&commands.Command{Name: "failover", Arity: -1, Flags: commands.ParseCmdFlags("admin noscript stale"), Group: "server", Since: "6.2.0",
		Summary: "Starts a coordinated failover from a server to one of its replicas.", ACL: []string{"admin", "slow", "dangerous"},
		Docs: &commands.CommandDocs{Complexity: "O(1)", Args: args}, Handler: adapt(failoverCommand)})
}

// failoverCommand is FAILOVER (failoverCommand).
func failoverCommand(c *Client, a [][]byte) {
	s := c.srv
	f := &s.repl.failover
	if s.Config.Bool("cluster-enabled") {
		c.Error("ERR FAILOVER not allowed in cluster mode. Use CLUSTER FAILOVER command instead.")
		return
	}
	if len(a) == 2 && strings.EqualFold(string(a[1]), "abort") {
		if f.state == failoverNone {
			c.Error("ERR No failover in progress.")
			return
		}
		s.abortFailoverLocked("Failover manually aborted")
		c.OK()
		return
	}
	var timeout, port int64
	var host string
	var force, hasHost bool
	for j := 1; j < len(a); j++ {
		switch opt := strings.ToLower(string(a[j])); {
		case opt == "timeout" && j+1 < len(a) && timeout == 0:
			n, ok := parseInt(a[j+1])
			if !ok {
				c.Error(msgNotInt)
				return
			}
			if n <= 0 {
				c.Error("ERR FAILOVER timeout must be greater than 0")
				return
			}
			timeout = n
			j++
		case opt == "to" && j+2 < len(a) && !hasHost:
			n, ok := parseInt(a[j+2])
			if !ok {
				c.Error(msgNotInt)
				return
			}
			host, port, hasHost = string(a[j+1]), n, true
			j += 2
		case opt == "force" && !force:
			force = true
		default:
			c.Error(msgSyntax)
			return
		}
	}
	switch {
	case f.state != failoverNone:
		c.Error("ERR FAILOVER already in progress.")
		return
	case s.repl.replica != nil:
		c.Error("ERR FAILOVER is not valid when server is a replica.")
		return
	case len(s.repl.master.replicas) == 0:
		c.Error("ERR FAILOVER requires connected replicas.")
		return
	case force && (timeout == 0 || !hasHost):
		c.Error("ERR FAILOVER with force option requires both a timeout and target HOST and IP.")
		return
	}
	if hasHost {
		l := s.findReplica(host, port)
		if l == nil {
			c.Error("ERR FAILOVER target HOST and PORT is not a replica.")
			return
		}
		if l.state != replicaOnline {
			c.Error("ERR FAILOVER target replica is not online.")
			return
		}
		f.host, f.port = host, port
		s.Log.Noticef("FAILOVER requested to %s:%d.", host, port)
	} else {
		s.Log.Noticef("FAILOVER requested to any replica.")
	}
	if timeout > 0 {
		f.end = time.Now().Add(time.Duration(timeout) * time.Millisecond)
	}
	f.force = force
	f.state = failoverWaitSync
	s.pause.failover = pauseWriteSet
	s.updatePause(s.Keys.Now())
	c.OK()
}

// findReplica is the attached replica at host:port (its announced or
// connection address and its listening port).
func (s *Server) findReplica(host string, port int64) *replicaLink {
	for _, l := range s.repl.master.replicas {
		if strings.EqualFold(l.addrIP(), host) && l.port == port {
			return l
		}
	}
	return nil
}

// clearFailoverLocked ends the failover and its pause
// (clearFailoverState).
func (s *Server) clearFailoverLocked() {
	s.repl.failover = failoverState{}
	s.pause.failover = 0
	s.updatePause(s.Keys.Now())
}

// abortFailoverLocked gives the failover up (abortFailover): a server
// that had already turned into the target's replica becomes a master
// again.
func (s *Server) abortFailoverLocked(why string) {
	f := &s.repl.failover
	if f.state == failoverNone {
		return
	}
	if f.host != "" {
		s.Log.Noticef("FAILOVER to %s:%d aborted: %s", f.host, f.port, why)
	} else {
		s.Log.Noticef("FAILOVER to any replica aborted: %s", why)
	}
	if f.state == failoverInProgress && s.repl.replica != nil {
		s.unsetMasterLocked()
	}
	s.clearFailoverLocked()
}

// failoverCronLocked is updateFailoverStatus: while waiting for sync, a
// timeout aborts (or, with FORCE, fails over anyway), and a replica whose
// ACK reached this server's offset becomes the target; the server then
// turns into its replica with the PSYNC FAILOVER handshake.
func (s *Server) failoverCronLocked() {
	f := &s.repl.failover
	if f.state != failoverWaitSync {
		return
	}
	if !f.end.IsZero() && !time.Now().Before(f.end) {
		if f.force {
			s.Log.Noticef("FAILOVER to %s:%d time out exceeded, failing over.", f.host, f.port)
			s.startFailoverLocked()
		} else {
			s.abortFailoverLocked("Replica never caught up before timeout")
		}
		return
	}
	var target *replicaLink
	if f.host != "" {
		target = s.findReplica(f.host, f.port)
	} else {
		for _, l := range s.repl.master.replicas {
			if l.state == replicaOnline && l.ackOff == s.repl.offset {
				target = l
				f.host, f.port = l.addrIP(), l.port
				break
			}
		}
	}
	if target != nil && target.ackOff == s.repl.offset {
		s.Log.Noticef("Failover target %s:%d is synced, failing over.", f.host, f.port)
		s.startFailoverLocked()
	}
}

// startFailoverLocked turns this master into the target's replica; the
// link's PSYNC carries FAILOVER while the state is in progress.
func (s *Server) startFailoverLocked() {
	f := &s.repl.failover
	f.state = failoverInProgress
	s.setMasterLocked(f.host, int(f.port), true)
}

// failoverPsyncArg is the extra PSYNC argument of a link set up by a
// failover in progress ("": none).
func (s *Server) failoverPsyncArg() string {
	if s.repl.failover.state == failoverInProgress {
		return "FAILOVER"
	}
	return ""
}

// failoverPsyncReplyLocked settles a failover in progress on the PSYNC
// reply: +CONTINUE or +FULLRESYNC complete it, anything else aborts it
// (this server becomes a master again). It reports whether the link goes
// on.
func (s *Server) failoverPsyncReplyLocked(reply string) bool {
	if s.repl.failover.state != failoverInProgress {
		return true
	}
	if strings.HasPrefix(reply, "+CONTINUE") || strings.HasPrefix(reply, "+FULLRESYNC") {
		s.clearFailoverLocked()
		return true
	}
	s.abortFailoverLocked("Failover target rejected psync request")
	return false
}

// psyncFailover handles PSYNC <replid> <offset> FAILOVER on this server:
// a replica whose replication id is replid becomes a master (so the
// PSYNC that follows continues through the secondary id). It reports
// whether the PSYNC may go on; otherwise the error was sent.
func (s *Server) psyncFailover(c *Client, replid string) bool {
	s.Log.Noticef("Failover request received for replid %s.", replid)
	if s.repl.replica == nil {
		c.Error("ERR PSYNC FAILOVER can't be sent to a master.")
		return false
	}
	if replid != s.repl.id {
		c.Error("ERR PSYNC FAILOVER replid must match my replid.")
		return false
	}
	s.unsetMasterLocked()
	s.Log.Noticef("MASTER MODE enabled (failover request from '%s')", c.infoString())
	return true
}

// failoverInfoLine is INFO's master_failover_state line.
func (s *Server) failoverInfoLine() string {
	return fmt.Sprintf("master_failover_state:%s", s.repl.failover.stateString())
}

// failoverHoldsPings reports whether the cron's PING to replicas waits: a
// FAILOVER with a timeout pauses it with the writes, so the target's ACK
// can match the offset (Redis's manual_failover_in_progress).
func (s *Server) failoverHoldsPings() bool {
	f := &s.repl.failover
	return f.state != failoverNone && !f.end.IsZero() && s.pause.actions&pauseReplica != 0
}
