package host

// "Module Configurations API": bool, numeric, string and enum
// configurations a module registers in OnLoad. They live in the server's
// configuration under "<module>.<name>" (internal/config ModuleConfigSpec):
// CONFIG GET/SET/REWRITE reach the module's get, set and apply callbacks;
// RedisModule_LoadConfigs hands the module the values queued from the
// config file or MODULE LOADEX, or the defaults. This file exports to C,
// so its preamble only declares.

/*
#include <stdlib.h>
#include <errno.h>
#include "ctx.h"
#include "api_config.h"
#include "mh_string.h"
*/
import "C"

import (
	"unsafe"

	"github.com/modhost/modhost/internal/config"
)

// Log lines of a refused registration (Redis's texts).
const (
	msgCfgBadFlags    = "Invalid flag(s) for configuration"
	msgCfgNumericFlag = "Numeric flag provided for non-numeric configuration."
	msgCfgEnumFlag    = "Enum flag provided for non-enum configuration."
	msgCfgBadChar     = "Invalid character %c in Module resource name %s."
	msgCfgDuplicate   = "Configuration by the name: %s already registered"
	msgCfgNotLoaded   = "Module Configurations were not set, likely a missing LoadConfigs call. Unloading the module."
	msgCfgLoadex      = "Loadex configurations were not applied, likely due to invalid arguments. Unloading the module."
)

// cfgFlagsAll are the REDISMODULE_CONFIG_* flags a registration may use.
const cfgFlagsAll = config.ModConfImmutable | config.ModConfSensitive | config.ModConfHidden |
	config.ModConfProtected | config.ModConfDenyLoading | config.ModConfMemory | config.ModConfBitflags

// applyKey identifies an apply callback and its privdata: configurations
// sharing both are applied once per CONFIG SET, as in Redis.
type applyKey struct{ fn, priv uintptr }

// cfgBase is the part of a registration common to every type.
type cfgBase struct {
	ctx   *C.RedisModuleCtx
	name  *C.char
	flags C.uint
	apply C.RedisModuleConfigApplyFunc
	priv  unsafe.Pointer
}

// register validates a registration as Redis's moduleConfigValidityCheck
// (errno EBUSY outside OnLoad, EINVAL for bad flags or name, EALREADY for
// a taken name), lets fill complete the spec with the kind's hooks and
// adds it to the server's configuration.
func (b cfgBase) register(kind config.ModuleConfigKind, mh_errno *C.int, fill func(spec *config.ModuleConfigSpec, cname *C.char)) C.int {
	m := ctxModule(b.ctx)
	srv := ctxServer(b.ctx)
	if m == nil || srv == nil || !m.onload {
		*mh_errno = C.EBUSY
		return C.REDISMODULE_ERR
	}
	if b.name == nil || !validConfig(srv.Log.Warningf, int(b.flags), kind, C.GoString(b.name)) {
		*mh_errno = C.EINVAL
		return C.REDISMODULE_ERR
	}
	short := C.GoString(b.name)
	cname := C.CString(short)
	spec := &config.ModuleConfigSpec{Module: m.Name, Name: short, Kind: kind, Flags: int(b.flags)}
	fill(spec, cname)
	if b.apply != nil {
		spec.Apply = applyHook(m, b.apply, b.priv)
		spec.ApplyKey = applyKey{uintptr(unsafe.Pointer(b.apply)), uintptr(b.priv)}
	}
	if srv.Config.RegisterModuleConfig(spec) != nil {
		C.free(unsafe.Pointer(cname))
		srv.Log.Warningf(msgCfgDuplicate, short)
		*mh_errno = C.EALREADY
		return C.REDISMODULE_ERR
	}
	m.reg.configNames = append(m.reg.configNames, cname)
	return C.REDISMODULE_OK
}

// validConfig checks flags against the kind and the name's characters,
// logging Redis's warning for the first problem.
func validConfig(warn func(string, ...any), flags int, kind config.ModuleConfigKind, name string) bool {
	switch {
	case flags&^cfgFlagsAll != 0:
		warn("%s", msgCfgBadFlags)
		return false
	case kind != config.ModuleNumeric && flags&config.ModConfMemory != 0:
		warn("%s", msgCfgNumericFlag)
		return false
	case kind != config.ModuleEnum && flags&config.ModConfBitflags != 0:
		warn("%s", msgCfgEnumFlag)
		return false
	}
	if name == "" {
		return false
	}
	for i := 0; i < len(name); i++ {
		ch := name[i]
		if ch >= 'a' && ch <= 'z' || ch >= 'A' && ch <= 'Z' || ch >= '0' && ch <= '9' || ch == '_' || ch == '-' {
			continue
		}
		warn(msgCfgBadChar, ch, name)
		return false
	}
	return true
}

