package config

// Match reports whether str matches the glob pattern with Redis's rules:
// '*' any run, '?' one byte, '[...]' a class with '^' negation, 'a-z'
// ranges and '\' escapes, '\' escaping the next pattern byte. nocase
// compares ASCII letters case-insensitively.
func Match(pattern, str string, nocase bool) bool {
	skip := false
	return matchImpl(pattern, str, nocase, &skip, 0)
}

func lower(c byte) byte {
	if c >= 'A' && c <= 'Z' {
		return c + 'a' - 'A'
	}
	return c
}

func eqByte(a, b byte, nocase bool) bool {
	if nocase {
		return lower(a) == lower(b)
	}
	return a == b
}

// at returns p[i] or 0 past the end, mirroring C's NUL terminator.
func at(p string, i int) byte {
	if i < len(p) {
		return p[i]
	}
	return 0
}

func matchImpl(p, s string, nocase bool, skipLonger *bool, nesting int) bool {
	if nesting > 1000 {
		return false
	}
	for len(p) > 0 && len(s) > 0 {
		switch p[0] {
		case '*':
			for len(p) > 1 && p[1] == '*' {
				p = p[1:]
			}
			if len(p) == 1 {
				return true
			}
			for len(s) > 0 {
				if matchImpl(p[1:], s, nocase, skipLonger, nesting+1) {
					return true
				}
				if *skipLonger {
					return false
				}
				s = s[1:]
			}
			*skipLonger = true
			return false
		case '?':
			s = s[1:]
		case '[':
			var ok bool
			p, ok = matchClass(p[1:], s[0], nocase)
			if !ok {
				return false
			}
			s = s[1:]
		case '\\':
			if len(p) >= 2 {
				p = p[1:]
			}
			fallthrough
		default:
			if !eqByte(p[0], s[0], nocase) {
				return false
			}
			s = s[1:]
		}
		p = p[1:]
		if len(s) == 0 {
			for len(p) > 0 && p[0] == '*' {
				p = p[1:]
			}
			break
		}
	}
	return len(p) == 0 && len(s) == 0
}

// matchClass matches c against the class body p (just after '['). It
// returns the pattern positioned on the closing ']' (or the last byte when
// the class is unterminated) and whether c is in the class.
func matchClass(p string, c byte, nocase bool) (string, bool) {
	not := at(p, 0) == '^'
	if not {
		p = p[1:]
	}
	match := false
	for {
		switch {
		case at(p, 0) == '\\' && len(p) >= 2:
			p = p[1:]
			if p[0] == c {
				match = true
			}
		case at(p, 0) == ']':
			return p, match != not
		case len(p) == 0:
			// Unterminated class: step back so the caller's advance
			// consumes the last byte, as upstream does.
			return " ", match != not
		case len(p) >= 3 && p[1] == '-':
			start, end, cc := p[0], p[2], c
			if start > end {
				start, end = end, start
			}
			if nocase {
				start, end, cc = lower(start), lower(end), lower(cc)
			}
			p = p[2:]
			if cc >= start && cc <= end {
				match = true
			}
		default:
			if eqByte(p[0], c, nocase) {
				match = true
			}
		}
		p = p[1:]
	}
}
