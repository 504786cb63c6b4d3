package script

// The Go functions the C half calls back (redis.call, redis.log, the
// count hook ...). They run on the goroutine that holds the server lock,
// inside a script; none may panic through the C frames, so each recovers.

/*
#include "lua_engine.h"
*/
import "C"

import (
	"crypto/sha1"
	"encoding/hex"
	"runtime/cgo"
	"unsafe"
)

// engineOf returns the engine behind a handle the C half passed back.
func engineOf(h C.uintptr_t) *Engine { return cgo.Handle(h).Value().(*Engine) }

// putBuf copies b into the C buffer out.
func putBuf(out *C.mh_buf, b []byte) {
	if len(b) > 0 {
		C.mh_buf_put(out, unsafe.Pointer(&b[0]), C.size_t(len(b)))
	}
}

// cArgv views a C argument vector as Go byte slices (copies).
func cArgv(argc C.int, argv **C.char, lens *C.size_t) [][]byte {
	n := int(argc)
	ps, ls := unsafe.Slice(argv, n), unsafe.Slice(lens, n)
	total := 0
	for _, l := range ls {
		total += int(l)
	}
	// One allocation for every argument's bytes, copied out of C memory.
	buf := make([]byte, total)
	args := make([][]byte, n)
	off := 0
	for i := range args {
		l := int(ls[i])
		if l > 0 {
			copy(buf[off:off+l], unsafe.Slice((*byte)(unsafe.Pointer(ps[i])), l))
		}
		args[i] = buf[off : off+l : off+l]
		off += l
	}
	return args
}

// mhs_call is redis.call and redis.pcall: it runs the command and leaves
// its RESP reply in out (MH_CALL_REPLY), or a script error text
// (MH_CALL_ERROR).
//
//export mhs_call
func mhs_call(h C.uintptr_t, argc C.int, argv **C.char, lens *C.size_t, out *C.mh_buf) (kind C.int) {
	e := engineOf(h)
	defer func() {
		if r := recover(); r != nil {
			e.srv.Log.Warningf("Panic in a command called from a script: %v", r)
			putBuf(out, []byte("internal error while running the command"))
			kind = C.MH_CALL_ERROR
		}
	}()
	reply, errText := e.runCommand(cArgv(argc, argv, lens))
	if errText != "" {
		putBuf(out, []byte(errText))
		return C.MH_CALL_ERROR
	}
	putBuf(out, reply)
	return C.MH_CALL_REPLY
}

// mhs_sha1hex writes the hex SHA1 of s[:n] into out (40 bytes).
//
//export mhs_sha1hex
func mhs_sha1hex(s *C.char, n C.size_t, out *C.char) {
	sum := sha1.Sum(C.GoBytes(unsafe.Pointer(s), C.int(n)))
	hex.Encode(unsafe.Slice((*byte)(unsafe.Pointer(out)), 40), sum[:])
}

// mhs_log is redis.log: level 0..3 are debug, verbose, notice, warning.
//
//export mhs_log
func mhs_log(h C.uintptr_t, level C.int, msg *C.char, n C.size_t) {
	e := engineOf(h)
	text := C.GoStringN(msg, C.int(n))
	switch level {
	case 0:
		e.srv.Log.Debugf("%s", text)
	case 1:
		e.srv.Log.Verbosef("%s", text)
	case 2:
		e.srv.Log.Noticef("%s", text)
	default:
		e.srv.Log.Warningf("%s", text)
	}
}

// mhs_set_repl is redis.set_repl: the flags are recorded for the run.
//
//export mhs_set_repl
func mhs_set_repl(h C.uintptr_t, flags C.int) {
	if r := engineOf(h).run; r != nil {
		r.repl = int(flags)
	}
}

// mhs_acl_check is redis.acl_check_cmd: 1 when the caller's user may run
// the command, 0 when not, -1 for an unknown command.
//
//export mhs_acl_check
func mhs_acl_check(h C.uintptr_t, argc C.int, argv **C.char, lens *C.size_t) C.int {
	e := engineOf(h)
	args := cArgv(argc, argv, lens)
	cmd, ok := e.srv.Cmds.Resolve(args)
	if cmd == nil || !ok {
		return -1
	}
	if e.run == nil || e.srv.ScriptACLCheck(e.run.caller, cmd, args, false) == "" {
		return 1
	}
	return 0
}

// mhs_hook is the count hook: it serves other clients once the script
// ran longer than busy-reply-threshold, and returns 1 with the error text
// in msg when the script must stop (SCRIPT KILL).
//
//export mhs_hook
func mhs_hook(h C.uintptr_t, msg *C.mh_buf) C.int {
	e := engineOf(h)
	if text := e.hook(); text != "" {
		putBuf(msg, []byte(text))
		return 1
	}
	return 0
}

// mhs_register_function is the Go half of redis.register_function: the
// function (its callback under registry reference ref) joins the library
// being loaded; on refusal it returns 1 with the error text in err.
//
//export mhs_register_function
func mhs_register_function(h C.uintptr_t, name *C.char, nlen C.size_t, desc *C.char, dlen C.size_t, hasDesc C.int, flags C.int, ref C.int, err *C.mh_buf) C.int {
	e := engineOf(h)
	var d string
	if hasDesc != 0 {
		d = C.GoStringN(desc, C.int(dlen))
	}
	if msg := e.registerFunction(C.GoStringN(name, C.int(nlen)), d, hasDesc != 0, scriptFlags(flags), int(ref)); msg != "" {
		putBuf(err, []byte(msg))
		return 1
	}
	return 0
}
