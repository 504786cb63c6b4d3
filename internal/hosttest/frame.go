// Package hosttest is the reusable harness for modhost's integration tests:
// it starts server processes (modhost or Debian's redis-server) on free
// loopback ports, talks RESP to them with a reply reader of its own (so a
// server is never checked by its own parser), and runs differential command
// scripts against two servers.
package hosttest

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"strconv"
)

// MaxDepth bounds the nesting of aggregate replies ReadFrame accepts.
const MaxDepth = 64

// maxBulk bounds the length of a single bulk string (Redis's default
// proto-max-bulk-len is 512 MiB).
const maxBulk = 512 << 20

// maxElems bounds the element count of one aggregate header, so a corrupt
// header cannot make the reader allocate without bound.
const maxElems = 1 << 24

// ErrProtocol is wrapped by every error ReadFrame returns for malformed input.
var ErrProtocol = errors.New("hosttest: RESP protocol error")

// Frame is one RESP2/RESP3 reply as read from the wire.
type Frame struct {
	// Type is the RESP type byte: one of + - : $ * _ , # ! = ( % ~ > |.
	Type byte
	// Raw holds the exact bytes of the reply, including any attribute
	// frame that preceded it and all nested elements.
	Raw []byte
	// Str is the payload of a simple string, error, bulk string, verbatim
	// string (with its "txt:" prefix), blob error, double, big number,
	// boolean or integer, without type byte or CRLF. Streamed strings are
	// joined.
	Str []byte
	// Null is true for RESP3 null (_) and for RESP2 null bulk/array ($-1, *-1).
	Null bool
	// Elems are the elements of an aggregate (*, ~, >, %, |). Maps and
	// attributes store keys and values alternately.
	Elems []*Frame
	// Attr is the attribute frame (|) that preceded this reply, if any.
	Attr *Frame

	start, end int // span in the reply buffer while reading
}

// IsAggregate reports whether f has elements (array, set, push, map, attribute).
func (f *Frame) IsAggregate() bool {
	switch f.Type {
	case '*', '~', '>', '%', '|':
		return !f.Null
	}
	return false
}

// IsError reports whether f is a simple or blob error.
func (f *Frame) IsError() bool { return f.Type == '-' || f.Type == '!' }

// String returns the raw reply quoted as a Go string literal, for messages.
func (f *Frame) String() string { return strconv.Quote(string(f.Raw)) }

// ReadReply reads one complete reply from r and returns its exact bytes.
func ReadReply(r *bufio.Reader) ([]byte, error) {
	f, err := ReadFrame(r)
	if err != nil {
		return nil, err
	}
	return f.Raw, nil
}

// ReadFrame reads one complete reply from r. An attribute frame is read
// together with the reply it annotates. Out-of-band push frames are returned
// like any other reply.
func ReadFrame(r *bufio.Reader) (*Frame, error) {
	var raw bytes.Buffer
	f, err := readFrame(r, &raw, 0)
	if err != nil {
		return nil, err
	}
	setRaw(f, raw.Bytes())
	return f, nil
}

// ParseFrame parses exactly one reply from b and returns it with the number
// of bytes consumed.
func ParseFrame(b []byte) (*Frame, int, error) {
	r := bufio.NewReaderSize(bytes.NewReader(b), 16)
	f, err := ReadFrame(r)
	if err != nil {
		return nil, 0, err
	}
	return f, len(f.Raw), nil
}

// setRaw points every frame's Raw at its span of the whole reply buffer.
func setRaw(f *Frame, all []byte) {
	f.Raw = all[f.start:f.end:f.end]
	for _, e := range f.Elems {
		setRaw(e, all)
	}
	if f.Attr != nil {
		setRaw(f.Attr, all)
	}
}

// noEOF turns an EOF inside a reply into io.ErrUnexpectedEOF.
func noEOF(err error) error {
	if err == io.EOF {
		return io.ErrUnexpectedEOF
	}
	return err
}

