package script

/*
#include <stdlib.h>
#include "lua_engine.h"
*/
import "C"

import (
	"bytes"
	"sort"
	"strings"
	"unsafe"

	"github.com/modhost/modhost/internal/config"
)

// loadTimeoutMs is Redis's LOAD_TIMEOUT_MS: the longest a library's code
// may run at FUNCTION LOAD (not for RDB loads, replicated or restored
// libraries).
const loadTimeoutMs = 500

// Error texts of the FUNCTION commands (functions.c).
const (
	msgBadName        = "Library names can only contain letters, numbers, or underscores(_) and must be at least one character long"
	msgFuncInLib      = "Function already exists in the library"
	msgNoFunctions    = "No functions registered"
	msgMissingMeta    = "Missing library metadata"
	msgInvalidMeta    = "Invalid library metadata"
	msgNoLibName      = "Library name was not given"
	msgNameTwice      = "Invalid metadata value, name argument was given multiple times"
	msgFuncNotFound   = "ERR Function not found"
	msgLibNotFound    = "ERR Library not found"
	msgBadNumKeys     = "ERR Bad number of keys provided"
	msgRegisterOnLoad = "redis.register_function can only be called on FUNCTION LOAD command"
)

// function is one registered function (Redis's functionInfo).
type function struct {
	name    string
	desc    string
	hasDesc bool
	flags   scriptFlags
	ref     int // the callback's registry reference in the functions state
	lib     *library
}

// library is one loaded library (functionLibInfo): its functions in
// registration order, and its code as given, shebang included.
type library struct {
	name  string
	code  []byte
	funcs []*function
}

// fn returns the library's function named name (case-sensitive, as
// within a Redis library), or nil.
func (l *library) fn(name string) *function {
	for _, f := range l.funcs {
		if f.name == name {
			return f
		}
	}
	return nil
}

// libCtx is a set of libraries (functionsLibCtx): the live one, or the
// one a FUNCTION RESTORE builds before it joins the live one. Function
// names are looked up case-insensitively, library names are not.
type libCtx struct {
	libs  map[string]*library
	funcs map[string]*function // by lower-case name
	// codeBytes is the size of the libraries' code (INFO).
	codeBytes int
}

func newLibCtx() *libCtx {
	return &libCtx{libs: map[string]*library{}, funcs: map[string]*function{}}
}

func (x *libCtx) link(l *library) {
	x.libs[l.name] = l
	for _, f := range l.funcs {
		x.funcs[strings.ToLower(f.name)] = f
	}
	x.codeBytes += len(l.code)
}

func (x *libCtx) unlink(l *library) {
	delete(x.libs, l.name)
	for _, f := range l.funcs {
		delete(x.funcs, strings.ToLower(f.name))
	}
	x.codeBytes -= len(l.code)
}

// sorted returns the libraries by name (FUNCTION LIST, DUMP and RDB
// order; Redis uses its dictionary's order, which is not defined).
func (x *libCtx) sorted() []*library {
	out := make([]*library, 0, len(x.libs))
	for _, l := range x.libs {
		out = append(out, l)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].name < out[j].name })
	return out
}

// numFunctions counts the functions of x.
func (x *libCtx) numFunctions() int { return len(x.funcs) }

// freeLibrary drops the library's compiled functions from the Lua state.
func (e *Engine) freeLibrary(l *library) {
	for _, f := range l.funcs {
		C.mh_lua_unref(e.flua, C.int(f.ref))
	}
	l.funcs = nil
}

// freeCtx drops every library of x from the Lua state.
func (e *Engine) freeCtx(x *libCtx) {
	for _, l := range x.libs {
		e.freeLibrary(l)
	}
}

// validName is functionsVerifyName: [A-Za-z0-9_]+.
func validName(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_') {
			return false
		}
	}
	return true
}

// libMeta is the parsed shebang of a library (functionExtractLibMetaData).
type libMeta struct {
	engine, name string
	body         []byte // the code from the shebang's newline on
}

func parseLibMeta(code []byte) (libMeta, string) {
	if !bytes.HasPrefix(code, []byte("#!")) {
		return libMeta{}, msgMissingMeta
	}
	nl := bytes.IndexByte(code, '\n')
	if nl < 0 {
		return libMeta{}, msgInvalidMeta
	}
	parts, ok := config.SplitArgs(string(code[:nl]))
	if !ok || len(parts) == 0 {
		return libMeta{}, msgInvalidMeta
	}
	md := libMeta{engine: parts[0][2:], body: code[nl:]}
	named := false
	for _, p := range parts[1:] {
		if len(p) >= 5 && strings.EqualFold(p[:5], "name=") {
			if named {
				return libMeta{}, msgNameTwice
			}
			md.name, named = p[5:], true
			continue
		}
		return libMeta{}, "Invalid metadata value given: " + p
	}
	if !named {
		return libMeta{}, msgNoLibName
	}
	return md, ""
}

