package cluster

import (
	"net"
)

// myHeader is the header every message from this node carries.
func (c *Cluster) myHeader() *header {
	me := c.myself
	h := &header{
		port:     uint16(me.Port),
		pport:    uint16(me.PPort),
		cport:    uint16(me.CPort),
		curEpoch: c.currentEpoch,
		cfgEpoch: me.Epoch,
		name:     me.Name,
		flags:    uint16(me.flags),
		state:    byte(c.state),
		myIP:     c.srv.Config.String("cluster-announce-ip"),
	}
	master := me
	if me.isSlave() && me.slaveof != nil {
		master = me.slaveof
		h.slaveof = me.slaveof.Name
		h.cfgEpoch = master.Epoch
	}
	h.slots = &master.slots
	return h
}

func (c *Cluster) gossipOf(n *Node) gossip {
	return gossip{
		name:         n.Name,
		pingSent:     uint32(n.pingSent / 1000),
		pongReceived: uint32(n.pongReceived / 1000),
		ip:           n.IP,
		port:         uint16(n.Port),
		cport:        uint16(n.CPort),
		flags:        uint16(n.flags),
		pport:        uint16(n.PPort),
	}
}

// sendPing sends a PING, PONG or MEET with a gossip section on l (Redis's
// clusterSendPing). No ping extensions are sent: modhost announces no
// hostname or human node name, and Redis 7.0 peers do not know the shard
// id extension.
func (c *Cluster) sendPing(l *link, typ uint16) {
	if l == nil || l.closed {
		return
	}
	fresh := len(c.nodes) - 2
	wanted := max(len(c.nodes)/10, 3)
	if wanted > fresh {
		wanted = fresh
	}
	var pfail []*Node
	for _, n := range c.nodes {
		if n.timedOut() && !n.myself() && !n.inHandshake() && n.hasAddr() {
			pfail = append(pfail, n)
		}
	}
	var picked []*Node
	seen := map[*Node]bool{}
	for _, n := range c.randomNodes() {
		if len(picked) >= wanted {
			break
		}
		if n.myself() || n.timedOut() || n.inHandshake() || !n.hasAddr() || (n.link == nil && n.numSlots == 0) {
			continue
		}
		if seen[n] {
			continue
		}
		seen[n] = true
		picked = append(picked, n)
	}
	picked = append(picked, pfail...)
	pkt := encodeHeader(c.myHeader(), typ, len(picked)*gossipLen)
	be.PutUint16(pkt[offCount:], uint16(len(picked)))
	for i, n := range picked {
		g := c.gossipOf(n)
		putGossip(pkt, i, &g)
	}
	if !l.inbound && typ == typePing && l.node != nil {
		l.node.pingSent = nowMs()
	}
	c.send(l, pkt)
}

// broadcast sends pkt on every connected outbound link of a known node.
func (c *Cluster) broadcast(pkt []byte) {
	for _, n := range c.nodes {
		if n.link == nil || n.myself() || n.inHandshake() {
			continue
		}
		c.send(n.link, pkt)
	}
}

// broadcastPong sends a PONG to every node (after a config change).
func (c *Cluster) broadcastPong() {
	for _, n := range c.nodes {
		if n.link == nil || n.myself() || n.inHandshake() {
			continue
		}
		c.sendPing(n.link, typePong)
	}
}

func (c *Cluster) broadcastFail(n *Node) {
	pkt := encodeHeader(c.myHeader(), typeFail, NameLen)
	copy(pkt[hdrLen:], n.Name)
	c.broadcast(pkt)
}

// sendUpdate tells l's node the slots n owns and n's config epoch.
func (c *Cluster) sendUpdate(l *link, n *Node) {
	if l == nil {
		return
	}
	pkt := encodeHeader(c.myHeader(), typeUpdate, updateLen)
	d := pkt[hdrLen:]
	be.PutUint64(d, n.Epoch)
	copy(d[8:8+NameLen], n.Name)
	copy(d[8+NameLen:], n.slots[:])
	c.send(l, pkt)
}