func protoErr(format string, args ...any) error {
	return fmt.Errorf("%w: "+format, append([]any{ErrProtocol}, args...)...)
}

// readLine reads up to CRLF and returns the line without it.
func readLine(r *bufio.Reader, raw *bytes.Buffer) ([]byte, error) {
	line, err := r.ReadSlice('\n')
	if err == bufio.ErrBufferFull {
		var long []byte
		long = append(long, line...)
		for err == bufio.ErrBufferFull {
			line, err = r.ReadSlice('\n')
			long = append(long, line...)
			if len(long) > maxBulk {
				return nil, protoErr("line too long")
			}
		}
		line = long
	}
	if err != nil {
		if err == io.EOF && len(line) > 0 {
			return nil, io.ErrUnexpectedEOF
		}
		return nil, err
	}
	raw.Write(line)
	if len(line) < 2 || line[len(line)-2] != '\r' {
		return nil, protoErr("line not terminated by CRLF: %q", line)
	}
	return line[:len(line)-2], nil
}

func parseLen(b []byte, what string) (int, error) {
	n, err := strconv.ParseInt(string(b), 10, 64)
	if err != nil || n < -1 || n > maxBulk {
		return 0, protoErr("bad %s length %q", what, b)
	}
	return int(n), nil
}

// readFrame reads one frame and records its span in raw; setRaw later
// points Raw at it.
func readFrame(r *bufio.Reader, raw *bytes.Buffer, depth int) (*Frame, error) {
	if depth > MaxDepth {
		return nil, protoErr("nesting deeper than %d", MaxDepth)
	}
	start := raw.Len()
	line, err := readLine(r, raw)
	if err != nil {
		return nil, err
	}
	if len(line) == 0 {
		return nil, protoErr("empty line")
	}
	f := &Frame{Type: line[0]}
	body := line[1:]
	switch f.Type {
	case '+', '-', ':', ',', '(':
		f.Str = append([]byte(nil), body...)
		if err := checkScalar(f); err != nil {
			return nil, err
		}
	case '_':
		if len(body) != 0 {
			return nil, protoErr("null with payload %q", body)
		}
		f.Null = true
	case '#':
		if len(body) != 1 || (body[0] != 't' && body[0] != 'f') {
			return nil, protoErr("bad boolean %q", body)
		}
		f.Str = append([]byte(nil), body...)
	case '$', '!', '=':
		if err := readBlob(r, raw, f, body); err != nil {
			return nil, err
		}
	case '*', '~', '>', '%', '|':
		if err := readAggregate(r, raw, f, body, depth); err != nil {
			return nil, err
		}
	default:
		return nil, protoErr("unknown type byte %q", f.Type)
	}
	if f.Type == '|' {
		next, err := readFrame(r, raw, depth+1)
		if err != nil {
			return nil, err
		}
		f.start, f.end = start, next.start
		next.Attr = f
		next.start = start
		return next, nil
	}
	f.start, f.end = start, raw.Len()
	return f, nil
}

func checkScalar(f *Frame) error {
	switch f.Type {
	case ':':
		if _, err := strconv.ParseInt(string(f.Str), 10, 64); err != nil {
			return protoErr("bad integer %q", f.Str)
		}
	case ',':
		if !validDouble(f.Str) {
			return protoErr("bad double %q", f.Str)
		}
	case '(':
		s := f.Str
		if len(s) > 0 && (s[0] == '-' || s[0] == '+') {
			s = s[1:]
		}
		if len(s) == 0 {
			return protoErr("bad big number %q", f.Str)
		}
		for _, c := range s {
			if c < '0' || c > '9' {
				return protoErr("bad big number %q", f.Str)
			}
		}
	}
	return nil
}

func validDouble(s []byte) bool {
	switch string(s) {
	case "inf", "-inf", "nan":
		return true
	}
	_, err := strconv.ParseFloat(string(s), 64)
	return err == nil
}

