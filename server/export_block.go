package server

import (
	"runtime"
	"time"
)

// Helpers for blocks that are not core blocking commands: module
// commands blocked with RedisModule_BlockClient / BlockClientOnKeys. All
// of them are called with the server lock held.

// BlockOptions describes a block started with Client.Block.
type BlockOptions struct {
	// Keys, in the client's current database, wake the client through
	// OnReady when signalled ready (empty: the block waits for Unblock).
	Keys [][]byte
	// Timeout ends the block through OnTimeout (0: never).
	Timeout time.Duration
	// OnReady serves the client after one of Keys became ready; true ends
	// the block. Required when Keys is not empty.
	OnReady func(c *Client, key []byte) bool
	// OnTimeout writes the reply of a timeout or of CLIENT UNBLOCK
	// [TIMEOUT]. Required.
	OnTimeout func(c *Client)
	// MayTimeout, if set, is asked first: false skips the timeout reply
	// (the block is about to end another way).
	MayTimeout func(c *Client) bool
	// OnError handles CLIENT UNBLOCK ERROR with Redis's message; nil writes
	// the message as an error reply.
	OnError func(c *Client, msg string)
	// OnDisconnect runs when the connection closes (or is killed) while
	// blocked, before the block ends.
	OnDisconnect func(c *Client)
	// NoClientUnblock makes CLIENT UNBLOCK answer 0 for this client.
	NoClientUnblock bool
}

// Block parks the client as BlockOnKeys does, with the extra hooks of o.
// The running handler must return right after; the connection waits
// (without the lock) until the block ends, then writes what was replied.
func (c *Client) Block(o BlockOptions) {
	onReady := o.OnReady
	if onReady == nil {
		onReady = func(*Client, []byte) bool { return false }
	}
	c.blockOnKeys(o.Keys, o.Timeout, onReady, o.OnTimeout)
	bs := c.blocked
	bs.onError = o.OnError
	bs.onDisconnect = o.OnDisconnect
	bs.mayTimeout = o.MayTimeout
	bs.noClientUnblock = o.NoClientUnblock
}

// Unblock ends the client's block, if any, without calling its hooks, and
// lets its connection go on (writing what was appended to c.W). It
// returns false when the client was not blocked.
func (s *Server) Unblock(c *Client) bool {
	if c.blocked == nil || c.blocked.done {
		return false
	}
	s.unblock(c)
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
