package commands

// Hash field expiration commands (Redis 7.4): HEXPIRE, HPEXPIRE, HEXPIREAT,
// HPEXPIREAT, HTTL, HPTTL, HEXPIRETIME, HPEXPIRETIME, HPERSIST. Key specs
// and tips come from the server's core spec table.

import (
	"github.com/modhost/modhost/keyspace"
)

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

// hashExpireCommands are the hash field expiration commands (Redis 7.4).
var hashExpireCommands = []Entry{
	{Name: "hexpire", Arity: -6, Flags: "write denyoom fast", FirstKey: 1, LastKey: 1, KeyStep: 1,
		KeySpecs: "RW update: i1 r0,1,0",
		ACL:      "write hash fast", Group: "hash", Since: "7.4.0",
		Handler: hexpireCommand},
	{Name: "hpexpire", Arity: -6, Flags: "write denyoom fast", FirstKey: 1, LastKey: 1, KeyStep: 1,
		KeySpecs: "RW update: i1 r0,1,0",
		ACL:      "write hash fast", Group: "hash", Since: "7.4.0",
		Handler: hpexpireCommand},
	{Name: "hexpireat", Arity: -6, Flags: "write denyoom fast", FirstKey: 1, LastKey: 1, KeyStep: 1,
		KeySpecs: "RW update: i1 r0,1,0",
		ACL:      "write hash fast", Group: "hash", Since: "7.4.0",
		Handler: hexpireatCommand},
	{Name: "hpexpireat", Arity: -6, Flags: "write denyoom fast", FirstKey: 1, LastKey: 1, KeyStep: 1,
		KeySpecs: "RW update: i1 r0,1,0",
		ACL:      "write hash fast", Group: "hash", Since: "7.4.0",
		Handler: hpexpireatCommand},
	{Name: "httl", Arity: -5, Flags: "readonly fast", FirstKey: 1, LastKey: 1, KeyStep: 1,
		KeySpecs: "RO access: i1 r0,1,0",
		Tips:     "nondeterministic_output",
		ACL:      "read hash fast", Group: "hash", Since: "7.4.0",
		Handler: httlCommand},
	{Name: "hpttl", Arity: -5, Flags: "readonly fast", FirstKey: 1, LastKey: 1, KeyStep: 1,
		KeySpecs: "RO access: i1 r0,1,0",
		Tips:     "nondeterministic_output",
		ACL:      "read hash fast", Group: "hash", Since: "7.4.0",
		Handler: hpttlCommand},
	{Name: "hexpiretime", Arity: -5, Flags: "readonly fast", FirstKey: 1, LastKey: 1, KeyStep: 1,
		KeySpecs: "RO access: i1 r0,1,0",
		ACL:      "read hash fast", Group: "hash", Since: "7.4.0",
		Handler: hexpiretimeCommand},
	{Name: "hpexpiretime", Arity: -5, Flags: "readonly fast", FirstKey: 1, LastKey: 1, KeyStep: 1,
		KeySpecs: "RO access: i1 r0,1,0",
		ACL:      "read hash fast", Group: "hash", Since: "7.4.0",
		Handler: hpexpiretimeCommand},
	{Name: "hpersist", Arity: -5, Flags: "write fast", FirstKey: 1, LastKey: 1, KeyStep: 1,
		KeySpecs: "RW update: i1 r0,1,0",
		ACL:      "write hash fast", Group: "hash", Since: "7.4.0",
		Handler: hpersistCommand},
}

func hexpireCommand(c Client, a [][]byte) {
	hashExpireGeneric(c, a, ks(c).Now(), true, "hexpire")
}
func hpexpireCommand(c Client, a [][]byte) {
	hashExpireGeneric(c, a, ks(c).Now(), false, "hpexpire")
}
func hexpireatCommand(c Client, a [][]byte)  { hashExpireGeneric(c, a, 0, true, "hexpireat") }
func hpexpireatCommand(c Client, a [][]byte) { hashExpireGeneric(c, a, 0, false, "hpexpireat") }

func httlCommand(c Client, a [][]byte)        { hashTTLGeneric(c, a, ks(c).Now(), true) }
func hpttlCommand(c Client, a [][]byte)       { hashTTLGeneric(c, a, ks(c).Now(), false) }
func hexpiretimeCommand(c Client, a [][]byte) { hashTTLGeneric(c, a, 0, true) }
func hpexpiretimeCommand(c Client, a [][]byte) {
	hashTTLGeneric(c, a, 0, false)
}

// hashFieldsArg checks "FIELDS numfields field..." starting at a[at-1] and
// returns the fields; badNum is the error for a bad numfields.
func hashFieldsArg(c Client, a [][]byte, at int, badNum string) ([][]byte, bool) {
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
func replyAllCodes(c Client, n int, code int64) {
	c.Writer().ArrayLen(n)
	for range n {
		c.Writer().Int(code)
	}
}

// hashExpireGeneric is HEXPIRE/HPEXPIRE/HEXPIREAT/HPEXPIREAT key time
// [NX|XX|GT|LT] FIELDS numfields field...: base is the command time for the
// relative forms and 0 for the absolute ones; seconds scales the time.
func hashExpireGeneric(c Client, a [][]byte, base int64, seconds bool, name string) {
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
	c.Writer().ArrayLen(len(fields))
	for _, f := range fields {
		code := hashSetFieldExpire(h, f, when, cond, now)
		switch code {
		case hfeOK:
			updated++
		case hfeDeletedInPast:
			deleted++
			k.Stats.ExpiredSubkeys++
		}
		c.Writer().Int(code)
	}
	if updated+deleted == 0 {
		return
	}
	k.Dirty += int64(updated + deleted)
	if deleted > 0 && h.Len() == 0 {
		k.Delete(c.DBIndex(), a[1])
		k.Modified(c.DBIndex(), a[1], keyspace.NotifyHash, "hdel")
		k.Dirty--
		k.Notify(keyspace.NotifyGeneric, "del", a[1], c.DBIndex())
		return
	}
	event := "hexpire"
	if deleted > 0 {
		event = "hdel"
	}
	if h.HasFieldTTLs() {
		k.TrackFieldTTLs(c.DBIndex(), a[1])
	}
	k.Modified(c.DBIndex(), a[1], keyspace.NotifyHash, event)
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
func hashTTLGeneric(c Client, a [][]byte, base int64, seconds bool) {
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
	c.Writer().ArrayLen(len(fields))
	for _, f := range fields {
		exp, found := h.TTL(f)
		switch {
		case !found:
			c.Writer().Int(hfeNoField)
		case exp == 0:
			c.Writer().Int(hfeNoTTL)
		case keyspace.FieldExpired(exp, now):
			c.Writer().Int(hfeNoField)
		case seconds:
			c.Writer().Int((exp + 999 - base) / 1000)
		default:
			c.Writer().Int(exp - base)
		}
	}
}

// hpersistCommand is HPERSIST key FIELDS numfields field...
func hpersistCommand(c Client, a [][]byte) {
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
	c.Writer().ArrayLen(len(fields))
	for _, f := range fields {
		exp, found := h.TTL(f)
		switch {
		case !found:
			c.Writer().Int(hfeNoField)
		case exp == 0:
			c.Writer().Int(hfeNoTTL)
		case keyspace.FieldExpired(exp, now):
			c.Writer().Int(hfeNoField)
		default:
			h.SetTTL(f, 0)
			c.Writer().Int(hfeOK)
			changed = true
		}
	}
	if changed {
		ks(c).Modified(c.DBIndex(), a[1], keyspace.NotifyHash, "hpersist")
	}
}
