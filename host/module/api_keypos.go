package module

// Key and channel position requests (getkeys-api, getchannels-api). This
// file exports to C, so its preamble only declares.

/*
#include "loader.h"
*/
import "C"

import (
	"fmt"
	"strings"
)

// mhgo_KeyAtPos implements RedisModule_KeyAtPos: during a keys-position
// request (IsKeysPositionRequest), reports argv[pos] as a key. Ignored
// outside such a request and for pos <= 0, as in Redis.
//
//export mhgo_KeyAtPos
func mhgo_KeyAtPos(ctx *C.RedisModuleCtx, pos C.int) {
	defer guardExport(ctx, "KeyAtPos")
	addKeyPos(ctx, int(pos))
}

// mhgo_KeyAtPosWithFlags implements RedisModule_KeyAtPosWithFlags: as
// KeyAtPos, with REDISMODULE_CMD_KEY_* access flags.
//
// modhost:partial the flags are accepted but COMMAND GETKEYSANDFLAGS reports the command's own RO/RW flags
//
//export mhgo_KeyAtPosWithFlags
func mhgo_KeyAtPosWithFlags(ctx *C.RedisModuleCtx, pos C.int, flags C.int) {
	defer guardExport(ctx, "KeyAtPosWithFlags")
	addKeyPos(ctx, int(pos))
}

func addKeyPos(ctx *C.RedisModuleCtx, pos int) {
	if ctx == nil || ctx.flags&C.MH_CTX_KEYS_POS == 0 || pos <= 0 {
		return
	}
	if st := stateOf(ctx); st != nil {
		st.keys = append(st.keys, pos)
	}
}

func sprintf(format string, a ...any) string { return fmt.Sprintf(format, a...) }

func upper(s string) string { return strings.ToUpper(s) }
