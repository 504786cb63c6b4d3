package commands

// HyperLogLog commands (hyperloglog.c): PFADD, PFCOUNT, PFMERGE, and the
// debugging commands PFDEBUG and PFSELFTEST (hll_debug.go). A HyperLogLog
// is a plain string value in Redis's exact format (hll_enc.go), so GET,
// SET, DUMP/RESTORE and RDB files carry it unchanged.

import (
	"github.com/modhost/modhost/keyspace"
)

// hllCommands are the HyperLogLog family.
var hllCommands = []Entry{
	{Name: "pfadd", Arity: -2, Flags: "write denyoom fast", FirstKey: 1, LastKey: 1, KeyStep: 1,
		KeySpecs: "RW insert: i1 r0,1,0",
		ACL:      "write hyperloglog fast", Group: hllGroup, Since: "2.8.9",
		Summary: "Adds elements to a HyperLogLog key. Creates the key if it doesn't exist.",
		Docs: &CommandDocs{Complexity: "O(1) to add every element.", Args: []Arg{
			{Name: "key", Type: "key", KeySpecIndex: 0},
			{Name: "element", Type: "string", KeySpecIndex: -1, Flags: []string{"optional", "multiple"}},
		}},
		Handler: pfaddCommand},
	{Name: "pfcount", Arity: -2, Flags: "readonly", FirstKey: 1, LastKey: -1, KeyStep: 1,
		KeySpecs: "RW access: i1 r-1,1,0 # RW because it may change the internal representation of the key, and propagate to replicas",
		ACL:      "read hyperloglog slow", Group: hllGroup, Since: "2.8.9",
		Summary: "Returns the approximated cardinality of the set(s) observed by the HyperLogLog key(s).",
		Docs: &CommandDocs{Complexity: "O(1) with a very small average constant time when called with a single key. O(N) with N being the number of keys, and much bigger constant times, when called with multiple keys.", Args: []Arg{
			{Name: "key", Type: "key", KeySpecIndex: 0, Flags: []string{"multiple"}},
		}},
		Handler: pfcountCommand},
	{Name: "pfmerge", Arity: -2, Flags: "write denyoom", FirstKey: 1, LastKey: -1, KeyStep: 1,
		KeySpecs: "RW access insert: i1 r0,1,0 | RO access: i2 r-1,1,0",
		ACL:      "write hyperloglog slow", Group: hllGroup, Since: "2.8.9",
		Summary: "Merges one or more HyperLogLog values into a single key.",
		Docs: &CommandDocs{Complexity: "O(N) to merge N HyperLogLogs, but with high constant times.", Args: []Arg{
			{Name: "destkey", Type: "key", KeySpecIndex: 0},
			{Name: "sourcekey", Type: "key", KeySpecIndex: 1, Flags: []string{"optional", "multiple"}},
		}},
		Handler: pfmergeCommand},
	{Name: "pfdebug", Arity: 3, Flags: "write denyoom admin", FirstKey: 2, LastKey: 2, KeyStep: 1,
		KeySpecs: "RW access: i2 r0,1,0",
		ACL:      "write hyperloglog admin slow dangerous", Group: hllGroup, Since: "2.8.9",
		Summary: "Internal commands for debugging HyperLogLog values.",
		Docs: &CommandDocs{Complexity: "N/A", DocFlags: []string{"syscmd"}, Args: []Arg{
			{Name: "subcommand", Type: "string", KeySpecIndex: -1},
			{Name: "key", Type: "key", KeySpecIndex: 0},
		}},
		Handler: pfdebugCommand},
	{Name: "pfselftest", Arity: 1, Flags: "admin",
		ACL: "hyperloglog admin slow dangerous", Group: hllGroup, Since: "2.8.9",
		Summary: "An internal command for testing HyperLogLog values.",
		Docs:    &CommandDocs{Complexity: "N/A", DocFlags: []string{"syscmd"}},
		Handler: pfselftestCommand},
}

const hllGroup = "hyperloglog"

// Error texts of the HyperLogLog family.
const (
	msgHLLWrongType = "WRONGTYPE Key is not a valid HyperLogLog string value."
	msgHLLInvalid   = "INVALIDOBJ Corrupted HLL object detected"
)

// hllSparseMax is the hll-sparse-max-bytes directive.
func hllSparseMax(c Client) int64 { return c.Config().Int("hll-sparse-max-bytes") }

// lookupHLL finds key and checks it holds a HyperLogLog
// (isHLLObjectOrReply): nil without a key, ok false after an error reply.
func lookupHLL(c Client, key []byte, write bool) (s *keyspace.String, ok bool) {
	var v keyspace.Value
	if write {
		v = ks(c).LookupWrite(c.DBIndex(), key, 0)
	} else {
		v = ks(c).LookupRead(c.DBIndex(), key, 0)
	}
	if v == nil {
		return nil, true
	}
	s, isStr := v.(*keyspace.String)
	if !isStr {
		c.Error(msgWrongType)
		return nil, false
	}
	if !hllValid(s.Bytes()) {
		c.Error(msgHLLWrongType)
		return nil, false
	}
	return s, true
}

