package server

// ACL plumbing of the server: the command table seen by package acl, the
// dispatcher's permission check and its NOPERM replies and ACL LOG
// entries, and closing the clients of deleted or changed users. The
// store itself is package acl, shared with the module host.

import (
	"errors"
	"strings"
	"time"

	"github.com/modhost/modhost/acl"
	"github.com/modhost/modhost/commands"
)

// ACLLookup resolves "cmd" and "cmd|sub" in the command table for ACL
// rules.
func (s *Server) ACLLookup() acl.Lookup {
	return func(name string) acl.Command {
		parent, sub, hasSub := strings.Cut(name, "|")
		c := s.Cmds.Get(parent)
		if c == nil {
			return nil
		}
		if !hasSub {
			return c
		}
		if sc := c.Subs[strings.ToLower(sub)]; sc != nil {
			return sc
		}
		return nil
	}
}

// User returns the ACL user of c (nil for a fake client, which may run
// anything, as Redis's clients without a user).
func (c *Client) User() *acl.User { return c.user }

// UserName returns the name of the client's user ("default" for a fake
// client).
func (c *Client) UserName() string {
	if c.user == nil {
		return "default"
	}
	return c.user.Name()
}

// aclLogContext is the ACL LOG context of a check for c.
func aclLogContext(c *Client) int {
	if c.tx != nil || c.inExec {
		return acl.CtxMulti
	}
	return acl.CtxToplevel
}

// AddACLLog records an ACL LOG entry for c (Redis's addACLLogEntry): the
// object is the command, key or channel denied, or the user name tried
// for an auth failure; username "" means the client's user. c may be nil
// (a module context without a client).
func (s *Server) AddACLLog(c *Client, res acl.Result, ctx int, object, username string) {
	s.ACL.Count(res)
	if username == "" && c != nil {
		username = c.UserName()
	}
	info := c
	if s.current != nil {
		info = s.current
	}
	if info == nil {
		// A module context without a client (a thread-safe context):
		// Redis describes the context's fake client.
		info = newClient(s, nil)
	}
	cinfo := info.infoString()
	s.ACL.Log.Add(acl.LogEntry{Reason: res, Context: ctx, Object: object, Username: username,
		Millis: time.Now().UnixMilli(), ClientInfo: cinfo})
}

// aclObject is the ACL LOG object of a denial: the command's full name, or
// the argument denied.
func aclObject(res acl.Result, cmd *commands.Command, args [][]byte, pos int) string {
	if res == acl.DeniedCmd || pos >= len(args) {
		return cmd.FullName
	}
	return string(args[pos])
}

// aclRejected checks c's permissions for cmd (the caller has seen that
// its user is restricted); a denial is logged and answered with NOPERM.
func (s *Server) aclRejected(c *Client, cmd *commands.Command, args [][]byte) bool {
	res, pos := c.user.Check(cmd, args)
	if res == acl.OK {
		return false
	}
	s.AddACLLog(c, res, aclLogContext(c), aclObject(res, cmd, args, pos), "")
	var val []byte
	if pos < len(args) {
		val = args[pos]
	}
	s.reject(c, cmd, "NOPERM "+acl.DeniedMessage(res, c.user, cmd, val, false))
	return true
}

// execACLDenied re-checks a queued command at EXEC time, as Redis does in
// case the rules changed since it was queued; true when it was refused.
func (s *Server) execACLDenied(c *Client, cmd *commands.Command, args [][]byte) bool {
	if c.user == nil || c.user.Open() {
		return false
	}
	res, pos := c.user.Check(cmd, args)
	if res == acl.OK {
		return false
	}
	reason := "no permission"
	switch res {
	case acl.DeniedCmd:
		reason = "no permission to execute the command or subcommand"
	case acl.DeniedKey:
		reason = "no permission to touch the specified keys"
	case acl.DeniedChannel:
		reason = "no permission to access one of the channels used as arguments"
	}
	s.AddACLLog(c, res, acl.CtxMulti, aclObject(res, cmd, args, pos), "")
	c.Error("NOPERM ACLs rules changed between the moment the transaction was accumulated and the EXEC call. This command is no longer allowed for the following reason: " + reason)
	return true
}

