package commands

// SCAN over the keys of the current database (Redis's scanGenericCommand
// for the keyspace).

import (
	"math"
	"strconv"
	"strings"

	"github.com/modhost/modhost/keyspace"
)

// scanCommands is SCAN (db.c).
var scanCommands = []Entry{
	{Name: "scan", Arity: -2, Flags: "readonly",
		Tips: "nondeterministic_output request_policy:special response_policy:special",
		ACL:  "keyspace read slow", Group: "generic", Since: "2.8.0",
		Handler: scanCommand},
}

// ModuleTypeName resolves a SCAN TYPE argument that is not a core type
// name to a module type's exact name (case-insensitive match, as Redis's
// moduleTypeLookupModuleByNameIgnoreCase). The module layer sets it; nil
// means no module types exist.
var ModuleTypeName func(name string) (string, bool)

// coreTypeNames are the TYPE names SCAN TYPE accepts without a module.
var coreTypeNames = []string{"string", "list", "set", "zset", "hash", "stream"}

// scanTypeArg resolves SCAN's TYPE argument to the name TypeName reports.
func scanTypeArg(b []byte) (string, bool) {
	for _, n := range coreTypeNames {
		if eqFold(b, n) {
			return n, true
		}
	}
	if ModuleTypeName != nil {
		return ModuleTypeName(string(b))
	}
	return "", false
}

// parseScanCursor parses a cursor as Redis's string2ull: a canonical
// integer must not be negative; anything else is read as strtoull does
// (leading blanks, an optional sign, decimal digits to the end, no
// overflow).
func parseScanCursor(b []byte) (uint64, bool) {
	if v, ok := keyspace.ParseInt(b); ok {
		return uint64(v), v >= 0
	}
	i := 0
	for i < len(b) && (b[i] == ' ' || b[i] >= '\t' && b[i] <= '\r') {
		i++
	}
	neg := false
	if i < len(b) && (b[i] == '+' || b[i] == '-') {
		neg = b[i] == '-'
		i++
	}
	if i == len(b) {
		return 0, false
	}
	var v uint64
	for ; i < len(b); i++ {
		ch := b[i]
		if ch < '0' || ch > '9' {
			return 0, false
		}
		d := uint64(ch - '0')
		if v > (math.MaxUint64-d)/10 {
			return 0, false
		}
		v = v*10 + d
	}
	if neg {
		v = -v
	}
	return v, true
}

func scanCommand(c Client, a [][]byte) {
	cursor, ok := parseScanCursor(a[1])
	if !ok {
		c.Error("ERR invalid cursor")
		return
	}
	count := int64(10)
	var opts keyspace.ScanOptions
	for i := 2; i < len(a); {
		more := len(a) - i
		switch {
		case eqFold(a[i], "count") && more >= 2:
			if count, ok = intArg(c, a[i+1]); !ok {
				return
			}
			if count < 1 {
				c.Error(msgSyntax)
				return
			}
			i += 2
		case eqFold(a[i], "match") && more >= 2:
			opts.Match = a[i+1]
			i += 2
		case eqFold(a[i], "type") && more >= 2:
			name, known := scanTypeArg(a[i+1])
			if !known {
				c.Error("ERR unknown type name '" + strings.ReplaceAll(string(a[i+1]), "\n", " ") + "'")
				return
			}
			opts.Type = name
			i += 2
		case eqFold(a[i], "novalues"):
			c.Error("ERR NOVALUES option can only be used in HSCAN")
			return
		default:
			c.Error(msgSyntax)
			return
		}
	}
	if count > 1<<30 {
		count = 1 << 30
	}
	next, keys := ks(c).Scan(c.DBIndex(), cursor, int(count), &opts, nil)
	c.Writer().ArrayLen(2)
	var buf [20]byte
	c.Writer().Bulk(strconv.AppendUint(buf[:0], next, 10))
	c.Writer().ArrayLen(len(keys))
	for _, k := range keys {
		c.Writer().BulkString(k)
	}
}
