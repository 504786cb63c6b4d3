package commands

// Generic key commands (Redis's db.c): DEL, EXISTS, TYPE, RENAME, KEYS,
// RANDOMKEY, MOVE, COPY, SWAPDB, TOUCH, DUMP/RESTORE.

import (
	"math"

	"github.com/modhost/modhost/keyspace"
)

// genericCommands are the keyspace commands (db.c).
var genericCommands = []Entry{
	{Name: "del", Arity: -2, Flags: "write", FirstKey: 1, LastKey: -1, KeyStep: 1,
		KeySpecs: "RM delete: i1 r-1,1,0",
		Tips:     "request_policy:multi_shard response_policy:agg_sum",
		ACL:      "keyspace write slow", Group: "generic", Since: "1.0.0",
		Handler: delCommand},
	{Name: "unlink", Arity: -2, Flags: "write fast", FirstKey: 1, LastKey: -1, KeyStep: 1,
		KeySpecs: "RM delete: i1 r-1,1,0",
		Tips:     "request_policy:multi_shard response_policy:agg_sum",
		ACL:      "keyspace write fast", Group: "generic", Since: "4.0.0",
		Handler: unlinkCommand},
	{Name: "exists", Arity: -2, Flags: "readonly fast", FirstKey: 1, LastKey: -1, KeyStep: 1,
		KeySpecs: "RO: i1 r-1,1,0",
		Tips:     "request_policy:multi_shard response_policy:agg_sum",
		ACL:      "keyspace read fast", Group: "generic", Since: "1.0.0",
		Handler: existsCommand},
	{Name: "type", Arity: 2, Flags: "readonly fast", FirstKey: 1, LastKey: 1, KeyStep: 1,
		KeySpecs: "RO: i1 r0,1,0",
		ACL:      "keyspace read fast", Group: "generic", Since: "1.0.0",
		Handler: typeCommand},
	{Name: "touch", Arity: -2, Flags: "readonly fast", FirstKey: 1, LastKey: -1, KeyStep: 1,
		KeySpecs: "RO: i1 r-1,1,0",
		Tips:     "request_policy:multi_shard response_policy:agg_sum",
		ACL:      "keyspace read fast", Group: "generic", Since: "3.2.1",
		Handler: touchCommand},
	{Name: "rename", Arity: 3, Flags: "write", FirstKey: 1, LastKey: 2, KeyStep: 1,
		KeySpecs: "RW access delete: i1 r0,1,0 | OW update: i2 r0,1,0",
		ACL:      "keyspace write slow", Group: "generic", Since: "1.0.0",
		Handler: renameCommand(false)},
	{Name: "renamenx", Arity: 3, Flags: "write fast", FirstKey: 1, LastKey: 2, KeyStep: 1,
		KeySpecs: "RW access delete: i1 r0,1,0 | OW insert: i2 r0,1,0",
		ACL:      "keyspace write fast", Group: "generic", Since: "1.0.0",
		Handler: renameCommand(true)},
	{Name: "keys", Arity: 2, Flags: "readonly",
		Tips: "request_policy:all_shards nondeterministic_output_order",
		ACL:  "keyspace read slow dangerous", Group: "generic", Since: "1.0.0",
		Handler: keysCommand},
	{Name: "randomkey", Arity: 1, Flags: "readonly",
		Tips: "request_policy:all_shards response_policy:special nondeterministic_output",
		ACL:  "keyspace read slow", Group: "generic", Since: "1.0.0",
		Handler: randomkeyCommand},
	{Name: "move", Arity: 3, Flags: "write fast", FirstKey: 1, LastKey: 1, KeyStep: 1,
		KeySpecs: "RW access update: i1 r0,1,0",
		ACL:      "keyspace write fast", Group: "generic", Since: "1.0.0",
		Handler: moveCommand},
	{Name: "copy", Arity: -3, Flags: "write denyoom", FirstKey: 1, LastKey: 2, KeyStep: 1,
		KeySpecs: "RO access: i1 r0,1,0 | OW update: i2 r0,1,0",
		ACL:      "keyspace write slow", Group: "generic", Since: "6.2.0",
		Handler: copyCommand},
	{Name: "swapdb", Arity: 3, Flags: "write fast",
		ACL: "keyspace write fast dangerous", Group: "server", Since: "4.0.0",
		Handler: swapdbCommand},
	{Name: "dump", Arity: 2, Flags: "readonly", FirstKey: 1, LastKey: 1, KeyStep: 1,
		KeySpecs: "RO access: i1 r0,1,0",
		Tips:     "nondeterministic_output",
		ACL:      "keyspace read slow", Group: "generic", Since: "2.6.0",
		Handler: dumpCommand},
	{Name: "restore", Arity: -4, Flags: "write denyoom", FirstKey: 1, LastKey: 1, KeyStep: 1,
		KeySpecs: "OW update: i1 r0,1,0",
		ACL:      "keyspace write slow dangerous", Group: "generic", Since: "2.6.0",
		Handler: restoreCommand},
}

