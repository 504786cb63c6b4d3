package commands

import (
	"bufio"
	"net"
	"strconv"
	"strings"
	"time"

	"github.com/modhost/modhost/keyspace"
	"github.com/modhost/modhost/keyspace/rdb"
	"github.com/modhost/modhost/resp"
)

// MIGRATE host port key|"" destination-db timeout [COPY] [REPLACE]
// [AUTH password | AUTH2 username password] [KEYS key ...]: the keys are
// sent as RESTORE (RESTORE-ASKING in cluster mode) commands carrying DUMP
// payloads, and deleted here once the target accepted them (unless COPY).
// As in Redis the transfer is synchronous, bounded by timeout per I/O;
// unlike Redis no connection is cached between calls.

const msgMigrateKeysArg = "ERR When using MIGRATE KEYS option, the key argument must be set to the empty string"

var migrateTable = []Entry{
	{Name: "migrate", Arity: -6, Flags: "write movablekeys", FirstKey: 3, LastKey: 3, KeyStep: 1,
		KeySpecs: "RW access delete: i3 r0,1,0 | RW access delete incomplete: kKEYS,-2 r-1,1,0",
		Tips:     "nondeterministic_output",
		ACL:      "keyspace write slow dangerous", Group: "generic", Since: "2.6.0",
		Summary: "Atomically transfers a key from one Redis instance to another.",
		Handler: migrateCommand, GetKeys: migrateKeys},
	{Name: "restore-asking", Arity: -4, Flags: "write denyoom asking", FirstKey: 1, LastKey: 1, KeyStep: 1,
		KeySpecs: "OW update: i1 r0,1,0",
		ACL:      "keyspace write slow dangerous", Group: "server", Since: "3.0.0",
		Summary: "An internal command for migrating keys in a cluster.",
		Handler: restoreCommand},
}

// migrateKeys finds MIGRATE's keys: the key argument, or those after KEYS.
func migrateKeys(args [][]byte) []int {
	for j := 6; j < len(args); j++ {
		switch strings.ToLower(string(args[j])) {
		case "keys":
			if len(args[3]) != 0 {
				return nil
			}
			var out []int
			for k := j + 1; k < len(args); k++ {
				out = append(out, k)
			}
			return out
		case "auth":
			j++
		case "auth2":
			j += 2
		}
	}
	return []int{3}
}

func migrateCommand(c Client, a [][]byte) {
	copyKeys, replace := false, false
	var user, pass []byte
	first, num := 3, 1
	for j := 6; j < len(a); j++ {
		more := len(a) - 1 - j
		switch strings.ToLower(string(a[j])) {
		case "copy":
			copyKeys = true
		case "replace":
			replace = true
		case "auth":
			if more < 1 {
				c.Error(msgSyntax)
				return
			}
			j++
			pass = a[j]
		case "auth2":
			if more < 2 {
				c.Error(msgSyntax)
				return
			}
			user, pass = a[j+1], a[j+2]
			j += 2
		case "keys":
			if len(a[3]) != 0 {
				c.Error(msgMigrateKeysArg)
				return
			}
			first, num = j+1, len(a)-j-1
			j = len(a)
		default:
			c.Error(msgSyntax)
			return
		}
	}
	timeout, err1 := strconv.ParseInt(string(a[5]), 10, 64)
	dbid, err2 := strconv.ParseInt(string(a[4]), 10, 64)
	if err1 != nil || err2 != nil {
		c.Error(msgNotInt)
		return
	}
	if timeout <= 0 {
		timeout = 1000
	}
	k := ks(c)
	db := c.DBIndex()
	var keys [][]byte
	var vals []keyspace.Value
	for _, key := range a[first : first+num] {
		if v := k.LookupRead(db, key, 0); v != nil {
			keys = append(keys, key)
			vals = append(vals, v)
		}
	}
	if len(keys) == 0 {
		c.Writer().SimpleString("NOKEY")
		return
	}
	restore := "RESTORE"
	if c.Config().Bool("cluster-enabled") {
		restore = "RESTORE-ASKING"
	}
	opt, _ := dumpOptions(c)
	var w resp.Writer
	writeCmd := func(args ...[]byte) {
		w.ArrayLen(len(args))
		for _, x := range args {
			w.Bulk(x)
		}
	}
	if pass != nil {
		if user != nil {
			writeCmd([]byte("AUTH"), user, pass)
		} else {
			writeCmd([]byte("AUTH"), pass)
		}
	}
	writeCmd([]byte("SELECT"), []byte(strconv.FormatInt(dbid, 10)))
	now := k.Now()
	var sent [][]byte
	for i, key := range keys {
		ttl := int64(0)
		if at, ok := k.GetExpire(db, key); ok && at != 0 {
			ttl = at - now
			if ttl < 0 {
				continue
			}
			ttl = max(ttl, 1)
		}
		payload, err := rdb.DumpValue(vals[i], opt)
		if err != nil {
			c.Error("ERR " + err.Error())
			return
		}
		args := [][]byte{[]byte(restore), key, []byte(strconv.FormatInt(ttl, 10)), payload}
		if replace {
			args = append(args, []byte("REPLACE"))
		}
		writeCmd(args...)
		sent = append(sent, key)
	}
	d := time.Duration(timeout) * time.Millisecond
	conn, err := net.DialTimeout("tcp", net.JoinHostPort(string(a[1]), string(a[2])), d)
	if err != nil {
		// Redis connects without blocking: a refused connection shows up
		// as a failed write; only a timeout fails the connect itself.
		if ne, ok := err.(net.Error); ok && ne.Timeout() {
			c.Error("IOERR error or timeout connecting to the client")
		} else {
			c.Error("IOERR error or timeout writing to target instance")
		}
		return
	}
	defer conn.Close()
	_ = conn.SetDeadline(time.Now().Add(d))
	if _, err := conn.Write(w.Buf); err != nil {
		c.Error("IOERR error or timeout writing to target instance")
		return
	}
	r := bufio.NewReader(conn)
	line := func() (string, bool) {
		s, err := r.ReadString('\n')
		if err != nil {
			return "", false
		}
		return strings.TrimRight(s, "\r\n"), true
	}
	var authLine string
	if pass != nil {
		var ok bool
		if authLine, ok = line(); !ok {
			c.Error("IOERR error or timeout reading to target instance")
			return
		}
	}
	selLine, ok := line()
	if !ok {
		c.Error("IOERR error or timeout reading to target instance")
		return
	}
	targetErr := ""
	for _, key := range sent {
		l, ok := line()
		if !ok {
			if targetErr == "" {
				c.Error("IOERR error or timeout reading to target instance")
				return
			}
			break
		}
		switch {
		case pass != nil && strings.HasPrefix(authLine, "-"):
			l = authLine
		case strings.HasPrefix(selLine, "-"):
			l = selLine
		}
		if strings.HasPrefix(l, "-") {
			if targetErr == "" {
				targetErr = "ERR Target instance replied with error: " + l[1:]
			}
			continue
		}
		if !copyKeys && k.Delete(db, key) {
			k.Modified(db, key, keyspace.NotifyGeneric, "del")
		}
	}
	if targetErr != "" {
		c.Error(targetErr)
		return
	}
	c.OK()
}
