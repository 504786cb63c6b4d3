package server

import (
	"errors"
	"github.com/modhost/modhost/host"
	"net"
	"strings"
	"time"
)

// blockState describes why and how a client is blocked. It is created by
// BlockOnKeys or Block under the server lock and ends in unblock.
type blockState struct {
	keys      []watchKey
	onReady   func(c *Client, key []byte) bool // serve after a key became ready
	onTimeout func(c *Client)                  // write the timeout reply
	onError   func(c host.Client, msg string)  // CLIENT UNBLOCK ERROR (nil: default error reply)
	// onDisconnect runs (under the lock) when the connection closes while
	// blocked, before the block ends; nil for core commands.
	onDisconnect func(c host.Client)
	// mayTimeout, when set, is asked before a timeout (timer or CLIENT
	// UNBLOCK TIMEOUT) replies: false skips it because the block is about
	// to end another way (a module already unblocked the client).
	mayTimeout func(c host.Client) bool
	// noClientUnblock makes CLIENT UNBLOCK answer 0 (a module block
	// without a timeout callback).
	noClientUnblock bool
	// call is the command that blocked, recorded when the block ends.
	call  *blockedCall
	timer *time.Timer
	wake  chan struct{} // closed when unblocked
	done  bool
}

// isBlocked reports whether the client waits in a blocking command.
func (c *Client) isBlocked() bool { return c.blocked != nil }

// CanBlock reports whether the running command may block: not inside
// MULTI/EXEC, and not for a fake (module/script) client unless the module
// called with "K" (AllowBlocking).
func (c *Client) CanBlock() bool {
	return !c.inExec && !c.replMaster && (c.conn != nil || c.allowBlock)
}

// denyBlocking reports whether the client has Redis's DENY_BLOCKING flag:
// it runs EXEC's commands, or it is a fake client (RedisModule_Call,
// scripts), which gets exactly one reply per command. A fake client
// allowed to block ("K") is included: it cannot read what MONITOR or
// a subscription would send it later.
func (c *Client) denyBlocking() bool {
	return c.inExec || c.conn == nil
}

// blockOnKeys is BlockOnKeys with the server's own client type.
func (c *Client) blockOnKeys(keys [][]byte, timeout time.Duration, onReady func(c *Client, key []byte) bool, onTimeout func(c *Client)) {
	s := c.srv
	bs := &blockState{onReady: onReady, onTimeout: onTimeout, wake: make(chan struct{})}
	if s.blockers == nil {
		s.blockers = map[watchKey][]*Client{}
	}
	for _, k := range keys {
		wk := watchKey{c.DB, string(k)}
		dup := false
		for _, have := range bs.keys {
			if have == wk {
				dup = true
			}
		}
		if dup {
			continue
		}
		bs.keys = append(bs.keys, wk)
		s.blockers[wk] = append(s.blockers[wk], c)
	}
	c.blocked = bs
	if c.conn != nil { // fake clients are not counted, as in Redis
		s.blockedCount++
	}
	if timeout > 0 {
		bs.timer = time.AfterFunc(timeout, func() {
			s.lockOutsideYield()
			if c.blocked == bs && !bs.done && (bs.mayTimeout == nil || bs.mayTimeout(c)) {
				bs.onTimeout(c)
				s.unblock(c)
				if c.conn == nil {
					// A fake client's promise handler ran: serve what it
					// made ready, as after a command.
					s.afterCommandLocked()
				}
			}
			s.mu.Unlock()
		})
	}
}

// unblock ends a client's block (under the lock) and wakes its goroutine.
func (s *Server) unblock(c *Client) {
	bs := c.blocked
	if bs == nil || bs.done {
		return
	}
	bs.done = true
	s.finishBlockedCall(c, bs)
	for _, wk := range bs.keys {
		s.blockers[wk] = removeClient(s.blockers[wk], c)
		if len(s.blockers[wk]) == 0 {
			delete(s.blockers, wk)
		}
	}
	if bs.timer != nil {
		bs.timer.Stop()
	}
	c.blocked = nil
	close(bs.wake)
	if c.conn != nil {
		s.blockedCount--
	} else if fn := c.onUnblocked; fn != nil {
		// Last: the hook may hand the fake client back to the pool.
		c.onUnblocked = nil
		fn()
	}
}

// SignalKeyAsReady records that key may now serve clients blocked on it
// (list/zset/stream writes, module SignalKeyAsReady). Served after the
// current command, as Redis's handleClientsBlockedOnKeys.
func (s *Server) SignalKeyAsReady(db int, key []byte) {
	if len(s.blockers) == 0 {
		return
	}
	wk := watchKey{db, string(key)}
	if _, ok := s.blockers[wk]; !ok {
		return
	}
	for _, r := range s.readyKeys {
		if r == wk {
			return
		}
	}
	s.readyKeys = append(s.readyKeys, wk)
}

