package module

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

// mhgo_SetCommandInfo implements RedisModule_SetCommandInfo: summary,
// complexity, since, history, tips, arity, key specs and arguments of a
// module command. The struct is read through its version: array elements
// are stepped by the sizes the module was compiled with. Fails with errno
// EINVAL when the info is invalid (logged with Redis's reason) and EEXIST
// when info was already set. The arity is enforced before the module is
// called; summary and since show in COMMAND DOCS.
//
// modhost:partial complexity, history, tips, key specs and args are kept but COMMAND INFO/DOCS do not show them yet
//
//export mhgo_SetCommandInfo
func mhgo_SetCommandInfo(command *C.RedisModuleCommand, info *C.RedisModuleCommandInfo, mh_errno *C.int) (rc C.int) {
	rc = C.REDISMODULE_ERR
	defer guardExport(nil, "SetCommandInfo")
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
	hc := mc.hc
	hc.Summary, hc.Since = ci.Summary, ci.Since
	if ci.Arity != 0 {
		hc.Arity = ci.Arity
	}
	if len(ci.KeySpecs) > 0 {
		ks := ci.KeySpecs[0]
		if ks.BeginSearch == C.REDISMODULE_KSPEC_BS_INDEX && ks.FindKeys == C.REDISMODULE_KSPEC_FK_RANGE {
			hc.FirstKey, hc.KeyStep = ks.Index, ks.B
			hc.LastKey = ks.A
			if ks.A >= 0 {
				hc.LastKey = ks.Index + ks.A
			}
		}
	}
	return C.REDISMODULE_OK
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
	if info.tips != nil {
		ci.Tips = strings.Split(C.GoString(info.tips), " ")
	}
	if info.history != nil {
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
	ci.Args = readArgs(info.args, uintptr(v.sizeof_arg))
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

// readArgs copies a zero-terminated argument array stepped by size.
func readArgs(p *C.RedisModuleCommandArg, size uintptr) []commandArg {
	var out []commandArg
	for j := uintptr(0); p != nil; j++ {
		a := (*C.RedisModuleCommandArg)(unsafe.Add(unsafe.Pointer(p), j*size))
		if a.name == nil {
			break
		}
		out = append(out, commandArg{Name: C.GoString(a.name), Token: goStr(a.token),
			Summary: goStr(a.summary), Since: goStr(a.since), Deprecated: goStr(a.deprecated_since),
			Display: goStr(a.display_text), Type: int(a._type), KeySpecIndex: int(a.key_spec_index),
			Flags: int(a.flags), Sub: readArgs(a.subargs, size)})
	}
	return out
}
