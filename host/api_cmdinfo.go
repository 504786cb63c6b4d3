package host

// RedisModule_SetCommandInfo: reading the versioned RedisModuleCommandInfo.
// This file exports to C, so its preamble only declares.

/*
#include <errno.h>
#include "loader.h"
*/
import "C"

import (
	"strings"
	"unsafe"

	"github.com/modhost/modhost/commands"
)

// commandInfo is what SetCommandInfo recorded for a command, in Go memory.
type commandInfo struct {
	Summary, Complexity, Since string
	History                    [][2]string // since, changes
	Tips                       []string
	Arity                      int
	KeySpecs                   []keySpec
	Args                       []commandArg
}

// keySpec is one RedisModuleCommandKeySpec.
type keySpec struct {
	Notes       string
	Flags       uint64
	BeginSearch int    // REDISMODULE_KSPEC_BS_*
	Index       int    // BS_INDEX
	Keyword     string // BS_KEYWORD
	StartFrom   int    // BS_KEYWORD
	FindKeys    int    // REDISMODULE_KSPEC_FK_*
	A, B, C     int    // range: lastkey, keystep, limit; keynum: keynumidx, firstkey, keystep
}

// commandArg is one RedisModuleCommandArg, with its subargs.
type commandArg struct {
	Name, Token, Summary, Since, Deprecated, Display string
	Type, KeySpecIndex, Flags                        int
	Sub                                              []commandArg
}

// apiSetCommandInfo implements RedisModule_SetCommandInfo: summary,
// complexity, since, history, tips, arity, key specs and arguments of a
// module command. The struct is read through its version: array elements
// are stepped by the sizes the module was compiled with. Fails with errno
// EINVAL when the info is invalid (logged with Redis's reason) and EEXIST
// when info was already set. The arity is enforced before the module is
// called; tips and key specs show in COMMAND INFO (first/last/step and
// movablekeys recomputed from the specs) and drive COMMAND GETKEYS; summary,
// since, complexity, history and the argument tree show in COMMAND DOCS.
func apiSetCommandInfo(command *C.RedisModuleCommand, info *C.RedisModuleCommandInfo, mh_errno *C.int) (rc C.int) {
	rc = C.REDISMODULE_ERR
	mc := commandOf(command)
	if mc == nil || info == nil {
		*mh_errno = C.EINVAL
		return
	}
	ci, why := readCommandInfo(info)
	if why != "" {
		mc.mod.sys.srv.Log.Warningf("Invalid command info: %s", why)
		*mh_errno = C.EINVAL
		return
	}
	if mc.info != nil {
		*mh_errno = C.EEXIST
		return
	}
	mc.info = ci
	ci.apply(mc.hc)
	return C.REDISMODULE_OK
}

// apply feeds what SetCommandInfo recorded into the host command, as Redis
// keeps it: summary, since, complexity, history and arguments for COMMAND
// DOCS; tips, arity and key specs for COMMAND INFO and GETKEYS (first/last/
// step and movablekeys are recomputed from the specs).
func (ci *commandInfo) apply(hc *commands.Command) {
	hc.Summary, hc.Since = ci.Summary, ci.Since
	if ci.Arity != 0 {
		hc.Arity = ci.Arity
	}
	hc.Tips = ci.Tips
	if ci.KeySpecs != nil {
		specs := make([]commands.KeySpec, len(ci.KeySpecs))
		for i, ks := range ci.KeySpecs {
			specs[i] = ks.host()
		}
		hc.SetKeySpecs(specs)
	}
	d := &commands.CommandDocs{Complexity: ci.Complexity, History: ci.History}
	d.Args = hostArgs(ci.Args)
	hc.Docs = d
}

// host converts a module key spec to the host's form.
func (ks keySpec) host() commands.KeySpec {
	out := commands.KeySpec{Notes: ks.Notes, Flags: commands.KeyFlag(ks.Flags), Index: ks.Index,
		Keyword: ks.Keyword, FK: [3]int{ks.A, ks.B, ks.C}}
	switch ks.BeginSearch {
	case C.REDISMODULE_KSPEC_BS_INDEX:
		out.Begin = commands.SearchIndex
	case C.REDISMODULE_KSPEC_BS_KEYWORD:
		out.Begin, out.Index = commands.SearchKeyword, ks.StartFrom
	}
	switch ks.FindKeys {
	case C.REDISMODULE_KSPEC_FK_RANGE:
		out.Find = commands.FindRange
	case C.REDISMODULE_KSPEC_FK_KEYNUM:
		out.Find = commands.FindKeynum
	}
	return out
}