// Error texts of the generic family.
const (
	msgSameObject     = "ERR source and destination objects are the same"
	msgModuleNoCopy   = "ERR not supported for this module key"
	msgModuleCopyFail = "ERR module key failed to copy"
	msgInvalidFirstDB = "ERR invalid first DB index"
	msgInvalidSecDB   = "ERR invalid second DB index"
)

// delCommand is DEL; with lazyfree-lazy-user-del it is UNLINK, as in
// Redis.
func delCommand(c Client, a [][]byte) {
	if c.Config().Bool("lazyfree-lazy-user-del") {
		unlinkCommand(c, a)
		return
	}
	delGeneric(c, a, ks(c).Delete)
}

// unlinkCommand is DEL that unlinks module values the way Redis's lazy
// free does (keyspace.Unlink: a costly module value is freed in the
// background); Go values are left to the garbage collector.
func unlinkCommand(c Client, a [][]byte) { delGeneric(c, a, ks(c).Unlink) }

func delGeneric(c Client, a [][]byte, del func(db int, key []byte) bool) {
	k := ks(c)
	n := 0
	for _, key := range a[1:] {
		if del(c.DBIndex(), key) {
			k.Modified(c.DBIndex(), key, keyspace.NotifyGeneric, "del")
			n++
		}
	}
	c.Writer().Int(int64(n))
}

func existsCommand(c Client, a [][]byte) {
	k := ks(c)
	n := 0
	for _, key := range a[1:] {
		if k.LookupRead(c.DBIndex(), key, keyspace.LookupNoTouch) != nil {
			n++
		}
	}
	c.Writer().Int(int64(n))
}

func typeCommand(c Client, a [][]byte) {
	v := ks(c).LookupRead(c.DBIndex(), a[1], keyspace.LookupNoTouch)
	if v == nil {
		c.Writer().SimpleString("none")
		return
	}
	c.Writer().SimpleString(keyspace.TypeName(v))
}

func touchCommand(c Client, a [][]byte) {
	k := ks(c)
	n := 0
	for _, key := range a[1:] {
		if k.LookupRead(c.DBIndex(), key, 0) != nil {
			n++
		}
	}
	c.Writer().Int(int64(n))
}

func renameCommand(nx bool) Handler {
	return func(c Client, a [][]byte) {
		k := ks(c)
		src, dst := a[1], a[2]
		if k.LookupWrite(c.DBIndex(), src, 0) == nil {
			c.Error(msgNoSuchKey)
			return
		}
		if string(src) == string(dst) {
			if nx {
				c.Writer().Int(0)
			} else {
				c.OK()
			}
			return
		}
		if nx && k.LookupWrite(c.DBIndex(), dst, 0) != nil {
			c.Writer().Int(0)
			return
		}
		k.Rename(c.DBIndex(), src, dst)
		k.Modified(c.DBIndex(), src, keyspace.NotifyGeneric, "rename_from")
		k.Modified(c.DBIndex(), dst, keyspace.NotifyGeneric, "rename_to")
		k.Dirty-- // one change, as Redis counts it
		if nx {
			c.Writer().Int(1)
		} else {
			c.OK()
		}
	}
}

