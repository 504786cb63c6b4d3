package server

import (
	"sort"
	"strings"

	"github.com/modhost/modhost/commands"
	"github.com/modhost/modhost/keyspace"
	"github.com/modhost/modhost/resp"
)

func registerCommandCommand(s *Server) {
	cc := &commands.Command{Name: "command", Arity: -1, Flags: commands.ParseCmdFlags("loading stale"), Group: "server", Since: "2.8.13", Summary: "Returns detailed information about all commands.", ACL: []string{"slow", "connection"}, Handler: adapt(commandAll)}
	f := commands.ParseCmdFlags("loading stale")
	cc.AddSub(&commands.Command{Name: "count", Arity: 2, Flags: f, Handler: adapt(func(c *Client, a [][]byte) { c.W.Int(int64(len(c.srv.Cmds.All()))) })})
	cc.AddSub(&commands.Command{Name: "info", Arity: -2, Flags: f, Handler: adapt(commandInfo)})
	cc.AddSub(&commands.Command{Name: "docs", Arity: -2, Flags: f, Handler: adapt(commandDocs)})
	cc.AddSub(&commands.Command{Name: "list", Arity: -2, Flags: f, Handler: adapt(commandList)})
	cc.AddSub(&commands.Command{Name: "getkeys", Arity: -3, Flags: f, Handler: adapt(commandGetKeys(false))})
	cc.AddSub(&commands.Command{Name: "getkeysandflags", Arity: -3, Flags: f, Handler: adapt(commandGetKeys(true))})
	cc.AddSub(&commands.Command{Name: "help", Arity: 2, Flags: f, Handler: adapt(func(c *Client, a [][]byte) {
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
	})})
	for _, sub := range cc.Subs {
		sub.ACL = []string{"connection"}
	}
	s.Cmds.Add(cc)
}

func sortedCommands(s *Server) []*commands.Command {
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
func (s *Server) lookupFullName(name string) *commands.Command {
	parts := strings.SplitN(strings.ToLower(name), "|", 2)
	cmd := s.Cmds.Get(parts[0])
	if cmd == nil || len(parts) == 1 {
		return cmd
	}
	return cmd.Subs[parts[1]]
}

func sortedSubs(cmd *commands.Command) []*commands.Command {
	subs := make([]*commands.Command, 0, len(cmd.Subs))
	for _, s := range cmd.Subs {
		subs = append(subs, s)
	}
	sort.Slice(subs, func(i, j int) bool { return subs[i].Name < subs[j].Name })
	return subs
}

// writeCommandInfo writes the 10-element COMMAND INFO entry of Redis 7.
func writeCommandInfo(c *Client, cmd *commands.Command) {
	w := &c.W
	specs := cmd.Specs()
	first, last, step := cmd.FirstKey, cmd.LastKey, cmd.KeyStep
	flags := cmd.Flags
	if len(specs) > 0 {
		var movable bool
		first, last, step, movable = commands.LegacyRange(specs)
		if movable {
			flags |= commands.FlagMovableKeys
		}
	}
	w.ArrayLen(10)
	w.BulkString(cmd.FullName)
	w.Int(int64(cmd.Arity))
	writeStatusSet(w, flags.InfoNames(), "")
	w.Int(int64(first))
	w.Int(int64(last))
	w.Int(int64(step))
	writeStatusSet(w, cmd.Categories(), "@")
	w.SetLen(len(cmd.Tips))
	for _, t := range cmd.Tips {
		w.BulkString(t)
	}
	w.SetLen(len(specs))
	for i := range specs {
		writeKeySpec(w, &specs[i])
	}
	if cmd.Subs == nil {
		w.SetLen(0)
		return
	}
	subs := sortedSubs(cmd)
	w.ArrayLen(len(subs))
	for _, sub := range subs {
		writeCommandInfo(c, sub)
	}
}

// writeStatusSet writes names as a set of status replies.
func writeStatusSet(w *resp.Writer, names []string, prefix string) {
	w.SetLen(len(names))
	for _, n := range names {
		w.SimpleString(prefix + n)
	}
}

// writeKeySpec writes one key spec map as COMMAND INFO shows it.
func writeKeySpec(w *resp.Writer, ks *commands.KeySpec) {
	n := 3
	if ks.Notes != "" {
		n++
	}
	w.MapLen(n)
	if ks.Notes != "" {
		w.BulkString("notes")
		w.BulkString(ks.Notes)
	}
	w.BulkString("flags")
	writeStatusSet(w, ks.Flags.Names(), "")
	w.BulkString("begin_search")
	switch ks.Begin {
	case commands.SearchIndex:
		writeSpecMap(w, "index", []string{"index"}, ks.Index)
	case commands.SearchKeyword:
		w.MapLen(2)
		w.BulkString("type")
		w.BulkString("keyword")
		w.BulkString("spec")
		w.MapLen(2)
		w.BulkString("keyword")
		w.BulkString(ks.Keyword)
		w.BulkString("startfrom")
		w.Int(int64(ks.Index))
	default:
		writeSpecMap(w, "unknown", nil)
	}
	w.BulkString("find_keys")
	switch ks.Find {
	case commands.FindRange:
		writeSpecMap(w, "range", []string{"lastkey", "keystep", "limit"}, ks.FK[:]...)
	case commands.FindKeynum:
		writeSpecMap(w, "keynum", []string{"keynumidx", "firstkey", "keystep"}, ks.FK[:]...)
	default:
		writeSpecMap(w, "unknown", nil)
	}
}

// writeSpecMap writes {type: kind, spec: {names[i]: vals[i] ...}}.
func writeSpecMap(w *resp.Writer, kind string, names []string, vals ...int) {
	w.MapLen(2)
	w.BulkString("type")
	w.BulkString(kind)
	w.BulkString("spec")
	w.MapLen(len(names))
	for i, n := range names {
		w.BulkString(n)
		w.Int(int64(vals[i]))
	}
}

func commandDocs(c *Client, a [][]byte) {
	var cmds []*commands.Command
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
		writeCommandDocs(&c.W, cmd)
	}
}

