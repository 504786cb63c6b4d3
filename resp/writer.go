package resp

import "strconv"

// Writer appends RESP replies to Buf in protocol Proto (2 or 3; anything
// other than 3 is treated as 2). The zero value writes RESP2. RESP3-only
// types are downgraded for RESP2 the way Redis's addReply* functions do.
// A Writer is not safe for concurrent use.
type Writer struct {
	// Buf holds the encoded replies. Callers may flush and truncate it, but
	// not while a DeferLen mark is pending.
	Buf []byte
	// Proto is the negotiated protocol version (HELLO 2 / HELLO 3).
	Proto int

	marks []deferMark
}

// Reset empties Buf (keeping its capacity) and drops pending deferred marks.
func (w *Writer) Reset() {
	w.Buf = w.Buf[:0]
	w.marks = w.marks[:0]
}

func (w *Writer) resp3() bool { return w.Proto == 3 }

// appendHeader appends prefix, n and CRLF.
func (w *Writer) appendHeader(prefix byte, n int64) {
	w.Buf = append(w.Buf, prefix)
	w.Buf = strconv.AppendInt(w.Buf, n, 10)
	w.Buf = append(w.Buf, '\r', '\n')
}

// SimpleString appends a status reply "+s\r\n". s must not contain CR or LF.
func (w *Writer) SimpleString(s string) {
	w.Buf = append(w.Buf, '+')
	w.Buf = append(w.Buf, s...)
	w.Buf = append(w.Buf, '\r', '\n')
}

// Error appends "-"+msg+"\r\n". msg already carries its error code ("ERR
// ...", "WRONGTYPE ..."); a leading '-' in msg is not doubled. Like Redis's
// addReplyErrorFormat, trailing CR/LF are trimmed and any other CR or LF is
// replaced by a space so the reply stays well formed.
func (w *Writer) Error(msg string) {
	for len(msg) > 0 && (msg[len(msg)-1] == '\r' || msg[len(msg)-1] == '\n') {
		msg = msg[:len(msg)-1]
	}
	if len(msg) == 0 || msg[0] != '-' {
		w.Buf = append(w.Buf, '-')
	}
	start := len(w.Buf)
	w.Buf = append(w.Buf, msg...)
	for i := start; i < len(w.Buf); i++ {
		if w.Buf[i] == '\r' || w.Buf[i] == '\n' {
			w.Buf[i] = ' '
		}
	}
	w.Buf = append(w.Buf, '\r', '\n')
}

// Int appends an integer reply ":n\r\n".
func (w *Writer) Int(n int64) { w.appendHeader(':', n) }

// Bulk appends a bulk string reply "$len\r\nb\r\n". A nil b is an empty
// bulk string, not a null; use NullBulk for that.
func (w *Writer) Bulk(b []byte) {
	w.appendHeader('$', int64(len(b)))
	w.Buf = append(w.Buf, b...)
	w.Buf = append(w.Buf, '\r', '\n')
}

// BulkString appends s as a bulk string reply.
func (w *Writer) BulkString(s string) {
	w.appendHeader('$', int64(len(s)))
	w.Buf = append(w.Buf, s...)
	w.Buf = append(w.Buf, '\r', '\n')
}

// BulkInt appends n formatted in decimal as a bulk string reply (Redis's
// addReplyBulkLongLong).
func (w *Writer) BulkInt(n int64) {
	var tmp [20]byte
	w.Bulk(strconv.AppendInt(tmp[:0], n, 10))
}

// NullBulk appends a null: "$-1\r\n" in RESP2, "_\r\n" in RESP3.
func (w *Writer) NullBulk() {
	if w.resp3() {
		w.Buf = append(w.Buf, "_\r\n"...)
		return
	}
	w.Buf = append(w.Buf, "$-1\r\n"...)
}

// NullArray appends a null array: "*-1\r\n" in RESP2, "_\r\n" in RESP3.
func (w *Writer) NullArray() {
	if w.resp3() {
		w.Buf = append(w.Buf, "_\r\n"...)
		return
	}
	w.Buf = append(w.Buf, "*-1\r\n"...)
}

// ArrayLen starts an array of n elements.
func (w *Writer) ArrayLen(n int) { w.appendHeader('*', int64(n)) }

