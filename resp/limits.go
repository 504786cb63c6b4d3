package resp

import "math"

// Limits bounds what the reader accepts. The zero value is not useful; start
// from DefaultLimits.
type Limits struct {
	// MaxBulkLen is proto-max-bulk-len: the largest accepted bulk argument.
	MaxBulkLen int64
	// MaxMultibulkLen is the largest accepted argument count. Redis 7 uses
	// INT_MAX (it answers "invalid multibulk length" above it).
	MaxMultibulkLen int64
	// MaxInlineLen is PROTO_INLINE_MAX_SIZE: how many bytes may be buffered
	// while looking for the end of an inline request or of a count line.
	MaxInlineLen int
	// Authenticated selects the normal limits. When false, Redis's limits for
	// clients that still have to AUTH apply: more than 10 arguments or a bulk
	// longer than 16384 bytes is a protocol error.
	Authenticated bool
}

// Redis defaults and fixed limits.
const (
	// DefaultMaxBulkLen is Redis's default proto-max-bulk-len (512 MiB).
	DefaultMaxBulkLen = 512 * 1024 * 1024
	// DefaultMaxMultibulkLen is INT_MAX, the count limit of Redis 7.
	DefaultMaxMultibulkLen = math.MaxInt32
	// DefaultMaxInlineLen is PROTO_INLINE_MAX_SIZE (64 KiB).
	DefaultMaxInlineLen = 64 * 1024
	// UnauthMaxMultibulkLen is the largest argument count accepted before
	// authentication.
	UnauthMaxMultibulkLen = 10
	// UnauthMaxBulkLen is the largest bulk length accepted before
	// authentication.
	UnauthMaxBulkLen = 16384
)

// DefaultLimits returns Redis's default limits for an authenticated client.
func DefaultLimits() Limits {
	return Limits{
		MaxBulkLen:      DefaultMaxBulkLen,
		MaxMultibulkLen: DefaultMaxMultibulkLen,
		MaxInlineLen:    DefaultMaxInlineLen,
		Authenticated:   true,
	}
}

var defaultLimits = DefaultLimits()

// ProtocolError is a malformed request. Error returns the text without the
// "ERR " prefix, e.g. "Protocol error: invalid multibulk length"; the server
// replies "-ERR "+Error() and then closes the connection. ParseCommand always
// returns it as a *ProtocolError.
type ProtocolError struct{ Msg string }

// Error returns the message without the "ERR " prefix.
func (e ProtocolError) Error() string { return e.Msg }

// Exact protocol error texts used by Redis.
const (
	MsgTooBigInline        = "Protocol error: too big inline request"
	MsgUnbalancedQuotes    = "Protocol error: unbalanced quotes in request"
	MsgTooBigMbulkCount    = "Protocol error: too big mbulk count string"
	MsgInvalidMultibulkLen = "Protocol error: invalid multibulk length"
	MsgUnauthMultibulkLen  = "Protocol error: unauthenticated multibulk length"
	MsgTooBigBulkCount     = "Protocol error: too big bulk count string"
	MsgInvalidBulkLen      = "Protocol error: invalid bulk length"
	MsgUnauthBulkLen       = "Protocol error: unauthenticated bulk length"
	// MsgExpectedDollarPrefix is followed by the offending byte and "'".
	MsgExpectedDollarPrefix = "Protocol error: expected '$', got '"
)

// Shared error values keep the error path allocation-free where the text is
// fixed.
var (
	errTooBigInline        = &ProtocolError{MsgTooBigInline}
	errUnbalancedQuotes    = &ProtocolError{MsgUnbalancedQuotes}
	errTooBigMbulkCount    = &ProtocolError{MsgTooBigMbulkCount}
	errInvalidMultibulkLen = &ProtocolError{MsgInvalidMultibulkLen}
	errUnauthMultibulkLen  = &ProtocolError{MsgUnauthMultibulkLen}
	errTooBigBulkCount     = &ProtocolError{MsgTooBigBulkCount}
	errInvalidBulkLen      = &ProtocolError{MsgInvalidBulkLen}
	errUnauthBulkLen       = &ProtocolError{MsgUnauthBulkLen}
)

func errExpectedDollar(got byte) *ProtocolError {
	return &ProtocolError{MsgExpectedDollarPrefix + string([]byte{got}) + "'"}
}
