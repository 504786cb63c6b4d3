package server

// Rewriting the AOF (BGREWRITEAOF, the automatic rewrite, turning the AOF
// on at run time). Redis forks a child that writes the new base while
// the parent logs writes to a new incr file. modhost cannot fork: it
// takes a snapshot under the lock the way BGSAVE does (values cloned,
// module values encoded at once: rdb_save for an RDB base, aof_rewrite
// for a commands base), opens the new incr file at the same moment so
// every later write lands there, and encodes the snapshot in a
// goroutine. When it is done the base is renamed into the directory, the
// incr files it covers become history and the manifest is persisted
// (backgroundRewriteDoneHandler).

import (
	"errors"
	"fmt"
	"github.com/modhost/modhost/host"
	"io"
	"os"
	"sync/atomic"
	"time"

	"github.com/modhost/modhost/keyspace/rdb"
)

// aofRewrite is one rewrite in flight.
type aofRewrite struct {
	start  time.Time
	tmp    string
	cancel atomic.Bool
	done   chan struct{}
}

// encodeBase returns the function that writes the base for the current
// dataset: an RDB image with aof-use-rdb-preamble, else commands. The
// snapshot is taken now (under the lock). In the background (bg) the RDB
// image is a copy-on-write snapshot (rdb.BeginCOW), and release, to be
// called under the lock once encode has returned, ends it; a commands
// base is a deep clone. Otherwise encode must run under the lock.
func (a *AOF) encodeBase(bg bool) (encode func(io.Writer) error, release func(), err error) {
	if a.s.Config.Bool("aof-use-rdb-preamble") {
		opt := a.p.options()
		opt.AOFBase = true
		opt.Repl = nil // an AOF base has no replication info, as in Redis
		if bg {
			snap, err := a.s.beginCOW(opt)
			if err != nil {
				return nil, nil, err
			}
			return snap.Encode, snap.Release, nil
		}
		snap, err := rdb.TakeSnapshot(a.s.Keys, false, opt)
		if err != nil {
			return nil, nil, err
		}
		return func(w io.Writer) error { return rdb.Encode(w, snap, opt) }, func() {}, nil
	}
	snap, err := a.commandsSnapshot()
	if err != nil {
		return nil, nil, err
	}
	ts := a.s.Config.Bool("aof-timestamp-enabled")
	return func(w io.Writer) error { return writeCommandsBase(w, snap, ts) }, func() {}, nil
}

// writeTemp writes a file with encode, fsyncs it and closes it.
func writeTemp(path string, encode func(io.Writer) error, cancel *atomic.Bool, delay time.Duration) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	err = encode(&cancelWriter{f, cancel, delay})
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		_ = os.Remove(path)
	}
	return err
}

// rewriteSync writes the base file path synchronously
// (rewriteAppendOnlyFile), for the start-up with an empty dataset;
// modules see it as Persistence sync-AOF-start then ended or failed, as
// in Redis.
func (a *AOF) rewriteSync(path string) (err error) {
	a.s.fire(host.EventPersistence, host.SubPersistenceSyncAOFStart)
	defer func() { a.s.fireEnd(host.EventPersistence, err) }()
	encode, _, err := a.encodeBase(false)
	if err == nil {
		tmp := fmt.Sprintf("temp-rewriteaof-%d.aof", os.Getpid())
		if err = writeTemp(tmp, encode, nil, 0); err == nil {
			if err = os.Rename(tmp, path); err != nil {
				_ = os.Remove(tmp)
				a.s.Log.Warningf("Error moving temp append only file on the final destination: %s", errText(err))
				return err
			}
			return nil
		}
	}
	a.s.Log.Warningf("Write error writing append only file on disk: %s", errText(err))
	return err
}

