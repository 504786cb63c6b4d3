package server

import (
	"fmt"
	"strings"
	"syscall"
	"time"

	"github.com/modhost/modhost/commands"
)

// clientHelp is Redis 7.2's CLIENT HELP text.
var clientHelp = []string{
	"CLIENT <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
	"CACHING (YES|NO)", "    Enable/disable tracking of the keys for next command in OPTIN/OPTOUT modes.",
	"GETREDIR", "    Return the client ID we are redirecting to when tracking is enabled.",
	"GETNAME", "    Return the name of the current connection.",
	"ID", "    Return the ID of the current connection.",
	"INFO", "    Return information about the current client connection.",
	"KILL <ip:port>", "    Kill connection made from <ip:port>.",
	"KILL <option> <value> [<option> <value> [...]]", "    Kill connections. Options are:",
	"    * ADDR (<ip:port>|<unixsocket>:0)", "      Kill connections made from the specified address",
	"    * LADDR (<ip:port>|<unixsocket>:0)", "      Kill connections made to specified local address",
	"    * TYPE (NORMAL|MASTER|REPLICA|PUBSUB)", "      Kill connections by type.",
	"    * USER <username>", "      Kill connections authenticated by <username>.",
	"    * SKIPME (YES|NO)", "      Skip killing current connection (default: yes).",
	"LIST [options ...]", "    Return information about client connections. Options:",
	"    * TYPE (NORMAL|MASTER|REPLICA|PUBSUB)", "      Return clients of specified type.",
	"UNPAUSE", "    Stop the current client pause, resuming traffic.",
	"PAUSE <timeout> [WRITE|ALL]", "    Suspend all, or just write, clients for <timeout> milliseconds.",
	"REPLY (ON|OFF|SKIP)", "    Control the replies sent to the current connection.",
	"SETNAME <name>", "    Assign the name <name> to the current connection.",
	"SETINFO <option> <value>", "    Set client meta attr. Options are:",
	"    * LIB-NAME: the client lib name.", "    * LIB-VER: the client lib version.",
	"UNBLOCK <clientid> [TIMEOUT|ERROR]", "    Unblock the specified blocked client.",
	"TRACKING (ON|OFF) [REDIRECT <id>] [BCAST] [PREFIX <prefix> [...]]", "         [OPTIN] [OPTOUT] [NOLOOP]",
	"    Control server assisted client side caching.",
	"TRACKINGINFO", "    Report tracking status for the current connection.",
	"NO-EVICT (ON|OFF)", "    Protect current client connection from eviction.",
	"NO-TOUCH (ON|OFF)", "    Will not touch LRU/LFU stats when this mode is on.",
}

