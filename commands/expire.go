package commands

// Expiry commands (Redis's expire.c): EXPIRE, PEXPIRE, EXPIREAT,
// PEXPIREAT with NX/XX/GT/LT, TTL, PTTL, EXPIRETIME, PEXPIRETIME, PERSIST.

import (
	"github.com/modhost/modhost/keyspace"
)

// expireCommands are the expiry commands (expire.c).
var expireCommands = []Entry{
	{Name: "expire", Arity: -3, Flags: "write fast", FirstKey: 1, LastKey: 1, KeyStep: 1,
		KeySpecs: "RW update: i1 r0,1,0",
		ACL:      "keyspace write fast", Group: "generic", Since: "1.0.0",
		Handler: expireCommand("expire", true, false)},
	{Name: "pexpire", Arity: -3, Flags: "write fast", FirstKey: 1, LastKey: 1, KeyStep: 1,
		KeySpecs: "RW update: i1 r0,1,0",
		ACL:      "keyspace write fast", Group: "generic", Since: "2.6.0",
		Handler: expireCommand("pexpire", false, false)},
	{Name: "expireat", Arity: -3, Flags: "write fast", FirstKey: 1, LastKey: 1, KeyStep: 1,
		KeySpecs: "RW update: i1 r0,1,0",
		ACL:      "keyspace write fast", Group: "generic", Since: "1.2.0",
		Handler: expireCommand("expireat", true, true)},
	{Name: "pexpireat", Arity: -3, Flags: "write fast", FirstKey: 1, LastKey: 1, KeyStep: 1,
		KeySpecs: "RW update: i1 r0,1,0",
		ACL:      "keyspace write fast", Group: "generic", Since: "2.6.0",
		Handler: expireCommand("pexpireat", false, true)},
	{Name: "ttl", Arity: 2, Flags: "readonly fast", FirstKey: 1, LastKey: 1, KeyStep: 1,
		KeySpecs: "RO access: i1 r0,1,0",
		Tips:     "nondeterministic_output",
		ACL:      "keyspace read fast", Group: "generic", Since: "1.0.0",
		Handler: ttlCommand(false, false)},
	{Name: "pttl", Arity: 2, Flags: "readonly fast", FirstKey: 1, LastKey: 1, KeyStep: 1,
		KeySpecs: "RO access: i1 r0,1,0",
		Tips:     "nondeterministic_output",
		ACL:      "keyspace read fast", Group: "generic", Since: "2.6.0",
		Handler: ttlCommand(true, false)},
	{Name: "expiretime", Arity: 2, Flags: "readonly fast", FirstKey: 1, LastKey: 1, KeyStep: 1,
		KeySpecs: "RO access: i1 r0,1,0",
		ACL:      "keyspace read fast", Group: "generic", Since: "7.0.0",
		Handler: ttlCommand(false, true)},
	{Name: "pexpiretime", Arity: 2, Flags: "readonly fast", FirstKey: 1, LastKey: 1, KeyStep: 1,
		KeySpecs: "RO access: i1 r0,1,0",
		ACL:      "keyspace read fast", Group: "generic", Since: "7.0.0",
		Handler: ttlCommand(true, true)},
	{Name: "persist", Arity: 2, Flags: "write fast", FirstKey: 1, LastKey: 1, KeyStep: 1,
		KeySpecs: "RW update: i1 r0,1,0",
		ACL:      "keyspace write fast", Group: "generic", Since: "2.2.0",
		Handler: persistCommand},
}

// EXPIRE option bits.
const (
	expNX = 1 << iota
	expXX
	expGT
	expLT
)

// Error texts of the expire family.
const (
	msgExpireNXConflict = "ERR NX and XX, GT or LT options at the same time are not compatible"
	msgExpireGTLT       = "ERR GT and LT options at the same time are not compatible"
)

