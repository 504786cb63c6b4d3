package server

import (
	"strconv"
	"strings"

	"github.com/modhost/modhost/acl"
	"github.com/modhost/modhost/commands"
)

// registerCoreCommands fills the command table with the server's own
// commands. Data commands come from package commands (Server.AddCommands).
func registerCoreCommands(s *Server) {
	s.Cmds.Add(
		&commands.Command{Name: "ping", Arity: -1, Flags: commands.ParseCmdFlags("fast"), Group: "connection", Since: "1.0.0", Summary: "Returns the server's liveliness response.", ACL: []string{"fast", "connection"}, Handler: adapt(pingCommand)},
		&commands.Command{Name: "echo", Arity: 2, Flags: commands.ParseCmdFlags("loading stale fast"), Group: "connection", Since: "1.0.0", Summary: "Returns the given string.", ACL: []string{"fast", "connection"}, Handler: adapt(echoCommand)},
		&commands.Command{Name: "quit", Arity: -1, Flags: commands.ParseCmdFlags("noscript loading stale fast no_auth allow_busy"), Group: "connection", Since: "1.0.0", Summary: "Closes the connection.", ACL: []string{"fast", "connection"}, Handler: adapt(quitCommand)},
		&commands.Command{Name: "reset", Arity: 1, Flags: commands.ParseCmdFlags("noscript loading stale fast no_auth allow_busy"), Group: "connection", Since: "6.2.0", Summary: "Resets the connection.", ACL: []string{"fast", "connection"}, Handler: adapt(resetCommand)},
		&commands.Command{Name: "hello", Arity: -1, Flags: commands.ParseCmdFlags("noscript loading stale fast no_auth allow_busy"), Group: "connection", Since: "6.0.0", Summary: "Handshakes with the Redis server.", ACL: []string{"fast", "connection"}, Handler: adapt(helloCommand)},
		&commands.Command{Name: "auth", Arity: -2, Flags: commands.ParseCmdFlags("noscript loading stale fast no_auth allow_busy"), Group: "connection", Since: "1.0.0", Summary: "Authenticates the connection.", ACL: []string{"fast", "connection"}, Handler: adapt(authCommand)},
		&commands.Command{Name: "select", Arity: 2, Flags: commands.ParseCmdFlags("loading stale fast"), Group: "connection", Since: "1.0.0", Summary: "Changes the selected database.", ACL: []string{"fast", "connection"}, Handler: adapt(selectCommand)},
	)
	registerClientCommand(s)
	registerLolwut(s)
	registerServerCommands(s)
	registerSlowlogCommands(s)
	registerReplMasterCommands(s)
	registerReplicaCommands(s)
	registerInfoCommand(s)
	registerConfigCommand(s)
	registerCommandCommand(s)
	registerDebugCommand(s)
	registerPubSubCommands(s)
	registerTxCommands(s)
	registerACLCommand(s)
}

func pingCommand(c *Client, args [][]byte) {
	if len(args) > 2 {
		c.Error("ERR wrong number of arguments for 'ping' command")
		return
	}
	if c.isSubscriber() && c.W.Proto == 2 {
		c.W.ArrayLen(2)
		c.W.BulkString("pong")
		if len(args) == 2 {
			c.W.Bulk(args[1])
		} else {
			c.W.BulkString("")
		}
		return
	}
	if len(args) == 2 {
		c.W.Bulk(args[1])
		return
	}
	c.W.SimpleString("PONG")
}

func echoCommand(c *Client, args [][]byte) { c.W.Bulk(args[1]) }

func quitCommand(c *Client, args [][]byte) {
	c.OK()
	c.closeAfter = true
}

func resetCommand(c *Client, args [][]byte) {
	s := c.srv
	s.discardTx(c)
	s.unsubscribeAllLocked(c)
	if c.monitor {
		c.monitor = false
		delete(s.monitors, c.ID)
	}
	c.DB = 0
	c.W.Proto = 2
	c.Name = ""
	c.replyMode = replyOn
	c.noEvict, c.noTouch = false, false
	s.disableTracking(c)
	c.resetUserLocked()
	c.Authenticated = !s.hot.authRequired
	c.W.SimpleString("RESET")
}

func helloCommand(c *Client, args [][]byte) {
	ver := int64(0)
	next := 1
	if len(args) >= 2 {
		v, err := strconv.ParseInt(string(args[1]), 10, 64)
		if err != nil || !canonicalInt(args[1]) {
			c.Error("ERR Protocol version is not an integer or out of range")
			return
		}
		if v < 2 || v > 3 {
			c.Error("NOPROTO unsupported protocol version")
			return
		}
		ver = v
		next = 2
	}
	var user, pass, name []byte
	hasName := false
	for j := next; j < len(args); j++ {
		more := len(args) - 1 - j
		opt := string(args[j])
		switch {
		case strings.EqualFold(opt, "AUTH") && more >= 2:
			user, pass = args[j+1], args[j+2]
			j += 2
		case strings.EqualFold(opt, "SETNAME") && more >= 1:
			name = args[j+1]
			hasName = true
			if !validClientName(name) {
				c.Error("ERR Client names cannot contain spaces, newlines or special characters.")
				return
			}
			j++
		default:
			c.Error("ERR Syntax error in HELLO option '" + opt + "'")
			return
		}
	}
	if pass != nil {
		// Blocking module authentication finishes HELLO later, so the
		// arguments it needs are copied (they alias the read buffer).
		name = append([]byte(nil), name...)
		c.srv.authenticate(c, user, pass, args[0], func(ok bool) {
			if ok {
				helloReply(c, ver, name, hasName)
			}
		})
		return
	}
	helloReply(c, ver, name, hasName)
}

