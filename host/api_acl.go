package host

// "Modules ACL API", users: CreateModuleUser and its rules, user names,
// permission checks and the ACL log. The rules engine is api_acl_rules.go;
// authentication is api_auth.go. This file exports to C, so its preamble
// only declares.

/*
#include <stdlib.h>
#include <errno.h>
#include "api_acl.h"
#include "mh_string.h"
*/
import "C"

import (
	"sync"
	"unsafe"

	"github.com/modhost/modhost/acl"
	"github.com/modhost/modhost/commands"
)

// userRef is what a RedisModuleUser handle names.
type userRef struct {
	u     *acl.User
	owned bool // made by CreateModuleUser: FreeModuleUser frees the user itself
	h     *C.RedisModuleUser
	// mod is the module whose OnLoad made the handle (nil otherwise):
	// unloading it, or its OnLoad failing, frees the handle.
	mod *Module
}

// users maps RedisModuleUser ids to users (module threads may call the
// API, so it has its own lock; the users themselves follow the server lock).
var users = struct {
	sync.Mutex
	next uint64
	m    map[uint64]*userRef
}{m: map[uint64]*userRef{}}

// newUserHandle returns a C handle for r. A handle made during a module's
// OnLoad is the module's: unloading it frees the handle.
func newUserHandle(r *userRef) *C.RedisModuleUser {
	if sys := systemOf(serverFor(nil)); sys != nil {
		r.mod = sys.loading
	}
	users.Lock()
	users.next++
	id := users.next
	h := C.mh_user_new(C.uint64_t(id))
	r.h = h
	users.m[id] = r
	if r.mod != nil {
		r.mod.reg.users = append(r.mod.reg.users, r)
	}
	users.Unlock()
	return h
}

// freeUserHandle forgets the handle r.h and frees it; a user made by
// CreateModuleUser also loses its clients. The caller has checked that
// r.h is live.
func freeUserHandle(srv Server, r *userRef) {
	users.Lock()
	delete(users.m, uint64(r.h.id))
	if r.mod != nil {
		r.mod.reg.users = dropOwned(r.mod.reg.users, func(x *userRef) bool { return x == r })
	}
	users.Unlock()
	C.free(unsafe.Pointer(r.h))
	r.h = nil
	if r.owned {
		revokeUserClients(srv, r.u)
	}
}

// dropUsers frees the user handles m's OnLoad made and it did not free.
func dropUsers(srv Server, m *Module) {
	users.Lock()
	mine := append([]*userRef(nil), m.reg.users...)
	users.Unlock()
	for _, r := range mine {
		freeUserHandle(srv, r)
	}
}

// userCount is the number of live RedisModuleUser handles (DEBUG
// MODHOST-REGISTRIES).
func userCount() int {
	users.Lock()
	defer users.Unlock()
	return len(users.m)
}

// userOf returns the user behind a handle; it panics (and so the export
// fails with its error value) on NULL or a freed handle.
func userOf(h *C.RedisModuleUser) *userRef {
	if h == nil {
		panic("NULL RedisModuleUser")
	}
	users.Lock()
	r := users.m[uint64(h.id)]
	users.Unlock()
	if r == nil {
		panic("RedisModuleUser used after FreeModuleUser")
	}
	return r
}

// storeOf returns the ACL store of srv (nil without a server).
func storeOf(srv Server) *acl.Store {
	if srv == nil {
		return nil
	}
	return srv.ACLStore()
}

// lookupOf resolves command names in srv's table for ACL rules (nil
// without a server: every command is unknown).
func lookupOf(srv Server) acl.Lookup {
	if srv == nil {
		return nil
	}
	return srv.ACLLookup()
}

// apiCreateModuleUser implements RedisModule_CreateModuleUser: a new
// user called name, off, with no passwords, keys, channels or commands,
// unknown to AUTH and not checked for duplicate names, as in Redis. Free
// it with FreeModuleUser. A user created in OnLoad and not freed is freed
// when the module unloads (or its OnLoad fails).
func apiCreateModuleUser(name *C.char) (h *C.RedisModuleUser) {
	return newUserHandle(&userRef{u: acl.NewUser(C.GoString(name)), owned: true})
}

