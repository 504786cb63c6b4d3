package commands

// String commands: GET/SET and their variants, MGET/MSET, counters,
// ranges and APPEND (Redis's t_string.c behaviour).

import (
	"strings"

	"github.com/modhost/modhost/keyspace"
)

// stringCommands are the string family (t_string.c).
var stringCommands = []Entry{
	{Name: "get", Arity: 2, Flags: "readonly fast", FirstKey: 1, LastKey: 1, KeyStep: 1,
		KeySpecs: "RO access: i1 r0,1,0",
		ACL:      "read string fast", Group: "string", Since: "1.0.0",
		Handler: getCommand},
	{Name: "set", Arity: -3, Flags: "write denyoom", FirstKey: 1, LastKey: 1, KeyStep: 1,
		KeySpecs: "RW access update variable_flags: i1 r0,1,0 # RW and ACCESS due to the optional `GET` argument",
		ACL:      "write string slow", Group: "string", Since: "1.0.0",
		Handler: setCommand, GetKeysFlags: setKeys},
	{Name: "setnx", Arity: 3, Flags: "write denyoom fast", FirstKey: 1, LastKey: 1, KeyStep: 1,
		KeySpecs: "OW insert: i1 r0,1,0",
		ACL:      "write string fast", Group: "string", Since: "1.0.0",
		Handler: setnxCommand},
	{Name: "setex", Arity: 4, Flags: "write denyoom", FirstKey: 1, LastKey: 1, KeyStep: 1,
		KeySpecs: "OW update: i1 r0,1,0",
		ACL:      "write string slow", Group: "string", Since: "2.0.0",
		Handler: setexCommand(false)},
	{Name: "psetex", Arity: 4, Flags: "write denyoom", FirstKey: 1, LastKey: 1, KeyStep: 1,
		KeySpecs: "OW update: i1 r0,1,0",
		ACL:      "write string slow", Group: "string", Since: "2.6.0",
		Handler: setexCommand(true)},
	{Name: "getset", Arity: 3, Flags: "write denyoom fast", FirstKey: 1, LastKey: 1, KeyStep: 1,
		KeySpecs: "RW access update: i1 r0,1,0",
		ACL:      "write string fast", Group: "string", Since: "1.0.0",
		Handler: getsetCommand},
	{Name: "getdel", Arity: 2, Flags: "write fast", FirstKey: 1, LastKey: 1, KeyStep: 1,
		KeySpecs: "RW access delete: i1 r0,1,0",
		ACL:      "write string fast", Group: "string", Since: "6.2.0",
		Handler: getdelCommand},
	{Name: "getex", Arity: -2, Flags: "write fast", FirstKey: 1, LastKey: 1, KeyStep: 1,
		KeySpecs: "RW access update: i1 r0,1,0 # RW and UPDATE because it changes the TTL",
		ACL:      "write string fast", Group: "string", Since: "6.2.0",
		Handler: getexCommand},
	{Name: "mget", Arity: -2, Flags: "readonly fast", FirstKey: 1, LastKey: -1, KeyStep: 1,
		KeySpecs: "RO access: i1 r-1,1,0",
		Tips:     "request_policy:multi_shard",
		ACL:      "read string fast", Group: "string", Since: "1.0.0",
		Handler: mgetCommand},
	{Name: "mset", Arity: -3, Flags: "write denyoom", FirstKey: 1, LastKey: -1, KeyStep: 2,
		KeySpecs: "OW update: i1 r-1,2,0",
		Tips:     "request_policy:multi_shard response_policy:all_succeeded",
		ACL:      "write string slow", Group: "string", Since: "1.0.1",
		Handler: msetCommand(false)},
	{Name: "msetnx", Arity: -3, Flags: "write denyoom", FirstKey: 1, LastKey: -1, KeyStep: 2,
		KeySpecs: "OW insert: i1 r-1,2,0",
		ACL:      "write string slow", Group: "string", Since: "1.0.1",
		Handler: msetCommand(true)},
	{Name: "append", Arity: 3, Flags: "write denyoom fast", FirstKey: 1, LastKey: 1, KeyStep: 1,
		KeySpecs: "RW insert: i1 r0,1,0",
		ACL:      "write string fast", Group: "string", Since: "2.0.0",
		Handler: appendCommand},
	{Name: "strlen", Arity: 2, Flags: "readonly fast", FirstKey: 1, LastKey: 1, KeyStep: 1,
		KeySpecs: "RO: i1 r0,1,0",
		ACL:      "read string fast", Group: "string", Since: "2.2.0",
		Handler: strlenCommand},
	{Name: "incr", Arity: 2, Flags: "write denyoom fast", FirstKey: 1, LastKey: 1, KeyStep: 1,
		KeySpecs: "RW access update: i1 r0,1,0",
		ACL:      "write string fast", Group: "string", Since: "1.0.0",
		Handler: incrCommand(1)},
	{Name: "decr", Arity: 2, Flags: "write denyoom fast", FirstKey: 1, LastKey: 1, KeyStep: 1,
		KeySpecs: "RW access update: i1 r0,1,0",
		ACL:      "write string fast", Group: "string", Since: "1.0.0",
		Handler: incrCommand(-1)},
	{Name: "incrby", Arity: 3, Flags: "write denyoom fast", FirstKey: 1, LastKey: 1, KeyStep: 1,
		KeySpecs: "RW access update: i1 r0,1,0",
		ACL:      "write string fast", Group: "string", Since: "1.0.0",
		Handler: incrbyCommand(false)},
	{Name: "decrby", Arity: 3, Flags: "write denyoom fast", FirstKey: 1, LastKey: 1, KeyStep: 1,
		KeySpecs: "RW access update: i1 r0,1,0",
		ACL:      "write string fast", Group: "string", Since: "1.0.0",
		Handler: incrbyCommand(true)},
	{Name: "incrbyfloat", Arity: 3, Flags: "write denyoom fast", FirstKey: 1, LastKey: 1, KeyStep: 1,
		KeySpecs: "RW access update: i1 r0,1,0",
		ACL:      "write string fast", Group: "string", Since: "2.6.0",
		Handler: incrbyfloatCommand},
	{Name: "getrange", Arity: 4, Flags: "readonly", FirstKey: 1, LastKey: 1, KeyStep: 1,
		KeySpecs: "RO access: i1 r0,1,0",
		ACL:      "read string slow", Group: "string", Since: "2.4.0",
		Handler: getrangeCommand},
	{Name: "substr", Arity: 4, Flags: "readonly", FirstKey: 1, LastKey: 1, KeyStep: 1,
		KeySpecs: "RO access: i1 r0,1,0",
		ACL:      "read string slow", Group: "string", Since: "1.0.0",
		Handler: getrangeCommand},
	{Name: "setrange", Arity: 4, Flags: "write denyoom", FirstKey: 1, LastKey: 1, KeyStep: 1,
		KeySpecs: "RW update: i1 r0,1,0",
		ACL:      "write string slow", Group: "string", Since: "2.2.0",
		Handler: setrangeCommand},
}

