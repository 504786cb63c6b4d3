package host

/*
#include "loader.h"
#include "misuse.h"
*/
import "C"

import (
	"bytes"
	"strconv"
	"strings"

	"github.com/modhost/modhost/commands"
	"github.com/modhost/modhost/server"
)

// Texts for replies the dispatcher makes itself.
const (
	msgIncompleteReply = "ERR module command '%s' left a postponed reply length unset; reply dropped"
	msgNoSubcommand    = "ERR unknown subcommand '%s'. Try %s HELP."
)

// run is the server.Handler of a module command: it takes a pooled context,
// calls the module's function in one crossing (argv is built in C, in one
// allocation), copies the RESP bytes the module produced into the client's
// reply and returns the context to the pool. Arguments are copied into
// module strings before the call, so modules may retain them.
func (mc *command) run(c *server.Client, args [][]byte) {
	if mc.fn == nil { // a container called with an unknown subcommand
		name := ""
		if len(args) > 1 {
			name = string(args[1])
		}
		c.Error(sprintf(msgNoSubcommand, name, upper(mc.hc.Name)))
		return
	}
	sys := mc.mod.sys
	pc := mc.ctxs.get(sys, mc.mod, c, args, C.MH_CTX_COMMAND)
	buf, lens := sys.packArgs(args)
	prevUs := C.mh_cached_us
	C.mh_cached_us = C.longlong(sys.srv.CommandStartLocked().UnixMicro())
	prevCmd, prevMod := mc.enterDiagnostics()
	pending := C.mh_cmd_run_pooled(pc.c, mc.fn, buf, lens, C.int(len(args)))
	C.mh_cached_us = prevUs
	switch out := replyBytes(pc.c); {
	case pending > 0:
		c.Error(sprintf(msgIncompleteReply, mc.hc.FullName))
	case len(out) == 0 && !c.Blocked():
		mc.noReply(c)
	default:
		countReplyErrors(c, out)
		c.W.Buf = append(c.W.Buf, out...)
	}
	C.mh_cur_cmd_name, C.mh_cur_module_name = prevCmd, prevMod
	mc.ctxs.put(pc)
}

// singleError reports whether reply is exactly one error reply, and its
// text (errorstats counts it as Redis does for a module's ReplyWithError).
func singleError(reply []byte) (string, bool) {
	if len(reply) < 3 || reply[0] != '-' {
		return "", false
	}
	i := bytes.Index(reply, []byte("\r\n"))
	if i != len(reply)-2 {
		return "", false
	}
	return string(reply[1:i]), true
}

// countReplyErrors counts every error reply in a module command's output in
// errorstats, nested ones included: Redis counts each RedisModule_ReplyWith-
// Error as it is added, wherever it sits in the reply.
func countReplyErrors(c *server.Client, out []byte) {
	if bytes.IndexByte(out, '-') < 0 { // no error can be in there
		return
	}
	for pos := 0; pos < len(out); {
		next, ok := walkReply(out, pos, func(msg string) { c.CountError(errorStatMsg(msg)) })
		if !ok {
			return
		}
		pos = next
	}
}

// errorStatMsg returns msg with the error code Redis's errorstats uses
// first: the text up to the first space within 32 bytes of "-msg", else
// "ERR".
func errorStatMsg(msg string) string {
	i := strings.IndexByte(msg, ' ')
	if i < 0 || i+1 >= 32 {
		return "ERR"
	}
	return msg
}

// walkReply steps over the RESP reply starting at out[pos], calling onErr
// with the text of each simple or blob error in it, and returns the offset
// after it; ok is false on malformed input.
func walkReply(out []byte, pos int, onErr func(string)) (next int, ok bool) {
	end := bytes.Index(out[pos:], []byte("\r\n"))
	if end < 1 {
		return 0, false
	}
	end += pos
	typ, line := out[pos], out[pos+1:end]
	next = end + 2
	switch typ {
	case '-':
		onErr(string(line))
		return next, true
	case '+', ':', '_', ',', '#', '(':
		return next, true
	case '$', '!', '=':
		n, err := strconv.Atoi(string(line))
		if err != nil || n < 0 { // $-1: null bulk
			return next, err == nil
		}
		if next+n+2 > len(out) {
			return 0, false
		}
		if typ == '!' {
			onErr(string(out[next : next+n]))
		}
		return next + n + 2, true
	case '*', '~', '>', '%', '|':
		n, err := strconv.Atoi(string(line))
		if err != nil {
			return 0, false
		}
		if typ == '%' || typ == '|' {
			n *= 2
		}
		for i := 0; i < n; i++ {
			if next, ok = walkReply(out, next, onErr); !ok {
				return 0, false
			}
		}
		return next, true
	}
	return 0, false
}

// getKeys is the commands.GetKeysFunc of a "getkeys-api" command: the module
// is called with a keys-position request and reports keys with KeyAtPos.
func (mc *command) getKeys(args [][]byte) []int {
	if mc.fn == nil {
		return nil
	}
	sys := mc.mod.sys
	st := &ctxState{sys: sys, mod: mc.mod}
	ctx := newCtx(st, 2, C.MH_CTX_KEYS_POS)
	buf, lens := sys.packArgs(args)
	var pending C.int
	C.mh_cmd_run(ctx, mc.fn, buf, lens, C.int(len(args)), &pending)
	freeCtx(ctx)
	return st.keys
}

// serverHandler adapts a handler written against the server's client type
// to the command table's Handler.
func serverHandler(h func(c *server.Client, args [][]byte)) commands.Handler {
	return func(c commands.Client, args [][]byte) { h(c.(*server.Client), args) }
}
