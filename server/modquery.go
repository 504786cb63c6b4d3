package server

// Read-only views of client and server state for the module API
// (RedisModule_GetContextFlags, GetUsedMemoryRatio). Call them with the
// server lock held.

// InExec reports whether the client is executing the queue of EXEC.
func (c *Client) InExec() bool { return c.inExec }

// MultiDirty reports whether the client's next EXEC is bound to fail: a
// WATCHed key changed, or a command queued in MULTI was rejected.
func (c *Client) MultiDirty() bool {
	return c.watchDirty || (c.tx != nil && c.tx.dirtyExec)
}

// UsedMemory returns the used-memory figure maxmemory is checked against
// (memaccount.go): the Go heap plus the memory modules hold. It is cheap
// (a cached reading at most a few milliseconds old) and safe to call
// without the server lock.
func (s *Server) UsedMemory() uint64 { return s.mem.used(false) }
