package server

// The ACL command (Redis 7.2's aclCommand): users, rules, categories,
// the ACL log, dry runs and the ACL file.

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"strings"
	"time"

	"github.com/modhost/modhost/acl"
	"github.com/modhost/modhost/commands"
)

var aclHelp = []string{"ACL <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
	"CAT [<category>]",
	"    List all commands that belong to <category>, or all command categories",
	"    when no category is specified.",
	"DELUSER <username> [<username> ...]",
	"    Delete a list of users.",
	"DRYRUN <username> <command> [<arg> ...]",
	"    Returns whether the user can execute the given command without executing the command.",
	"GETUSER <username>",
	"    Get the user's details.",
	"GENPASS [<bits>]",
	"    Generate a secure 256-bit user password. The optional `bits` argument can",
	"    be used to specify a different size.",
	"LIST",
	"    Show users details in config file format.",
	"LOAD",
	"    Reload users from the ACL file.",
	"LOG [<count> | RESET]",
	"    Show the ACL log entries.",
	"SAVE",
	"    Save the current config to the ACL file.",
	"SETUSER <username> <attribute> [<attribute> ...]",
	"    Create or modify a user with the specified attributes.",
	"USERS",
	"    List all the registered usernames.",
	"WHOAMI",
	"    Return the current connection username.",
}

func registerACLCommand(s *Server) {
	root := &commands.Command{Name: "acl", Arity: -2, Group: "server", Since: "6.0.0", Summary: "A container for Access List Control commands.", Handler: adapt(func(*Client, [][]byte) {})}
	adm := commands.ParseCmdFlags("admin noscript loading stale")
	open := commands.ParseCmdFlags("noscript loading stale")
	for _, sub := range []*commands.Command{
		{Name: "cat", Arity: -2, Flags: open, Handler: adapt(aclCat)},
		{Name: "deluser", Arity: -3, Flags: adm, Handler: adapt(aclDelUser)},
		{Name: "dryrun", Arity: -4, Flags: adm, Handler: adapt(aclDryRun)},
		{Name: "genpass", Arity: -2, Flags: open, Handler: adapt(aclGenPass)},
		{Name: "getuser", Arity: 3, Flags: adm, Handler: adapt(aclGetUser)},
		{Name: "help", Arity: 2, Flags: commands.ParseCmdFlags("loading stale"), Handler: adapt(func(c *Client, a [][]byte) { c.replyHelp(aclHelp) })},
		{Name: "list", Arity: 2, Flags: adm, Handler: adapt(aclList)},
		{Name: "load", Arity: 2, Flags: adm, Handler: adapt(aclLoad)},
		{Name: "log", Arity: -2, Flags: adm, Handler: adapt(aclLogCommand)},
		{Name: "save", Arity: 2, Flags: adm, Handler: adapt(aclSave)},
		{Name: "setuser", Arity: -3, Flags: adm, Handler: adapt(aclSetUser)},
		{Name: "users", Arity: 2, Flags: adm, Handler: adapt(aclUsers)},
		{Name: "whoami", Arity: 2, Flags: open, Handler: adapt(aclWhoAmI)},
	} {
		root.AddSub(sub)
	}
	s.Cmds.Add(root)
}

func aclSetUser(c *Client, a [][]byte) {
	s := c.srv
	name := string(a[2])
	if strings.ContainsAny(name, " \x00") {
		c.Error("ERR Usernames can't contain spaces or null characters")
		return
	}
	ops := make([]string, len(a)-3)
	for i, op := range a[3:] {
		ops[i] = string(op)
	}
	u, before, msg := s.ACL.SetUser(name, ops, s.ACLLookup())
	if msg != "" {
		c.Error("ERR " + msg)
		return
	}
	if before != nil {
		s.killPubsubClientsLocked(u, before)
	}
	s.ACLChangedLocked()
	c.OK()
}

// ACLChangedLocked refreshes what depends on the default user (whether
// new connections must authenticate); call it after changing a store user.
func (s *Server) ACLChangedLocked() { s.hot.authRequired = s.ACL.AuthRequired() }

