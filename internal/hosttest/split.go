package hosttest

import (
	"errors"
	"strings"
)

// ErrUnbalancedQuotes is returned by SplitArgs for an unterminated quote or
// a closing quote that is not followed by a space or the end of the line.
var ErrUnbalancedQuotes = errors.New("unbalanced quotes")

// SplitArgs splits a line into arguments the way redis-cli does: arguments
// are separated by blanks; "double quoted" arguments understand the escapes
// \n \r \t \b \a \\ \" and \xHH; 'single quoted' arguments understand only
// \'. An empty line yields no arguments.
func SplitArgs(line string) ([]string, error) {
	var args []string
	i := 0
	for {
		for i < len(line) && isBlank(line[i]) {
			i++
		}
		if i >= len(line) {
			return args, nil
		}
		arg, next, err := splitOne(line, i)
		if err != nil {
			return nil, err
		}
		args = append(args, arg)
		i = next
	}
}

func isBlank(c byte) bool {
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f'
}

// splitOne reads the argument starting at line[i] and returns it with the
// index just after it.
func splitOne(line string, i int) (string, int, error) {
	var b strings.Builder
	inDouble, inSingle := false, false
	for {
		if i >= len(line) {
			if inDouble || inSingle {
				return "", 0, ErrUnbalancedQuotes
			}
			return b.String(), i, nil
		}
		c := line[i]
		switch {
		case inDouble:
			switch {
			case c == '\\' && i+3 < len(line) && line[i+1] == 'x' && isHex(line[i+2]) && isHex(line[i+3]):
				b.WriteByte(hexVal(line[i+2])<<4 | hexVal(line[i+3]))
				i += 3
			case c == '\\' && i+1 < len(line):
				i++
				b.WriteByte(unescape(line[i]))
			case c == '"':
				if i+1 < len(line) && !isBlank(line[i+1]) {
					return "", 0, ErrUnbalancedQuotes
				}
				return b.String(), i + 1, nil
			default:
				b.WriteByte(c)
			}
		case inSingle:
			switch {
			case c == '\\' && i+1 < len(line) && line[i+1] == '\'':
				i++
				b.WriteByte('\'')
			case c == '\'':
				if i+1 < len(line) && !isBlank(line[i+1]) {
					return "", 0, ErrUnbalancedQuotes
				}
				return b.String(), i + 1, nil
			default:
				b.WriteByte(c)
			}
		default:
			switch {
			case isBlank(c):
				return b.String(), i, nil
			case c == '"':
				inDouble = true
			case c == '\'':
				inSingle = true
			default:
				b.WriteByte(c)
			}
		}
		i++
	}
}

func unescape(c byte) byte {
	switch c {
	case 'n':
		return '\n'
	case 'r':
		return '\r'
	case 't':
		return '\t'
	case 'b':
		return '\b'
	case 'a':
		return '\a'
	}
	return c
}

func isHex(c byte) bool {
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F')
}

func hexVal(c byte) byte {
	switch {
	case c >= 'a':
		return c - 'a' + 10
	case c >= 'A':
		return c - 'A' + 10
	}
	return c - '0'
}
