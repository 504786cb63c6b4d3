package host

// Client information by ID ("Modules utility APIs" and "Module information
// and time measurement"): GetClientInfoById, client names, the user name,
// certificates and argument redaction. This file exports to C, so its
// preamble only declares.

/*
#include <errno.h>
#include <string.h>
#include "ctx.h"
#include "mh_string.h"
*/
import "C"

import (
	"unsafe"
)

// lookupClient returns the connected client with id, nil if none (fake
// clients are never found, as in Redis).
func lookupClient(id C.uint64_t) Client {
	srv := serverFor(nil)
	if srv == nil {
		return nil
	}
	return srv.ClientByID(int64(id))
}

// fillClientInfo fills a version 1 RedisModuleClientInfo for c.
func fillClientInfo(ci *C.RedisModuleClientInfoV1, c Client) {
	C.memset(unsafe.Pointer(ci), 0, C.sizeof_RedisModuleClientInfoV1)
	ci.version = 1
	if c == nil {
		return
	}
	var flags C.uint64_t
	if c.InMulti() {
		flags |= C.REDISMODULE_CLIENTINFO_FLAG_MULTI
	}
	if c.Subscriber() {
		flags |= C.REDISMODULE_CLIENTINFO_FLAG_PUBSUB
	}
	if c.Unix() {
		flags |= C.REDISMODULE_CLIENTINFO_FLAG_UNIXSOCKET
	}
	if c.Blocked() {
		flags |= C.REDISMODULE_CLIENTINFO_FLAG_BLOCKED
	}
	if c.Tracking() {
		flags |= C.REDISMODULE_CLIENTINFO_FLAG_TRACKING
	}
	ci.flags = flags
	addr := c.Host()
	if len(addr) > len(ci.addr)-1 {
		addr = addr[:len(ci.addr)-1]
	}
	for i := 0; i < len(addr); i++ {
		ci.addr[i] = C.char(addr[i])
	}
	ci.port = C.uint16_t(c.Port())
	ci.db = C.uint16_t(c.DBIndex())
	ci.id = C.uint64_t(c.ClientID())
}

// apiGetClientInfoById implements RedisModule_GetClientInfoById: fills
// ci (a RedisModuleClientInfo whose version field the module set, version
// 1 only) for the connected client with that id: flags MULTI, PUBSUB,
// UNIXSOCKET, BLOCKED and TRACKING (modhost has no TLS), address,
// port, database and id. ci may be NULL to test whether the client
// exists. REDISMODULE_ERR for an unknown client or struct version.
func apiGetClientInfoById(ci unsafe.Pointer, id C.uint64_t) (rc C.int) {
	c := lookupClient(id)
	if c == nil {
		return C.REDISMODULE_ERR
	}
	if ci == nil {
		return C.REDISMODULE_OK
	}
	if *(*C.uint64_t)(ci) != 1 {
		return C.REDISMODULE_ERR
	}
	fillClientInfo((*C.RedisModuleClientInfoV1)(ci), c)
	return C.REDISMODULE_OK
}

// apiGetClientNameById implements RedisModule_GetClientNameById: the
// name of the client with that id (CLIENT SETNAME), NULL if the client
// does not exist or has no name. The string is recorded with the
// context's auto memory.
func apiGetClientNameById(ctx *C.RedisModuleCtx, id C.uint64_t) (s *C.RedisModuleString) {
	c := lookupClient(id)
	if c == nil || c.ClientName() == "" {
		return nil
	}
	return newCString(ctx, []byte(c.ClientName()))
}

// apiSetClientNameById implements RedisModule_SetClientNameById: as the
// client running CLIENT SETNAME name (an empty name clears it).
// REDISMODULE_ERR with errno ENOENT for an unknown client, EINVAL for a
// name with spaces, newlines or other special characters.
func apiSetClientNameById(id C.uint64_t, name *C.RedisModuleString, mh_errno *C.int) (rc C.int) {
	c := lookupClient(id)
	if c == nil {
		*mh_errno = C.ENOENT
		return C.REDISMODULE_ERR
	}
	b := cStringBytes(name)
	if name == nil || !c.SetClientName(b) {
		*mh_errno = C.EINVAL
		return C.REDISMODULE_ERR
	}
	return C.REDISMODULE_OK
}

// apiGetClientUserNameById implements RedisModule_GetClientUserNameById:
// the ACL user of the client with that id, recorded with the context's
// auto memory: "default" unless a module authenticated the client as
// another user (api_auth.go). NULL with errno ENOENT
// for an unknown client.
func apiGetClientUserNameById(ctx *C.RedisModuleCtx, id C.uint64_t, mh_errno *C.int) (s *C.RedisModuleString) {
	c := lookupClient(id)
	if c == nil {
		*mh_errno = C.ENOENT
		return nil
	}
	return newCString(ctx, []byte(c.UserName()))
}

// apiGetClientCertificate implements RedisModule_GetClientCertificate:
// the client's X.509 certificate in PEM. modhost has no TLS connections,
// so the answer is always NULL, as Redis answers for a plain connection.
func apiGetClientCertificate(ctx *C.RedisModuleCtx, id C.uint64_t) *C.RedisModuleString {
	return nil
}

// apiRedactClientCommandArgument implements
// RedisModule_RedactClientCommandArgument: hides argument pos of the
// command being run from SLOWLOG and MONITOR, which show "(redacted)" in
// its place (MONITOR is fed after the command runs, as in Redis 7). OK
// for a command context with 0 < pos < argc, else REDISMODULE_ERR.
func apiRedactClientCommandArgument(ctx *C.RedisModuleCtx, pos C.int) (rc C.int) {
	st := stateOf(ctx)
	if st == nil || st.client == nil || pos <= 0 || int(pos) >= len(st.args) {
		return C.REDISMODULE_ERR
	}
	st.client.RedactArgument(int(pos))
	return C.REDISMODULE_OK
}
