package commands

// BITFIELD, BITFIELD_RO and BITOP (Redis's bitops.c): integers of 1 to 64
// bits at any bit offset of a string, and bitwise operations between
// strings.

import (
	"github.com/modhost/modhost/keyspace"
)

// bitfieldCommands are BITFIELD, BITFIELD_RO and BITOP.
var bitfieldCommands = []Entry{
	{Name: "bitfield", Arity: -2, Flags: "write denyoom", FirstKey: 1, LastKey: 1, KeyStep: 1,
		KeySpecs: "RW update access variable_flags: i1 r0,1,0 # This command allows both access and modification of the key",
		ACL:      "write bitmap slow", Group: "bitmap", Since: "3.2.0",
		Handler: bitfieldCommand, GetKeysFlags: bitfieldKeys},
	{Name: "bitfield_ro", Arity: -2, Flags: "readonly fast", FirstKey: 1, LastKey: 1, KeyStep: 1,
		KeySpecs: "RO access: i1 r0,1,0",
		ACL:      "read bitmap fast", Group: "bitmap", Since: "6.0.0",
		Handler: bitfieldROCommand},
	{Name: "bitop", Arity: -4, Flags: "write denyoom", FirstKey: 2, LastKey: -1, KeyStep: 1,
		KeySpecs: "OW update: i2 r0,1,0 | RO access: i3 r-1,1,0",
		ACL:      "write bitmap slow", Group: "bitmap", Since: "2.6.0",
		Handler: bitopCommand},
}

// Error texts of BITFIELD and BITOP.
const (
	msgBitfieldType = "ERR Invalid bitfield type. Use something like i16 u8. Note that u64 is not supported but i64 is."
	msgOverflowType = "ERR Invalid OVERFLOW type specified"
	msgBitfieldRO   = "ERR BITFIELD_RO only supports the GET subcommand"
	msgBitopNot     = "ERR BITOP NOT must be called with a single source key."
)

// Overflow behaviours of BITFIELD SET and INCRBY.
const (
	overflowWrap = iota
	overflowSat
	overflowFail
)

// BITFIELD operations.
const (
	bfGet = iota
	bfSet
	bfIncrBy
)

// bfOp is one parsed BITFIELD operation.
type bfOp struct {
	offset uint64 // bit offset of the field's most significant bit
	value  int64  // SET value or INCRBY increment
	op     int    // bfGet, bfSet or bfIncrBy
	ow     int    // overflow behaviour in force
	bits   uint   // width, 1..64
	signed bool
}

// bitfieldKeys is Redis's bitfieldGetKeys: the key needs only read access
// when every operation is a GET.
func bitfieldKeys(args [][]byte) []KeyRef {
	readonly := true
	for i := 2; i < len(args); i++ {
		rem := len(args) - i - 1
		switch {
		case eqFold(args[i], "get") && rem >= 2:
			i += 2
			continue
		case (eqFold(args[i], "set") || eqFold(args[i], "incrby")) && rem >= 3:
			readonly = false
		case eqFold(args[i], "overflow") && rem >= 1:
			i++
			continue
		default:
			readonly = false // a syntax error: assume a write
		}
		break
	}
	if readonly {
		return []KeyRef{{Pos: 1, Flags: KeyRO | KeyAccess}}
	}
	return []KeyRef{{Pos: 1, Flags: KeyRW | KeyAccess | KeyUpdate}}
}

// bitfieldType parses i1..i64 or u1..u63 (the digits end at a NUL byte,
// as Redis reads them with strlen).
func bitfieldType(b []byte) (bits uint, signed, ok bool) {
	if len(b) == 0 || b[0] != 'i' && b[0] != 'u' {
		return 0, false, false
	}
	signed = b[0] == 'i'
	digits := b[1:]
	for i, ch := range digits {
		if ch == 0 {
			digits = digits[:i]
			break
		}
	}
	n, isInt := keyspace.ParseInt(digits)
	if !isInt || n < 1 || signed && n > 64 || !signed && n > 63 {
		return 0, false, false
	}
	return uint(n), signed, true
}