// createLibrary is functionsCreateWithLibraryCtx: it compiles code into
// x (replacing a library of the same name when replace is set) and
// returns the library's name, or Redis's error text (without "ERR ").
// On failure x is as it was.
func (e *Engine) createLibrary(x *libCtx, code []byte, replace bool, timeoutMs int64) (string, string) {
	md, msg := parseLibMeta(code)
	if msg != "" {
		return "", msg
	}
	if !validName(md.name) {
		return "", msgBadName
	}
	if !strings.EqualFold(md.engine, "lua") {
		return "", "Engine '" + md.engine + "' not found"
	}
	old := x.libs[md.name]
	if old != nil && !replace {
		return "", "Library '" + md.name + "' already exists"
	}
	if old != nil {
		x.unlink(old)
	}
	l := &library{name: md.name, code: append([]byte(nil), code...)}
	fail := func(msg string) (string, string) {
		e.freeLibrary(l)
		if old != nil {
			x.link(old)
		}
		return "", msg
	}
	if msg := e.runLibraryCode(l, md.body, timeoutMs); msg != "" {
		return fail(msg)
	}
	if len(l.funcs) == 0 {
		return fail(msgNoFunctions)
	}
	for _, f := range l.funcs {
		if x.funcs[strings.ToLower(f.name)] != nil {
			return fail("Function " + f.name + " already exists")
		}
	}
	x.link(l)
	if old != nil {
		e.freeLibrary(old)
	}
	return l.name, ""
}

// runLibraryCode runs body in the functions state with the load-time
// API; its register_function calls add to l.
func (e *Engine) runLibraryCode(l *library, body []byte, timeoutMs int64) string {
	prev := e.loading
	e.loading = l
	defer func() { e.loading = prev }()
	var p *C.char
	if len(body) > 0 {
		p = (*C.char)(C.CBytes(body))
		defer C.free(unsafe.Pointer(p))
	}
	var msg C.mh_buf
	defer C.mh_buf_free(&msg)
	rc := C.mh_lua_load_library(e.flua, p, C.size_t(len(body)), C.int64_t(timeoutMs), &msg)
	e.fluaMem = stateMemory(e.flua)
	if rc != 0 {
		return C.GoStringN(msg.p, C.int(msg.len))
	}
	return ""
}

// registerFunction is the Go half of redis.register_function: it adds
// the function to the library being loaded, or returns the error text.
func (e *Engine) registerFunction(name, desc string, hasDesc bool, flags scriptFlags, ref int) string {
	l := e.loading
	if l == nil {
		return msgRegisterOnLoad
	}
	if !validName(name) {
		return msgBadName
	}
	if l.fn(name) != nil {
		return msgFuncInLib
	}
	l.funcs = append(l.funcs, &function{name: name, desc: desc, hasDesc: hasDesc, flags: flags, ref: ref, lib: l})
	return ""
}

// joinLibraries is libraryJoin: it moves every library of src into dst,
// replacing libraries of the same name when replace is set. On a
// collision nothing moves and the error text is returned.
func (e *Engine) joinLibraries(dst, src *libCtx, replace bool) string {
	var old []*library
	restore := func() {
		for _, l := range old {
			dst.link(l)
		}
	}
	for _, l := range src.sorted() {
		if o := dst.libs[l.name]; o != nil {
			if !replace {
				restore()
				return "Library " + l.name + " already exists"
			}
			dst.unlink(o)
			old = append(old, o)
		}
	}
	for _, l := range src.sorted() {
		for _, f := range l.funcs {
			if dst.funcs[strings.ToLower(f.name)] != nil {
				restore()
				return "Function " + f.name + " already exists"
			}
		}
	}
	for _, l := range src.sorted() {
		src.unlink(l)
		dst.link(l)
	}
	for _, o := range old {
		e.freeLibrary(o)
	}
	return ""
}

// flushFunctions drops every library (FUNCTION FLUSH, RESTORE FLUSH,
// the start of an RDB load): a fresh functions state replaces the old.
func (e *Engine) flushFunctions() {
	e.libs = newLibCtx()
	e.resetFunctionsLua()
}
