package server

import (
	"runtime/metrics"
	"strings"

	"github.com/modhost/modhost/commands"
	"github.com/modhost/modhost/keyspace/rdb"
)

func registerPersistCommands(s *Server, p *RDB) {
	s.Cmds.Add(
		&commands.Command{Name: "save", Arity: 1, Flags: commands.ParseCmdFlags("admin noscript no_async_loading no_multi"), Group: "server", Since: "1.0.0", Summary: "Synchronously saves the database(s) to disk.", ACL: []string{"admin", "slow", "dangerous"}, Handler: adapt(p.saveCommand)},
		&commands.Command{Name: "bgsave", Arity: -1, Flags: commands.ParseCmdFlags("admin noscript no_async_loading"), Group: "server", Since: "1.0.0", Summary: "Asynchronously saves the database(s) to disk.", ACL: []string{"admin", "slow", "dangerous"}, Handler: adapt(p.bgsaveCommand)},
		&commands.Command{Name: "lastsave", Arity: 1, Flags: commands.ParseCmdFlags("loading stale fast"), Group: "server", Since: "1.0.0", Summary: "Returns the Unix timestamp of the last successful save to disk.", ACL: []string{"admin", "fast", "dangerous"}, Handler: adapt(p.lastsaveCommand)},
	)
	s.RegisterDebug("reload", p.debugReload)
	s.RegisterDebug("digest", func(c *Client, a [][]byte) {
		if len(a) != 2 {
			c.Error("ERR unknown subcommand or wrong number of arguments for 'digest'. Try DEBUG HELP.")
			return
		}
		c.W.SimpleString(keyspaceDigest(c.srv.Keys))
	})
	s.RegisterDebug("digest-value", func(c *Client, a [][]byte) {
		c.W.ArrayLen(len(a) - 2)
		for _, k := range a[2:] {
			var d rdb.Digest
			if v := c.srv.Keys.Peek(c.DB, k); v != nil {
				exp, _ := c.srv.Keys.GetExpire(c.DB, k)
				d = rdb.KeyValueDigest(v, k, c.DB, exp != 0)
			}
			c.W.SimpleString(d.String())
		}
	})
}

func (p *RDB) saveCommand(c *Client, a [][]byte) {
	if p.bg != nil {
		c.Error("ERR Background save already in progress")
		return
	}
	if err := p.SaveLocked(); err != nil {
		c.Error("ERR")
		return
	}
	c.OK()
}

func (p *RDB) bgsaveCommand(c *Client, a [][]byte) {
	if len(a) > 2 || (len(a) == 2 && !strings.EqualFold(string(a[1]), "schedule")) {
		c.Error(msgSyntax)
		return
	}
	if p.bg != nil {
		c.Error("ERR Background save already in progress")
		return
	}
	if err := p.BackgroundLocked(); err != nil {
		c.Error("ERR")
		return
	}
	c.W.SimpleString("Background saving started")
}

func (p *RDB) lastsaveCommand(c *Client, a [][]byte) { c.W.Int(p.lastSave.Unix()) }

// debugReload is DEBUG RELOAD [NOSAVE]: save, flush and load again.
func (p *RDB) debugReload(c *Client, a [][]byte) {
	save := true
	for _, o := range a[2:] {
		switch strings.ToLower(string(o)) {
		case "nosave":
			save = false
		case "noflush", "merge":
		default:
			c.Error("ERR DEBUG RELOAD only supports the MERGE, NOFLUSH and NOSAVE options.")
			return
		}
	}
	if save {
		if err := p.ReloadLocked(); err != nil {
			c.Error("ERR Error trying to load the RDB dump, check server logs.")
			return
		}
	} else {
		p.killBackgroundLocked()
		c.srv.touchWatchedDB(-1)
		c.srv.trackingFlush()

		c.srv.signalFlushedKeys(-1)
		c.srv.Keys.FlushAll()
		if _, err := p.loadFile(); err != nil {
			c.Error("ERR Error trying to load the RDB dump, check server logs.")
			return
		}
		c.srv.Keys.Dirty = 0
	}
	c.OK()
}

// heapInUse reads the live heap size without stopping the world.
func heapInUse() uint64 {
	s := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
	metrics.Read(s)
	if s[0].Value.Kind() == metrics.KindUint64 {
		return s[0].Value.Uint64()
	}
	return 0
}
