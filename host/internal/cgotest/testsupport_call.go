package cgotest

/*
#include <stdlib.h>
#include "testsupport_call.h"
*/
import "C"

import "unsafe"

// Helpers for the CallReply tests: they parse RESP bytes into a C
// CallReply tree and read it back through the C accessors.

// CallReplyRender renders resp as ts_cr_render does; ok is false when the
// bytes are not one reply.
func CallReplyRender(resp string) (string, bool) {
	out := make([]byte, 4096)
	p := C.CString(resp)
	defer C.free(unsafe.Pointer(p))
	n := C.ts_cr_render(p, C.size_t(len(resp)), (*C.char)(unsafe.Pointer(&out[0])), C.size_t(len(out)))
	if n < 0 {
		return "", false
	}
	return string(out[:n]), true
}

// CallReplyResend parses resp and sends it with ReplyWithCallReply to a
// context of protocol proto: the bytes sent, or the ts_cr_reply code.
func CallReplyResend(resp string, proto int) (string, int) {
	out := make([]byte, 4096)
	p := C.CString(resp)
	defer C.free(unsafe.Pointer(p))
	n := C.ts_cr_reply(p, C.size_t(len(resp)), C.int(proto), (*C.char)(unsafe.Pointer(&out[0])), C.size_t(len(out)))
	if n < 0 {
		return "", int(n)
	}
	return string(out[:n]), 0
}

// CallReplyElemProto returns CallReplyProto of element idx of the array
// in resp, ok false when there is none.
func CallReplyElemProto(resp string, idx int) (string, bool) {
	out := make([]byte, 4096)
	p := C.CString(resp)
	defer C.free(unsafe.Pointer(p))
	n := C.ts_cr_elem_proto(p, C.size_t(len(resp)), C.size_t(idx), (*C.char)(unsafe.Pointer(&out[0])), C.size_t(len(out)))
	if n < 0 {
		return "", false
	}
	return string(out[:n]), true
}
