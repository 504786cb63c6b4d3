package host

// Go half of "Calling Redis commands from modules" (RedisModule_Call): the
// checks Redis makes before running the command, the nested run on a
// pooled fake client, and the per-server state the Call, notification and
// replication families share. Only //export functions and Go code live
// here: the C side is api_call.c and api_callreply.c.

/*
#include <errno.h>
#include <stdlib.h>
#include "ctx.h"
#include "api_call.h"
#include "api_callreply.h"
*/
import "C"

import (
	"fmt"
	"strings"
	"unsafe"

	"github.com/modhost/modhost/commands"
)

// Error texts of RedisModule_Call ("E" returns them as error replies).
const (
	msgCallNoUser     = "cannot run as user, no user directly attached to context or context's client"
	msgCallScript     = "command '%s' is not allowed on script mode"
	msgCallNoWrites   = "Write command '%s' was called while write is not allowed."
	msgCallOOMProto   = "-OOM command not allowed when used memory > 'maxmemory'."
	msgCallNoContext  = "RedisModule_Call needs a module context"
	msgCallNoReplicas = "-NOREPLICAS Not enough good replicas to write."
	msgCallReadOnly   = "-READONLY You can't write against a read only replica."
	msgCallStale      = "-MASTERDOWN Link with MASTER is down and replica-serve-stale-data is set to 'no'."
)

func init() { C.mh_callreply_init() }

// callFamily is the state one server's module system keeps for Call,
// keyspace notifications and replication. It is guarded by the server
// lock, like everything module code touches.
type callFamily struct {
	sys *System
	// fakes are idle clients for nested calls (Redis's temp client pool).
	fakes []Client
	// replBlocked is set while a Call without "!" runs: what it calls is
	// not propagated (Redis's server.replication_allowed).
	replBlocked bool
	// replicated records what was propagated (DEBUG MODHOST-REPLICATED):
	// a ring of at most maxReplicated entries, the oldest at replStart
	// once it is full.
	replicated []replicated
	replStart  int
	// subs are the keyspace notification subscribers, in order.
	subs       []*subscriber
	subsHooked bool
	// jobs are post-notification jobs waiting for the command to end.
	jobs []*postJob
}

// newCallFamily makes sys's Call/notification/replication state (New
// does, once), registering DEBUG MODHOST-REPLICATED and the
// post-execution-unit hook that runs post-notification jobs, so every
// server has them from the start.
func newCallFamily(sys *System) *callFamily {
	f := &callFamily{sys: sys}
	sys.srv.RegisterDebug("modhost-replicated", f.debugReplicated)
	sys.srv.OnPostExecutionUnit(f.runJobs)
	return f
}

// familyOf returns sys's Call/notification/replication state (made by New).
func familyOf(sys *System) *callFamily { return sys.call }

// takeFake returns an idle fake client set to db and proto.
func (f *callFamily) takeFake(db, proto int) Client {
	var c Client
	if n := len(f.fakes); n > 0 {
		c = f.fakes[n-1]
		f.fakes = f.fakes[:n-1]
	} else {
		c = f.sys.srv.NewFakeClient()
	}
	c.ResetFake(db, proto)
	return c
}

// putFake clears what the call left on a fake client (subscriptions, a
// transaction ...) and returns it to the pool.
func (f *callFamily) putFake(c Client) {
	f.sys.srv.ReleaseFake(c)
	f.fakes = append(f.fakes, c)
}

// reqArgs views the request's arguments in place (module memory): valid
// until the C side releases the request, which is after Go returns.
func reqArgs(req *C.mh_call_req) [][]byte {
	n := int(req.argc)
	ptrs := unsafe.Slice(req.argv, n)
	lens := unsafe.Slice(req.lens, n)
	args := make([][]byte, n)
	for i := range args {
		if lens[i] == 0 {
			args[i] = []byte{}
			continue
		}
		args[i] = unsafe.Slice((*byte)(unsafe.Pointer(ptrs[i])), int(lens[i]))
	}
	return args
}

// setOut copies b into the request's C buffer, growing it (one Go->C
// crossing) only when it is too small.
func setOut(req *C.mh_call_req, b []byte) {
	if C.size_t(len(b)) > req.out_cap {
		C.mh_call_grow(req, C.size_t(len(b)))
	}
	if len(b) > 0 {
		copy(unsafe.Slice((*byte)(unsafe.Pointer(req.out)), len(b)), b)
	}
	req.out_len = C.size_t(len(b))
	req.has_reply = 1
}

// errorProto is the RESP error Call returns for msg ("E"): msg as it is
// when it already starts with '-', else with "-ERR " in front.
func errorProto(msg string) []byte {
	if strings.HasPrefix(msg, "-") {
		return []byte(msg + "\r\n")
	}
	return []byte("-ERR " + msg + "\r\n")
}

