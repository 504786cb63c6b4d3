package host

// "RDB loading and saving functions" (the load side), "IO context
// handling", SaveDataTypeToString / LoadDataTypeFromString and the Go
// helpers of api_io.c (LogIOError, EmitAOF).
//
// A loading RedisModuleIO reaches its reader through a cgo handle; every
// RedisModule_Load* is one crossing that decodes the next field with the
// rdb package's reader. A failed load sets the io's error flag when the
// module declared REDISMODULE_OPTIONS_HANDLE_IO_ERRORS; otherwise it is
// fatal, as in Redis: the reason is logged and the server exits.

/*
#include <stdlib.h>
#include <string.h>
#include "ctx.h"
#include "api_gen.h"
#include "api_type.h"
#include "mh_string.h"
*/
import "C"

import (
	"fmt"
	"os"
	"runtime/cgo"
	"strings"
	"unsafe"

	"github.com/modhost/modhost/internal/logging"
	"github.com/modhost/modhost/keyspace/rdb"
)

// exitProcess ends the server after a fatal module load error (tests
// replace it).
var exitProcess = os.Exit

// ioLoad is the Go state of a loading RedisModuleIO.
type ioLoad struct {
	r *rdb.Reader
	t *moduleType
}

// newIO allocates an io for t; key (may be nil) is copied into a module
// string owned by the io's caller through freeIO.
func newIO(t *moduleType, mode C.int, key []byte, db int) *C.RedisModuleIO {
	var k *C.RedisModuleString
	if key != nil {
		k = newCString(nil, key)
	}
	return C.mh_io_new(t.c, mode, k, C.int(db))
}

// newLoadIO is newIO for loading from r.
func newLoadIO(t *moduleType, r *rdb.Reader, key []byte, db int) *C.RedisModuleIO {
	io := newIO(t, C.MH_IO_LOAD, key, db)
	io.handle = C.uintptr_t(cgo.NewHandle(&ioLoad{r: r, t: t}))
	return io
}

// freeIO releases an io, its key, its load state and the context
// GetContextFromIO made for it.
func freeIO(io *C.RedisModuleIO) {
	if io.ctx != nil {
		freeCtx(io.ctx)
		io.ctx = nil
	}
	if io.handle != 0 {
		cgo.Handle(io.handle).Delete()
		io.handle = 0
	}
	if io.key != nil {
		C.mh_string_release(io.key)
	}
	C.mh_io_free(io)
}

// ioOutput returns a copy of what a saving io collected.
func ioOutput(io *C.RedisModuleIO) []byte {
	if io.out.len == 0 {
		return nil
	}
	return C.GoBytes(unsafe.Pointer(io.out.buf), C.int(io.out.len))
}

// loadState returns the reader of a loading io, or nil (after marking the
// io failed) for an io that is not loading.
func loadState(io *C.RedisModuleIO) *ioLoad {
	if io == nil || io.error != 0 {
		return nil
	}
	if io.mode != C.MH_IO_LOAD || io.handle == 0 {
		io.error = 1
		return nil
	}
	st, _ := cgo.Handle(io.handle).Value().(*ioLoad)
	return st
}

// loadError is Redis's moduleRDBLoadError: with HANDLE_IO_ERRORS the io
// is marked failed; otherwise the server logs the reason and exits.
func loadError(io *C.RedisModuleIO, st *ioLoad) {
	if st.t.mod != nil && st.t.mod.options&C.REDISMODULE_OPTIONS_HANDLE_IO_ERRORS != 0 {
		io.error = 1
		return
	}
	key := "(null)"
	if io.key != nil {
		key = string(cStringBytes(io.key))
	}
	modName := ""
	if st.t.mod != nil {
		modName = st.t.mod.Name
	}
	msg := fmt.Sprintf("Error loading data from RDB (short read or EOF). Read performed by module '%s' about type '%s' after reading '%d' bytes of a value for key named: '%s'.",
		modName, st.t.name, uint64(io.bytes), key)
	lg := fallbackLog
	if s := defaultServer.Load(); s != nil && s.Log != nil {
		lg = s.Log
	}
	lg.Warningf("Guru Meditation: %s #module.c:0", msg)
	io.error = 1
	exitProcess(1)
}

// apiLoadUnsigned implements RedisModule_LoadUnsigned: the next field,
// which must have been saved by SaveUnsigned (0 on error; see IsIOError).
func apiLoadUnsigned(io *C.RedisModuleIO) C.uint64_t {
	st := loadState(io)
	if st == nil {
		return 0
	}
	v, err := st.r.ModuleUnsigned()
	if err != nil {
		loadError(io, st)
		return 0
	}
	return C.uint64_t(v)
}

// apiLoadSigned implements RedisModule_LoadSigned: the next field, saved
// by SaveSigned (0 on error).
func apiLoadSigned(io *C.RedisModuleIO) C.int64_t {
	// Redis saves signed values with the unsigned opcode.
	return C.int64_t(apiLoadUnsigned(io))
}

// loadBytes reads the next string field (nil, false on error).
func loadBytes(io *C.RedisModuleIO) ([]byte, bool) {
	st := loadState(io)
	if st == nil {
		return nil, false
	}
	b, err := st.r.ModuleString()
	if err != nil {
		loadError(io, st)
		return nil, false
	}
	return b, true
}

