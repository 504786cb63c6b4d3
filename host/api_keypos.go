package host

// Key and channel position requests (getkeys-api, getchannels-api). This
// file exports to C, so its preamble only declares.

/*
#include "loader.h"
*/
import "C"

import (
	"fmt"
	"strings"

	"github.com/modhost/modhost/commands"
)

// apiKeyAtPos implements RedisModule_KeyAtPos: during a keys-position
// request (IsKeysPositionRequest), reports argv[pos] as a key with full
// access flags (RW access update), as Redis does. Ignored outside such a
// request and for pos <= 0.
func apiKeyAtPos(ctx *C.RedisModuleCtx, pos C.int) {
	addKeyPos(ctx, int(pos), C.REDISMODULE_CMD_KEY_RW|C.REDISMODULE_CMD_KEY_ACCESS|C.REDISMODULE_CMD_KEY_UPDATE)
}

// apiKeyAtPosWithFlags implements RedisModule_KeyAtPosWithFlags: as
// KeyAtPos, with the key's REDISMODULE_CMD_KEY_* flags, which COMMAND
// GETKEYSANDFLAGS reports.
func apiKeyAtPosWithFlags(ctx *C.RedisModuleCtx, pos C.int, flags C.int) {
	addKeyPos(ctx, int(pos), uint64(uint32(flags)))
}

func addKeyPos(ctx *C.RedisModuleCtx, pos int, flags uint64) {
	if ctx == nil || ctx.flags&C.MH_CTX_KEYS_POS == 0 || pos <= 0 {
		return
	}
	if st := stateOf(ctx); st != nil {
		st.keys = append(st.keys, pos)
		st.keyFlags = append(st.keyFlags, flags)
	}
}

// getKeyRefs is the host's GetKeysFlags of a "getkeys-api" command: the
// positions the module reported, with their flags. The REDISMODULE_CMD_KEY_*
// bits and commands.KeyFlag share one order (RO RW OW RM ACCESS UPDATE INSERT
// DELETE NOT_KEY INCOMPLETE VARIABLE_FLAGS).
func (mc *command) getKeyRefs(args [][]byte) []commands.KeyRef {
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
	out := make([]commands.KeyRef, len(st.keys))
	for i, p := range st.keys {
		out[i] = commands.KeyRef{Pos: p, Flags: commands.KeyFlag(st.keyFlags[i] & keyFlagMask)}
	}
	return out
}

// keyFlagMask keeps the REDISMODULE_CMD_KEY_* bits the host knows.
const keyFlagMask = 1<<11 - 1

func sprintf(format string, a ...any) string { return fmt.Sprintf(format, a...) }

func upper(s string) string { return strings.ToUpper(s) }