// setKeys reports SET's key flags: read and written with GET, else only
// overwritten.
func setKeys(args [][]byte) []KeyRef {
	for _, a := range args[min(3, len(args)):] {
		if strings.EqualFold(string(a), "get") {
			return []KeyRef{{Pos: 1, Flags: KeyRW | KeyAccess | KeyUpdate}}
		}
	}
	return []KeyRef{{Pos: 1, Flags: KeyOW | KeyUpdate}}
}

// Error texts of the string family.
const (
	msgStringTooBig = "ERR string exceeds maximum allowed size (proto-max-bulk-len)"
	msgOffsetRange  = "ERR offset is out of range"
	msgDecrOverflow = "ERR decrement would overflow"
)

// SET/GETEX option bits (Redis's OBJ_* flags).
const (
	setNX = 1 << iota
	setXX
	setEX
	setPX
	setKeepTTL
	setGet
	setEXAT
	setPXAT
	setPersist
)

// setOpts is the parsed option list of SET or GETEX.
type setOpts struct {
	flags  int
	expire []byte // the time argument of EX/PX/EXAT/PXAT, nil if none
}

// isOpt compares a short option case-insensitively without allocating.
func isOpt(b []byte, upper string) bool {
	if len(b) != len(upper) {
		return false
	}
	for i := 0; i < len(b); i++ {
		ch := b[i]
		if ch >= 'a' && ch <= 'z' {
			ch -= 'a' - 'A'
		}
		if ch != upper[i] {
			return false
		}
	}
	return true
}

