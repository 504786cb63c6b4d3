package server

import (
	"github.com/modhost/modhost/commands"
	"strconv"
	"time"
)

// WAIT numreplicas timeout: block until numreplicas replicas acknowledged
// the stream up to the client's last write (Redis's c->woff), asking
// them for an ACK right away.

// waitCommand is WAIT.
func waitCommand(c *Client, a [][]byte) {
	s := c.srv
	if s.actingAsReplica() {
		c.Error("ERR WAIT cannot be used with replica instances. Please also note that since Redis 4.0 if a replica is configured to be writable (which is not the default) writes to replicas are just local and are not propagated.")
		return
	}
	num, err := strconv.ParseInt(string(a[1]), 10, 64)
	if err != nil {
		c.Error(msgNotInt)
		return
	}
	ms, err := strconv.ParseInt(string(a[2]), 10, 64)
	if err != nil {
		c.Error("ERR timeout is not an integer or out of range")
		return
	}
	if ms < 0 {
		c.Error("ERR timeout is negative")
		return
	}
	acked := s.acksAt(c.woff)
	if acked >= num || !c.CanBlock() {
		c.W.Int(acked)
		return
	}
	c.waitNum, c.waitOff = num, c.woff
	c.blockOnKeys(nil, time.Duration(ms)*time.Millisecond, func(*Client, []byte) bool { return false }, func(c *Client) {
		s.dropWaiter(c)
		c.W.Int(s.acksAt(c.waitOff))
	})
	s.repl.master.waiters = append(s.repl.master.waiters, c)
	s.repl.master.getAck = true
	s.sendGetAck()
}

// acksAt counts replicas that acknowledged offset.
func (s *Server) acksAt(offset int64) int64 {
	var n int64
	for _, l := range s.repl.master.replicas {
		if l.state == replicaOnline && l.ackOff >= offset {
			n++
		}
	}
	return n
}

// serveWaiters answers WAIT clients whose replicas caught up.
func (s *Server) serveWaiters() {
	m := &s.repl.master
	for _, c := range append([]*Client(nil), m.waiters...) {
		if n := s.acksAt(c.waitOff); n >= c.waitNum && c.blocked != nil {
			s.dropWaiter(c)
			c.W.Int(n)
			s.unblock(c)
		}
	}
}

// dropWaiter removes c from the WAIT list.
func (s *Server) dropWaiter(c *Client) {
	m := &s.repl.master
	for i, w := range m.waiters {
		if w == c {
			m.waiters = append(m.waiters[:i], m.waiters[i+1:]...)
			return
		}
	}
}

// writeCommand reports whether cmd called with args writes: its write
// flag (for EVAL and FCALL the script's, Command.FlagsFor), or an EXEC
// whose queue holds a write (Redis's is_write_command).
func (s *Server) writeCommand(c *Client, cmd *commands.Command, args [][]byte) bool {
	if cmd.FlagsFor(args)&commands.FlagWrite != 0 {
		return true
	}
	if cmd.FullName == "exec" && c.tx != nil {
		for i, q := range c.tx.cmds {
			if q.FlagsFor(c.tx.queue[i])&commands.FlagWrite != 0 {
				return true
			}
		}
	}
	return false
}
