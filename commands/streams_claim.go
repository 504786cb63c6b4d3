package commands

// XCLAIM and XAUTOCLAIM: moving pending entries between consumers.

import (
	"math"

	"github.com/modhost/modhost/keyspace"
)

// claimGroup looks up the key and group of XCLAIM/XAUTOCLAIM, replying
// WRONGTYPE or NOGROUP.
func claimGroup(c Client, a [][]byte) (*keyspace.Stream, *keyspace.ConsumerGroup, bool) {
	v, ok := lookupRead(c, a[1], keyspace.KindStream)
	if !ok {
		return nil, nil, false
	}
	var g *keyspace.ConsumerGroup
	if v != nil {
		g = v.(*keyspace.Stream).Group(a[2])
	}
	if g == nil {
		noKeyOrGroup(c, a[1], a[2])
		return nil, nil, false
	}
	return v.(*keyspace.Stream), g, true
}

// claimConsumer returns the claiming consumer, created if needed (Redis
// 7.2 creates it even when nothing is claimed), marked as seen now.
func claimConsumer(c Client, key []byte, g *keyspace.ConsumerGroup, name []byte, now int64) *keyspace.StreamConsumer {
	cons := g.Consumer(name)
	if cons == nil {
		cons = g.CreateConsumer(name, now)
		ks(c).Dirty++
		ks(c).Notify(keyspace.NotifyStream, "xgroup-createconsumer", key, c.DBIndex())
	}
	cons.SeenTime = now
	return cons
}

// xclaimOptions are XCLAIM's trailing options.
type xclaimOptions struct {
	deliveryTime int64 // -1: not given
	retryCount   int64 // -1: not given
	force        bool
	justID       bool
	lastID       keyspace.StreamID
}

// XCLAIM key group consumer min-idle-time id [id ...] [IDLE ms] [TIME ms-unix-time] [RETRYCOUNT count] [FORCE] [JUSTID] [LASTID lastid]
func xclaimCommand(c Client, a [][]byte) {
	s, g, ok := claimGroup(c, a)
	if !ok {
		return
	}
	minIdle, ok := keyspace.ParseInt(a[4])
	if !ok {
		c.Error("ERR Invalid min-idle-time argument for XCLAIM")
		return
	}
	minIdle = max(minIdle, 0)
	var ids []keyspace.StreamID
	j := 5
	for ; j < len(a); j++ {
		id, _, ok := parseStreamID(a[j], 0, true, false)
		if !ok {
			break
		}
		ids = append(ids, id)
	}
	now := ks(c).Now()
	o := xclaimOptions{deliveryTime: -1, retryCount: -1}
	for ; j < len(a); j++ {
		more := len(a) - 1 - j
		opt := a[j]
		switch {
		case eqFold(opt, "force"):
			o.force = true
		case eqFold(opt, "justid"):
			o.justID = true
		case eqFold(opt, "idle") && more > 0:
			j++
			v, ok := keyspace.ParseInt(a[j])
			if !ok {
				c.Error("ERR Invalid IDLE option argument for XCLAIM")
				return
			}
			o.deliveryTime = now - v
		case eqFold(opt, "time") && more > 0:
			j++
			v, ok := keyspace.ParseInt(a[j])
			if !ok {
				c.Error("ERR Invalid TIME option argument for XCLAIM")
				return
			}
			o.deliveryTime = v
		case eqFold(opt, "retrycount") && more > 0:
			j++
			v, ok := keyspace.ParseInt(a[j])
			if !ok {
				c.Error("ERR Invalid RETRYCOUNT option argument for XCLAIM")
				return
			}
			o.retryCount = v
		case eqFold(opt, "lastid") && more > 0:
			j++
			if o.lastID, ok = streamIDArg(c, a[j], 0); !ok {
				return
			}
		default:
			c.Error("ERR Unrecognized XCLAIM option '" + string(opt) + "'")
			return
		}
	}
	if g.LastID.Less(o.lastID) {
		g.LastID = o.lastID
		ks(c).Dirty++
	}
	if o.deliveryTime == -1 || o.deliveryTime < 0 || o.deliveryTime > now {
		o.deliveryTime = now
	}
	cons := claimConsumer(c, a[1], g, a[3], now)
	w := c.Writer()
	mark := w.DeferLen()
	n := 0
	for _, id := range ids {
		nack, pending := g.PEL.Get(id)
		e, exists := s.Get(id)
		if !exists {
			if pending {
				g.Ack(id)
				ks(c).Dirty++
			}
			continue
		}
		if !pending {
			if !o.force {
				continue
			}
			nack = &keyspace.StreamNACK{DeliveryTime: now, DeliveryCount: 1}
		}
		if nack.Consumer != nil && minIdle > 0 && now-nack.DeliveryTime < minIdle {
			continue
		}
		g.Claim(id, nack, cons)
		nack.DeliveryTime = o.deliveryTime
		if o.retryCount >= 0 {
			nack.DeliveryCount = uint64(o.retryCount)
		} else if !o.justID {
			nack.DeliveryCount++
		}
		if o.justID {
			writeStreamID(c, id)
		} else {
			writeStreamEntry(c, e)
		}
		n++
		cons.ActiveTime = now
		ks(c).Dirty++
	}
	w.SetDeferredArrayLen(mark, n)
}

