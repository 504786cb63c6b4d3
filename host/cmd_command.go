package host

import (
	"sort"
	"strings"

	"github.com/modhost/modhost/keyspace"
)

func registerCommandCommand(s *Server) {
	cc := &Command{Name: "command", Arity: -1, Flags: ParseCmdFlags("loading stale"), Group: "server", Since: "2.8.13", Summary: "Returns detailed information about all commands.", ACL: []string{"slow", "connection"}, Handler: commandAll}
	s.Cmds.Add(cc)
	f := ParseCmdFlags("loading stale")
	cc.AddSub(&Command{Name: "count", Arity: 2, Flags: f, Handler: func(c *Client, a [][]byte) { c.W.Int(int64(len(c.srv.Cmds.All()))) }})
	cc.AddSub(&Command{Name: "info", Arity: -2, Flags: f, Handler: commandInfo})
	cc.AddSub(&Command{Name: "docs", Arity: -2, Flags: f, Handler: commandDocs})
	cc.AddSub(&Command{Name: "list", Arity: -2, Flags: f, Handler: commandList})
	cc.AddSub(&Command{Name: "getkeys", Arity: -3, Flags: f, Handler: commandGetKeys(false)})
	cc.AddSub(&Command{Name: "getkeysandflags", Arity: -3, Flags: f, Handler: commandGetKeys(true)})
	cc.AddSub(&Command{Name: "help", Arity: 2, Flags: f, Handler: func(c *Client, a [][]byte) {
		c.replyHelp([]string{"COMMAND <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
			"(no subcommand)", "    Return details about all Redis commands.",
			"COUNT", "    Return the total number of commands in this Redis server.",
			"LIST", "    Return a list of all commands in this Redis server.",
			"INFO [<command-name> ...]", "    Return details about multiple Redis commands.",
			"    If no command names are given, documentation details for all",
			"    commands are returned.",
			"DOCS [<command-name> ...]", "    Return documentation details about multiple Redis commands.",
			"    If no command names are given, documentation details for all",
			"    commands are returned.",
			"GETKEYS <full-command>", "    Return the keys from a full Redis command.",
			"GETKEYSANDFLAGS <full-command>", "    Return the keys and the access flags from a full Redis command."})
	}})
}

func sortedCommands(s *Server) []*Command {
	all := s.Cmds.All()
	sort.Slice(all, func(i, j int) bool { return all[i].Name < all[j].Name })
	return all
}

func commandAll(c *Client, a [][]byte) {
	all := sortedCommands(c.srv)
	c.W.ArrayLen(len(all))
	for _, cmd := range all {
		writeCommandInfo(c, cmd)
	}
}

func commandInfo(c *Client, a [][]byte) {
	if len(a) == 2 {
		commandAll(c, a)
		return
	}
	c.W.ArrayLen(len(a) - 2)
	for _, name := range a[2:] {
		cmd := c.srv.lookupFullName(string(name))
		if cmd == nil {
			c.W.NullBulk() // Redis's addReplyNull
			continue
		}
		writeCommandInfo(c, cmd)
	}
}

// lookupFullName finds "get" or "config|get".
func (s *Server) lookupFullName(name string) *Command {
	parts := strings.SplitN(strings.ToLower(name), "|", 2)
	cmd := s.Cmds.Get(parts[0])
	if cmd == nil || len(parts) == 1 {
		return cmd
	}
	return cmd.Subs[parts[1]]
}

func sortedSubs(cmd *Command) []*Command {
	subs := make([]*Command, 0, len(cmd.Subs))
	for _, s := range cmd.Subs {
		subs = append(subs, s)
	}
	sort.Slice(subs, func(i, j int) bool { return subs[i].Name < subs[j].Name })
	return subs
}

// writeCommandInfo writes the 10-element COMMAND INFO entry of Redis 7.
func writeCommandInfo(c *Client, cmd *Command) {
	w := &c.W
	w.ArrayLen(10)
	w.BulkString(cmd.FullName)
	w.Int(int64(cmd.Arity))
	flags := cmd.Flags.Names()
	w.SetLen(len(flags))
	for _, f := range flags {
		w.SimpleString(f)
	}
	w.Int(int64(cmd.FirstKey))
	w.Int(int64(cmd.LastKey))
	w.Int(int64(cmd.KeyStep))
	w.SetLen(len(cmd.ACL))
	for _, cat := range cmd.ACL {
		w.SimpleString("@" + cat)
	}
	w.ArrayLen(0) // tips
	if cmd.FirstKey > 0 {
		w.ArrayLen(1)
		writeRangeKeySpec(c, cmd)
	} else {
		w.ArrayLen(0)
	}
	subs := sortedSubs(cmd)
	w.ArrayLen(len(subs))
	for _, sub := range subs {
		writeCommandInfo(c, sub)
	}
}

