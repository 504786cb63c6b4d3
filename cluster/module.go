package cluster

// The module Cluster API's view of the cluster (host.ClusterNode): called
// by the module host under the server lock.

// Module node flags (REDISMODULE_NODE_*).
const (
	modNodeMyself     = 1 << 0
	modNodeMaster     = 1 << 1
	modNodeSlave      = 1 << 2
	modNodePFail      = 1 << 3
	modNodeFail       = 1 << 4
	modNodeNoFailover = 1 << 5
)

// NodeIDs lists the nodes with an address and out of handshake.
func (c *Cluster) NodeIDs() []string {
	var out []string
	for _, n := range c.sortedNodes() {
		if n.flags&(flagNoAddr|flagHandshake) == 0 {
			out = append(out, n.Name)
		}
	}
	return out
}

// NodeInfo describes a node for RedisModule_GetClusterNodeInfo.
func (c *Cluster) NodeInfo(id string) (ip, masterID string, port, flags int, ok bool) {
	n := c.lookup(id)
	if n == nil || n.flags&(flagNoAddr|flagHandshake) != 0 {
		return "", "", 0, 0, false
	}
	if n.isSlave() && n.slaveof != nil {
		masterID = n.slaveof.Name
	}
	for _, m := range []struct{ node, mod int }{
		{flagMyself, modNodeMyself}, {flagMaster, modNodeMaster}, {flagSlave, modNodeSlave},
		{flagPFail, modNodePFail}, {flagFail, modNodeFail}, {flagNoFailover, modNodeNoFailover},
	} {
		if n.flags&m.node != 0 {
			flags |= m.mod
		}
	}
	return n.IP, masterID, n.Port, flags, true
}

// SendModuleMessage sends a MODULE bus message to target, or to every
// connected node when target is "" (Redis's
// clusterSendModuleMessageToTarget).
func (c *Cluster) SendModuleMessage(target string, moduleID uint64, typ uint8, payload []byte) bool {
	var to *Node
	if target != "" {
		to = c.lookup(target)
		if to == nil || to.link == nil || to.link.conn == nil {
			return false
		}
	}
	pkt := encodeHeader(c.myHeader(), typeModule, moduleHdrLen+len(payload))
	d := pkt[hdrLen:]
	// Redis copies the id in host byte order (x86: little endian).
	for i := 0; i < 8; i++ {
		d[i] = byte(moduleID >> (8 * i))
	}
	be.PutUint32(d[8:], uint32(len(payload)))
	d[12] = typ
	copy(d[moduleHdrLen:], payload)
	if to != nil {
		c.send(to.link, pkt)
	} else {
		c.broadcast(pkt)
	}
	return true
}

// SetModuleFlags records RedisModule_SetClusterFlags' flags.
func (c *Cluster) SetModuleFlags(flags uint64) { c.moduleFlags = int(flags) }

// OnModuleMessage installs the receiver of MODULE messages.
func (c *Cluster) OnModuleMessage(fn func(sender string, moduleID uint64, typ uint8, payload []byte)) {
	c.moduleReceiver = fn
}