// apiFreeModuleUser implements RedisModule_FreeModuleUser: frees the
// handle and, for a user made by CreateModuleUser, disconnects the clients
// authenticated as that user (after their user-changed callback).
func apiFreeModuleUser(h *C.RedisModuleUser) {
	freeUserHandle(serverFor(nil), userOf(h))
}

// apiSetModuleUserACL implements RedisModule_SetModuleUserACL: applies
// one ACL SETUSER operation. modhost supports on, off, nopass, resetpass,
// >pass, <pass, #hash, !hash, allcommands/+@all, nocommands/-@all, +cmd,
// -cmd, +cmd|sub, -cmd|sub, +cmd|firstarg, +@cat, -@cat, allkeys/~*,
// ~pattern, %R~ %W~ %RW~ patterns, resetkeys, allchannels/&*, &pattern,
// resetchannels, "(...)" selectors, clearselectors, reset,
// [skip-]sanitize-payload: the rules of ACL SETUSER (package acl).
// REDISMODULE_ERR with errno as Redis's ACLSetUser sets it.
func apiSetModuleUserACL(h *C.RedisModuleUser, rule *C.char, mh_errno *C.int) (rc C.int) {
	rc = C.REDISMODULE_ERR
	r := userOf(h)
	srv := serverFor(nil)
	if errno := r.u.Set(C.GoString(rule), lookupOf(srv)); errno != 0 {
		*mh_errno = C.int(errno)
		return C.REDISMODULE_ERR
	}
	if !r.owned && srv != nil { // an ACL user (GetModuleUserFromUserName)
		srv.ACLChangedLocked()
	}
	return C.REDISMODULE_OK
}

// apiSetModuleUserACLString implements
// RedisModule_SetModuleUserACLString: applies a whole ACL string
// (operations separated by spaces) all or nothing. On failure *error, if
// error is not NULL, receives Redis's text ("Error in ACL SETUSER
// modifier '...': ..."), recorded with ctx's auto memory.
func apiSetModuleUserACLString(ctx *C.RedisModuleCtx, h *C.RedisModuleUser, rules *C.char, errOut **C.RedisModuleString) (rc C.int) {
	rc = C.REDISMODULE_ERR
	r := userOf(h)
	srv := serverFor(ctx)
	msg := r.u.SetString(C.GoString(rules), lookupOf(srv))
	if msg == "" {
		if !r.owned && srv != nil {
			srv.ACLChangedLocked()
		}
		return C.REDISMODULE_OK
	}
	if errOut != nil {
		*errOut = newCString(ctx, []byte(msg))
	}
	return C.REDISMODULE_ERR
}

// apiGetModuleUserACLString implements RedisModule_GetModuleUserACLString:
// the user's rules as ACL LIST shows them ("off sanitize-payload
// resetchannels -@all" for a new user). The caller frees the string.
func apiGetModuleUserACLString(h *C.RedisModuleUser) (s *C.RedisModuleString) {
	return newCString(nil, []byte(userOf(h).u.Describe()))
}

// apiGetCurrentUserName implements RedisModule_GetCurrentUserName: the
// user name of the client behind ctx ("default" unless a module
// authenticated it), recorded with auto memory. Redis crashes for a
// context without a client; modhost returns NULL.
func apiGetCurrentUserName(ctx *C.RedisModuleCtx) (s *C.RedisModuleString) {
	c := ctxClient(ctx)
	if c == nil {
		return nil
	}
	return newCString(ctx, []byte(c.UserName()))
}

// apiGetModuleUserFromUserName implements
// RedisModule_GetModuleUserFromUserName: a handle on the ACL user called
// name (ACL SETUSER, the config, the ACL file), NULL if there is none
// (module users are not ACL users, as in Redis). Free the handle with
// FreeModuleUser; that does not delete the user.
func apiGetModuleUserFromUserName(name *C.RedisModuleString) (h *C.RedisModuleUser) {
	st := storeOf(serverFor(nil))
	if st == nil {
		return nil
	}
	u := st.Get(string(cStringBytes(name)))
	if u == nil {
		return nil
	}
	return newUserHandle(&userRef{u: u})
}