// bitfieldOffset parses a BITFIELD offset: a bit number, or #N for the
// N-th field of the type's width. The result must lie in the first
// proto-max-bulk-len bytes.
func bitfieldOffset(c Client, b []byte, bits uint) (uint64, bool) {
	hash := len(b) > 0 && b[0] == '#'
	digits := b
	if hash {
		digits = b[1:]
	}
	v, ok := keyspace.ParseInt(digits)
	if ok && hash {
		v *= int64(bits) // wraps like Redis's long long multiplication
	}
	if !ok || v < 0 || v>>3 >= maxBulkLen(c) {
		c.Error(msgBitOffset)
		return 0, false
	}
	return uint64(v), true
}

// parseBitfield reads the operations of BITFIELD (from args[2]) with
// Redis's errors; write reports a SET or INCRBY, and maxBit the highest
// bit they reach.
func parseBitfield(c Client, args [][]byte) (ops []bfOp, write bool, maxBit uint64, ok bool) {
	ow := overflowWrap
	for j := 2; j < len(args); j++ {
		rem := len(args) - j - 1
		var op int
		switch {
		case eqFold(args[j], "get") && rem >= 2:
			op = bfGet
		case eqFold(args[j], "set") && rem >= 3:
			op = bfSet
		case eqFold(args[j], "incrby") && rem >= 3:
			op = bfIncrBy
		case eqFold(args[j], "overflow") && rem >= 1:
			j++
			switch {
			case eqFold(args[j], "wrap"):
				ow = overflowWrap
			case eqFold(args[j], "sat"):
				ow = overflowSat
			case eqFold(args[j], "fail"):
				ow = overflowFail
			default:
				c.Error(msgOverflowType)
				return nil, false, 0, false
			}
			continue
		default:
			c.Error(msgSyntax)
			return nil, false, 0, false
		}
		bits, signed, tok := bitfieldType(args[j+1])
		if !tok {
			c.Error(msgBitfieldType)
			return nil, false, 0, false
		}
		off, ook := bitfieldOffset(c, args[j+2], bits)
		if !ook {
			return nil, false, 0, false
		}
		o := bfOp{offset: off, op: op, ow: ow, bits: bits, signed: signed}
		if op != bfGet {
			write = true
			maxBit = max(maxBit, off+uint64(bits)-1)
			v, vok := intArg(c, args[j+3])
			if !vok {
				return nil, false, 0, false
			}
			o.value = v
			j++
		}
		ops = append(ops, o)
		j += 2
	}
	return ops, write, maxBit, true
}

func bitfieldCommand(c Client, args [][]byte) { bitfieldGeneric(c, args, false) }

func bitfieldROCommand(c Client, args [][]byte) { bitfieldGeneric(c, args, true) }

// bitfieldGeneric runs BITFIELD, or BITFIELD_RO when ro (GET only).
func bitfieldGeneric(c Client, args [][]byte, ro bool) {
	ops, write, maxBit, ok := parseBitfield(c, args)
	if !ok {
		return
	}
	var s *keyspace.String
	dirty := false
	if !write {
		if s, ok = getString(c, args[1]); !ok {
			return
		}
	} else {
		if ro {
			c.Error(msgBitfieldRO)
			return
		}
		if s, dirty, ok = growStringForBits(c, args[1], maxBit); !ok {
			return
		}
	}
	w := c.Writer()
	w.ArrayLen(len(ops))
	changes := 0
	var buf [9]byte
	for _, o := range ops {
		if o.op == bfGet {
			var src []byte
			if s != nil {
				src = s.Bytes()
			}
			first := o.offset >> 3
			buf = [9]byte{}
			if first < uint64(len(src)) {
				copy(buf[:], src[first:])
			}
			shift := o.offset - first*8
			if o.signed {
				w.Int(getSignedBits(buf[:], shift, o.bits))
			} else {
				w.Int(int64(getUnsignedBits(buf[:], shift, o.bits)))
			}
			continue
		}
		old, nv, ret, fail := bitfieldWrite(s.Bytes(), o)
		if fail {
			w.NullBulk()
			continue
		}
		w.Int(ret)
		writeField(s, o, nv)
		if dirty || old != nv {
			changes++
		}
	}
	if changes > 0 {
		k := ks(c)
		k.Modified(c.DBIndex(), args[1], keyspace.NotifyString, "setbit")
		k.Dirty += int64(changes - 1)
	}
}

