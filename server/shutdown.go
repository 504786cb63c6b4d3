package server

import (
	"strings"
	"time"

	"github.com/modhost/modhost/internal/config"
)

// SHUTDOWN as Redis 7 does it: unless NOW is given (or shutdown-timeout
// is 0), a master with replicas that have not acknowledged its whole
// stream pauses writes, asks them for an ACK and waits, up to
// shutdown-timeout seconds, for them to catch up before it saves and
// exits. The clients that asked wait blocked; SHUTDOWN ABORT, or a save
// that fails without FORCE, ends the wait and they get an error. Signals
// (shutdown-on-sigterm / shutdown-on-sigint) take the same path.

// shutdownState is a shutdown in progress.
type shutdownState struct {
	deadline time.Time // zero: no shutdown initiated
	flags    int64     // config.Shutdown* bits
	signal   string    // the signal that asked, "" for SHUTDOWN
	waiting  []*Client // SHUTDOWN clients blocked until the outcome
}

// msgShutdownFailed is what SHUTDOWN clients get when it fails or is
// aborted.
const msgShutdownFailed = "ERR Errors trying to SHUTDOWN. Check logs."

func shutdownCommand(c *Client, a [][]byte) {
	var flags int64
	abort := false
	for _, arg := range a[1:] {
		switch strings.ToLower(string(arg)) {
		case "nosave":
			flags |= config.ShutdownNoSave
		case "save":
			flags |= config.ShutdownSave
		case "now":
			flags |= config.ShutdownNow
		case "force":
			flags |= config.ShutdownForce
		case "abort":
			abort = true
		default:
			c.Error(msgSyntax)
			return
		}
	}
	const both = config.ShutdownSave | config.ShutdownNoSave
	if (abort && flags != 0) || flags&both == both {
		c.Error(msgSyntax)
		return
	}
	s := c.srv
	if abort {
		if s.shut.deadline.IsZero() {
			c.Error("ERR No shutdown in progress.")
			return
		}
		s.Log.Warningf("Shutdown manually aborted.")
		s.cancelShutdownLocked()
		c.OK()
		return
	}
	if flags&config.ShutdownNow == 0 && !c.CanBlock() {
		c.Error("ERR SHUTDOWN without NOW or ABORT isn't allowed for DENY BLOCKING client")
		return
	}
	switch s.prepareShutdownLocked(flags, "") {
	case shutdownDone:
		c.closeAfter = true
	case shutdownFailed:
		c.Error(msgShutdownFailed)
	case shutdownWaiting:
		// The client waits for the outcome: no reply if the server goes
		// down, an error if the shutdown is cancelled.
		c.blockOnKeys(nil, 0, func(*Client, []byte) bool { return false }, func(*Client) {})
		s.shut.waiting = append(s.shut.waiting, c)
	}
}

// shutdownOutcome is what prepareShutdownLocked did.
type shutdownOutcome int

const (
	shutdownDone    shutdownOutcome = iota // the server is going down
	shutdownWaiting                        // waiting for replicas
	shutdownFailed                         // refused (save failed, or one already in progress)
)

// prepareShutdownLocked starts a shutdown with flags (Redis's
// prepareForShutdown): it finishes at once, or starts waiting for lagging
// replicas.
func (s *Server) prepareShutdownLocked(flags int64, signal string) shutdownOutcome {
	if !s.shut.deadline.IsZero() {
		return shutdownWaiting
	}
	s.shut.flags, s.shut.signal = flags, signal
	s.Log.Noticef("User requested shutdown...")
	timeout := s.Config.Int("shutdown-timeout")
	if flags&config.ShutdownNow == 0 && timeout != 0 && !s.replicasInSync() {
		s.shut.deadline = time.Now().Add(time.Duration(timeout) * time.Second)
		s.repl.master.getAck = true
		s.sendGetAck()
		s.pause.shutdown = pauseWriteSet
		s.updatePause(time.Now().UnixMilli())
		s.Log.Noticef("Waiting for replicas before shutting down.")
		return shutdownWaiting
	}
	s.shut.deadline = time.Now() // initiated, finishing now
	if s.finishShutdownLocked() {
		return shutdownDone
	}
	return shutdownFailed
}

