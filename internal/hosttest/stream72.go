package hosttest

import "bytes"

// The oracle is Redis 7.0, but modhost propagates as Redis 7.2. For the
// streams the differential tests produce (a replication stream after the
// snapshot, an AOF incr file) the two differ in one place only, which
// Stream72 rewrites:
//
//	7.0: SELECT <db>, MULTI, ...   (propagatePendingCommands gives MULTI
//	                                the first op's database)
//	7.2: MULTI, SELECT <db>, ...   (MULTI carries no database; the SELECT
//	                                comes with the first op inside)
//
// Nothing else is touched: a SELECT not immediately followed by MULTI,
// and every other command, stay as they are.

// Stream72 returns a Redis 7.0 propagation stream (a sequence of RESP
// arrays) in Redis 7.2's shape: every SELECT immediately followed by
// MULTI is moved after that MULTI. It returns an error when stream is not
// a sequence of complete RESP frames.
func Stream72(stream []byte) ([]byte, error) {
	var frames [][]byte
	for rest := stream; len(rest) > 0; {
		_, n, err := ParseFrame(rest)
		if err != nil {
			return nil, err
		}
		frames = append(frames, rest[:n])
		rest = rest[n:]
	}
	out := make([]byte, 0, len(stream))
	for i := 0; i < len(frames); i++ {
		if i+1 < len(frames) && isSelect(frames[i]) && bytes.Equal(frames[i+1], multiFrame) {
			out = append(append(out, frames[i+1]...), frames[i]...)
			i++
			continue
		}
		out = append(out, frames[i]...)
	}
	return out, nil
}

// multiFrame is MULTI as Redis propagates it.
var multiFrame = []byte("*1\r\n$5\r\nMULTI\r\n")

// isSelect reports whether frame is a propagated SELECT <db>.
func isSelect(frame []byte) bool {
	return bytes.HasPrefix(frame, []byte("*2\r\n$6\r\nSELECT\r\n"))
}
