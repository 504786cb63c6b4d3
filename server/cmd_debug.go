package server

import (
	"net"
	"strconv"
	"strings"
	"time"

	"github.com/modhost/modhost/commands"
)

// DebugHandler implements one DEBUG subcommand registered by another
// package (DEBUG POPULATE, DEBUG RELOAD, DEBUG DIGEST ...).
type DebugHandler func(c *Client, args [][]byte)

func registerDebugCommand(s *Server) {
	s.debug = map[string]DebugHandler{
		"sleep":             debugSleep,
		"set-active-expire": debugSetActiveExpire,
		"log":               debugLog,
		"change-repl-id":    debugChangeReplID,
		// modhost-panic exercises the panic containment of the dispatcher.
		"modhost-panic": func(c *Client, a [][]byte) { panic("DEBUG MODHOST-PANIC") },
		// modhost-goroutines answers the number of goroutines, for leak
		// checks of servers without modules.
		"modhost-goroutines": func(c *Client, a [][]byte) { c.W.Int(int64(Goroutines())) },
	}
	s.registerDebugMore()
	s.Cmds.Add(&commands.Command{Name: "debug", Arity: -2, Flags: commands.ParseCmdFlags("admin noscript loading stale"), Group: "server", Since: "1.0.0", Summary: "A container for debugging commands.", ACL: []string{"admin", "slow", "dangerous"}, Handler: adapt(debugCommand), Protected: "enable-debug-command"})
}

// RegisterDebug adds a DEBUG subcommand.
func (s *Server) RegisterDebug(name string, h DebugHandler) { s.debug[strings.ToLower(name)] = h }

func debugCommand(c *Client, a [][]byte) {
	sub := strings.ToLower(string(a[1]))
	if sub == "help" {
		c.replyHelp([]string{"DEBUG <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
			"CHANGE-REPL-ID", "    Change the replication IDs of the instance.",
			"DIGEST", "    Output a hex signature representing the current DB content.",
			"DIGEST-VALUE <key> [<key> ...]", "    Output a hex signature of the values of all the specified keys.",
			"ERROR <string>", "    Return a Redis protocol error with <string> as message. Useful for clients",
			"    unit tests to simulate Redis errors.",
			"LOG <message>", "    Write <message> to the server log.",
			"OBJECT <key>", "    Show low level info about the `key` and associated value.",
			"PAUSE-CRON <0|1>", "    Stop periodic cron job processing.",
			"POPULATE <count> [<prefix>] [<size>]", "    Create <count> string keys named key:<num>. If <prefix> is specified then",
			"    it is used instead of the 'key' prefix. These are not propagated to",
			"    replicas. Cluster slots are not respected so keys not belonging to the",
			"    current node can be created in cluster mode.",
			"PROTOCOL <type>", "    Reply with a test value of the specified type. <type> can be: string,",
			"    integer, double, bignum, null, array, set, map, attrib, push, verbatim,",
			"    true, false.",
			"RELOAD [option ...]", "    Save the RDB on disk and reload it back to memory.",
			"SET-ACTIVE-EXPIRE <0|1>", "    Setting it to 0 disables expiring keys in background when they are not accessed (otherwise the Redis behavior). Setting it to 1 reenables back the default.",
			"SET-SKIP-CHECKSUM-VALIDATION <0|1>", "    Enables or disables checksum checks for RDB files and RESTORE's payload.",
			"SLEEP <seconds>", "    Stop the server for <seconds>. Decimals allowed.",
			"STRINGMATCH-TEST", "    Run a fuzz tester against the stringmatchlen() function."})
		return
	}
	h := c.srv.debug[sub]
	if why, ok := debugUnsupported[sub]; ok && h == nil {
		debugRefuse(c, sub, why)
		return
	}
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