// serveReadyKeys serves blocked clients, oldest first, for every key made
// ready; serving may make more keys ready (BLMOVE), so it loops.
func (s *Server) serveReadyKeys() {
	for len(s.readyKeys) > 0 {
		ready := s.readyKeys
		s.readyKeys = nil
		for _, wk := range ready {
			waiting := append([]*Client(nil), s.blockers[wk]...)
			for _, c := range waiting {
				bs := c.blocked
				if bs == nil || bs.done {
					continue
				}
				prevDB := c.DB
				c.DB = wk.db
				dirty, mark := s.Keys.Dirty, len(c.W.Buf)
				served := bs.onReady(c, []byte(wk.key))
				if s.Keys.Dirty != dirty && bs.call != nil {
					s.propagateServed(c, bs.call.cmd, bs.call.args, mark)
				}
				c.DB = prevDB
				if served {
					s.unblock(c)
				}
			}
			// Each ready key's pops go out as one unit, as Redis's
			// handleClientsBlockedOnKeys does.
			s.flushPropagation()
		}
	}
}

// waitUnblocked waits, without the lock, until the client is served or its
// connection closes; meanwhile it keeps reading so a disconnect is seen at
// once (bytes read are kept for after the block). It returns false when the
// client must go away.
func (s *Server) waitUnblocked(c *Client, bs *blockState) bool {
	done := make(chan struct{})
	closed := make(chan struct{})
	go func() {
		defer close(done)
		buf := make([]byte, 4096)
		for {
			n, err := c.conn.Read(buf)
			if n > 0 {
				c.extraIn = append(c.extraIn, buf[:n]...)
			}
			if err != nil {
				var ne net.Error
				if !(errors.As(err, &ne) && ne.Timeout()) {
					close(closed)
				}
				return
			}
		}
	}()
	select {
	case <-bs.wake:
		_ = c.conn.SetReadDeadline(time.Unix(1, 0))
		<-done
		_ = c.conn.SetReadDeadline(time.Time{})
		select {
		case <-closed:
			return false
		default:
			return true
		}
	case <-closed:
		s.mu.Lock()
		if c.blocked == bs && !bs.done && bs.onDisconnect != nil {
			bs.onDisconnect(c)
		}
		bs.call = nil // a disconnected client's command is not counted
		s.unblock(c)
		s.mu.Unlock()
		return false
	}
}

func clientUnblock(c *Client, a [][]byte) {
	s := c.srv
	id, ok := parseInt(a[2])
	if !ok {
		c.Error(msgNotInt)
		return
	}
	useError := false
	if len(a) == 4 {
		switch strings.ToLower(string(a[3])) {
		case "timeout":
		case "error":
			useError = true
		default:
			c.Error("ERR CLIENT UNBLOCK reason should be TIMEOUT or ERROR")
			return
		}
	} else if len(a) > 4 {
		c.Error(msgSyntax)
		return
	}
	target := s.clients[id]
	if target == nil || target.blocked == nil || target.blocked.done || target.blocked.noClientUnblock {
		c.W.Int(0)
		return
	}
	bs := target.blocked
	if !useError && bs.mayTimeout != nil && !bs.mayTimeout(target) {
		c.W.Int(1)
		return
	}
	switch {
	case useError && bs.onError != nil:
		bs.onError(target, "UNBLOCKED client unblocked via CLIENT UNBLOCK")
	case useError:
		target.Error("UNBLOCKED client unblocked via CLIENT UNBLOCK")
	default:
		bs.onTimeout(target)
	}
	s.unblock(target)
	c.W.Int(1)
}

// RedirectBlocked ends the block of every client waiting on keys (or, for
// a module's block without keys, when keyless is true) for which
// redirect returns an error, and replies that error: Redis's
// clusterRedirectBlockedClientIfNeeded, which its clients cron runs so
// that a client blocked on a slot this node no longer serves gets MOVED
// (or CLUSTERDOWN) instead of waiting for a write that will never come.
// redirect gets the first key (all keys of a block share one slot), nil
// for a module block without keys. Call under the lock.
func (s *Server) RedirectBlocked(redirect func(c *Client, key []byte) string) {
	for _, c := range s.clients {
		bs := c.blocked
		if bs == nil || bs.done {
			continue
		}
		var key []byte
		if len(bs.keys) > 0 {
			key = []byte(bs.keys[0].key)
		} else if bs.onDisconnect == nil {
			continue // not a key or module block (WAIT, a pause)
		}
		msg := redirect(c, key)
		if msg == "" {
			continue
		}
		if bs.onError != nil {
			bs.onError(c, msg)
		} else {
			c.Error(msg)
		}
		s.unblock(c)
	}
}