// writeRangeKeySpec describes first/last/step as a Redis 7 key spec.
func writeRangeKeySpec(c *Client, cmd *Command) {
	w := &c.W
	w.MapLen(3)
	w.BulkString("flags")
	var kf []string
	switch {
	case cmd.Flags&FlagWrite != 0:
		kf = []string{"RW"}
	default:
		kf = []string{"RO"}
	}
	w.SetLen(len(kf))
	for _, f := range kf {
		w.SimpleString(f)
	}
	w.BulkString("begin_search")
	w.MapLen(2)
	w.BulkString("type")
	w.BulkString("index")
	w.BulkString("spec")
	w.MapLen(1)
	w.BulkString("index")
	w.Int(int64(cmd.FirstKey))
	w.BulkString("find_keys")
	w.MapLen(2)
	w.BulkString("type")
	w.BulkString("range")
	w.BulkString("spec")
	w.MapLen(3)
	last := cmd.LastKey
	if last >= 0 {
		last -= cmd.FirstKey
	}
	w.BulkString("lastkey")
	w.Int(int64(last))
	w.BulkString("keystep")
	w.Int(int64(cmd.KeyStep))
	w.BulkString("limit")
	w.Int(0)
}

func commandDocs(c *Client, a [][]byte) {
	var cmds []*Command
	if len(a) == 2 {
		cmds = sortedCommands(c.srv)
	} else {
		for _, name := range a[2:] {
			if cmd := c.srv.lookupFullName(string(name)); cmd != nil {
				cmds = append(cmds, cmd)
			}
		}
	}
	c.W.MapLen(len(cmds))
	for _, cmd := range cmds {
		c.W.BulkString(cmd.FullName)
		writeCommandDocs(c, cmd)
	}
}

func writeCommandDocs(c *Client, cmd *Command) {
	w := &c.W
	n := 1
	if cmd.Summary != "" { // module commands without SetCommandInfo have neither
		n++
	}
	if cmd.Since != "" {
		n++
	}
	if cmd.Module != "" {
		n++
	}
	subs := sortedSubs(cmd)
	if len(subs) > 0 {
		n++
	}
	w.MapLen(n)
	if cmd.Summary != "" {
		w.BulkString("summary")
		w.BulkString(cmd.Summary)
	}
	if cmd.Since != "" {
		w.BulkString("since")
		w.BulkString(cmd.Since)
	}
	w.BulkString("group")
	w.BulkString(cmd.Group)
	if cmd.Module != "" {
		w.BulkString("module")
		w.BulkString(cmd.Module)
	}
	if len(subs) > 0 {
		w.BulkString("subcommands")
		w.MapLen(len(subs))
		for _, sub := range subs {
			w.BulkString(sub.FullName)
			writeCommandDocs(c, sub)
		}
	}
}

func commandList(c *Client, a [][]byte) {
	var match func(cmd *Command) bool
	switch {
	case len(a) == 2:
		match = func(*Command) bool { return true }
	case len(a) == 5 && strings.EqualFold(string(a[2]), "filterby"):
		val := string(a[4])
		switch strings.ToLower(string(a[3])) {
		case "module":
			match = func(cmd *Command) bool { return cmd.Module == val }
		case "aclcat":
			match = func(cmd *Command) bool {
				for _, cat := range cmd.ACL {
					if strings.EqualFold(cat, val) {
						return true
					}
				}
				return false
			}
		case "pattern":
			match = func(cmd *Command) bool {
				return keyspace.GlobMatch([]byte(val), []byte(cmd.FullName), true)
			}
		default:
			c.Error(msgSyntax)
			return
		}
	default:
		c.Error(msgSyntax)
		return
	}
	var names []string
	for _, cmd := range sortedCommands(c.srv) {
		if match(cmd) {
			names = append(names, cmd.FullName)
		}
		for _, sub := range sortedSubs(cmd) {
			if match(sub) {
				names = append(names, sub.FullName)
			}
		}
	}
	c.W.ArrayLen(len(names))
	for _, n := range names {
		c.W.BulkString(n)
	}
}

func commandGetKeys(withFlags bool) Handler {
	return func(c *Client, a [][]byte) {
		args := a[2:]
		cmd, ok := c.srv.Cmds.Resolve(args)
		if cmd == nil || !ok {
			c.Error("ERR Invalid command specified")
			return
		}
		if !cmd.arityOK(len(args)) {
			c.Error("ERR Invalid number of arguments specified for command")
			return
		}
		keys := cmd.KeyPositions(args)
		if len(keys) == 0 {
			c.Error("ERR The command has no key arguments")
			return
		}
		c.W.ArrayLen(len(keys))
		for _, k := range keys {
			if !withFlags {
				c.W.Bulk(args[k])
				continue
			}
			c.W.ArrayLen(2)
			c.W.Bulk(args[k])
			if cmd.Flags&FlagWrite != 0 {
				c.W.SetLen(2)
				c.W.SimpleString("RW")
				c.W.SimpleString("update")
			} else {
				c.W.SetLen(2)
				c.W.SimpleString("RO")
				c.W.SimpleString("access")
			}
		}
	}
}