func registerClientCommand(s *Server) {
	adm := commands.ParseCmdFlags("admin noscript loading stale")
	client := &commands.Command{Name: "client", Arity: -2, Group: "connection", Since: "2.4.0", Summary: "A container for client connection commands.", Handler: adapt(func(c *Client, a [][]byte) {})}
	subs := []*commands.Command{
		{Name: "id", Arity: 2, Flags: commands.ParseCmdFlags("noscript loading stale"), Handler: adapt(func(c *Client, a [][]byte) { c.W.Int(c.ID) })},
		{Name: "getname", Arity: 2, Flags: commands.ParseCmdFlags("noscript loading stale"), Handler: adapt(clientGetName)},
		{Name: "setname", Arity: 3, Flags: commands.ParseCmdFlags("noscript loading stale"), Handler: adapt(clientSetName)},
		{Name: "setinfo", Arity: 4, Flags: commands.ParseCmdFlags("noscript loading stale"), Handler: adapt(clientSetInfo)},
		{Name: "info", Arity: 2, Flags: commands.ParseCmdFlags("noscript loading stale"), Handler: adapt(clientInfo)},
		{Name: "list", Arity: -2, Flags: adm, Handler: adapt(clientList)},
		{Name: "kill", Arity: -3, Flags: adm, Handler: adapt(clientKill)},
		{Name: "reply", Arity: 3, Flags: commands.ParseCmdFlags("noscript loading stale"), Handler: adapt(clientReply)},
		{Name: "no-evict", Arity: 3, Flags: adm, Handler: adapt(clientOnOff(func(c *Client, v bool) { c.noEvict = v }))},
		{Name: "no-touch", Arity: 3, Flags: commands.ParseCmdFlags("noscript loading stale"), Handler: adapt(clientOnOff(func(c *Client, v bool) { c.noTouch = v }))},
		{Name: "unblock", Arity: -3, Flags: adm, Handler: adapt(clientUnblock)},
		{Name: "tracking", Since: "6.0.0", Summary: "Enable or disable server assisted client side caching support", Docs: &commands.CommandDocs{Complexity: "O(1). Some options may introduce additional complexity."}, Arity: -3, Flags: commands.ParseCmdFlags("noscript loading stale"), Handler: adapt(clientTrackingCmd)},
		{Name: "caching", Since: "6.0.0", Summary: "Instruct the server about tracking or not keys in the next request", Docs: &commands.CommandDocs{Complexity: "O(1)"}, Arity: 3, Flags: commands.ParseCmdFlags("noscript loading stale"), Handler: adapt(clientCaching)},
		{Name: "getredir", Since: "6.0.0", Summary: "Get tracking notifications redirection client ID if any", Docs: &commands.CommandDocs{Complexity: "O(1)"}, Arity: 2, Flags: commands.ParseCmdFlags("noscript loading stale"), Handler: adapt(clientGetRedir)},
		{Name: "trackinginfo", Since: "6.2.0", Summary: "Return information about server assisted client side caching for the current connection", Docs: &commands.CommandDocs{Complexity: "O(1)"}, Arity: 2, Flags: commands.ParseCmdFlags("noscript loading stale"), Handler: adapt(clientTrackingInfo)},
		{Name: "pause", Since: "2.9.50", Summary: "Stop processing commands from clients for some time", Docs: &commands.CommandDocs{Complexity: "O(1)"}, Arity: -3, Flags: adm, Handler: adapt(clientPause)},
		{Name: "unpause", Since: "6.2.0", Summary: "Resume processing of clients that were paused", Docs: &commands.CommandDocs{Complexity: "O(N) Where N is the number of paused clients"}, Arity: 2, Flags: adm, Handler: adapt(clientUnpause)},
		{Name: "help", Arity: 2, Flags: commands.ParseCmdFlags("loading stale"), Handler: adapt(func(c *Client, a [][]byte) { c.replyHelp(clientHelp) })},
	}
	for _, sub := range subs {
		sub.ACL = []string{"slow", "connection"}
		client.AddSub(sub)
	}
	s.Cmds.Add(client)
}

// replyHelp writes a HELP reply as Redis's addReplyHelp: the lines as status
// replies followed by the HELP line.
func (c *Client) replyHelp(lines []string) {
	c.W.ArrayLen(len(lines) + 2)
	for _, l := range lines {
		c.W.SimpleString(l)
	}
	c.W.SimpleString("HELP")
	c.W.SimpleString("    Print this help.")
}

func clientGetName(c *Client, a [][]byte) {
	if c.Name == "" {
		c.W.NullBulk()
		return
	}
	c.W.BulkString(c.Name)
}

func clientSetName(c *Client, a [][]byte) {
	if !validClientName(a[2]) {
		c.Error("ERR Client names cannot contain spaces, newlines or special characters.")
		return
	}
	c.Name = string(a[2])
	c.OK()
}

func clientSetInfo(c *Client, a [][]byte) {
	attr := string(a[2])
	var dst *string
	switch strings.ToLower(attr) {
	case "lib-name":
		dst = &c.LibName
	case "lib-ver":
		dst = &c.LibVer
	default:
		c.Error("ERR Unrecognized option '" + attr + "'")
		return
	}
	if !validClientName(a[3]) {
		c.Error("ERR " + attr + " cannot contain spaces, newlines or special characters.")
		return
	}
	*dst = string(a[3])
	c.OK()
}