// readBlob reads a bulk string, blob error or verbatim string whose header
// line body (after the type byte) is hdr. "?" starts a streamed string.
func readBlob(r *bufio.Reader, raw *bytes.Buffer, f *Frame, hdr []byte) error {
	if string(hdr) == "?" && f.Type == '$' {
		return readStreamedString(r, raw, f)
	}
	n, err := parseLen(hdr, "blob")
	if err != nil {
		return err
	}
	if n == -1 {
		if f.Type != '$' {
			return protoErr("negative length for %q", f.Type)
		}
		f.Null = true
		return nil
	}
	data, err := readExact(r, raw, n)
	if err != nil {
		return err
	}
	if f.Type == '=' && (n < 4 || data[3] != ':') {
		return protoErr("verbatim string without format prefix")
	}
	f.Str = data
	return nil
}

// readExact reads n payload bytes followed by CRLF.
func readExact(r *bufio.Reader, raw *bytes.Buffer, n int) ([]byte, error) {
	buf := make([]byte, n+2)
	if _, err := io.ReadFull(r, buf); err != nil {
		return nil, noEOF(err)
	}
	raw.Write(buf)
	if buf[n] != '\r' || buf[n+1] != '\n' {
		return nil, protoErr("blob not terminated by CRLF")
	}
	return buf[:n:n], nil
}

// readStreamedString reads ";<len>\r\n<data>\r\n" chunks up to ";0\r\n".
func readStreamedString(r *bufio.Reader, raw *bytes.Buffer, f *Frame) error {
	f.Str = []byte{}
	for {
		line, err := readLine(r, raw)
		if err != nil {
			return err
		}
		if len(line) < 2 || line[0] != ';' {
			return protoErr("bad streamed string chunk %q", line)
		}
		n, err := parseLen(line[1:], "chunk")
		if err != nil || n < 0 {
			return protoErr("bad streamed string chunk %q", line)
		}
		if n == 0 {
			return nil
		}
		data, err := readExact(r, raw, n)
		if err != nil {
			return err
		}
		f.Str = append(f.Str, data...)
	}
}

// readAggregate reads the elements of an array, set, push, map or
// attribute whose header body is hdr. "?" starts a streamed aggregate that
// ends with ".\r\n".
func readAggregate(r *bufio.Reader, raw *bytes.Buffer, f *Frame, hdr []byte, depth int) error {
	if string(hdr) == "?" {
		return readStreamedAggregate(r, raw, f, depth)
	}
	n, err := parseLen(hdr, "aggregate")
	if err != nil {
		return err
	}
	if n == -1 {
		if f.Type != '*' {
			return protoErr("negative length for %q", f.Type)
		}
		f.Null = true
		return nil
	}
	if f.Type == '%' || f.Type == '|' {
		n *= 2
	}
	if n > maxElems {
		return protoErr("aggregate of %d elements", n)
	}
	f.Elems = make([]*Frame, 0, min(n, 1024))
	for range n {
		e, err := readFrame(r, raw, depth+1)
		if err != nil {
			return noEOF(err)
		}
		f.Elems = append(f.Elems, e)
	}
	return nil
}

func readStreamedAggregate(r *bufio.Reader, raw *bytes.Buffer, f *Frame, depth int) error {
	f.Elems = []*Frame{}
	for {
		b, err := r.Peek(1)
		if err != nil {
			return noEOF(err)
		}
		if b[0] == '.' {
			line, err := readLine(r, raw)
			if err != nil {
				return noEOF(err)
			}
			if len(line) != 1 {
				return protoErr("bad end of streamed aggregate %q", line)
			}
			if (f.Type == '%' || f.Type == '|') && len(f.Elems)%2 != 0 {
				return protoErr("streamed map with odd element count")
			}
			return nil
		}
		e, err := readFrame(r, raw, depth+1)
		if err != nil {
			return noEOF(err)
		}
		f.Elems = append(f.Elems, e)
	}
}
