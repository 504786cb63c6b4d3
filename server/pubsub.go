package server

import (
	"sort"
	"strconv"
	"strings"

	"github.com/modhost/modhost/commands"
	"github.com/modhost/modhost/keyspace"
	"github.com/modhost/modhost/resp"
)

// pubsubState is a client's subscriptions.
type pubsubState struct {
	channels map[string]struct{}
	patterns map[string]struct{}
	shard    map[string]struct{} // shard channels (pubsub_shard.go)
}

// pubsubServer holds the subscription tables (server lock).
type pubsubServer struct {
	channels map[string][]*Client // subscribers in subscription order
	patterns map[string][]*Client
	patOrder []string // patterns in first-subscription order
	shard    map[string][]*Client
}

// isSubscriber reports whether the client has any subscription (RESP2
// clients are then restricted to the subscribe commands).
func (c *Client) isSubscriber() bool {
	return c.ps != nil && len(c.ps.channels)+len(c.ps.patterns)+len(c.ps.shard) > 0
}

// subCounts returns the number of channel and pattern subscriptions.
func (c *Client) subCounts() (int, int) {
	if c.ps == nil {
		return 0, 0
	}
	return len(c.ps.channels), len(c.ps.patterns)
}

func (c *Client) subTotal() int {
	a, b := c.subCounts()
	return a + b
}

func registerPubSubCommands(s *Server) {
	f := commands.ParseCmdFlags("pubsub noscript loading stale")
	s.Cmds.Add(
		&commands.Command{Name: "subscribe", Arity: -2, Flags: f, Group: "pubsub", Since: "2.0.0", Summary: "Listens for messages published to channels.", ACL: []string{"pubsub", "slow"}, Handler: adapt(subscribeCommand)},
		&commands.Command{Name: "unsubscribe", Arity: -1, Flags: f, Group: "pubsub", Since: "2.0.0", Summary: "Stops listening to messages posted to channels.", ACL: []string{"pubsub", "slow"}, Handler: adapt(unsubscribeCommand)},
		&commands.Command{Name: "psubscribe", Arity: -2, Flags: f, Group: "pubsub", Since: "2.0.0", Summary: "Listens for messages published to channels that match one or more patterns.", ACL: []string{"pubsub", "slow"}, Handler: adapt(psubscribeCommand)},
		&commands.Command{Name: "punsubscribe", Arity: -1, Flags: f, Group: "pubsub", Since: "2.0.0", Summary: "Stops listening to messages published to channels that match one or more patterns.", ACL: []string{"pubsub", "slow"}, Handler: adapt(punsubscribeCommand)},
		&commands.Command{Name: "publish", Arity: 3, Flags: commands.ParseCmdFlags("pubsub loading stale fast may_replicate"), Group: "pubsub", Since: "2.0.0", Summary: "Posts a message to a channel.", ACL: []string{"pubsub", "fast"}, Handler: adapt(publishCommand)},
	)
	// The subscriber-context check runs before every other hook (MULTI
	// queueing included), as in Redis's processCommand.
	s.preExec = append([]preExecHook{rejectInSubscriberContext}, s.preExec...)
	ps := &commands.Command{Name: "pubsub", Arity: -2, Group: "pubsub", Since: "2.8.0", Summary: "A container for Pub/Sub commands.", Handler: adapt(func(*Client, [][]byte) {})}
	rf := commands.ParseCmdFlags("pubsub loading stale")
	ps.AddSub(&commands.Command{Name: "channels", Arity: -2, Flags: rf, Handler: adapt(pubsubChannels)})
	ps.AddSub(&commands.Command{Name: "numsub", Arity: -2, Flags: rf, Handler: adapt(pubsubNumsub)})
	ps.AddSub(&commands.Command{Name: "numpat", Arity: 2, Flags: rf, Handler: adapt(func(c *Client, a [][]byte) { c.W.Int(int64(len(c.srv.ps.patterns))) })})
	registerShardPubSubCommands(s, ps)
	ps.AddSub(&commands.Command{Name: "help", Arity: 2, Flags: commands.ParseCmdFlags("loading stale"), Handler: adapt(func(c *Client, a [][]byte) {
		c.replyHelp([]string{"PUBSUB <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
			"CHANNELS [<pattern>]", "    Return the currently active channels matching a <pattern> (default: '*').",
			"NUMPAT", "    Return number of subscriptions to patterns.",
			"NUMSUB [<channel> ...]", "    Return the number of subscribers for the specified channels, excluding",
			"    pattern subscriptions(default: no channels).",
			"SHARDCHANNELS [<pattern>]", "    Return the currently active shard level channels matching a <pattern> (default: '*').",
			"SHARDNUMSUB [<shardchannel> ...]", "    Return the number of subscribers for the specified shard level channel(s)"})
	})})
	s.Cmds.Add(ps)
}