// takeErr returns the text of a module's error string and releases it.
func takeErr(e *C.RedisModuleString) string {
	if e == nil {
		return ""
	}
	msg := string(cStringBytes(e))
	C.mh_string_release(e)
	return msg
}

// setResult turns a set or apply callback's outcome into a hook result.
func setResult(rc C.int, e *C.RedisModuleString) (string, bool) {
	msg := takeErr(e)
	return msg, rc == C.REDISMODULE_OK
}

// applyHook calls a module's apply callback with a temporary context;
// a non-zero return refuses the CONFIG SET.
func applyHook(m *Module, fn C.RedisModuleConfigApplyFunc, priv unsafe.Pointer) func() (string, bool) {
	return func() (string, bool) {
		ctx := newCtx(&ctxState{sys: m.sys, mod: m}, 2, C.MH_CTX_TEMP)
		var e *C.RedisModuleString
		rc := C.mh_cfg_apply(fn, ctx, priv, &e)
		freeCtx(ctx)
		msg := takeErr(e)
		return msg, rc == 0
	}
}

// apiRegisterBoolConfig implements RedisModule_RegisterBoolConfig: a
// yes/no configuration "<module>.<name>" whose value the module keeps and
// exposes through getfn/setfn (and applyfn after CONFIG SET). Only in
// OnLoad; REDISMODULE_ERR with errno EBUSY, EINVAL or EALREADY otherwise.
func apiRegisterBoolConfig(ctx *C.RedisModuleCtx, name *C.char, defaultVal C.int, flags C.uint, getfn C.RedisModuleConfigGetBoolFunc, setfn C.RedisModuleConfigSetBoolFunc, applyfn C.RedisModuleConfigApplyFunc, privdata unsafe.Pointer, mh_errno *C.int) (rc C.int) {
	rc = C.REDISMODULE_ERR
	b := cfgBase{ctx, name, flags, applyfn, privdata}
	return b.register(config.ModuleBool, mh_errno, func(s *config.ModuleConfigSpec, cn *C.char) {
		s.DefBool = defaultVal != 0
		s.GetBool = func() bool { return C.mh_cfg_get_bool(getfn, cn, privdata) != 0 }
		s.SetBool = func(v bool) (string, bool) {
			var e *C.RedisModuleString
			iv := C.int(0)
			if v {
				iv = 1
			}
			return setResult(C.mh_cfg_set_bool(setfn, cn, iv, privdata, &e), e)
		}
	})
}

// apiRegisterNumericConfig implements RedisModule_RegisterNumericConfig:
// a long long configuration bounded by min and max (memory units accepted
// with REDISMODULE_CONFIG_MEMORY). Same rules as RegisterBoolConfig.
func apiRegisterNumericConfig(ctx *C.RedisModuleCtx, name *C.char, defaultVal C.longlong, flags C.uint, lo, hi C.longlong, getfn C.RedisModuleConfigGetNumericFunc, setfn C.RedisModuleConfigSetNumericFunc, applyfn C.RedisModuleConfigApplyFunc, privdata unsafe.Pointer, mh_errno *C.int) (rc C.int) {
	rc = C.REDISMODULE_ERR
	b := cfgBase{ctx, name, flags, applyfn, privdata}
	return b.register(config.ModuleNumeric, mh_errno, func(s *config.ModuleConfigSpec, cn *C.char) {
		s.DefNum, s.Min, s.Max = int64(defaultVal), int64(lo), int64(hi)
		s.GetNum = func() int64 { return int64(C.mh_cfg_get_numeric(getfn, cn, privdata)) }
		s.SetNum = func(v int64) (string, bool) {
			var e *C.RedisModuleString
			return setResult(C.mh_cfg_set_numeric(setfn, cn, C.longlong(v), privdata, &e), e)
		}
	})
}