func keysCommand(c Client, a [][]byte) {
	mark := c.Writer().DeferLen()
	n := 0
	ks(c).Keys(c.DBIndex(), a[1], func(key string) bool {
		c.Writer().BulkString(key)
		n++
		return true
	})
	c.Writer().SetDeferredArrayLen(mark, n)
}

func randomkeyCommand(c Client, a [][]byte) {
	key, ok := ks(c).RandomKey(c.DBIndex())
	if !ok {
		c.Writer().NullBulk()
		return
	}
	c.Writer().BulkString(key)
}

// dbIndexArg parses a database number as getIntFromObjectOrReply does:
// msg (when not empty) replaces both of Redis's errors, the not-an-integer
// one and the int32 range one.
func dbIndexArg(c Client, b []byte, msg string) (int, bool) {
	v, ok := keyspace.ParseInt(b)
	switch {
	case ok && v >= math.MinInt32 && v <= math.MaxInt32:
		return int(v), true
	case msg != "":
		c.Error(msg)
	case !ok:
		c.Error(msgNotInt)
	default:
		c.Error("ERR value is out of range, value must between -2147483648 and 2147483647")
	}
	return 0, false
}

// validDB reports whether id names an existing database.
func validDB(c Client, id int) bool { return id >= 0 && id < ks(c).NumDBs() }

func moveCommand(c Client, a [][]byte) {
	dst, ok := dbIndexArg(c, a[2], "")
	if !ok {
		return
	}
	if !validDB(c, dst) {
		c.Error(msgDBOutOfRang)
		return
	}
	if dst == c.DBIndex() {
		c.Error(msgSameObject)
		return
	}
	k := ks(c)
	key := a[1]
	if k.LookupWrite(c.DBIndex(), key, 0) == nil || k.LookupWrite(dst, key, 0) != nil {
		c.Writer().Int(0)
		return
	}
	k.Move(c.DBIndex(), dst, key)
	k.Modified(c.DBIndex(), key, keyspace.NotifyGeneric, "move_from")
	k.Modified(dst, key, keyspace.NotifyGeneric, "move_to")
	k.Dirty--
	c.Writer().Int(1)
}

func copyCommand(c Client, a [][]byte) {
	dst := c.DBIndex()
	replace := false
	for j := 3; j < len(a); j++ {
		switch {
		case eqFold(a[j], "replace"):
			replace = true
		case eqFold(a[j], "db") && j+1 < len(a):
			id, ok := dbIndexArg(c, a[j+1], "")
			if !ok {
				return
			}
			if !validDB(c, id) {
				c.Error(msgDBOutOfRang)
				return
			}
			dst = id
			j++
		default:
			c.Error(msgSyntax)
			return
		}
	}
	src, newkey := a[1], a[2]
	if dst == c.DBIndex() && string(src) == string(newkey) {
		c.Error(msgSameObject)
		return
	}
	k := ks(c)
	if k.LookupRead(c.DBIndex(), src, 0) == nil {
		c.Writer().Int(0)
		return
	}
	if k.LookupWrite(dst, newkey, 0) != nil && !replace {
		c.Writer().Int(0)
		return
	}
	switch k.Copy(c.DBIndex(), src, dst, newkey, replace) {
	case keyspace.CopyDone:
		k.Modified(dst, newkey, keyspace.NotifyGeneric, "copy_to")
		c.Writer().Int(1)
	case keyspace.CopyNotCopyable:
		c.Error(msgModuleNoCopy)
	case keyspace.CopyFailed:
		c.Error(msgModuleCopyFail)
	default:
		c.Writer().Int(0)
	}
}

func swapdbCommand(c Client, a [][]byte) {
	id1, ok := dbIndexArg(c, a[1], msgInvalidFirstDB)
	if !ok {
		return
	}
	id2, ok := dbIndexArg(c, a[2], msgInvalidSecDB)
	if !ok {
		return
	}
	if !c.SwapDB(id1, id2) {
		c.Error(msgDBOutOfRang)
		return
	}
	ks(c).Dirty++
	c.OK()
}