// peerIP is the address a packet's sender is reached at: its announced IP
// or the link's remote address.
func peerIP(l *link, m *message) string {
	if m.myIP != "" {
		return m.myIP
	}
	if l.conn == nil {
		return ""
	}
	host, _, err := net.SplitHostPort(l.conn.RemoteAddr().String())
	if err != nil {
		return ""
	}
	return host
}

// updateAddressIfNeeded refreshes a node's address from a PING it sent
// and reports whether it changed.
func (c *Cluster) updateAddressIfNeeded(n *Node, l *link, m *message) bool {
	if n == c.myself || l == n.link {
		return false
	}
	ip := peerIP(l, m)
	if ip == "" || (ip == n.IP && int(m.port) == n.Port && int(m.cport) == n.CPort && int(m.pport) == n.PPort) {
		return false
	}
	n.IP, n.Port, n.CPort, n.PPort = ip, int(m.port), int(m.cport), int(m.pport)
	c.freeLink(n.link)
	n.flags &^= flagNoAddr
	c.srv.Log.Noticef("Address updated for node %s (), now %s:%d", n.Name, ip, n.Port)
	return true
}

// process handles one packet received on l (Redis's clusterProcessPacket).
func (c *Cluster) process(l *link, pkt []byte) {
	m, err := decode(pkt)
	if err != nil {
		c.srv.Log.Warningf("Received invalid cluster bus packet: %v", err)
		return
	}
	typ := m.typ
	if int(typ) < typeCount {
		c.statsRecv[typ]++
	}
	now := nowMs()
	var sender *Node
	if l.node != nil && !l.node.inHandshake() {
		sender = l.node
	} else {
		sender = c.lookup(m.sender)
		if sender != nil && l.inbound && l.node == nil {
			if sender.inbound != nil && sender.inbound != l {
				c.freeLink(sender.inbound)
			}
			sender.inbound = l
			l.node = sender
		}
	}
	if sender != nil {
		sender.dataReceived = now
	}
	if sender != nil && !sender.inHandshake() {
		if m.curEpoch > c.currentEpoch {
			c.currentEpoch = m.curEpoch
		}
		if m.cfgEpoch > sender.Epoch {
			sender.Epoch = m.cfgEpoch
			c.todoSave = true
		}
	}

	if typ == typePing || typ == typeMeet {
		if (typ == typeMeet || c.myself.IP == "") && c.srv.Config.String("cluster-announce-ip") == "" && l.conn != nil {
			if host, _, err := net.SplitHostPort(l.conn.LocalAddr().String()); err == nil && host != c.myself.IP {
				c.myself.IP = host
				c.srv.Log.Noticef("IP address for this node updated to %s", host)
				c.todoSave = true
			}
		}
		if sender == nil && typ == typeMeet {
			n := newNode("", flagHandshake)
			n.IP = peerIP(l, m)
			n.Port, n.CPort, n.PPort = int(m.port), int(m.cport), int(m.pport)
			c.addNode(n)
			c.todoSave = true
			c.processGossip(m, l, nil)
		}
		c.sendPing(l, typePong)
	}

	switch typ {
	case typePing, typePong, typeMeet:
		if !l.inbound && l.node != nil {
			if l.node.inHandshake() {
				if sender != nil {
					if c.updateAddressIfNeeded(sender, l, m) {
						c.todoSave, c.todoState = true, true
					}
					c.delNode(l.node)
					return
				}
				c.renameNode(l.node, m.sender)
				c.srv.Log.Debugf("Handshake with node %s completed.", l.node.Name)
				l.node.flags &^= flagHandshake
				l.node.flags |= int(m.flags) & (flagMaster | flagSlave)
				c.todoSave = true
			} else if l.node.Name != m.sender {
				n := l.node
				n.flags |= flagNoAddr
				n.IP, n.Port, n.CPort, n.PPort = "", 0, 0, 0
				c.freeLink(l)
				c.todoSave = true
				return
			}
		}
		if sender != nil {
			sender.flags = sender.flags&^flagNoFailover | int(m.flags)&flagNoFailover
		}
		if sender != nil && typ == typePing && !sender.inHandshake() && c.updateAddressIfNeeded(sender, l, m) {
			c.todoSave, c.todoState = true, true
		}
		if !l.inbound && typ == typePong && l.node != nil {
			n := l.node
			n.pongReceived = now
			n.pingSent = 0
			if n.timedOut() {
				n.flags &^= flagPFail
				c.todoSave, c.todoState = true, true
			} else if n.failed() {
				c.clearFailureIfNeeded(n)
			}
		}
		if sender != nil {
			if m.slaveof == "" {
				c.setNodeAsMaster(sender)
			} else {
				master := c.lookup(m.slaveof)
				if sender.isMaster() {
					c.delNodeSlots(sender)
					sender.flags &^= flagMaster | flagMigrateTo
					sender.flags |= flagSlave
					c.todoSave, c.todoState = true, true
				}
				if master != nil && sender.slaveof != master {
					if sender.slaveof != nil {
						sender.slaveof.removeReplica(sender)
					}
					master.addReplica(sender)
					sender.slaveof = master
					sender.ShardID = master.ShardID
					c.todoSave = true
				}
			}
		}
		dirty := false
		if sender != nil {
			if sm := sender.master(); sm != nil {
				dirty = string(sm.slots[:]) != string(m.slots)
			}
		}
		if sender != nil && sender.isMaster() && dirty {
			c.updateSlotsConfigWith(sender, m.cfgEpoch, m.slots)
		}
		if sender != nil && dirty {
			for j := 0; j < numSlots; j++ {
				if !bitTest(m.slots, j) {
					continue
				}
				owner := c.slots[j]
				if owner == sender || owner == nil {
					continue
				}
				if owner.Epoch > m.cfgEpoch {
					c.srv.Log.Verbosef("Node %s has old slots configuration, sending an UPDATE message about %s", sender.Name, owner.Name)
					c.sendUpdate(sender.link, owner)
					break
				}
			}
		}
		if sender != nil && c.myself.isMaster() && sender.isMaster() && m.cfgEpoch == c.myself.Epoch {
			c.handleEpochCollision(sender)
		}
		if sender != nil {
			c.processGossip(m, l, sender)
			c.processExtensions(m, sender)
		}
	case typeFail:
		if sender == nil {
			c.srv.Log.Noticef("Ignoring FAIL message from unknown node %s about %s", m.sender, m.failing)
			return
		}
		if f := c.lookup(m.failing); f != nil && f.flags&(flagFail|flagMyself) == 0 {
			c.srv.Log.Noticef("FAIL message received from %s () about %s ()", m.sender, m.failing)
			f.flags |= flagFail
			f.failTime = now
			f.flags &^= flagPFail
			c.todoSave, c.todoState = true, true
		}
	case typeUpdate:
		if sender == nil {
			return
		}
		n := c.lookup(m.updNode)
		if n == nil || n.Epoch >= m.updEpoch {
			return
		}
		if n.isSlave() {
			c.setNodeAsMaster(n)
		}
		n.Epoch = m.updEpoch
		c.todoSave = true
		c.updateSlotsConfigWith(n, m.updEpoch, m.updSlots)
	case typeModule:
		if sender == nil {
			return
		}
		if c.moduleReceiver != nil {
			c.moduleReceiver(sender.Name, m.moduleID, m.moduleType, m.payload)
		}
	case typePublish, typePublishShard:
		if sender == nil {
			return
		}
		c.deliverPublish(m, typ == typePublishShard)
	case typeAuthRequest:
		if sender == nil {
			return
		}
		c.sendFailoverAuthIfNeeded(sender, m)
	case typeAuthAck, typeMFStart:
		// Votes for, and manual failover of, a modhost replica: modhost
		// nodes are never replicas in cluster mode.
	default:
		c.srv.Log.Warningf("Received unknown packet type: %d", typ)
	}
}