func aclDelUser(c *Client, a [][]byte) {
	s := c.srv
	for _, n := range a[2:] {
		if string(n) == "default" {
			c.Error("ERR The 'default' user cannot be removed")
			return
		}
	}
	deleted := 0
	for _, n := range a[2:] {
		if u := s.ACL.Delete(string(n)); u != nil {
			s.KillUserClientsLocked(u)
			deleted++
		}
	}
	c.W.Int(int64(deleted))
}

func aclGetUser(c *Client, a [][]byte) {
	u := c.srv.ACL.Get(string(a[2]))
	if u == nil {
		c.W.NullBulk()
		return
	}
	c.W.MapLen(6)
	c.W.BulkString("flags")
	flags := u.Flags()
	c.W.SetLen(len(flags))
	for _, f := range flags {
		c.W.BulkString(f)
	}
	c.W.BulkString("passwords")
	pw := u.Passwords()
	c.W.ArrayLen(len(pw))
	for _, p := range pw {
		c.W.BulkString(p)
	}
	writeSelectorInfo(c, u.Root())
	c.W.BulkString("selectors")
	sels := u.Selectors()
	c.W.ArrayLen(len(sels))
	for _, si := range sels {
		c.W.MapLen(3)
		writeSelectorInfo(c, si)
	}
}

func writeSelectorInfo(c *Client, si acl.SelectorInfo) {
	c.W.BulkString("commands")
	c.W.BulkString(si.Commands)
	c.W.BulkString("keys")
	c.W.BulkString(si.Keys)
	c.W.BulkString("channels")
	c.W.BulkString(si.Channels)
}

func aclList(c *Client, a [][]byte) {
	users := c.srv.ACL.Users()
	c.W.ArrayLen(len(users))
	for _, u := range users {
		c.W.BulkString("user " + u.Name() + " " + u.Describe())
	}
}

func aclUsers(c *Client, a [][]byte) {
	names := c.srv.ACL.Names()
	c.W.ArrayLen(len(names))
	for _, n := range names {
		c.W.BulkString(n)
	}
}

func aclWhoAmI(c *Client, a [][]byte) {
	if c.user == nil {
		c.W.NullBulk()
		return
	}
	c.W.BulkString(c.user.Name())
}

const msgNoACLFile = "ERR This Redis instance is not configured to use an ACL file. You may want to specify users via the ACL SETUSER command and then issue a CONFIG REWRITE (assuming you have a Redis configuration file set) in order to store users in the Redis configuration."

func aclLoad(c *Client, a [][]byte) {
	s := c.srv
	path := s.Config.String("aclfile")
	if path == "" {
		c.Error(msgNoACLFile)
		return
	}
	if msg := s.loadACLFileLocked(path); msg != "" {
		c.Error("ERR " + msg)
		return
	}
	c.OK()
}

// loadACLFileLocked loads the ACL file, closing the clients of the users
// it replaced; "" or the error text.
func (s *Server) loadACLFileLocked(path string) string {
	gone, msg := s.ACL.LoadFile(path, s.ACLLookup())
	if msg != "" {
		return msg
	}
	for _, u := range gone {
		s.KillUserClientsLocked(u)
	}
	s.ACLChangedLocked()
	return ""
}

func aclSave(c *Client, a [][]byte) {
	s := c.srv
	path := s.Config.String("aclfile")
	if path == "" {
		c.Error(msgNoACLFile)
		return
	}
	if msg := s.ACL.SaveFile(path); msg != "" {
		s.Log.Warningf("%s", msg)
		c.Error("ERR There was an error trying to save the ACLs. Please check the server logs for more information")
		return
	}
	c.OK()
}

func aclCat(c *Client, a [][]byte) {
	if len(a) == 2 {
		cats := acl.Categories()
		c.W.ArrayLen(len(cats))
		for _, n := range cats {
			c.W.BulkString(n)
		}
		return
	}
	if len(a) != 3 {
		c.srv.subcommandSyntaxError(c, a)
		return
	}
	bit := acl.CategoryBit(string(a[2]))
	if bit == 0 {
		c.Error(fmt.Sprintf("ERR Unknown category '%s'", clip(a[2], 128)))
		return
	}
	var names []string
	var walk func(cmds map[string]*commands.Command)
	walk = func(cmds map[string]*commands.Command) {
		for _, cmd := range cmds {
			if cmd.Module != "" {
				continue
			}
			if cmd.ACLCategories()&bit != 0 {
				names = append(names, cmd.FullName)
			}
			if cmd.Subs != nil {
				walk(cmd.Subs)
			}
		}
	}
	top := map[string]*commands.Command{}
	for _, cmd := range c.srv.Cmds.All() {
		top[cmd.Name] = cmd
	}
	walk(top)
	c.W.ArrayLen(len(names))
	for _, n := range names {
		c.W.BulkString(n)
	}
}

