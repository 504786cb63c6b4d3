package server

import "github.com/modhost/modhost/commands"

// The yield gate. While a module yields (RedisModule_Yield, YieldLocked)
// the server lock is released for a moment so that connections can be
// answered, as Redis's processEventsWhileBlocked does. Redis runs only
// client events then: no timers, no cron, no module threads (the GIL stays
// with the main thread). modhost's other lock takers - the cron, blocking
// timeouts, background-save completion, the module event goroutine and
// module threads (ThreadSafeContextLock) - therefore go through
// lockOutsideYield: if they get the lock inside a yield window they give
// it back and wait for the window to close. Connection goroutines (and
// their output writers) take s.mu directly and are served.

// msgLoading is Redis's reply to a command refused while loading.
const msgLoading = "LOADING Redis is loading the dataset in memory"

// lockOutsideYield takes the server lock outside any yield window.
func (s *Server) lockOutsideYield() {
	for {
		s.mu.Lock()
		if !s.hooks.yielding {
			return
		}
		end := s.hooks.yieldEnd
		s.mu.Unlock()
		<-end
	}
}

// tryLockOutsideYield takes the server lock if it is free and no yield
// window is open.
func (s *Server) tryLockOutsideYield() bool {
	if !s.mu.TryLock() {
		return false
	}
	if s.hooks.yielding {
		s.mu.Unlock()
		return false
	}
	return true
}

// LoadingLocked reports whether the dataset is being loaded (an RDB or
// AOF at start-up, DEBUG RELOAD/LOADAOF, a replica's full sync,
// RedisModule_RdbLoad).
func (s *Server) LoadingLocked() bool {
	return s.load.on
}

// loadingRejected answers -LOADING to cmd when a module yields while the
// dataset loads and cmd lacks the allow-loading flag, as Redis's
// processCommand does; it reports whether it did. Allowed commands run
// even without allow-busy (Redis sets no busy state while loading).
func (s *Server) loadingRejected(c *Client, cmd *commands.Command) bool {
	if cmd.Flags&commands.FlagLoading != 0 {
		return false
	}
	s.reject(c, cmd, msgLoading)
	return true
}