// hllWorkCopy returns the value's bytes for in-place work and marks the
// value raw, as Redis's dbUnshareStringValue leaves it. The bytes are the
// value's own (a string value never shares its storage), so changes that
// keep the length need no copy.
func hllWorkCopy(s *keyspace.String) []byte {
	s.MarkRaw()
	return s.Bytes()
}

// hllStore writes b back into s when the work reallocated it.
func hllStore(s *keyspace.String, b []byte) {
	cur := s.Bytes()
	if len(cur) != len(b) || len(b) > 0 && &cur[0] != &b[0] {
		s.SetRawOwned(b)
	}
}

func pfaddCommand(c Client, a [][]byte) {
	k := ks(c)
	s, ok := lookupHLL(c, a[1], true)
	if !ok {
		return
	}
	updated := 0
	if s == nil {
		s = keyspace.NewString(nil)
		s.SetRawOwned(newHLL())
		k.Add(c.DBIndex(), a[1], s)
		updated++
	}
	b := hllWorkCopy(s)
	maxBytes := hllSparseMax(c)
	for _, ele := range a[2:] {
		var r hllResult
		b, r = hllAdd(b, ele, maxBytes)
		if r == hllCorrupt {
			hllStore(s, b)
			c.Error(msgHLLInvalid)
			return
		}
		updated += int(r)
	}
	if updated > 0 {
		hllInvalidate(b)
		hllStore(s, b)
		k.Modified(c.DBIndex(), a[1], keyspace.NotifyString, "pfadd")
		k.Dirty += int64(updated - 1)
		c.Writer().Int(1)
		return
	}
	hllStore(s, b)
	c.Writer().Int(0)
}

func pfcountCommand(c Client, a [][]byte) {
	if len(a) > 2 {
		pfcountUnion(c, a[1:])
		return
	}
	s, ok := lookupHLL(c, a[1], false)
	if !ok {
		return
	}
	if s == nil {
		c.Writer().Int(0)
		return
	}
	ks(c).BeforeWrite(c.DBIndex(), a[1]) // the cached cardinality is written back
	b := hllWorkCopy(s)
	card, valid := hllCached(b)
	if !valid {
		var h [64]int
		if !hllHisto(b, &h) {
			c.Error(msgHLLInvalid)
			return
		}
		card = hllEstimate(&h)
		hllSetCached(b, card)
		// A read-only command that changes the value: Redis signals the
		// key and counts a change, so the new cache is propagated.
		ks(c).Modified(c.DBIndex(), a[1], 0, "")
	}
	c.Writer().Int(int64(card))
}

// pfcountUnion is PFCOUNT of several keys: the estimate of their union,
// computed without writing anything.
func pfcountUnion(c Client, keys [][]byte) {
	var max [hllRegisters]uint8
	for _, key := range keys {
		s, ok := lookupHLL(c, key, false)
		if !ok {
			return
		}
		if s != nil && !hllMerge(&max, s.Bytes()) {
			c.Error(msgHLLInvalid)
			return
		}
	}
	var h [64]int
	for _, v := range max {
		h[v]++
	}
	c.Writer().Int(int64(hllEstimate(&h)))
}

func pfmergeCommand(c Client, a [][]byte) {
	var max [hllRegisters]uint8
	useDense := false
	for _, key := range a[1:] {
		s, ok := lookupHLL(c, key, false)
		if !ok {
			return
		}
		if s == nil {
			continue
		}
		if s.Bytes()[4] == hllDense {
			useDense = true
		}
		if !hllMerge(&max, s.Bytes()) {
			c.Error(msgHLLInvalid)
			return
		}
	}
	k := ks(c)
	v := k.LookupWrite(c.DBIndex(), a[1], 0)
	var s *keyspace.String
	if v == nil {
		s = keyspace.NewString(nil)
		s.SetRawOwned(newHLL())
		k.Add(c.DBIndex(), a[1], s)
	} else {
		s = v.(*keyspace.String) // checked as the first source
	}
	b := hllWorkCopy(s)
	if useDense {
		var ok bool
		if b, ok = hllSparseToDense(b); !ok {
			c.Error(msgHLLInvalid)
			return
		}
	}
	maxBytes := hllSparseMax(c)
	for i, v := range max {
		if v != 0 {
			b, _ = hllSet(b, i, v, maxBytes)
		}
	}
	hllInvalidate(b)
	hllStore(s, b)
	k.Modified(c.DBIndex(), a[1], keyspace.NotifyString, "pfadd")
	c.OK()
}