func clientInfo(c *Client, a [][]byte) {
	c.W.Verbatim("txt", []byte(c.infoString()+"\n"))
}

func clientList(c *Client, a [][]byte) {
	s := c.srv
	var sb strings.Builder
	switch {
	case len(a) == 2:
		for _, cl := range s.sortedClients() {
			sb.WriteString(cl.infoString())
			sb.WriteByte('\n')
		}
	case len(a) == 4 && strings.EqualFold(string(a[2]), "type"):
		typ := strings.ToLower(string(a[3]))
		if !validClientType(typ) {
			c.Error(fmt.Sprintf("ERR Unknown client type '%s'", a[3]))
			return
		}
		for _, cl := range s.sortedClients() {
			if cl.typeName() == clientTypeAlias(typ) {
				sb.WriteString(cl.infoString())
				sb.WriteByte('\n')
			}
		}
	case len(a) > 3 && strings.EqualFold(string(a[2]), "id"):
		for _, raw := range a[3:] {
			id, ok := parseInt(raw)
			if !ok {
				c.Error("ERR Invalid client ID")
				return
			}
			if cl := s.clients[id]; cl != nil {
				sb.WriteString(cl.infoString())
				sb.WriteByte('\n')
			}
		}
	default:
		c.Error(msgSyntax)
		return
	}
	c.W.Verbatim("txt", []byte(sb.String()))
}

func validClientType(t string) bool {
	switch t {
	case "normal", "master", "replica", "slave", "pubsub":
		return true
	}
	return false
}

// clientTypeAlias maps "slave" to "replica", the name typeName uses.
func clientTypeAlias(t string) string {
	if t == "slave" {
		return "replica"
	}
	return t
}

// typeName is the client's CLIENT LIST TYPE class.
func (c *Client) typeName() string {
	if l := c.replLink; l != nil && l.attached {
		return "replica"
	}
	if c.replMaster {
		return "master"
	}
	if c.isSubscriber() {
		return "pubsub"
	}
	return "normal"
}

// infoString renders one CLIENT LIST / CLIENT INFO line.
func (c *Client) infoString() string {
	now := time.Now()
	flags := ""
	if l := c.replLink; l != nil && l.attached {
		flags += "S"
	}
	if c.replMaster {
		flags += "M"
	}
	if c.monitor {
		flags += "O"
	}
	if c.isSubscriber() {
		flags += "P"
	}
	if c.tx != nil {
		flags += "x"
	}
	if c.isBlocked() {
		flags += "b"
	}
	flags += c.trackingListFlags()
	if c.noEvict {
		flags += "e"
	}
	if c.noTouch {
		flags += "T"
	}
	if flags == "" {
		flags = "N"
	}
	multi := -1
	if c.tx != nil {
		multi = len(c.tx.queue)
	}
	subs, psubs := c.subCounts()
	m := c.memUsage()
	return fmt.Sprintf("id=%d addr=%s laddr=%s fd=%d name=%s age=%d idle=%d flags=%s db=%d sub=%d psub=%d ssub=%d multi=%d qbuf=%d qbuf-free=%d argv-mem=%d multi-mem=%d rbs=%d rbp=%d obl=%d oll=%d omem=%d tot-mem=%d events=%s cmd=%s user=%s redir=%d resp=%d lib-name=%s lib-ver=%s",
		c.ID, c.Addr, c.LAddr, c.fd(), c.Name, int(now.Sub(c.CreatedAt).Seconds()), int(now.Sub(c.LastActive).Seconds()),
		flags, c.DB, subs, psubs, c.shardCount(), multi, m.qbuf, m.qbufFree, m.argv, m.multi, m.rbs, m.obl, m.obl, m.oll, m.omem, m.total,
		m.events, lastCmdName(c.LastCmd), c.UserName(), c.trackingRedirect(), c.W.Proto, c.LibName, c.LibVer)
}

