// Package cluster is Redis Cluster mode: the node table and slot map, the
// cluster bus (Redis 7's binary protocol on port+10000), failure
// detection, nodes.conf, the CLUSTER command family and the redirection
// check the dispatcher runs before each keyed command. Like package
// script it sits above server: cmd/modhost calls Install when
// cluster-enabled is yes, and every bit of state here is guarded by the
// server lock.
package cluster

import (
	"math/rand/v2"
	"net"
	"sync"
	"time"

	"github.com/modhost/modhost/keyspace"
	"github.com/modhost/modhost/server"
)

// Cluster states (CLUSTER_OK, CLUSTER_FAIL).
const (
	stateOK   = 0
	stateFail = 1
)

// Delays from Redis's cluster.c.
const (
	writableDelay   = 2000 // CLUSTER_WRITABLE_DELAY
	maxRejoinDelay  = 5000
	minRejoinDelay  = 500
	blacklistTTL    = 60 // seconds (CLUSTER_BLACKLIST_TTL)
	cronInterval    = 100 * time.Millisecond
	failUndoTimeMul = 2
)

// Cluster is this node's view of the cluster.
type Cluster struct {
	srv  *server.Server
	keys *keyspace.Keyspace

	myself        *Node
	nodes         map[string]*Node
	currentEpoch  uint64
	lastVoteEpoch uint64
	state         int
	size          int
	slots         [numSlots]*Node
	migrating     [numSlots]*Node
	importing     [numSlots]*Node
	blacklist     map[string]int64 // name → expiry (Unix seconds)

	statsSent, statsRecv [typeCount]int64

	configFile string
	todoSave   bool
	todoState  bool

	// cron state
	iteration      int64
	firstStateCall int64
	amongMinority  int64
	startedMs      int64

	// moduleFlags are the CLUSTER_MODULE_FLAG_* set by SetClusterFlags.
	moduleFlags int
	// moduleReceiver is called for MODULE messages (the module host).
	moduleReceiver func(sender string, moduleID uint64, typ uint8, payload []byte)

	listeners []net.Listener
	closing   chan struct{}
	wg        sync.WaitGroup
	lockFile  *lockedFile
}

func nowMs() int64 { return time.Now().UnixMilli() }

// pingInterval is how long after a node's last PONG it is pinged again:
// the hidden cluster-ping-interval (milliseconds) when set, which Redis's
// test suite sets to 100, else half of cluster-node-timeout.
func (c *Cluster) pingInterval() int64 {
	if v := c.srv.Config.Int("cluster-ping-interval"); v > 0 {
		return v
	}
	return c.nodeTimeout() / 2
}

// nodeTimeout is cluster-node-timeout in milliseconds.
func (c *Cluster) nodeTimeout() int64 { return c.srv.Config.Int("cluster-node-timeout") }

// lookup returns the node called name, or nil.
func (c *Cluster) lookup(name string) *Node { return c.nodes[name] }

// newNode creates a node (not yet added). An empty name gets a random
// one, as for a node in handshake.
func newNode(name string, flags int) *Node {
	if name == "" {
		name = randomName()
	}
	now := nowMs()
	return &Node{Name: name, ShardID: randomName(), flags: flags, ctime: now}
}

// addNode adds n to the node table.
func (c *Cluster) addNode(n *Node) { c.nodes[n.Name] = n }

// delNode removes n: its slots, its links, its failure reports about
// others, as Redis's clusterDelNode.
func (c *Cluster) delNode(n *Node) {
	for j := 0; j < numSlots; j++ {
		if c.importing[j] == n {
			c.importing[j] = nil
		}
		if c.migrating[j] == n {
			c.migrating[j] = nil
		}
		if c.slots[j] == n {
			c.delSlot(j)
		}
	}
	for _, o := range c.nodes {
		delete(o.failReports, n)
	}
	if n.slaveof != nil {
		n.slaveof.removeReplica(n)
	}
	for _, r := range n.replicas {
		r.slaveof = nil
	}
	c.freeLink(n.link)
	c.freeLink(n.inbound)
	delete(c.nodes, n.Name)
}

// renameNode gives a node in handshake its real name.
func (c *Cluster) renameNode(n *Node, name string) {
	delete(c.nodes, n.Name)
	n.Name = name
	c.nodes[name] = n
}