// argTypeNames are COMMAND DOCS's names of REDISMODULE_ARG_TYPE_* values.
var argTypeNames = []string{"string", "integer", "double", "key", "pattern",
	"unix-time", "pure-token", "oneof", "block"}

// hostArgs converts module arguments to the host's COMMAND DOCS form; the
// key spec index only shows for key arguments, as in Redis.
func hostArgs(args []commandArg) []commands.Arg {
	if args == nil {
		return nil
	}
	out := make([]commands.Arg, len(args))
	for i, a := range args {
		h := commands.Arg{Name: a.Name, Display: a.Display, Token: a.Token, Summary: a.Summary,
			Since: a.Since, Deprecated: a.Deprecated, KeySpecIndex: -1, Sub: hostArgs(a.Sub)}
		if a.Type >= 0 && a.Type < len(argTypeNames) {
			h.Type = argTypeNames[a.Type]
		}
		if a.Type == C.REDISMODULE_ARG_TYPE_KEY {
			h.KeySpecIndex = a.KeySpecIndex
		}
		for bit, name := range []string{"optional", "multiple", "multiple_token"} {
			if a.Flags&(1<<bit) != 0 {
				h.Flags = append(h.Flags, name)
			}
		}
		out[i] = h
	}
	return out
}

func goStr(p *C.char) string { return goStringOrEmpty(p) }

// readCommandInfo copies and validates info; why is non-empty (Redis's
// message after "Invalid command info: ") when it is invalid.
func readCommandInfo(info *C.RedisModuleCommandInfo) (ci *commandInfo, why string) {
	v := info.version
	if v == nil {
		return nil, "version missing"
	}
	ci = &commandInfo{Summary: goStr(info.summary), Complexity: goStr(info.complexity),
		Since: goStr(info.since), Arity: int(info.arity)}
	if tips := goStr(info.tips); tips != "" {
		ci.Tips = strings.Split(tips, " ")
	}
	if info.history != nil {
		ci.History = [][2]string{}
		for j := 0; ; j++ {
			h := (*C.RedisModuleCommandHistoryEntry)(unsafe.Add(unsafe.Pointer(info.history), uintptr(j)*uintptr(v.sizeof_historyentry)))
			if h.since == nil {
				break
			}
			if h.changes == nil {
				return nil, sprintf("history[%d].changes missing", j)
			}
			ci.History = append(ci.History, [2]string{C.GoString(h.since), C.GoString(h.changes)})
		}
	}
	if info.key_specs != nil {
		for j := 0; ; j++ {
			spec := (*C.RedisModuleCommandKeySpec)(unsafe.Add(unsafe.Pointer(info.key_specs), uintptr(j)*uintptr(v.sizeof_keyspec)))
			if spec.begin_search_type == 0 {
				break
			}
			ks, why := readKeySpec(spec, j)
			if why != "" {
				return nil, why
			}
			ci.KeySpecs = append(ci.KeySpecs, ks)
		}
	}
	if ci.Args, why = readArgs(info.args, uintptr(v.sizeof_arg)); why != "" {
		return nil, why
	}
	return ci, ""
}

// isPow2 reports whether exactly one bit of v is set.
func isPow2(v uint64) bool { return v != 0 && v&(v-1) == 0 }

