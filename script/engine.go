// Package script is modhost's Lua scripting: EVAL, EVALSHA, their _RO
// forms and SCRIPT, run by the real Lua 5.1 of the system (liblua5.1
// through cgo) with Debian's lua-cjson and lua-bitop, sandboxed as Redis 7
// does. Scripts run inside the command that started them, under the server
// lock, and their redis.call commands go through the server's nested
// dispatch on a fake client.
package script

/*
#cgo pkg-config: lua5.1 lua5.1-cjson lua5.1-bitop
#include <stdlib.h>
#include "lua_engine.h"
*/
import "C"

import (
	"crypto/sha1"
	"encoding/hex"
	"runtime/cgo"
	"strconv"
	"strings"
	"unsafe"

	"github.com/modhost/modhost/server"
)

// Engine is one server's Lua scripting: the Lua state, the script cache
// and the script running now. Everything is guarded by the server lock.
type Engine struct {
	srv *server.Server
	// lua runs EVAL scripts; flua runs FUNCTION libraries (Redis keeps
	// the two engines apart, so SCRIPT FLUSH leaves functions alone).
	lua    *C.mh_lua
	flua   *C.mh_lua
	handle cgo.Handle
	// scripts is the script cache by lower-case SHA1 hex.
	scripts map[string]*cachedScript
	// bodyBytes is the size of the cached bodies (INFO used_memory_scripts_eval).
	bodyBytes int
	// fake runs the commands of redis.call (Redis's lua_client).
	fake *server.Client
	// run is the script running now, nil when none.
	run *runState
	// luaMem is the Lua state's memory as last measured (after each
	// script, load and flush), so INFO needs no call into C; fluaMem is
	// the functions state's.
	luaMem, fluaMem int64
	// libs are the function libraries (functions.go).
	libs *libCtx
	// loading is the library whose code runs now (FUNCTION LOAD).
	loading *library
}

// cachedScript is one script of the cache.
type cachedScript struct {
	body  []byte
	flags scriptFlags
}

// newEngine makes srv's engine with a fresh Lua state.
func newEngine(srv *server.Server) *Engine {
	e := &Engine{srv: srv, scripts: map[string]*cachedScript{}}
	e.handle = cgo.NewHandle(e)
	e.resetLua()
	e.resetFunctionsLua()
	e.libs = newLibCtx()
	return e
}

// resetLua replaces the EVAL Lua state by a fresh one (SCRIPT FLUSH).
func (e *Engine) resetLua() {
	if e.lua != nil {
		C.mh_lua_close(e.lua)
	}
	e.lua = e.newState(false)
	e.luaMem = stateMemory(e.lua)
}

// resetFunctionsLua replaces the functions Lua state by a fresh one
// (FUNCTION FLUSH); the caller drops the libraries that lived in it.
func (e *Engine) resetFunctionsLua() {
	if e.flua != nil {
		C.mh_lua_close(e.flua)
	}
	e.flua = e.newState(true)
	e.fluaMem = stateMemory(e.flua)
}

func (e *Engine) newState(functions bool) *C.mh_lua {
	ver := C.CString(server.RedisVersion)
	defer C.free(unsafe.Pointer(ver))
	l := C.mh_lua_new_versioned(C.uintptr_t(e.handle), ver, C.int(versionNum(server.RedisVersion)), cBool(functions))
	if l == nil {
		panic("script: cannot create the Lua state")
	}
	return l
}

// versionNum is REDIS_VERSION_NUM: 0x00MMmmpp.
func versionNum(v string) int {
	n := 0
	for _, part := range strings.SplitN(v, ".", 3) {
		x, _ := strconv.Atoi(part)
		n = n<<8 | x
	}
	return n
}

// sha1Hex is the lower-case hex SHA1 of b.
func sha1Hex(b []byte) string {
	sum := sha1.Sum(b)
	return hex.EncodeToString(sum[:])
}

// funcName is the registry name of a script's compiled function.
func funcName(sha string) string { return "f_" + sha }

// compile loads body as the function of sha. On a Lua syntax error it
// returns Lua's message.
func (e *Engine) compile(name string, body []byte, chunk string) (string, bool) {
	cname, cchunk := C.CString(name), C.CString(chunk)
	defer C.free(unsafe.Pointer(cname))
	defer C.free(unsafe.Pointer(cchunk))
	var msg C.mh_buf
	defer C.mh_buf_free(&msg)
	var p *C.char
	if len(body) > 0 {
		p = (*C.char)(C.CBytes(body))
		defer C.free(unsafe.Pointer(p))
	}
	if C.mh_lua_compile(e.lua, cname, p, C.size_t(len(body)), cchunk, &msg) != 0 {
		return C.GoStringN(msg.p, C.int(msg.len)), false
	}
	e.luaMem = stateMemory(e.lua)
	return "", true
}

// cArgs copies args into C memory: the pointer and length arrays, to be
// released with free.
func cArgs(args [][]byte) (**C.char, *C.size_t, func()) {
	if len(args) == 0 {
		return nil, nil, func() {}
	}
	ptrs := (**C.char)(C.malloc(C.size_t(len(args)) * C.size_t(unsafe.Sizeof(uintptr(0)))))
	lens := (*C.size_t)(C.malloc(C.size_t(len(args)) * C.size_t(unsafe.Sizeof(C.size_t(0)))))
	ps, ls := unsafe.Slice(ptrs, len(args)), unsafe.Slice(lens, len(args))
	for i, a := range args {
		ps[i] = (*C.char)(C.CBytes(append(a[:len(a):len(a)], 0)))
		ls[i] = C.size_t(len(a))
	}
	return ptrs, lens, func() {
		for _, p := range ps {
			C.free(unsafe.Pointer(p))
		}
		C.free(unsafe.Pointer(ptrs))
		C.free(unsafe.Pointer(lens))
	}
}

// call runs a compiled function of state l, the registry entry name or
// (name "") the reference ref, with keys and args and returns its reply in
// the tagged form of reply.go; label names it in errors. globals selects
// EVAL's KEYS/ARGV globals (else FCALL's two arguments).
func (e *Engine) call(l *C.mh_lua, name string, ref int, label string, keys, args [][]byte, globals, hook bool) []byte {
	var cname *C.char
	if name != "" {
		cname = C.CString(name)
		defer C.free(unsafe.Pointer(cname))
	}
	clabel := C.CString(label)
	defer C.free(unsafe.Pointer(clabel))
	kp, kl, freeK := cArgs(keys)
	defer freeK()
	ap, al, freeA := cArgs(args)
	defer freeA()
	var out C.mh_buf
	defer C.mh_buf_free(&out)
	C.mh_lua_run(l, cname, C.int(ref), clabel, C.int(len(keys)), kp, kl, C.int(len(args)), ap, al, cBool(globals), cBool(hook), &out)
	return C.GoBytes(unsafe.Pointer(out.p), C.int(out.len))
}

// respVersion is the protocol redis.setresp chose in the running script.
func (e *Engine) respVersion() int {
	if e.run != nil && e.run.lua != nil {
		return int(C.mh_lua_resp(e.run.lua))
	}
	return int(C.mh_lua_resp(e.lua))
}

// stateMemory is a Lua state's memory in bytes (INFO used_memory_lua,
// used_memory_vm_functions).
func stateMemory(l *C.mh_lua) int64 { return int64(C.mh_lua_memory(l)) }

func cBool(b bool) C.int {
	if b {
		return 1
	}
	return 0
}
