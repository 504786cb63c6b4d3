package host

/*
#include <stdlib.h>
#include "loader.h"
#include "crash.h"
#include "strict_alloc.h"
*/
import "C"

import (
	"errors"
	"os"
	"strings"
	"unsafe"
)

// Load and unload failures. The MODULE command answers every load failure
// with Redis's one generic error; the reasons go to the log.
var (
	// ErrLoad is returned for every failed load (details in the log).
	ErrLoad = errors.New("error loading the extension")
	// ErrNoSuchModule is the unload refusal for an unknown name.
	ErrNoSuchModule = errors.New("no such module with that name")
	// ErrUnloadCanceled is returned when the module's OnUnload refused
	// (Redis then answers "operation not possible.").
	ErrUnloadCanceled = errors.New("operation not possible")
)

// load is the load transaction, as Redis's moduleLoad: dlopen, find
// OnLoad, run it with a temporary context; on failure undo everything the
// module registered and dlclose. configs is nil for LOAD and loadmodule.
//
// dlopen of a path that is already loaded returns the same library, so the
// module's globals are shared with the loaded copy; its RedisModule_Init
// then fails because the name is busy and the load fails as in Redis.
func (s *System) load(path string, args []string, configs [][2]string) error {
	log := s.srv.Logger()
	if st, err := os.Stat(path); err == nil && st.Mode()&0o111 == 0 {
		log.Warningf("Module %s failed to load: It does not have execute permissions.", path)
		return ErrLoad
	}
	cpath := C.CString(path)
	defer C.free(unsafe.Pointer(cpath))
	var cerr *C.char
	lib := C.mh_dl_open(cpath, &cerr)
	if lib == nil {
		log.Warningf("Module %s failed to load: %s", path, C.GoString(cerr))
		C.free(unsafe.Pointer(cerr))
		return ErrLoad
	}
	C.mh_crash_track_lib(lib)
	onload := dlsymEither(lib, "OnLoad")
	if onload == nil {
		s.dlclose(lib, path)
		log.Warningf("Module %s does not export RedisModule_OnLoad() symbol. Module not loaded.", path)
		return ErrLoad
	}
	m := &Module{sys: s, Path: path, Args: args, lib: lib, onload: true}
	m.reg.base = C.mh_dl_base(onload)
	m.owner = C.mh_owner_open(m.reg.base)
	m.argv, m.argc = s.newArgv(args)
	for _, kv := range configs { // LOADEX values wait for LoadConfigs
		s.srv.Config().QueueModuleConfig(kv[0], kv[1])
	}
	st := &ctxState{sys: s, loading: m}
	ctx := newCtx(st, 2, C.MH_CTX_TEMP|C.MH_CTX_ONLOAD)
	prevLoading := s.loading
	s.loading = m
	prevPhase := C.mh_track_set_phase(C.mh_phase_onload)
	rc := C.mh_call_onload(onload, ctx, m.argv, C.int(m.argc))
	C.mh_track_set_phase(prevPhase)
	s.loading = prevLoading
	s.lastAPIs = TakeAPIRequests()
	s.logMissingAPIs(path, missingOf(s.lastAPIs))
	if rc != C.REDISMODULE_OK || st.mod == nil {
		log.Warningf("Module %s initialization failed. Module not loaded", path)
		C.mh_owner_close(m.owner)
		s.unregister(m, true)
		freeCtx(ctx)
		m.release()
		s.dlclose(lib, path)
		if configs != nil {
			s.srv.Config().ClearModuleConfigQueue()
		}
		return ErrLoad
	}
	s.mods = append(s.mods, m)
	C.mh_owner_set_name(m.owner, m.cname)
	setNameOwner(m.Name, m)
	log.Noticef("Module '%s' loaded from %s", m.Name, path)
	m.onload = false
	if why := s.configsNotApplied(m, configs != nil); why != "" {
		log.Warningf("%s", why)
		_ = s.Unload(m.Name)
		freeCtx(ctx)
		return ErrLoad
	}
	freeCtx(ctx)
	s.syncConfig()
	s.fireModuleChange(m, true)
	return nil
}

