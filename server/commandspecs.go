package server

// Key specs, tips and descriptive flags of the server's own commands (and of
// Redis commands modhost does not implement yet). Data commands declare
// theirs in their family's table in package commands.

import (
	"strings"

	"github.com/modhost/modhost/commands"
)

// coreSpec is one entry of the core command spec table: key specs in the
// compact notation of commands.ParseKeySpecs, space separated tips, and flags that
// only describe the command (no_async_loading, asking) in
// commands.ParseCmdFlags notation.
type coreSpec struct {
	keys, tips, flags string
}

// applyCoreSpec gives a core command its key specs and tips from coreSpecs.
func applyCoreSpec(c *commands.Command) {
	if c.Module != "" || c.Flags&commands.FlagModule != 0 || c.KeySpecs != nil {
		return
	}
	sp, ok := coreSpecs[c.FullName]
	if !ok {
		return
	}
	c.KeySpecs = commands.ParseKeySpecs(sp.keys)
	if sp.tips != "" {
		c.Tips = strings.Fields(sp.tips)
	}
	c.Flags |= commands.ParseCmdFlags(sp.flags)
}