func commandList(c *Client, a [][]byte) {
	var match func(cmd *commands.Command) bool
	switch {
	case len(a) == 2:
		match = func(*commands.Command) bool { return true }
	case len(a) == 5 && strings.EqualFold(string(a[2]), "filterby"):
		val := string(a[4])
		switch strings.ToLower(string(a[3])) {
		case "module":
			match = func(cmd *commands.Command) bool { return cmd.Module == val }
		case "aclcat":
			match = func(cmd *commands.Command) bool {
				for _, cat := range cmd.Categories() {
					if strings.EqualFold(cat, val) {
						return true
					}
				}
				return false
			}
		case "pattern":
			match = func(cmd *commands.Command) bool {
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

func commandGetKeys(withFlags bool) clientHandler {
	return func(c *Client, a [][]byte) {
		args := a[2:]
		cmd, ok := c.srv.Cmds.Resolve(args)
		switch {
		case cmd == nil || !ok:
			c.Error("ERR Invalid command specified")
			return
		case !cmd.HasKeys():
			c.Error("ERR The command has no key arguments")
			return
		case !cmd.ArityOK(len(args)):
			c.Error("ERR Invalid number of arguments specified for command")
			return
		}
		keys, found := cmd.Keys(args)
		if !found {
			if cmd.Flags&commands.FlagNoMandatoryKeys != 0 {
				c.W.ArrayLen(0)
			} else {
				c.Error("ERR Invalid arguments specified for command")
			}
			return
		}
		c.W.ArrayLen(len(keys))
		for _, k := range keys {
			if !withFlags {
				c.W.Bulk(args[k.Pos])
				continue
			}
			c.W.ArrayLen(2)
			c.W.Bulk(args[k.Pos])
			writeStatusSet(&c.W, k.Flags.Names(), "")
		}
	}
}