// subcommandSyntaxError is Redis's addReplySubcommandSyntaxError.
func (s *Server) subcommandSyntaxError(c *Client, a [][]byte) {
	c.Error(fmt.Sprintf("ERR unknown subcommand or wrong number of arguments for '%s'. Try %s HELP.", clip(a[1], 128), strings.ToUpper(string(a[0]))))
}

// genpassMaxBits is Redis's GENPASS_MAX_BITS.
const genpassMaxBits = 4096

func aclGenPass(c *Client, a [][]byte) {
	bits := int64(256)
	if len(a) > 3 {
		c.srv.subcommandSyntaxError(c, a)
		return
	}
	if len(a) == 3 {
		v, ok := parseInt(a[2])
		if !ok {
			c.Error(msgNotInt)
			return
		}
		bits = v
	}
	if bits <= 0 || bits > genpassMaxBits {
		c.Error(fmt.Sprintf("ERR ACL GENPASS argument must be the number of bits for the output password, a positive number up to %d", genpassMaxBits))
		return
	}
	chars := (bits + 3) / 4
	raw := make([]byte, (chars+1)/2)
	_, _ = rand.Read(raw)
	c.W.BulkString(hex.EncodeToString(raw)[:chars])
}

func aclLogCommand(c *Client, a [][]byte) {
	s := c.srv
	if len(a) > 3 {
		s.subcommandSyntaxError(c, a)
		return
	}
	count := int64(10)
	if len(a) == 3 {
		if strings.EqualFold(string(a[2]), "reset") {
			s.ACL.Log.Reset()
			c.OK()
			return
		}
		v, ok := parseInt(a[2])
		if !ok {
			c.Error(msgNotInt)
			return
		}
		count = max(v, 0)
	}
	entries := s.ACL.Log.Entries
	if count > int64(len(entries)) {
		count = int64(len(entries))
	}
	now := time.Now().UnixMilli()
	c.W.ArrayLen(int(count))
	for _, e := range entries[:count] {
		c.W.MapLen(10)
		c.W.BulkString("count")
		c.W.Int(e.Count)
		c.W.BulkString("reason")
		c.W.BulkString(e.ReasonName())
		c.W.BulkString("context")
		c.W.BulkString(e.ContextName())
		c.W.BulkString("object")
		c.W.BulkString(e.Object)
		c.W.BulkString("username")
		c.W.BulkString(e.Username)
		c.W.BulkString("age-seconds")
		c.W.Double(float64(now-e.Millis) / 1000)
		c.W.BulkString("client-info")
		c.W.BulkString(e.ClientInfo)
		c.W.BulkString("entry-id")
		c.W.Int(e.ID)
		c.W.BulkString("timestamp-created")
		c.W.Int(e.Created)
		c.W.BulkString("timestamp-last-updated")
		c.W.Int(e.Millis)
	}
}

func aclDryRun(c *Client, a [][]byte) {
	s := c.srv
	u := s.ACL.Get(string(a[2]))
	if u == nil {
		c.Error(fmt.Sprintf("ERR User '%s' not found", a[2]))
		return
	}
	args := a[3:]
	cmd, ok := s.Cmds.Resolve(args)
	if cmd == nil || !ok {
		c.Error(fmt.Sprintf("ERR Command '%s' not found", a[3]))
		return
	}
	if !cmd.ArityOK(len(args)) {
		c.Error(fmt.Sprintf("ERR wrong number of arguments for '%s' command", cmd.FullName))
		return
	}
	if res, pos := u.Check(cmd, args); res != acl.OK {
		c.W.BulkString(acl.DeniedMessage(res, u, cmd, args[pos], true))
		return
	}
	c.OK()
}
