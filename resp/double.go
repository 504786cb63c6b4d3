package resp

import "github.com/modhost/modhost/internal/floatfmt"

// FormatDouble formats f as Redis 7.2+ does in replies (d2string); see
// floatfmt.FormatDouble.
func FormatDouble(f float64) string { return floatfmt.FormatDouble(f) }

// AppendDouble appends FormatDouble(f) to dst without allocating.
func AppendDouble(dst []byte, f float64) []byte { return floatfmt.AppendDouble(dst, f) }

// FormatLongDouble formats f as Redis's ld2string does for INCRBYFLOAT and
// HINCRBYFLOAT; see floatfmt.FormatLongDouble.
func FormatLongDouble(f float64, humanfriendly bool) string {
	return floatfmt.FormatLongDouble(f, humanfriendly)
}

// AppendLongDouble appends FormatLongDouble(f, humanfriendly) to dst.
func AppendLongDouble(dst []byte, f float64, humanfriendly bool) []byte {
	return floatfmt.AppendLongDouble(dst, f, humanfriendly)
}
