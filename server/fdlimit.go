package server

// The open-file limit, sized from maxclients as Redis's
// adjustOpenFilesLimit does: maxclients plus a reserve of descriptors for
// listeners, files and module use. At start-up a limit that cannot be
// raised far enough lowers maxclients (with Redis's warnings), or stops
// the server when not even the reserve fits; CONFIG SET maxclients fails
// with Redis's error when the new value does not fit.

import (
	"errors"
	"fmt"
	"syscall"
)

// minReservedFDs is Redis's CONFIG_MIN_RESERVED_FDS: descriptors kept
// aside from maxclients for listeners, persistence files and the like.
const minReservedFDs = 32

// errFDLimitTooLow is returned by AdjustOpenFilesLimit when the server
// cannot start; the reason has already been logged.
var errFDLimitTooLow = errors.New("open file limit too low")

// rlimitNoFile is the pair of syscalls AdjustOpenFilesLimit uses.
var (
	getNoFile = func(l *syscall.Rlimit) error { return syscall.Getrlimit(syscall.RLIMIT_NOFILE, l) }
	setNoFile = func(l *syscall.Rlimit) error { return syscall.Setrlimit(syscall.RLIMIT_NOFILE, l) }
)

// AdjustOpenFilesLimit raises RLIMIT_NOFILE to maxclients+32 when it is
// lower, trying smaller values 16 at a time as Redis does. When the best
// limit reached is still too low, maxclients is lowered to fit (logged
// with Redis's three warnings); when even the reserve does not fit it
// logs Redis's message and returns an error: the server must exit.
//
// Go's runtime raises the soft limit to the hard limit before main runs,
// so the "originally set to" figure is the limit modhost found, which may
// be higher than the one the shell gave.
func (s *Server) AdjustOpenFilesLimit() error {
	maxclients := uint64(s.Config.Int("maxclients"))
	maxfiles := maxclients + minReservedFDs
	var lim syscall.Rlimit
	if err := getNoFile(&lim); err != nil {
		s.Log.Warningf("Unable to obtain the current NOFILE limit (%v), assuming 1024 and setting the max clients configuration accordingly.", err)
		s.setMaxclientsQuietly(1024 - minReservedFDs)
		return nil
	}
	old := lim.Cur
	if old >= maxfiles {
		return nil
	}
	best := maxfiles
	var setErr error
	for best > old {
		const step = 16
		lim.Cur, lim.Max = best, best
		err := setNoFile(&lim)
		if err == nil {
			break
		}
		setErr = err
		if best < step {
			best = old
			break
		}
		best -= step
	}
	if best < old {
		best = old
	}
	if best >= maxfiles {
		s.Log.Noticef("Increased maximum number of open files to %d (it was originally set to %d).", maxfiles, old)
		return nil
	}
	if best <= minReservedFDs {
		s.Log.Warningf("Your current 'ulimit -n' of %d is not enough for the server to start. Please increase your open file limit to at least %d. Exiting.", old, maxfiles)
		return errFDLimitTooLow
	}
	reduced := best - minReservedFDs
	s.setMaxclientsQuietly(reduced)
	s.Log.Warningf("You requested maxclients of %d requiring at least %d max file descriptors.", maxclients, maxfiles)
	s.Log.Warningf("Server can't set maximum open files to %d because of OS error: %s.", maxfiles, osErrorText(setErr))
	s.Log.Warningf("Current maximum open files is %d. maxclients has been reduced to %d to compensate for low ulimit. If you need higher maxclients increase 'ulimit -n'.", best, reduced)
	return nil
}

// setMaxclientsQuietly stores a lowered maxclients without running the
// CONFIG SET apply step (which would adjust the limit again).
func (s *Server) setMaxclientsQuietly(n uint64) {
	s.Config.StoreQuietly("maxclients", fmt.Sprint(n))
}

// applyMaxclients is the CONFIG SET maxclients apply step: a raised value
// must fit the open-file limit, else Redis's error names the most that
// fits (and Set restores the old value).
func (s *Server) applyMaxclients() error {
	want := s.Config.Int("maxclients")
	// The running server's limit already holds its clients and reserve,
	// so the start-up failure (limit under the reserve) cannot happen here.
	_ = s.AdjustOpenFilesLimit()
	if got := s.Config.Int("maxclients"); got != want {
		s.Log.Warningf("Failed applying new configuration. Possibly related to new maxclients setting. Restoring previous settings.")
		//lint:ignore ST1005 the text is redis-server's own message
		return fmt.Errorf("The operating system is not able to handle the specified number of clients, try with %d", got)
	}
	return nil
}

// osErrorText is strerror's wording for the errors setrlimit gives.
func osErrorText(err error) string {
	var en syscall.Errno
	if errors.As(err, &en) {
		switch en {
		case syscall.EPERM:
			return "Operation not permitted"
		case syscall.EINVAL:
			return "Invalid argument"
		}
	}
	if err == nil {
		return "Success"
	}
	return err.Error()
}
