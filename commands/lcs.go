package commands

// LCS: the longest common subsequence of two string keys (Redis 7's
// LCS command, with LEN, IDX, MINMATCHLEN and WITHMATCHLEN).

import (
	"github.com/modhost/modhost/keyspace"
)

// lcsCommands is LCS (t_string.c).
var lcsCommands = []Entry{
	{Name: "lcs", Arity: -3, Flags: "readonly", FirstKey: 1, LastKey: 2, KeyStep: 1,
		KeySpecs: "RO access: i1 r1,1,0",
		ACL:      "read string slow", Group: "string", Since: "7.0.0",
		Handler: lcsCommand},
}

// Error texts of LCS.
const (
	msgLCSNotStrings = "ERR The specified keys must contain string values"
	msgLCSLenAndIdx  = "ERR If you want both the length and indexes, please just use IDX."
	msgLCSTooBig     = "ERR Insufficient memory, transient memory for LCS exceeds proto-max-bulk-len"
)

// lcsMatch is one matching range pair of LCS IDX, positions inclusive.
type lcsMatch struct {
	aStart, aEnd, bStart, bEnd int
}

func lcsCommand(c Client, a [][]byte) {
	k := ks(c)
	va := k.LookupRead(c.DBIndex(), a[1], 0)
	vb := k.LookupRead(c.DBIndex(), a[2], 0)
	sa, okA := va.(*keyspace.String)
	sb, okB := vb.(*keyspace.String)
	if (va != nil && !okA) || (vb != nil && !okB) {
		c.Error(msgLCSNotStrings)
		return
	}
	var x, y []byte
	if sa != nil {
		x = sa.Bytes()
	}
	if sb != nil {
		y = sb.Bytes()
	}
	var getLen, getIdx, withLen bool
	var minLen int64
	for j := 3; j < len(a); j++ {
		switch {
		case eqFold(a[j], "idx"):
			getIdx = true
		case eqFold(a[j], "len"):
			getLen = true
		case eqFold(a[j], "withmatchlen"):
			withLen = true
		case eqFold(a[j], "minmatchlen") && j+1 < len(a):
			v, ok := intArg(c, a[j+1])
			if !ok {
				return
			}
			minLen = max(v, 0)
			j++
		default:
			c.Error(msgSyntax)
			return
		}
	}
	if getLen && getIdx {
		c.Error(msgLCSLenAndIdx)
		return
	}
	if int64(len(x)+1)*int64(len(y)+1)*4 > maxBulkLen(c) {
		c.Error(msgLCSTooBig)
		return
	}
	table := lcsTable(x, y)
	total := int(table[len(table)-1])
	if getLen {
		c.Writer().Int(int64(total))
		return
	}
	seq, matches := lcsWalk(x, y, table, total, getIdx)
	if !getIdx {
		c.Writer().Bulk(seq)
		return
	}
	c.Writer().MapLen(2)
	c.Writer().BulkString("matches")
	n := 0
	for _, m := range matches {
		if int64(m.aEnd-m.aStart+1) >= minLen {
			n++
		}
	}
	c.Writer().ArrayLen(n)
	for _, m := range matches {
		l := m.aEnd - m.aStart + 1
		if int64(l) < minLen {
			continue
		}
		if withLen {
			c.Writer().ArrayLen(3)
		} else {
			c.Writer().ArrayLen(2)
		}
		c.Writer().ArrayLen(2)
		c.Writer().Int(int64(m.aStart))
		c.Writer().Int(int64(m.aEnd))
		c.Writer().ArrayLen(2)
		c.Writer().Int(int64(m.bStart))
		c.Writer().Int(int64(m.bEnd))
		if withLen {
			c.Writer().Int(int64(l))
		}
	}
	c.Writer().BulkString("len")
	c.Writer().Int(int64(total))
}

// lcsTable fills the dynamic-programming table: entry i*(len(y)+1)+j is
// the LCS length of x[:i] and y[:j].
func lcsTable(x, y []byte) []uint32 {
	w := len(y) + 1
	t := make([]uint32, (len(x)+1)*w)
	for i := 1; i <= len(x); i++ {
		row, prev := t[i*w:], t[(i-1)*w:]
		for j := 1; j <= len(y); j++ {
			switch {
			case x[i-1] == y[j-1]:
				row[j] = prev[j-1] + 1
			case prev[j] > row[j-1]:
				row[j] = prev[j]
			default:
				row[j] = row[j-1]
			}
		}
	}
	return t
}

// lcsWalk walks the table back from the end, as Redis does, building the
// subsequence and (when wantRanges) the runs of consecutive matches from
// the last to the first.
func lcsWalk(x, y []byte, t []uint32, total int, wantRanges bool) ([]byte, []lcsMatch) {
	w := len(y) + 1
	seq := make([]byte, total)
	var out []lcsMatch
	cur, active := lcsMatch{}, false
	idx := total
	i, j := len(x), len(y)
	for i > 0 && j > 0 {
		if x[i-1] == y[j-1] {
			idx--
			seq[idx] = x[i-1]
			if active && cur.aStart == i && cur.bStart == j {
				cur.aStart, cur.bStart = i-1, j-1
			} else {
				cur = lcsMatch{aStart: i - 1, aEnd: i - 1, bStart: j - 1, bEnd: j - 1}
				active = true
			}
			i, j = i-1, j-1
			if cur.aStart == 0 || cur.bStart == 0 {
				out = append(out, cur)
				active = false
			}
			continue
		}
		if t[(i-1)*w+j] > t[i*w+j-1] {
			i--
		} else {
			j--
		}
		if active {
			out = append(out, cur)
			active = false
		}
	}
	if !wantRanges {
		out = nil
	}
	return seq, out
}
