package host

// "Modules ACL API", authentication: authenticating the client of a
// context as a module user, deauthenticating clients, and module auth
// callbacks (RegisterAuthCallback) that AUTH and HELLO AUTH consult before
// the password check. This file exports to C, so its preamble only
// declares.

/*
#include <stdlib.h>
#include "api_acl.h"
#include "mh_string.h"
*/
import "C"

import (
	"unsafe"

	"github.com/modhost/modhost/server"
)

// Redis's reply when BlockClientOnAuth is called outside an auth callback.
const msgBlockOnAuthMisuse = "Module blocking client on auth when not currently undergoing module authentication"

// authCallback is one RegisterAuthCallback registration.
type authCallback struct {
	mod *Module
	fn  unsafe.Pointer // RedisModuleAuthCallback
}

// authedClient is a client a module authenticated (for revocation when
// the user is freed or the module unloaded).
type authedClient struct {
	user *aclUser // nil: the default user
	mod  *Module
}

// authState is the authentication state of one module system (guarded
// by the server lock).
type authState struct {
	sys *System
	// cbs are the auth callbacks, newest first (Redis adds at the head).
	cbs []authCallback
	// clients are the clients modules authenticated, by id.
	clients map[int64]authedClient
	// inProgress is the client whose AUTH runs the callbacks now;
	// hasResult says a callback authenticated it.
	inProgress *server.Client
	hasResult  bool
}

// authOf returns the authentication state of sys (made by New).
func authOf(sys *System) *authState { return sys.auth }

// authOfCtx returns the authentication state of ctx's module system, nil
// for a context without one.
func authOfCtx(ctx *C.RedisModuleCtx) *authState {
	st := stateOf(ctx)
	if st == nil || st.sys == nil {
		return nil
	}
	return authOf(st.sys)
}

// run is the host's ModuleAuthFunc: the callbacks in order until one
// handles the request (Redis's attemptNextAuthCb and
// checkModuleAuthentication).
func (a *authState) run(c *server.Client, user, pass []byte) (server.AuthResult, string) {
	if len(a.cbs) == 0 {
		return server.AuthNotHandled, ""
	}
	cu := C.mh_string_new((*C.char)(cBytes(user)), C.size_t(len(user)))
	cp := C.mh_string_new((*C.char)(cBytes(pass)), C.size_t(len(pass)))
	defer C.mh_string_release(cu)
	defer C.mh_string_release(cp)
	prev, prevRes := a.inProgress, a.hasResult
	defer func() { a.inProgress, a.hasResult = prev, prevRes }()
	a.inProgress = c
	result := C.int(C.REDISMODULE_AUTH_NOT_HANDLED)
	var msg string
	for _, cb := range append([]authCallback(nil), a.cbs...) {
		a.hasResult = false
		ctx := newCtx(&ctxState{sys: a.sys, mod: cb.mod, client: c}, c.W.Proto, C.MH_CTX_TEMP)
		var errStr *C.RedisModuleString
		result = C.mh_auth_cb_call(C.RedisModuleAuthCallback(cb.fn), ctx, cu, cp, &errStr)
		msg = ""
		if errStr != nil { // the server frees err, even one in auto memory
			C.mh_am_forget(ctx, unsafe.Pointer(errStr))
			msg = string(stringBytes(errStr))
			C.mh_string_release(errStr)
		}
		freeCtx(ctx)
		if result == C.REDISMODULE_AUTH_HANDLED {
			break
		}
	}
	if result == C.REDISMODULE_AUTH_NOT_HANDLED {
		return server.AuthNotHandled, ""
	}
	if a.hasResult && c.Authenticated {
		return server.AuthOK, ""
	}
	return server.AuthDenied, msg
}

// cBytes returns a pointer to b's first byte, nil when b is empty (the
// callee copies before returning).
func cBytes(b []byte) unsafe.Pointer {
	if len(b) == 0 {
		return nil
	}
	return unsafe.Pointer(&b[0])
}

// unregisterAuth drops m's auth callbacks and deauthenticates the clients
// m authenticated (Redis's moduleUnregisterAuthCBs and
// moduleFreeAuthenticatedClients), when m is unloaded or fails to load.
func unregisterAuth(sys *System, m *Module) {
	a := authOf(sys)
	kept := a.cbs[:0]
	for _, cb := range a.cbs {
		if cb.mod != m {
			kept = append(kept, cb)
		}
	}
	a.cbs = kept
	for id, ac := range a.clients {
		if ac.mod == m {
			if c := sys.srv.ClientByID(id); c != nil {
				sys.srv.DeauthenticateAndCloseLocked(c)
			}
			delete(a.clients, id)
		}
	}
}

// revokeUserClients deauthenticates and closes the clients authenticated
// as u (FreeModuleUser of a module user).
func revokeUserClients(srv *server.Server, u *aclUser) {
	sys := systemOf(srv)
	if sys == nil {
		return
	}
	a := authOf(sys)
	for id, ac := range a.clients {
		if ac.user != u {
			continue
		}
		if c := srv.ClientByID(id); c != nil && c.User() == server.User(u) {
			srv.DeauthenticateAndCloseLocked(c)
		}
		delete(a.clients, id)
	}
}