// parseSetOpts parses SET's (isSet) or GETEX's options from args[from:]
// with Redis's compatibility rules; a conflict is a syntax error.
func parseSetOpts(c Client, args [][]byte, from int, isSet bool) (setOpts, bool) {
	o, ok := parseSetOptsNoReply(args, from, isSet)
	if !ok {
		c.Error(msgSyntax)
	}
	return o, ok
}

// parseSetOptsNoReply is parseSetOpts without the error reply.
func parseSetOptsNoReply(args [][]byte, from int, isSet bool) (setOpts, bool) {
	var o setOpts
	const timed = setEX | setPX | setEXAT | setPXAT
	for j := from; j < len(args); j++ {
		a := args[j]
		hasNext := j+1 < len(args)
		f := o.flags
		switch {
		case isSet && isOpt(a, "NX") && f&setXX == 0:
			o.flags |= setNX
		case isSet && isOpt(a, "XX") && f&setNX == 0:
			o.flags |= setXX
		case isSet && isOpt(a, "GET"):
			o.flags |= setGet
		case isSet && isOpt(a, "KEEPTTL") && f&(setPersist|timed) == 0:
			o.flags |= setKeepTTL
		case !isSet && isOpt(a, "PERSIST") && f&(timed|setKeepTTL) == 0:
			o.flags |= setPersist
		case isOpt(a, "EX") && f&(setKeepTTL|setPersist|setEXAT|setPX|setPXAT) == 0 && hasNext:
			o.flags |= setEX
			o.expire = args[j+1]
			j++
		case isOpt(a, "PX") && f&(setKeepTTL|setPersist|setEX|setEXAT|setPXAT) == 0 && hasNext:
			o.flags |= setPX
			o.expire = args[j+1]
			j++
		case isOpt(a, "EXAT") && f&(setKeepTTL|setPersist|setEX|setPX|setPXAT) == 0 && hasNext:
			o.flags |= setEXAT
			o.expire = args[j+1]
			j++
		case isOpt(a, "PXAT") && f&(setKeepTTL|setPersist|setEX|setEXAT|setPX) == 0 && hasNext:
			o.flags |= setPXAT
			o.expire = args[j+1]
			j++
		default:
			return o, false
		}
	}
	return o, true
}

// expireAtArg turns the time argument of SET/SETEX/GETEX into an absolute
// Unix ms time (Redis's getExpireMillisecondsOrReply): it must be a
// positive integer that does not overflow once converted.
func expireAtArg(c Client, b []byte, flags int, name string) (int64, bool) {
	v, ok := intArg(c, b)
	if !ok {
		return 0, false
	}
	seconds := flags&(setEX|setEXAT) != 0
	if v <= 0 || (seconds && v > maxInt64/1000) {
		c.Error(invalidExpireMsg(name))
		return 0, false
	}
	if seconds {
		v *= 1000
	}
	if flags&(setEX|setPX) != 0 {
		v += ks(c).Now()
	}
	if v <= 0 {
		c.Error(invalidExpireMsg(name))
		return 0, false
	}
	return v, true
}

const maxInt64 = 1<<63 - 1

// invalidExpireMsg is Redis's addReplyErrorExpireTime text.
func invalidExpireMsg(name string) string {
	return "ERR invalid expire time in '" + name + "' command"
}

// getString looks key up for reading and returns its string value; it
// replies WRONGTYPE and returns ok=false for another type.
func getString(c Client, key []byte) (*keyspace.String, bool) {
	v := ks(c).LookupRead(c.DBIndex(), key, 0)
	if v == nil {
		return nil, true
	}
	s, isStr := v.(*keyspace.String)
	if !isStr {
		c.Error(msgWrongType)
		return nil, false
	}
	return s, true
}

