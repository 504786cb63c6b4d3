package server

import (
	"fmt"
	"strings"
)

// quoteRepr renders b the way Redis's sdscatrepr does: double quoted, with
// \n \r \t \a \b \\ \" escaped and other non-printable bytes as \xHH.
func quoteRepr(b []byte) string {
	var sb strings.Builder
	sb.WriteByte('"')
	for _, ch := range b {
		switch ch {
		case '\\', '"':
			sb.WriteByte('\\')
			sb.WriteByte(ch)
		case '\n':
			sb.WriteString(`\n`)
		case '\r':
			sb.WriteString(`\r`)
		case '\t':
			sb.WriteString(`\t`)
		case '\a':
			sb.WriteString(`\a`)
		case '\b':
			sb.WriteString(`\b`)
		default:
			if ch >= 0x20 && ch < 0x7f {
				sb.WriteByte(ch)
			} else {
				fmt.Fprintf(&sb, `\x%02x`, ch)
			}
		}
	}
	sb.WriteByte('"')
	return sb.String()
}
