package cluster

import (
	"time"

	"github.com/modhost/modhost/commands"
)

// deliverPublish hands a PUBLISH or SPUBLISH from another node to local
// subscribers.
func (c *Cluster) deliverPublish(m *message, shard bool) {
	if shard {
		c.srv.PublishShard(m.channel, m.pubMsg)
	} else {
		c.srv.Publish(m.channel, m.pubMsg)
	}
}

// beforeSleep does the work a change asked for: recompute the state and
// save nodes.conf (Redis's clusterBeforeSleep).
func (c *Cluster) beforeSleep() {
	if c.todoState {
		c.updateState()
	}
	if c.todoSave {
		c.todoSave = false
		if err := c.saveConfig(); err != nil {
			c.srv.Log.Warningf("Could not save the cluster config file %s: %v", c.configFile, err)
		}
	}
}

// cronLoop runs cron every 100 ms under the server lock.
func (c *Cluster) cronLoop() {
	defer c.wg.Done()
	t := time.NewTicker(cronInterval)
	defer t.Stop()
	for {
		select {
		case <-c.closing:
			return
		case <-t.C:
		}
		c.srv.Lock()
		c.cron()
		c.beforeSleep()
		c.srv.RedirectBlocked(c.redirectBlocked)
		c.srv.Unlock()
	}
}

// cron is Redis's clusterCron: handshake timeouts, (re)connecting links,
// pings, and PFAIL marking.
func (c *Cluster) cron() {
	c.iteration++
	now := nowMs()
	timeout := c.nodeTimeout()
	handshakeTimeout := max(timeout, 1000)
	for _, n := range c.randomNodes() {
		if n.myself() || !n.hasAddr() {
			continue
		}
		if n.inHandshake() && now-n.ctime > handshakeTimeout {
			c.delNode(n)
			continue
		}
		if n.link == nil {
			c.connect(n)
		}
	}
	// Every second, ping the node with the oldest PONG among 5 random ones.
	if c.iteration%10 == 0 {
		var oldest *Node
		tried := 0
		for _, n := range c.randomNodes() {
			if tried >= 5 {
				break
			}
			if n.link == nil || n.link.conn == nil || n.pingSent != 0 || n.myself() || n.inHandshake() {
				continue
			}
			tried++
			if oldest == nil || n.pongReceived < oldest.pongReceived {
				oldest = n
			}
		}
		if oldest != nil {
			c.sendPing(oldest.link, typePing)
		}
	}
	update := false
	for _, n := range c.nodes {
		if n.myself() || !n.hasAddr() || n.inHandshake() {
			continue
		}
		l := n.link
		if l != nil && l.conn != nil && now-l.ctime > timeout && n.pingSent != 0 &&
			now-n.pingSent > timeout/2 && now-n.dataReceived > timeout/2 {
			// The link looks stuck: drop it, the next cron reconnects.
			c.freeLink(l)
			l = nil
		}
		if l != nil && l.conn != nil && n.pingSent == 0 && now-n.pongReceived > c.pingInterval() {
			c.sendPing(l, typePing)
			continue
		}
		if n.pingSent == 0 {
			continue
		}
		delay := min(now-n.pingSent, now-n.dataReceived)
		if delay > timeout && n.flags&(flagPFail|flagFail) == 0 {
			c.srv.Log.Debugf("*** NODE %s possibly failing", n.Name)
			n.flags |= flagPFail
			update = true
		}
	}
	if update || c.state == stateFail {
		c.updateState()
	} else if c.todoState {
		c.updateState()
	}
	if update {
		c.todoSave = true
	}
}

// propagatePublish makes PUBLISH cluster-wide, as Redis's
// clusterPropagatePublish: after the local delivery the message goes to
// every node on the bus. (SPUBLISH stays in the shard, whose only member
// is this master: modhost nodes have no replicas in cluster mode.)
func (c *Cluster) propagatePublish() {
	cmd := c.srv.Cmds.Get("publish")
	if cmd == nil {
		return
	}
	local := cmd.Handler
	cmd.Handler = func(cl commands.Client, args [][]byte) {
		local(cl, args)
		c.broadcastPublish(args[1], args[2])
	}
}

// broadcastPublish sends a PUBLISH bus message to every node.
func (c *Cluster) broadcastPublish(channel, msg []byte) {
	pkt := encodeHeader(c.myHeader(), typePublish, 8+len(channel)+len(msg))
	d := pkt[hdrLen:]
	be.PutUint32(d, uint32(len(channel)))
	be.PutUint32(d[4:], uint32(len(msg)))
	copy(d[8:], channel)
	copy(d[8+len(channel):], msg)
	c.broadcast(pkt)
}
