package cluster

import (
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/modhost/modhost/commands"
	"github.com/modhost/modhost/keyspace"
	"github.com/modhost/modhost/server"
)

// The CLUSTER command family and ASKING, READONLY, READWRITE, with Redis
// 7.2's texts.

const msgInvalidSlot = "ERR Invalid or out of range slot"

// sortedNodes lists the nodes by name (CLUSTER NODES order is Redis's
// dict order, which clients must not rely on).
func (c *Cluster) sortedNodes() []*Node {
	out := make([]*Node, 0, len(c.nodes))
	for _, n := range c.nodes {
		out = append(out, n)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

func parseSlot(b []byte) (int, bool) {
	v, err := strconv.ParseInt(string(b), 10, 64)
	if err != nil || v < 0 || v >= numSlots {
		return 0, false
	}
	return int(v), true
}

func parseInt(b []byte) (int64, bool) {
	v, err := strconv.ParseInt(string(b), 10, 64)
	return v, err == nil
}

func (c *Cluster) table() []commands.Entry {
	const admin = "admin slow dangerous"
	sub := func(name string, arity int, flags, acl, summary string, h commands.Handler) commands.Entry {
		return commands.Entry{Name: name, Arity: arity, Flags: flags, ACL: acl, Since: "3.0.0", Summary: summary, Handler: h}
	}
	return []commands.Entry{
		{Name: "cluster", Arity: -2, ACL: "slow", Group: "cluster", Since: "3.0.0",
			Summary: "A container for Redis Cluster commands.",
			Docs:    &commands.CommandDocs{Complexity: "Depends on subcommand."},
			Handler: func(commands.Client, [][]byte) {},
			Subs: []commands.Entry{
				sub("help", 2, "loading stale", "slow", "Returns helpful text about the different subcommands.", c.cmdHelp),
				sub("addslots", -3, "no_async_loading admin stale", admin, "Assigns new hash slots to a node.", c.cmdAddSlots(false, false)),
				sub("addslotsrange", -4, "no_async_loading admin stale", admin, "Assigns new hash slot ranges to a node.", c.cmdAddSlots(false, true)),
				sub("delslots", -3, "no_async_loading admin stale", admin, "Sets hash slots as unbound for a node.", c.cmdAddSlots(true, false)),
				sub("delslotsrange", -4, "no_async_loading admin stale", admin, "Sets hash slot ranges as unbound for a node.", c.cmdAddSlots(true, true)),
				sub("flushslots", 2, "no_async_loading admin stale", admin, "Deletes all slots information from a node.", c.cmdFlushSlots),
				sub("bumpepoch", 2, "no_async_loading admin stale", admin, "Advances the cluster config epoch.", c.cmdBumpEpoch),
				sub("count-failure-reports", 3, "admin stale", admin, "Returns the number of active failure reports active for a node.", c.cmdCountFailureReports),
				sub("countkeysinslot", 3, "stale", "slow", "Returns the number of keys in a hash slot.", c.cmdCountKeysInSlot),
				sub("getkeysinslot", 4, "stale", "slow", "Returns the key names in a hash slot.", c.cmdGetKeysInSlot),
				sub("forget", 3, "no_async_loading admin stale", admin, "Removes a node from the nodes table.", c.cmdForget),
				sub("info", 2, "stale", "slow", "Returns information about the state of a node.", c.cmdInfo),
				sub("keyslot", 3, "stale", "slow", "Returns the hash slot for a key.", c.cmdKeySlot),
				sub("links", 2, "stale", "slow", "Returns a list of all TCP links to and from peer nodes.", c.cmdLinks),
				sub("meet", -4, "no_async_loading admin stale", admin, "Forces a node to handshake with another node.", c.cmdMeet),
				sub("myid", 2, "stale", "slow", "Returns the ID of a node.", c.cmdMyID),
				sub("myshardid", 2, "stale", "slow", "Returns the shard ID of a node.", c.cmdMyShardID),
				sub("nodes", 2, "stale", "slow", "Returns the cluster configuration for a node.", c.cmdNodes),
				sub("replicas", 3, "admin stale", admin, "Lists the replica nodes of a master node.", c.cmdReplicas),
				sub("slaves", 3, "admin stale", admin, "Lists the replica nodes of a master node.", c.cmdReplicas),
				sub("reset", -2, "admin stale noscript", admin, "Resets a node.", c.cmdReset),
				sub("saveconfig", 2, "no_async_loading admin stale", admin, "Forces a node to save the cluster configuration to disk.", c.cmdSaveConfig),
				sub("set-config-epoch", 3, "no_async_loading admin stale", admin, "Sets the configuration epoch for a new node.", c.cmdSetConfigEpoch),
				sub("setslot", -4, "no_async_loading admin stale", admin, "Binds a hash slot to a node.", c.cmdSetSlot),
				sub("shards", 2, "loading stale", "slow", "Returns the mapping of cluster slots to shards.", c.cmdShards),
				sub("slots", 2, "loading stale", "slow", "Returns the mapping of cluster slots to nodes.", c.cmdSlots),
				sub("replicate", 3, "no_async_loading admin stale", admin, "Configure a node as replica of a master node.", c.cmdReplicate),
				sub("failover", -2, "no_async_loading admin stale", admin, "Forces a replica to perform a manual failover of its master.", c.cmdFailover),
			}},
		{Name: "asking", Arity: 1, Flags: "fast", ACL: "fast connection", Group: "cluster", Since: "3.0.0",
			Summary: "Signals that a cluster client is following an -ASK redirect.", Handler: c.cmdAsking},
		{Name: "readonly", Arity: 1, Flags: "loading stale fast", ACL: "fast connection", Group: "cluster", Since: "3.0.0",
			Summary: "Enables read-only queries for a connection to a Redis Cluster replica node.", Handler: c.cmdReadOnly(true)},
		{Name: "readwrite", Arity: 1, Flags: "loading stale fast", ACL: "fast connection", Group: "cluster", Since: "3.0.0",
			Summary: "Enables read-write queries for a connection to a Reids Cluster replica node.", Handler: c.cmdReadOnly(false)},
	}
}

var helpLines = []string{
	"ADDSLOTS <slot> [<slot> ...]", "    Assign slots to current node.",
	"ADDSLOTSRANGE <start slot> <end slot> [<start slot> <end slot> ...]", "    Assign slots which are between <start-slot> and <end-slot> to current node.",
	"BUMPEPOCH", "    Advance the cluster config epoch.",
	"COUNT-FAILURE-REPORTS <node-id>", "    Return number of failure reports for <node-id>.",
	"COUNTKEYSINSLOT <slot>", "    Return the number of keys in <slot>.",
	"DELSLOTS <slot> [<slot> ...]", "    Delete slots information from current node.",
	"DELSLOTSRANGE <start slot> <end slot> [<start slot> <end slot> ...]", "    Delete slots information which are between <start-slot> and <end-slot> from current node.",
	"FAILOVER [FORCE|TAKEOVER]", "    Promote current replica node to being a master.",
	"FORGET <node-id>", "    Remove a node from the cluster.",
	"GETKEYSINSLOT <slot> <count>", "    Return key names stored by current node in a slot.",
	"FLUSHSLOTS", "    Delete current node own slots information.",
	"INFO", "    Return information about the cluster.",
	"KEYSLOT <key>", "    Return the hash slot for <key>.",
	"MEET <ip> <port> [<bus-port>]", "    Connect nodes into a working cluster.",
	"MYID", "    Return the node id.",
	"MYSHARDID", "    Return the node's shard id.",
	"NODES", "    Return cluster configuration seen by node. Output format:",
	"    <id> <ip:port@bus-port[,hostname]> <flags> <master> <pings> <pongs> <epoch> <link> <slot> ...",
	"REPLICATE <node-id>", "    Configure current node as replica to <node-id>.",
	"RESET [HARD|SOFT]", "    Reset current node (default: soft).",
	"SET-CONFIG-EPOCH <epoch>", "    Set config epoch of current node.",
	"SETSLOT <slot> (IMPORTING <node-id>|MIGRATING <node-id>|STABLE|NODE <node-id>)", "    Set slot state.",
	"REPLICAS <node-id>", "    Return <node-id> replicas.",
	"SAVECONFIG", "    Force saving cluster configuration on disk.",
	"SLOTS", "    Return information about slots range mappings. Each range is made of:",
	"    start, end, master and replicas IP addresses, ports and ids",
	"SHARDS", "    Return information about slot range mappings and the nodes associated with them.",
	"LINKS", "    Return information about all network links between this node and its peers.",
	"    Output format is an array where each array element is a map containing attributes of a link",
	"HELP", "    Print this help.",
}

func (c *Cluster) cmdHelp(cl commands.Client, _ [][]byte) {
	w := cl.Writer()
	w.ArrayLen(len(helpLines) + 1)
	w.SimpleString("CLUSTER <subcommand> [<arg> [value] [opt] ...]. Subcommands are:")
	for _, l := range helpLines {
		w.SimpleString(l)
	}
}

// done marks a configuration change: the state is recomputed and
// nodes.conf saved before the reply goes out, as Redis's beforeSleep.
func (c *Cluster) done(state bool) {
	c.todoSave = true
	if state {
		c.todoState = true
	}
	c.beforeSleep()
}

func (c *Cluster) cmdAddSlots(del, ranges bool) commands.Handler {
	return func(cl commands.Client, args [][]byte) {
		if ranges && len(args)%2 == 1 {
			cl.Error(fmt.Sprintf("ERR wrong number of arguments for 'cluster|%s' command", strings.ToLower(string(args[1]))))
			return
		}
		var marks [numSlots]byte
		step := 1
		if ranges {
			step = 2
		}
		// Parse everything first, then check assignments, as Redis does.
		type rng struct{ a, b int }
		var rs []rng
		for j := 2; j < len(args); j += step {
			a, ok := parseSlot(args[j])
			if !ok {
				cl.Error(msgInvalidSlot)
				return
			}
			b := a
			if ranges {
				if b, ok = parseSlot(args[j+1]); !ok {
					cl.Error(msgInvalidSlot)
					return
				}
				if a > b {
					cl.Error(fmt.Sprintf("ERR start slot number %d is greater than end slot number %d", a, b))
					return
				}
			}
			rs = append(rs, rng{a, b})
		}
		for _, r := range rs {
			for s := r.a; s <= r.b; s++ {
				if del && c.slots[s] == nil {
					cl.Error(fmt.Sprintf("ERR Slot %d is already unassigned", s))
					return
				} else if !del && c.slots[s] != nil {
					cl.Error(fmt.Sprintf("ERR Slot %d is already busy", s))
					return
				}
				marks[s]++
				if marks[s] == 2 {
					cl.Error(fmt.Sprintf("ERR Slot %d specified multiple times", s))
					return
				}
			}
		}
		for s := 0; s < numSlots; s++ {
			if marks[s] == 0 {
				continue
			}
			if del {
				c.delSlot(s)
			} else {
				c.importing[s] = nil
				c.addSlot(c.myself, s)
			}
		}
		c.done(true)
		cl.OK()
	}
}

func (c *Cluster) cmdFlushSlots(cl commands.Client, _ [][]byte) {
	if c.keys.Size(0) != 0 {
		cl.Error("ERR DB must be empty to perform CLUSTER FLUSHSLOTS.")
		return
	}
	c.delNodeSlots(c.myself)
	c.done(true)
	cl.OK()
}

func (c *Cluster) cmdBumpEpoch(cl commands.Client, _ [][]byte) {
	word := "STILL"
	if c.bumpEpochWithoutConsensus() {
		word = "BUMPED"
	}
	c.done(false)
	cl.Writer().SimpleString(fmt.Sprintf("%s %d", word, c.myself.Epoch))
}

func (c *Cluster) cmdCountFailureReports(cl commands.Client, args [][]byte) {
	n := c.lookup(string(args[2]))
	if n == nil {
		cl.Error("ERR Unknown node " + string(args[2]))
		return
	}
	n.cleanupFailureReports(nowMs(), c.nodeTimeout())
	cl.Writer().Int(int64(len(n.failReports)))
}

func (c *Cluster) cmdCountKeysInSlot(cl commands.Client, args [][]byte) {
	v, ok := parseInt(args[2])
	if !ok {
		cl.Error("ERR value is not an integer or out of range")
		return
	}
	if v < 0 || v >= numSlots {
		cl.Error("ERR Invalid slot")
		return
	}
	cl.Writer().Int(int64(c.keys.CountKeysInSlot(int(v))))
}

func (c *Cluster) cmdGetKeysInSlot(cl commands.Client, args [][]byte) {
	slot, ok1 := parseInt(args[2])
	maxKeys, ok2 := parseInt(args[3])
	if !ok1 || !ok2 {
		cl.Error("ERR value is not an integer or out of range")
		return
	}
	if slot < 0 || slot >= numSlots || maxKeys < 0 {
		cl.Error("ERR Invalid slot or number of keys")
		return
	}
	keys := c.keys.KeysInSlot(int(slot), int(min(maxKeys, int64(c.keys.CountKeysInSlot(int(slot))))))
	w := cl.Writer()
	w.ArrayLen(len(keys))
	for _, k := range keys {
		w.Bulk(k)
	}
}

func (c *Cluster) cmdForget(cl commands.Client, args [][]byte) {
	name := string(args[2])
	n := c.lookup(name)
	switch {
	case n == nil:
		if c.blacklisted(name) {
			cl.OK()
		} else {
			cl.Error("ERR Unknown node " + name)
		}
		return
	case n == c.myself:
		cl.Error("ERR I tried hard but I can't forget myself...")
		return
	case c.myself.isSlave() && c.myself.slaveof == n:
		cl.Error("ERR Can't forget my master!")
		return
	}
	c.blacklistAdd(name)
	c.delNode(n)
	c.done(true)
	cl.OK()
}

// infoString is CLUSTER INFO.
func (c *Cluster) infoString() string {
	assigned, ok, pfail, fail := 0, 0, 0, 0
	for _, n := range c.slots {
		if n == nil {
			continue
		}
		assigned++
		switch {
		case n.failed():
			fail++
		case n.timedOut():
			pfail++
		default:
			ok++
		}
	}
	myEpoch := c.myself.Epoch
	if c.myself.isSlave() && c.myself.slaveof != nil {
		myEpoch = c.myself.slaveof.Epoch
	}
	var b strings.Builder
	fmt.Fprintf(&b, "cluster_state:%s\r\n", map[int]string{stateOK: "ok", stateFail: "fail"}[c.state])
	fmt.Fprintf(&b, "cluster_slots_assigned:%d\r\ncluster_slots_ok:%d\r\ncluster_slots_pfail:%d\r\ncluster_slots_fail:%d\r\n", assigned, ok, pfail, fail)
	fmt.Fprintf(&b, "cluster_known_nodes:%d\r\ncluster_size:%d\r\ncluster_current_epoch:%d\r\ncluster_my_epoch:%d\r\n", len(c.nodes), c.size, c.currentEpoch, myEpoch)
	var tot int64
	for i, v := range c.statsSent {
		if v != 0 {
			tot += v
			fmt.Fprintf(&b, "cluster_stats_messages_%s_sent:%d\r\n", typeNames[i], v)
		}
	}
	fmt.Fprintf(&b, "cluster_stats_messages_sent:%d\r\n", tot)
	tot = 0
	for i, v := range c.statsRecv {
		if v != 0 {
			tot += v
			fmt.Fprintf(&b, "cluster_stats_messages_%s_received:%d\r\n", typeNames[i], v)
		}
	}
	fmt.Fprintf(&b, "cluster_stats_messages_received:%d\r\n", tot)
	b.WriteString("total_cluster_links_buffer_limit_exceeded:0\r\n")
	return b.String()
}

func (c *Cluster) cmdInfo(cl commands.Client, _ [][]byte) {
	cl.Writer().Verbatim("txt", []byte(c.infoString()))
}

func (c *Cluster) cmdKeySlot(cl commands.Client, args [][]byte) {
	cl.Writer().Int(int64(keyspace.KeySlot(args[2])))
}

func (c *Cluster) cmdLinks(cl commands.Client, _ [][]byte) {
	type row struct {
		l   *link
		dir string
	}
	var rows []row
	for _, n := range c.sortedNodes() {
		if n.link != nil {
			rows = append(rows, row{n.link, "to"})
		}
		if n.inbound != nil {
			rows = append(rows, row{n.inbound, "from"})
		}
	}
	w := cl.Writer()
	w.ArrayLen(len(rows))
	for _, r := range rows {
		w.MapLen(6)
		w.BulkString("direction")
		w.BulkString(r.dir)
		w.BulkString("node")
		w.BulkString(r.l.node.Name)
		w.BulkString("create-time")
		w.Int(r.l.ctime)
		w.BulkString("events")
		if r.dir == "to" {
			w.BulkString("rw")
		} else {
			w.BulkString("r")
		}
		w.BulkString("send-buffer-allocated")
		w.Int(0)
		w.BulkString("send-buffer-used")
		w.Int(int64(len(r.l.out)))
	}
}

func (c *Cluster) cmdMeet(cl commands.Client, args [][]byte) {
	if len(args) > 5 {
		cl.Error("ERR wrong number of arguments for 'cluster|meet' command")
		return
	}
	port, ok := parseInt(args[3])
	if !ok {
		cl.Error("ERR Invalid base port specified: " + string(args[3]))
		return
	}
	cport := port + 10000
	if len(args) == 5 {
		if cport, ok = parseInt(args[4]); !ok {
			cl.Error("ERR Invalid bus port specified: " + string(args[4]))
			return
		}
	}
	if port > 65535 || cport > 65535 || port <= 0 || cport <= 0 || !c.startHandshake(string(args[2]), int(port), int(cport)) {
		cl.Error(fmt.Sprintf("ERR Invalid node address specified: %s:%s", args[2], args[3]))
		return
	}
	c.done(false)
	cl.OK()
}

func (c *Cluster) cmdMyID(cl commands.Client, _ [][]byte) { cl.Writer().BulkString(c.myself.Name) }

func (c *Cluster) cmdMyShardID(cl commands.Client, _ [][]byte) {
	cl.Writer().BulkString(c.myself.ShardID)
}

func (c *Cluster) cmdNodes(cl commands.Client, _ [][]byte) {
	cl.Writer().Verbatim("txt", []byte(c.nodesDescription(false)))
}

func (c *Cluster) cmdReplicas(cl commands.Client, args [][]byte) {
	n := c.lookup(string(args[2]))
	if n == nil {
		cl.Error("ERR Unknown node " + string(args[2]))
		return
	}
	if n.isSlave() {
		cl.Error("ERR The specified node is not a master")
		return
	}
	w := cl.Writer()
	w.ArrayLen(len(n.replicas))
	for _, r := range n.replicas {
		w.BulkString(c.nodeLine(r, false))
	}
}

func (c *Cluster) cmdReplicate(cl commands.Client, args [][]byte) {
	n := c.lookup(string(args[2]))
	switch {
	case n == nil:
		cl.Error("ERR Unknown node " + string(args[2]))
	case n == c.myself:
		cl.Error("ERR Can't replicate myself")
	case n.isSlave():
		cl.Error("ERR I can only replicate a master, not a replica.")
	case c.myself.isMaster() && (c.myself.numSlots != 0 || c.keys.Size(0) != 0):
		cl.Error("ERR To set a master the node must be empty and without assigned slots.")
	default:
		cl.Error("ERR modhost cannot be a replica in cluster mode yet")
	}
}

func (c *Cluster) cmdFailover(cl commands.Client, args [][]byte) {
	if len(args) > 3 {
		cl.Error("ERR wrong number of arguments for 'cluster|failover' command")
		return
	}
	if len(args) == 3 {
		if o := strings.ToLower(string(args[2])); o != "force" && o != "takeover" {
			cl.Error("ERR syntax error")
			return
		}
	}
	if c.myself.isMaster() {
		cl.Error("ERR You should send CLUSTER FAILOVER to a replica")
		return
	}
	cl.Error("ERR I'm a replica but my master is unknown to me")
}

func (c *Cluster) cmdSaveConfig(cl commands.Client, _ [][]byte) {
	if err := c.saveConfig(); err != nil {
		cl.Error("ERR error saving the cluster node config: " + err.Error())
		return
	}
	cl.OK()
}

func (c *Cluster) cmdSetConfigEpoch(cl commands.Client, args [][]byte) {
	epoch, ok := parseInt(args[2])
	switch {
	case !ok:
		cl.Error("ERR value is not an integer or out of range")
	case epoch < 0:
		cl.Error(fmt.Sprintf("ERR Invalid config epoch specified: %d", epoch))
	case len(c.nodes) > 1:
		cl.Error("ERR The user can assign a config epoch only when the node does not know any other node.")
	case c.myself.Epoch != 0:
		cl.Error("ERR Node config epoch is already non-zero")
	default:
		c.myself.Epoch = uint64(epoch)
		c.srv.Log.Noticef("configEpoch set to %d via CLUSTER SET-CONFIG-EPOCH", epoch)
		if c.currentEpoch < uint64(epoch) {
			c.currentEpoch = uint64(epoch)
		}
		c.done(true)
		cl.OK()
	}
}

func (c *Cluster) cmdSetSlot(cl commands.Client, args [][]byte) {
	if c.myself.isSlave() {
		cl.Error("ERR Please use SETSLOT only with masters.")
		return
	}
	slot, ok := parseSlot(args[2])
	if !ok {
		cl.Error(msgInvalidSlot)
		return
	}
	action := strings.ToLower(string(args[3]))
	var n *Node
	if len(args) == 5 {
		n = c.lookup(string(args[4]))
	}
	switch {
	case action == "migrating" && len(args) == 5:
		if c.slots[slot] != c.myself {
			cl.Error(fmt.Sprintf("ERR I'm not the owner of hash slot %d", slot))
			return
		}
		if n == nil {
			cl.Error("ERR I don't know about node " + string(args[4]))
			return
		}
		if n.isSlave() {
			cl.Error("ERR Target node is not a master")
			return
		}
		c.migrating[slot] = n
	case action == "importing" && len(args) == 5:
		if c.slots[slot] == c.myself {
			cl.Error(fmt.Sprintf("ERR I'm already the owner of hash slot %d", slot))
			return
		}
		if n == nil {
			cl.Error("ERR I don't know about node " + string(args[4]))
			return
		}
		if n.isSlave() {
			cl.Error("ERR Target node is not a master")
			return
		}
		c.importing[slot] = n
	case action == "stable" && len(args) == 4:
		c.importing[slot] = nil
		c.migrating[slot] = nil
	case action == "node" && len(args) == 5:
		if n == nil {
			cl.Error("ERR Unknown node " + string(args[4]))
			return
		}
		if n.isSlave() {
			cl.Error("ERR Target node is not a master")
			return
		}
		count := c.keys.CountKeysInSlot(slot)
		if c.slots[slot] == c.myself && n != c.myself && count != 0 {
			cl.Error(fmt.Sprintf("ERR Can't assign hashslot %d to a different node while I still hold keys for this hash slot.", slot))
			return
		}
		if count == 0 && c.migrating[slot] != nil {
			c.migrating[slot] = nil
		}
		c.delSlot(slot)
		c.addSlot(n, slot)
		if n == c.myself && c.importing[slot] != nil {
			if c.bumpEpochWithoutConsensus() {
				c.srv.Log.Noticef("configEpoch updated after importing slot %d", slot)
			}
			c.importing[slot] = nil
			c.broadcastPong()
		}
	default:
		cl.Error("ERR Invalid CLUSTER SETSLOT action or number of arguments. Try CLUSTER HELP")
		return
	}
	c.done(true)
	cl.OK()
}

// nodeReply writes a node of a CLUSTER SLOTS range: endpoint, port, id
// and the map of extra networking metadata (empty: no hostname).
func nodeReply(w interface {
	ArrayLen(int)
	BulkString(string)
	Int(int64)
	MapLen(int)
}, n *Node) {
	w.ArrayLen(4)
	w.BulkString(n.IP)
	w.Int(int64(n.Port))
	w.BulkString(n.Name)
	if n.Hostname != "" {
		w.MapLen(1)
		w.BulkString("hostname")
		w.BulkString(n.Hostname)
	} else {
		w.MapLen(0)
	}
}

func (c *Cluster) cmdSlots(cl commands.Client, _ [][]byte) {
	w := cl.Writer()
	mark := w.DeferLen()
	count := 0
	start := -1
	for i := 0; i <= numSlots; i++ {
		var n *Node
		if i < numSlots {
			n = c.slots[i]
		}
		if start >= 0 && (i == numSlots || n != c.slots[start]) {
			owner := c.slots[start]
			var reps []*Node
			for _, r := range owner.replicas {
				if !r.failed() {
					reps = append(reps, r)
				}
			}
			w.ArrayLen(3 + len(reps))
			w.Int(int64(start))
			w.Int(int64(i - 1))
			nodeReply(w, owner)
			for _, r := range reps {
				nodeReply(w, r)
			}
			count++
			start = -1
		}
		if n != nil && start < 0 {
			start = i
		}
	}
	w.SetDeferredArrayLen(mark, count)
}

func (c *Cluster) cmdShards(cl commands.Client, _ [][]byte) {
	var masters []*Node
	for _, n := range c.sortedNodes() {
		if n.isMaster() && !n.inHandshake() {
			masters = append(masters, n)
		}
	}
	w := cl.Writer()
	w.ArrayLen(len(masters))
	for _, m := range masters {
		w.MapLen(2)
		w.BulkString("slots")
		rs := m.slotRanges()
		w.ArrayLen(2 * len(rs))
		for _, r := range rs {
			w.Int(int64(r[0]))
			w.Int(int64(r[1]))
		}
		w.BulkString("nodes")
		w.ArrayLen(1 + len(m.replicas))
		c.shardNode(w, m)
		for _, r := range m.replicas {
			c.shardNode(w, r)
		}
	}
}

func (c *Cluster) shardNode(w interface {
	ArrayLen(int)
	BulkString(string)
	Int(int64)
	MapLen(int)
}, n *Node) {
	pairs := 7
	if n.Hostname != "" {
		pairs++
	}
	w.MapLen(pairs)
	w.BulkString("id")
	w.BulkString(n.Name)
	w.BulkString("port")
	w.Int(int64(n.Port))
	w.BulkString("ip")
	w.BulkString(n.IP)
	w.BulkString("endpoint")
	w.BulkString(n.IP)
	if n.Hostname != "" {
		w.BulkString("hostname")
		w.BulkString(n.Hostname)
	}
	w.BulkString("role")
	if n.isMaster() {
		w.BulkString("master")
	} else {
		w.BulkString("replica")
	}
	w.BulkString("replication-offset")
	w.Int(0)
	w.BulkString("health")
	if n.failed() {
		w.BulkString("fail")
	} else {
		w.BulkString("online")
	}
}

func (c *Cluster) cmdReset(cl commands.Client, args [][]byte) {
	if len(args) > 3 {
		cl.Error("ERR wrong number of arguments for 'cluster|reset' command")
		return
	}
	hard := false
	if len(args) == 3 {
		switch strings.ToLower(string(args[2])) {
		case "hard":
			hard = true
		case "soft":
		default:
			cl.Error("ERR syntax error")
			return
		}
	}
	if c.myself.isMaster() && c.keys.Size(0) != 0 {
		cl.Error("ERR CLUSTER RESET can't be called with master nodes containing keys")
		return
	}
	c.reset(hard)
	cl.OK()
}

// reset forgets every other node and every slot (Redis's clusterReset).
func (c *Cluster) reset(hard bool) {
	c.setNodeAsMaster(c.myself)
	for j := 0; j < numSlots; j++ {
		c.migrating[j], c.importing[j] = nil, nil
	}
	c.delNodeSlots(c.myself)
	for _, n := range c.nodes {
		if n != c.myself {
			c.delNode(n)
		}
	}
	if hard {
		c.currentEpoch, c.lastVoteEpoch, c.myself.Epoch = 0, 0, 0
		old := c.myself.Name
		c.renameNode(c.myself, randomName())
		c.myself.ShardID = randomName()
		c.srv.Log.Noticef("Node hard reset, now I'm %s (was %s)", c.myself.Name, old)
	}
	c.done(true)
}

func (c *Cluster) cmdAsking(cl commands.Client, _ [][]byte) {
	stateOf(cl.(*server.Client), true).asking = true
	cl.OK()
}

func (c *Cluster) cmdReadOnly(on bool) commands.Handler {
	return func(cl commands.Client, _ [][]byte) {
		stateOf(cl.(*server.Client), true).readonly = on
		cl.OK()
	}
}
