package host

// "Commands API": creating module commands and subcommands, and their ACL
// categories. This file exports to C, so its preamble only declares.

/*
#include <stdlib.h>
#include <errno.h>
#include "loader.h"
*/
import "C"

import (
	"runtime/cgo"
	"strings"
	"unsafe"

	"github.com/modhost/modhost/commands"
)

// command is one module command or subcommand.
type command struct {
	mod    *Module
	fn     unsafe.Pointer // RedisModuleCmdFunc, nil for a pure container
	hc     *commands.Command
	c      *C.RedisModuleCommand // what GetCommand hands the module
	h      cgo.Handle            // c.handle
	extra  extraFlags
	info   *commandInfo // set by SetCommandInfo
	subs   []*command
	parent *command
	ctxs   ctxPool // idle contexts for run (ctxpool.go)
	cname  *C.char // full name for diagnostics, made on first run, never freed
}

// extraFlags are module command flags the host command table has no bit for.
type extraFlags struct {
	getkeys, getchannels, noCluster bool
}

// moduleCmdFlags maps CreateCommand's flag words (any case) to host flags.
var moduleCmdFlags = map[string]commands.CmdFlag{
	"write": commands.FlagWrite, "readonly": commands.FlagReadonly, "admin": commands.FlagAdmin,
	"deny-oom": commands.FlagDenyOOM, "deny-script": commands.FlagNoScript,
	"allow-loading": commands.FlagLoading, "pubsub": commands.FlagPubSub, "random": 0,
	"blocking": commands.FlagBlocking, "allow-stale": commands.FlagStale,
	"no-monitor": commands.FlagSkipMonitor, "no-slowlog": commands.FlagSkipSlowlog,
	"fast": commands.FlagFast, "no-auth": commands.FlagNoAuth,
	"may-replicate": commands.FlagMayReplicate, "no-mandatory-keys": commands.FlagNoMandatoryKeys,
	"allow-busy":  commands.FlagAllowBusy,
	"getkeys-api": commands.FlagMovableKeys, "getchannels-api": 0, "no-cluster": 0,
}

// parseCmdFlags parses a space separated flag string as Redis does: words
// are split on single spaces (so an empty word, from two spaces in a row,
// is unknown) and matched without regard to case. ok is false when a word
// is unknown.
func parseCmdFlags(s string) (f commands.CmdFlag, extra extraFlags, ok bool) {
	if s == "" {
		return 0, extra, true
	}
	for _, w := range strings.Split(s, " ") {
		w = strings.ToLower(w)
		bit, known := moduleCmdFlags[w]
		if !known {
			return 0, extraFlags{}, false
		}
		f |= bit
		switch w {
		case "getkeys-api":
			extra.getkeys = true
		case "getchannels-api":
			extra.getchannels = true
		case "no-cluster":
			extra.noCluster = true
		}
	}
	return f, extra, true
}

// validCommandName rejects the characters Redis blocks in module command
// names: space, CR, LF, '|', '@', '=' and ','.
func validCommandName(name string) bool {
	return name != "" && !strings.ContainsAny(name, " \r\n|@=,")
}

// newCommand builds the command record and its C handle object.
func newCommand(m *Module, name string, fn unsafe.Pointer, flags commands.CmdFlag, extra extraFlags, first, last, step int) *command {
	mc := &command{mod: m, fn: fn, extra: extra}
	mc.hc = &commands.Command{
		Name: strings.ToLower(name), Flags: flags | commands.FlagModule,
		FullName: name, // Redis keeps the declared case ("FT.CREATE") for replies
		FirstKey: first, LastKey: last, KeyStep: step,
		Group: "module", Module: m.Name,
		Handler: serverHandler(mc.run),
	}
	if extra.getkeys {
		mc.hc.GetKeys = mc.getKeys
		mc.hc.GetKeysFlags = mc.getKeyRefs
	}
	mc.h = cgo.NewHandle(mc)
	mc.c = C.mh_command_new(C.uintptr_t(mc.h))
	return mc
}

// free releases the command's C object and handle (and its subcommands').
func (mc *command) free() {
	for _, sub := range mc.subs {
		sub.free()
	}
	mc.subs = nil
	mc.ctxs.drain()
	if mc.c != nil {
		C.free(unsafe.Pointer(mc.c))
		mc.c = nil
		mc.h.Delete()
	}
}

// commandOf returns the Go command behind a module's RedisModuleCommand.
func commandOf(c *C.RedisModuleCommand) *command {
	if c == nil || c.handle == 0 {
		return nil
	}
	mc, _ := cgo.Handle(c.handle).Value().(*command)
	return mc
}

// apiCreateCommand implements RedisModule_CreateCommand: registers a
// command served by cmdfunc. Only valid inside OnLoad. Returns
// REDISMODULE_ERR, as Redis does, outside OnLoad, for an unknown flag word,
// "no-cluster" in cluster mode (modhost has no cluster mode), an invalid
// name (space, CR, LF, '|', '@', '=', ','), or a name that is already a
// command. The default arity is -1 (-2 for a container without cmdfunc);
// SetCommandInfo can change it.
func apiCreateCommand(ctx *C.RedisModuleCtx, name *C.char, cmdfunc C.RedisModuleCmdFunc, strflags *C.char, firstkey C.int, lastkey C.int, keystep C.int) (rc C.int) {
	rc = C.REDISMODULE_ERR
	m := ctxModule(ctx)
	if m == nil || !m.onload || name == nil {
		return
	}
	flags, extra, ok := parseCmdFlags(goStringOrEmpty(strflags))
	if !ok {
		return
	}
	n := C.GoString(name)
	if !validCommandName(n) || m.sys.srv.Cmds.Get(n) != nil {
		return
	}
	mc := newCommand(m, n, unsafe.Pointer(cmdfunc), flags, extra, int(firstkey), int(lastkey), int(keystep))
	mc.hc.Arity = -1
	if cmdfunc == nil {
		mc.hc.Arity = -2
	}
	m.sys.srv.Cmds.Add(mc.hc)
	m.cmds = append(m.cmds, mc)
	return C.REDISMODULE_OK
}

