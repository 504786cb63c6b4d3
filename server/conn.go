package server

import (
	"errors"
	"github.com/modhost/modhost/host"
	"io"
	"net"

	"github.com/modhost/modhost/resp"
)

const readChunk = 16 << 10

// batch is the commands parsed from one read: all argv slices in one
// backing array, split by ends.
type batch struct {
	argv [][]byte
	ends []int
	// spare is the last written reply buffer, handed back to the client's
	// writer so that a steady connection does not allocate one per batch.
	spare []byte
}

// serveConn is the goroutine of one connection: read everything available,
// parse every complete command, run them under one lock acquisition, write
// all replies at once.
func (s *Server) serveConn(conn net.Conn) {
	if tc, ok := rawConn(conn).(*net.TCPConn); ok {
		_ = tc.SetNoDelay(true)
	}
	s.setKeepAlive(conn)
	c := newClient(s, conn)
	c.ID = s.nextID.Add(1)

	s.mu.Lock()
	if reason := s.admitLocked(c); reason != "" {
		s.mu.Unlock()
		_, _ = conn.Write([]byte("-" + reason + "\r\n"))
		_ = conn.Close()
		return
	}
	s.clients[c.ID] = c
	s.stats.connectionsReceived++
	if s.hooks.events != nil {
		s.hooks.events(&host.ServerEvent{ID: host.EventClientChange, Sub: host.SubClientConnected, Client: c})
	}
	lim := connLimits{Limits: resp.DefaultLimits()}
	s.refreshLimitsLocked(&lim, c)
	s.mu.Unlock()

	defer s.freeClient(c)

	buf := make([]byte, 0, readChunk)
	var b batch
	for {
		if len(c.extraIn) > 0 {
			// Bytes read while the client was blocked.
			buf = append(buf, c.extraIn...)
			c.extraIn = nil
		} else {
			if cap(buf)-len(buf) < readChunk/4 {
				nb := make([]byte, len(buf), 2*cap(buf))
				copy(nb, buf)
				buf = nb
			}
			n, err := conn.Read(buf[len(buf):cap(buf)])
			if n > 0 {
				buf = buf[:len(buf)+n]
				s.stats.netInput.Add(int64(n))
				c.qbufLen.Store(int64(len(buf)))
				c.qbufCap.Store(int64(cap(buf)))
			}
			if err != nil {
				if !errors.Is(err, io.EOF) && !errors.Is(err, net.ErrClosed) {
					s.Log.Verbosef("Client id=%d closed: %v", c.ID, err)
				}
				return
			}
		}
		consumed, perr := b.parse(buf, &lim.Limits)
		if len(b.ends) == 0 && perr == nil && lim.clientEvict && !s.partialReadWithinLimits(c) {
			return
		}
		if len(b.ends) > 0 || perr != nil {
			if !s.runBatch(c, &b, perr, &lim) {
				return
			}
		}
		// Keep the unparsed tail at the front of the buffer.
		rest := copy(buf, buf[consumed:])
		buf = buf[:rest]
		c.qbufLen.Store(int64(len(buf)))
		if int64(len(buf)) > lim.queryBufLimit {
			s.stats.qbufLimitDisconnections.Add(1)
			s.Log.Warningf("Closing client that reached max query buffer length: id=%d addr=%s (qbuf initial bytes: %q)", c.ID, c.Addr, truncate(buf, 64))
			return
		}
		if cap(buf) > 4*readChunk && len(buf) < readChunk {
			nb := make([]byte, len(buf), readChunk)
			copy(nb, buf)
			buf = nb
		}
		c.qbufCap.Store(int64(cap(buf)))
	}
}

func truncate(b []byte, n int) []byte {
	if len(b) > n {
		return b[:n]
	}
	return b
}

// connLimits are the protocol limits of one connection, refreshed under
// the lock after every batch (CONFIG SET and AUTH change them).
type connLimits struct {
	resp.Limits
	queryBufLimit int64
	clientEvict   bool // maxmemory-clients is set
}

// refreshLimitsLocked copies the configured limits into lim.
func (s *Server) refreshLimitsLocked(lim *connLimits, c *Client) {
	lim.MaxBulkLen = s.hot.protoMaxBulk
	lim.Authenticated = c.Authenticated || !s.hot.authRequired
	lim.queryBufLimit = s.hot.queryBufLimit
	lim.clientEvict = s.hot.clientEvict != 0
}

// parse splits buf into complete commands; it returns the bytes consumed and
// a protocol error met after them, if any.
func (b *batch) parse(buf []byte, lim *resp.Limits) (int, error) {
	b.argv = b.argv[:0]
	b.ends = b.ends[:0]
	off := 0
	for off < len(buf) {
		out, n, err := resp.ParseCommand(buf[off:], b.argv[len(b.argv):], lim)
		if err != nil {
			return off, err
		}
		if n == 0 {
			break
		}
		off += n
		if len(out) == 0 {
			continue
		}
		b.argv = append(b.argv, out...)
		b.ends = append(b.ends, len(b.argv))
	}
	return off, nil
}

