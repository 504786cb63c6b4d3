package server

import "github.com/modhost/modhost/commands"

// Users other than "default" and module authentication, for the module
// system: a client may be authenticated as a module user (whose rules the
// dispatcher enforces), AUTH and HELLO AUTH consult module auth callbacks
// before the requirepass check, and a module may deauthenticate and close
// a client. A server without module users pays one nil check per command.

// User is an ACL user other than the built-in "default" user that a client
// can be authenticated as (a module user).
type User interface {
	// UserName is the name CLIENT LIST and GetCurrentUserName show.
	UserName() string
	// CommandDenied returns the error text (without the NOPERM code) when
	// the user may not run cmd with args, "" when it may.
	CommandDenied(cmd *commands.Command, args [][]byte) string
}

// clientAuth is the user state of a client authenticated by a module.
type clientAuth struct {
	user     User   // nil: the default user
	onChange func() // the module's user-changed callback, called once
}

// AuthResult is what the module auth callbacks decided for one AUTH.
type AuthResult int

// Results of module authentication.
const (
	// AuthNotHandled: no callback decided; password auth follows.
	AuthNotHandled AuthResult = iota
	// AuthOK: a module authenticated the client.
	AuthOK
	// AuthDenied: a module refused; the error text says why.
	AuthDenied
	// AuthBlocked: the client is blocked; the module replies later.
	AuthBlocked
)

// ModuleAuthFunc runs the module auth callbacks for AUTH or HELLO AUTH of
// c with user and pass (under the lock). With AuthDenied, msg is the
// module's error text ("" for Redis's WRONGPASS reply).
type ModuleAuthFunc func(c *Client, user, pass []byte) (res AuthResult, msg string)

// authHooks are the module authentication hooks of a server.
type authHooks struct {
	module ModuleAuthFunc
}

// OnModuleAuth installs the module auth callback runner (nil removes it).
func (s *Server) OnModuleAuth(fn ModuleAuthFunc) { s.auth.module = fn }

// SetUserLocked authenticates c as u (nil: the default user). The
// previous user-changed callback, if any, is called first (exactly once,
// as Redis's moduleNotifyUserChanged); onChange, if not nil, becomes the
// callback for the next change or the client's end.
func (c *Client) SetUserLocked(u User, onChange func()) {
	c.notifyUserChanged()
	c.Authenticated = true
	if u == nil && onChange == nil {
		c.auth = nil
		return
	}
	c.auth = &clientAuth{user: u, onChange: onChange}
}

// notifyUserChanged calls and forgets the client's user-changed callback.
func (c *Client) notifyUserChanged() {
	if c.auth == nil || c.auth.onChange == nil {
		return
	}
	fn := c.auth.onChange
	c.auth.onChange = nil
	fn()
}

// resetUserLocked makes c the default user again (RESET, password AUTH),
// notifying the module that authenticated it.
func (c *Client) resetUserLocked() {
	c.notifyUserChanged()
	c.auth = nil
}

// UserName returns the name of the client's user ("default" unless a
// module authenticated it as another user).
func (c *Client) UserName() string {
	if c.auth != nil && c.auth.user != nil {
		return c.auth.user.UserName()
	}
	return "default"
}

// User returns the module user of c, nil for the default user.
func (c *Client) User() User {
	if c.auth == nil {
		return nil
	}
	return c.auth.user
}

// DeauthenticateAndCloseLocked calls the client's user-changed callback,
// marks it unauthenticated and closes its connection once pending replies
// are written (the client running the current command) or at once, as
// Redis's revokeClientAuthentication.
func (s *Server) DeauthenticateAndCloseLocked(c *Client) {
	c.notifyUserChanged()
	c.auth = nil
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
	if c.auth != nil {
		c.notifyUserChanged()
		c.auth = nil
	}
}

// userDenied is the dispatcher's check of a module user's permissions: the
// NOPERM error for cmd, or "". Only called when c.auth is not nil.
func (c *Client) userDenied(cmd *commands.Command, args [][]byte) string {
	if c.auth.user == nil {
		return ""
	}
	if msg := c.auth.user.CommandDenied(cmd, args); msg != "" {
		return "NOPERM " + msg
	}
	return ""
}

// moduleAuthLocked runs the module auth callbacks for c. handled is true
// when a module decided (the reply, if any, is written); ok is the
// decision. Without callbacks it returns (false, false) at once.
func (s *Server) moduleAuthLocked(c *Client, user, pass []byte) (handled, ok bool) {
	if s.auth.module == nil {
		return false, false
	}
	if user == nil {
		user = []byte("default")
	}
	res, msg := s.auth.module(c, user, pass)
	switch res {
	case AuthOK:
		return true, true
	case AuthDenied:
		if msg == "" {
			c.Error("WRONGPASS invalid username-password pair or user is disabled.")
		} else {
			c.Error(errorText(msg))
		}
		return true, false
	case AuthBlocked:
		return true, false
	}
	return false, false
}

// errorText gives msg the ERR code unless it starts with '-' (then the
// caller named its code), as Redis's addReplyError does.
func errorText(msg string) string {
	if len(msg) > 0 && msg[0] == '-' {
		return msg[1:]
	}
	return "ERR " + msg
}