// Unload unloads the module called name, as Redis's moduleUnload: refuse
// with a reason while the module holds resources, let OnUnload refuse,
// then undo its registrations and dlclose. The error text is the reason.
func (s *System) Unload(name string) error {
	m := s.Module(name)
	if m == nil {
		return ErrNoSuchModule
	}
	if why := s.unloadRefusal(m); why != "" {
		return errors.New(why)
	}
	if fn := dlsymEither(m.lib, "OnUnload"); fn != nil {
		ctx := newCtx(&ctxState{sys: s, mod: m}, 2, C.MH_CTX_TEMP|C.MH_CTX_ONUNLOAD)
		prevPhase := C.mh_track_set_phase(C.mh_phase_onunload)
		rc := C.mh_call_onunload(fn, ctx)
		C.mh_track_set_phase(prevPhase)
		freeCtx(ctx)
		if rc == C.REDISMODULE_ERR {
			s.srv.Logger().Warningf("Module %s OnUnload failed.  Unload canceled.", name)
			return ErrUnloadCanceled
		}
	}
	s.reportLeaks(m, "MODULE UNLOAD")
	C.mh_owner_close(m.owner)
	s.unregister(m, false)
	s.dlclose(m.lib, m.Name)
	s.srv.Logger().Noticef("Module %s unloaded", m.Name)
	for i, x := range s.mods {
		if x == m {
			s.mods = append(s.mods[:i], s.mods[i+1:]...)
			break
		}
	}
	setNameOwner(m.Name, nil)
	s.fireModuleChange(m, false)
	m.release()
	s.syncConfig()
	return nil
}

// release frees the module's C memory (argv, name).
func (m *Module) release() {
	C.mh_argv_free(m.argv, C.int(m.argc))
	m.argv, m.argc = nil, 0
	if m.cname != nil {
		C.free(unsafe.Pointer(m.cname))
		m.cname = nil
	}
}

// newArgv builds a C argv of module strings from args.
func (s *System) newArgv(args []string) (**C.RedisModuleString, int) {
	if len(args) == 0 {
		return nil, 0
	}
	bs := make([][]byte, len(args))
	for i, a := range args {
		bs[i] = []byte(a)
	}
	buf, lens := s.packArgs(bs)
	return C.mh_argv_new(buf, lens, C.int(len(args))), len(args)
}

// dlclose closes lib and logs a failure as Redis does.
func (s *System) dlclose(lib unsafe.Pointer, name string) {
	C.mh_crash_forget_lib(lib)
	var cerr *C.char
	if C.mh_dl_close(lib, &cerr) != 0 {
		s.srv.Logger().Warningf("Error when trying to close the %s module: %s", name, C.GoString(cerr))
		C.free(unsafe.Pointer(cerr))
	}
}

// logMissingAPIs logs, once, the API functions the module asked GetApi for
// that modhost does not implement (its pointers for them stay NULL).
func (s *System) logMissingAPIs(path string, missing []string) {
	if len(missing) == 0 {
		return
	}
	s.srv.Logger().Noticef("Module %s asked for %d API functions modhost does not implement (left NULL; loglevel verbose lists them)", path, len(missing))
	for i := 0; i < len(missing); i += missingPerLine {
		s.srv.Logger().Verbosef("  %s", strings.Join(missing[i:min(i+missingPerLine, len(missing))], " "))
	}
}

// missingPerLine keeps each log line of logMissingAPIs well under the
// logger's line limit.
const missingPerLine = 12

func dlsym(lib unsafe.Pointer, name string) unsafe.Pointer {
	cname := C.CString(name)
	defer C.free(unsafe.Pointer(cname))
	return C.mh_dl_sym(lib, cname)
}

// dlsymEither finds RedisModule_<name>, else ValkeyModule_<name>.
func dlsymEither(lib unsafe.Pointer, name string) unsafe.Pointer {
	if p := dlsym(lib, "RedisModule_"+name); p != nil {
		return p
	}
	return dlsym(lib, "ValkeyModule_"+name)
}