// apiRegisterStringConfig implements RedisModule_RegisterStringConfig: a
// binary-safe string configuration (default NULL allowed). The string the
// set callback gets is freed after it returns (retain it to keep it); the
// one getfn returns is not consumed. As in Redis, the flag check treats a
// string configuration as numeric (REDISMODULE_CONFIG_MEMORY is accepted).
func apiRegisterStringConfig(ctx *C.RedisModuleCtx, name *C.char, defaultVal *C.char, flags C.uint, getfn C.RedisModuleConfigGetStringFunc, setfn C.RedisModuleConfigSetStringFunc, applyfn C.RedisModuleConfigApplyFunc, privdata unsafe.Pointer, mh_errno *C.int) (rc C.int) {
	rc = C.REDISMODULE_ERR
	b := cfgBase{ctx, name, flags, applyfn, privdata}
	return b.register(config.ModuleNumeric, mh_errno, func(s *config.ModuleConfigSpec, cn *C.char) {
		s.Kind = config.ModuleString
		if defaultVal == nil {
			s.DefStrNull = true
		} else {
			s.DefStr = C.GoString(defaultVal)
		}
		s.GetStr = func() (string, bool) {
			v := C.mh_cfg_get_string(getfn, cn, privdata)
			if v == nil {
				return "", true
			}
			return string(cStringBytes(v)), false
		}
		s.SetStr = func(v string) (string, bool) {
			var e *C.RedisModuleString
			str := newCString(nil, []byte(v))
			rc := C.mh_cfg_set_string(setfn, cn, str, privdata, &e)
			C.mh_string_release(str)
			return setResult(rc, e)
		}
	})
}

// apiRegisterEnumConfig implements RedisModule_RegisterEnumConfig: a
// configuration taking one of enumValues (each mapped to the int at the
// same index of intValues), or with REDISMODULE_CONFIG_BITFLAGS several of
// them OR-ed together. The names are copied.
func apiRegisterEnumConfig(ctx *C.RedisModuleCtx, name *C.char, defaultVal C.int, flags C.uint, enumValues **C.char, intValues *C.int, num C.int, getfn C.RedisModuleConfigGetEnumFunc, setfn C.RedisModuleConfigSetEnumFunc, applyfn C.RedisModuleConfigApplyFunc, privdata unsafe.Pointer, mh_errno *C.int) (rc C.int) {
	rc = C.REDISMODULE_ERR
	var items []config.EnumItem
	if num > 0 && enumValues != nil && intValues != nil {
		names := unsafe.Slice(enumValues, int(num))
		vals := unsafe.Slice(intValues, int(num))
		for i := range names {
			items = append(items, config.EnumItem{Name: C.GoString(names[i]), Val: int(vals[i])})
		}
	}
	b := cfgBase{ctx, name, flags, applyfn, privdata}
	return b.register(config.ModuleEnum, mh_errno, func(s *config.ModuleConfigSpec, cn *C.char) {
		s.DefEnum, s.Enum = int(defaultVal), items
		s.GetEnum = func() int { return int(C.mh_cfg_get_enum(getfn, cn, privdata)) }
		s.SetEnum = func(v int) (string, bool) {
			var e *C.RedisModuleString
			return setResult(C.mh_cfg_set_enum(setfn, cn, C.int(v), privdata, &e), e)
		}
	})
}

// apiLoadConfigs implements RedisModule_LoadConfigs: every configuration
// the module registered takes its value queued from the config file or
// MODULE LOADEX, or else its default, through its set callback. Only in
// OnLoad; REDISMODULE_ERR (with Redis's log line) when a value is refused,
// which also empties the queue. A module that registered configurations
// and never called LoadConfigs is unloaded after OnLoad, as in Redis.
func apiLoadConfigs(ctx *C.RedisModuleCtx) (rc C.int) {
	rc = C.REDISMODULE_ERR
	m := ctxModule(ctx)
	srv := ctxServer(ctx)
	if m == nil || srv == nil || !m.onload {
		return rc
	}
	if err := srv.Config.LoadModuleConfigs(m.Name); err != nil {
		srv.Log.Warningf("%s", err.Error())
		return rc
	}
	m.reg.configsLoaded = true
	return C.REDISMODULE_OK
}

// configsNotApplied is the loader's check after a successful OnLoad: the
// reason (logged) to unload m again, or "". With loadex, configuration
// values nobody took also fail the load, and the queue is emptied.
func (s *System) configsNotApplied(m *Module, loadex bool) string {
	if len(m.reg.configNames) > 0 && !m.reg.configsLoaded {
		return msgCfgNotLoaded
	}
	if loadex && len(s.srv.Config.ModuleConfigs()) > 0 {
		s.srv.Config.ClearModuleConfigQueue()
		return msgCfgLoadex
	}
	return ""
}

// dropConfigs removes m's configurations from the server's configuration
// (unload, failed OnLoad) and frees their C names.
func (s *System) dropConfigs(m *Module) {
	if len(m.reg.configNames) == 0 {
		return
	}
	s.srv.Config.RemoveModuleConfigs(m.Name)
	for _, p := range m.reg.configNames {
		C.free(unsafe.Pointer(p))
	}
	m.reg.configNames, m.reg.configsLoaded = nil, false
}
