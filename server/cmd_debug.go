package server

import (
	"net"
	"strconv"
	"strings"
	"time"
)

// DebugHandler implements one DEBUG subcommand registered by another
// package (DEBUG POPULATE, DEBUG RELOAD, DEBUG DIGEST ...).
type DebugHandler func(c *Client, args [][]byte)

func registerDebugCommand(s *Server) {
	s.debug = map[string]DebugHandler{
		"sleep":             debugSleep,
		"set-active-expire": debugSetActiveExpire,
		"log":               debugLog,
		"protocol":          debugProtocol,
		"change-repl-id":    func(c *Client, a [][]byte) { c.OK() },
		// modhost-panic exercises the panic containment of the dispatcher.
		"modhost-panic": func(c *Client, a [][]byte) { panic("DEBUG MODHOST-PANIC") },
		// modhost-goroutines answers the number of goroutines, for leak
		// checks of servers without modules.
		"modhost-goroutines": func(c *Client, a [][]byte) { c.W.Int(int64(Goroutines())) },
	}
	s.Cmds.Add(&Command{Name: "debug", Arity: -2, Flags: ParseCmdFlags("admin noscript loading stale"), Group: "server", Since: "1.0.0", Summary: "A container for debugging commands.", ACL: []string{"admin", "slow", "dangerous"}, Handler: debugCommand, Protected: "enable-debug-command"})
}

// RegisterDebug adds a DEBUG subcommand.
func (s *Server) RegisterDebug(name string, h DebugHandler) { s.debug[strings.ToLower(name)] = h }

func debugCommand(c *Client, a [][]byte) {
	sub := strings.ToLower(string(a[1]))
	if sub == "help" {
		c.replyHelp([]string{"DEBUG <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
			"LOG <message>", "    Write <message> to the server log.",
			"SET-ACTIVE-EXPIRE <0|1>", "    Setting it to 0 disables expiring keys in background when they are not accessed (otherwise the Redis behavior). Setting it to 1 reenables back the default.",
			"SLEEP <seconds>", "    Stop the server for <seconds>. Decimals allowed."})
		return
	}
	h := c.srv.debug[sub]
	if h == nil {
		c.Error("ERR unknown subcommand or wrong number of arguments for '" + string(a[1]) + "'. Try DEBUG HELP.")
		return
	}
	h(c, a)
}

func debugSleep(c *Client, a [][]byte) {
	if len(a) != 3 {
		c.Error("ERR unknown subcommand or wrong number of arguments for 'sleep'. Try DEBUG HELP.")
		return
	}
	f, err := strconv.ParseFloat(string(a[2]), 64)
	if err != nil {
		f = 0
	}
	time.Sleep(time.Duration(f * float64(time.Second)))
	c.OK()
}

func debugSetActiveExpire(c *Client, a [][]byte) {
	if len(a) != 3 {
		c.Error("ERR unknown subcommand or wrong number of arguments for 'set-active-expire'. Try DEBUG HELP.")
		return
	}
	v, _ := strconv.Atoi(string(a[2]))
	c.srv.activeExpire = v != 0
	c.OK()
}

func debugLog(c *Client, a [][]byte) {
	if len(a) != 3 {
		c.Error("ERR unknown subcommand or wrong number of arguments for 'log'. Try DEBUG HELP.")
		return
	}
	c.srv.Log.Warningf("DEBUG LOG: %s", a[2])
	c.OK()
}

// protectedAllowed applies enable-debug-command / enable-module-command:
// "yes" allows, "local" allows loopback connections only.
func (s *Server) protectedAllowed(c *Client, option string) bool {
	return s.Config.AllowProtected(option, c.isLocal())
}

// isLocal reports whether the client connected over loopback (fake
// clients count as local).
func (c *Client) isLocal() bool {
	if c.conn == nil {
		return true
	}
	if ta, ok := c.conn.RemoteAddr().(*net.TCPAddr); ok {
		return ta.IP.IsLoopback()
	}
	return true
}
