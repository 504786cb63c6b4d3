package server

// Rewrites Redis 7.0 applies to a command before propagating it, so that
// a replica (or an AOF replay) reaches the same state whenever and
// wherever it runs the op: relative TTLs become absolute PXAT/PEXPIREAT,
// float increments become SETs of the result, random pops become the
// SREM/DEL of what was popped, blocking pops their non-blocking form.
// They are applied after the command ran, from its arguments, the
// keyspace and the reply it wrote, which carry the facts Redis's command
// code uses when it rewrites its argv.

import (
	"bytes"
	"strconv"
	"strings"

	"github.com/modhost/modhost/commands"
)

// rewriteForPropagation returns the ops that replicate a command that
// changed the dataset: usually its arguments unchanged.
func (s *Server) rewriteForPropagation(c *Client, cmd *commands.Command, args [][]byte, reply []byte) [][][]byte {
	one := func(argv ...[]byte) [][][]byte { return [][][]byte{argv} }
	db := c.DB
	switch cmd.FullName {
	case "migrate":
		// Redis propagates the keys MIGRATE moved away as one DEL.
		del := [][]byte{b("DEL")}
		for _, pos := range cmd.KeyPositions(args) {
			if !s.Keys.Exists(db, args[pos]) {
				del = append(del, args[pos])
			}
		}
		if len(del) == 1 {
			return nil
		}
		return one(del...)
	case "set":
		if hasExpireOption(args[3:]) {
			if at, ok := s.Keys.PeekExpire(db, args[1]); ok && at != 0 {
				return one(b("SET"), args[1], args[2], b("PXAT"), itob(at))
			}
		}
		if hasWord(args[3:], "get") {
			out := [][]byte{args[0], args[1], args[2]}
			for _, a := range args[3:] {
				if !strings.EqualFold(string(a), "get") {
					out = append(out, a)
				}
			}
			return one(out...)
		}
	case "setex", "psetex":
		if at, ok := s.Keys.PeekExpire(db, args[1]); ok && at != 0 {
			return one(b("SET"), args[1], args[3], b("PXAT"), itob(at))
		}
	case "getex":
		at, ok := s.Keys.PeekExpire(db, args[1])
		switch {
		case !ok:
			return one(s.delName("lazyfree-lazy-expire"), args[1])
		case hasExpireOption(args[2:]) && at != 0:
			return one(b("PEXPIREAT"), args[1], itob(at))
		case hasWord(args[2:], "persist"):
			return one(b("PERSIST"), args[1])
		}
	case "getdel":
		return one(s.delName("lazyfree-lazy-user-del"), args[1])
	case "getset":
		return one(b("SET"), args[1], args[2])
	case "expire", "pexpire", "expireat", "pexpireat":
		at, ok := s.Keys.PeekExpire(db, args[1])
		if !ok {
			return one(s.delName("lazyfree-lazy-expire"), args[1])
		}
		out := append([][]byte{b("PEXPIREAT"), args[1], itob(at)}, args[3:]...)
		return one(out...)
	case "incrbyfloat":
		if v := replyLeaves(reply); len(v) == 1 {
			return one(b("SET"), args[1], v[0], b("KEEPTTL"))
		}
	case "hincrbyfloat":
		if v := replyLeaves(reply); len(v) == 1 {
			return one(b("HSET"), args[1], args[2], v[0])
		}
	case "spop":
		popped := replyLeaves(reply)
		if len(args) == 2 {
			if len(popped) == 1 {
				return one(b("SREM"), args[1], popped[0])
			}
			break
		}
		if !s.Keys.Exists(db, args[1]) {
			return one(b("DEL"), args[1])
		}
		ops := make([][][]byte, 0, len(popped))
		for _, m := range popped {
			ops = append(ops, [][]byte{b("SREM"), args[1], m})
		}
		return ops
	}
	if ops := rewriteBlockingPop(cmd, args, reply); ops != nil {
		return ops
	}
	return [][][]byte{args}
}

