package cluster

// Votes in replica elections (Redis's clusterSendFailoverAuthIfNeeded): a
// modhost master serving slots is one of the masters whose majority a
// redis-server replica needs to take over its failed master.

func (c *Cluster) sendFailoverAuthIfNeeded(n *Node, m *message) {
	me := c.myself
	if me.isSlave() || me.numSlots == 0 {
		return
	}
	master := n.slaveof
	forceAck := m.mflags0&mflag0ForceAck != 0
	switch {
	case m.curEpoch < c.currentEpoch:
		c.srv.Log.Warningf("Failover auth denied to %s (): reqEpoch (%d) < curEpoch(%d)", n.Name, m.curEpoch, c.currentEpoch)
		return
	case c.lastVoteEpoch == c.currentEpoch:
		c.srv.Log.Warningf("Failover auth denied to %s (): already voted for epoch %d", n.Name, c.currentEpoch)
		return
	case n.isMaster() || master == nil || (!master.failed() && !forceAck):
		c.srv.Log.Warningf("Failover auth denied to %s (): it is a master, its master is unknown or its master is up", n.Name)
		return
	case nowMs()-master.votedTime < c.nodeTimeout()*2:
		c.srv.Log.Warningf("Failover auth denied to %s (): can't vote about this master before %d milliseconds", n.Name, c.nodeTimeout()*2-(nowMs()-master.votedTime))
		return
	}
	for j := 0; j < numSlots; j++ {
		if !bitTest(m.slots, j) || c.slots[j] == nil || c.slots[j].Epoch <= m.cfgEpoch {
			continue
		}
		c.srv.Log.Warningf("Failover auth denied to %s (): slot %d epoch (%d) > reqEpoch (%d)", n.Name, j, c.slots[j].Epoch, m.cfgEpoch)
		return
	}
	c.lastVoteEpoch = c.currentEpoch
	master.votedTime = nowMs()
	c.todoSave = true
	if n.link != nil {
		c.send(n.link, encodeHeader(c.myHeader(), typeAuthAck, 0))
	}
	c.srv.Log.Noticef("Failover auth granted to %s () for epoch %d", n.Name, c.currentEpoch)
}
