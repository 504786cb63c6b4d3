package server

import (
	"fmt"
	"strings"

	"github.com/modhost/modhost/acl"
	"github.com/modhost/modhost/commands"
	"github.com/modhost/modhost/host"
)

// Nested command execution for RedisModule_Call. Everything here runs on
// the goroutine that already holds the server lock (inside a module
// command, timer or notification callback): nothing takes the lock.

// ResolveCall looks up the command args name, as the dispatcher does, and
// checks its arity. On failure it returns the error text Redis builds for
// the same case (without the "ERR " prefix); the container command is
// returned for an unknown subcommand.
func (s *Server) ResolveCall(args [][]byte) (*commands.Command, host.CallCheck, string) {
	if len(args) == 0 {
		return nil, host.CallUnknown, "unknown command '', with args beginning with: "
	}
	cmd, ok := s.Cmds.Resolve(args)
	if cmd == nil || !ok {
		return cmd, host.CallUnknown, unknownCommandText(cmd, args)
	}
	if !cmd.ArityOK(len(args)) {
		return cmd, host.CallArity, fmt.Sprintf("wrong number of arguments for '%s' command", cmd.FullName)
	}
	return cmd, host.CallOK, ""
}

// unknownCommandText is Redis's text for an unknown command (container nil)
// or an unknown subcommand of container, with CR and LF blanked.
func unknownCommandText(container *commands.Command, args [][]byte) string {
	var msg string
	if container != nil && len(args) > 1 {
		msg = fmt.Sprintf("unknown subcommand '%s'. Try %s HELP.", clip(args[1], 128), strings.ToUpper(container.Name))
	} else {
		var sb strings.Builder
		for i := 1; i < len(args) && sb.Len() < 128; i++ {
			fmt.Fprintf(&sb, "'%s' ", clip(args[i], 128-sb.Len()))
		}
		msg = fmt.Sprintf("unknown command '%s', with args beginning with: %s", clip(args[0], 128), sb.String())
	}
	return strings.NewReplacer("\r", " ", "\n", " ").Replace(msg)
}

// NewFakeClient returns a client without a connection, for commands a
// module runs through RedisModule_Call. It has its own client ID, is
// authenticated, never blocks (CanBlock is false) and is not listed by
// CLIENT LIST. Reuse it for later calls: Redis keeps a pool of these.
func (s *Server) NewFakeClient() *Client {
	c := newClient(s, nil)
	c.ID = s.nextID.Add(1)
	c.Authenticated = true
	return c
}

// IsFake reports whether c has no connection (a module or script client).
func (c *Client) IsFake() bool { return c.conn == nil }

// CallNested runs cmd (resolved by ResolveCall) for the fake client c, in
// its DB and protocol, with the reply left in c.W. Statistics are counted
// as for any call. Keyspace notifications fire while the command runs;
// clients blocked on keys it made ready, and after-command hooks, are
// served when the outer command finishes, as in Redis.
//
// Error replies of the nested command are not counted in errorstats (its
// failed_calls are): as in Redis they count only if the module passes them
// on to its client.
func (s *Server) CallNested(c *Client, cmd *commands.Command, args [][]byte) {
	saved, n := s.stats.errors, s.stats.errorReplies
	s.stats.errors = map[string]int64{}
	defer func() { s.stats.errors, s.stats.errorReplies = saved, n }()
	s.call(c, cmd, args)
}

// ResetFake prepares a pooled fake client for its next call: empty reply
// buffers, no transaction, no pending output, the given DB and protocol.
func (c *Client) ResetFake(db, proto int) {
	c.W.Reset()
	c.W.Proto = proto
	c.pending.Reset()
	c.DB = db
	c.tx = nil
	c.errs = 0
	c.allowBlock = false
	c.allowOOM = false
	c.user = nil
	c.onUnblocked = nil
}

// SetCallUser makes u the fake client's user, as RedisModule_Call with
// "C" does: a script the client runs checks each of its commands against
// u. ResetFake clears it; a connection ignores it.
func (c *Client) SetCallUser(u *acl.User) {
	if c.conn == nil {
		c.user = u
	}
}

// SetAllowOOM marks the fake client as allowed to ignore maxmemory, as
// RedisModule_Call without "M" does (Redis's CLIENT_ALLOW_OOM): a script
// it runs skips its OOM checks. ResetFake clears it.
func (c *Client) SetAllowOOM(on bool) {
	if c.conn == nil {
		c.allowOOM = on
	}
}

// AllowOOM reports whether the client may ignore maxmemory (SetAllowOOM).
func (c *Client) AllowOOM() bool { return c.allowOOM }

// ReleaseFake drops the state a nested command may have left on a fake
// client before it goes back to the pool: subscriptions, watched keys and
// a transaction, as Redis does when it releases a temporary client.
func (s *Server) ReleaseFake(c *Client) {
	if c.conn != nil {
		return
	}
	if c.ps != nil {
		s.unsubscribeAllLocked(c)
	}
	if c.watched != nil {
		s.unwatchAll(c)
	}
	c.tx = nil
	c.W.Reset()
	c.pending.Reset()
}

// Current returns the client whose command is executing, nil between
// commands (timers, cron).
func (s *Server) Current() *Client { return s.current }
