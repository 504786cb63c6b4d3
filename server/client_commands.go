package server

// The server's side of commands.Client: what data command handlers call.

import (
	"strings"
	"time"

	"github.com/modhost/modhost/acl"
	"github.com/modhost/modhost/commands"
	"github.com/modhost/modhost/internal/config"
	"github.com/modhost/modhost/keyspace"
	"github.com/modhost/modhost/keyspace/rdb"
	"github.com/modhost/modhost/resp"
)

var _ commands.Client = (*Client)(nil)

// Writer returns the client's reply buffer.
func (c *Client) Writer() *resp.Writer { return &c.W }

// DBIndex returns the selected database.
func (c *Client) DBIndex() int { return c.DB }

// Keyspace returns the server's keyspace.
func (c *Client) Keyspace() *keyspace.Keyspace { return c.srv.Keys }

// Config returns the server's configuration.
func (c *Client) Config() *config.Config { return c.srv.Config }

// SignalKeyAsReady wakes clients blocked on key in db after the command.
func (c *Client) SignalKeyAsReady(db int, key []byte) { c.srv.SignalKeyAsReady(db, key) }

// SwapDB swaps two databases (SWAPDB).
func (c *Client) SwapDB(a, b int) bool { return c.srv.SwapDB(a, b) }

// RDBModules returns the module data type codecs of the RDB persistence,
// nil when persistence is not RDB.
func (c *Client) RDBModules() (rdb.ModuleSaver, rdb.ModuleLoader) {
	if p, ok := c.srv.Persist.(*RDB); ok {
		return p.ModuleSaver, p.ModuleLoader
	}
	return nil, nil
}

// UnrestrictedKeyAccess reports whether c's user may run the command in
// args with read access to every key; true without a user (module fake
// clients). A script's client acts for the script's caller, as in Redis.
func (c *Client) UnrestrictedKeyAccess(args [][]byte) bool {
	u := c.user
	if c.scriptClient && c.srv.current != nil {
		u = c.srv.current.user
	}
	if u == nil || u.Open() {
		return true
	}
	cmd := c.srv.Cmds.lookup(args[0])
	if cmd == nil {
		return false
	}
	if len(cmd.Subs) > 0 && len(args) > 1 {
		if sub := cmd.Subs[strings.ToLower(string(args[1]))]; sub != nil {
			cmd = sub
		}
	}
	return u.CheckCmdUnrestrictedKeys(cmd, args, acl.Read)
}

// InScript reports whether c runs the commands of a script.
func (c *Client) InScript() bool { return c.scriptClient }

// BlockOnKeys parks the client until one of keys (in its current db) is
// signalled ready and onReady serves it, or timeout passes (0 = forever)
// and onTimeout writes the reply. The handler must return right after.
func (c *Client) BlockOnKeys(keys [][]byte, timeout time.Duration, onReady func(c commands.Client, key []byte) bool, onTimeout func(c commands.Client)) {
	c.blockOnKeys(keys, timeout, func(c *Client, key []byte) bool { return onReady(c, key) }, func(c *Client) { onTimeout(c) })
}

// AddCommands adds the data commands (commands.Tables) and their DEBUG
// subcommands (commands.DebugSubcommands) to the server.
func (s *Server) AddCommands(tables [][]commands.Entry, debug map[string]commands.Handler) {
	s.Cmds.AddTables(tables)
	for name, h := range debug {
		s.RegisterDebug(name, func(c *Client, args [][]byte) { h(c, args) })
	}
}

// syncLFU keeps the keyspace's LRU or LFU bookkeeping in step with
// maxmemory-policy, lfu-log-factor and lfu-decay-time ("" applies all).
func (s *Server) syncLFU(name string) {
	switch name {
	case "", "maxmemory-policy", "lfu-log-factor", "lfu-decay-time":
		k := s.Keys
		k.LFU = strings.Contains(s.Config.String("maxmemory-policy"), "lfu")
		k.LFULogFactor = int(s.Config.Int("lfu-log-factor"))
		k.LFUDecayTime = int(s.Config.Int("lfu-decay-time"))
	}
}

// SkipChecksumValidation reports whether DEBUG SET-SKIP-CHECKSUM-VALIDATION
// is on, for RESTORE.
func (c *Client) SkipChecksumValidation() bool { return c.srv.SkipChecksumValidation() }