// rewriteBlockingPop maps the list and sorted set pops that may block
// (and their multi-key forms) to the plain pop of the key served, which
// it reads from the reply: nil for other commands.
func rewriteBlockingPop(cmd *commands.Command, args [][]byte, reply []byte) [][][]byte {
	leaves := replyLeaves(reply)
	if len(leaves) == 0 {
		return nil
	}
	key := leaves[0]
	popped := itob(int64(len(leaves) - 1))
	switch cmd.FullName {
	case "blpop":
		return [][][]byte{{b("LPOP"), key}}
	case "brpop":
		return [][][]byte{{b("RPOP"), key}}
	case "lmpop", "blmpop":
		return [][][]byte{{b(popEnd(args, "LPOP", "RPOP", "left")), key, popped}}
	case "bzpopmin":
		return [][][]byte{{b("ZPOPMIN"), key}}
	case "bzpopmax":
		return [][][]byte{{b("ZPOPMAX"), key}}
	case "zmpop", "bzmpop":
		return [][][]byte{{b(popEnd(args, "ZPOPMIN", "ZPOPMAX", "min")), key, itob(int64(len(leaves)-1) / 2)}}
	case "blmove":
		return [][][]byte{{b("LMOVE"), args[1], args[2], args[3], args[4]}}
	case "brpoplpush":
		return [][][]byte{{b("RPOPLPUSH"), args[1], args[2]}}
	}
	return nil
}

// propagateServed queues the pop of a client served after blocking
// (Redis's serveClientBlockedOnList and friends alsoPropagate it); mark
// is where its reply starts in c.W.Buf.
func (s *Server) propagateServed(c *Client, cmd *commands.Command, args [][]byte, mark int) {
	if s.prop.blocked || !s.wantsPropagation(PropagateAll) {
		return
	}
	var reply []byte
	if mark <= len(c.W.Buf) {
		reply = c.W.Buf[mark:]
	}
	ops := rewriteBlockingPop(cmd, args, reply)
	if ops == nil {
		ops = [][][]byte{args}
	}
	for _, argv := range ops {
		s.queueOp(c.DB, argv, PropagateAll)
	}
}

// popEnd picks the first name when the LEFT/MIN word (first) is among
// the arguments after the keys, else the second.
func popEnd(args [][]byte, first, second, firstWord string) string {
	if hasWord(args[1:], firstWord) {
		return first
	}
	return second
}

// delName is DEL, or UNLINK when the lazy freeing directive is on.
func (s *Server) delName(lazyDirective string) []byte {
	if s.Config.Bool(lazyDirective) {
		return b("UNLINK")
	}
	return b("DEL")
}

// hasExpireOption reports whether opts hold EX, PX, EXAT or PXAT.
func hasExpireOption(opts [][]byte) bool {
	for _, o := range opts {
		switch strings.ToLower(string(o)) {
		case "ex", "px", "exat", "pxat":
			return true
		}
	}
	return false
}

// hasWord reports whether args hold word (case-insensitive).
func hasWord(args [][]byte, word string) bool {
	for _, a := range args {
		if strings.EqualFold(string(a), word) {
			return true
		}
	}
	return false
}

func b(s string) []byte { return []byte(s) }

func itob(n int64) []byte { return strconv.AppendInt(nil, n, 10) }

// replyLeaves returns the scalar values of a RESP2/RESP3 reply in order
// (bulk and simple strings, numbers, doubles), skipping aggregate
// headers; nil values and errors are skipped too.
func replyLeaves(reply []byte) [][]byte {
	var out [][]byte
	for len(reply) > 0 {
		end := bytes.Index(reply, []byte("\r\n"))
		if end < 1 {
			return out
		}
		typ, line := reply[0], reply[1:end]
		reply = reply[end+2:]
		switch typ {
		case '$', '=', '!':
			n, err := strconv.Atoi(string(line))
			if err != nil || n < 0 {
				continue
			}
			if n+2 > len(reply) {
				return out
			}
			if typ == '$' {
				out = append(out, reply[:n])
			}
			reply = reply[n+2:]
		case '+', ':', ',', '(':
			out = append(out, line)
		}
	}
	return out
}
