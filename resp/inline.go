package resp

// parseInline parses one inline request: a line ending in "\n" with an
// optional "\r" before it, split into arguments by SplitArgs.
func parseInline(buf []byte, args [][]byte, lim *Limits) ([][]byte, int, error) {
	nl := lineEnd(buf, '\n')
	if nl < 0 {
		if len(buf) > lim.MaxInlineLen {
			return args, 0, errTooBigInline
		}
		return args, 0, nil
	}
	end := nl
	if end > 0 && buf[end-1] == '\r' {
		end--
	}
	args, ok := SplitArgs(buf[:end], args)
	if !ok {
		return args[:0], 0, errUnbalancedQuotes
	}
	return args, nl + 1, nil
}

// isSpace reports whether c is a blank for C's isspace in the "C" locale.
func isSpace(c byte) bool {
	return c == ' ' || (c >= '\t' && c <= '\r')
}

// endsBareWord reports whether c ends an unquoted word. Vertical tab and form
// feed do not, although they are skipped between words.
func endsBareWord(c byte) bool {
	return c == ' ' || c == '\n' || c == '\r' || c == '\t' || c == 0
}

// SplitArgs splits line into arguments the way Redis's sdssplitargs does and
// appends them to args. Words are separated by blanks; "double quotes" accept
// the escapes \n \r \t \b \a \xHH and a backslash before any other byte
// stands for that byte; 'single quotes' accept only \'. A closing quote must
// be followed by a blank or the end of the line. A NUL byte ends the line.
// ok is false for unbalanced quotes or a closing quote followed by another
// byte. Unquoted words are sub-slices of line; quoted ones are decoded into a
// single buffer allocated on first need.
func SplitArgs(line []byte, args [][]byte) (out [][]byte, ok bool) {
	var scratch []byte
	i := 0
	for {
		for i < len(line) && isSpace(line[i]) {
			i++
		}
		if i >= len(line) || line[i] == 0 {
			return args, true
		}
		start := i
		for i < len(line) && !endsBareWord(line[i]) && line[i] != '"' && line[i] != '\'' {
			i++
		}
		if i >= len(line) || endsBareWord(line[i]) {
			args = append(args, line[start:i:i])
			if i < len(line) && line[i] != 0 {
				i++
			}
			continue
		}
		if scratch == nil {
			scratch = make([]byte, 0, len(line))
		}
		from := len(scratch)
		scratch = append(scratch, line[start:i]...)
		var good bool
		if line[i] == '"' {
			scratch, i, good = unquoteDouble(line, i+1, scratch)
		} else {
			scratch, i, good = unquoteSingle(line, i+1, scratch)
		}
		if !good {
			return args, false
		}
		args = append(args, scratch[from:len(scratch):len(scratch)])
	}
}

// closes reports whether the quote at line[i] may close a quoted word.
func closes(line []byte, i int) bool {
	return i+1 >= len(line) || line[i+1] == 0 || isSpace(line[i+1])
}

// unquoteDouble decodes a double-quoted word starting after the opening
// quote at line[i-1]; it returns the index after the closing quote.
func unquoteDouble(line []byte, i int, dst []byte) ([]byte, int, bool) {
	for i < len(line) && line[i] != 0 {
		c := line[i]
		switch {
		case c == '\\' && i+3 < len(line) && line[i+1] == 'x' && isHex(line[i+2]) && isHex(line[i+3]):
			dst = append(dst, unhex(line[i+2])<<4|unhex(line[i+3]))
			i += 4
		case c == '\\' && i+1 < len(line) && line[i+1] != 0:
			dst = append(dst, unescape(line[i+1]))
			i += 2
		case c == '"':
			if !closes(line, i) {
				return dst, i, false
			}
			return dst, i + 1, true
		default:
			dst = append(dst, c)
			i++
		}
	}
	return dst, i, false
}

// unquoteSingle decodes a single-quoted word starting after the opening
// quote at line[i-1]; it returns the index after the closing quote.
func unquoteSingle(line []byte, i int, dst []byte) ([]byte, int, bool) {
	for i < len(line) && line[i] != 0 {
		c := line[i]
		switch {
		case c == '\\' && i+1 < len(line) && line[i+1] == '\'':
			dst = append(dst, '\'')
			i += 2
		case c == '\'':
			if !closes(line, i) {
				return dst, i, false
			}
			return dst, i + 1, true
		default:
			dst = append(dst, c)
			i++
		}
	}
	return dst, i, false
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

func unhex(c byte) byte {
	switch {
	case c >= '0' && c <= '9':
		return c - '0'
	case c >= 'a' && c <= 'f':
		return c - 'a' + 10
	}
	return c - 'A' + 10
}
