package server

// Users other than "default" and module authentication, for the module
// system: a client may be authenticated as a module user (whose rules the
// dispatcher enforces), AUTH and HELLO AUTH consult module auth callbacks
// before the requirepass check, and a module may deauthenticate and close
// a client. Users themselves are package acl's.

import (
	"github.com/modhost/modhost/acl"
	"github.com/modhost/modhost/host"
)

// clientAuth is the module state of a client's authentication.
type clientAuth struct {
	onChange func() // the module's user-changed callback, called once
}

// authHooks are the module authentication hooks of a server.
type authHooks struct {
	module host.ModuleAuthFunc
}

// OnModuleAuth installs the module auth callback runner (nil removes it).
func (s *Server) OnModuleAuth(fn host.ModuleAuthFunc) { s.auth.module = fn }

// SetUserLocked authenticates c as u (nil: the default user). The
// previous user-changed callback, if any, is called first (exactly once,
// as Redis's moduleNotifyUserChanged); onChange, if not nil, becomes the
// callback for the next change or the client's end.
func (c *Client) SetUserLocked(u *acl.User, onChange func()) {
	c.notifyUserChanged()
	c.Authenticated = true
	if u == nil {
		u = c.srv.ACL.Default()
	}
	c.user = u
	c.auth = nil
	if onChange != nil {
		c.auth = &clientAuth{onChange: onChange}
	}
}

// notifyUserChanged calls and forgets the client's user-changed callback.
func (c *Client) notifyUserChanged() {
	if c.auth == nil || c.auth.onChange == nil {
		return
	}
	fn := c.auth.onChange
	c.auth = nil
	fn()
}

// resetUserLocked makes c the default user again (RESET), notifying the
// module that authenticated it.
func (c *Client) resetUserLocked() {
	c.notifyUserChanged()
	c.user = c.srv.ACL.Default()
}

// DeauthenticateAndCloseLocked calls the client's user-changed callback,
// marks it unauthenticated and closes its connection once pending replies
// are written (the client running the current command) or at once, as
// Redis's revokeClientAuthentication.
func (s *Server) DeauthenticateAndCloseLocked(c *Client) {
	c.notifyUserChanged()
	c.user = s.ACL.Default()
	c.Authenticated = false
	if s.current == c { // its reply is still to be written
		c.closeAfter = true
		return
	}
	c.Kill()
}

// usersClientFreed notifies the user-changed callback of a client that
// went away; the server calls it when a client is freed.
func (s *Server) usersClientFreed(c *Client) {
	c.notifyUserChanged()
}

// moduleAuthLocked runs the module auth callbacks for c. It returns false
// when no callback decided (the password check follows). Otherwise done
// gets the decision: now, or — when a module blocked the client
// (RedisModule_BlockClientOnAuth) — when the module host resumes the
// authentication with ResumeModuleAuth, which may still fall back to the
// password check, as Redis re-runs the blocked AUTH.
func (s *Server) moduleAuthLocked(c *Client, user, pass, cmdName []byte, done func(ok bool)) bool {
	if s.auth.module == nil {
		return false
	}
	if user == nil {
		user = []byte("default")
	}
	mark := len(c.W.Buf)
	res, msg := s.auth.module(c, user, pass)
	if res == host.AuthBlocked {
		user, pass = append([]byte(nil), user...), append([]byte(nil), pass...)
		cmdName = append([]byte(nil), cmdName...)
		c.authResume = func(res host.AuthResult, msg string) {
			if res == host.AuthNotHandled {
				done(s.passwordAuth(c, user, pass, cmdName))
				return
			}
			done(s.moduleAuthDecided(c, res, msg))
		}
		return true
	}
	if res == host.AuthNotHandled {
		return false
	}
	if res == host.AuthDenied && len(c.W.Buf) > mark {
		// A callback already replied (BlockClientOnAuth refused inside
		// MULTI): Redis's addAuthErrReply adds nothing then.
		done(false)
		return true
	}
	done(s.moduleAuthDecided(c, res, msg))
	return true
}

// moduleAuthDecided writes the error of a module's refusal; it reports
// whether the module authenticated the client.
func (s *Server) moduleAuthDecided(c *Client, res host.AuthResult, msg string) bool {
	if res == host.AuthOK {
		return true
	}
	if msg == "" {
		c.Error("WRONGPASS invalid username-password pair or user is disabled.")
	} else {
		c.Error(errorText(msg))
	}
	return false
}

// ResumeModuleAuth finishes an AUTH or HELLO AUTH that a module blocked,
// with the module callbacks' final decision (AuthNotHandled: the password
// check decides). The module host calls it under the lock before it ends
// the client's block.
func (c *Client) ResumeModuleAuth(res host.AuthResult, msg string) {
	fn := c.authResume
	c.authResume = nil
	if fn != nil {
		fn(res, msg)
	}
}

// errorText gives msg the ERR code unless it starts with '-' (then the
// caller named its code), as Redis's addReplyError does.
func errorText(msg string) string {
	if len(msg) > 0 && msg[0] == '-' {
		return msg[1:]
	}
	return "ERR " + msg
}
