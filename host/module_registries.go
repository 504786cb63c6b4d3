package host

// DEBUG MODHOST-REGISTRIES: the sizes of every table that holds what
// modules registered, so that tests can check that unloading a module (or
// a failed OnLoad) leaves nothing behind.

import (
	"fmt"
	"strings"

	"github.com/modhost/modhost/acl"
)

// registrySizes returns the size of each registry, in a fixed order.
func (s *System) registrySizes() [][2]any {
	cmds := s.srv.Commands().All()
	subs := 0
	for _, c := range cmds {
		subs += len(c.Subs)
	}
	usedBy, infoFns := 0, 0
	for _, m := range s.mods {
		usedBy += len(m.reg.usedBy)
		if m.reg.infoFn != nil {
			infoFns++
		}
	}
	rt := s.rt
	rt.mu.Lock()
	oneshots := len(rt.oneshots)
	rt.mu.Unlock()
	cats := acl.AddedCategoryCount()
	processNames.Lock()
	names := len(processNames.m)
	processNames.Unlock()
	return [][2]any{
		{"modules", len(s.mods)},
		{"process_module_names", names},
		{"commands", len(cmds)},
		{"subcommands", subs},
		{"data_types", typeCount()},
		{"server_event_listeners", len(s.ext.listeners)},
		{"keyspace_subscribers", len(s.call.subs)},
		{"post_notification_jobs", len(s.call.jobs)},
		{"command_filters", len(s.ext.filters)},
		{"shared_apis", len(s.shared.byName)},
		{"shared_api_users", usedBy},
		{"module_configs", s.srv.Config().ModuleConfigCount()},
		{"timers", len(rt.timers.byID)},
		{"eventloop_fds", len(rt.fds)},
		{"eventloop_oneshots", oneshots},
		{"auth_callbacks", len(s.auth.cbs)},
		{"authenticated_clients", len(s.auth.clients)},
		{"info_callbacks", infoFns},
		{"module_users", userCount()},
		{"acl_categories", cats},
		{"contexts", liveCtxs.Load()},
		{"blocked_handles", liveBlocked.Load()},
	}
}

// registerRegistriesDebug adds DEBUG MODHOST-REGISTRIES: one "name:size"
// line per registry (New calls it once).
func (s *System) registerRegistriesDebug() {
	s.srv.RegisterDebug("modhost-registries", func(c Client, a [][]byte) {
		var sb strings.Builder
		for _, kv := range s.registrySizes() {
			fmt.Fprintf(&sb, "%s:%v\r\n", kv[0], kv[1])
		}
		c.Writer().BulkString(sb.String())
	})
}
