package server

import "github.com/modhost/modhost/host"

// The EventLoop server event (REDISMODULE_EVENT_EVENTLOOP). Redis fires
// BEFORE_SLEEP before its event loop waits and AFTER_SLEEP when it wakes,
// so every batch of work (client commands, timers, the cron) is preceded by
// one pair. modhost has no single loop: the pair is fired under the lock
// before each batch of a connection's commands and before each cron tick,
// the points where Redis would have slept and woken up. Only while a module
// listens (WantEventLoopEvents), so servers without listeners pay one
// boolean test.

// WantEventLoopEvents turns the EventLoop event on or off (the module
// system calls it when a module subscribes to it).
func (s *Server) WantEventLoopEvents(on bool) { s.loopEvents = on }

// fireSleepPairLocked fires BEFORE_SLEEP then AFTER_SLEEP, when wanted.
func (s *Server) fireSleepPairLocked() {
	if !s.loopEvents || s.hooks.events == nil {
		return
	}
	s.hooks.events(&host.ServerEvent{ID: host.EventEventLoop, Sub: host.SubEventLoopBeforeSleep})
	s.hooks.events(&host.ServerEvent{ID: host.EventEventLoop, Sub: host.SubEventLoopAfterSleep})
}