// openNewIncr is openNewIncrAofForAppend: with the AOF on a new incr file
// is added to the manifest and becomes the one written; while the AOF
// waits for its first rewrite, writes go to a temporary incr file.
func (a *AOF) openNewIncr() error {
	if a.state == aofOff {
		return nil
	}
	var m *aofManifest
	var name string
	if a.state == aofWaitRewrite {
		name = a.tempIncrName()
	} else {
		m = a.manifest.clone()
		name = m.newIncrName(a.prefix())
	}
	f, err := os.OpenFile(a.path(name), os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o644)
	if err != nil {
		a.s.Log.Warningf("Can't open the append-only file %s: %s", name, errText(err))
		return err
	}
	if m != nil {
		if err := writeManifest(a.dir(), a.prefix(), m); err != nil {
			a.s.Log.Warningf("%v", err)
			_ = f.Close()
			return err
		}
	}
	a.s.Log.Noticef("Creating AOF incr file %s on background rewrite", name)
	if a.f != nil {
		a.backgroundFsync(a.f, true)
		a.lastFsync = time.Now().Unix()
	}
	a.f = f
	a.incrSize, a.incrFsynced = 0, 0
	if m != nil {
		a.manifest = m
	}
	return nil
}

// tempIncrName is the incr file written while the AOF is being turned on.
func (a *AOF) tempIncrName() string { return "temp-" + a.prefix() + ".incr" }

// rewriteBackground is rewriteAppendOnlyFileBackground.
func (a *AOF) rewriteBackground() error {
	if a.rw != nil {
		return errors.New("rewrite in progress")
	}
	if err := os.MkdirAll(a.dir(), 0o755); err != nil {
		a.s.Log.Warningf("Can't open or create append-only dir %s: %s", a.dir(), errText(err))
		a.lastRewriteOK = false
		return err
	}
	a.seldb = -1
	a.flush(true)
	if err := a.openNewIncr(); err != nil {
		a.lastRewriteOK = false
		return err
	}
	a.rewrites++
	start := time.Now()
	encode, release, err := a.encodeBase(true)
	if err != nil {
		a.s.Log.Warningf("Can't rewrite append only file in background: %v", err)
		a.lastRewriteOK = false
		a.rewriteFailures++
		return err
	}
	rw := &aofRewrite{start: start, tmp: fmt.Sprintf("temp-rewriteaof-bg-%d.aof", os.Getpid()), done: make(chan struct{})}
	a.rw = rw
	a.scheduled = false
	a.s.Log.Noticef("Background append only file rewriting started by pid %d", os.Getpid())
	delay := a.rewriteDelayTest
	go func() {
		defer close(rw.done)
		err := writeTemp(rw.tmp, encode, &rw.cancel, delay)
		if err == nil {
			a.s.Log.Noticef("Successfully created the temporary AOF base file %s", rw.tmp)
		} else if !errors.Is(err, errSaveCancelled) {
			a.s.Log.Warningf("Write error writing append only file on disk: %s", errText(err))
		}
		a.s.lockOutsideYield()
		defer a.s.mu.Unlock()
		release()
		a.rewriteDone(rw, err)
	}()
	return nil
}