// apiGetCommand implements RedisModule_GetCommand: the command object of
// one of the calling module's commands (for SetCommandInfo,
// CreateSubcommand ...), or NULL when name is not a command of this module.
// "parent|sub" names a subcommand.
func apiGetCommand(ctx *C.RedisModuleCtx, name *C.char) (out *C.RedisModuleCommand) {
	m := ctxModule(ctx)
	if m == nil || name == nil {
		return nil
	}
	parts := strings.SplitN(strings.ToLower(C.GoString(name)), "|", 2)
	for _, mc := range m.cmds {
		if mc.hc.Name != parts[0] {
			continue
		}
		if len(parts) == 1 {
			return mc.c
		}
		for _, sub := range mc.subs {
			if sub.hc.Name == parts[1] {
				return sub.c
			}
		}
	}
	return nil
}

// apiCreateSubcommand implements RedisModule_CreateSubcommand: adds
// "parent|name" under a container command created without a function.
// Returns REDISMODULE_ERR, as Redis does, outside OnLoad, for bad flags or
// name, when parent is itself a subcommand, when parent has a function,
// or when the subcommand exists. Default arity -2.
func apiCreateSubcommand(parent *C.RedisModuleCommand, name *C.char, cmdfunc C.RedisModuleCmdFunc, strflags *C.char, firstkey C.int, lastkey C.int, keystep C.int) (rc C.int) {
	rc = C.REDISMODULE_ERR
	pc := commandOf(parent)
	if pc == nil || !pc.mod.onload || name == nil || pc.parent != nil || pc.fn != nil {
		return
	}
	flags, extra, ok := parseCmdFlags(goStringOrEmpty(strflags))
	if !ok {
		return
	}
	n := C.GoString(name)
	if !validCommandName(n) || pc.hc.Subs[strings.ToLower(n)] != nil {
		return
	}
	mc := newCommand(pc.mod, n, unsafe.Pointer(cmdfunc), flags, extra, int(firstkey), int(lastkey), int(keystep))
	mc.hc.Arity = -2
	mc.parent = pc
	pc.hc.AddSub(mc.hc)
	pc.subs = append(pc.subs, mc)
	return C.REDISMODULE_OK
}

// apiSetCommandACLCategories implements
// RedisModule_SetCommandACLCategories: sets the command's ACL categories
// from a space separated list of known category names (core or added by
// AddACLCategory). Only in OnLoad; an unknown name is logged and fails the
// call, as in Redis.
func apiSetCommandACLCategories(command *C.RedisModuleCommand, ctgrsflags *C.char) (rc C.int) {
	rc = C.REDISMODULE_ERR
	mc := commandOf(command)
	if mc == nil || !mc.mod.onload {
		return
	}
	var cats []string
	if s := goStringOrEmpty(ctgrsflags); s != "" {
		for _, w := range strings.Split(s, " ") {
			if !aclCategoryKnown(w) {
				mc.mod.sys.srv.Log.Warningf("Unrecognized categories flag %s on module load", w)
				return
			}
			cats = append(cats, strings.ToLower(w))
		}
	}
	mc.hc.ACL = cats
	return C.REDISMODULE_OK
}

// apiAddACLCategory implements RedisModule_AddACLCategory: adds an ACL
// category modules can put commands in. Only in OnLoad. Fails with errno
// EINVAL for a name with characters other than letters, digits, '_' and
// '-' (or outside OnLoad), EBUSY when it exists, ENOMEM past 64
// categories. Categories a module added go away if its OnLoad fails.
func apiAddACLCategory(ctx *C.RedisModuleCtx, name *C.char, mh_errno *C.int) (rc C.int) {
	rc = C.REDISMODULE_ERR
	m := ctxModule(ctx)
	if m == nil || !m.onload || name == nil || !validResourceName(C.GoString(name)) {
		*mh_errno = C.EINVAL
		return
	}
	n := C.GoString(name)
	if aclCategoryKnown(n) {
		*mh_errno = C.EBUSY
		return
	}
	if !addACLCategory(m, n) {
		*mh_errno = C.ENOMEM
		return
	}
	return C.REDISMODULE_OK
}

func goStringOrEmpty(p *C.char) string {
	if p == nil {
		return ""
	}
	return C.GoString(p)
}

// validResourceName: letters, digits, '_' and '-' only, not empty.
func validResourceName(s string) bool {
	if s == "" {
		return false
	}
	for _, ch := range s {
		if !(ch == '_' || ch == '-' || ch >= '0' && ch <= '9' || ch >= 'a' && ch <= 'z' || ch >= 'A' && ch <= 'Z') {
			return false
		}
	}
	return true
}
