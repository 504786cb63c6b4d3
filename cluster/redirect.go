package cluster

import (
	"fmt"
	"strconv"
	"syscall"

	"github.com/modhost/modhost/commands"
	"github.com/modhost/modhost/keyspace"
	"github.com/modhost/modhost/server"
)

// Redirection errors (Redis's clusterRedirectClient texts).
const (
	msgCrossSlot   = "CROSSSLOT Keys in request don't hash to the same slot"
	msgTryAgain    = "TRYAGAIN Multiple keys request during rehashing of slot"
	msgDown        = "CLUSTERDOWN The cluster is down"
	msgDownRO      = "CLUSTERDOWN The cluster is down and only accepts read commands"
	msgDownUnbound = "CLUSTERDOWN Hash slot not served"
)

// Module cluster flags (REDISMODULE_CLUSTER_FLAG_*).
const (
	moduleFlagNoFailover    = 1 << 1
	moduleFlagNoRedirection = 1 << 2
)

// clientState is a client's cluster flags (ASKING, READONLY), kept in
// the client's extension map.
type clientState struct {
	asking, readonly bool
}

type clientStateKey struct{}

func stateOf(c *server.Client, create bool) *clientState {
	if v, ok := c.Ext[clientStateKey{}]; ok {
		return v.(*clientState)
	}
	if !create {
		return nil
	}
	st := &clientState{}
	if c.Ext == nil {
		c.Ext = map[any]any{}
	}
	c.Ext[clientStateKey{}] = st
	return st
}

// check is the server's cluster check, run before every command: Redis's
// processCommand cluster block and getNodeByQuery, plus the commands
// cluster mode changes (SELECT, MOVE, SWAPDB).
func (c *Cluster) check(cl *server.Client, cmd *commands.Command, args [][]byte) string {
	st := stateOf(cl, false)
	asking := st != nil && st.asking
	if asking && !cl.InMulti() && cmd.FullName != "asking" {
		// ASKING lasts one command (or the whole MULTI ... EXEC).
		st.asking = false
	}
	msg := c.redirect(cl, cmd, args, asking, st != nil && st.readonly)
	if msg != "" {
		return msg
	}
	switch cmd.FullName {
	case "select":
		if id, err := strconv.ParseInt(string(args[1]), 10, 64); err == nil && id != 0 {
			return "ERR SELECT is not allowed in cluster mode"
		}
	case "move":
		return "ERR MOVE is not allowed in cluster mode"
	case "swapdb":
		return "ERR SWAPDB is not allowed in cluster mode"
	}
	return ""
}