// apiSetContextUser implements RedisModule_SetContextUser: the user
// RedisModule_Call's "C" flag checks commands against. The handle must
// outlive the context's use of it, as in Redis.
func apiSetContextUser(ctx *C.RedisModuleCtx, h *C.RedisModuleUser) {
	if st := stateOf(ctx); st != nil {
		if h == nil {
			st.user = nil
			return
		}
		st.user = userOf(h).u
	}
}

// ctxCallUser is the user RedisModule_Call's "C" flag runs as: the
// context's (SetContextUser), else its client's; nil for none.
func ctxCallUser(ctx *C.RedisModuleCtx) *acl.User {
	st := stateOf(ctx)
	if st == nil {
		return nil
	}
	if st.user != nil {
		return st.user
	}
	if st.client != nil {
		return st.client.User()
	}
	return nil
}

// ctxUserDenied is the check RedisModule_Call's "C" flag makes: ok is
// false when ctx has no user (neither SetContextUser nor a client with a
// user); msg is the NOPERM text when that user may not run cmd with args,
// after an ACL LOG entry in the "module" context, as Redis does.
func ctxUserDenied(ctx *C.RedisModuleCtx, cmd *commands.Command, args [][]byte) (msg string, ok bool) {
	st := stateOf(ctx)
	u := ctxCallUser(ctx)
	if u == nil {
		return "", false
	}
	res, pos := u.Check(cmd, args)
	if res == acl.OK {
		return "", true
	}
	var val []byte
	object := cmd.FullName
	if res != acl.DeniedCmd && pos < len(args) {
		val = args[pos]
		object = string(val)
	}
	if srv := serverFor(ctx); srv != nil {
		srv.AddACLLog(st.client, res, acl.CtxModule, object, u.Name())
	}
	return acl.DeniedMessage(res, u, cmd, val, false), true
}

// apiACLCheckCommandPermissions implements
// RedisModule_ACLCheckCommandPermissions: whether the user may run argv
// (the command, its keys and its channels). REDISMODULE_ERR with errno
// ENOENT for an unknown command, EACCES when denied.
func apiACLCheckCommandPermissions(h *C.RedisModuleUser, argv **C.RedisModuleString, argc C.int, mh_errno *C.int) (rc C.int) {
	rc = C.REDISMODULE_ERR
	r := userOf(h)
	srv := serverFor(nil)
	if srv == nil || argc <= 0 {
		*mh_errno = C.ENOENT
		return C.REDISMODULE_ERR
	}
	args := make([][]byte, int(argc))
	for i, s := range unsafe.Slice(argv, int(argc)) {
		args[i] = stringBytes(s)
	}
	cmd, ok := srv.Commands().Resolve(args)
	if cmd == nil || !ok {
		*mh_errno = C.ENOENT
		return C.REDISMODULE_ERR
	}
	if res, _ := r.u.Check(cmd, args); res != acl.OK {
		*mh_errno = C.EACCES
		return C.REDISMODULE_ERR
	}
	return C.REDISMODULE_OK
}

// apiACLCheckKeyPermissions implements RedisModule_ACLCheckKeyPermissions:
// whether the user may access key with the REDISMODULE_CMD_KEY_ACCESS,
// INSERT, DELETE and UPDATE flags (none: any access). REDISMODULE_ERR with
// errno EINVAL for other flags, EACCES when denied.
func apiACLCheckKeyPermissions(h *C.RedisModuleUser, key *C.RedisModuleString, flags C.int, mh_errno *C.int) (rc C.int) {
	rc = C.REDISMODULE_ERR
	r := userOf(h)
	const allow = C.REDISMODULE_CMD_KEY_ACCESS | C.REDISMODULE_CMD_KEY_INSERT | C.REDISMODULE_CMD_KEY_DELETE | C.REDISMODULE_CMD_KEY_UPDATE
	if uint64(flags)&^uint64(allow) != 0 {
		*mh_errno = C.EINVAL
		return C.REDISMODULE_ERR
	}
	var kf commands.KeyFlag
	if flags&C.REDISMODULE_CMD_KEY_ACCESS != 0 {
		kf |= commands.KeyAccess
	}
	if flags&C.REDISMODULE_CMD_KEY_INSERT != 0 {
		kf |= commands.KeyInsert
	}
	if flags&C.REDISMODULE_CMD_KEY_DELETE != 0 {
		kf |= commands.KeyDelete
	}
	if flags&C.REDISMODULE_CMD_KEY_UPDATE != 0 {
		kf |= commands.KeyUpdate
	}
	if !r.u.CheckKey(stringBytes(key), commands.KeyNeed(kf)) {
		*mh_errno = C.EACCES
		return C.REDISMODULE_ERR
	}
	return C.REDISMODULE_OK
}

