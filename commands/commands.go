// Package commands implements Redis's data commands (keys, strings, lists,
// hashes, sets, sorted sets, streams) on top of the keyspace package, with
// Redis's arity, options, error texts and reply types in RESP2 and RESP3.
//
// Each family lives in its own file and declares its commands in one table
// (a []Entry next to the handlers, key specs included); Tables lists them
// and the server adds them to its command table at start-up. The package
// also owns the command vocabulary shared by the server and the module
// host: Command, CmdFlag, KeySpec, CommandDocs, Handler and the Client
// interface handlers run against. It imports neither of them.
//
// Lifetime rule: handler arguments alias the connection's read buffer;
// anything stored in the keyspace is copied by the keyspace constructors
// (keyspace.NewString and the collection Set/Add methods copy their input).
package commands

import (
	"errors"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/modhost/modhost/keyspace"
)

// Error texts used by several families (Redis's exact wording).
const (
	msgSyntax      = "ERR syntax error"
	msgNotInt      = keyspace.MsgNotInt
	msgNotFloat    = keyspace.MsgNotFloat
	msgWrongType   = keyspace.MsgWrongType
	msgNoSuchKey   = "ERR no such key"
	msgOutOfRange  = "ERR index out of range"
	msgOverflow    = "ERR increment or decrement would overflow"
	msgTimeoutNeg  = "ERR timeout is negative"
	msgTimeoutBad  = "ERR timeout is not a float or out of range"
	msgNaN         = "ERR increment would produce NaN or Infinity"
	msgMustBePos   = "ERR value is out of range, must be positive"
	msgDBOutOfRang = "ERR DB index is out of range"
)

// ks is shorthand for the server's keyspace.
func ks(c Client) *keyspace.Keyspace { return c.Keyspace() }

// parseInt parses an integer argument with Redis's string2ll rules.
func parseInt(b []byte) (int64, bool) { return keyspace.ParseInt(b) }

// intArg parses an integer argument or replies msgNotInt.
func intArg(c Client, b []byte) (int64, bool) {
	v, ok := keyspace.ParseInt(b)
	if !ok {
		c.Error(msgNotInt)
	}
	return v, ok
}

// floatArg parses a float argument (Redis's string2d rules) or replies
// msgNotFloat.
func floatArg(c Client, b []byte) (float64, bool) {
	v, ok := keyspace.ParseFloat(b)
	if !ok {
		c.Error(msgNotFloat)
	}
	return v, ok
}

// timeoutArg parses a blocking command's timeout in seconds (decimals
// allowed) as Redis's getTimeoutFromObjectOrReply: the value is read as a
// long double, scaled to milliseconds and rounded up; 0 means forever.
func timeoutArg(c Client, b []byte) (time.Duration, bool) {
	f, err := strconv.ParseFloat(string(b), 64)
	if err != nil && !errors.Is(err, strconv.ErrRange) || math.IsNaN(f) || len(b) == 0 || b[0] == ' ' || b[len(b)-1] == ' ' {
		c.Error(msgTimeoutBad)
		return 0, false
	}
	ms := f * 1000
	if ms > math.MaxInt64 {
		c.Error("ERR timeout is out of range")
		return 0, false
	}
	ims := int64(math.Ceil(ms))
	if ims < 0 {
		c.Error(msgTimeoutNeg)
		return 0, false
	}
	if ims > math.MaxInt64-time.Now().UnixMilli() {
		c.Error("ERR timeout is out of range")
		return 0, false
	}
	if ims > math.MaxInt64/int64(time.Millisecond) {
		return 0, true // beyond time.Duration (292 years): wait forever
	}
	return time.Duration(ims) * time.Millisecond, true
}

// lookupRead returns the value at key for a read command, replying
// WRONGTYPE (and returning ok=false) when it is not of kind k. A missing key
// gives (nil, true).
func lookupRead(c Client, key []byte, k keyspace.Kind) (keyspace.Value, bool) {
	v := ks(c).LookupRead(c.DBIndex(), key, 0)
	if v != nil && v.Kind() != k {
		c.Error(msgWrongType)
		return nil, false
	}
	return v, true
}

// lookupWrite is lookupRead for write commands (no hit/miss statistics).
func lookupWrite(c Client, key []byte, k keyspace.Kind) (keyspace.Value, bool) {
	v := ks(c).LookupWrite(c.DBIndex(), key, 0)
	if v != nil && v.Kind() != k {
		c.Error(msgWrongType)
		return nil, false
	}
	return v, true
}

// eqFold compares an argument with an upper- or lower-case keyword.
func eqFold(b []byte, s string) bool { return strings.EqualFold(string(b), s) }