func readKeySpec(spec *C.RedisModuleCommandKeySpec, j int) (keySpec, string) {
	ks := keySpec{Notes: goStr(spec.notes), Flags: uint64(spec.flags),
		BeginSearch: int(spec.begin_search_type), FindKeys: int(spec.find_keys_type)}
	access := uint64(C.REDISMODULE_CMD_KEY_RO | C.REDISMODULE_CMD_KEY_RW | C.REDISMODULE_CMD_KEY_OW | C.REDISMODULE_CMD_KEY_RM)
	write := uint64(C.REDISMODULE_CMD_KEY_INSERT | C.REDISMODULE_CMD_KEY_DELETE | C.REDISMODULE_CMD_KEY_UPDATE)
	if !isPow2(ks.Flags & access) {
		return ks, sprintf("key_specs[%d].flags: Exactly one of the flags RO, RW, OW, RM required", j)
	}
	if ks.Flags&write != 0 && !isPow2(ks.Flags&write) {
		return ks, sprintf("key_specs[%d].flags: INSERT, DELETE and UPDATE are mutually exclusive", j)
	}
	bs := unsafe.Pointer(&spec.bs)
	switch ks.BeginSearch {
	case C.REDISMODULE_KSPEC_BS_UNKNOWN:
	case C.REDISMODULE_KSPEC_BS_INDEX:
		ks.Index = int(*(*C.int)(bs))
	case C.REDISMODULE_KSPEC_BS_KEYWORD:
		kw := *(**C.char)(bs)
		if kw == nil {
			return ks, sprintf("key_specs[%d].bs.keyword.keyword required when begin_search_type is KEYWORD", j)
		}
		ks.Keyword = C.GoString(kw)
		ks.StartFrom = int(*(*C.int)(unsafe.Add(bs, unsafe.Sizeof(kw))))
	default:
		return ks, sprintf("key_specs[%d].begin_search_type: Invalid value %d", j, ks.BeginSearch)
	}
	fk := (*[3]C.int)(unsafe.Pointer(&spec.fk))
	switch ks.FindKeys {
	case C.REDISMODULE_KSPEC_FK_OMITTED: // a single key: range {0, 1, 0}
		ks.FindKeys, ks.A, ks.B, ks.C = C.REDISMODULE_KSPEC_FK_RANGE, 0, 1, 0
	case C.REDISMODULE_KSPEC_FK_UNKNOWN:
	case C.REDISMODULE_KSPEC_FK_RANGE, C.REDISMODULE_KSPEC_FK_KEYNUM:
		ks.A, ks.B, ks.C = int(fk[0]), int(fk[1]), int(fk[2])
	default:
		return ks, sprintf("key_specs[%d].find_keys_type: Invalid value %d", j, ks.FindKeys)
	}
	return ks, ""
}

// readArgs copies a zero-terminated argument array stepped by size and
// validates it as Redis does; why is non-empty when it is invalid.
func readArgs(p *C.RedisModuleCommandArg, size uintptr) (out []commandArg, why string) {
	if p == nil {
		return nil, ""
	}
	out = []commandArg{}
	for j := uintptr(0); ; j++ {
		a := (*C.RedisModuleCommandArg)(unsafe.Add(unsafe.Pointer(p), j*size))
		if a.name == nil {
			return out, ""
		}
		ca := commandArg{Name: C.GoString(a.name), Token: goStr(a.token),
			Summary: goStr(a.summary), Since: goStr(a.since), Deprecated: goStr(a.deprecated_since),
			Display: goStr(a.display_text), Type: int(a._type), KeySpecIndex: int(a.key_spec_index),
			Flags: int(a.flags)}
		if why := validateArg(&ca, a.token != nil, a.subargs != nil); why != "" {
			return nil, why
		}
		if a.subargs != nil {
			if ca.Sub, why = readArgs(a.subargs, size); why != "" {
				return nil, why
			}
		}
		out = append(out, ca)
	}
}

// validateArg checks one argument with Redis's rules and messages.
func validateArg(a *commandArg, hasToken, hasSub bool) string {
	pre := sprintf("Argument \"%s\": ", a.Name)
	nested := a.Type == C.REDISMODULE_ARG_TYPE_ONEOF || a.Type == C.REDISMODULE_ARG_TYPE_BLOCK
	switch {
	case a.Type < C.REDISMODULE_ARG_TYPE_STRING || a.Type > C.REDISMODULE_ARG_TYPE_BLOCK:
		return pre + sprintf("Undefined type %d", a.Type)
	case a.Type == C.REDISMODULE_ARG_TYPE_PURE_TOKEN && !hasToken:
		return pre + "token required when type is PURE_TOKEN"
	case a.Type == C.REDISMODULE_ARG_TYPE_KEY && a.KeySpecIndex < 0:
		return pre + "key_spec_index required when type is KEY"
	case a.Type != C.REDISMODULE_ARG_TYPE_KEY && a.KeySpecIndex != -1 && a.KeySpecIndex != 0:
		return pre + "key_spec_index specified but type isn't KEY"
	case a.Flags&^(C._REDISMODULE_CMD_ARG_NEXT-1) != 0:
		return pre + "Invalid flags"
	case nested && !hasSub:
		return pre + "subargs required when type is ONEOF or BLOCK"
	case !nested && hasSub:
		return pre + "subargs specified but type isn't ONEOF nor BLOCK"
	}
	return ""
}