// processGossip handles a PING/PONG/MEET's gossip entries (Redis's
// clusterProcessGossipSection); sender may be nil for a MEET.
func (c *Cluster) processGossip(m *message, l *link, sender *Node) {
	if sender == nil {
		sender = l.node
	}
	now := nowMs()
	for i := range m.gossip {
		g := &m.gossip[i]
		n := c.lookup(g.name)
		if n != nil {
			if sender != nil && sender.isMaster() && n != c.myself {
				if g.flags&(flagFail|flagPFail) != 0 {
					if n.addFailureReport(sender, now) {
						c.srv.Log.Verbosef("Node %s () reported node %s () as not reachable.", sender.Name, n.Name)
					}
					c.markFailingIfNeeded(n)
				} else if _, ok := n.failReports[sender]; ok {
					delete(n.failReports, sender)
					c.srv.Log.Verbosef("Node %s () reported node %s () is back online.", sender.Name, n.Name)
				}
			}
			if g.flags&(flagFail|flagPFail) == 0 && n.pingSent == 0 && len(n.failReports) == 0 {
				pong := int64(g.pongReceived) * 1000
				if pong <= now+500 && pong > n.pongReceived {
					n.pongReceived = pong
				}
			}
			if n.flags&(flagFail|flagPFail) != 0 && g.flags&flagNoAddr == 0 && g.flags&(flagFail|flagPFail) == 0 &&
				(n.IP != g.ip || n.Port != int(g.port) || n.CPort != int(g.cport) || n.PPort != int(g.pport)) {
				c.freeLink(n.link)
				n.IP, n.Port, n.CPort, n.PPort = g.ip, int(g.port), int(g.cport), int(g.pport)
				n.flags &^= flagNoAddr
			}
			continue
		}
		if sender != nil && g.flags&flagNoAddr == 0 && !c.blacklisted(g.name) && validName(g.name) {
			c.startHandshake(g.ip, int(g.port), int(g.cport))
		}
	}
}

