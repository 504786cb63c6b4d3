package host

// "Module fork API", the parent's side: one module child at a time, a
// goroutine that reaps it with wait4 and then, under the server lock, logs
// Redis's line and calls the module's done handler; KillForkChild.

/*
#include "ctx.h"
void mh_fork_call_done(RedisModuleForkDoneHandler cb, int exitcode, int bysignal, void *user_data);
int mh_fork_child(void);
void mh_fork_clear(void);
*/
import "C"

import (
	"sync"
	"syscall"
	"unsafe"
)

// forkState is the running module child.
var forkState struct {
	sync.Mutex
	pid    int
	killed bool
	reaped chan struct{}
}

// mhv_fork_started starts the goroutine that waits for the child pid.
//
//export mhv_fork_started
func mhv_fork_started(pid C.int, cb C.RedisModuleForkDoneHandler, userData unsafe.Pointer) {
	defer guardExport(nil, "Fork")
	reaped := make(chan struct{})
	forkState.Lock()
	forkState.pid, forkState.killed, forkState.reaped = int(pid), false, reaped
	forkState.Unlock()
	srv := defaultServer.Load()
	if srv != nil {
		srv.Log.Verbosef("Module fork started pid: %d ", int(pid))
	}
	ud := userData // C memory of the module
	go func() {
		var ws syscall.WaitStatus
		for {
			if _, err := syscall.Wait4(int(pid), &ws, 0, nil); err != syscall.EINTR {
				break
			}
		}
		close(reaped)
		forkState.Lock()
		killed := forkState.killed
		forkState.Unlock()
		if killed || srv == nil {
			return
		}
		code, sig := ws.ExitStatus(), 0
		if ws.Signaled() {
			code, sig = 0, int(ws.Signal())
		}
		srv.Lock()
		defer srv.Unlock()
		srv.Log.Noticef("Module fork exited pid: %d, retcode: %d, bysignal: %d", int(pid), code, sig)
		C.mh_fork_clear()
		C.mh_fork_call_done(cb, C.int(code), C.int(sig), ud)
	}()
}

// apiKillForkChild implements RedisModule_KillForkChild: kills the
// running module child child_pid with SIGUSR1 and waits for it; its done
// handler is not called. REDISMODULE_ERR when child_pid is not the
// running module child.
func apiKillForkChild(childPid C.int) C.int {
	forkState.Lock()
	if childPid <= 0 || int(childPid) != forkState.pid || int(C.mh_fork_child()) != forkState.pid {
		forkState.Unlock()
		return C.REDISMODULE_ERR
	}
	forkState.killed = true
	reaped := forkState.reaped
	forkState.Unlock()
	if srv := defaultServer.Load(); srv != nil {
		srv.Log.Verbosef("Killing running module fork child: %d", int(childPid))
	}
	if syscall.Kill(int(childPid), syscall.SIGUSR1) == nil {
		<-reaped
	}
	C.mh_fork_clear()
	return C.REDISMODULE_OK
}
