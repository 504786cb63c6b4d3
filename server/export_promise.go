package server

// Blocking fake clients, for RedisModule_Call with "K": the called
// command may block the fake client as it would a connection; the module
// host gets a promise and is told when the block ends. Everything here
// runs under the server lock.

// AllowBlocking lets the fake client block (or stops it): CanBlock then
// answers true outside EXEC, and the called command sees no
// REDISMODULE_CTX_FLAGS_DENY_BLOCKING. A connection ignores it.
func (c *Client) AllowBlocking(on bool) {
	if c.conn == nil {
		c.allowBlock = on
	}
}

// OnUnblocked sets fn to run, once, right after the blocked fake client's
// block ends (its reply is then in c.W); nil removes it. fn may release
// the client.
func (c *Client) OnUnblocked(fn func()) { c.onUnblocked = fn }

// AbortBlockLocked ends a fake client's block without a reply: the block's
// own ending hook (a module's disconnect callback) runs, OnUnblocked does
// not, and the command is not counted, as when a client disconnects while
// blocked. It returns false when the client was not blocked.
func (s *Server) AbortBlockLocked(c *Client) bool {
	bs := c.blocked
	if bs == nil || bs.done {
		return false
	}
	c.onUnblocked = nil
	if bs.onDisconnect != nil {
		bs.onDisconnect(c)
	}
	bs.call = nil
	s.unblock(c)
	return true
}
