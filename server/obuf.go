package server

import (
	"time"
	"unsafe"

	"github.com/modhost/modhost/internal/config"
)

// Output buffer accounting and client-output-buffer-limit.
//
// A client's output buffer is every reply byte produced for it and not yet
// accepted by the kernel: the buffer being filled (W.Buf, plus pending
// pushes held while its own command runs) and the buffers detached for
// writing whose write has not finished (a writer blocked on a client that
// does not read keeps its buffer; meanwhile new output piles up in W.Buf).
// Detached bytes are counted in inflight, updated by the writers without
// the server lock.

// Client classes of client-output-buffer-limit, in config.ObufLimit order.
const (
	obufNormal  = 0
	obufReplica = 1
	obufPubsub  = 2
)

// writeChunk bounds one socket write so that the accounting of a large
// buffer follows what the kernel has actually taken.
const writeChunk = 64 << 10

// obufClass is the client's class for output limits: replica once SYNC
// or PSYNC attached it, pubsub while it has subscriptions, normal
// otherwise (MONITOR clients included, as in Redis).
func (c *Client) obufClass() int {
	if c.replLink != nil && c.replLink.attached {
		return obufReplica
	}
	if c.isSubscriber() {
		return obufPubsub
	}
	return obufNormal
}

// fillingBytes is the output in the buffer being filled (under the lock).
func (c *Client) fillingBytes() int64 {
	return int64(len(c.W.Buf) + len(c.pending.Buf))
}

// outputBytes is the whole output not yet written (under the lock); a
// replica's includes the replication stream its link has not written.
func (c *Client) outputBytes() int64 {
	n := c.fillingBytes() + c.inflight.Load()
	if c.replLink != nil && c.replLink.attached {
		n += c.replLink.outputBytes()
	}
	return n
}

// limitedOutput reports whether the client's class has an output limit
// (under the lock). Such a client's replies are written by its async
// writer so that the connection goroutine keeps reading and executing
// while the client does not read, as Redis does, and the limit is seen.
//
// A replica's stream has its own writer (replicaLink.writer); its replies
// keep the connection's path.
func (s *Server) limitedOutput(c *Client) bool {
	class := c.obufClass()
	if class == obufReplica {
		return false
	}
	l := &s.hot.obuf[class]
	return l.Hard != 0 || l.Soft != 0
}

// checkOutputLimitLocked closes the client when its output is over the
// hard limit of its class, or has been over the soft limit for longer than
// the soft seconds. Redis checks as the reply grows and once a second
// from its cron; modhost checks after each command of the client, on each
// push to it and from the cron (outputLimitCronLocked).
func (s *Server) checkOutputLimitLocked(c *Client) {
	if s.overOutputLimitLocked(c) {
		s.closeForOutputLimitLocked(c, "scheduled to be closed ASAP")
	}
}

// outputLimitCronLocked checks every client's output limits once a
// second, so that a client staying over its soft limit is closed even
// when no new output comes.
func (s *Server) outputLimitCronLocked(now time.Time) {
	if now.Sub(s.obufCronAt) < time.Second {
		return
	}
	s.obufCronAt = now
	for _, c := range s.clients {
		if s.overOutputLimitLocked(c) {
			s.closeForOutputLimitLocked(c, "closed")
		}
	}
}

// overOutputLimitLocked reports whether the client is over its limits,
// keeping the time it first went over the soft limit.
func (s *Server) overOutputLimitLocked(c *Client) bool {
	if c.conn == nil || c.killed {
		return false
	}
	class := c.obufClass()
	l := &s.hot.obuf[class]
	if l.Hard == 0 && l.Soft == 0 {
		return false
	}
	used := uint64(c.outputBytes())
	if used == 0 {
		return false
	}
	hard := l.Hard
	if class == obufReplica && hard != 0 && hard < uint64(s.repl.master.backlogSize) {
		// As Redis: a replica hard limit below repl-backlog-size would
		// drop a replica right after a partial resync; the backlog size
		// is used instead.
		hard = uint64(s.repl.master.backlogSize)
	}
	over := hard != 0 && used >= hard
	if l.Soft != 0 && used >= l.Soft {
		now := time.Now().Unix()
		if c.obufSoftSince == 0 {
			c.obufSoftSince = now
		} else if now-c.obufSoftSince > l.SoftSeconds {
			over = true
		}
	} else {
		c.obufSoftSince = 0
	}
	return over
}

// closeForOutputLimitLocked drops the client's pending output and closes
// it, logging as Redis does ("scheduled to be closed ASAP" when found
// while output grows, "closed" when found by the cron).
func (s *Server) closeForOutputLimitLocked(c *Client, how string) {
	s.Log.Warningf("Client %s %s for overcoming of output buffer limits.", c.infoString(), how)
	s.stats.obufLimitDisconnections++
	c.dropOutput = true
	if c != s.current && c.W.Pending() == 0 {
		// Not in the middle of a reply: release the memory now.
		c.W.Buf = nil
		c.pending.Buf = nil
	}
	c.Kill()
}

// applyOutputLimits caches client-output-buffer-limit for the hot paths.
func (s *Server) applyOutputLimits() {
	s.hot.obuf = s.Config.OutputBufferLimits()
}

// outputLimits is the type of the cached limits.
type outputLimits = [3]config.ObufLimit

// recentMaxOutput is the largest output buffer among the clients now
// (INFO clients' client_recent_max_output_buffer).
func (s *Server) recentMaxOutput() int64 {
	var max int64
	for _, c := range s.clients {
		if n := c.outputBytes(); n > max {
			max = n
		}
	}
	return max
}

// recentMaxInput is the largest query buffer among the clients now
// (client_recent_max_input_buffer).
func (s *Server) recentMaxInput() int64 {
	var max int64
	for _, c := range s.clients {
		if n := c.qbufCap.Load(); n > max {
			max = n
		}
	}
	return max
}

// clientMem is the memory of one client as CLIENT LIST shows it.
type clientMem struct {
	qbuf, qbufFree int64 // query buffer bytes and free capacity
	argv, multi    int64 // arguments of the running command, of MULTI's queue
	rbs            int64 // capacity of the buffer being filled
	obl            int64 // bytes in the buffer being filled
	oll            int64 // buffers detached for writing, not yet written
	omem           int64 // all output not yet written
	total          int64 // everything above plus the client itself
	events         string
}

// clientStructSize approximates the fixed memory of a client.
const clientStructSize = int64(unsafe.Sizeof(Client{}))

// memUsage measures the client (under the lock).
func (c *Client) memUsage() clientMem {
	var m clientMem
	m.qbuf = c.qbufLen.Load()
	capQ := c.qbufCap.Load()
	if capQ > m.qbuf {
		m.qbufFree = capQ - m.qbuf
	}
	for _, a := range c.argv {
		m.argv += int64(len(a))
	}
	if c.tx != nil {
		for _, argv := range c.tx.queue {
			for _, a := range argv {
				m.multi += int64(len(a))
			}
		}
	}
	m.rbs = int64(cap(c.W.Buf))
	m.obl = c.fillingBytes()
	m.oll = c.inflightBufs.Load()
	inflight := c.inflight.Load()
	m.omem = m.obl + inflight
	m.total = clientStructSize + capQ + m.argv + m.multi +
		int64(cap(c.W.Buf)+cap(c.pending.Buf)) + inflight
	m.events = "r"
	if m.omem > 0 {
		m.events = "rw"
	}
	return m
}