// growStringForBits is Redis's lookupStringForBitCommand: the string at
// key, created or zero-padded so that bit maxBit exists and made raw;
// grown reports a creation or growth.
func growStringForBits(c Client, key []byte, maxBit uint64) (s *keyspace.String, grown, ok bool) {
	if s, ok = getWriteString(c, key); !ok {
		return nil, false, false
	}
	need := int(maxBit>>3) + 1
	if s == nil {
		s = rawString(make([]byte, need))
		ks(c).Add(c.DBIndex(), key, s)
		return s, true, true
	}
	old := s.Len()
	if old < need {
		s.SetRange(old, make([]byte, need-old))
		return s, true, true
	}
	// Redis unshares the value (it becomes raw) even when nothing grows.
	s.SetRange(0, s.Bytes()[:1])
	return s, false, true
}

// bitfieldWrite computes a SET or INCRBY on the current bytes p: the old
// and new field values (as stored bits, sign-extended for signed fields),
// the value to reply and whether an overflow under FAIL stops the write.
func bitfieldWrite(p []byte, o bfOp) (old, nv, ret int64, fail bool) {
	if o.signed {
		old = getSignedBits(p, o.offset, o.bits)
		var of int
		var lim int64
		if o.op == bfIncrBy {
			of, lim = signedOverflow(old, o.value, o.bits, o.ow)
			nv = old + o.value
			if of != 0 {
				nv = lim
			}
			ret = nv
		} else {
			nv = o.value
			if of, lim = signedOverflow(nv, 0, o.bits, o.ow); of != 0 {
				nv = lim
			}
			ret = old
		}
		return old, nv, ret, of != 0 && o.ow == overflowFail
	}
	uold := getUnsignedBits(p, o.offset, o.bits)
	var unv uint64
	var of int
	var lim uint64
	if o.op == bfIncrBy {
		unv = uold + uint64(o.value)
		if of, lim = unsignedOverflow(uold, o.value, o.bits, o.ow); of != 0 {
			unv = lim
		}
		ret = int64(unv)
	} else {
		unv = uint64(o.value)
		if of, lim = unsignedOverflow(unv, 0, o.bits, o.ow); of != 0 {
			unv = lim
		}
		ret = int64(uold)
	}
	return int64(uold), int64(unv), ret, of != 0 && o.ow == overflowFail
}

// writeField stores the low o.bits bits of v at o.offset of s.
func writeField(s *keyspace.String, o bfOp, v int64) {
	first := o.offset >> 3
	last := (o.offset + uint64(o.bits) - 1) >> 3
	buf := append([]byte(nil), s.Bytes()[first:last+1]...)
	setBits(buf, o.offset-first*8, o.bits, uint64(v))
	s.SetRange(int(first), buf)
}

// getUnsignedBits reads bits bits at bit offset off of p, most significant
// bit first.
func getUnsignedBits(p []byte, off uint64, bits uint) uint64 {
	var v uint64
	for i := uint64(0); i < uint64(bits); i++ {
		pos := off + i
		bit := p[pos>>3] >> (7 - pos&7) & 1
		v = v<<1 | uint64(bit)
	}
	return v
}

// getSignedBits reads a two's complement field and sign-extends it.
func getSignedBits(p []byte, off uint64, bits uint) int64 {
	v := getUnsignedBits(p, off, bits)
	if bits < 64 && v&(1<<(bits-1)) != 0 {
		v |= ^uint64(0) << bits
	}
	return int64(v)
}

// setBits writes the low bits bits of v at bit offset off of p.
func setBits(p []byte, off uint64, bits uint, v uint64) {
	for i := uint64(0); i < uint64(bits); i++ {
		bit := v >> (uint64(bits) - 1 - i) & 1
		pos := off + i
		mask := byte(1) << (7 - pos&7)
		if bit != 0 {
			p[pos>>3] |= mask
		} else {
			p[pos>>3] &^= mask
		}
	}
}