// apiLoadString implements RedisModule_LoadString: the next string
// field as a new module string the caller frees (NULL on error).
func apiLoadString(io *C.RedisModuleIO) *C.RedisModuleString {
	b, ok := loadBytes(io)
	if !ok {
		return nil
	}
	return newCString(nil, b)
}

// apiLoadStringBuffer implements RedisModule_LoadStringBuffer: the next
// string field in memory from RedisModule_Alloc (free it with
// RedisModule_Free), its length in *lenptr; NULL on error. modhost adds a
// terminating NUL after the bytes.
func apiLoadStringBuffer(io *C.RedisModuleIO, lenptr *C.size_t) *C.char {
	b, ok := loadBytes(io)
	if !ok {
		return nil
	}
	p := (*C.char)(C.mh_Alloc(C.size_t(len(b) + 1)))
	if len(b) > 0 {
		C.memcpy(unsafe.Pointer(p), unsafe.Pointer(&b[0]), C.size_t(len(b)))
	}
	*(*byte)(unsafe.Add(unsafe.Pointer(p), len(b))) = 0
	if lenptr != nil {
		*lenptr = C.size_t(len(b))
	}
	return p
}

// apiLoadDouble implements RedisModule_LoadDouble: the next field, saved
// by SaveDouble (0 on error).
func apiLoadDouble(io *C.RedisModuleIO) C.double {
	st := loadState(io)
	if st == nil {
		return 0
	}
	v, err := st.r.ModuleDouble()
	if err != nil {
		loadError(io, st)
		return 0
	}
	return C.double(v)
}

// apiLoadFloat implements RedisModule_LoadFloat: the next field, saved
// by SaveFloat (0 on error).
func apiLoadFloat(io *C.RedisModuleIO) C.float {
	st := loadState(io)
	if st == nil {
		return 0
	}
	v, err := st.r.ModuleFloat()
	if err != nil {
		loadError(io, st)
		return 0
	}
	return C.float(v)
}

// ioType returns the descriptor of an io's type.
func ioType(io *C.RedisModuleIO) *moduleType {
	if io == nil {
		return nil
	}
	return typeOfC(io._type)
}

// apiGetContextFromIO implements RedisModule_GetContextFromIO: a
// context of the type's module for use inside the callback (to create
// strings, log ...), made on first use and freed when the io ends.
func apiGetContextFromIO(io *C.RedisModuleIO) *C.RedisModuleCtx {
	if io == nil {
		return nil
	}
	if io.ctx != nil {
		return io.ctx
	}
	st := &ctxState{}
	if t := ioType(io); t != nil && t.mod != nil {
		st.sys, st.mod = t.mod.sys, t.mod
	}
	io.ctx = newCtx(st, 2, C.MH_CTX_TEMP)
	return io.ctx
}

// mhv_io_log writes a LogIOError line (api_io.c) to the server log.
//
//export mhv_io_log
func mhv_io_log(io *C.RedisModuleIO, level C.int, msg *C.char) {
	defer guardExport(ioCtx(io), "LogIOError")
	lg := fallbackLog
	if t := ioType(io); t != nil && t.mod != nil && t.mod.sys != nil {
		lg = t.mod.sys.srv.Log
	} else if s := defaultServer.Load(); s != nil && s.Log != nil {
		lg = s.Log
	}
	lg.Log(logging.Level(level), C.GoString(msg))
}

// mhv_io_command_exists reports whether EmitAOF's command exists.
//
//export mhv_io_command_exists
func mhv_io_command_exists(name *C.char) (rc C.int) {
	defer guardExport(nil, "EmitAOF")
	s := defaultServer.Load()
	if s == nil || name == nil {
		return 0
	}
	if s.Cmds.Get(strings.ToLower(C.GoString(name))) != nil {
		return 1
	}
	return 0
}

// apiSaveDataTypeToString implements RedisModule_SaveDataTypeToString:
// runs the type's rdb_save for data and returns the encoded fields as a
// new string (recorded with ctx's auto memory), or NULL if saving failed.
func apiSaveDataTypeToString(ctx *C.RedisModuleCtx, data unsafe.Pointer, mt *C.RedisModuleType) *C.RedisModuleString {
	t := typeOfC(mt)
	if t == nil {
		return nil
	}
	io := newIO(t, C.MH_IO_SAVE, nil, -1)
	defer freeIO(io)
	C.mh_type_call_save(t.c, io, data)
	if io.error != 0 {
		return nil
	}
	return newCString(ctx, ioOutput(io))
}

// apiLoadDataTypeFromStringEncver implements
// RedisModule_LoadDataTypeFromStringEncver: runs the type's rdb_load with
// encver over the fields in str (as SaveDataTypeToString made them) and
// returns what it returned (NULL on failure).
func apiLoadDataTypeFromStringEncver(str *C.RedisModuleString, mt *C.RedisModuleType, encver C.int) unsafe.Pointer {
	t := typeOfC(mt)
	if t == nil || str == nil {
		return nil
	}
	data := append([]byte(nil), cStringBytes(str)...)
	io := newLoadIO(t, rdb.NewReader(data, rdb.Version), nil, -1)
	defer freeIO(io)
	return C.mh_type_call_load(t.c, io, encver)
}

// apiLoadDataTypeFromString implements RedisModule_LoadDataTypeFromString:
// LoadDataTypeFromStringEncver with encoding version 0.
func apiLoadDataTypeFromString(str *C.RedisModuleString, mt *C.RedisModuleType) unsafe.Pointer {
	return apiLoadDataTypeFromStringEncver(str, mt, 0)
}
