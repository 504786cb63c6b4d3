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

	"github.com/modhost/modhost/internal/logging"
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
	srv := defaultServer()
	if srv != nil {
		srv.Logger().Verbosef("Module fork started pid: %d ", int(pid))
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
		code, sig := forkExitStatus(ws)
		srv.Lock()
		defer srv.Unlock()
		srv.Logger().Noticef("Module fork exited pid: %d, retcode: %d, bysignal: %d", int(pid), code, sig)
		C.mh_fork_clear()
		C.mh_fork_call_done(cb, C.int(code), C.int(sig), ud)
	}()
}

// childNoErrorRetval is the exit code of a child ended by SIGUSR1
// (Redis's SERVER_CHILD_NOERROR_RETVAL).
const childNoErrorRetval = 255

// forkExitStatus turns the child's wait status into the (exitcode,
// bysignal) pair Redis's checkChildrenDone reports: -1 and the signal for
// a child killed by a signal, 1 and SIGUSR1 for one that exited through
// its SIGUSR1 handler.
func forkExitStatus(ws syscall.WaitStatus) (code, sig int) {
	if ws.Signaled() {
		return -1, int(ws.Signal())
	}
	code = ws.ExitStatus()
	if code == childNoErrorRetval {
		return 1, int(syscall.SIGUSR1)
	}
	return code, 0
}

// mhv_fork_log_target tells mh_Fork where the child's signal handler logs
// its verbose line: -1 when verbose lines are not logged, 0 for standard
// output, 1 for the log file, whose path it copies into path (size bytes,
// NUL-terminated; -1 when it does not fit).
//
//export mhv_fork_log_target
func mhv_fork_log_target(path *C.char, size C.int) C.int {
	defer guardExport(nil, "Fork")
	srv := defaultServer()
	if srv == nil || srv.Logger() == nil || !srv.Logger().Enabled(logging.Verbose) {
		return -1
	}
	p := srv.Logger().Path()
	if p == "" {
		return 0
	}
	if len(p)+1 > int(size) {
		return -1
	}
	buf := unsafe.Slice((*byte)(unsafe.Pointer(path)), int(size))
	copy(buf, p)
	buf[len(p)] = 0
	return 1
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
	if srv := defaultServer(); srv != nil {
		srv.Logger().Verbosef("Killing running module fork child: %d", int(childPid))
	}
	if syscall.Kill(int(childPid), syscall.SIGUSR1) == nil {
		<-reaped
	}
	C.mh_fork_clear()
	return C.REDISMODULE_OK
}