// addSlot assigns slot to n; false if the slot already has an owner.
func (c *Cluster) addSlot(n *Node, slot int) bool {
	if c.slots[slot] != nil {
		return false
	}
	n.setSlotBit(slot)
	c.slots[slot] = n
	return true
}

// delSlot unassigns slot; false if it had no owner.
func (c *Cluster) delSlot(slot int) bool {
	n := c.slots[slot]
	if n == nil {
		return false
	}
	n.clearSlotBit(slot)
	c.slots[slot] = nil
	return true
}

// delNodeSlots unassigns every slot of n and returns how many.
func (c *Cluster) delNodeSlots(n *Node) int {
	d := 0
	for j := 0; j < numSlots; j++ {
		if n.hasSlot(j) {
			c.delSlot(j)
			d++
		}
	}
	return d
}

// setNodeAsMaster makes n a master (Redis's clusterSetNodeAsMaster).
func (c *Cluster) setNodeAsMaster(n *Node) {
	if n.isMaster() {
		return
	}
	if n.slaveof != nil {
		n.slaveof.removeReplica(n)
		if n != c.myself {
			n.flags |= flagMigrateTo
		}
	}
	n.flags &^= flagSlave
	n.flags |= flagMaster
	n.slaveof = nil
	c.todoSave, c.todoState = true, true
}

// maxEpoch is the largest config epoch known, or currentEpoch if larger.
func (c *Cluster) maxEpoch() uint64 {
	m := c.currentEpoch
	for _, n := range c.nodes {
		if n.Epoch > m {
			m = n.Epoch
		}
	}
	return m
}

// bumpEpochWithoutConsensus gives myself a new config epoch when its own
// is not already the unique maximum; it reports whether it did.
func (c *Cluster) bumpEpochWithoutConsensus() bool {
	max := c.maxEpoch()
	if c.myself.Epoch == 0 || c.myself.Epoch != max {
		c.currentEpoch++
		c.myself.Epoch = c.currentEpoch
		c.todoSave = true
		c.srv.Log.Noticef("New configEpoch set to %d", c.myself.Epoch)
		return true
	}
	return false
}

// handleEpochCollision resolves two masters with the same config epoch:
// the one with the smaller name takes a new epoch.
func (c *Cluster) handleEpochCollision(sender *Node) {
	if sender.Epoch != c.myself.Epoch || !sender.isMaster() || !c.myself.isMaster() {
		return
	}
	if sender.Name <= c.myself.Name {
		return
	}
	c.currentEpoch++
	c.myself.Epoch = c.currentEpoch
	c.todoSave = true
	c.srv.Log.Noticef("WARNING: configEpoch collision with node %s. configEpoch set to %d", sender.Name, c.myself.Epoch)
}

// blacklistAdd keeps name from being re-added by gossip for a minute.
func (c *Cluster) blacklistAdd(name string) {
	c.blacklistCleanup()
	c.blacklist[name] = time.Now().Unix() + blacklistTTL
}

func (c *Cluster) blacklistCleanup() {
	now := time.Now().Unix()
	for k, t := range c.blacklist {
		if t < now {
			delete(c.blacklist, k)
		}
	}
}

func (c *Cluster) blacklisted(name string) bool {
	c.blacklistCleanup()
	_, ok := c.blacklist[name]
	return ok
}

// updateState recomputes the cluster state (Redis's clusterUpdateState).
func (c *Cluster) updateState() {
	c.todoState = false
	now := nowMs()
	if c.firstStateCall == 0 {
		c.firstStateCall = now
	}
	if c.myself.isMaster() && c.state == stateFail && now-c.firstStateCall < writableDelay {
		return
	}
	newState := stateOK
	if c.srv.Config.Bool("cluster-require-full-coverage") {
		for j := 0; j < numSlots; j++ {
			if c.slots[j] == nil || c.slots[j].failed() {
				newState = stateFail
				break
			}
		}
	}
	c.size = 0
	reachable := 0
	for _, n := range c.nodes {
		if n.isMaster() && n.numSlots > 0 {
			c.size++
			if n.flags&(flagFail|flagPFail) == 0 {
				reachable++
			}
		}
	}
	if reachable < c.size/2+1 {
		newState = stateFail
		c.amongMinority = now
	}
	if newState != c.state {
		delay := min(max(c.nodeTimeout(), minRejoinDelay), maxRejoinDelay)
		if newState == stateOK && c.myself.isMaster() && now-c.amongMinority < delay {
			return
		}
		if newState == stateOK {
			c.srv.Log.Noticef("Cluster state changed: ok")
		} else {
			c.srv.Log.Warningf("Cluster state changed: fail")
		}
		c.state = newState
	}
}

