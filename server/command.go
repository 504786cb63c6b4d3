package server

import (
	"errors"
	"strings"

	"github.com/modhost/modhost/acl"
	"github.com/modhost/modhost/commands"
)

// Registry is the command table: top level commands by lower-case name.
type Registry struct {
	cmds map[string]*commands.Command
	// onRemove, when set, releases what the server keeps per command (its
	// latency histogram) for a command leaving the table, subcommands
	// included.
	onRemove func(c *commands.Command)
}

// NewRegistry returns an empty command table.
func NewRegistry() *Registry { return &Registry{cmds: map[string]*commands.Command{}} }

// Add registers commands; a duplicate name panics (core tables are static).
// The server's own commands get their key specs and tips from coreSpecs
// here, subcommands included: add a container after its subcommands.
// Core commands get Redis 7.2's COMMAND DOCS (commands.ApplyRedisDocs).
func (r *Registry) Add(cmds ...*commands.Command) {
	for _, c := range cmds {
		c.Name = strings.ToLower(c.Name)
		if _, dup := r.cmds[c.Name]; dup {
			panic("host: duplicate command " + c.Name)
		}
		if c.FullName == "" {
			c.FullName = c.Name
		}
		applyCoreSpec(c)
		for _, sub := range c.Subs {
			applyCoreSpec(sub)
		}
		if c.Module == "" {
			commands.ApplyRedisDocs(c)
		}
		r.cmds[c.Name] = c
	}
	acl.Invalidate()
}

// Remove deletes a top level command (used when a module unloads).
func (r *Registry) Remove(name string) {
	key := strings.ToLower(name)
	if c := r.cmds[key]; c != nil && r.onRemove != nil {
		r.onRemove(c)
		for _, sub := range c.Subs {
			r.onRemove(sub)
		}
	}
	delete(r.cmds, key)
	acl.Invalidate()
}

// Rename re-keys a top level command as rename-command does: the command
// keeps its own name (error messages, COMMAND INFO and statistics use it)
// but is found only under newName; an empty newName removes it. The
// errors are Redis's start-up reasons.
func (r *Registry) Rename(oldName, newName string) error {
	from := strings.ToLower(oldName)
	c := r.cmds[from]
	if c == nil {
		//lint:ignore ST1005 the text is redis-server's own message
		return errors.New("No such command in rename-command")
	}
	delete(r.cmds, from)
	if newName == "" {
		return nil
	}
	to := strings.ToLower(newName)
	if _, dup := r.cmds[to]; dup {
		r.cmds[from] = c
		//lint:ignore ST1005 the text is redis-server's own message
		return errors.New("Target command name already exists")
	}
	r.cmds[to] = c
	return nil
}

// Get returns a top level command by name (any case) or nil.
func (r *Registry) Get(name string) *commands.Command { return r.lookup([]byte(name)) }

// All returns every top level command (unordered).
func (r *Registry) All() []*commands.Command {
	out := make([]*commands.Command, 0, len(r.cmds))
	for _, c := range r.cmds {
		out = append(out, c)
	}
	return out
}

// lookup finds a top level command without allocating for short names.
func (r *Registry) lookup(name []byte) *commands.Command {
	var tmp [32]byte
	if len(name) > len(tmp) {
		return r.cmds[strings.ToLower(string(name))]
	}
	for i, ch := range name {
		if 'A' <= ch && ch <= 'Z' {
			ch += 'a' - 'A'
		}
		tmp[i] = ch
	}
	return r.cmds[string(tmp[:len(name)])]
}

// Resolve finds the command (or subcommand) that args name. It returns the
// container command when the subcommand is unknown, with ok=false.
func (r *Registry) Resolve(args [][]byte) (cmd *commands.Command, ok bool) {
	cmd = r.lookup(args[0])
	if cmd == nil {
		return nil, false
	}
	if cmd.Subs == nil || len(args) < 2 {
		return cmd, true
	}
	sub := cmd.Subs[strings.ToLower(string(args[1]))]
	if sub == nil {
		return cmd, false
	}
	return sub, true
}

// AddTables adds the data commands' tables (commands.Tables).
func (r *Registry) AddTables(tables [][]commands.Entry) {
	for _, t := range tables {
		for i := range t {
			r.Add(t[i].Command())
		}
	}
}

// clientHandler is a server command's handler: it needs the server's own
// client type, not just commands.Client.
type clientHandler func(c *Client, args [][]byte)

// adapt turns a server command's handler into a command table Handler. The
// dispatcher always passes a *Client, so the assertion cannot fail.
func adapt(h clientHandler) commands.Handler {
	return func(c commands.Client, args [][]byte) { h(c.(*Client), args) }
}