// startHandshake adds a node in handshake for ip:port@cport (Redis's
// clusterStartHandshake): it has a random name until its first PONG and
// gets a MEET. It reports false for an invalid address.
func (c *Cluster) startHandshake(ip string, port, cport int) bool {
	addr := net.ParseIP(ip)
	if addr == nil || port <= 0 || port > 65535 || cport <= 0 || cport > 65535 {
		return false
	}
	if v4 := addr.To4(); v4 != nil {
		ip = v4.String()
	} else {
		ip = addr.String()
	}
	if c.handshakeInProgress(ip, port, cport) {
		return true
	}
	n := newNode("", flagHandshake|flagMeet)
	n.IP, n.Port, n.CPort = ip, port, cport
	c.addNode(n)
	c.todoSave = true
	return true
}

// handshakeInProgress reports whether a handshake with that address runs.
func (c *Cluster) handshakeInProgress(ip string, port, cport int) bool {
	for _, n := range c.nodes {
		if n.inHandshake() && n.IP == ip && n.Port == port && n.CPort == cport {
			return true
		}
	}
	return false
}

// processExtensions applies a PING's extensions (hostname, shard id,
// forgotten nodes).
func (c *Cluster) processExtensions(m *message, sender *Node) {
	if m.hostname != sender.Hostname && m.mflags0&mflag0ExtData != 0 {
		sender.Hostname = m.hostname
		c.todoSave = true
	}
	if m.shardID != "" && m.shardID != sender.ShardID {
		sender.ShardID = m.shardID
		c.todoSave = true
	}
	for _, f := range m.forgotten {
		n := c.lookup(f.name)
		if n != nil && n != c.myself && !(c.myself.isSlave() && c.myself.slaveof == n) {
			c.srv.Log.Noticef("Ignoring node %s () for %d seconds as asked by %s", f.name, f.ttl, sender.Name)
			c.blacklist[f.name] = int64(f.ttl) + nowMs()/1000
			c.delNode(n)
			c.todoSave, c.todoState = true, true
		}
	}
}

// validName reports whether s is 40 lowercase hex digits... Redis accepts
// any character in [0-9a-z]; so does this.
func validName(s string) bool {
	if len(s) != NameLen {
		return false
	}
	for i := 0; i < len(s); i++ {
		ch := s[i]
		if !(ch >= '0' && ch <= '9' || ch >= 'a' && ch <= 'z') {
			return false
		}
	}
	return true
}
