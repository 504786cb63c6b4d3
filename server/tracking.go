package server

import (
	"sort"

	"github.com/modhost/modhost/commands"
	"github.com/modhost/modhost/resp"
)

// Client-side caching (Redis's tracking.c): the tracking table remembers,
// per key name, the ids of the clients that read it in default mode; the
// prefix table holds the BCAST subscriptions. Keys are global across
// databases, as in Redis.

// Tracking mode bits of a client (Redis's CLIENT_TRACKING_* flags).
const (
	trackOn          = 1 << iota // CLIENT_TRACKING
	trackBrokenRedir             // the redirect client went away
	trackBcast
	trackOptin
	trackOptout
	trackCaching // CLIENT CACHING given for the next command
	trackNoloop
)

// trackingChannel is the pub/sub channel of RESP2 redirected invalidations.
const trackingChannel = "__redis__:invalidate"

// clientTracking is one client's tracking state (nil when never enabled).
type clientTracking struct {
	flags    int
	redirect int64               // client id invalidations go to, 0: none
	prefixes map[string]struct{} // BCAST prefixes
}

// bcastState is one prefix of the prefix table: the keys modified since the
// last broadcast (with the client that modified each last, for NOLOOP) and
// the clients subscribed to the prefix.
type bcastState struct {
	keys    map[string]*Client
	clients map[*Client]struct{}
}

// trackingState is the server side of client-side caching.
type trackingState struct {
	table      map[string]map[int64]struct{} // nil until a client first enables tracking
	items      int64                         // ids stored across the table
	prefixes   map[string]*bcastState
	clients    int // clients with tracking on
	maxKeys    int64
	effortMiss int // Redis's timeout_counter in trackingLimitUsedSlots
}

func (c *Client) trackFlags() int {
	if c.trk == nil {
		return 0
	}
	return c.trk.flags
}

// enableTracking turns tracking on for c (enableTracking in Redis); the
// options were checked by the caller.
func (s *Server) enableTracking(c *Client, redirect int64, options int, prefixes [][]byte) {
	t := &s.trk
	if c.trk == nil {
		c.trk = &clientTracking{}
	}
	if c.trk.flags&trackOn == 0 {
		t.clients++
	}
	c.trk.flags |= trackOn
	c.trk.flags &^= trackBrokenRedir | trackBcast | trackOptin | trackOptout | trackNoloop
	c.trk.redirect = redirect
	if t.table == nil {
		t.table = map[string]map[int64]struct{}{}
		t.prefixes = map[string]*bcastState{}
	}
	if options&trackBcast != 0 {
		c.trk.flags |= trackBcast
		if len(prefixes) == 0 {
			s.bcastSubscribe(c, "")
		}
		for _, p := range prefixes {
			s.bcastSubscribe(c, string(p))
		}
	}
	c.trk.flags |= options & (trackOptin | trackOptout | trackNoloop)
}

func (s *Server) bcastSubscribe(c *Client, prefix string) {
	bs := s.trk.prefixes[prefix]
	if bs == nil {
		bs = &bcastState{keys: map[string]*Client{}, clients: map[*Client]struct{}{}}
		s.trk.prefixes[prefix] = bs
	}
	if _, ok := bs.clients[c]; ok {
		return
	}
	bs.clients[c] = struct{}{}
	if c.trk.prefixes == nil {
		c.trk.prefixes = map[string]struct{}{}
	}
	c.trk.prefixes[prefix] = struct{}{}
}

// disableTracking turns tracking off (CLIENT TRACKING OFF, RESET, the
// client going away). The client's ids stay in the table and are dropped
// lazily, as in Redis.
func (s *Server) disableTracking(c *Client) {
	ct := c.trk
	if ct == nil {
		return
	}
	if ct.flags&trackBcast != 0 {
		for p := range ct.prefixes {
			bs := s.trk.prefixes[p]
			if bs == nil {
				continue
			}
			delete(bs.clients, c)
			if len(bs.clients) == 0 {
				delete(s.trk.prefixes, p)
			}
		}
		ct.prefixes = nil
	}
	if ct.flags&trackOn != 0 {
		s.trk.clients--
		ct.flags &^= trackOn | trackBrokenRedir | trackBcast | trackOptin | trackOptout | trackCaching | trackNoloop
	}
}

// trackingAfterCall remembers the keys a read-only command read for the
// client whose command is running (call() in Redis): exec is the client
// running cmd, possibly a script's or module's fake client.
func (s *Server) trackingAfterCall(cmd *commands.Command, args [][]byte) {
	tc := s.current
	if tc == nil || tc.trk == nil || tc.trk.flags&(trackOn|trackBcast) != trackOn {
		return
	}
	if cmd.Flags&commands.FlagReadonly == 0 || cmd.Flags&commands.FlagPubSub != 0 {
		return
	}
	switch cmd.FullName {
	case "eval_ro", "evalsha_ro", "fcall_ro":
		// Only the commands the script runs are tracked.
		return
	}
	f := tc.trk.flags
	caching := f&trackCaching != 0
	if (f&trackOptin != 0 && !caching) || (f&trackOptout != 0 && caching) {
		return
	}
	keys, ok := cmd.Keys(args)
	if !ok {
		return
	}
	for _, k := range keys {
		name := string(args[k.Pos])
		ids := s.trk.table[name]
		if ids == nil {
			ids = map[int64]struct{}{}
			s.trk.table[name] = ids
		}
		if _, have := ids[tc.ID]; !have {
			ids[tc.ID] = struct{}{}
			s.trk.items++
		}
	}
}

