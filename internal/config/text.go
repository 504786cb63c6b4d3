package config

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"syscall"

	"github.com/modhost/modhost/resp"
)

// SplitArgs splits a configuration line into arguments with the quoting
// rules of redis.conf (Redis's sdssplitargs, shared with inline commands):
// blanks separate arguments, "double quotes" accept the escapes \n \r \t
// \b \a \xHH and \<any>, 'single quotes' accept only \'. A closing quote
// must be followed by a blank or the end of the line. ok is false for
// unbalanced quotes.
func SplitArgs(line string) (args []string, ok bool) {
	words, ok := resp.SplitArgs([]byte(line), nil)
	if !ok {
		return nil, false
	}
	args = make([]string, len(words))
	for i, w := range words {
		args[i] = string(w)
	}
	return args, true
}

// Repr quotes s the way redis.conf and redis-cli print strings: in double
// quotes, with \\ \" \n \r \t \a \b escapes and \xHH for other
// non-printable bytes. SplitArgs(Repr(s)) gives back s.
func Repr(s string) string {
	var b strings.Builder
	b.Grow(len(s) + 2)
	b.WriteByte('"')
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch c {
		case '\\', '"':
			b.WriteByte('\\')
			b.WriteByte(c)
		case '\n':
			b.WriteString(`\n`)
		case '\r':
			b.WriteString(`\r`)
		case '\t':
			b.WriteString(`\t`)
		case '\a':
			b.WriteString(`\a`)
		case '\b':
			b.WriteString(`\b`)
		default:
			if c >= 0x20 && c < 0x7f {
				b.WriteByte(c)
			} else {
				fmt.Fprintf(&b, `\x%02x`, c)
			}
		}
	}
	b.WriteByte('"')
	return b.String()
}

// parseStrictInt parses a decimal integer with no sign other than a
// leading '-', no leading zeros and no blanks, as Redis's string2ll.
func parseStrictInt(s string) (int64, bool) {
	if s == "" || len(s) >= 21 {
		return 0, false
	}
	if s == "0" {
		return 0, true
	}
	body := strings.TrimPrefix(s, "-")
	if body == "" || body[0] < '1' || body[0] > '9' {
		return 0, false
	}
	for i := 0; i < len(body); i++ {
		if body[i] < '0' || body[i] > '9' {
			return 0, false
		}
	}
	v, err := strconv.ParseInt(s, 10, 64)
	return v, err == nil
}

// parseMemory parses "123", "1k", "1kb", "2mb", "3gb" (case-insensitive
// units; k/m/g are powers of 1000, kb/mb/gb powers of 1024), as memtoull.
func parseMemory(s string) (uint64, bool) {
	if strings.HasPrefix(s, "-") {
		return 0, false
	}
	d := 0
	for d < len(s) && s[d] >= '0' && s[d] <= '9' {
		d++
	}
	var mul uint64
	switch strings.ToLower(s[d:]) {
	case "", "b":
		mul = 1
	case "k":
		mul = 1000
	case "kb":
		mul = 1024
	case "m":
		mul = 1000 * 1000
	case "mb":
		mul = 1024 * 1024
	case "g":
		mul = 1000 * 1000 * 1000
	case "gb":
		mul = 1024 * 1024 * 1024
	default:
		return 0, false
	}
	if d == 0 {
		// strtoull of an empty string is 0 without EINVAL on glibc.
		return 0, true
	}
	v, err := strconv.ParseUint(s[:d], 10, 64)
	if err != nil {
		v = ^uint64(0) // strtoull saturates on overflow
	}
	return v * mul, true
}

// cStrtoll behaves as C strtoll(s, &end, base) followed by a check that
// end reached the end of s: leading blanks and a sign are allowed.
func cStrtoll(s string, base int) (int64, bool) {
	t := strings.TrimLeft(s, " \t\n\r\v\f")
	neg := false
	if t != "" && (t[0] == '+' || t[0] == '-') {
		neg = t[0] == '-'
		t = t[1:]
	}
	if t == "" {
		// No digits: end stays at the start of s.
		return 0, s == ""
	}
	v, err := strconv.ParseInt(t, base, 64)
	if err != nil {
		var ne *strconv.NumError
		if errors.As(err, &ne) && ne.Err == strconv.ErrRange {
			if neg {
				return -1 << 63, true
			}
			return 1<<63 - 1, true
		}
		return 0, false
	}
	if neg {
		v = -v
	}
	return v, true
}

// strerror renders an error the way C's strerror would for an errno, e.g.
// "No such file or directory"; other errors keep their Go text.
func strerror(err error) string {
	var errno syscall.Errno
	if errors.As(err, &errno) {
		s := errno.Error()
		if s != "" {
			return strings.ToUpper(s[:1]) + s[1:]
		}
	}
	return err.Error()
}
