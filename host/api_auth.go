package host

// "Modules ACL API", authentication: authenticating the client of a
// context as a module user, deauthenticating clients, and module auth
// callbacks (RegisterAuthCallback) that AUTH and HELLO AUTH consult before
// the password check. This file exports to C, so its preamble only
// declares.

/*
#include <stdlib.h>
#include "api_acl.h"
#include "api_block.h"
#include "mh_string.h"
*/
import "C"

import (
	"unsafe"

	"github.com/modhost/modhost/acl"
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
	user *acl.User // nil: the default user
	mod  *Module
}

// authState is the authentication state of one module system (guarded
// by the server lock).
type authState struct {
	sys *System
	// cbs are the auth callbacks, newest first (Redis adds at the head).
	cbs []*authCallback
	// clients are the clients modules authenticated, by id.
	clients map[int64]authedClient
	// inProgress is the client whose AUTH runs the callbacks now;
	// hasResult says a callback authenticated it.
	inProgress Client
	hasResult  bool
	// blockedBy is the handle BlockClientOnAuth blocked the client in
	// progress with, during one callback.
	blockedBy *blockedClient
	// pending are the blocked authentications, by client id.
	pending map[int64]*authPending
}

// authPending is an authentication a callback blocked: where the callback
// list resumes and the credentials the reply callback gets.
type authPending struct {
	after      *authCallback // the callback that blocked
	user, pass []byte
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
func (a *authState) run(c Client, user, pass []byte) (AuthResult, string) {
	if len(a.cbs) == 0 {
		return AuthNotHandled, ""
	}
	return a.attempt(c, &authPending{user: user, pass: pass}, nil)
}

// attempt runs the reply callback of a resumed blocked authentication
// (resumed, if not nil) and then, while no callback handled the request,
// the callbacks after p.after (all of them when nil), as Redis's
// checkModuleAuthentication. A callback that blocks the client ends the
// attempt with AuthBlocked; p is kept to resume it.
func (a *authState) attempt(c Client, p *authPending, resumed *blockedClient) (AuthResult, string) {
	cu := C.mh_string_new((*C.char)(cBytes(p.user)), C.size_t(len(p.user)))
	cp := C.mh_string_new((*C.char)(cBytes(p.pass)), C.size_t(len(p.pass)))
	defer C.mh_string_release(cu)
	defer C.mh_string_release(cp)
	prev, prevRes, prevBlocked := a.inProgress, a.hasResult, a.blockedBy
	defer func() { a.inProgress, a.hasResult, a.blockedBy = prev, prevRes, prevBlocked }()
	a.inProgress, a.blockedBy = c, nil
	result := C.int(C.REDISMODULE_AUTH_NOT_HANDLED)
	var msg string
	if resumed != nil {
		a.hasResult = false
		result, msg = resumed.runAuthReply(c, cu, cp)
	}
	skipping := p.after != nil
	for _, cb := range append([]*authCallback(nil), a.cbs...) {
		if result != C.REDISMODULE_AUTH_NOT_HANDLED || a.blockedBy != nil {
			break
		}
		if skipping { // already tried before the client blocked
			skipping = cb != p.after
			continue
		}
		a.hasResult = false
		p.after = cb
		ctx := newCtx(&ctxState{sys: a.sys, mod: cb.mod, client: c}, c.Writer().Proto, C.MH_CTX_TEMP)
		var errStr *C.RedisModuleString
		result = C.mh_auth_cb_call(C.RedisModuleAuthCallback(cb.fn), ctx, cu, cp, &errStr)
		msg = takeAuthErr(ctx, errStr)
		freeCtx(ctx)
	}
	if a.blockedBy != nil {
		p.user = append([]byte(nil), p.user...)
		p.pass = append([]byte(nil), p.pass...)
		a.pending[c.ClientID()] = p
		return AuthBlocked, ""
	}
	if result == C.REDISMODULE_AUTH_NOT_HANDLED {
		return AuthNotHandled, ""
	}
	if a.hasResult && c.IsAuthenticated() {
		return AuthOK, ""
	}
	return AuthDenied, msg
}

// takeAuthErr returns the text of the error an auth callback set, and
// frees it (the server owns it, even one in auto memory).
func takeAuthErr(ctx *C.RedisModuleCtx, errStr *C.RedisModuleString) string {
	if errStr == nil {
		return ""
	}
	C.mh_am_forget(ctx, unsafe.Pointer(errStr))
	msg := string(stringBytes(errStr))
	C.mh_string_release(errStr)
	return msg
}

// resumeBlocked finishes a blocked authentication once its module
// unblocked it (on the event goroutine, under the lock): the reply
// callback, free_privdata, the callbacks after the one that blocked, and —
// unless one of them blocks again — the server's AUTH/HELLO reply and the
// end of the block.
func (a *authState) resumeBlocked(b *blockedClient, c Client) {
	p := a.pending[c.ClientID()]
	delete(a.pending, c.ClientID())
	if p == nil {
		p = &authPending{}
	}
	b.addBackgroundTime(c)
	res, msg := a.attempt(c, p, b)
	if res == AuthBlocked {
		return // blocked again: the block goes on with the new handle
	}
	c.ResumeModuleAuth(res, msg)
	b.rt.srv.Unblock(c)
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
func revokeUserClients(srv Server, u *acl.User) {
	sys := systemOf(srv)
	if sys == nil {
		return
	}
	a := authOf(sys)
	for id, ac := range a.clients {
		if ac.user != u {
			continue
		}
		if c := srv.ClientByID(id); c != nil && c.User() == u {
			srv.DeauthenticateAndCloseLocked(c)
		}
		delete(a.clients, id)
	}
}

// authenticateCtxClient is Redis's authenticateClientWithUser: makes u
// (nil: default) the user of ctx's client.
func authenticateCtxClient(ctx *C.RedisModuleCtx, u *acl.User, callback, privdata unsafe.Pointer, clientID *C.uint64_t) C.int {
	st := stateOf(ctx)
	if st == nil || st.client == nil || st.sys == nil || (u != nil && !u.Enabled()) {
		return C.REDISMODULE_ERR
	}
	c := st.client
	a := authOf(st.sys)
	var onChange func()
	if callback != nil {
		id := c.ClientID()
		onChange = func() {
			delete(a.clients, id)
			C.mh_user_changed_call(C.RedisModuleUserChangedFunc(callback), C.uint64_t(id), privdata)
		}
	}
	c.SetUserLocked(u, onChange)
	// Only a client authenticated with a callback belongs to the module
	// (Redis's c->auth_module): unloading it closes the client.
	ac := authedClient{user: u}
	if callback != nil {
		ac.mod = st.mod
	}
	a.clients[c.ClientID()] = ac
	if a.inProgress == c {
		a.hasResult = true
	}
	if clientID != nil {
		*clientID = C.uint64_t(c.ClientID())
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
	return authenticateCtxClient(ctx, userOf(h).u, callback, privdata, client_id)
}

// apiAuthenticateClientWithACLUser implements
// RedisModule_AuthenticateClientWithACLUser: as AuthenticateClientWithUser
// for the ACL user called name: REDISMODULE_ERR when there is none.
func apiAuthenticateClientWithACLUser(ctx *C.RedisModuleCtx, name *C.char, n C.size_t, callback unsafe.Pointer, privdata unsafe.Pointer, client_id *C.uint64_t) (rc C.int) {
	rc = C.REDISMODULE_ERR
	st := storeOf(serverFor(ctx))
	if st == nil {
		return C.REDISMODULE_ERR
	}
	u := st.Get(C.GoStringN(name, C.int(n)))
	if u == nil {
		return C.REDISMODULE_ERR
	}
	return authenticateCtxClient(ctx, u, callback, privdata, client_id)
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
	a.cbs = append([]*authCallback{{mod: m, fn: cb}}, a.cbs...)
	st.sys.srv.OnModuleAuth(a.run)
}

// apiBlockClientOnAuth implements RedisModule_BlockClientOnAuth (Redis
// 7.2): from an auth callback, blocks the client whose AUTH or HELLO AUTH
// runs it, so the module can authenticate in the background; the callback
// must then return REDISMODULE_AUTH_HANDLED. When a thread calls
// UnblockClient(bc, privdata), reply_callback runs as an auth callback
// (with GetBlockedClientPrivateData giving privdata) and decides; if it
// returns REDISMODULE_AUTH_NOT_HANDLED the callbacks registered after the
// blocking one are tried, then the password. free_privdata frees privdata.
// AbortBlock skips reply_callback (not handled). Outside an auth callback
// it replies Redis's misuse error and returns NULL; inside MULTI the
// client is not blocked and the transaction error is replied, as for
// BlockClient.
func apiBlockClientOnAuth(ctx *C.RedisModuleCtx, reply_callback unsafe.Pointer, free_privdata unsafe.Pointer) (bc *C.RedisModuleBlockedClient) {
	c := ctxClient(ctx)
	a := authOfCtx(ctx)
	if c == nil || a == nil || a.inProgress != c {
		if c != nil {
			c.Error("ERR " + msgBlockOnAuthMisuse)
		}
		return nil
	}
	bc = blockCommon(ctx, reply_callback, nil, free_privdata, 0, nil, 0, nil, 0)
	if bc == nil {
		return nil
	}
	b := bcOf(bc)
	b.auth = true
	if b.client != nil { // blocked
		a.blockedBy = b
	} else if c.InExec() {
		// Refused: the auth callback's context keeps no replies, so the
		// error goes to the client itself, as Redis replies it there.
		c.Error(msgBlockInMulti)
	}
	return bc
}

// runAuthReply calls the reply callback of a blocked authentication (not
// after AbortBlock) in a blocked-reply context, then free_privdata, and
// releases the handle. It returns the callback's result and error text.
func (b *blockedClient) runAuthReply(c Client, cu, cp *C.RedisModuleString) (C.int, string) {
	reply, _, free, _ := b.fns()
	result := C.int(C.REDISMODULE_AUTH_NOT_HANDLED)
	var msg string
	if reply != nil {
		ctx := b.callbackCtx(c, C.MH_CTX_BLOCKED_REPLY)
		var errStr *C.RedisModuleString
		result = C.mh_auth_cb_call(C.RedisModuleAuthCallback(reply), ctx, cu, cp, &errStr)
		msg = takeAuthErr(ctx, errStr)
		freeCtx(ctx)
	}
	if priv := b.c.privdata; priv != nil && free != nil {
		ctx := b.callbackCtx(c, C.MH_CTX_NONE)
		C.mh_call_free_privdata(free, ctx, priv)
		freeCtx(ctx)
	}
	b.release()
	return result, msg
}