// getWriteString is getString for write commands.
func getWriteString(c Client, key []byte) (*keyspace.String, bool) {
	v := ks(c).LookupWrite(c.DBIndex(), key, 0)
	if v == nil {
		return nil, true
	}
	s, isStr := v.(*keyspace.String)
	if !isStr {
		c.Error(msgWrongType)
		return nil, false
	}
	return s, true
}

// replyGet writes GET's reply: the value or a null. It returns false after
// a WRONGTYPE error.
func replyGet(c Client, key []byte) bool {
	s, ok := getString(c, key)
	if !ok {
		return false
	}
	if s == nil {
		c.Writer().NullBulk()
	} else {
		c.Writer().Bulk(s.Bytes())
	}
	return true
}

func getCommand(c Client, a [][]byte) { replyGet(c, a[1]) }

func setCommand(c Client, a [][]byte) {
	if len(a) == 3 {
		setPlain(c, a[1], a[2])
		c.OK()
		return
	}
	o, ok := parseSetOpts(c, a, 3, true)
	if !ok {
		return
	}
	setGeneric(c, o, a[1], a[2], "set", false)
}

// setPlain is SET key value without options, the benchmark hot path: an
// existing string value is overwritten in place when that does not waste
// memory, so a steady SET workload does not allocate.
func setPlain(c Client, key, val []byte) {
	k := ks(c)
	if old, ok := k.LookupWrite(c.DBIndex(), key, 0).(*keyspace.String); ok && cap(old.Bytes()) <= 2*len(val)+32 {
		k.Overwriting(c.DBIndex(), key) // still a SetKey to the Key event
		old.Set(val)
		k.Persist(c.DBIndex(), key)
		k.Modified(c.DBIndex(), key, keyspace.NotifyString, "set")
		return
	}
	k.SetKey(c.DBIndex(), key, keyspace.NewString(val), false)
	k.Modified(c.DBIndex(), key, keyspace.NotifyString, "set")
}

// setGeneric is Redis's setGenericCommand. nxReply selects SETNX's 1/0
// replies instead of OK/null.
func setGeneric(c Client, o setOpts, key, val []byte, name string, nxReply bool) {
	var at int64
	if o.expire != nil {
		var ok bool
		if at, ok = expireAtArg(c, o.expire, o.flags, name); !ok {
			return
		}
	}
	if o.flags&setGet != 0 && !replyGet(c, key) {
		return
	}
	k := ks(c)
	found := k.LookupWrite(c.DBIndex(), key, 0) != nil
	if (o.flags&setNX != 0 && found) || (o.flags&setXX != 0 && !found) {
		switch {
		case o.flags&setGet != 0:
		case nxReply:
			c.Writer().Int(0)
		default:
			c.Writer().NullBulk()
		}
		return
	}
	k.SetKey(c.DBIndex(), key, keyspace.NewString(val), o.flags&setKeepTTL != 0)
	k.Modified(c.DBIndex(), key, keyspace.NotifyString, "set")
	if o.expire != nil {
		k.SetExpire(c.DBIndex(), key, at)
		k.Notify(keyspace.NotifyGeneric, "expire", key, c.DBIndex())
	}
	switch {
	case o.flags&setGet != 0:
	case nxReply:
		c.Writer().Int(1)
	default:
		c.OK()
	}
}

func setnxCommand(c Client, a [][]byte) {
	setGeneric(c, setOpts{flags: setNX}, a[1], a[2], "setnx", true)
}

func setexCommand(ms bool) Handler {
	flag, name := setEX, "setex"
	if ms {
		flag, name = setPX, "psetex"
	}
	return func(c Client, a [][]byte) {
		setGeneric(c, setOpts{flags: flag, expire: a[2]}, a[1], a[3], name, false)
	}
}

func getsetCommand(c Client, a [][]byte) {
	if !replyGet(c, a[1]) {
		return
	}
	k := ks(c)
	k.SetKey(c.DBIndex(), a[1], keyspace.NewString(a[2]), false)
	k.Modified(c.DBIndex(), a[1], keyspace.NotifyString, "set")
}

