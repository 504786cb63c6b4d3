package host

/*
#include <stdlib.h>
#include "loader.h"
*/
import "C"

import (
	"fmt"
	"strings"
	"sync"
	"unsafe"

	"github.com/modhost/modhost/internal/config"
)

// System is the module system of one server: the loaded modules, the
// MODULE command and the methods the server asks of its module system. All methods must be
// called with the server lock held (module code runs under it), except
// New.
type System struct {
	srv  Server
	mods []*Module // in load order

	// Scratch space for packing command arguments (guarded by the lock).
	argBuf  []byte
	argLens []C.size_t

	// ext is the state of server events, command filters and module INFO
	// (api_events.go), made here so that hooks run without a lookup.
	ext *extState
	// The other families' system-wide state, made by New: Call,
	// notifications and replication (api_call.go), the event goroutine,
	// timers and fds (api_eventloop.go), auth callbacks (api_auth.go),
	// exported APIs (api_shared.go).
	call   *callFamily
	rt     *runtimeState
	auth   *authState
	shared *sharedAPIs
	// loading is the module whose OnLoad runs now (nil otherwise).
	loading *Module
	// cluster is cluster mode for the module Cluster API (api_cluster.go;
	// nil when the server is not a cluster node).
	cluster *clusterState
	// typeHooksDone: DEBUG MODHOST-EMITAOF is registered (rdb_bridge.go).
	typeHooksDone bool

	// lastAPIs are the names the module loaded last asked GetApi for
	// during its OnLoad, whether or not the load succeeded (Report).
	lastAPIs []APIRequest
}

// Module is one loaded (or loading) module.
type Module struct {
	// Name is the name the module gave RedisModule_Init.
	Name string
	// Version and APIVersion are Init's ver and apiver.
	Version, APIVersion int
	// Path is the shared object path as given to LOAD or loadmodule.
	Path string
	// Args are the arguments OnLoad received.
	Args []string

	sys     *System
	cname   *C.char        // Name in C memory, for ctx->module_name
	lib     unsafe.Pointer // dlopen handle
	owner   C.int          // owner slot of its objects in strict mode (strict_alloc.h), 0 none
	argv    **C.RedisModuleString
	argc    int
	onload  bool       // inside OnLoad: commands may be created
	options int        // SetModuleOptions flags
	cmds    []*command // top-level commands, in creation order
	aclCats []string   // ACL categories the module added
	// reg is everything else the module registered through the API
	// (module_state.go); unregister removes it all.
	reg registrations

	// unloadChecks are extra checks after Redis's own (unloadRefusal):
	// each says why the module cannot be unloaded now ("" if it can).
	unloadChecks []func() string
}

// AddUnloadCheck registers a check run before the module is unloaded,
// after Redis's built-in ones (data types, used APIs, blocked clients,
// timers): a non-empty result refuses the unload with that reason (the
// text after "Error unloading module: ").
func (m *Module) AddUnloadCheck(fn func() string) { m.unloadChecks = append(m.unloadChecks, fn) }

// processNames holds the names of the modules loaded in this process, by
// any System: dlopen shares libraries (and their globals) process-wide, so
// module names are process-wide too.
var processNames = struct {
	sync.Mutex
	m map[string]*Module
}{m: map[string]*Module{}}

func nameBusy(name string) bool {
	processNames.Lock()
	defer processNames.Unlock()
	return processNames.m[name] != nil
}

func setNameOwner(name string, m *Module) {
	processNames.Lock()
	defer processNames.Unlock()
	if m == nil {
		delete(processNames.m, name)
	} else {
		processNames.m[name] = m
	}
}

// seedOnce seeds libc's generator once per process.
var seedOnce sync.Once