// fd is the client's socket descriptor as CLIENT LIST/INFO show it: -1
// for a client without a connection (RedisModule_Call's, scripts', the
// AOF loader's), as in Redis.
func (c *Client) fd() int {
	if c.conn == nil {
		return -1
	}
	sc, ok := rawConn(c.conn).(syscall.Conn)
	if !ok {
		return -1
	}
	rc, err := sc.SyscallConn()
	if err != nil {
		return -1
	}
	fd := -1
	if rc.Control(func(d uintptr) { fd = int(d) }) != nil {
		return -1
	}
	return fd
}

func lastCmdName(s string) string {
	if s == "" {
		return "NULL"
	}
	return s
}

func clientKill(c *Client, a [][]byte) {
	s := c.srv
	var addr, laddr, typ string
	var id int64
	var maxAge int64
	skipme := true
	if len(a) == 3 {
		addr = string(a[2])
		skipme = false
	} else {
		for i := 2; i < len(a); i += 2 {
			if i+1 >= len(a) {
				c.Error(msgSyntax)
				return
			}
			opt, val := strings.ToLower(string(a[i])), a[i+1]
			switch opt {
			case "id":
				v, ok := parseInt(val)
				if !ok || v < 1 {
					c.Error("ERR client-id should be greater than 0")
					return
				}
				id = v
			case "maxage":
				v, ok := parseInt(val)
				if !ok {
					c.Error("ERR maxage is not an integer or out of range")
					return
				}
				if v <= 0 {
					c.Error("ERR maxage should be greater than 0")
					return
				}
				maxAge = v
			case "type":
				typ = strings.ToLower(string(val))
				if !validClientType(typ) {
					c.Error(fmt.Sprintf("ERR Unknown client type '%s'", val))
					return
				}
			case "addr":
				addr = string(val)
			case "laddr":
				laddr = string(val)
			case "user":
				if string(val) != "default" {
					c.Error(fmt.Sprintf("ERR No such user '%s'", val))
					return
				}
			case "skipme":
				switch strings.ToLower(string(val)) {
				case "yes":
					skipme = true
				case "no":
					skipme = false
				default:
					c.Error(msgSyntax)
					return
				}
			default:
				c.Error(msgSyntax)
				return
			}
		}
	}
	killed := 0
	now := time.Now()
	for _, cl := range s.sortedClients() {
		if (addr != "" && cl.Addr != addr) || (laddr != "" && cl.LAddr != laddr) ||
			(typ != "" && cl.typeName() != clientTypeAlias(typ)) || (id != 0 && cl.ID != id) ||
			(cl == c && skipme) || (maxAge != 0 && int64(now.Sub(cl.CreatedAt).Seconds()) < maxAge) {
			continue
		}
		if cl == c {
			c.closeAfter = true
		} else {
			cl.Kill()
		}
		killed++
	}
	if len(a) == 3 {
		if killed == 0 {
			c.Error("ERR No such client")
			return
		}
		c.OK()
		return
	}
	c.W.Int(int64(killed))
}

func clientReply(c *Client, a [][]byte) {
	switch strings.ToLower(string(a[2])) {
	case "on":
		c.replyMode = replyOn
		c.OK()
	case "off":
		c.replyMode = replyOff
	case "skip":
		if c.replyMode != replyOff {
			c.replyMode = replySkipNext
		}
	default:
		c.Error(msgSyntax)
	}
}

func clientOnOff(set func(c *Client, v bool)) clientHandler {
	return func(c *Client, a [][]byte) {
		switch strings.ToLower(string(a[2])) {
		case "on":
			set(c, true)
		case "off":
			set(c, false)
		default:
			c.Error(msgSyntax)
			return
		}
		c.OK()
	}
}

// sortedClients returns the clients ordered by id, as Redis lists them.
func (s *Server) sortedClients() []*Client {
	out := make([]*Client, 0, len(s.clients))
	for _, c := range s.clients {
		out = append(out, c)
	}
	for i := 1; i < len(out); i++ {
		for j := i; j > 0 && out[j-1].ID > out[j].ID; j-- {
			out[j-1], out[j] = out[j], out[j-1]
		}
	}
	return out
}
