package server

import "github.com/modhost/modhost/commands"

// txState is a client's MULTI state.
type txState struct {
	queue     [][][]byte // queued argv, copied out of the read buffer
	cmds      []*commands.Command
	dirtyExec bool // a queued command was rejected: EXEC answers EXECABORT
}

// watchKey identifies a watched key.
type watchKey struct {
	db  int
	key string
}

func registerTxCommands(s *Server) {
	f := commands.ParseCmdFlags("noscript loading stale fast allow_busy")
	s.Cmds.Add(
		&commands.Command{Name: "multi", Arity: 1, Flags: f, Group: "transactions", Since: "1.2.0", Summary: "Starts a transaction.", ACL: []string{"fast", "transaction"}, Handler: adapt(multiCommand)},
		&commands.Command{Name: "exec", Arity: 1, Flags: commands.ParseCmdFlags("noscript loading stale skip_slowlog"), Group: "transactions", Since: "1.2.0", Summary: "Executes all commands in a transaction.", ACL: []string{"slow", "transaction"}, Handler: adapt(execCommand)},
		&commands.Command{Name: "discard", Arity: 1, Flags: f, Group: "transactions", Since: "2.0.0", Summary: "Discards a transaction.", ACL: []string{"fast", "transaction"}, Handler: adapt(discardCommand)},
		&commands.Command{Name: "watch", Arity: -2, Flags: f, FirstKey: 1, LastKey: -1, KeyStep: 1, Group: "transactions", Since: "2.2.0", Summary: "Monitors changes to keys to determine the execution of a transaction.", ACL: []string{"fast", "transaction"}, Handler: adapt(watchCommand)},
		&commands.Command{Name: "unwatch", Arity: 1, Flags: f, Group: "transactions", Since: "2.2.0", Summary: "Forgets about watched keys of a transaction.", ACL: []string{"fast", "transaction"}, Handler: adapt(unwatchCommand)},
	)
	s.preExec = append(s.preExec, queueInMulti)
}

// queueInMulti queues commands while a client is in MULTI.
func queueInMulti(c *Client, cmd *commands.Command, args [][]byte) bool {
	if c.tx == nil {
		return false
	}
	switch top(cmd).Name {
	case "exec", "discard", "multi", "watch", "quit", "reset":
		return false
	}
	if cmd.Flags&commands.FlagNoMulti != 0 {
		c.srv.reject(c, cmd, "ERR Command not allowed inside a transaction")
		return true
	}
	cp := make([][]byte, len(args))
	for i, a := range args {
		cp[i] = append([]byte(nil), a...)
	}
	c.tx.queue = append(c.tx.queue, cp)
	c.tx.cmds = append(c.tx.cmds, cmd)
	c.W.SimpleString("QUEUED")
	return true
}

func top(cmd *commands.Command) *commands.Command {
	for cmd.Parent != nil {
		cmd = cmd.Parent
	}
	return cmd
}

func multiCommand(c *Client, a [][]byte) {
	if c.tx != nil {
		c.Error("ERR MULTI calls can not be nested")
		return
	}
	c.tx = &txState{}
	c.OK()
}

func discardCommand(c *Client, a [][]byte) {
	if c.tx == nil {
		c.Error("ERR DISCARD without MULTI")
		return
	}
	c.srv.discardTx(c)
	c.OK()
}

// discardTx drops a client's transaction and watched keys.
func (s *Server) discardTx(c *Client) {
	c.tx = nil
	s.unwatchAll(c)
}

func execCommand(c *Client, a [][]byte) {
	s := c.srv
	tx := c.tx
	if tx == nil {
		c.Error("ERR EXEC without MULTI")
		return
	}
	if tx.dirtyExec {
		s.discardTx(c)
		c.Error("EXECABORT Transaction discarded because of previous errors.")
		return
	}
	if c.watchDirty {
		s.discardTx(c)
		c.W.NullArray()
		return
	}
	s.unwatchAll(c)
	c.tx = nil
	c.inExec = true
	s.execDepth++
	c.W.ArrayLen(len(tx.queue))
	for i, args := range tx.queue {
		if s.execACLDenied(c, tx.cmds[i], args) {
			continue
		}
		s.call(c, tx.cmds[i], args)
	}
	s.execDepth--
	c.inExec = false
}

func watchCommand(c *Client, a [][]byte) {
	if c.tx != nil {
		c.Error("ERR WATCH inside MULTI is not allowed")
		return
	}
	s := c.srv
	if c.watched == nil {
		c.watched = map[watchKey]struct{}{}
	}
	for _, k := range a[1:] {
		wk := watchKey{c.DB, string(k)}
		if _, ok := c.watched[wk]; ok {
			continue
		}
		c.watched[wk] = struct{}{}
		if s.watchers == nil {
			s.watchers = map[watchKey][]*Client{}
		}
		s.watchers[wk] = append(s.watchers[wk], c)
	}
	c.OK()
}

func unwatchCommand(c *Client, a [][]byte) {
	c.srv.unwatchAll(c)
	c.OK()
}

// unwatchAll forgets every key c watches and clears its dirty flag.
func (s *Server) unwatchAll(c *Client) {
	for wk := range c.watched {
		s.watchers[wk] = removeClient(s.watchers[wk], c)
		if len(s.watchers[wk]) == 0 {
			delete(s.watchers, wk)
		}
	}
	c.watched = nil
	c.watchDirty = false
}

// touchWatchedKey marks clients watching (db, key) so their EXEC fails.
func (s *Server) touchWatchedKey(db int, key []byte) {
	if len(s.watchers) == 0 {
		return
	}
	for _, c := range s.watchers[watchKey{db, string(key)}] {
		c.watchDirty = true
	}
}

// touchWatchedDB marks every watcher of a database (FLUSHDB, SWAPDB).
func (s *Server) touchWatchedDB(db int) {
	for wk, list := range s.watchers {
		if db < 0 || wk.db == db {
			for _, c := range list {
				c.watchDirty = true
			}
		}
	}
}