// New creates the module system of srv and registers the MODULE command.
// The caller installs it as the server's module system (cmd/modhost passes
// the server's ModuleHost()).
func New(srv Server) *System {
	seedOnce.Do(func() { C.mh_seed_libc_rand() })
	s := &System{srv: srv}
	s.ext = newExtState(s)
	s.call = newCallFamily(s)
	s.rt = newRuntime(s)
	s.auth = &authState{sys: s, clients: map[int64]authedClient{}, pending: map[int64]*authPending{}}
	srv.OnClientFree(func(c Client) { delete(s.auth.clients, c.ClientID()) })
	s.shared = &sharedAPIs{sys: s, byName: map[string]sharedAPI{}}
	setDefaultSystem(s)
	registerModuleCommand(s)
	// Hooks and DEBUG MODHOST-* subcommands are installed here, once, not
	// on first use: a server's behaviour must not depend on which API a
	// module happened to call first.
	f := familyOf(s)
	f.subsHooked = true
	srv.OnKeyspaceEvent(f.dispatchEvent)
	runtimeOf(s).registerDebugLocked()
	installExtHooks(s)
	s.registerRegistriesDebug()
	installCrashReport(srv)
	installStrict(s)
	return s
}

// Module returns the loaded module called name, or nil.
func (s *System) Module(name string) *Module {
	for _, m := range s.mods {
		if m.Name == name {
			return m
		}
	}
	return nil
}

// Load loads the module at path with args (loadmodule, MODULE LOAD). The
// error's text is the reason; the log lines are Redis's.
func (s *System) Load(path string, args []string) error {
	return s.load(path, args, nil)
}

// LoadEx is MODULE LOADEX: configs are name/value pairs for the module's
// configurations (applied by its LoadConfigs call).
func (s *System) LoadEx(path string, configs [][2]string, args []string) error {
	if configs == nil {
		configs = [][2]string{}
	}
	return s.load(path, args, configs)
}

// InfoLines returns the INFO modules lines, one per module, in load order.
func (s *System) InfoLines() []string {
	out := make([]string, 0, len(s.mods))
	for _, m := range s.mods {
		out = append(out, fmt.Sprintf("module:name=%s,ver=%d,api=%d,filters=%d,%s,options=[%s]",
			m.Name, m.Version, m.APIVersion, s.ext.filterCount(m), s.sharedInfo(m), strings.Join(m.optionNames(), "|")))
	}
	return append(out, s.misuseInfoLines()...)
}

// List describes the loaded modules for MODULE LIST and HELLO.
func (s *System) List() []ModuleInfo {
	out := make([]ModuleInfo, 0, len(s.mods))
	for _, m := range s.mods {
		out = append(out, ModuleInfo{Name: m.Name, Version: m.Version, Path: m.Path, Args: append([]string(nil), m.Args...)})
	}
	return out
}

// AllocatedBytes is the memory modules hold through RedisModule_Alloc & co
// and module strings (INFO memory).
func (s *System) AllocatedBytes() uint64 { return uint64(C.mh_alloc_used()) }

// optionNames renders SetModuleOptions flags as INFO modules does.
func (m *Module) optionNames() []string {
	var out []string
	for _, o := range []struct {
		flag int
		name string
	}{
		{C.REDISMODULE_OPTIONS_HANDLE_IO_ERRORS, "handle-io-errors"},
		{C.REDISMODULE_OPTIONS_HANDLE_REPL_ASYNC_LOAD, "handle-repl-async-load"},
		{C.REDISMODULE_OPTION_NO_IMPLICIT_SIGNAL_MODIFIED, "no-implicit-signal-modified"},
	} {
		if m.options&o.flag != 0 {
			out = append(out, o.name)
		}
	}
	return out
}

// syncConfig keeps the loadmodule list CONFIG REWRITE writes in step.
func (s *System) syncConfig() {
	specs := make([]config.ModuleSpec, 0, len(s.mods))
	for _, m := range s.mods {
		specs = append(specs, config.ModuleSpec{Path: m.Path, Args: append([]string{}, m.Args...)})
	}
	s.srv.Config().SetLoadModules(specs)
}

// packArgs lays args out back to back in the scratch buffer and returns
// pointers for C (valid until the next packArgs).
func (s *System) packArgs(args [][]byte) (*C.char, *C.size_t) {
	s.argBuf = s.argBuf[:0]
	s.argLens = s.argLens[:0]
	for _, a := range args {
		s.argBuf = append(s.argBuf, a...)
		s.argLens = append(s.argLens, C.size_t(len(a)))
	}
	if len(s.argBuf) == 0 {
		s.argBuf = append(s.argBuf, 0)
	}
	if len(s.argLens) == 0 {
		s.argLens = append(s.argLens, 0)
	}
	return (*C.char)(unsafe.Pointer(&s.argBuf[0])), &s.argLens[0]
}