func getdelCommand(c Client, a [][]byte) {
	if !replyGet(c, a[1]) {
		return
	}
	k := ks(c)
	if k.Delete(c.DBIndex(), a[1]) {
		k.Modified(c.DBIndex(), a[1], keyspace.NotifyGeneric, "del")
	}
}

func getexCommand(c Client, a [][]byte) {
	o, ok := parseSetOpts(c, a, 2, false)
	if !ok {
		return
	}
	s, ok := getString(c, a[1])
	if !ok {
		return
	}
	if s == nil {
		c.Writer().NullBulk()
		return
	}
	var at int64
	if o.expire != nil {
		if at, ok = expireAtArg(c, o.expire, o.flags, "getex"); !ok {
			return
		}
	}
	c.Writer().Bulk(s.Bytes())
	k := ks(c)
	switch {
	case o.flags&(setEXAT|setPXAT) != 0 && at <= k.Now():
		k.DeleteExpired(c.DBIndex(), a[1])
		k.Modified(c.DBIndex(), a[1], keyspace.NotifyGeneric, "del")
	case o.expire != nil:
		k.SetExpire(c.DBIndex(), a[1], at)
		k.Modified(c.DBIndex(), a[1], keyspace.NotifyGeneric, "expire")
	case o.flags&setPersist != 0:
		if k.Persist(c.DBIndex(), a[1]) {
			k.Modified(c.DBIndex(), a[1], keyspace.NotifyGeneric, "persist")
		}
	}
}

func mgetCommand(c Client, a [][]byte) {
	k := ks(c)
	c.Writer().ArrayLen(len(a) - 1)
	for _, key := range a[1:] {
		if s, ok := k.LookupRead(c.DBIndex(), key, 0).(*keyspace.String); ok {
			c.Writer().Bulk(s.Bytes())
		} else {
			c.Writer().NullBulk()
		}
	}
}

func msetCommand(nx bool) Handler {
	return func(c Client, a [][]byte) {
		if len(a)%2 == 0 {
			name := "mset"
			if nx {
				name = "msetnx"
			}
			c.Error("ERR wrong number of arguments for '" + name + "' command")
			return
		}
		k := ks(c)
		if nx {
			for j := 1; j < len(a); j += 2 {
				if k.LookupWrite(c.DBIndex(), a[j], 0) != nil {
					c.Writer().Int(0)
					return
				}
			}
		}
		for j := 1; j < len(a); j += 2 {
			k.SetKey(c.DBIndex(), a[j], keyspace.NewString(a[j+1]), false)
			k.Modified(c.DBIndex(), a[j], keyspace.NotifyString, "set")
		}
		if nx {
			c.Writer().Int(1)
		} else {
			c.OK()
		}
	}
}

// maxBulkLen is proto-max-bulk-len, the largest string value allowed.
func maxBulkLen(c Client) int64 {
	return c.Config().Int("proto-max-bulk-len")
}

// checkStringLength replies the size error when a string would grow past
// proto-max-bulk-len.
func checkStringLength(c Client, size, add int64) bool {
	total := size + add
	if total > maxBulkLen(c) || total < size || total < add {
		c.Error(msgStringTooBig)
		return false
	}
	return true
}

func appendCommand(c Client, a [][]byte) {
	s, ok := getWriteString(c, a[1])
	if !ok {
		return
	}
	k := ks(c)
	var n int
	if s == nil {
		k.Add(c.DBIndex(), a[1], keyspace.NewString(a[2]))
		n = len(a[2])
	} else {
		if !checkStringLength(c, int64(s.Len()), int64(len(a[2]))) {
			return
		}
		n = s.Append(a[2])
	}
	k.Modified(c.DBIndex(), a[1], keyspace.NotifyString, "append")
	c.Writer().Int(int64(n))
}

func strlenCommand(c Client, a [][]byte) {
	s, ok := getString(c, a[1])
	if !ok {
		return
	}
	if s == nil {
		c.Writer().Int(0)
		return
	}
	c.Writer().Int(int64(s.Len()))
}