// xautoclaimAttempts is how many PEL entries XAUTOCLAIM may visit per
// entry of COUNT (Redis's attempts_factor).
const xautoclaimAttempts = 10

// XAUTOCLAIM key group consumer min-idle-time start [COUNT count] [JUSTID]
func xautoclaimCommand(c Client, a [][]byte) {
	minIdle, ok := keyspace.ParseInt(a[4])
	if !ok {
		c.Error("ERR Invalid min-idle-time argument for XAUTOCLAIM")
		return
	}
	minIdle = max(minIdle, 0)
	start, ok := intervalStart(c, a[5])
	if !ok {
		return
	}
	count, justID := int64(100), false
	for j := 6; j < len(a); j++ {
		more := len(a) - 1 - j
		switch {
		case eqFold(a[j], "count") && more > 0:
			v, ok := keyspace.ParseInt(a[j+1])
			if !ok || v < 1 || v > math.MaxInt64/16 {
				c.Error("ERR COUNT must be > 0")
				return
			}
			count = v
			j++
		case eqFold(a[j], "justid"):
			justID = true
		default:
			c.Error(msgSyntax)
			return
		}
	}
	s, g, ok := claimGroup(c, a)
	if !ok {
		return
	}
	now := ks(c).Now()
	cons := claimConsumer(c, a[1], g, a[3], now)
	attempts := count * xautoclaimAttempts
	type visit struct {
		id   keyspace.StreamID
		nack *keyspace.StreamNACK
	}
	// Collect the PEL entries to visit first: claiming changes the PEL.
	var visits []visit
	next, more := keyspace.MinStreamID, false
	g.PEL.Ascend(start, func(id keyspace.StreamID, n *keyspace.StreamNACK) bool {
		if int64(len(visits)) >= attempts {
			next, more = id, true
			return false
		}
		visits = append(visits, visit{id, n})
		return true
	})
	var deleted []keyspace.StreamID
	var claimed []func()
	left := count
	visited := 0
	for _, v := range visits {
		if left == 0 {
			break
		}
		visited++
		e, exists := s.Get(v.id)
		if !exists {
			g.Ack(v.id)
			ks(c).Dirty++
			deleted = append(deleted, v.id)
			left--
			continue
		}
		if minIdle > 0 && now-v.nack.DeliveryTime < minIdle {
			continue
		}
		g.Claim(v.id, v.nack, cons)
		v.nack.DeliveryTime = now
		if !justID {
			v.nack.DeliveryCount++
		}
		id := v.id
		if justID {
			claimed = append(claimed, func() { writeStreamID(c, id) })
		} else {
			claimed = append(claimed, func() { writeStreamEntry(c, e) })
		}
		left--
		cons.ActiveTime = now
		ks(c).Dirty++
	}
	if visited < len(visits) {
		next, more = visits[visited].id, true
	}
	if !more {
		next = keyspace.MinStreamID
	}
	w := c.Writer()
	w.ArrayLen(3)
	writeStreamID(c, next)
	w.ArrayLen(len(claimed))
	for _, fn := range claimed {
		fn()
	}
	w.ArrayLen(len(deleted))
	for _, id := range deleted {
		writeStreamID(c, id)
	}
}
