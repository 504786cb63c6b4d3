package host

// The crash report for faults in module code: crash.c holds the signal
// handler; this file installs it and writes the parts of the report that
// live in Go (INFO, CLIENT LIST) from a goroutine the handler wakes.

/*
#include <stdlib.h>
#include "crash.h"
*/
import "C"

import (
	"fmt"
	"os"
	"strings"
	"sync"
	"time"
	"unsafe"
)

var crashReporter sync.Once

// crashPipeEnds keeps the signal handler's ends of the reporter pipes
// reachable: an unreachable *os.File is closed by its finalizer at the
// next collection, and the handler would then write to a closed (or
// reused) descriptor.
var crashPipeEnds []*os.File

// installCrashReport installs (or re-targets) the fatal-signal handler of
// crash.c after the Go runtime's, writing reports to srv's log, and starts
// the reporter goroutine once.
func installCrashReport(srv Server) {
	path := ""
	if srv.Logger() != nil {
		path = srv.Logger().Path()
	}
	crashReporter.Do(startCrashReporter)
	_, offset := time.Now().Zone()
	cpath := C.CString(path)
	defer C.free(unsafe.Pointer(cpath))
	C.mh_crash_install(cpath, C.long(offset))
}

// startCrashReporter starts the goroutine that writes INFO and CLIENT
// LIST into a crash report: the signal handler sends one byte and waits
// for one back (Go code cannot run inside the handler itself).
func startCrashReporter() {
	reqR, reqW, err := os.Pipe()
	if err != nil {
		return
	}
	doneR, doneW, err := os.Pipe()
	if err != nil {
		return
	}
	crashPipeEnds = []*os.File{reqW, doneR}
	// Fd puts the handler's ends in blocking mode, which the handler wants.
	C.mh_crash_set_reporter(C.int(reqW.Fd()), C.int(doneR.Fd()))
	go func() {
		b := make([]byte, 1)
		for {
			if _, err := reqR.Read(b); err != nil {
				return
			}
			writeCrashState(defaultServer())
			_, _ = doneW.Write(b)
		}
	}()
}

// writeCrashState appends INFO and CLIENT LIST to srv's log output. The
// command goroutine that holds the server lock is stopped in the signal
// handler, so the state is read without taking the lock.
func writeCrashState(srv Server) {
	if srv == nil {
		return
	}
	text := func() (text string) {
		defer func() {
			if r := recover(); r != nil {
				text = fmt.Sprintf("(server state not gathered: %v)\n", r)
			}
		}()
		info := strings.ReplaceAll(srv.InfoText([]string{"all"}), "\r\n", "\n")
		return "------ INFO OUTPUT ------\n" + info +
			"\n------ CLIENT LIST OUTPUT ------\n" + srv.ClientListText()
	}()
	out := os.Stdout
	if path := srv.Logger().Path(); path != "" {
		f, err := os.OpenFile(path, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o644)
		if err != nil {
			return
		}
		defer f.Close()
		out = f
	}
	_, _ = out.WriteString(text)
}
