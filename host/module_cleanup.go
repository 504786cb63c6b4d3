package host

// The one place that undoes a module's registrations (Redis's
// moduleUnregisterCleanup, extended to everything modhost tracks), and
// Redis's rules for refusing MODULE UNLOAD.

/*
#include "api_block.h"
*/
import "C"

// unloadRefusal is Redis's moduleUnload check, in its order: the reason m
// cannot be unloaded now, or "". Checks added with AddUnloadCheck follow.
func (s *System) unloadRefusal(m *Module) string {
	switch {
	case len(m.reg.types) > 0:
		return msgUnloadTypes
	case len(s.shared.users(m)) > 0:
		return msgUnloadUsedAPI
	case m.reg.blockedClients > 0:
		return msgHasBlocked
	case s.rt.holdsTimer(m):
		return msgHoldsTimer
	}
	for _, check := range m.unloadChecks {
		if why := check(); why != "" {
			return why
		}
	}
	return ""
}

// unregister removes everything m registered, when it is unloaded or its
// OnLoad failed (failedLoad; then its ACL categories, data types, timers
// and blocked-client handles go too, which a loaded module either keeps
// until restart, as in Redis, or cannot be unloaded with). Module code is
// still mapped: free callbacks of dropped entries run.
func (s *System) unregister(m *Module, failedLoad bool) {
	unregisterAuth(s, m) // authenticated clients and auth callbacks
	for _, mc := range m.cmds {
		if s.srv.Commands().Get(mc.hc.Name) == mc.hc {
			s.srv.Commands().Remove(mc.hc.Name)
		}
		mc.free()
	}
	m.cmds = nil
	f := s.call
	f.subs = dropOwned(f.subs, func(x *subscriber) bool { return x.mod == m })
	f.jobs = dropOwned(f.jobs, func(j *postJob) bool {
		if j.mod != m {
			return false
		}
		if j.freePD != nil {
			C.mh_call_oneshot(j.freePD, j.pd)
		}
		return true
	})
	s.shared.unregister(m)
	s.unregisterClusterReceivers(m)
	s.ext.unregisterFilters(m)
	s.ext.listeners = dropOwned(s.ext.listeners, func(l *listener) bool { return l.mod == m })
	s.dropConfigs(m)
	m.reg.infoFn = nil
	s.rt.dropFds(m)
	dropUsers(s.srv, m)
	if failedLoad {
		s.rt.dropTimers(m)
		dropTypes(m)
		removeACLCategories(m)
	}
}

// dropFds stops watching the fds whose callbacks are in m's library, and
// forgets m's pending one-shot events.
func (rt *runtimeState) dropFds(m *Module) {
	for fd, w := range rt.fds {
		if w.mod == m {
			_ = rt.epollSet(fd, w.mask, 0)
			delete(rt.fds, fd)
		}
	}
	rt.mu.Lock()
	rt.oneshots = dropOwned(rt.oneshots, func(o oneshot) bool { return o.base == m.reg.base })
	rt.mu.Unlock()
}
