package server

import (
	"fmt"
	"math"
	"strings"
	"time"

	"github.com/modhost/modhost/commands"
)

// CLIENT PAUSE and UNPAUSE (Redis 7.2's pauseActions for the
// PAUSE_BY_CLIENT_COMMAND purpose). A paused command is not refused: its
// client waits, blocked, and runs the command from the start once the
// pause ends or becomes less strict. While a pause is on, keys neither
// expire (they read as missing but stay) nor get evicted.

// Pause action bits (Redis's PAUSE_ACTION_*).
const (
	pauseClientWrite = 1 << iota // write and may-replicate commands wait
	pauseClientAll               // every command waits
	pauseExpire
	pauseEvict
	pauseReplica
)

// The action sets of CLIENT PAUSE WRITE and CLIENT PAUSE ALL.
const (
	pauseWriteSet = pauseClientWrite | pauseExpire | pauseEvict | pauseReplica
	pauseAllSet   = pauseClientAll | pauseExpire | pauseEvict | pauseReplica
)

// pauseState is the pause set by CLIENT PAUSE.
type pauseState struct {
	actions int   // actions paused now
	set     int   // actions CLIENT PAUSE asked for (until end)
	end     int64 // unix ms the pause ends
	// failover is the actions a FAILOVER pauses until it ends (no
	// timer: clearFailoverLocked lifts it).
	failover int
	// shutdown is the actions a SHUTDOWN waiting for replicas pauses.
	shutdown int
	timer    *time.Timer
	waiting  []*Client // clients whose command waits, in arrival order
}

func clientPause(c *Client, a [][]byte) {
	s := c.srv
	if len(a) > 4 {
		c.Error(fmt.Sprintf("ERR unknown subcommand or wrong number of arguments for '%s'. Try %s HELP.", clip(a[1], 128), strings.ToUpper(string(a[0]))))
		return
	}
	all := true
	if len(a) == 4 {
		switch strings.ToLower(string(a[3])) {
		case "write":
			all = false
		case "all":
		default:
			c.Error("ERR CLIENT PAUSE mode must be WRITE or ALL")
			return
		}
	}
	ms, ok := parseInt(a[2])
	if !ok {
		c.Error("ERR timeout is not an integer or out of range")
		return
	}
	if ms < 0 {
		c.Error("ERR timeout is negative")
		return
	}
	now := s.Keys.Now()
	if ms > 0 {
		if ms > math.MaxInt64-now {
			c.Error("ERR timeout is out of range")
			return
		}
		ms += now
	}
	actions := pauseAllSet
	if !all && s.pause.set&pauseClientAll == 0 {
		actions = pauseWriteSet
	}
	s.pause.set = actions
	if s.pause.end < ms {
		s.pause.end = ms
	}
	s.updatePause(now)
	c.OK()
}

func clientUnpause(c *Client, a [][]byte) {
	s := c.srv
	s.pause.set, s.pause.end = 0, 0
	s.updatePause(s.Keys.Now())
	c.OK()
}

// updatePause recomputes the paused actions at now (unix ms), arms the
// timer that ends the pause, and lets waiting clients retry when the pause
// became less strict (Redis's updatePausedActions).
func (s *Server) updatePause(now int64) {
	p := &s.pause
	prev := p.actions
	if p.end > now {
		p.actions = p.set
	} else {
		p.actions, p.set, p.end = 0, 0, 0
	}
	timed := p.actions != 0
	p.actions |= p.failover | p.shutdown
	s.Keys.ExpirePaused = p.actions&pauseExpire != 0
	if p.timer != nil {
		p.timer.Stop()
		p.timer = nil
	}
	if d := p.end - now; timed && d < math.MaxInt64/int64(time.Millisecond) {
		p.timer = time.AfterFunc(time.Duration(d)*time.Millisecond, func() {
			s.lockOutsideYield()
			s.updatePause(time.Now().UnixMilli())
			s.mu.Unlock()
		})
	}
	const clientBits = pauseClientWrite | pauseClientAll
	if p.actions&clientBits < prev&clientBits {
		waiting := p.waiting
		p.waiting = nil
		for _, c := range waiting {
			if c.postponed && c.blocked != nil {
				s.unblock(c)
			}
		}
	}
}

// pausedFor reports whether a pause makes cmd wait for c: every command
// under PAUSE ALL, write and may-replicate ones (an EXEC whose queue has
// one) under PAUSE WRITE. Replicas and fake clients never wait.
func (s *Server) pausedFor(c *Client, cmd *commands.Command) bool {
	p := &s.pause
	if p.actions&(pauseClientWrite|pauseClientAll) == 0 || c.conn == nil {
		return false
	}
	if l := c.replLink; l != nil && l.attached {
		return false
	}
	if now := time.Now().UnixMilli(); p.end <= now && p.failover == 0 && p.shutdown == 0 {
		s.updatePause(now)
		return false
	}
	if p.actions&pauseClientAll != 0 {
		return true
	}
	const mayReplicate = commands.FlagWrite | commands.FlagMayReplicate
	if cmd.Flags&mayReplicate != 0 {
		return true
	}
	if top(cmd).Name == "exec" && c.tx != nil {
		for _, q := range c.tx.cmds {
			if q.Flags&mayReplicate != 0 {
				return true
			}
		}
	}
	return false
}

// postpone blocks c until the pause ends (blockPostponeClient); the
// connection runs the command again then.
func (s *Server) postpone(c *Client) {
	c.postponed = true
	c.blocked = &blockState{wake: make(chan struct{}), noClientUnblock: true}
	s.blockedCount++
	s.pause.waiting = append(s.pause.waiting, c)
}

// evictionPaused reports whether a pause holds evictions back.
func (s *Server) evictionPaused() bool { return s.pause.actions&pauseEvict != 0 }

// trackingCronLocked is the cron's share of pause and tracking work: end
// a pause whose time is up, keep the tracking table within its limit and
// send BCAST invalidations for changes made outside commands.
func (s *Server) trackingCronLocked() {
	if s.pause.actions != 0 && s.pause.set != 0 {
		if now := time.Now().UnixMilli(); s.pause.end <= now {
			s.updatePause(now)
		}
	}
	if s.trk.clients > 0 {
		s.trackingLimit()
		s.trackingBroadcast()
	}
}