// rejectInSubscriberContext refuses, for a RESP2 client with
// subscriptions, every command but the (un)subscribe family, PING, QUIT
// and RESET.
func rejectInSubscriberContext(c *Client, cmd *commands.Command, args [][]byte) bool {
	if c.W.Proto != 2 || !c.isSubscriber() {
		return false
	}
	switch top(cmd).Name {
	case "ping", "subscribe", "ssubscribe", "unsubscribe", "sunsubscribe",
		"psubscribe", "punsubscribe", "quit", "reset":
		return false
	}
	c.srv.reject(c, cmd, "ERR Can't execute '"+cmd.FullName+"': only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / PING / QUIT / RESET are allowed in this context")
	return true
}

// writeSubReply writes one (un)subscribe confirmation as a push (RESP3) or
// array (RESP2).
func writeSubReply(c *Client, kind string, name []byte, count int) {
	c.W.PushLen(3)
	c.W.BulkString(kind)
	if name == nil {
		c.W.NullBulk()
	} else {
		c.W.Bulk(name)
	}
	c.W.Int(int64(count))
}

func (c *Client) pubsub() *pubsubState {
	if c.ps == nil {
		c.ps = &pubsubState{channels: map[string]struct{}{}, patterns: map[string]struct{}{}, shard: map[string]struct{}{}}
	}
	return c.ps
}

func subscribeCommand(c *Client, a [][]byte) {
	if c.conn == nil && !c.inExec {
		c.Error("ERR SUBSCRIBE isn't allowed for a DENY BLOCKING client")
		return
	}
	s := c.srv
	st := c.pubsub()
	for _, ch := range a[1:] {
		name := string(ch)
		if _, ok := st.channels[name]; !ok {
			st.channels[name] = struct{}{}
			s.ps.channels[name] = append(s.ps.channels[name], c)
		}
		writeSubReply(c, "subscribe", ch, c.subTotal())
	}
}

func psubscribeCommand(c *Client, a [][]byte) {
	if c.conn == nil && !c.inExec {
		c.Error("ERR PSUBSCRIBE isn't allowed for a DENY BLOCKING client")
		return
	}
	s := c.srv
	st := c.pubsub()
	for _, p := range a[1:] {
		name := string(p)
		if _, ok := st.patterns[name]; !ok {
			st.patterns[name] = struct{}{}
			if len(s.ps.patterns[name]) == 0 {
				s.ps.patOrder = append(s.ps.patOrder, name)
			}
			s.ps.patterns[name] = append(s.ps.patterns[name], c)
		}
		writeSubReply(c, "psubscribe", p, c.subTotal())
	}
}

func unsubscribeCommand(c *Client, a [][]byte) {
	c.srv.unsubscribe(c, a[1:], false, true)
}

func punsubscribeCommand(c *Client, a [][]byte) {
	c.srv.unsubscribe(c, a[1:], true, true)
}

// unsubscribe removes channel (or pattern) subscriptions; no names means all.
func (s *Server) unsubscribe(c *Client, names [][]byte, pattern, reply bool) {
	kind := "unsubscribe"
	table := s.ps.channels
	if pattern {
		kind = "punsubscribe"
		table = s.ps.patterns
	}
	var mine map[string]struct{}
	if c.ps != nil {
		mine = c.ps.channels
		if pattern {
			mine = c.ps.patterns
		}
	}
	if len(names) == 0 {
		// A fresh slice: names may alias the caller's argv array, which
		// must not be written.
		names = nil
		for _, n := range sortedKeys(mine) {
			names = append(names, []byte(n))
		}
		if len(names) == 0 && reply {
			writeSubReply(c, kind, nil, c.subTotal())
			return
		}
	}
	for _, n := range names {
		name := string(n)
		if _, ok := mine[name]; ok {
			delete(mine, name)
			table[name] = removeClient(table[name], c)
			if len(table[name]) == 0 {
				delete(table, name)
				if pattern {
					s.ps.patOrder = removeString(s.ps.patOrder, name)
				}
			}
		}
		if reply {
			writeSubReply(c, kind, n, c.subTotal())
		}
	}
}

