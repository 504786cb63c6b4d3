package server

// The master client: the connection to the master once synchronized. Its
// commands run through the dispatcher without the gates of normal clients
// (ACL, OOM, min-replicas, read-only, the yield gate) and never block;
// their replies are discarded, except REPLCONF GETACK, answered with
// REPLCONF ACK <offset>. The offset advances by the bytes of each applied
// command (a MULTI ... EXEC block at its EXEC), and those bytes go to the
// backlog verbatim: nothing the master sends is propagated again as this
// server's own writes.

import (
	"errors"
	"io"
	"net"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/modhost/modhost/commands"
	"github.com/modhost/modhost/host"
	"github.com/modhost/modhost/resp"
)

// masterWriter serializes the replica's writes to its master (ACKs from
// the stream goroutine and the once-a-second ticker).
type masterWriter struct {
	mu      sync.Mutex
	conn    net.Conn
	timeout time.Duration
}

// ack sends REPLCONF ACK off.
func (w *masterWriter) ack(off int64) error {
	o := strconv.FormatInt(off, 10)
	buf := appendCommand(nil, [][]byte{[]byte("REPLCONF"), []byte("ACK"), []byte(o)})
	w.mu.Lock()
	defer w.mu.Unlock()
	_ = w.conn.SetWriteDeadline(time.Now().Add(w.timeout))
	_, err := w.conn.Write(buf)
	return err
}

// attachMasterLocked makes the master client on conn and marks the link
// connected (MasterLinkChange up).
func (s *Server) attachMasterLocked(r *replicaState, conn net.Conn) *Client {
	c := newClient(s, conn)
	c.ID = s.nextID.Add(1)
	c.replMaster = true
	c.Authenticated = true
	c.user = nil // the master may run anything
	c.DB = r.db
	s.clients[c.ID] = c
	r.client = c
	r.conn = conn
	r.state = linkConnected
	r.cached = true
	r.downSince = time.Time{}
	r.lastIO = time.Now()
	s.fire(host.EventMasterLinkChange, host.SubMasterLinkUp)
	return c
}

// replicaGetAck is REPLCONF GETACK from the master client: the ACK of the
// offset applied before it is sent once the batch is done.
func (s *Server) replicaGetAck(c *Client) {
	r := s.repl.replica
	if r == nil || !c.replMaster || r.client != c {
		return
	}
	r.ackPending = true
	r.ackOff = s.repl.offset
}

// followStream applies the master's stream until the link ends.
func (s *Server) followStream(r *replicaState, gen int64, c *Client, h *handshake) error {
	w := &masterWriter{conn: h.conn, timeout: h.timeout}
	stop := make(chan struct{})
	defer func() {
		close(stop)
		s.mu.Lock()
		s.masterClientKilledLocked(c)
		s.mu.Unlock()
		s.freeClient(c)
	}()
	s.mu.Lock()
	first := s.repl.offset
	s.mu.Unlock()
	if err := w.ack(first); err != nil {
		return linkErr("Error sending REPLCONF ACK to master: %v", err)
	}
	go s.ackTicker(r, gen, c, w, stop)

	lim := resp.DefaultLimits()
	lim.MaxBulkLen = 1 << 62 // the master's stream has no bulk limit
	lim.Authenticated = true
	buf := make([]byte, 0, readChunk)
	var argv [][]byte
	pos := 0 // bytes of buf parsed (those past fed belong to an open MULTI)
	for {
		if cap(buf)-len(buf) < readChunk/4 {
			nb := make([]byte, len(buf), 2*cap(buf))
			copy(nb, buf)
			buf = nb
		}
		_ = h.conn.SetReadDeadline(time.Now().Add(h.timeout))
		n, err := h.br.Read(buf[len(buf):cap(buf)])
		if err != nil && n == 0 {
			if errors.Is(err, io.EOF) || errors.Is(err, net.ErrClosed) {
				return nil
			}
			return linkErr("MASTER timeout or I/O error: %v", err)
		}
		buf = buf[:len(buf)+n]
		s.stats.netInput.Add(int64(n))
		fed, next, perr := s.applyStream(r, gen, c, buf, pos, &argv, &lim, int64(n))
		if perr != nil {
			return perr
		}
		rest := copy(buf, buf[fed:])
		buf = buf[:rest]
		pos = next - fed
		if err := s.sendPendingAck(r, w); err != nil {
			return linkErr("Error sending REPLCONF ACK to master: %v", err)
		}
	}
}