// runBatch executes a parsed batch under one lock acquisition and writes the
// replies. It returns false when the connection must close.
func (s *Server) runBatch(c *Client, b *batch, perr error, lim *connLimits) bool {
	s.lockBatch(c, b)
	start := 0
	for i := 0; i < len(b.ends); {
		end := b.ends[i]
		if c.killed || c.closeAfter {
			break
		}
		s.execute(c, b.argv[start:end])
		s.checkOutputLimitLocked(c)
		s.afterClientActivityLocked(c)
		if !c.postponed {
			start = end
			i++
		}
		if bs := c.blocked; bs != nil {
			out, seq := c.takeOutputLocked()
			s.unlockBatch(c)
			if out != nil {
				if err := c.writeOut(out, seq); err != nil {
					return false
				}
				b.recycle(out)
			}
			if !s.waitUnblocked(c, bs) {
				return false
			}
			s.lockBatch(c, b)
			c.postponed = false
		}
	}
	if perr != nil && !c.killed {
		c.Error(perr.Error())
		s.Log.Verbosef("Protocol error (%s) from client: id=%d addr=%s", perr.Error(), c.ID, c.Addr)
		c.closeAfter = true
	}
	s.refreshLimitsLocked(lim, c)
	keep := !c.killed && !c.closeAfter
	if keep && s.limitedOutput(c) {
		// The async writer writes it: this goroutine goes on reading
		// even when the client does not read its replies.
		if len(c.W.Buf) > 0 {
			c.Push()
		}
		s.unlockBatch(c)
		return true
	}
	var out []byte
	var seq uint64
	if !c.dropOutput {
		out, seq = c.takeOutputLocked()
	}
	if !keep && c.closeAfter && !c.replMaster {
		s.releaseClientLocked(c)
	}
	s.unlockBatch(c)
	if out != nil {
		if err := c.writeOut(out, seq); err != nil {
			return false
		}
		b.recycle(out)
	}
	return keep
}

// lockBatch takes the server lock for a batch: it starts the client's batch
// clock and gives the reply writer the recycled buffer when it has none
// (asynchronous output may already have started a new one).
func (s *Server) lockBatch(c *Client, b *batch) {
	s.mu.Lock()
	s.fireSleepPairLocked()
	s.prop.inBatch = true
	c.clk.start()
	if c.W.Buf == nil && b.spare != nil {
		c.W.Buf = b.spare
		b.spare = nil
	}
}

// unlockBatch stops the batch clock, unpins the keyspace time and releases
// the server lock.
func (s *Server) unlockBatch(c *Client) {
	s.trackingBroadcast()
	s.prop.inBatch = false
	s.endBatches()
	c.clk.on = false
	s.Keys.PinTime(0)
	s.mu.Unlock()
}

// recycle keeps a written reply buffer for the next batch unless it grew
// large (a big reply should not pin its memory for the connection's life).
func (b *batch) recycle(out []byte) {
	if cap(out) <= readChunk {
		b.spare = out[:0]
	}
}

// freeClient unregisters a client when its connection ends.
func (s *Server) freeClient(c *Client) {
	_ = c.conn.Close()
	s.mu.Lock()
	s.releaseClientLocked(c)
	s.mu.Unlock()
}

// releaseClientLocked unregisters c (disconnect events, subscriptions,
// tracking, the client table) once; later calls do nothing. A client that
// closes after its reply (QUIT, a protocol error) is released before that
// reply is written, as Redis frees it before the peer can see the reply and
// connect again: a module never sees the next connection before this one's
// disconnect.
func (s *Server) releaseClientLocked(c *Client) {
	if c.released {
		return
	}
	c.released = true
	c.killed = true
	s.usersClientFreed(c)
	for _, fn := range s.onClientFree {
		fn(c)
	}
	s.unsubscribeAllLocked(c)
	s.forgetClientMemLocked(c)
	s.disableTracking(c)
	delete(s.monitors, c.ID)
	delete(s.clients, c.ID)
	if c.asyncWake != nil {
		close(c.asyncWake)
		c.asyncWake = nil
	}
}

// admitLocked applies maxclients and protected mode; it returns the refusal
// reason or "".
func (s *Server) admitLocked(c *Client) string {
	if int64(len(s.clients)) >= s.Config.Int("maxclients") {
		s.stats.rejectedConns++
		return "ERR max number of clients reached"
	}
	if s.Config.Bool("protected-mode") && s.ACL.Default().NoPass() && s.defaultBind() && !isLoopback(c.conn.RemoteAddr()) {
		s.stats.rejectedConns++
		return protectedModeMsg
	}
	return ""
}

func (s *Server) defaultBind() bool {
	b := s.Config.String("bind")
	return b == "* -::*" || b == ""
}

func isLoopback(a net.Addr) bool {
	if ta, ok := a.(*net.TCPAddr); ok {
		return ta.IP.IsLoopback()
	}
	return true
}
