package server

import (
	"github.com/modhost/modhost/host"
	"runtime"
)

// Helpers for blocks that are not core blocking commands: module
// commands blocked with RedisModule_BlockClient / BlockClientOnKeys. All
// of them are called with the server lock held.

// Block parks the client as BlockOnKeys does, with the extra hooks of o.
// The running handler must return right after; the connection waits
// (without the lock) until the block ends, then writes what was replied.
//
// A client already blocked without keys or timeout (a module auth
// callback blocking again while its blocked AUTH resumes) keeps its block:
// only the hooks are replaced.
func (c *Client) Block(o host.BlockOptions) {
	if bs := c.blocked; bs != nil && !bs.done && len(bs.keys) == 0 && bs.timer == nil && len(o.Keys) == 0 && o.Timeout == 0 {
		bs.onTimeout = func(c *Client) { o.OnTimeout(c) }
		bs.onError, bs.onDisconnect = o.OnError, o.OnDisconnect
		bs.mayTimeout, bs.noClientUnblock = o.MayTimeout, o.NoClientUnblock
		return
	}
	onReady := func(*Client, []byte) bool { return false }
	if o.OnReady != nil {
		onReady = func(c *Client, key []byte) bool { return o.OnReady(c, key) }
	}
	c.blockOnKeys(o.Keys, o.Timeout, onReady, func(c *Client) { o.OnTimeout(c) })
	bs := c.blocked
	bs.onError = o.OnError
	bs.onDisconnect = o.OnDisconnect
	bs.mayTimeout = o.MayTimeout
	bs.noClientUnblock = o.NoClientUnblock
}

// Unblock ends the client's block, if any, without calling its hooks, and
// lets its connection go on (writing what was appended to c.W). It
// returns false when the client was not blocked.
//
// As Redis does for a module's blocked client, the client's WAIT offset
// becomes the current replication offset: what the module wrote for it
// (from a thread, a timer or the reply callback) may have been
// propagated meanwhile, and a WAIT that follows must wait for it.
func (s *Server) Unblock(c *Client) bool {
	if c.blocked == nil || c.blocked.done {
		return false
	}
	s.unblock(c)
	s.flushPropagation()
	c.woff = s.repl.offset
	return true
}

// Blocked reports whether the client waits in a blocking command.
func (c *Client) Blocked() bool { return c.isBlocked() }

// Connected reports whether the client is a live connection (not a fake
// client, not killed).
func (c *Client) Connected() bool { return c.conn != nil && !c.killed }

// AfterCallbackLocked does the work Redis does after a command also after
// work that runs outside commands (module timers, unblock handling, event
// loop callbacks): serve clients blocked on keys made ready, then the
// after-command hooks.
func (s *Server) AfterCallbackLocked() { s.afterCommandLocked() }

// ReadyKeysPendingLocked reports whether keys were signalled ready and not
// served yet (a module thread wrote under ThreadSafeContextLock).
func (s *Server) ReadyKeysPendingLocked() bool { return len(s.readyKeys) > 0 }

// Goroutines is runtime.NumGoroutine, for leak checks through DEBUG.
func Goroutines() int { return runtime.NumGoroutine() }

// DebugRegistered reports whether a DEBUG subcommand called name exists.
func (s *Server) DebugRegistered(name string) bool {
	_, ok := s.debug[name]
	return ok
}