// mhv_call runs the request built by mh_Call (api_call.c): the checks, in
// Redis's order, then the command on a fake client in the context's
// database; the reply's bytes go to req.out.
//
//export mhv_call
func mhv_call(ctx *C.RedisModuleCtx, req *C.mh_call_req) {
	defer guardExport(ctx, "Call", func() {
		req.has_reply = 0
		req.err = C.EINVAL
	})
	st := stateOf(ctx)
	if st == nil || st.sys == nil {
		fallbackLog.Warningf("%s", msgCallNoContext)
		req.err = C.EINVAL
		return
	}
	flags := int(req.flags)
	fail := func(errno C.int, msg string) {
		req.err = errno
		if flags&C.MH_CALL_ERRORS != 0 {
			setOut(req, errorProto(msg))
		}
	}
	if flags&C.MH_CALL_RUN_AS_USER != 0 && st.user == nil && st.client == nil {
		fail(C.ENOTSUP, msgCallNoUser)
		return
	}
	if req.fmt_err != 0 {
		req.err = C.EBADF
		return
	}
	srv := st.sys.srv
	args := reqArgs(req)
	args = extOf(st.sys).filterCall(st.mod, uint64(ctx.client_id), args)
	cmd, check, msg := srv.ResolveCall(args)
	switch check {
	case CallUnknown:
		fail(C.ENOENT, msg)
		return
	case CallArity:
		fail(C.EINVAL, msg)
		return
	}
	if errno, msg := callDenied(srv, cmd, cmd.FlagsFor(args), flags); errno != 0 {
		fail(errno, msg)
		return
	}
	if flags&C.MH_CALL_RUN_AS_USER != 0 {
		// "C": the context user (SetContextUser) or the client's user must
		// be allowed to run the command, its keys and channels.
		if msg, _ := ctxUserDenied(ctx, cmd, args); msg != "" {
			fail(C.EACCES, "-NOPERM "+msg)
			return
		}
	}
	if msg, errno := srv.ClusterCallError(st.client, cmd, args); msg != "" {
		// Cluster mode: keys of another node, or a cluster that is down.
		fail(C.int(errno), msg)
		return
	}
	if flags&C.MH_CALL_DRY_RUN != 0 {
		return
	}
	strictNoteCall(ctx, cmd)
	familyOf(st.sys).run(ctx, req, cmd, args, flags)
}

// callDenied applies the "S", "M" and "W" modifiers to cmd, whose flags
// for this call are cmdFlags (an EVAL or FCALL takes them from the
// script's flags, as Redis's getCommandFlags): it returns the errno and
// error text Redis gives, or 0 when the command may run. ACL checks ("C")
// are made by the caller against the context user.
func callDenied(srv Server, cmd *commands.Command, cmdFlags commands.CmdFlag, flags int) (C.int, string) {
	if flags&C.MH_CALL_SCRIPT_MODE != 0 && cmdFlags&commands.FlagNoScript != 0 {
		return C.ESPIPE, fmt.Sprintf(msgCallScript, cmd.FullName)
	}
	if flags&C.MH_CALL_DENY_OOM != 0 && cmdFlags&commands.FlagDenyOOM != 0 {
		if limit := srv.Config().Int("maxmemory"); limit > 0 && srv.UsedMemory() > uint64(limit) {
			return C.ENOSPC, msgCallOOMProto
		}
	}
	if flags&C.MH_CALL_NO_WRITES != 0 && cmdFlags&commands.FlagWrite != 0 {
		return C.ENOSPC, fmt.Sprintf(msgCallNoWrites, cmd.FullName)
	}
	if flags&C.MH_CALL_SCRIPT_MODE != 0 {
		// Script mode refuses what a script's command would be refused.
		readOnly, noReplicas, stale, diskErr := srv.CallWriteGates()
		if cmdFlags&commands.FlagWrite != 0 {
			switch {
			case noReplicas:
				return C.ESPIPE, msgCallNoReplicas
			case diskErr != "":
				return C.ESPIPE, "-" + diskErr
			case readOnly:
				return C.ESPIPE, msgCallReadOnly
			}
		}
		if stale && cmdFlags&commands.FlagStale == 0 {
			return C.ESPIPE, msgCallStale
		}
	}
	return 0, ""
}

// run executes cmd nested in the current command and leaves its reply in
// req. With "!" a command that changed the
// dataset is recorded for propagation, unless an enclosing Call without
// "!" forbids it, as Redis's replication_allowed does.
func (f *callFamily) run(ctx *C.RedisModuleCtx, req *C.mh_call_req, cmd *commands.Command, args [][]byte, flags int) {
	proto := 2
	switch {
	case flags&C.MH_CALL_RESP3 != 0:
		proto = 3
	case flags&C.MH_CALL_RESP_AUTO != 0:
		proto = int(ctx.resp)
	}
	srv := f.sys.srv
	db := int(ctx.dbid)
	fc := f.takeFake(db, proto)
	replicate := flags&C.MH_CALL_REPLICATE != 0
	prevBlocked := f.replBlocked
	f.replBlocked = prevBlocked || !replicate
	dirty := srv.Keyspace().Dirty
	fc.AllowBlocking(flags&C.MH_CALL_ALLOW_BLOCK != 0)
	if flags&C.MH_CALL_RUN_AS_USER != 0 {
		// A script the command runs checks its commands against the user.
		fc.SetCallUser(ctxCallUser(ctx))
	}
	// Without "M" the command, and a script it runs, may ignore maxmemory.
	fc.SetAllowOOM(flags&C.MH_CALL_DENY_OOM == 0)
	target := 0
	if replicate {
		target = propagationTarget(flags)
	}
	prevTarget, prevAllowed := srv.SetCallPropagation(target, !f.replBlocked)
	srv.CallNested(fc, cmd, args)
	srv.SetCallPropagation(prevTarget, prevAllowed)
	f.replBlocked = prevBlocked
	if replicate && !prevBlocked && srv.Keyspace().Dirty != dirty {
		f.record(db, args, flags)
	}
	if fc.Blocked() {
		// Only with "K": the reply comes when the block ends.
		req.promise = f.newPromise(ctx, fc)
		return
	}
	setOut(req, fc.Writer().Buf)
	f.putFake(fc)
}
