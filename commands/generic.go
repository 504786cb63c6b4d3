package commands

// Generic key commands (Redis's db.c): DEL, EXISTS, TYPE, RENAME, KEYS,
// RANDOMKEY, MOVE, COPY, SWAPDB, TOUCH, DUMP/RESTORE.

import (
	"math"

	"github.com/modhost/modhost/keyspace"
	"github.com/modhost/modhost/server"
)

func init() { families = append(families, registerGeneric) }

func registerGeneric(s *server.Server) {
	s.Cmds.Add(
		cmd("del", -2, "write", 1, -1, 1, "keyspace write slow", "generic", "1.0.0", delCommand),
		cmd("unlink", -2, "write fast", 1, -1, 1, "keyspace write fast", "generic", "4.0.0", unlinkCommand),
		cmd("exists", -2, "readonly fast", 1, -1, 1, "keyspace read fast", "generic", "1.0.0", existsCommand),
		cmd("type", 2, "readonly fast", 1, 1, 1, "keyspace read fast", "generic", "1.0.0", typeCommand),
		cmd("touch", -2, "readonly fast", 1, -1, 1, "keyspace read fast", "generic", "3.2.1", touchCommand),
		cmd("rename", 3, "write", 1, 2, 1, "keyspace write slow", "generic", "1.0.0", renameCommand(false)),
		cmd("renamenx", 3, "write fast", 1, 2, 1, "keyspace write fast", "generic", "1.0.0", renameCommand(true)),
		cmd("keys", 2, "readonly", 0, 0, 0, "keyspace read slow dangerous", "generic", "1.0.0", keysCommand),
		cmd("randomkey", 1, "readonly", 0, 0, 0, "keyspace read slow", "generic", "1.0.0", randomkeyCommand),
		cmd("move", 3, "write fast", 1, 1, 1, "keyspace write fast", "generic", "1.0.0", moveCommand),
		cmd("copy", -3, "write denyoom", 1, 2, 1, "keyspace write slow", "generic", "6.2.0", copyCommand),
		cmd("swapdb", 3, "write fast", 0, 0, 0, "keyspace write fast dangerous", "server", "4.0.0", swapdbCommand),
		cmd("dump", 2, "readonly", 1, 1, 1, "keyspace read slow", "generic", "2.6.0", dumpCommand),
		cmd("restore", -4, "write denyoom", 1, 1, 1, "keyspace write slow dangerous", "generic", "2.6.0", restoreCommand),
	)
}

// Error texts of the generic family.
const (
	msgSameObject     = "ERR source and destination objects are the same"
	msgModuleNoCopy   = "ERR not supported for this module key"
	msgModuleCopyFail = "ERR module key failed to copy"
	msgInvalidFirstDB = "ERR invalid first DB index"
	msgInvalidSecDB   = "ERR invalid second DB index"
)

func delCommand(c *server.Client, a [][]byte) { delGeneric(c, a, ks(c).Delete) }

// unlinkCommand is DEL that unlinks module values the way Redis's lazy
// free does (keyspace.Unlink); everything is still freed at once.
func unlinkCommand(c *server.Client, a [][]byte) { delGeneric(c, a, ks(c).Unlink) }

func delGeneric(c *server.Client, a [][]byte, del func(db int, key []byte) bool) {
	k := ks(c)
	n := 0
	for _, key := range a[1:] {
		if del(c.DB, key) {
			k.Modified(c.DB, key, keyspace.NotifyGeneric, "del")
			n++
		}
	}
	c.W.Int(int64(n))
}

func existsCommand(c *server.Client, a [][]byte) {
	k := ks(c)
	n := 0
	for _, key := range a[1:] {
		if k.LookupRead(c.DB, key, keyspace.LookupNoTouch) != nil {
			n++
		}
	}
	c.W.Int(int64(n))
}

func typeCommand(c *server.Client, a [][]byte) {
	v := ks(c).LookupRead(c.DB, a[1], keyspace.LookupNoTouch)
	if v == nil {
		c.W.SimpleString("none")
		return
	}
	c.W.SimpleString(keyspace.TypeName(v))
}