// apiACLCheckChannelPermissions implements
// RedisModule_ACLCheckChannelPermissions: whether the user may use the
// channel with the REDISMODULE_CMD_CHANNEL_* flags (UNSUBSCRIBE is always
// allowed; PATTERN matches the user's patterns literally). EINVAL for
// unknown flags; a denial returns REDISMODULE_ERR without setting errno,
// exactly as Redis does.
func apiACLCheckChannelPermissions(h *C.RedisModuleUser, ch *C.RedisModuleString, flags C.int, mh_errno *C.int) (rc C.int) {
	rc = C.REDISMODULE_ERR
	r := userOf(h)
	const allow = C.REDISMODULE_CMD_CHANNEL_PUBLISH | C.REDISMODULE_CMD_CHANNEL_SUBSCRIBE | C.REDISMODULE_CMD_CHANNEL_UNSUBSCRIBE | C.REDISMODULE_CMD_CHANNEL_PATTERN
	if uint64(flags)&^uint64(allow) != 0 {
		*mh_errno = C.EINVAL
		return C.REDISMODULE_ERR
	}
	if flags&C.REDISMODULE_CMD_CHANNEL_UNSUBSCRIBE != 0 {
		return C.REDISMODULE_OK
	}
	if !r.u.CheckChannel(stringBytes(ch), flags&C.REDISMODULE_CMD_CHANNEL_PATTERN != 0) {
		return C.REDISMODULE_ERR
	}
	return C.REDISMODULE_OK
}

// aclLogReasonOK reports whether reason is a RedisModuleACLLogEntryReason.
func aclLogReasonOK(reason C.RedisModuleACLLogEntryReason) bool {
	return reason >= C.REDISMODULE_ACL_LOG_AUTH && reason <= C.REDISMODULE_ACL_LOG_CHANNEL
}

// apiACLAddLogEntry implements RedisModule_ACLAddLogEntry: an ACL LOG
// entry in the "module" context for the user, with object as the denied
// command, key or channel (or the user tried, for REDISMODULE_ACL_LOG_AUTH).
// An unknown reason is ignored (Redis returns an error the header's void
// signature drops).
func apiACLAddLogEntry(ctx *C.RedisModuleCtx, h *C.RedisModuleUser, object *C.RedisModuleString, reason C.RedisModuleACLLogEntryReason) {
	aclLog(ctx, userOf(h).u.Name(), stringBytes(object), reason)
}

// apiACLAddLogEntryByUserName implements
// RedisModule_ACLAddLogEntryByUserName: as ACLAddLogEntry for a user name.
func apiACLAddLogEntryByUserName(ctx *C.RedisModuleCtx, name *C.RedisModuleString, object *C.RedisModuleString, reason C.RedisModuleACLLogEntryReason) {
	aclLog(ctx, string(stringBytes(name)), stringBytes(object), reason)
}

// aclLogResults map RedisModuleACLLogEntryReason to ACL LOG reasons.
var aclLogResults = [...]acl.Result{acl.DeniedAuth, acl.DeniedCmd, acl.DeniedKey, acl.DeniedChannel}

// aclLog adds one module ACL LOG entry; unknown reasons are ignored.
func aclLog(ctx *C.RedisModuleCtx, user string, object []byte, reason C.RedisModuleACLLogEntryReason) {
	if reason < C.REDISMODULE_ACL_LOG_AUTH || reason > C.REDISMODULE_ACL_LOG_CHANNEL {
		return
	}
	if srv := serverFor(ctx); srv != nil {
		srv.AddACLLog(ctxClient(ctx), aclLogResults[reason], acl.CtxModule, string(object), user)
	}
}