// helloReply is HELLO after authentication: the NOAUTH check, SETNAME,
// the protocol switch and the server map.
func helloReply(c *Client, ver int64, name []byte, hasName bool) {
	if !c.Authenticated && c.srv.hot.authRequired {
		c.Error("NOAUTH HELLO must be called with the client already authenticated, otherwise the HELLO <proto> AUTH <user> <pass> option can be used to authenticate the client and select the RESP protocol version at the same time")
		return
	}
	if hasName {
		c.Name = string(name)
	}
	if ver != 0 {
		c.W.Proto = int(ver)
	}
	c.W.MapLen(7)
	c.W.BulkString("server")
	c.W.BulkString("redis")
	c.W.BulkString("version")
	c.W.BulkString(RedisVersion)
	c.W.BulkString("proto")
	c.W.Int(int64(c.W.Proto))
	c.W.BulkString("id")
	c.W.Int(c.ID)
	c.W.BulkString("mode")
	c.W.BulkString("standalone")
	c.W.BulkString("role")
	c.W.BulkString("master")
	c.W.BulkString("modules")
	c.srv.writeModuleList(c)
}

// authenticate is Redis's ACLAuthenticateUser for AUTH and HELLO AUTH
// (user nil: AUTH <password>, the default user): module auth callbacks
// first, then the user's passwords. A failure is logged in the ACL LOG
// and answered with Redis's error. done gets the outcome: at once, or,
// when a module blocks the client to authenticate it in the background,
// once the module has decided (see moduleAuthLocked).
func (s *Server) authenticate(c *Client, user, pass []byte, cmdName []byte, done func(ok bool)) {
	if user == nil && s.ACL.Default().NoPass() {
		c.Error("ERR AUTH <password> called without any password configured for the default user. Are you sure your configuration is correct?")
		done(false)
		return
	}
	if s.moduleAuthLocked(c, user, pass, cmdName, done) {
		return
	}
	done(s.passwordAuth(c, user, pass, cmdName))
}

// passwordAuth checks pass against the user's passwords (after the module
// callbacks left the request to it).
func (s *Server) passwordAuth(c *Client, user, pass []byte, cmdName []byte) bool {
	name := "default"
	if user != nil {
		name = string(user)
	}
	if u := s.ACL.Get(name); u != nil && u.CheckPassword(pass) {
		c.notifyUserChanged()
		c.user = u
		c.Authenticated = true
		return true
	}
	s.AddACLLog(c, acl.DeniedAuth, aclLogContext(c), string(cmdName), name)
	c.Error("WRONGPASS invalid username-password pair or user is disabled.")
	return false
}

func authCommand(c *Client, args [][]byte) {
	if len(args) > 3 {
		c.Error(msgSyntax)
		return
	}
	var user []byte
	pass := args[1]
	if len(args) == 3 {
		user, pass = args[1], args[2]
	}
	c.srv.authenticate(c, user, pass, args[0], func(ok bool) {
		if ok {
			c.OK()
		}
	})
}

func selectCommand(c *Client, args [][]byte) {
	id, ok := parseInt(args[1])
	if !ok || id < -1<<31 || id > 1<<31-1 {
		c.Error(msgNotInt)
		return
	}
	if id < 0 || id >= int64(c.srv.Keys.NumDBs()) {
		c.Error(msgDBIndex)
		return
	}
	c.DB = int(id)
	c.OK()
}

// validClientName reports whether a client name has only printable
// characters without spaces, as CLIENT SETNAME requires.
func validClientName(b []byte) bool {
	for _, ch := range b {
		if ch < '!' || ch > '~' {
			return false
		}
	}
	return true
}

// canonicalInt reports whether b is written the way Redis's string2ll
// accepts (no '+', no leading zeros, no spaces).
func canonicalInt(b []byte) bool {
	_, ok := parseInt(b)
	return ok
}

// parseInt parses an int64 with Redis's string2ll rules.
func parseInt(b []byte) (int64, bool) {
	if len(b) == 0 || len(b) > 20 {
		return 0, false
	}
	if len(b) == 1 && b[0] == '0' {
		return 0, true
	}
	neg := b[0] == '-'
	digits := b
	if neg {
		digits = b[1:]
	}
	if len(digits) == 0 || digits[0] < '1' || digits[0] > '9' {
		return 0, false
	}
	var v uint64
	for _, ch := range digits {
		if ch < '0' || ch > '9' {
			return 0, false
		}
		if v > (1<<64-1)/10 {
			return 0, false
		}
		v = v*10 + uint64(ch-'0')
		if v < uint64(ch-'0') {
			return 0, false
		}
	}
	if neg {
		if v > 1<<63 {
			return 0, false
		}
		return -int64(v), true
	}
	if v > 1<<63-1 {
		return 0, false
	}
	return int64(v), true
}
