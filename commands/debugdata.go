package commands

// DEBUG subcommands that touch the data: POPULATE and OBJECT.

import (
	"fmt"
	"strconv"

	"github.com/modhost/modhost/keyspace"
)

// debugSubError is the reply to a DEBUG subcommand with a wrong argument
// count, as Redis's addReplySubcommandSyntaxError.
func debugSubError(c Client, sub []byte) {
	c.Error("ERR unknown subcommand or wrong number of arguments for '" + string(sub) + "'. Try DEBUG HELP.")
}

// positiveArg parses a non-negative integer (getPositiveLongFromObject).
func positiveArg(c Client, b []byte) (int64, bool) {
	v, ok := keyspace.ParseInt(b)
	if !ok || v < 0 {
		c.Error(msgMustBePos)
		return 0, false
	}
	return v, true
}

// debugPopulate is DEBUG POPULATE count [prefix] [size]: keys
// "prefix:N" (default "key") holding "value:N", padded with zero bytes
// or cut to size when size is given; existing keys are skipped.
func debugPopulate(c Client, a [][]byte) {
	if len(a) < 3 || len(a) > 5 {
		debugSubError(c, a[1])
		return
	}
	n, ok := positiveArg(c, a[2])
	if !ok {
		return
	}
	prefix := []byte("key")
	if len(a) >= 4 {
		prefix = a[3]
	}
	var size int64
	if len(a) == 5 {
		if size, ok = positiveArg(c, a[4]); !ok {
			return
		}
	}
	k := ks(c)
	key := make([]byte, 0, len(prefix)+21)
	val := make([]byte, 0, 32)
	for j := int64(0); j < n; j++ {
		key = strconv.AppendInt(append(append(key[:0], prefix...), ':'), j, 10)
		if k.LookupWrite(c.DBIndex(), key, 0) != nil {
			continue
		}
		val = strconv.AppendInt(append(val[:0], "value:"...), j, 10)
		var v *keyspace.String
		if size == 0 {
			v = keyspace.NewString(val)
		} else {
			buf := make([]byte, size)
			copy(buf, val)
			v = keyspace.NewStringOwned(buf)
		}
		k.Add(c.DBIndex(), key, v)
		k.Modified(c.DBIndex(), key, 0, "")
		k.Dirty-- // Redis's populate only signals the key
	}
	c.OK()
}

// debugObject is DEBUG OBJECT key: Redis's one-line description of the
// value. serializedlength is an estimate until the RDB encoder exists.
func debugObject(c Client, a [][]byte) {
	if len(a) != 3 {
		debugSubError(c, a[1])
		return
	}
	k := ks(c)
	v := k.Peek(c.DBIndex(), a[2])
	if v == nil {
		c.Error(msgNoSuchKey)
		return
	}
	idle, _ := k.IdleTime(c.DBIndex(), a[2])
	lru := (k.Now() - idle) / 1000 & (1<<24 - 1)
	if k.LFU {
		f, _ := k.Freq(c.DBIndex(), a[2])
		lru = int64(f)
	}
	c.Writer().SimpleString(fmt.Sprintf("Value at:%p refcount:%d encoding:%s serializedlength:%d lru:%d lru_seconds_idle:%d",
		v, refcountOf(c, v), v.Encoding(), serializedLen(v), lru, idle/1000))
}

// serializedLen estimates the RDB payload size of a value: exact for
// strings (integer or length-prefixed encoding, no compression), the
// memory estimate otherwise.
func serializedLen(v keyspace.Value) int {
	s, ok := v.(*keyspace.String)
	if !ok {
		return v.MemUsage()
	}
	if n, isInt := s.Int(); isInt && s.Len() <= 11 {
		switch {
		case n >= -1<<7 && n < 1<<7:
			return 2
		case n >= -1<<15 && n < 1<<15:
			return 3
		case n >= -1<<31 && n < 1<<31:
			return 5
		}
	}
	l := s.Len()
	switch {
	case l < 1<<6:
		return 1 + l
	case l < 1<<14:
		return 2 + l
	case l <= 1<<32-1:
		return 5 + l
	}
	return 9 + l
}
