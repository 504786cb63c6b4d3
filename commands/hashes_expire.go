package commands

// Hash field expiration commands (Redis 7.4): HEXPIRE, HPEXPIRE, HEXPIREAT,
// HPEXPIREAT, HTTL, HPTTL, HEXPIRETIME, HPEXPIRETIME, HPERSIST. Key specs
// and tips come from the server's core spec table.

import (
	"github.com/modhost/modhost/keyspace"
	"github.com/modhost/modhost/server"
)

func init() { families = append(families, registerHashExpire) }

// Error texts of the field expiration commands (Redis 7.4's wording).
const (
	msgHFENoFields       = "ERR Mandatory argument FIELDS is missing or not at the right position"
	msgHFENumFieldsSet   = "ERR Parameter `numFields` should be greater than 0"
	msgHFENumFieldsGet   = "ERR Number of fields must be a positive integer"
	msgHFENumFieldsMatch = "ERR The `numfields` parameter must match the number of arguments"
	msgHFENegative       = "ERR invalid expire time, must be >= 0"
)

// Per-field reply codes (t_hash.c's SetExRes, GetExpireTimeRes and
// SetPersistRes).
const (
	hfeNoField       = -2 // no such field (or an expired one)
	hfeNoTTL         = -1 // the field has no expiry
	hfeNotMet        = 0  // the NX/XX/GT/LT condition was not met
	hfeOK            = 1  // expiry set, or removed by HPERSIST
	hfeDeletedInPast = 2  // the time is in the past: the field was deleted
)

// Conditions of HEXPIRE and friends.
const (
	hfeCondNone = iota
	hfeCondNX
	hfeCondXX
	hfeCondGT
	hfeCondLT
)

func registerHashExpire(s *server.Server) {
	s.Cmds.Add(
		cmd("hexpire", -6, "write denyoom fast", 1, 1, 1, "write hash fast", "hash", "7.4.0", hexpireCommand),
		cmd("hpexpire", -6, "write denyoom fast", 1, 1, 1, "write hash fast", "hash", "7.4.0", hpexpireCommand),
		cmd("hexpireat", -6, "write denyoom fast", 1, 1, 1, "write hash fast", "hash", "7.4.0", hexpireatCommand),
		cmd("hpexpireat", -6, "write denyoom fast", 1, 1, 1, "write hash fast", "hash", "7.4.0", hpexpireatCommand),
		cmd("httl", -5, "readonly fast", 1, 1, 1, "read hash fast", "hash", "7.4.0", httlCommand),
		cmd("hpttl", -5, "readonly fast", 1, 1, 1, "read hash fast", "hash", "7.4.0", hpttlCommand),
		cmd("hexpiretime", -5, "readonly fast", 1, 1, 1, "read hash fast", "hash", "7.4.0", hexpiretimeCommand),
		cmd("hpexpiretime", -5, "readonly fast", 1, 1, 1, "read hash fast", "hash", "7.4.0", hpexpiretimeCommand),
		cmd("hpersist", -5, "write fast", 1, 1, 1, "write hash fast", "hash", "7.4.0", hpersistCommand),
	)
}

func hexpireCommand(c *server.Client, a [][]byte) {
	hashExpireGeneric(c, a, ks(c).Now(), true, "hexpire")
}
func hpexpireCommand(c *server.Client, a [][]byte) {
	hashExpireGeneric(c, a, ks(c).Now(), false, "hpexpire")
}
func hexpireatCommand(c *server.Client, a [][]byte)  { hashExpireGeneric(c, a, 0, true, "hexpireat") }
func hpexpireatCommand(c *server.Client, a [][]byte) { hashExpireGeneric(c, a, 0, false, "hpexpireat") }

func httlCommand(c *server.Client, a [][]byte)        { hashTTLGeneric(c, a, ks(c).Now(), true) }
func hpttlCommand(c *server.Client, a [][]byte)       { hashTTLGeneric(c, a, ks(c).Now(), false) }
func hexpiretimeCommand(c *server.Client, a [][]byte) { hashTTLGeneric(c, a, 0, true) }
func hpexpiretimeCommand(c *server.Client, a [][]byte) {
	hashTTLGeneric(c, a, 0, false)
}

// hashFieldsArg checks "FIELDS numfields field..." starting at a[at-1] and
// returns the fields; badNum is the error for a bad numfields.
func hashFieldsArg(c *server.Client, a [][]byte, at int, badNum string) ([][]byte, bool) {
	if !eqFold(a[at-1], "fields") {
		c.Error(msgHFENoFields)
		return nil, false
	}
	n, ok := parseInt(a[at])
	if !ok || n < 1 {
		c.Error(badNum)
		return nil, false
	}
	if n != int64(len(a)-at-1) {
		c.Error(msgHFENumFieldsMatch)
		return nil, false
	}
	return a[at+1:], true
}

// replyAllCodes replies an array of n times code (a missing key).
func replyAllCodes(c *server.Client, n int, code int64) {
	c.W.ArrayLen(n)
	for range n {
		c.W.Int(code)
	}
}