// unsubscribeAllLocked drops every subscription of c without replies.
func (s *Server) unsubscribeAllLocked(c *Client) {
	if c.ps == nil {
		return
	}
	s.unsubscribe(c, nil, false, false)
	s.unsubscribe(c, nil, true, false)
	s.sunsubscribe(c, nil, false)
	c.ps = nil
}

func publishCommand(c *Client, a [][]byte) {
	c.W.Int(int64(c.srv.Publish(a[1], a[2])))
}

// Publish delivers a message to channel subscribers then to matching
// pattern subscribers, and returns the number of receivers.
func (s *Server) Publish(channel, msg []byte) int {
	n := 0
	for _, cl := range s.ps.channels[string(channel)] {
		w := s.pushTarget(cl)
		w.PushLen(3)
		w.BulkString("message")
		w.Bulk(channel)
		w.Bulk(msg)
		s.pushDone(cl)
		n++
	}
	for _, pat := range s.ps.patOrder {
		if !keyspace.GlobMatch([]byte(pat), channel, false) {
			continue
		}
		for _, cl := range s.ps.patterns[pat] {
			w := s.pushTarget(cl)
			w.PushLen(4)
			w.BulkString("pmessage")
			w.BulkString(pat)
			w.Bulk(channel)
			w.Bulk(msg)
			s.pushDone(cl)
			n++
		}
	}
	return n
}

func pubsubChannels(c *Client, a [][]byte) {
	if len(a) > 3 {
		c.Error(pubsubSyntaxError(a[1]))
		return
	}
	var out []string
	for name := range c.srv.ps.channels {
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

// pubsubSyntaxError is Redis's addReplySubcommandSyntaxError text for PUBSUB.
func pubsubSyntaxError(sub []byte) string {
	return "ERR unknown subcommand or wrong number of arguments for '" + string(clip(sub, 128)) + "'. Try PUBSUB HELP."
}

func pubsubNumsub(c *Client, a [][]byte) {
	c.W.ArrayLen(2 * (len(a) - 2))
	for _, ch := range a[2:] {
		c.W.Bulk(ch)
		c.W.Int(int64(len(c.srv.ps.channels[string(ch)])))
	}
}

func (s *Server) pubsubChannelCount() int { return len(s.ps.channels) }
func (s *Server) pubsubPatternCount() int { return len(s.ps.patterns) }

func removeClient(list []*Client, c *Client) []*Client {
	for i, x := range list {
		if x == c {
			return append(list[:i], list[i+1:]...)
		}
	}
	return list
}

func removeString(list []string, s string) []string {
	for i, x := range list {
		if x == s {
			return append(list[:i], list[i+1:]...)
		}
	}
	return list
}

func sortedKeys(m map[string]struct{}) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// pushTarget returns the writer for asynchronous output to cl. Output for
// the client whose command is running is held until its reply is complete,
// as Redis defers push messages to the current client.
func (s *Server) pushTarget(cl *Client) *resp.Writer {
	if cl == s.current {
		cl.pending.Proto = cl.W.Proto
		return &cl.pending
	}
	return &cl.W
}

// pushDone schedules delivery of output written through pushTarget.
func (s *Server) pushDone(cl *Client) {
	if cl != s.current {
		cl.Push()
	}
}

// notifyKeyspaceEvent publishes a keyspace notification as Redis does,
// honouring notify-keyspace-events.
func (s *Server) notifyKeyspaceEvent(class keyspace.NotifyClass, event string, key []byte, db int) {
	flags := s.notifyFlags
	if flags&int(class) == 0 {
		return
	}
	dbs := strconv.Itoa(db)
	if flags&int(keyspace.NotifyKeyspace) != 0 {
		ch := make([]byte, 0, 16+len(key))
		ch = append(ch, "__keyspace@"+dbs+"__:"...)
		ch = append(ch, key...)
		s.Publish(ch, []byte(event))
	}
	if flags&int(keyspace.NotifyKeyevent) != 0 {
		s.Publish([]byte("__keyevent@"+dbs+"__:"+strings.ToLower(event)), key)
	}
}