// redirect returns the redirection or cluster error for a keyed command,
// or "" when this node serves it (Redis's getNodeByQuery).
func (c *Cluster) redirect(cl *server.Client, cmd *commands.Command, args [][]byte, asking, readonly bool) string {
	if c.moduleFlags&moduleFlagNoRedirection != 0 {
		return ""
	}
	isExec := cmd.FullName == "exec"
	if !isExec && cmd.Flags&commands.FlagMovableKeys == 0 && len(cmd.Specs()) == 0 && cmd.FirstKey == 0 {
		return ""
	}
	var cmds []*commands.Command
	var argvs [][][]byte
	if isExec {
		if !cl.InMulti() {
			return ""
		}
		cmds, argvs = cl.QueuedCommands()
	} else {
		cmds, argvs = []*commands.Command{cmd}, [][][]byte{args}
	}
	var n *Node
	var firstKey []byte
	slot := 0
	migrating, importing, multipleKeys := false, false, false
	missing, existing := 0, 0
	pubsubShard := false
	write := false
	for i, mc := range cmds {
		margs := argvs[i]
		if mc.Flags&commands.FlagWrite != 0 {
			write = true
		}
		switch mc.FullName {
		case "ssubscribe", "sunsubscribe", "spublish":
			pubsubShard = true
		}
		keys, _ := mc.Keys(margs)
		for _, k := range keys {
			key := margs[k.Pos]
			ks := keyspace.KeySlot(key)
			if firstKey == nil {
				firstKey = key
				slot = ks
				n = c.slots[slot]
				if n == nil {
					return msgDownUnbound
				}
				if n == c.myself && c.migrating[slot] != nil {
					migrating = true
				} else if c.importing[slot] != nil {
					importing = true
				}
			} else {
				if ks != slot {
					return msgCrossSlot
				}
				if importing && !multipleKeys && string(firstKey) != string(key) {
					multipleKeys = true
				}
			}
			if (migrating || importing) && !pubsubShard {
				if c.keys.Exists(0, key) {
					existing++
				} else {
					missing++
				}
			}
		}
	}
	if n == nil {
		return ""
	}
	if c.state != stateOK {
		if pubsubShard {
			if !c.srv.Config.Bool("cluster-allow-pubsubshard-when-down") {
				return msgDown
			}
		} else if !c.srv.Config.Bool("cluster-allow-reads-when-down") {
			return msgDown
		} else if write {
			return msgDownRO
		}
	}
	if (migrating || importing) && cmd.FullName == "migrate" {
		return ""
	}
	if migrating && missing > 0 {
		if existing > 0 {
			return msgTryAgain
		}
		return c.redirectMsg("ASK", slot, c.migrating[slot])
	}
	if importing && (asking || cmd.Flags&commands.FlagAsking != 0) {
		if multipleKeys && missing > 0 {
			return msgTryAgain
		}
		return ""
	}
	if (readonly || pubsubShard) && !write && c.myself.isSlave() && c.myself.slaveof == n {
		return ""
	}
	if n != c.myself {
		return c.redirectMsg("MOVED", slot, n)
	}
	return ""
}

func (c *Cluster) redirectMsg(kind string, slot int, n *Node) string {
	return fmt.Sprintf("%s %d %s:%d", kind, slot, c.endpoint(n), n.Port)
}

// endpoint is the address clients are sent to (cluster-preferred-endpoint-type ip).
func (c *Cluster) endpoint(n *Node) string {
	return n.IP
}

// redirectBlocked is the error a client blocked on key must get now, ""
// while this node still serves the key's slot (Redis's
// clusterRedirectBlockedClientIfNeeded): CLUSTERDOWN when the cluster
// fails (module blocks without keys included), CLUSTERDOWN for an
// unassigned slot, MOVED when another node serves it and it is not being
// imported here. A READONLY client of a replica may keep waiting on its
// master's slots.
func (c *Cluster) redirectBlocked(cl *server.Client, key []byte) string {
	if c.state == stateFail {
		return msgDown
	}
	if key == nil {
		return ""
	}
	slot := keyspace.KeySlot(key)
	n := c.slots[slot]
	if st := stateOf(cl, false); st != nil && st.readonly && c.myself.isSlave() && c.myself.slaveof == n {
		n = c.myself
	}
	switch {
	case n == c.myself || c.importing[slot] != nil:
		return ""
	case n == nil:
		return msgDownUnbound
	}
	return c.redirectMsg("MOVED", slot, n)
}

// callCheck is RedisModule_Call's cluster check (cl: the module's calling
// client, nil when none): the command runs only if this node serves its
// keys, else the error and errno RM_Call gives.
func (c *Cluster) callCheck(cl *server.Client, cmd *commands.Command, args [][]byte) (string, syscall.Errno) {
	if cmd.FullName == "exec" {
		return "", 0 // no transaction of its own: nothing queued to place
	}
	asking, readonly := false, false
	if cl != nil {
		if st := stateOf(cl, false); st != nil {
			asking, readonly = st.asking, st.readonly
		}
	}
	switch c.redirect(cl, cmd, args, asking, readonly) {
	case "":
		return "", 0
	case msgDownRO:
		return fmt.Sprintf("Can not execute a write command '%s' while the cluster is down and readonly", cmd.FullName), syscall.EROFS
	case msgDown:
		return fmt.Sprintf("Can not execute a command '%s' while the cluster is down", cmd.FullName), syscall.ENETDOWN
	}
	return "Attempted to access a non local key in a cluster node", syscall.EPERM
}