// authenticateCtxClient is Redis's authenticateClientWithUser: makes u
// (nil: default) the user of ctx's client.
func authenticateCtxClient(ctx *C.RedisModuleCtx, u *aclUser, callback, privdata unsafe.Pointer, clientID *C.uint64_t) C.int {
	st := stateOf(ctx)
	if st == nil || st.client == nil || st.sys == nil || (u != nil && !u.enabled) {
		return C.REDISMODULE_ERR
	}
	c := st.client
	a := authOf(st.sys)
	var onChange func()
	if callback != nil {
		id := c.ID
		onChange = func() {
			delete(a.clients, id)
			C.mh_user_changed_call(C.RedisModuleUserChangedFunc(callback), C.uint64_t(id), privdata)
		}
	}
	var hu server.User
	if u != nil {
		hu = u
	}
	c.SetUserLocked(hu, onChange)
	if u != nil || callback != nil {
		a.clients[c.ID] = authedClient{user: u, mod: st.mod}
	} else {
		delete(a.clients, c.ID)
	}
	if a.inProgress == c {
		a.hasResult = true
	}
	if clientID != nil {
		*clientID = C.uint64_t(c.ID)
	}
	return C.REDISMODULE_OK
}

// apiAuthenticateClientWithUser implements
// RedisModule_AuthenticateClientWithUser: the client of ctx runs as the
// module user from now on (the dispatcher checks its rules). callback, if
// not NULL, is called once with (client id, privdata) when the client's
// user changes again or the client goes away. *client_id, if not NULL,
// receives the client's id. REDISMODULE_ERR for a disabled user or a
// context without a client.
func apiAuthenticateClientWithUser(ctx *C.RedisModuleCtx, h *C.RedisModuleUser, callback unsafe.Pointer, privdata unsafe.Pointer, client_id *C.uint64_t) (rc C.int) {
	rc = C.REDISMODULE_ERR
	r := userOf(h)
	u := r.u
	if !r.owned { // the default user seen through GetModuleUserFromUserName
		u = nil
	}
	return authenticateCtxClient(ctx, u, callback, privdata, client_id)
}

// apiAuthenticateClientWithACLUser implements
// RedisModule_AuthenticateClientWithACLUser: as AuthenticateClientWithUser
// for the ACL user called name; modhost's only ACL user is "default", so
// other names return REDISMODULE_ERR.
func apiAuthenticateClientWithACLUser(ctx *C.RedisModuleCtx, name *C.char, n C.size_t, callback unsafe.Pointer, privdata unsafe.Pointer, client_id *C.uint64_t) (rc C.int) {
	rc = C.REDISMODULE_ERR
	if C.GoStringN(name, C.int(n)) != "default" {
		return C.REDISMODULE_ERR
	}
	return authenticateCtxClient(ctx, nil, callback, privdata, client_id)
}

// apiDeauthenticateAndCloseClient implements
// RedisModule_DeauthenticateAndCloseClient: calls the client's
// user-changed callback, and closes it (after the current command's reply
// when it is the client being served). REDISMODULE_ERR for an unknown id.
func apiDeauthenticateAndCloseClient(ctx *C.RedisModuleCtx, id C.uint64_t) (rc C.int) {
	rc = C.REDISMODULE_ERR
	srv := serverFor(ctx)
	if srv == nil {
		return C.REDISMODULE_ERR
	}
	c := srv.ClientByID(int64(id))
	if c == nil {
		return C.REDISMODULE_ERR
	}
	srv.DeauthenticateAndCloseLocked(c)
	return C.REDISMODULE_OK
}

// apiRegisterAuthCallback implements RedisModule_RegisterAuthCallback
// (Redis 7.2): AUTH and HELLO AUTH call the registered callbacks, the most
// recently registered first as in Redis, until one returns
// REDISMODULE_AUTH_HANDLED: authenticated (OK), or denied (the callback's
// *err as the error, else WRONGPASS). When all return NOT_HANDLED the
// password check follows. The callbacks go away when the module unloads.
func apiRegisterAuthCallback(ctx *C.RedisModuleCtx, cb unsafe.Pointer) {
	st := stateOf(ctx)
	if st == nil || st.sys == nil || cb == nil {
		return
	}
	m := st.mod
	if m == nil {
		m = st.loading
	}
	a := authOf(st.sys)
	a.cbs = append([]authCallback{{mod: m, fn: cb}}, a.cbs...)
	st.sys.srv.OnModuleAuth(a.run)
}

// apiBlockClientOnAuth implements RedisModule_BlockClientOnAuth (Redis
// 7.2). Outside an auth callback it replies Redis's misuse error to the
// client and returns NULL, as Redis. modhost does not block AUTH: inside
// an auth callback it also returns NULL (logged), so the module's HANDLED
// result denies the attempt.
//
// modhost:partial blocking module authentication is not supported (NULL)
func apiBlockClientOnAuth(ctx *C.RedisModuleCtx, reply_callback unsafe.Pointer, free_privdata unsafe.Pointer) (bc *C.RedisModuleBlockedClient) {
	c := ctxClient(ctx)
	a := authOfCtx(ctx)
	if c == nil || a == nil || a.inProgress != c {
		if c != nil {
			c.Error("ERR " + msgBlockOnAuthMisuse)
		}
		return nil
	}
	if srv := serverFor(ctx); srv != nil {
		srv.Log.Warningf("Module %s: RedisModule_BlockClientOnAuth is not supported by modhost; authentication denied", C.GoString(ctx.module_name))
	}
	return nil
}
