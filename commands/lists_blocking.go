package commands

// Blocking list commands: BLPOP, BRPOP, BLMPOP, BLMOVE, BRPOPLPUSH.
//
// They follow Redis 7.2: a client blocked on several keys is examined when
// one of them becomes a non-empty list, and is then served by running its
// command again over all its keys (so it may pop from a key other than the
// one that woke it, or answer WRONGTYPE). Clients are served oldest first,
// keys in the order they became ready; the host does the bookkeeping
// (Client.BlockOnKeys, Server.SignalKeyAsReady). Inside MULTI/EXEC (or for
// clients that cannot block) an empty result is answered at once with the
// timeout reply.

import (
	"time"

	"github.com/modhost/modhost/keyspace"
)

// blockingListCommands are the blocking list commands.
var blockingListCommands = []Entry{
	{Name: "blpop", Arity: -3, Flags: "write blocking", FirstKey: 1, LastKey: -2, KeyStep: 1,
		KeySpecs: "RW access delete: i1 r-2,1,0",
		ACL:      "write list slow blocking", Group: "list", Since: "2.0.0",
		Handler: blpopCommand},
	{Name: "brpop", Arity: -3, Flags: "write blocking", FirstKey: 1, LastKey: -2, KeyStep: 1,
		KeySpecs: "RW access delete: i1 r-2,1,0",
		ACL:      "write list slow blocking", Group: "list", Since: "2.0.0",
		Handler: brpopCommand},
	{Name: "blmove", Arity: 6, Flags: "write denyoom blocking", FirstKey: 1, LastKey: 2, KeyStep: 1,
		KeySpecs: "RW access delete: i1 r0,1,0 | RW insert: i2 r0,1,0",
		ACL:      "write list slow blocking", Group: "list", Since: "6.2.0",
		Handler: blmoveCommand},
	{Name: "brpoplpush", Arity: 4, Flags: "write denyoom blocking", FirstKey: 1, LastKey: 2, KeyStep: 1,
		KeySpecs: "RW access delete: i1 r0,1,0 | RW insert: i2 r0,1,0",
		ACL:      "write list slow blocking", Group: "list", Since: "2.2.0",
		Handler: brpoplpushCommand},
	{Name: "blmpop", Arity: -5, Flags: "write blocking movablekeys",
		KeySpecs: "RW access delete: i2 n0,1,1",
		ACL:      "write list slow blocking", Group: "list", Since: "7.0.0",
		Handler: blmpopCommand, GetKeys: listNumkeysKeys(2)},
}

// listCopyArgs copies arguments that must outlive the handler (they alias
// the connection's read buffer).
func listCopyArgs(args [][]byte) [][]byte {
	n := 0
	for _, a := range args {
		n += len(a)
	}
	buf := make([]byte, 0, n)
	out := make([][]byte, len(args))
	for i, a := range args {
		buf = append(buf, a...)
		out[i] = buf[len(buf)-len(a) : len(buf) : len(buf)]
	}
	return out
}

// listIsReady reports whether key in the client's db holds a list, the
// condition under which Redis re-runs a client blocked on it.
func listIsReady(c Client, key []byte) bool {
	v := ks(c).LookupWrite(c.DBIndex(), key, keyspace.LookupNoNotify)
	return v != nil && v.Kind() == keyspace.KindList
}

// listTimeoutArray is the timeout (and CLIENT UNBLOCK) reply of every
// blocking list command: a null array, even for BLMOVE and BRPOPLPUSH whose
// non-blocking empty reply is a null bulk (Redis answers by block type).
func listTimeoutArray(c Client) { c.Writer().NullArray() }

func blpopCommand(c Client, a [][]byte) {
	listBlockingPop(c, a[1:len(a)-1], a[len(a)-1], true, -1)
}

func brpopCommand(c Client, a [][]byte) {
	listBlockingPop(c, a[1:len(a)-1], a[len(a)-1], false, -1)
}

func blmpopCommand(c Client, a [][]byte) {
	m, ok := parseListMpop(c, a, 2)
	if !ok {
		return
	}
	listBlockingPop(c, m.keys, a[1], m.head, m.count)
}

// listBlockingPop is Redis's blockingPopGenericCommand: pop at once when a
// key holds elements, else block on every key (count -1 is BLPOP/BRPOP's
// single-element reply).
func listBlockingPop(c Client, keys [][]byte, timeoutB []byte, head bool, count int64) {
	timeout, ok := timeoutArg(c, timeoutB)
	if !ok {
		return
	}
	if listTryPop(c, keys, head, count) {
		return
	}
	if !c.CanBlock() {
		c.Writer().NullArray()
		return
	}
	own := listCopyArgs(keys)
	c.BlockOnKeys(own, timeout, func(c Client, key []byte) bool {
		return listIsReady(c, key) && listTryPop(c, own, head, count)
	}, listTimeoutArray)
}

func blmoveCommand(c Client, a [][]byte) {
	from, ok := listWhereArg(c, a[3])
	if !ok {
		return
	}
	to, ok := listWhereArg(c, a[4])
	if !ok {
		return
	}
	timeout, ok := timeoutArg(c, a[5])
	if !ok {
		return
	}
	listBlockingMove(c, a[1], a[2], from, to, timeout)
}

func brpoplpushCommand(c Client, a [][]byte) {
	timeout, ok := timeoutArg(c, a[3])
	if !ok {
		return
	}
	listBlockingMove(c, a[1], a[2], false, true, timeout)
}

// listBlockingMove is Redis's blmoveGenericCommand: move at once when src
// exists, else block on src alone.
func listBlockingMove(c Client, src, dst []byte, from, to bool, timeout time.Duration) {
	v, ok := lookupWrite(c, src, keyspace.KindList)
	if !ok {
		return
	}
	if v != nil {
		listMove(c, src, dst, from, to)
		return
	}
	if !c.CanBlock() {
		c.Writer().NullBulk()
		return
	}
	own := listCopyArgs([][]byte{src, dst})
	c.BlockOnKeys(own[:1], timeout, func(c Client, key []byte) bool {
		if !listIsReady(c, key) {
			return false
		}
		listMove(c, own[0], own[1], from, to)
		return true
	}, listTimeoutArray)
}
