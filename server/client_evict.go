package server

// Client eviction (maxmemory-clients), as Redis 7 does it: the memory of
// all normal and pub/sub clients (query buffer, arguments, MULTI queue,
// output buffers, the client itself) is kept as a running total; when it
// reaches the limit, the largest evictable clients are closed until it is
// below again. A client with CLIENT NO-EVICT on, and replicas, are never
// evicted. The total is refreshed for the running client after its
// commands and after what it reads, for a client receiving a push, and for
// every client from the cron.

import (
	"sort"
)

// minClientEvictLimit is Redis's floor on maxmemory-clients (128 KB), so a
// bad setting cannot lock every client out.
const minClientEvictLimit = 128 << 10

// clientEvictLimit is maxmemory-clients in bytes: a byte count, or a
// percentage of maxmemory (none while maxmemory is 0), never under 128 KB;
// 0 turns eviction off.
func (s *Server) clientEvictLimit() int64 {
	v := s.Config.Int("maxmemory-clients") // a percentage is negated
	var limit int64
	switch {
	case v < 0 && s.hot.maxmemory > 0:
		limit = int64(float64(s.hot.maxmemory) * float64(-v) / 100)
	case v > 0:
		limit = v
	default:
		return 0
	}
	if limit < minClientEvictLimit {
		limit = minClientEvictLimit
	}
	return limit
}

// countsTowardsClientMemory: normal and pub/sub clients make up the total
// maxmemory-clients limits (replicas and the master link do not).
func (c *Client) countsTowardsClientMemory() bool {
	if c.killed {
		return false
	}
	t := c.typeName()
	return t == "normal" || t == "pubsub"
}

// updateClientMemLocked measures c again and moves the running total.
func (s *Server) updateClientMemLocked(c *Client) {
	var m int64
	if c.countsTowardsClientMemory() {
		m = c.memUsage().total
	}
	s.clientMemTotal += m - c.memCounted
	c.memCounted = m
}

// forgetClientMemLocked takes a client that goes away out of the total.
func (s *Server) forgetClientMemLocked(c *Client) {
	s.clientMemTotal -= c.memCounted
	c.memCounted = 0
}

// evictClientsLocked closes the largest evictable clients while the total
// is at or over maxmemory-clients, logging each as Redis does.
func (s *Server) evictClientsLocked() {
	limit := s.hot.clientEvict
	if limit == 0 || s.clientMemTotal < limit {
		return
	}
	var cands []*Client
	for _, c := range s.clients {
		if !c.noEvict && c.memCounted > 0 && c.countsTowardsClientMemory() {
			cands = append(cands, c)
		}
	}
	sort.Slice(cands, func(i, j int) bool {
		if cands[i].memCounted != cands[j].memCounted {
			return cands[i].memCounted > cands[j].memCounted
		}
		return cands[i].ID < cands[j].ID
	})
	for _, c := range cands {
		if s.clientMemTotal < limit {
			return
		}
		s.Log.Noticef("Evicting client: %s", c.infoString())
		s.stats.evictedClients++
		s.forgetClientMemLocked(c)
		c.dropOutput = true
		if c != s.current && c.W.Pending() == 0 {
			c.W.Buf = nil
			c.pending.Buf = nil
		}
		c.Kill()
	}
	if s.clientMemTotal >= limit {
		s.Log.Warningf("Over client maxmemory after evicting all evictable clients")
	}
}

// clientEvictCronLocked measures every client again and evicts.
func (s *Server) clientEvictCronLocked() {
	if s.hot.clientEvict == 0 {
		return
	}
	for _, c := range s.clients {
		s.updateClientMemLocked(c)
	}
	s.evictClientsLocked()
}

// afterClientActivityLocked measures c again and evicts; the connection
// loop calls it after a batch and after a read that left a partial
// command in a grown query buffer.
func (s *Server) afterClientActivityLocked(c *Client) {
	if s.hot.clientEvict == 0 {
		return
	}
	s.updateClientMemLocked(c)
	s.evictClientsLocked()
}

// partialReadWithinLimits is called by the connection loop after a read
// that left only part of a command: the grown query buffer counts towards
// maxmemory-clients. It reports false when c was evicted.
func (s *Server) partialReadWithinLimits(c *Client) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.afterClientActivityLocked(c)
	return !c.killed
}
