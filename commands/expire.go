package commands

// Expiry commands (Redis's expire.c): EXPIRE, PEXPIRE, EXPIREAT,
// PEXPIREAT with NX/XX/GT/LT, TTL, PTTL, EXPIRETIME, PEXPIRETIME, PERSIST.

import (
	"github.com/modhost/modhost/keyspace"
	"github.com/modhost/modhost/server"
)

func init() { families = append(families, registerExpire) }

func registerExpire(s *server.Server) {
	s.Cmds.Add(
		cmd("expire", -3, "write fast", 1, 1, 1, "keyspace write fast", "generic", "1.0.0", expireCommand("expire", true, false)),
		cmd("pexpire", -3, "write fast", 1, 1, 1, "keyspace write fast", "generic", "2.6.0", expireCommand("pexpire", false, false)),
		cmd("expireat", -3, "write fast", 1, 1, 1, "keyspace write fast", "generic", "1.2.0", expireCommand("expireat", true, true)),
		cmd("pexpireat", -3, "write fast", 1, 1, 1, "keyspace write fast", "generic", "2.6.0", expireCommand("pexpireat", false, true)),
		cmd("ttl", 2, "readonly fast", 1, 1, 1, "keyspace read fast", "generic", "1.0.0", ttlCommand(false, false)),
		cmd("pttl", 2, "readonly fast", 1, 1, 1, "keyspace read fast", "generic", "2.6.0", ttlCommand(true, false)),
		cmd("expiretime", 2, "readonly fast", 1, 1, 1, "keyspace read fast", "generic", "7.0.0", ttlCommand(false, true)),
		cmd("pexpiretime", 2, "readonly fast", 1, 1, 1, "keyspace read fast", "generic", "7.0.0", ttlCommand(true, true)),
		cmd("persist", 2, "write fast", 1, 1, 1, "keyspace write fast", "generic", "2.2.0", persistCommand),
	)
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
func parseExpireFlags(c *server.Client, opts [][]byte) (int, bool) {
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
func expireCommand(name string, seconds, absolute bool) server.Handler {
	return func(c *server.Client, a [][]byte) {
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
		if k.LookupWrite(c.DB, key, 0) == nil {
			c.W.Int(0)
			return
		}
		if flags != 0 && !expireAllowed(k, c.DB, key, flags, when) {
			c.W.Int(0)
			return
		}
		if when <= k.Now() {
			k.Delete(c.DB, key)
			k.Modified(c.DB, key, keyspace.NotifyGeneric, "del")
			c.W.Int(1)
			return
		}
		k.SetExpire(c.DB, key, when)
		k.Modified(c.DB, key, keyspace.NotifyGeneric, "expire")
		c.W.Int(1)
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
func ttlCommand(ms, abs bool) server.Handler {
	return func(c *server.Client, a [][]byte) {
		k := ks(c)
		if k.LookupRead(c.DB, a[1], keyspace.LookupNoTouch) == nil {
			c.W.Int(-2)
			return
		}
		at, _ := k.GetExpire(c.DB, a[1])
		if at == 0 {
			c.W.Int(-1)
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
		c.W.Int(ttl)
	}
}

func persistCommand(c *server.Client, a [][]byte) {
	k := ks(c)
	if k.LookupWrite(c.DB, a[1], 0) != nil && k.Persist(c.DB, a[1]) {
		k.Modified(c.DB, a[1], keyspace.NotifyGeneric, "persist")
		c.W.Int(1)
		return
	}
	c.W.Int(0)
}
