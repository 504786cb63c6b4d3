package server

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/modhost/modhost/commands"
)

func registerServerCommands(s *Server) {
	s.Cmds.Add(
		&commands.Command{Name: "time", Arity: 1, Flags: commands.ParseCmdFlags("loading stale fast"), Group: "server", Since: "2.6.0", Summary: "Returns the server time.", ACL: []string{"fast"}, Handler: adapt(timeCommand)},
		&commands.Command{Name: "dbsize", Arity: 1, Flags: commands.ParseCmdFlags("readonly fast"), Group: "server", Since: "1.0.0", Summary: "Returns the number of keys in the database.", ACL: []string{"keyspace", "read", "fast"}, Handler: adapt(dbsizeCommand)},
		&commands.Command{Name: "flushdb", Arity: -1, Flags: commands.ParseCmdFlags("write"), Group: "server", Since: "1.0.0", Summary: "Remove all keys from the current database.", ACL: []string{"keyspace", "write", "slow", "dangerous"}, Handler: adapt(flushCommand(false))},
		&commands.Command{Name: "flushall", Arity: -1, Flags: commands.ParseCmdFlags("write"), Group: "server", Since: "1.0.0", Summary: "Removes all keys from all databases.", ACL: []string{"keyspace", "write", "slow", "dangerous"}, Handler: adapt(flushCommand(true))},
		&commands.Command{Name: "shutdown", Arity: -1, Flags: commands.ParseCmdFlags("admin noscript loading stale no_multi allow_busy"), Group: "server", Since: "1.0.0", Summary: "Synchronously saves the database(s) to disk and shuts down the Redis server.", ACL: []string{"admin", "slow", "dangerous"}, Handler: adapt(shutdownCommand)},
		&commands.Command{Name: "monitor", Arity: 1, Flags: commands.ParseCmdFlags("admin noscript loading stale"), Group: "server", Since: "1.0.0", Summary: "Listens for all requests received by the server in real-time.", ACL: []string{"admin", "slow", "dangerous"}, Handler: adapt(monitorCommand)},
	)
	lat := &commands.Command{Name: "latency", Arity: -2, Group: "server", Since: "2.8.13", Summary: "A container for latency diagnostics commands.", Handler: adapt(func(*Client, [][]byte) {})}
	adm := commands.ParseCmdFlags("admin noscript loading stale")
	lat.AddSub(&commands.Command{Name: "latest", Arity: 2, Flags: adm, Handler: adapt(func(c *Client, a [][]byte) { c.W.ArrayLen(0) })})
	lat.AddSub(&commands.Command{Name: "history", Arity: 3, Flags: adm, Handler: adapt(func(c *Client, a [][]byte) { c.W.ArrayLen(0) })})
	lat.AddSub(&commands.Command{Name: "reset", Arity: -2, Flags: adm, Handler: adapt(func(c *Client, a [][]byte) { c.W.Int(0) })})
	lat.AddSub(&commands.Command{Name: "doctor", Arity: 2, Flags: adm, Handler: adapt(func(c *Client, a [][]byte) {
		c.W.Verbatim("txt", []byte("Dave, no latency spike was observed during the lifetime of this Redis instance, not in the slightest bit. I honestly think you ought to sleep better.\n"))
	})})
	lat.AddSub(&commands.Command{Name: "graph", Arity: 3, Flags: adm, Handler: adapt(func(c *Client, a [][]byte) {
		c.Error(fmt.Sprintf("ERR No samples available for event '%s'", a[2]))
	})})
	lat.AddSub(&commands.Command{Name: "histogram", Arity: -2, Flags: commands.ParseCmdFlags("admin noscript loading stale"), Handler: adapt(func(c *Client, a [][]byte) { c.W.MapLen(0) })})
	lat.AddSub(&commands.Command{Name: "help", Arity: 2, Flags: commands.ParseCmdFlags("loading stale"), Handler: adapt(func(c *Client, a [][]byte) {
		c.replyHelp([]string{"LATENCY <subcommand> [<arg> [value] [opt] ...]. Subcommands are:", "DOCTOR", "    Return a human readable latency analysis report.", "GRAPH <event>", "    Return an ASCII latency graph for the <event> class.", "HISTORY <event>", "    Return time-latency samples for the <event> class.", "LATEST", "    Return the latest latency samples for all events.", "RESET [<event> ...]", "    Reset latency data of one or more <event> classes.", "    (default: reset all data for all event classes)", "HISTOGRAM [COMMAND ...]", "    Return a cumulative distribution of latencies in the format of a histogram for the specified command names.", "    If no commands are specified then all histograms are replied."})
	})})
	s.Cmds.Add(lat)
}

func timeCommand(c *Client, a [][]byte) {
	now := time.Now()
	c.W.ArrayLen(2)
	c.W.BulkString(strconv.FormatInt(now.Unix(), 10))
	c.W.BulkString(strconv.FormatInt(int64(now.Nanosecond()/1000), 10))
}

func dbsizeCommand(c *Client, a [][]byte) {
	c.W.Int(int64(c.srv.Keys.Size(c.DB)))
}

func flushCommand(all bool) clientHandler {
	return func(c *Client, a [][]byte) {
		if len(a) > 2 || (len(a) == 2 && !strings.EqualFold(string(a[1]), "sync") && !strings.EqualFold(string(a[1]), "async")) {
			c.Error(msgSyntax)
			return
		}
		c.srv.Flush(c, all)
		if c.srv.Persist != nil && all {
			c.srv.Persist.FlushedAll()
		}
		c.OK()
	}
}

// Persistence is what SHUTDOWN and FLUSHALL need from the RDB layer; nil
// until a persistence implementation is installed.
type Persistence interface {
	// SaveForShutdown writes the dataset before the process exits.
	SaveForShutdown() error
	// FlushedAll tells persistence that FLUSHALL emptied the dataset.
	FlushedAll()
	// InfoLines returns the INFO persistence section lines.
	InfoLines() []string
}

func monitorCommand(c *Client, a [][]byte) {
	if c.denyBlocking() {
		// Such a client expects one reply per command (EXEC, RedisModule_Call).
		c.Error("ERR MONITOR isn't allowed for DENY BLOCKING client")
		return
	}
	if c.monitor {
		return
	}
	c.monitor = true
	c.srv.monitors[c.ID] = c
	c.OK()
}

// feedMonitors sends one executed command to every MONITOR client, in
// Redis's format: +<unix.micro> [<db> <addr>] "arg" "arg"...
func (s *Server) feedMonitors(c *Client, args [][]byte) {
	now := time.Now()
	var sb strings.Builder
	fmt.Fprintf(&sb, "%d.%06d [%d %s]", now.Unix(), now.Nanosecond()/1000, c.DB, c.Addr)
	for _, a := range args {
		sb.WriteByte(' ')
		sb.WriteString(quoteRepr(a))
	}
	line := sb.String()
	for _, m := range s.monitors {
		if m == c {
			continue
		}
		m.W.SimpleString(line)
		m.Push()
	}
}