// parseExpireFlags parses EXPIRE's NX/XX/GT/LT options.
func parseExpireFlags(c Client, opts [][]byte) (int, bool) {
	flags := 0
	for _, o := range opts {
		switch {
		case isOpt(o, "NX"):
			flags |= expNX
		case isOpt(o, "XX"):
			flags |= expXX
		case isOpt(o, "GT"):
			flags |= expGT
		case isOpt(o, "LT"):
			flags |= expLT
		default:
			c.Error("ERR Unsupported option " + string(o))
			return 0, false
		}
	}
	if flags&expNX != 0 && flags&(expXX|expGT|expLT) != 0 {
		c.Error(msgExpireNXConflict)
		return 0, false
	}
	if flags&expGT != 0 && flags&expLT != 0 {
		c.Error(msgExpireGTLT)
		return 0, false
	}
	return flags, true
}

// expireCommand builds one of the four EXPIRE commands: seconds selects
// the unit of the time argument, absolute the *AT forms.
func expireCommand(name string, seconds, absolute bool) Handler {
	return func(c Client, a [][]byte) {
		flags, ok := parseExpireFlags(c, a[3:])
		if !ok {
			return
		}
		when, ok := intArg(c, a[2])
		if !ok {
			return
		}
		k := ks(c)
		if seconds {
			if when > maxInt64/1000 || when < (-maxInt64-1)/1000 {
				c.Error(invalidExpireMsg(name))
				return
			}
			when *= 1000
		}
		var base int64
		if !absolute {
			base = k.Now()
		}
		if when > maxInt64-base {
			c.Error(invalidExpireMsg(name))
			return
		}
		when += base
		key := a[1]
		if k.LookupWrite(c.DBIndex(), key, 0) == nil {
			c.Writer().Int(0)
			return
		}
		if flags != 0 && !expireAllowed(k, c.DBIndex(), key, flags, when) {
			c.Writer().Int(0)
			return
		}
		if when <= k.Now() {
			k.DeleteExpired(c.DBIndex(), key)
			k.Modified(c.DBIndex(), key, keyspace.NotifyGeneric, "del")
			c.Writer().Int(1)
			return
		}
		k.SetExpire(c.DBIndex(), key, when)
		k.Modified(c.DBIndex(), key, keyspace.NotifyGeneric, "expire")
		c.Writer().Int(1)
	}
}

// expireAllowed applies NX/XX/GT/LT to the key's current expiry; a key
// without one counts as an infinite TTL.
func expireAllowed(k *keyspace.Keyspace, db int, key []byte, flags int, when int64) bool {
	cur, _ := k.GetExpire(db, key)
	has := cur != 0
	switch {
	case flags&expNX != 0 && has:
		return false
	case flags&expXX != 0 && !has:
		return false
	case flags&expGT != 0 && (!has || when <= cur):
		return false
	case flags&expLT != 0 && has && when >= cur:
		return false
	}
	return true
}

// ttlCommand builds TTL (ms=false, abs=false), PTTL, EXPIRETIME and
// PEXPIRETIME.
func ttlCommand(ms, abs bool) Handler {
	return func(c Client, a [][]byte) {
		k := ks(c)
		if k.LookupRead(c.DBIndex(), a[1], keyspace.LookupNoTouch) == nil {
			c.Writer().Int(-2)
			return
		}
		at, _ := k.GetExpire(c.DBIndex(), a[1])
		if at == 0 {
			c.Writer().Int(-1)
			return
		}
		ttl := at
		if !abs {
			ttl -= k.Now()
		}
		if ttl < 0 {
			ttl = 0
		}
		if !ms {
			ttl = (ttl + 500) / 1000
		}
		c.Writer().Int(ttl)
	}
}

func persistCommand(c Client, a [][]byte) {
	k := ks(c)
	if k.LookupWrite(c.DBIndex(), a[1], 0) != nil && k.Persist(c.DBIndex(), a[1]) {
		k.Modified(c.DBIndex(), a[1], keyspace.NotifyGeneric, "persist")
		c.Writer().Int(1)
		return
	}
	c.Writer().Int(0)
}