// applyStream runs, under the lock, every complete command of buf[pos:]
// (buf[:pos] was parsed before: the commands of an open MULTI, queued in
// the master client). It returns how many bytes of buf were applied and
// fed to the backlog, and the new parse position.
func (s *Server) applyStream(r *replicaState, gen int64, c *Client, buf []byte, pos int, argv *[][]byte, lim *resp.Limits, read int64) (fed, next int, err error) {
	s.lockOutsideYield()
	defer func() {
		c.clk.on = false
		s.Keys.PinTime(0)
		s.mu.Unlock()
	}()
	if !s.linkCurrent(r, gen) || c.killed {
		return 0, pos, errStaleLink
	}
	c.clk.start()
	r.readOff += read
	r.lastIO = time.Now()
	for pos < len(buf) && !c.killed {
		args, k, perr := resp.ParseCommand(buf[pos:], (*argv)[:0], lim)
		if perr != nil {
			return fed, pos, linkErr("Protocol error from MASTER: %v", perr)
		}
		if k == 0 {
			break
		}
		*argv = args
		pos += k
		if len(args) > 0 {
			s.execute(c, args)
			if len(c.W.Buf) > 0 && c.W.Buf[0] == '-' {
				s.errorToMaster(c, args)
			}
			c.W.Buf = c.W.Buf[:0]
		}
		if c.tx == nil {
			// Applied: the offset moves and the bytes join the backlog.
			s.feedReplicationStream(buf[fed:pos])
			fed = pos
		}
	}
	return fed, pos, nil
}

// sendPendingAck answers a GETACK seen in the last batch.
func (s *Server) sendPendingAck(r *replicaState, w *masterWriter) error {
	s.mu.Lock()
	pending, off := r.ackPending, r.ackOff
	r.ackPending = false
	s.mu.Unlock()
	if !pending {
		return nil
	}
	return w.ack(off)
}

// ackTicker sends REPLCONF ACK every second while the link lives.
func (s *Server) ackTicker(r *replicaState, gen int64, c *Client, w *masterWriter, stop <-chan struct{}) {
	t := time.NewTicker(time.Second)
	defer t.Stop()
	for {
		select {
		case <-stop:
			return
		case <-s.shutdown:
			return
		case <-t.C:
		}
		s.mu.Lock()
		live := s.linkCurrent(r, gen) && r.client == c && !c.killed
		off := s.repl.offset
		s.mu.Unlock()
		if !live {
			return
		}
		if err := w.ack(off); err != nil {
			return
		}
	}
}

// callFromMaster runs a command of the master client: MULTI queueing
// applies, no other gate does, and expired keys are alive to it (the
// master sends their DELs).
func (s *Server) callFromMaster(c *Client, cmd *commands.Command, args [][]byte) {
	for _, h := range s.preExec {
		if h(c, cmd, args) {
			return
		}
	}
	s.Keys.MasterAccess = true
	s.call(c, cmd, args)
	s.Keys.MasterAccess = false
}

// errorToMaster is Redis's afterErrorReply for the master client: an
// error from the master's stream is logged as critical and, with
// propagation-error-behavior panic or panic-on-replicas on a read-only
// replica, stops the server.
func (s *Server) errorToMaster(c *Client, args [][]byte) {
	msg := string(c.W.Buf[1:])
	if i := strings.IndexAny(msg, "\r\n"); i >= 0 {
		msg = msg[:i]
	}
	name := strings.ToLower(string(args[0]))
	s.Log.Warningf("== CRITICAL == This replica is sending an error to its master: '%s' after processing the command '%s'", msg, name)
	b := s.Config.String("propagation-error-behavior")
	if s.Config.Bool("replica-read-only") && (b == "panic" || b == "panic-on-replicas") {
		s.Log.Warningf("This replica panicked sending an error to its master after processing the command '%s'", name)
		panic("This replica panicked sending an error to its master after processing the command '" + name + "'")
	}
}
