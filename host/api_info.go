package host

// "Modules Info fields", Go half: the info callbacks modules register and
// the module sections of INFO, built by calling them in load order
// (api_info.c holds the InfoAdd* functions and the GetServerInfo data
// accessors). This file exports to C, so its preamble only declares.

/*
#include <stdlib.h>
#include "ctx.h"
#include "api_info.h"
*/
import "C"

import (
	"strings"
	"unsafe"
)

// apiRegisterInfoFunc implements RedisModule_RegisterInfoFunc: cb adds
// the module's INFO sections and fields (InfoAddSection, InfoAddField*,
// InfoBeginDictField) when INFO asks for "everything", "modules", the
// module's name or one of its "<module>_<section>" sections. Registering
// again replaces the callback. REDISMODULE_ERR without a module context.
func apiRegisterInfoFunc(ctx *C.RedisModuleCtx, cb C.RedisModuleInfoFunc) (rc C.int) {
	st := stateOf(ctx)
	if st == nil || st.sys == nil {
		return C.REDISMODULE_ERR
	}
	mod := st.mod
	if mod == nil {
		mod = st.loading
	}
	if mod == nil {
		return C.REDISMODULE_ERR
	}
	mod.reg.infoFn = unsafe.Pointer(cb)
	return C.REDISMODULE_OK
}

// collectInfo is the host's module INFO producer: every loaded module's
// info callback, in load order, writing the sections requested (nil: all).
func (e *extState) collectInfo(requested map[string]bool) string {
	var sb strings.Builder
	var req **C.char
	var nreq int
	if requested != nil {
		names := make([]*C.char, 0, len(requested))
		for name := range requested {
			names = append(names, C.CString(name))
		}
		nreq = len(names)
		if nreq > 0 {
			req = (**C.char)(C.malloc(C.size_t(nreq) * C.size_t(unsafe.Sizeof((*C.char)(nil)))))
			copy(unsafe.Slice(req, nreq), names)
		} else {
			req = (**C.char)(C.malloc(C.size_t(unsafe.Sizeof((*C.char)(nil)))))
		}
		defer func() {
			for _, p := range names {
				C.free(unsafe.Pointer(p))
			}
			C.free(unsafe.Pointer(req))
		}()
	}
	sections := 0
	for _, m := range e.sys.mods {
		cb := m.reg.infoFn
		if cb == nil {
			continue
		}
		ictx := (*C.RedisModuleInfoCtx)(C.calloc(1, C.sizeof_RedisModuleInfoCtx))
		ictx.module = m.cname
		ictx.req = req
		ictx.nreq = C.int(nreq)
		ictx.sections = C.int(sections)
		C.mh_info_call(ictx, cb)
		sections = int(ictx.sections)
		if ictx.len > 0 {
			sb.Write(unsafe.Slice((*byte)(unsafe.Pointer(ictx.buf)), int(ictx.len)))
		}
		C.free(unsafe.Pointer(ictx.buf))
		C.free(unsafe.Pointer(ictx))
	}
	return sb.String()
}

// apiGetServerInfo implements RedisModule_GetServerInfo: the fields of
// INFO <section> (the default sections when section is NULL; "all",
// "everything" and module sections work as for INFO), for the
// ServerInfoGetField* functions. Free it with FreeServerInfo, or let auto
// memory do it when ctx is not NULL.
func apiGetServerInfo(ctx *C.RedisModuleCtx, section *C.char) (d *C.RedisModuleServerInfoData) {
	srv := serverFor(ctx)
	var text string
	if srv != nil {
		var args []string
		if section != nil {
			args = []string{C.GoString(section)}
		}
		text = srv.InfoText(args)
	}
	var p *C.char
	if len(text) > 0 {
		p = (*C.char)(unsafe.Pointer(unsafe.StringData(text)))
	}
	d = C.mh_serverinfo_parse(p, C.size_t(len(text)))
	C.mh_serverinfo_am_add(ctx, d)
	return d
}