// MapLen starts a map of n key/value pairs: "%n" in RESP3, a flat array of
// 2n elements in RESP2.
func (w *Writer) MapLen(n int) {
	if w.resp3() {
		w.appendHeader('%', int64(n))
		return
	}
	w.appendHeader('*', 2*int64(n))
}

// SetLen starts a set of n elements: "~n" in RESP3, an array in RESP2.
func (w *Writer) SetLen(n int) {
	if w.resp3() {
		w.appendHeader('~', int64(n))
		return
	}
	w.appendHeader('*', int64(n))
}

// AttributeLen starts an attribute of n pairs ("|n", RESP3 only). RESP2 has
// no attributes: under RESP2 it writes nothing, and the caller must not emit
// the attribute's pairs either (Redis asserts RESP3 here).
func (w *Writer) AttributeLen(n int) {
	if w.resp3() {
		w.appendHeader('|', int64(n))
	}
}

// PushLen starts an out-of-band push of n elements: ">n" in RESP3, an array
// in RESP2 (as pub/sub messages are).
func (w *Writer) PushLen(n int) {
	if w.resp3() {
		w.appendHeader('>', int64(n))
		return
	}
	w.appendHeader('*', int64(n))
}

// Double appends f as a RESP3 double ",<d>\r\n" or, in RESP2, as a bulk
// string; the number is formatted by AppendDouble.
func (w *Writer) Double(f float64) {
	var tmp [40]byte
	d := AppendDouble(tmp[:0], f)
	if w.resp3() {
		w.Buf = append(w.Buf, ',')
		w.Buf = append(w.Buf, d...)
		w.Buf = append(w.Buf, '\r', '\n')
		return
	}
	w.Bulk(d)
}

// HumanLongDouble appends f formatted by FormatLongDouble(f, true): a RESP3
// double or a RESP2 bulk string (Redis's addReplyHumanLongDouble, used by
// INCRBYFLOAT and HINCRBYFLOAT).
func (w *Writer) HumanLongDouble(f float64) {
	var tmp [64]byte
	d := AppendLongDouble(tmp[:0], f, true)
	if w.resp3() {
		w.Buf = append(w.Buf, ',')
		w.Buf = append(w.Buf, d...)
		w.Buf = append(w.Buf, '\r', '\n')
		return
	}
	w.Bulk(d)
}

// Bool appends "#t"/"#f" in RESP3 and the integers 1/0 in RESP2.
func (w *Writer) Bool(b bool) {
	switch {
	case w.resp3() && b:
		w.Buf = append(w.Buf, "#t\r\n"...)
	case w.resp3():
		w.Buf = append(w.Buf, "#f\r\n"...)
	case b:
		w.Buf = append(w.Buf, ":1\r\n"...)
	default:
		w.Buf = append(w.Buf, ":0\r\n"...)
	}
}

// BigNumber appends the decimal digits s as a RESP3 big number "(s" or a
// RESP2 bulk string.
func (w *Writer) BigNumber(s string) {
	if w.resp3() {
		w.Buf = append(w.Buf, '(')
		w.Buf = append(w.Buf, s...)
		w.Buf = append(w.Buf, '\r', '\n')
		return
	}
	w.BulkString(s)
}

// Verbatim appends s as a RESP3 verbatim string "=len\r\nfmt:s\r\n" or a
// RESP2 bulk string of s. Only the first three bytes of format are used; a
// shorter format is padded with spaces, as Redis does.
func (w *Writer) Verbatim(format string, s []byte) {
	if !w.resp3() {
		w.Bulk(s)
		return
	}
	w.appendHeader('=', int64(len(s))+4)
	for i := 0; i < 3; i++ {
		if i < len(format) {
			w.Buf = append(w.Buf, format[i])
		} else {
			w.Buf = append(w.Buf, ' ')
		}
	}
	w.Buf = append(w.Buf, ':')
	w.Buf = append(w.Buf, s...)
	w.Buf = append(w.Buf, '\r', '\n')
}

// Raw appends pre-encoded protocol bytes unchanged.
func (w *Writer) Raw(b []byte) { w.Buf = append(w.Buf, b...) }