func incrCommand(by int64) Handler {
	return func(c Client, a [][]byte) { incrDecr(c, a[1], by) }
}

func incrbyCommand(negate bool) Handler {
	return func(c Client, a [][]byte) {
		by, ok := intArg(c, a[2])
		if !ok {
			return
		}
		if negate {
			if by == -maxInt64-1 {
				c.Error(msgDecrOverflow)
				return
			}
			by = -by
		}
		incrDecr(c, a[1], by)
	}
}

// incrDecr is Redis's incrDecrCommand; the stored value is updated in
// place when it is a string already.
func incrDecr(c Client, key []byte, by int64) {
	s, ok := getWriteString(c, key)
	if !ok {
		return
	}
	var cur int64
	if s != nil {
		if cur, ok = s.Int(); !ok {
			c.Error(msgNotInt)
			return
		}
	}
	if (by < 0 && cur < 0 && by < -maxInt64-1-cur) || (by > 0 && cur > 0 && by > maxInt64-cur) {
		c.Error(msgOverflow)
		return
	}
	cur += by
	k := ks(c)
	if s != nil {
		s.SetInt(cur)
	} else {
		k.Add(c.DBIndex(), key, keyspace.NewStringInt(cur))
	}
	k.Modified(c.DBIndex(), key, keyspace.NotifyString, "incrby")
	c.Writer().Int(cur)
}

func incrbyfloatCommand(c Client, a [][]byte) {
	s, ok := getWriteString(c, a[1])
	if !ok {
		return
	}
	var cur []byte
	if s != nil {
		cur = s.Bytes()
	}
	out, msg := incrLongDouble(cur, a[2])
	if msg != "" {
		c.Error(msg)
		return
	}
	k := ks(c)
	if s != nil {
		s.Set(out)
	} else {
		k.Add(c.DBIndex(), a[1], keyspace.NewStringOwned(out))
	}
	k.Modified(c.DBIndex(), a[1], keyspace.NotifyString, "incrbyfloat")
	c.Writer().Bulk(out)
}

func getrangeCommand(c Client, a [][]byte) {
	start, ok := intArg(c, a[2])
	if !ok {
		return
	}
	end, ok := intArg(c, a[3])
	if !ok {
		return
	}
	s, ok := getString(c, a[1])
	if !ok {
		return
	}
	if s == nil {
		c.Writer().Bulk(nil)
		return
	}
	c.Writer().Bulk(s.GetRange(start, end))
}

func setrangeCommand(c Client, a [][]byte) {
	offset, ok := intArg(c, a[2])
	if !ok {
		return
	}
	if offset < 0 {
		c.Error(msgOffsetRange)
		return
	}
	val := a[3]
	s, ok := getWriteString(c, a[1])
	if !ok {
		return
	}
	k := ks(c)
	if s == nil {
		if len(val) == 0 {
			c.Writer().Int(0)
			return
		}
		if !checkStringLength(c, offset, int64(len(val))) {
			return
		}
		s = keyspace.NewString(nil)
		k.Add(c.DBIndex(), a[1], s)
	} else {
		if len(val) == 0 {
			c.Writer().Int(int64(s.Len()))
			return
		}
		if !checkStringLength(c, offset, int64(len(val))) {
			return
		}
	}
	n := s.SetRange(int(offset), val)
	k.Modified(c.DBIndex(), a[1], keyspace.NotifyString, "setrange")
	c.Writer().Int(int64(n))
}

// incrLongDouble adds incr to cur (nil means a missing key, 0) with long
// double arithmetic and returns the formatted result or an error text.
func incrLongDouble(cur, incr []byte) ([]byte, string) {
	v := newLongDouble()
	if cur != nil {
		var ok bool
		if v, ok = parseLongDouble(cur); !ok {
			return nil, msgNotFloat
		}
	}
	by, ok := parseLongDouble(incr)
	if !ok {
		return nil, msgNotFloat
	}
	if v.IsInf() || by.IsInf() {
		return nil, msgNaN
	}
	sum, ok := addLongDouble(v, by)
	if !ok {
		return nil, msgNaN
	}
	return formatLongDouble(sum), ""
}
