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
	registerLatencyCommands(s)
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