// trackingInvalidateKey is called when key changed (signalModifiedKey):
// it queues the key for BCAST clients whose prefix matches (when bcast)
// and sends an invalidation to every client that read it.
func (s *Server) trackingInvalidateKey(key []byte, bcast bool) {
	t := &s.trk
	if t.table == nil {
		return
	}
	if bcast && len(t.prefixes) > 0 {
		for p, bs := range t.prefixes {
			if len(p) <= len(key) && string(key[:len(p)]) == p {
				bs.keys[string(key)] = s.current
			}
		}
	}
	ids, ok := t.table[string(key)]
	if !ok {
		return
	}
	for _, id := range sortedIDs(ids) {
		target := s.clients[id]
		if target == nil || target.trk == nil || target.trk.flags&trackOn == 0 || target.trk.flags&trackBcast != 0 {
			continue
		}
		if target.trk.flags&trackNoloop != 0 && target == s.current {
			continue
		}
		s.sendTracking(target, func(w *resp.Writer) {
			w.ArrayLen(1)
			w.Bulk(key)
		})
	}
	t.items -= int64(len(ids))
	delete(t.table, string(key))
}

// sortedIDs orders a tracking table entry (Redis's rax keeps ids ordered).
func sortedIDs(ids map[int64]struct{}) []int64 {
	out := make([]int64, 0, len(ids))
	for id := range ids {
		out = append(out, id)
	}
	sort.Slice(out, func(i, j int) bool { return out[i] < out[j] })
	return out
}

// sendTracking sends one invalidation whose payload value writes: a push
// in RESP3 (to c or to its redirect client), a message on
// __redis__:invalidate to a RESP2 redirect client in pub/sub mode, nothing
// otherwise. A missing redirect client marks c's redirect broken and tells
// c so when it speaks RESP3. Output for the client whose command runs
// follows its reply, as Redis's pending invalidations do.
func (s *Server) sendTracking(c *Client, value func(w *resp.Writer)) {
	redirected := false
	if id := c.trk.redirect; id != 0 {
		r := s.clients[id]
		if r == nil {
			c.trk.flags |= trackBrokenRedir
			if c.W.Proto > 2 {
				w := s.pushTarget(c)
				w.PushLen(2)
				w.BulkString("tracking-redir-broken")
				w.Int(id)
				s.pushDone(c)
			}
			return
		}
		c = r
		redirected = true
	}
	w := s.pushTarget(c)
	switch {
	case c.W.Proto > 2:
		w.PushLen(2)
		w.BulkString("invalidate")
	case redirected && c.isSubscriber():
		w.PushLen(3)
		w.BulkString("message")
		w.BulkString(trackingChannel)
	default:
		return
	}
	value(w)
	s.pushDone(c)
}

// trackingFlush tells every tracking client that all keys are invalid (a
// null value) after FLUSHALL/FLUSHDB, and empties the table.
func (s *Server) trackingFlush() {
	t := &s.trk
	if t.clients > 0 {
		for _, c := range s.sortedClients() {
			if c.trk != nil && c.trk.flags&trackOn != 0 {
				s.sendTracking(c, func(w *resp.Writer) { w.NullBulk() })
			}
		}
	}
	if t.table != nil {
		t.table = map[string]map[int64]struct{}{}
		t.items = 0
	}
}

// trackingLimit evicts keys from the table while it holds more than
// tracking-table-max-keys, sending their invalidations (Redis's
// trackingLimitUsedSlots: the effort grows while the limit is not met).
func (s *Server) trackingLimit() {
	t := &s.trk
	if t.table == nil || t.maxKeys == 0 || t.clients == 0 {
		return
	}
	if int64(len(t.table)) <= t.maxKeys {
		t.effortMiss = 0
		return
	}
	effort := 100 * (t.effortMiss + 1)
	for name := range t.table { // map order: a random walk
		if effort == 0 {
			break
		}
		effort--
		s.trackingInvalidateKey([]byte(name), false)
		if int64(len(t.table)) <= t.maxKeys {
			t.effortMiss = 0
			return
		}
	}
	t.effortMiss++
}

// trackingBroadcast sends BCAST clients the keys modified under their
// prefixes since the last call (Redis does it in beforeSleep; modhost after
// each batch of commands and in the cron).
func (s *Server) trackingBroadcast() {
	t := &s.trk
	if t.table == nil || t.clients == 0 {
		return
	}
	for _, p := range sortedPrefixes(t.prefixes) {
		bs := t.prefixes[p]
		if len(bs.keys) == 0 {
			continue
		}
		names := make([]string, 0, len(bs.keys))
		for k := range bs.keys {
			names = append(names, k)
		}
		sort.Strings(names)
		for _, c := range sortedClientSet(bs.clients) {
			var send []string
			if c.trk.flags&trackNoloop != 0 {
				for _, k := range names {
					if bs.keys[k] != c {
						send = append(send, k)
					}
				}
				if len(send) == 0 {
					continue
				}
			} else {
				send = names
			}
			s.sendTracking(c, func(w *resp.Writer) {
				w.ArrayLen(len(send))
				for _, k := range send {
					w.BulkString(k)
				}
			})
		}
		bs.keys = map[string]*Client{}
	}
}

func sortedPrefixes(m map[string]*bcastState) []string {
	out := make([]string, 0, len(m))
	for p := range m {
		out = append(out, p)
	}
	sort.Strings(out)
	return out
}

func sortedClientSet(m map[*Client]struct{}) []*Client {
	out := make([]*Client, 0, len(m))
	for c := range m {
		out = append(out, c)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out
}

// trackingInfoLines are INFO stats' tracking_total_* fields.
func (s *Server) trackingTotals() (keys, items, prefixes int) {
	return len(s.trk.table), int(s.trk.items), len(s.trk.prefixes)
}