// replicasInSync reports whether every replica acknowledged the whole
// stream (Redis's isReadyToShutdown).
func (s *Server) replicasInSync() bool {
	for _, l := range s.repl.master.replicas {
		if l.ackOff != s.repl.offset {
			return false
		}
	}
	return true
}

// shutdownCronLocked finishes a shutdown that waits for replicas once
// they caught up or the time is up.
func (s *Server) shutdownCronLocked() {
	if s.shut.deadline.IsZero() || s.shuttingDown() {
		return
	}
	if time.Now().Before(s.shut.deadline) && !s.replicasInSync() {
		return
	}
	s.finishShutdownLocked()
}

// shuttingDown reports whether Shutdown already ran.
func (s *Server) shuttingDown() bool {
	select {
	case <-s.shutdown:
		return true
	default:
		return false
	}
}

// finishShutdownLocked logs the replicas' state, saves when asked to and
// takes the server down (Redis's finishShutdown). When the save fails
// without FORCE the shutdown is cancelled and it returns false.
func (s *Server) finishShutdownLocked() bool {
	flags := s.shut.flags
	lagging := 0
	for _, l := range s.repl.master.replicas {
		if l.ackOff == s.repl.offset {
			continue
		}
		lagging++
		var lag int64
		if l.state == replicaOnline {
			lag = int64(time.Since(l.ackTime).Seconds())
		}
		s.Log.Noticef("Lagging replica %s reported offset %d behind master, lag=%d, state=%s.",
			l.name(), s.repl.offset-l.ackOff, lag, l.state)
	}
	if n := len(s.repl.master.replicas); n > 0 {
		s.Log.Noticef("%d of %d replicas are in sync when shutting down.", n-lagging, n)
	}
	save := flags&config.ShutdownSave != 0 ||
		(flags&config.ShutdownNoSave == 0 && len(s.Config.SaveParams()) > 0)
	if s.Persist != nil && save {
		s.Log.Noticef("Saving the final RDB snapshot before exiting.")
		if err := s.Persist.SaveForShutdown(); err != nil {
			if flags&config.ShutdownForce == 0 {
				s.Log.Warningf("Error trying to save the DB, can't exit.")
				if s.shut.signal != "" {
					s.Log.Warningf("%s received but errors trying to shut down the server, check the logs for more information", s.shut.signal)
				}
				s.cancelShutdownLocked()
				return false
			}
			s.Log.Warningf("Error trying to save the DB. Exit anyway.")
		}
	}
	s.Log.Warningf("%s is now ready to exit, bye bye...", "modhost")
	for _, c := range s.shut.waiting {
		c.closeAfter = true
	}
	go s.Shutdown()
	return true
}

// cancelShutdownLocked ends a shutdown that will not happen: writes
// resume and the SHUTDOWN clients get an error (Redis's cancelShutdown).
func (s *Server) cancelShutdownLocked() {
	waiting := s.shut.waiting
	s.shut = shutdownState{}
	if s.pause.shutdown != 0 {
		s.pause.shutdown = 0
		s.updatePause(time.Now().UnixMilli())
	}
	for _, c := range waiting {
		if c.blocked != nil {
			c.Error(msgShutdownFailed)
			s.unblock(c)
		}
	}
}

// ShutdownOnSignal is SIGTERM or SIGINT (name): a shutdown with the
// flags of shutdown-on-sigterm / shutdown-on-sigint.
func (s *Server) ShutdownOnSignal(name string) {
	s.lockOutsideYield()
	defer s.mu.Unlock()
	s.Log.Warningf("Received %s scheduling shutdown...", name)
	flags := s.Config.Int("shutdown-on-" + strings.ToLower(name))
	s.prepareShutdownLocked(flags, name)
}

// shutdownInfoLine is INFO server's shutdown_in_milliseconds: the time
// left for replicas to catch up, 0 when no shutdown waits.
func (s *Server) shutdownInfoLine() int64 {
	if s.shut.deadline.IsZero() {
		return 0
	}
	left := time.Until(s.shut.deadline).Milliseconds()
	if left < 0 {
		return 0
	}
	return left
}
