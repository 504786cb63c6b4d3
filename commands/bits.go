package commands

// Bitmap commands on strings (Redis's bitops.c): SETBIT, GETBIT,
// BITCOUNT and BITPOS with BYTE|BIT ranges.

import (
	"math/bits"

	"github.com/modhost/modhost/keyspace"
)

// bitCommands are the bitmap commands (bitops.c).
var bitCommands = []Entry{
	{Name: "setbit", Arity: 4, Flags: "write denyoom", FirstKey: 1, LastKey: 1, KeyStep: 1,
		KeySpecs: "RW access update: i1 r0,1,0",
		ACL:      "write bitmap slow", Group: "bitmap", Since: "2.2.0",
		Handler: setbitCommand},
	{Name: "getbit", Arity: 3, Flags: "readonly fast", FirstKey: 1, LastKey: 1, KeyStep: 1,
		KeySpecs: "RO access: i1 r0,1,0",
		ACL:      "read bitmap fast", Group: "bitmap", Since: "2.2.0",
		Handler: getbitCommand},
	{Name: "bitcount", Arity: -2, Flags: "readonly", FirstKey: 1, LastKey: 1, KeyStep: 1,
		KeySpecs: "RO access: i1 r0,1,0",
		ACL:      "read bitmap slow", Group: "bitmap", Since: "2.6.0",
		Handler: bitcountCommand},
	{Name: "bitpos", Arity: -3, Flags: "readonly", FirstKey: 1, LastKey: 1, KeyStep: 1,
		KeySpecs: "RO access: i1 r0,1,0",
		ACL:      "read bitmap slow", Group: "bitmap", Since: "2.8.7",
		Handler: bitposCommand},
}

// Error texts of the bitmap family.
const (
	msgBitOffset = "ERR bit offset is not an integer or out of range"
	msgBitValue  = "ERR bit is not an integer or out of range"
	msgBitArg    = "ERR The bit argument must be 1 or 0."
)

// bitOffsetArg parses a bit offset: a non-negative integer whose byte lies
// below proto-max-bulk-len.
func bitOffsetArg(c Client, b []byte) (int64, bool) {
	v, ok := keyspace.ParseInt(b)
	if !ok || v < 0 || v>>3 >= maxBulkLen(c) {
		c.Error(msgBitOffset)
		return 0, false
	}
	return v, true
}

func setbitCommand(c Client, a [][]byte) {
	off, ok := bitOffsetArg(c, a[2])
	if !ok {
		return
	}
	on, ok := keyspace.ParseInt(a[3])
	if !ok || on&^1 != 0 {
		c.Error(msgBitValue)
		return
	}
	s, ok := getWriteString(c, a[1])
	if !ok {
		return
	}
	k := ks(c)
	byteIdx := int(off >> 3)
	grown := false
	if s == nil {
		s = keyspace.NewString(nil)
		k.Add(c.DBIndex(), a[1], s)
		grown = true
	} else if byteIdx >= s.Len() {
		grown = true
	}
	var cur byte
	if byteIdx < s.Len() {
		cur = s.Bytes()[byteIdx]
	}
	mask := byte(1) << (7 - uint(off&7))
	old := cur&mask != 0
	if on == 1 {
		cur |= mask
	} else {
		cur &^= mask
	}
	// Redis unshares (makes raw) the string even when nothing changes.
	s.SetRange(byteIdx, []byte{cur})
	if grown || old != (on == 1) {
		k.Modified(c.DBIndex(), a[1], keyspace.NotifyString, "setbit")
	}
	if old {
		c.Writer().Int(1)
	} else {
		c.Writer().Int(0)
	}
}

func getbitCommand(c Client, a [][]byte) {
	off, ok := bitOffsetArg(c, a[2])
	if !ok {
		return
	}
	s, ok := getString(c, a[1])
	if !ok {
		return
	}
	if s == nil {
		c.Writer().Int(0)
		return
	}
	byteIdx := off >> 3
	if b := s.Bytes(); byteIdx < int64(len(b)) && b[byteIdx]&(1<<(7-uint(off&7))) != 0 {
		c.Writer().Int(1)
		return
	}
	c.Writer().Int(0)
}

// bitRange turns BITCOUNT/BITPOS start/end (bytes, or bits when isBit)
// into an inclusive bit interval of a string of n bytes, with Redis's
// negative-index and clamping rules. empty reports start > end.
func bitRange(start, end int64, n int, isBit bool) (lo, hi int64, empty bool) {
	total := int64(n)
	if isBit {
		total <<= 3
	}
	if start < 0 {
		start += total
	}
	if end < 0 {
		end += total
	}
	start = max(start, 0)
	end = max(end, 0)
	if end >= total {
		end = total - 1
	}
	if start > end {
		return 0, 0, true
	}
	if isBit {
		return start, end, false
	}
	return start << 3, end<<3 | 7, false
}

