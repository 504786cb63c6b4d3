package server

import (
	"os"
	"regexp"
	"strconv"
	"syscall"
)

// staleTempName matches the temporary files a save writes before renaming
// them over dbfilename: Redis's temp-<pid>.rdb and modhost's
// temp-bg-<pid>.rdb of a background save.
var staleTempName = regexp.MustCompile(`^temp-(?:bg-)?([0-9]+)\.rdb$`)

// removeStaleTempFiles deletes, from the working directory, temporary RDB
// files whose writer is gone (a save killed with the server). They are
// never loaded: only dbfilename is. A file of a process that is still
// running (another server saving in the same directory) is left alone.
func (p *RDB) removeStaleTempFiles() {
	entries, err := os.ReadDir(".")
	if err != nil {
		return
	}
	self := os.Getpid()
	for _, e := range entries {
		m := staleTempName.FindStringSubmatch(e.Name())
		if m == nil || !e.Type().IsRegular() {
			continue
		}
		pid, err := strconv.Atoi(m[1])
		if err != nil || (pid != self && processAlive(pid)) {
			continue
		}
		if err := os.Remove(e.Name()); err != nil {
			p.s.Log.Warningf("Can't remove stale temporary RDB file %s: %s", e.Name(), errText(err))
			continue
		}
		p.s.Log.Noticef("Removed stale temporary RDB file %s left by an interrupted save", e.Name())
	}
}

// processAlive reports whether a process with this id exists.
func processAlive(pid int) bool {
	if pid <= 0 {
		return false
	}
	err := syscall.Kill(pid, 0)
	return err == nil || err == syscall.EPERM
}