// KillUserClientsLocked closes the clients authenticated as u (a deleted
// or reloaded user), as Redis's ACLFreeUserAndKillClients: they become
// unauthenticated default-user clients, closed after the current reply
// for the client being served.
func (s *Server) KillUserClientsLocked(u *acl.User) {
	for _, c := range s.clients {
		if c.user != u {
			continue
		}
		c.user = s.ACL.Default()
		c.Authenticated = false
		if c == s.current {
			c.closeAfter = true
		} else {
			c.Kill()
		}
	}
}

// killPubsubClientsLocked closes the pub/sub clients of u whose
// subscriptions the user's new channel rules no longer allow (Redis's
// ACLKillPubsubClientsIfNeeded); before holds the rules before the change.
func (s *Server) killPubsubClientsLocked(u, before *acl.User) {
	shrunk, allowed := acl.ChannelsShrunk(u, before)
	if !shrunk {
		return
	}
	for _, c := range s.clients {
		if c.user != u || c.ps == nil {
			continue
		}
		kill := false
		for p := range c.ps.patterns {
			kill = kill || !allowed([]byte(p), true)
		}
		for ch := range c.ps.channels {
			kill = kill || !allowed([]byte(ch), false)
		}
		if !kill {
			continue
		}
		if c == s.current {
			c.closeAfter = true
		} else {
			c.Kill()
		}
	}
}

// applyACLConfig applies the ACL settings of the configuration: requirepass
// is the default user's password (Redis's ACLUpdateDefaultUserPassword),
// acl-pubsub-default and acllog-max-len.
func (s *Server) applyACLConfig(name string) {
	if name == "" || name == "requirepass" {
		s.ACL.SetDefaultPassword(s.Config.String("requirepass"))
	}
	if name == "" || name == "acl-pubsub-default" {
		acl.SetPubsubDefault(s.Config.String("acl-pubsub-default") == "allchannels")
	}
	if name == "" || name == "acllog-max-len" {
		s.ACL.Log.Max = int(s.Config.Int("acllog-max-len"))
		s.ACL.Log.Trim()
	}
	s.ACLChangedLocked()
}

// LoadUsersAtStartup creates the users of the configuration's "user"
// directives, then loads the aclfile, as Redis's ACLLoadUsersAtStartup
// (after the modules, whose commands rules may name). Both at once is
// refused. Errors are logged; the server must not start.
func (s *Server) LoadUsersAtStartup() error {
	s.Lock()
	defer s.Unlock()
	users, file := s.Config.Users(), s.Config.String("aclfile")
	if file != "" && len(users) > 0 {
		s.Log.Warningf("Configuring Redis with users defined in redis.conf and at the same setting an ACL file path is invalid. This setup is very likely to lead to configuration errors and security holes, please define either an ACL file or declare users directly in your redis.conf, but not both.")
		return errACLStartup
	}
	if msg := s.ACL.LoadConfigUsers(users, s.ACLLookup()); msg != "" {
		s.Log.Warningf("%s", msg)
		s.Log.Warningf("Critical error while loading ACLs. Exiting.")
		return errACLStartup
	}
	for _, u := range s.ACL.Users() {
		if !u.Enabled() && len(users) > 0 {
			for _, cu := range users {
				if cu.Name == u.Name() {
					s.Log.Noticef("The user '%s' is disabled (there is no 'on' modifier in the user description). Make sure this is not a configuration error.", u.Name())
				}
			}
		}
	}
	if file != "" {
		if msg := s.loadACLFileLocked(file); msg != "" {
			s.Log.Warningf("Aborting Redis startup because of ACL errors: %s", msg)
			return errACLStartup
		}
	}
	s.ACLChangedLocked()
	return nil
}

// errACLStartup stops the server when its users cannot be loaded.
var errACLStartup = errors.New("ACL start-up failure")