// bitUnitArg parses the optional BYTE|BIT argument.
func bitUnitArg(c Client, b []byte) (isBit, ok bool) {
	switch {
	case eqFold(b, "bit"):
		return true, true
	case eqFold(b, "byte"):
		return false, true
	}
	c.Error(msgSyntax)
	return false, false
}

func bitcountCommand(c Client, a [][]byte) {
	var start, end int64
	isBit := false
	ranged := false
	switch len(a) {
	case 2:
	case 4, 5:
		var ok bool
		if start, ok = intArg(c, a[2]); !ok {
			return
		}
		if end, ok = intArg(c, a[3]); !ok {
			return
		}
		if len(a) == 5 {
			if isBit, ok = bitUnitArg(c, a[4]); !ok {
				return
			}
		}
		ranged = true
	default:
		c.Error(msgSyntax)
		return
	}
	s, ok := getString(c, a[1])
	if !ok {
		return
	}
	if s == nil {
		c.Writer().Int(0)
		return
	}
	b := s.Bytes()
	lo, hi := int64(0), int64(len(b))*8-1
	if ranged {
		if start < 0 && end < 0 && start > end {
			c.Writer().Int(0)
			return
		}
		var empty bool
		if lo, hi, empty = bitRange(start, end, len(b), isBit); empty {
			c.Writer().Int(0)
			return
		}
	}
	c.Writer().Int(popcountBits(b, lo, hi))
}

// popcountBits counts the set bits of b from bit lo to bit hi inclusive
// (bit 0 is the most significant bit of byte 0).
func popcountBits(b []byte, lo, hi int64) int64 {
	if hi < lo {
		return 0
	}
	first, last := lo>>3, hi>>3
	var n int64
	for i := first; i <= last; i++ {
		v := b[i]
		if i == first {
			v &= 0xFF >> uint(lo&7)
		}
		if i == last {
			v &= 0xFF << uint(7-hi&7)
		}
		n += int64(bits.OnesCount8(v))
	}
	return n
}

func bitposCommand(c Client, a [][]byte) {
	bit, ok := intArg(c, a[2])
	if !ok {
		return
	}
	if bit != 0 && bit != 1 {
		c.Error(msgBitArg)
		return
	}
	var start, end int64
	isBit, endGiven := false, false
	switch len(a) {
	case 3:
	case 4, 5, 6:
		if start, ok = intArg(c, a[3]); !ok {
			return
		}
		if len(a) == 6 {
			if isBit, ok = bitUnitArg(c, a[5]); !ok {
				return
			}
		}
		if len(a) >= 5 {
			if end, ok = intArg(c, a[4]); !ok {
				return
			}
			endGiven = true
		}
	default:
		c.Error(msgSyntax)
		return
	}
	s, ok := getString(c, a[1])
	if !ok {
		return
	}
	if s == nil {
		if bit == 1 {
			c.Writer().Int(-1)
		} else {
			c.Writer().Int(0)
		}
		return
	}
	b := s.Bytes()
	if !endGiven {
		end = int64(len(b)) - 1
		if isBit {
			end = int64(len(b))<<3 + 7
		}
	}
	lo, hi, empty := bitRange(start, end, len(b), isBit)
	if len(a) == 3 {
		lo, hi, empty = 0, int64(len(b))*8-1, len(b) == 0
	}
	if empty {
		c.Writer().Int(-1)
		return
	}
	pos := findBit(b, lo, hi, bit == 1)
	if pos < 0 {
		if bit == 1 || endGiven {
			c.Writer().Int(-1)
		} else {
			c.Writer().Int(hi + 1)
		}
		return
	}
	c.Writer().Int(pos)
}

// findBit returns the first bit position in lo..hi of b whose value is
// set (or clear, when !set), or -1.
func findBit(b []byte, lo, hi int64, set bool) int64 {
	for p := lo; p <= hi; {
		i := p >> 3
		v := b[i]
		if !set {
			v = ^v
		}
		if p&7 == 0 && p+7 <= hi {
			if v == 0 {
				p += 8
				continue
			}
			return p + int64(bits.LeadingZeros8(v))
		}
		if v&(0x80>>uint(p&7)) != 0 {
			return p
		}
		p++
	}
	return -1
}
