package commands

import (
	"errors"
	"strings"

	"github.com/modhost/modhost/keyspace"
	"github.com/modhost/modhost/keyspace/rdb"
)

// Error texts of DUMP/RESTORE (cluster.c).
const (
	msgBusyKey    = "BUSYKEY Target key name already exists."
	msgBadTTL     = "ERR Invalid TTL value, must be >= 0"
	msgBadIdle    = "ERR Invalid IDLETIME value, must be >= 0"
	msgBadFreq    = "ERR Invalid FREQ value, must be >= 0 and <= 255"
	msgBadPayload = "ERR DUMP payload version or checksum are wrong"
	msgBadFormat  = "ERR Bad data format"
)

// dumpOptions are the encoder options of the server's persistence (module
// types, rdb-version, rdbcompression).
func dumpOptions(c Client) (rdb.Options, rdb.ModuleLoader) {
	cfg := c.Config()
	saver, loader := c.RDBModules()
	opt := rdb.Options{
		Version:  int(cfg.Int("rdb-version")),
		Compress: cfg.Bool("rdbcompression"),
		ListFill: int(cfg.Int("list-max-listpack-size")),
		Modules:  saver,
	}
	return opt, loader
}

// DUMP key: the value in Redis's serialisation (RDB encoding + version +
// CRC64), or a null bulk for a missing key.
func dumpCommand(c Client, a [][]byte) {
	v := ks(c).LookupRead(c.DBIndex(), a[1], 0)
	if v == nil {
		c.Writer().NullBulk()
		return
	}
	opt, _ := dumpOptions(c)
	payload, err := rdb.DumpValue(v, opt)
	if err != nil {
		c.Error("ERR " + err.Error())
		return
	}
	c.Writer().Bulk(payload)
}

// RESTORE key ttl payload [REPLACE] [ABSTTL] [IDLETIME s] [FREQ f], with
// Redis's option rules and error order (restoreCommand).
func restoreCommand(c Client, a [][]byte) {
	replace, absTTL := false, false
	idle, freq := int64(-1), int64(-1)
	for j := 4; j < len(a); j++ {
		more := len(a) - j - 1
		switch opt := strings.ToLower(string(a[j])); {
		case opt == "replace":
			replace = true
		case opt == "absttl":
			absTTL = true
		case opt == "idletime" && more >= 1 && freq == -1:
			v, ok := intArg(c, a[j+1])
			if !ok {
				return
			}
			if v < 0 {
				c.Error(msgBadIdle)
				return
			}
			idle = v
			j++
		case opt == "freq" && more >= 1 && idle == -1:
			v, ok := intArg(c, a[j+1])
			if !ok {
				return
			}
			if v < 0 || v > 255 {
				c.Error(msgBadFreq)
				return
			}
			freq = v
			j++
		default:
			c.Error(msgSyntax)
			return
		}
	}
	k := ks(c)
	key := a[1]
	if !replace && k.LookupWrite(c.DBIndex(), key, 0) != nil {
		c.Error(msgBusyKey)
		return
	}
	ttl, ok := intArg(c, a[2])
	if !ok {
		return
	}
	if ttl < 0 {
		c.Error(msgBadTTL)
		return
	}
	_, loader := dumpOptions(c)
	v, err := rdb.RestorePayload(a[3], k, rdb.RestoreOptions{Modules: loader, Key: key, DB: c.DBIndex(), SkipChecksum: c.SkipChecksumValidation()})
	if errors.Is(err, rdb.ErrBadPayload) {
		c.Error(msgBadPayload)
		return
	}
	if err != nil {
		c.Error(msgBadFormat)
		return
	}
	deleted := false
	if replace {
		deleted = k.Delete(c.DBIndex(), key)
	}
	if ttl != 0 && !absTTL {
		ttl += k.Now()
	}
	if ttl != 0 && ttl <= k.Now() {
		// Already expired: the key is not created (a replaced one is gone).
		if deleted {
			k.Modified(c.DBIndex(), key, keyspace.NotifyGeneric, "del")
		}
		c.OK()
		return
	}
	k.Add(c.DBIndex(), key, v)
	if ttl != 0 {
		k.SetExpire(c.DBIndex(), key, ttl)
	}
	if idle >= 0 {
		k.SetIdleTime(c.DBIndex(), key, idle*1000)
	}
	if freq >= 0 {
		k.SetFreq(c.DBIndex(), key, int(freq))
	}
	k.Modified(c.DBIndex(), key, keyspace.NotifyGeneric, "restore")
	c.OK()
}
