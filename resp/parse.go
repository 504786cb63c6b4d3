package resp

import "bytes"

// ParseCommand parses one complete command at the start of buf.
//
// args is reused (appended from args[:0]); the returned args are sub-slices
// of buf (zero copy), except for inline arguments written with quotes, which
// are decoded into one fresh allocation per command. n == 0 with a nil error
// means the command is incomplete: call again once more bytes are appended.
// When n == 0 (incomplete or error) out is empty.
// n > 0 with len(out) == 0 is an empty command (blank inline line, "*0\r\n",
// "*-1\r\n") that the server skips silently. A non-nil error is always a
// *ProtocolError. A nil lim means DefaultLimits. Nothing is allocated from a
// claimed length before the claimed bytes are in buf.
//
// A request starting with '*' is multibulk, anything else is inline, as in
// Redis. Like Redis (which scans its query buffer with strchr), a NUL byte in
// front of the line terminator of an inline request or of a count line hides
// that terminator, and the bytes after a bulk argument are skipped without
// checking that they are "\r\n".
func ParseCommand(buf []byte, args [][]byte, lim *Limits) (out [][]byte, n int, err error) {
	args = args[:0]
	if len(buf) == 0 {
		return args, 0, nil
	}
	if lim == nil {
		lim = &defaultLimits
	}
	if buf[0] == '*' {
		return parseMultibulk(buf, args, lim)
	}
	return parseInline(buf, args, lim)
}

// lineEnd returns the index of the first c in b, or -1 when there is none or
// a NUL byte comes first (C string semantics).
func lineEnd(b []byte, c byte) int {
	i := bytes.IndexByte(b, c)
	if i < 0 || bytes.IndexByte(b[:i], 0) >= 0 {
		return -1
	}
	return i
}

// countEnd is lineEnd(b, '\r') with a fast path for the short count lines
// of multibulk requests.
func countEnd(b []byte) int {
	for i := 0; i < len(b) && i < 24; i++ {
		switch b[i] {
		case '\r':
			return i
		case 0:
			return -1
		}
	}
	return lineEnd(b, '\r')
}

// parseMultibulk parses "*<count>\r\n" followed by count "$<len>\r\n<data>\r\n".
func parseMultibulk(buf []byte, args [][]byte, lim *Limits) ([][]byte, int, error) {
	cr := countEnd(buf)
	if cr < 0 {
		if len(buf) > lim.MaxInlineLen {
			return args, 0, errTooBigMbulkCount
		}
		return args, 0, nil
	}
	if cr > len(buf)-2 {
		return args, 0, nil
	}
	count, ok := ParseInt(buf[1:cr])
	if !ok || count > lim.MaxMultibulkLen {
		return args, 0, errInvalidMultibulkLen
	}
	if count > UnauthMaxMultibulkLen && !lim.Authenticated {
		return args, 0, errUnauthMultibulkLen
	}
	pos := cr + 2
	for ; count > 0; count-- {
		arg, next, err := parseBulk(buf, pos, lim)
		if next == 0 || err != nil {
			return args[:0], 0, err
		}
		args = append(args, arg)
		pos = next
	}
	return args, pos, nil
}

// parseBulk parses one "$<len>\r\n<data>\r\n" at buf[pos:]. next == 0 means
// incomplete.
func parseBulk(buf []byte, pos int, lim *Limits) (arg []byte, next int, err error) {
	rest := buf[pos:]
	cr := countEnd(rest)
	if cr < 0 {
		if len(rest) > lim.MaxInlineLen {
			return nil, 0, errTooBigBulkCount
		}
		return nil, 0, nil
	}
	if cr > len(rest)-2 {
		return nil, 0, nil
	}
	if rest[0] != '$' {
		return nil, 0, errExpectedDollar(rest[0])
	}
	size, ok := ParseInt(rest[1:cr])
	if !ok || size < 0 || size > lim.MaxBulkLen {
		return nil, 0, errInvalidBulkLen
	}
	if size > UnauthMaxBulkLen && !lim.Authenticated {
		return nil, 0, errUnauthBulkLen
	}
	start := cr + 2
	if int64(len(rest)-start) < size+2 {
		return nil, 0, nil
	}
	end := start + int(size)
	return rest[start:end:end], pos + end + 2, nil
}

// ParseInt parses b strictly as Redis's string2ll does: an optional '-', no
// leading zeros (except "0" itself), no '+', no spaces, at most 20 bytes, no
// overflow of int64.
func ParseInt(b []byte) (int64, bool) {
	if len(b) == 0 || len(b) >= 21 {
		return 0, false
	}
	if len(b) == 1 && b[0] == '0' {
		return 0, true
	}
	neg := b[0] == '-'
	if neg {
		b = b[1:]
		if len(b) == 0 {
			return 0, false
		}
	}
	if b[0] < '1' || b[0] > '9' {
		return 0, false
	}
	var v uint64
	for _, c := range b {
		if c < '0' || c > '9' {
			return 0, false
		}
		d := uint64(c - '0')
		if v > (^uint64(0)-d)/10 {
			return 0, false
		}
		v = v*10 + d
	}
	if neg {
		if v > 1<<63 {
			return 0, false
		}
		return int64(-v), true
	}
	if v > 1<<63-1 {
		return 0, false
	}
	return int64(v), true
}
