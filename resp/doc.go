// Package resp implements the Redis serialization protocol for the server's
// hot path.
//
// Reading: ParseCommand parses one client request (multibulk or inline) at
// the start of a byte slice without copying: the returned arguments are
// sub-slices of the caller's buffer and stay valid only while that buffer is
// left untouched. Callers that keep an argument beyond the next read (or hand
// it to C code) must copy it first. The parser is stateless: when a request
// is incomplete it reports n == 0 and is simply called again on the longer
// buffer later. Limits and error texts follow Redis's networking.c.
//
// Writing: Writer appends replies to a byte slice in RESP2 or RESP3 and owns
// the RESP3 to RESP2 downgrade rules (map to flat array, double to bulk
// string, boolean to integer, null to null bulk or null array). Deferred
// aggregate lengths are reserved with DeferLen and patched later.
//
// Numbers: FormatDouble/AppendDouble render doubles the way Redis 7.2+ does
// in replies and FormatLongDouble approximates Redis's long double output.
package resp