// markFailingIfNeeded turns PFAIL into FAIL once a majority of masters
// agree, and broadcasts FAIL (Redis's markNodeAsFailingIfNeeded).
func (c *Cluster) markFailingIfNeeded(n *Node) {
	needed := c.size/2 + 1
	if !n.timedOut() || n.failed() {
		return
	}
	n.cleanupFailureReports(nowMs(), c.nodeTimeout())
	failures := len(n.failReports)
	if c.myself.isMaster() {
		failures++
	}
	if failures < needed {
		return
	}
	c.srv.Log.Noticef("Marking node %s () as failing (quorum reached).", n.Name)
	n.flags &^= flagPFail
	n.flags |= flagFail
	n.failTime = nowMs()
	if c.myself.isMaster() {
		c.broadcastFail(n)
	}
	c.todoSave, c.todoState = true, true
}

// clearFailureIfNeeded clears FAIL from a node that is reachable again.
func (c *Cluster) clearFailureIfNeeded(n *Node) {
	now := nowMs()
	if n.isSlave() || n.numSlots == 0 {
		c.srv.Log.Noticef("Clear FAIL state for node %s (): %s is reachable again.", n.Name, map[bool]string{true: "replica", false: "master without slots"}[n.isSlave()])
		n.flags &^= flagFail
		c.todoSave, c.todoState = true, true
	}
	if n.isMaster() && n.numSlots > 0 && now-n.failTime > c.nodeTimeout()*failUndoTimeMul {
		c.srv.Log.Noticef("Clear FAIL state for node %s (): is reachable again and nobody is serving its slots after some time.", n.Name)
		n.flags &^= flagFail
		c.todoSave, c.todoState = true, true
	}
}

// randomNodes returns the nodes in random order.
func (c *Cluster) randomNodes() []*Node {
	out := make([]*Node, 0, len(c.nodes))
	for _, n := range c.nodes {
		out = append(out, n)
	}
	rand.Shuffle(len(out), func(i, j int) { out[i], out[j] = out[j], out[i] })
	return out
}

// deleteKeysInSlot removes every key of slot (a slot lost to another
// node) and returns how many.
func (c *Cluster) deleteKeysInSlot(slot int) int {
	keys := c.keys.KeysInSlot(slot, c.keys.CountKeysInSlot(slot))
	for _, k := range keys {
		c.keys.Delete(0, k)
	}
	return len(keys)
}

// updateSlotsConfigWith applies a master's claim on slots with its config
// epoch (Redis's clusterUpdateSlotsConfigWith, without the replica
// reconfiguration modhost does not do).
func (c *Cluster) updateSlotsConfigWith(sender *Node, senderEpoch uint64, slots []byte) {
	if sender == c.myself {
		return
	}
	var dirty []int
	lostAll := false
	for j := 0; j < numSlots; j++ {
		if !bitTest(slots, j) {
			continue
		}
		cur := c.slots[j]
		if cur == sender {
			continue
		}
		if c.importing[j] != nil {
			continue
		}
		if cur == nil || cur.Epoch < senderEpoch {
			if cur == c.myself && c.keys.CountKeysInSlot(j) > 0 {
				dirty = append(dirty, j)
			}
			if cur == c.myself {
				lostAll = true
			}
			c.delSlot(j)
			c.addSlot(sender, j)
			c.todoSave, c.todoState = true, true
		}
	}
	if lostAll && c.myself.numSlots == 0 {
		c.srv.Log.Noticef("Configuration change detected: this node lost all its slots to %s; it stays an empty master (modhost does not replicate in cluster mode)", sender.Name)
	}
	for _, j := range dirty {
		c.srv.Log.Noticef("Deleting keys in dirty slot %d on node %s", j, c.myself.Name)
		c.deleteKeysInSlot(j)
	}
}
