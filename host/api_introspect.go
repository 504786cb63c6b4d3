package host

// Introspection exports: which option and notification bits the host
// supports, the keys of a command's arguments and the name of the running
// command. This file exports to C, so its preamble only declares.

/*
#include <stdlib.h>
#include <errno.h>
#include "ctx.h"
#include "mh_string.h"
void *mh_Alloc(size_t bytes);
*/
import "C"

import (
	"sync"
	"unsafe"

	"github.com/modhost/modhost/commands"
)

// apiGetModuleOptionsAll implements RedisModule_GetModuleOptionsAll:
// every REDISMODULE_OPTIONS_* bit this header defines, so a module can
// test whether the server knows an option before setting it.
func apiGetModuleOptionsAll() C.int {
	return C._REDISMODULE_OPTIONS_FLAGS_NEXT - 1
}

// apiGetKeyspaceNotificationFlagsAll implements
// RedisModule_GetKeyspaceNotificationFlagsAll: every
// REDISMODULE_NOTIFY_* bit modhost can deliver (all the header defines,
// KEY_MISS and NEW included), as Redis returns.
func apiGetKeyspaceNotificationFlagsAll() C.int {
	return C._REDISMODULE_NOTIFY_NEXT - 1
}

// apiGetCommandKeys implements RedisModule_GetCommandKeys: the key
// positions of argv, without flags (see GetCommandKeysWithFlags).
func apiGetCommandKeys(ctx *C.RedisModuleCtx, argv **C.RedisModuleString, argc C.int, numKeys *C.int, mh_errno *C.int) *C.int {
	return apiGetCommandKeysWithFlags(ctx, argv, argc, numKeys, nil, mh_errno)
}

// apiGetCommandKeysWithFlags implements
// RedisModule_GetCommandKeysWithFlags: looks argv's command up (a
// container and its subcommand as Redis's lookupCommand) and returns an
// array, allocated with RedisModule_Alloc for the caller to free, of the
// key argument positions, found as COMMAND GETKEYS finds them. When
// outFlags is not NULL it receives a parallel array (also to be freed) of
// REDISMODULE_CMD_KEY_* flags. NULL is returned with errno ENOENT for an
// unknown command, EINVAL for a wrong arity, and errno 0 when the command
// has no keys (or none in these arguments).
func apiGetCommandKeysWithFlags(ctx *C.RedisModuleCtx, argv **C.RedisModuleString, argc C.int, numKeys *C.int, outFlags **C.int, mh_errno *C.int) (res *C.int) {
	srv := serverFor(ctx)
	if srv == nil || argv == nil || argc <= 0 {
		*mh_errno = C.ENOENT
		return nil
	}
	strs := unsafe.Slice(argv, int(argc))
	args := make([][]byte, len(strs))
	for i, s := range strs {
		args[i] = cStringBytes(s)
	}
	cmd, ok := srv.Commands().Resolve(args)
	if cmd == nil || !ok {
		*mh_errno = C.ENOENT
		return nil
	}
	if !commandHasKeys(cmd) {
		*mh_errno = 0
		return nil
	}
	if (cmd.Arity > 0 && int(argc) != cmd.Arity) || int(argc) < -cmd.Arity {
		*mh_errno = C.EINVAL
		return nil
	}
	keys, _ := cmd.Keys(args)
	if numKeys != nil {
		*numKeys = C.int(len(keys))
	}
	if len(keys) == 0 {
		*mh_errno = 0
		return nil
	}
	size := C.size_t(len(keys)) * C.size_t(unsafe.Sizeof(C.int(0)))
	res = (*C.int)(C.mh_Alloc(size))
	pos := unsafe.Slice(res, len(keys))
	var flags []C.int
	if outFlags != nil {
		*outFlags = (*C.int)(C.mh_Alloc(size))
		flags = unsafe.Slice(*outFlags, len(keys))
	}
	for i, k := range keys {
		pos[i] = C.int(k.Pos)
		if flags != nil {
			flags[i] = C.int(uint64(k.Flags) & keyFlagMask)
		}
	}
	return res
}

// commandHasKeys is Redis's doesCommandHaveKeys: a key-finding function,
// or a key spec that is not NOT_KEY.
func commandHasKeys(cmd *commands.Command) bool {
	if cmd.GetKeys != nil || cmd.GetKeysFlags != nil {
		return true
	}
	for _, ks := range cmd.Specs() {
		if ks.Flags&commands.KeyNotKey == 0 {
			return true
		}
	}
	return false
}

// commandNames holds a C copy of every command name GetCurrentCommandName
// returned: the pointer must stay valid after the call (Redis returns the
// command table's own string), and the set of names is small.
var commandNames = struct {
	sync.Mutex
	m map[string]*C.char
}{m: map[string]*C.char{}}

// apiGetCurrentCommandName implements RedisModule_GetCurrentCommandName:
// the full name ("config|get" for a subcommand) of the command the
// context's client is running, or NULL for a context without one (OnLoad,
// timers, thread-safe contexts). The string is owned by the host.
func apiGetCurrentCommandName(ctx *C.RedisModuleCtx) (name *C.char) {
	if ctx == nil || ctx.flags&C.MH_CTX_COMMAND == 0 {
		return nil
	}
	c := ctxClient(ctx)
	if c == nil || c.LastCommand() == "" {
		return nil
	}
	commandNames.Lock()
	defer commandNames.Unlock()
	p := commandNames.m[c.LastCommand()]
	if p == nil {
		p = C.CString(c.LastCommand())
		commandNames.m[c.LastCommand()] = p
	}
	return p
}