// hashExpireGeneric is HEXPIRE/HPEXPIRE/HEXPIREAT/HPEXPIREAT key time
// [NX|XX|GT|LT] FIELDS numfields field...: base is the command time for the
// relative forms and 0 for the absolute ones; seconds scales the time.
func hashExpireGeneric(c *server.Client, a [][]byte, base int64, seconds bool, name string) {
	v, ok := lookupWrite(c, a[1], keyspace.KindHash)
	if !ok {
		return
	}
	when, ok := intArg(c, a[2])
	if !ok {
		return
	}
	if when < 0 {
		c.Error(msgHFENegative)
		return
	}
	badTime := "ERR invalid expire time in '" + name + "' command"
	if seconds {
		if when > keyspace.MaxFieldExpire/1000 {
			c.Error(badTime)
			return
		}
		when *= 1000
	}
	if when > keyspace.MaxFieldExpire-base {
		c.Error(badTime)
		return
	}
	when += base
	cond, at := hfeCondNone, 4
	switch {
	case eqFold(a[3], "nx"):
		cond = hfeCondNX
	case eqFold(a[3], "xx"):
		cond = hfeCondXX
	case eqFold(a[3], "gt"):
		cond = hfeCondGT
	case eqFold(a[3], "lt"):
		cond = hfeCondLT
	}
	if cond != hfeCondNone {
		at++
	}
	fields, ok := hashFieldsArg(c, a, at, msgHFENumFieldsSet)
	if !ok {
		return
	}
	if v == nil {
		replyAllCodes(c, len(fields), hfeNoField)
		return
	}
	h := v.(*keyspace.Hash)
	h.MakeEx()
	k := ks(c)
	now := k.Now()
	updated, deleted := 0, 0
	c.W.ArrayLen(len(fields))
	for _, f := range fields {
		code := hashSetFieldExpire(h, f, when, cond, now)
		switch code {
		case hfeOK:
			updated++
		case hfeDeletedInPast:
			deleted++
			k.Stats.ExpiredSubkeys++
		}
		c.W.Int(code)
	}
	if updated+deleted == 0 {
		return
	}
	k.Dirty += int64(updated + deleted)
	if deleted > 0 && h.Len() == 0 {
		k.Delete(c.DB, a[1])
		k.Modified(c.DB, a[1], keyspace.NotifyHash, "hdel")
		k.Dirty--
		k.Notify(keyspace.NotifyGeneric, "del", a[1], c.DB)
		return
	}
	event := "hexpire"
	if deleted > 0 {
		event = "hdel"
	}
	if h.HasFieldTTLs() {
		k.TrackFieldTTLs(c.DB, a[1])
	}
	k.Modified(c.DB, a[1], keyspace.NotifyHash, event)
	k.Dirty--
}

// hashSetFieldExpire applies one field of HEXPIRE: the per-field code of
// Redis's hashTypeSetEx. A time not after now deletes the field.
func hashSetFieldExpire(h *keyspace.Hash, f []byte, when int64, cond int, now int64) int64 {
	prev, found := h.TTL(f)
	if !found {
		return hfeNoField
	}
	if prev == 0 {
		if cond == hfeCondXX || cond == hfeCondGT {
			return hfeNotMet
		}
	} else if cond == hfeCondNX || cond == hfeCondGT && prev >= when || cond == hfeCondLT && prev <= when {
		return hfeNotMet
	}
	if when <= now {
		h.Delete(f)
		return hfeDeletedInPast
	}
	h.SetTTL(f, when)
	return hfeOK
}

// hashTTLGeneric is HTTL/HPTTL (base: the command time) and
// HEXPIRETIME/HPEXPIRETIME (base 0) key FIELDS numfields field...
func hashTTLGeneric(c *server.Client, a [][]byte, base int64, seconds bool) {
	h, ok := hashRead(c, a[1])
	if !ok {
		return
	}
	fields, ok := hashFieldsArg(c, a, 3, msgHFENumFieldsGet)
	if !ok {
		return
	}
	if h == nil {
		replyAllCodes(c, len(fields), hfeNoField)
		return
	}
	now := ks(c).Now()
	c.W.ArrayLen(len(fields))
	for _, f := range fields {
		exp, found := h.TTL(f)
		switch {
		case !found:
			c.W.Int(hfeNoField)
		case exp == 0:
			c.W.Int(hfeNoTTL)
		case keyspace.FieldExpired(exp, now):
			c.W.Int(hfeNoField)
		case seconds:
			c.W.Int((exp + 999 - base) / 1000)
		default:
			c.W.Int(exp - base)
		}
	}
}

// hpersistCommand is HPERSIST key FIELDS numfields field...
func hpersistCommand(c *server.Client, a [][]byte) {
	v, ok := lookupWrite(c, a[1], keyspace.KindHash)
	if !ok {
		return
	}
	fields, ok := hashFieldsArg(c, a, 3, msgHFENumFieldsGet)
	if !ok {
		return
	}
	if v == nil {
		replyAllCodes(c, len(fields), hfeNoField)
		return
	}
	h := v.(*keyspace.Hash)
	now := ks(c).Now()
	changed := false
	c.W.ArrayLen(len(fields))
	for _, f := range fields {
		exp, found := h.TTL(f)
		switch {
		case !found:
			c.W.Int(hfeNoField)
		case exp == 0:
			c.W.Int(hfeNoTTL)
		case keyspace.FieldExpired(exp, now):
			c.W.Int(hfeNoField)
		default:
			h.SetTTL(f, 0)
			c.W.Int(hfeOK)
			changed = true
		}
	}
	if changed {
		ks(c).Modified(c.DB, a[1], keyspace.NotifyHash, "hpersist")
	}
}
