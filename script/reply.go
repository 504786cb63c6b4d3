package script

import (
	"encoding/binary"
	"errors"
	"math"

	"github.com/modhost/modhost/resp"
	"github.com/modhost/modhost/server"
)

// The C half converts a script's Lua result into a small tagged stream
// (one tag byte, then native int64 lengths and values), so that the reply
// is written here by the client's own writer in its protocol:
//
//	B len bytes  bulk string     I int64  integer      N  null
//	T / F        boolean         D float64 double
//	G len bytes  big number      V len fmt int64 len bytes  verbatim
//	O len bytes  status          E len bytes  error (with its code)
//	A n / M n / S n  array, map (n pairs), set, followed by the elements

var errTruncated = errors.New("truncated script reply")

// replyReader walks a tagged stream.
type replyReader struct {
	b   []byte
	off int
}

func (r *replyReader) int64() (int64, error) {
	if r.off+8 > len(r.b) {
		return 0, errTruncated
	}
	v := int64(binary.NativeEndian.Uint64(r.b[r.off:]))
	r.off += 8
	return v, nil
}

func (r *replyReader) bytes() ([]byte, error) {
	n, err := r.int64()
	if err != nil || n < 0 || r.off+int(n) > len(r.b) {
		return nil, errTruncated
	}
	s := r.b[r.off : r.off+int(n)]
	r.off += int(n)
	return s, nil
}

// writeReply writes the tagged reply out to c. A top-level error is
// counted in the error statistics as the client's own error.
func writeReply(c *server.Client, out []byte) error {
	if len(out) > 0 && out[0] == 'E' {
		r := &replyReader{b: out, off: 1}
		msg, err := r.bytes()
		if err != nil {
			return err
		}
		c.ScriptError(string(msg))
		return nil
	}
	r := &replyReader{b: out}
	return r.write(c.Writer())
}

// write writes one value (and its elements) to w.
func (r *replyReader) write(w *resp.Writer) error {
	if r.off >= len(r.b) {
		return errTruncated
	}
	tag := r.b[r.off]
	r.off++
	switch tag {
	case 'B', 'G', 'O', 'E':
		s, err := r.bytes()
		if err != nil {
			return err
		}
		switch tag {
		case 'B':
			w.Bulk(s)
		case 'G':
			w.BigNumber(mapCRLF(s))
		case 'O':
			w.SimpleString(mapCRLF(s))
		default:
			writeErrorVerbatim(w, string(s))
		}
	case 'I':
		n, err := r.int64()
		if err != nil {
			return err
		}
		w.Int(n)
	case 'N':
		w.NullBulk()
	case 'T', 'F':
		w.Bool(tag == 'T')
	case 'D':
		n, err := r.int64()
		if err != nil {
			return err
		}
		w.Double(math.Float64frombits(uint64(n)))
	case 'V':
		format, err := r.bytes()
		if err != nil {
			return err
		}
		s, err := r.bytes()
		if err != nil {
			return err
		}
		w.Verbatim(string(format), s)
	case 'A', 'M', 'S':
		n, err := r.int64()
		if err != nil || n < 0 {
			return errTruncated
		}
		elems := int(n)
		switch tag {
		case 'A':
			w.ArrayLen(elems)
		case 'M':
			w.MapLen(elems)
			elems *= 2
		default:
			w.SetLen(elems)
		}
		for i := 0; i < elems; i++ {
			if err := r.write(w); err != nil {
				return err
			}
		}
	default:
		return errTruncated
	}
	return nil
}

// mapCRLF replaces CR and LF by spaces, as Redis does for status replies
// and big numbers from scripts.
func mapCRLF(b []byte) string {
	out := []byte(string(b))
	for i, ch := range out {
		if ch == '\r' || ch == '\n' {
			out[i] = ' '
		}
	}
	return string(out)
}

// writeErrorVerbatim writes msg as an error reply: "-"+msg, where msg
// carries its own code (Redis adds "ERR" only to an empty message).
func writeErrorVerbatim(w *resp.Writer, msg string) {
	if msg == "" {
		msg = "ERR"
	}
	w.Error("-" + msg)
}
