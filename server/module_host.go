package server

import (
	"github.com/modhost/modhost/acl"
	"github.com/modhost/modhost/commands"
	"github.com/modhost/modhost/host"
	"github.com/modhost/modhost/internal/config"
	"github.com/modhost/modhost/internal/logging"
	"github.com/modhost/modhost/keyspace"
	"github.com/modhost/modhost/keyspace/rdb"
)

// The server as the module host sees it (host.Server and host.Client).
// *Client implements host.Client directly, so module command dispatch
// passes the client through without wrapping; the server is wrapped in
// moduleHost, which converts between *Client and host.Client where the
// server's own methods take or return *Client.

var (
	_ host.Server       = moduleHost{}
	_ host.Client       = (*Client)(nil)
	_ host.CommandTable = (*Registry)(nil)
)

// ModuleHost returns s as the module host's host.Server (for host.New).
func (s *Server) ModuleHost() host.Server { return moduleHost{s} }

// moduleHost adapts *Server to host.Server.
type moduleHost struct{ *Server }

// Logger returns the server's log.
func (h moduleHost) Logger() *logging.Logger { return h.Log }

// Keyspace returns the server's data.
func (h moduleHost) Keyspace() *keyspace.Keyspace { return h.Keys }

// Config returns the server's configuration.
func (h moduleHost) Config() *config.Config { return h.Server.Config }

// Commands returns the server's command table.
func (h moduleHost) Commands() host.CommandTable { return h.Cmds }

// RDBCodecs returns the module codecs of the RDB persistence, if any.
func (h moduleHost) RDBCodecs() (rdb.ModuleSaver, rdb.ModuleLoader) {
	if p, ok := h.Persist.(*RDB); ok {
		return p.ModuleSaver, p.ModuleLoader
	}
	return nil, nil
}

// SetRDBCodecs installs module codecs into the RDB persistence.
func (h moduleHost) SetRDBCodecs(saver rdb.ModuleSaver, loader rdb.ModuleLoader) bool {
	p, ok := h.Persist.(*RDB)
	if !ok || p == nil {
		return false
	}
	p.ModuleSaver, p.ModuleLoader = saver, loader
	return true
}

// FlushAll empties every database as FLUSHALL does.
func (h moduleHost) FlushAll() { h.Flush(nil, true) }

// ClientByID returns the connected client with id, or nil.
func (h moduleHost) ClientByID(id int64) host.Client {
	if c := h.Server.ClientByID(id); c != nil {
		return c
	}
	return nil
}

// Current returns the client whose command runs now, or nil.
func (h moduleHost) Current() host.Client {
	if c := h.Server.Current(); c != nil {
		return c
	}
	return nil
}

// NewFakeClient returns a client without a connection.
func (h moduleHost) NewFakeClient() host.Client { return h.Server.NewFakeClient() }

// ReleaseFake drops what a nested command left on the fake client c.
func (h moduleHost) ReleaseFake(c host.Client) { h.Server.ReleaseFake(c.(*Client)) }

// DeauthenticateAndCloseLocked revokes c's authentication and closes it.
func (h moduleHost) DeauthenticateAndCloseLocked(c host.Client) {
	h.Server.DeauthenticateAndCloseLocked(c.(*Client))
}

// Unblock ends c's block without its hooks.
func (h moduleHost) Unblock(c host.Client) bool { return h.Server.Unblock(c.(*Client)) }

// AbortBlockLocked ends the fake client c's block without a reply.
func (h moduleHost) AbortBlockLocked(c host.Client) bool {
	return h.Server.AbortBlockLocked(c.(*Client))
}

// CallNested runs cmd for the fake client c.
func (h moduleHost) CallNested(c host.Client, cmd *commands.Command, args [][]byte) {
	h.Server.CallNested(c.(*Client), cmd, args)
}

// RegisterDebug adds a DEBUG subcommand served by a module host handler.
func (h moduleHost) RegisterDebug(name string, fn func(c host.Client, args [][]byte)) {
	h.Server.RegisterDebug(name, func(c *Client, args [][]byte) { fn(c, args) })
}

// ClientID is the client's unique id.
func (c *Client) ClientID() int64 { return c.ID }

// ClientName is the name set with CLIENT SETNAME.
func (c *Client) ClientName() string { return c.Name }

// SetClientName changes the client's name as CLIENT SETNAME does (empty
// clears it); false, leaving it unchanged, when name has characters CLIENT
// SETNAME refuses.
func (c *Client) SetClientName(name []byte) bool {
	if !validClientName(name) {
		return false
	}
	c.Name = string(name)
	return true
}

// SelectDB makes db (a valid index) the client's database.
func (c *Client) SelectDB(db int) { c.DB = db }

// IsAuthenticated reports whether the client has authenticated.
func (c *Client) IsAuthenticated() bool { return c.Authenticated }

// LastCommand is the full name of the client's last command.
func (c *Client) LastCommand() string { return c.LastCmd }

// ACLStore returns the server's user store.
func (h moduleHost) ACLStore() *acl.Store { return h.ACL }

// AddACLLog records an ACL denial for the host client c (nil: none).
func (h moduleHost) AddACLLog(c host.Client, res acl.Result, ctx int, object, username string) {
	var sc *Client
	if c != nil {
		sc = c.(*Client)
	}
	h.Server.AddACLLog(sc, res, ctx, object, username)
}
