// Package glob is Redis's stringmatchlen: the glob matching of KEYS, SCAN
// MATCH, PSUBSCRIBE and ACL key and channel patterns. It imports nothing.
package glob

// Match reports whether s matches pattern with Redis's stringmatchlen
// rules: '*' any run, '?' one byte, "[abc]", "[^a]", "[a-z]" (reversed ranges
// allowed), '\' escapes the next byte; nocase folds ASCII case. Like Redis
// it gives up (no match) past 1000 levels of '*' nesting.
func Match(pattern, s []byte, nocase bool) bool {
	skip := false
	return globMatch(pattern, s, nocase, &skip, 0)
}

func lower(c byte) byte {
	if c >= 'A' && c <= 'Z' {
		return c + 'a' - 'A'
	}
	return c
}

// at returns p[i], or 0 past the end (C's NUL terminator).
func at(p []byte, i int) byte {
	if i < len(p) {
		return p[i]
	}
	return 0
}

func globMatch(p, s []byte, nocase bool, skipLonger *bool, nesting int) bool {
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
				if globMatch(p[1:], s, nocase, skipLonger, nesting+1) {
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
			rest, ok := matchClass(p[1:], s[0], nocase)
			if !ok {
				return false
			}
			s = s[1:]
			p = rest
			if len(s) == 0 {
				for at(p, 0) == '*' {
					p = p[1:]
				}
				return len(p) == 0
			}
			continue
		case '\\':
			if len(p) >= 2 {
				p = p[1:]
			}
			fallthrough
		default:
			if nocase {
				if lower(p[0]) != lower(s[0]) {
					return false
				}
			} else if p[0] != s[0] {
				return false
			}
			s = s[1:]
		}
		p = p[1:]
		if len(s) == 0 {
			for at(p, 0) == '*' {
				p = p[1:]
			}
			break
		}
	}
	return len(p) == 0 && len(s) == 0
}

// matchClass matches c against the class whose body starts at p (just after
// '['). It returns the pattern after the closing ']' (empty when the class
// is unterminated) and whether c matched.
func matchClass(p []byte, c byte, nocase bool) ([]byte, bool) {
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
		case at(p, 0) == ']' && len(p) > 0:
			return p[1:], match != not
		case len(p) == 0:
			// Unterminated: the class ends the pattern, as in Redis.
			return p, match != not
		case len(p) >= 3 && p[1] == '-':
			lo, hi, x := p[0], p[2], c
			if lo > hi {
				lo, hi = hi, lo
			}
			if nocase {
				lo, hi, x = lower(lo), lower(hi), lower(x)
			}
			p = p[2:]
			if x >= lo && x <= hi {
				match = true
			}
		default:
			if nocase {
				if lower(p[0]) == lower(c) {
					match = true
				}
			} else if p[0] == c {
				match = true
			}
		}
		p = p[1:]
	}
}