func touchCommand(c *server.Client, a [][]byte) {
	k := ks(c)
	n := 0
	for _, key := range a[1:] {
		if k.LookupRead(c.DB, key, 0) != nil {
			n++
		}
	}
	c.W.Int(int64(n))
}

func renameCommand(nx bool) server.Handler {
	return func(c *server.Client, a [][]byte) {
		k := ks(c)
		src, dst := a[1], a[2]
		if k.LookupWrite(c.DB, src, 0) == nil {
			c.Error(msgNoSuchKey)
			return
		}
		if string(src) == string(dst) {
			if nx {
				c.W.Int(0)
			} else {
				c.OK()
			}
			return
		}
		if nx && k.LookupWrite(c.DB, dst, 0) != nil {
			c.W.Int(0)
			return
		}
		k.Rename(c.DB, src, dst)
		k.Modified(c.DB, src, keyspace.NotifyGeneric, "rename_from")
		k.Modified(c.DB, dst, keyspace.NotifyGeneric, "rename_to")
		k.Dirty-- // one change, as Redis counts it
		if nx {
			c.W.Int(1)
		} else {
			c.OK()
		}
	}
}

func keysCommand(c *server.Client, a [][]byte) {
	mark := c.W.DeferLen()
	n := 0
	ks(c).Keys(c.DB, a[1], func(key string) bool {
		c.W.BulkString(key)
		n++
		return true
	})
	c.W.SetDeferredArrayLen(mark, n)
}

func randomkeyCommand(c *server.Client, a [][]byte) {
	key, ok := ks(c).RandomKey(c.DB)
	if !ok {
		c.W.NullBulk()
		return
	}
	c.W.BulkString(key)
}

// dbIndexArg parses a database number as getIntFromObjectOrReply does:
// msg (when not empty) replaces both of Redis's errors, the not-an-integer
// one and the int32 range one.
func dbIndexArg(c *server.Client, b []byte, msg string) (int, bool) {
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
func validDB(c *server.Client, id int) bool { return id >= 0 && id < ks(c).NumDBs() }

func moveCommand(c *server.Client, a [][]byte) {
	dst, ok := dbIndexArg(c, a[2], "")
	if !ok {
		return
	}
	if !validDB(c, dst) {
		c.Error(msgDBOutOfRang)
		return
	}
	if dst == c.DB {
		c.Error(msgSameObject)
		return
	}
	k := ks(c)
	key := a[1]
	if k.LookupWrite(c.DB, key, 0) == nil || k.LookupWrite(dst, key, 0) != nil {
		c.W.Int(0)
		return
	}
	k.Move(c.DB, dst, key)
	k.Modified(c.DB, key, keyspace.NotifyGeneric, "move_from")
	k.Modified(dst, key, keyspace.NotifyGeneric, "move_to")
	k.Dirty--
	c.W.Int(1)
}

func copyCommand(c *server.Client, a [][]byte) {
	dst := c.DB
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
	if dst == c.DB && string(src) == string(newkey) {
		c.Error(msgSameObject)
		return
	}
	k := ks(c)
	if k.LookupRead(c.DB, src, 0) == nil {
		c.W.Int(0)
		return
	}
	if k.LookupWrite(dst, newkey, 0) != nil && !replace {
		c.W.Int(0)
		return
	}
	switch k.Copy(c.DB, src, dst, newkey, replace) {
	case keyspace.CopyDone:
		k.Modified(dst, newkey, keyspace.NotifyGeneric, "copy_to")
		c.W.Int(1)
	case keyspace.CopyNotCopyable:
		c.Error(msgModuleNoCopy)
	case keyspace.CopyFailed:
		c.Error(msgModuleCopyFail)
	default:
		c.W.Int(0)
	}
}

func swapdbCommand(c *server.Client, a [][]byte) {
	id1, ok := dbIndexArg(c, a[1], msgInvalidFirstDB)
	if !ok {
		return
	}
	id2, ok := dbIndexArg(c, a[2], msgInvalidSecDB)
	if !ok {
		return
	}
	if !c.Server().SwapDB(id1, id2) {
		c.Error(msgDBOutOfRang)
		return
	}
	ks(c).Dirty++
	c.OK()
}
