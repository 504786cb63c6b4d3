package server

// Shard channels (SSUBSCRIBE, SUNSUBSCRIBE, SPUBLISH, PUBSUB SHARDCHANNELS
// and SHARDNUMSUB) as Redis has them without cluster mode: a namespace of
// channels separate from the classic ones, without patterns. A client's
// shard subscriptions make it a subscriber (RESP2 subscriber context) but
// are not counted in the replies of the classic (un)subscribe commands.

import (
	"sort"

	"github.com/modhost/modhost/commands"
	"github.com/modhost/modhost/keyspace"
)

func registerShardPubSubCommands(s *Server, container *commands.Command) {
	f := commands.ParseCmdFlags("pubsub noscript loading stale")
	s.Cmds.Add(
		&commands.Command{Name: "ssubscribe", Arity: -2, Flags: f, FirstKey: 1, LastKey: -1, KeyStep: 1, Group: "pubsub", Since: "7.0.0", Summary: "Listens for messages published to shard channels.", ACL: []string{"pubsub", "slow"}, Handler: adapt(ssubscribeCommand)},
		&commands.Command{Name: "sunsubscribe", Arity: -1, Flags: f, FirstKey: 1, LastKey: -1, KeyStep: 1, Group: "pubsub", Since: "7.0.0", Summary: "Stops listening to messages posted to shard channels.", ACL: []string{"pubsub", "slow"}, Handler: adapt(sunsubscribeCommand)},
		&commands.Command{Name: "spublish", Arity: 3, FirstKey: 1, LastKey: 1, KeyStep: 1, Flags: commands.ParseCmdFlags("pubsub loading stale fast may_replicate"), Group: "pubsub", Since: "7.0.0", Summary: "Post a message to a shard channel", ACL: []string{"pubsub", "fast"}, Handler: adapt(spublishCommand)},
	)
	rf := commands.ParseCmdFlags("pubsub loading stale")
	container.AddSub(&commands.Command{Name: "shardchannels", Arity: -2, Flags: rf, Handler: adapt(pubsubShardChannels)})
	container.AddSub(&commands.Command{Name: "shardnumsub", Arity: -2, Flags: rf, Handler: adapt(pubsubShardNumsub)})
}

// shardCount is the number of the client's shard channel subscriptions.
func (c *Client) shardCount() int {
	if c.ps == nil {
		return 0
	}
	return len(c.ps.shard)
}

func ssubscribeCommand(c *Client, a [][]byte) {
	if c.conn == nil || c.inExec {
		// Redis refuses it to every client that cannot block, EXEC included.
		c.Error("ERR SSUBSCRIBE isn't allowed for a DENY BLOCKING client")
		return
	}
	s := c.srv
	st := c.pubsub()
	for _, ch := range a[1:] {
		name := string(ch)
		if _, ok := st.shard[name]; !ok {
			st.shard[name] = struct{}{}
			s.ps.shard[name] = append(s.ps.shard[name], c)
		}
		writeSubReply(c, "ssubscribe", ch, len(st.shard))
	}
}

func sunsubscribeCommand(c *Client, a [][]byte) {
	c.srv.sunsubscribe(c, a[1:], true)
}

// sunsubscribe removes shard channel subscriptions; no names means all.
func (s *Server) sunsubscribe(c *Client, names [][]byte, reply bool) {
	var mine map[string]struct{}
	if c.ps != nil {
		mine = c.ps.shard
	}
	if len(names) == 0 {
		names = nil // a fresh slice: names may alias the caller's argv
		for _, n := range sortedKeys(mine) {
			names = append(names, []byte(n))
		}
		if len(names) == 0 && reply {
			writeSubReply(c, "sunsubscribe", nil, 0)
			return
		}
	}
	for _, n := range names {
		name := string(n)
		if _, ok := mine[name]; ok {
			delete(mine, name)
			s.ps.shard[name] = removeClient(s.ps.shard[name], c)
			if len(s.ps.shard[name]) == 0 {
				delete(s.ps.shard, name)
			}
		}
		if reply {
			writeSubReply(c, "sunsubscribe", n, c.shardCount())
		}
	}
}

func spublishCommand(c *Client, a [][]byte) {
	c.W.Int(int64(c.srv.PublishShard(a[1], a[2])))
}

// PublishShard delivers a message to the subscribers of a shard channel
// (SPUBLISH, RedisModule_PublishMessageShard) and returns their number.
func (s *Server) PublishShard(channel, msg []byte) int {
	n := 0
	for _, cl := range s.ps.shard[string(channel)] {
		w := s.pushTarget(cl)
		w.PushLen(3)
		w.BulkString("smessage")
		w.Bulk(channel)
		w.Bulk(msg)
		s.pushDone(cl)
		n++
	}
	return n
}

func pubsubShardChannels(c *Client, a [][]byte) {
	if len(a) > 3 {
		c.Error(pubsubSyntaxError(a[1]))
		return
	}
	var out []string
	for name := range c.srv.ps.shard {
		if len(a) == 2 || keyspace.GlobMatch(a[2], []byte(name), false) {
			out = append(out, name)
		}
	}
	sort.Strings(out)
	c.W.ArrayLen(len(out))
	for _, n := range out {
		c.W.BulkString(n)
	}
}

func pubsubShardNumsub(c *Client, a [][]byte) {
	c.W.ArrayLen(2 * (len(a) - 2))
	for _, ch := range a[2:] {
		c.W.Bulk(ch)
		c.W.Int(int64(len(c.srv.ps.shard[string(ch)])))
	}
}