// rewriteDone is backgroundRewriteDoneHandler, under the lock.
func (a *AOF) rewriteDone(rw *aofRewrite, err error) {
	if a.rw != rw {
		return
	}
	a.rw = nil
	defer func() {
		_ = os.Remove(rw.tmp)
		if a.state == aofWaitRewrite {
			a.buf = nil
			_ = os.Remove(a.path(a.tempIncrName()))
			if a.f != nil {
				_ = a.f.Close()
				a.f = nil
			}
			a.scheduled = true
		}
		a.lastRewriteSecs = int64(time.Since(rw.start).Seconds())
	}()
	switch {
	case errors.Is(err, errSaveCancelled):
		a.s.Log.Warningf("Background AOF rewrite terminated by signal 10")
		return
	case err != nil:
		a.lastRewriteOK = false
		a.rewriteFailures++
		a.s.Log.Warningf("Background AOF rewrite terminated with error")
		return
	}
	a.s.Log.Noticef("Background AOF rewrite terminated with success")
	m := a.manifest.clone()
	base := m.newBaseName(a.prefix(), a.s.Config.Bool("aof-use-rdb-preamble"))
	if err := os.Rename(rw.tmp, a.path(base)); err != nil {
		a.s.Log.Warningf("Error trying to rename the temporary AOF base file %s into %s: %s", rw.tmp, a.path(base), errText(err))
		a.lastRewriteOK = false
		a.rewriteFailures++
		return
	}
	a.s.Log.Noticef("Successfully renamed the temporary AOF base file %s into %s", rw.tmp, base)
	if a.state == aofWaitRewrite {
		tmpName := a.tempIncrName()
		incr := m.newIncrName(a.prefix())
		a.flush(true)
		if err := os.Rename(a.path(tmpName), a.path(incr)); err != nil {
			a.s.Log.Warningf("Error trying to rename the temporary AOF incr file %s into %s: %s", a.path(tmpName), a.path(incr), errText(err))
			_ = os.Remove(a.path(base))
			a.lastRewriteOK = false
			a.rewriteFailures++
			return
		}
		a.s.Log.Noticef("Successfully renamed the temporary AOF incr file %s into %s", tmpName, incr)
	}
	m.markRewrittenIncrAsHistory(a.f != nil)
	if err := writeManifest(a.dir(), a.prefix(), m); err != nil {
		a.s.Log.Warningf("%v", err)
		_ = os.Remove(a.path(base))
		a.lastRewriteOK = false
		a.rewriteFailures++
		return
	}
	a.manifest = m
	if a.state != aofOff {
		a.curSize = a.fileSize(base) + a.incrSize
		a.baseSize = a.curSize
	}
	a.deleteHistory()
	a.lastRewriteOK = true
	a.rewriteFailures = 0
	a.s.Log.Noticef("Background AOF rewrite finished successfully")
	if a.state == aofWaitRewrite {
		a.state = aofOn
	}
}

// killRewriteLocked stops a rewrite in flight and waits for it, releasing
// the lock meanwhile (killAppendOnlyChild).
func (a *AOF) killRewriteLocked() {
	rw := a.rw
	if rw == nil {
		return
	}
	a.s.Log.Noticef("Killing running AOF rewrite child: %d", os.Getpid())
	rw.cancel.Store(true)
	a.s.mu.Unlock()
	<-rw.done
	a.s.mu.Lock()
}

// WaitRewrite blocks until no rewrite is in flight (tests, shutdown).
// Call it without the lock.
func (a *AOF) WaitRewrite() {
	a.s.mu.Lock()
	rw := a.rw
	a.s.mu.Unlock()
	if rw != nil {
		<-rw.done
	}
}

// Rewrite limiting after repeated failures (aofRewriteLimited).
const (
	aofRewriteLimitThreshold  = 3
	aofRewriteLimitMaxMinutes = 60
)

// rewriteLimited delays automatic rewrites after consecutive failures:
// 1, 2, 4 ... up to 60 minutes.
func (a *AOF) rewriteLimited() bool {
	if a.rewriteFailures < aofRewriteLimitThreshold {
		a.limitDelay, a.limitUntil = 0, 0
		return false
	}
	now := time.Now().Unix()
	if a.limitUntil != 0 {
		if now < a.limitUntil {
			return true
		}
		a.limitUntil = 0
		return false
	}
	if a.limitDelay == 0 {
		a.limitDelay = 1
	} else {
		a.limitDelay *= 2
	}
	if a.limitDelay > aofRewriteLimitMaxMinutes {
		a.limitDelay = aofRewriteLimitMaxMinutes
	}
	a.limitUntil = now + a.limitDelay*60
	a.s.Log.Warningf("Background AOF rewrite has repeatedly failed and triggered the limit, will retry in %d minutes", a.limitDelay)
	return true
}