// unsignedOverflow is Redis's checkUnsignedBitfieldOverflow: 1 when
// value+incr exceeds the width's maximum, -1 when it goes below zero, 0
// when it fits; lim is then what WRAP or SAT store.
func unsignedOverflow(value uint64, incr int64, bits uint, ow int) (int, uint64) {
	maxv := uint64(1)<<bits - 1 // bits <= 63
	maxincr := int64(maxv - value)
	minincr := -int64(value)
	wrap := func() uint64 { return (value + uint64(incr)) &^ (^uint64(0) << bits) }
	switch {
	case value > maxv || incr > 0 && incr > maxincr:
		switch ow {
		case overflowWrap:
			return 1, wrap()
		case overflowSat:
			return 1, maxv
		}
		return 1, 0
	case incr < 0 && incr < minincr:
		switch ow {
		case overflowWrap:
			return -1, wrap()
		case overflowSat:
			return -1, 0
		}
		return -1, 0
	}
	return 0, 0
}

// signedOverflow is Redis's checkSignedBitfieldOverflow for a signed
// field of bits bits.
func signedOverflow(value, incr int64, bits uint, ow int) (int, int64) {
	maxv := int64(1)<<(bits-1) - 1
	if bits == 64 {
		maxv = 1<<63 - 1
	}
	minv := -maxv - 1
	maxincr := int64(uint64(maxv) - uint64(value))
	minincr := minv - value
	wrap := func() int64 {
		c := uint64(value) + uint64(incr)
		if bits < 64 {
			mask := ^uint64(0) << bits
			if c&(1<<(bits-1)) != 0 {
				c |= mask
			} else {
				c &^= mask
			}
		}
		return int64(c)
	}
	switch {
	case value > maxv || bits != 64 && incr > maxincr || value >= 0 && incr > 0 && incr > maxincr:
		switch ow {
		case overflowWrap:
			return 1, wrap()
		case overflowSat:
			return 1, maxv
		}
		return 1, 0
	case value < minv || bits != 64 && incr < minincr || value < 0 && incr < 0 && incr < minincr:
		switch ow {
		case overflowWrap:
			return -1, wrap()
		case overflowSat:
			return -1, minv
		}
		return -1, 0
	}
	return 0, 0
}

// BITOP operations.
const (
	bitopAnd = iota
	bitopOr
	bitopXor
	bitopNot
)

func bitopCommand(c Client, args [][]byte) {
	var op int
	switch {
	case eqFold(args[1], "and"):
		op = bitopAnd
	case eqFold(args[1], "or"):
		op = bitopOr
	case eqFold(args[1], "xor"):
		op = bitopXor
	case eqFold(args[1], "not"):
		op = bitopNot
	default:
		c.Error(msgSyntax)
		return
	}
	if op == bitopNot && len(args) != 4 {
		c.Error(msgBitopNot)
		return
	}
	srcs := make([][]byte, len(args)-3)
	maxLen := 0
	for i, key := range args[3:] {
		s, ok := getString(c, key)
		if !ok {
			return
		}
		if s != nil {
			srcs[i] = s.Bytes()
			maxLen = max(maxLen, len(srcs[i]))
		}
	}
	k := ks(c)
	dst := args[2]
	if maxLen == 0 {
		if k.Delete(c.DBIndex(), dst) {
			k.Modified(c.DBIndex(), dst, keyspace.NotifyGeneric, "del")
		}
		c.Writer().Int(0)
		return
	}
	res := make([]byte, maxLen)
	for j := range res {
		out := byteAt(srcs[0], j)
		if op == bitopNot {
			out = ^out
		}
		for _, src := range srcs[1:] {
			b := byteAt(src, j)
			switch op {
			case bitopAnd:
				out &= b
			case bitopOr:
				out |= b
			case bitopXor:
				out ^= b
			}
		}
		res[j] = out
	}
	k.SetKey(c.DBIndex(), dst, rawString(res), false)
	k.Modified(c.DBIndex(), dst, keyspace.NotifyString, "set")
	c.Writer().Int(int64(maxLen))
}

// rawString returns a string value of b with the "raw" encoding, as the
// strings Redis builds with createObject(OBJ_STRING, sds).
func rawString(b []byte) *keyspace.String {
	s := keyspace.NewStringOwned(b)
	s.SetRange(0, s.Bytes()[:1]) // marks it raw
	return s
}

// byteAt is b[i], or 0 past the end (a shorter or missing source).
func byteAt(b []byte, i int) byte {
	if i < len(b) {
		return b[i]
	}
	return 0
}
