package server

import (
	"errors"
	"fmt"
	"github.com/modhost/modhost/host"
	"io"
	"os"
	"path/filepath"
	"sync/atomic"
	"time"

	"github.com/modhost/modhost/keyspace"
	"github.com/modhost/modhost/keyspace/rdb"
)

// RDB is the server's RDB persistence: SAVE, BGSAVE, save points, the
// start-up load, DEBUG RELOAD and the save at shutdown. Install it with
// EnablePersistence. Its fields are guarded by the server lock.
type RDB struct {
	s *Server
	// ModuleLoader and ModuleSaver plug module data types in (nil: module
	// values cannot be saved, and a file holding them cannot be loaded).
	ModuleLoader rdb.ModuleLoader
	ModuleSaver  rdb.ModuleSaver

	lastSave   time.Time
	lastBgTry  time.Time
	lastBgOK   bool
	lastBgSecs int64
	saves      int64
	// loadedRepl is the replication info of the last file loaded (its
	// repl-* aux fields), applied at start-up.
	loadedRepl    *rdb.ReplInfo
	loaded        int64
	expired       int64
	bg            *bgSave
	aof           *AOF
	lastPause     time.Duration
	saveDelayTest time.Duration // test hook: slows BGSAVE down
}

// bgSave is one BGSAVE in flight.
type bgSave struct {
	start  time.Time
	dirty  int64
	cancel atomic.Bool
	done   chan struct{}
}

// EnablePersistence installs RDB persistence on s: the SAVE, BGSAVE and
// LASTSAVE commands, DEBUG RELOAD/DIGEST/DIGEST-VALUE, INFO persistence
// and the save-point cron. It does not load anything: call LoadAtStartup.
func EnablePersistence(s *Server) *RDB {
	p := &RDB{s: s, lastSave: time.Now(), lastBgOK: true, lastBgSecs: -1}
	s.Persist = p
	registerPersistCommands(s, p)
	p.aof = newAOF(p)
	go p.cron()
	return p
}

// path returns dir/dbfilename (dir is the process's working directory).
func (p *RDB) path() string { return p.s.Config.String("dbfilename") }

// options returns the encoder options from the configuration.
func (p *RDB) options() rdb.Options {
	c := p.s.Config
	return rdb.Options{
		Version:  int(c.Int("rdb-version")),
		Compress: c.Bool("rdbcompression"),
		Checksum: c.Bool("rdbchecksum"),
		RedisVer: RedisVersion,
		UsedMem:  int64(usedMemory()),
		ListFill: int(c.Int("list-max-listpack-size")),
		Modules:  p.ModuleSaver,
		// a nil FunctionStore converts to a nil FunctionSaver
		Functions: p.s.functions,

		KeyDone: keySaveDelay(c.Int("rdb-key-save-delay"), nil),
		Repl:    p.s.replSaveInfo(),
	}
}

// writeFile encodes the file into tmp with encode, fsyncs it and renames
// it over the database file, as rdbSave does.
func (p *RDB) writeFile(tmp string, encode func(io.Writer) error, cancel *atomic.Bool) error {
	f, err := os.Create(tmp)
	if err != nil {
		wd, _ := os.Getwd()
		p.logLocked(func() {
			p.s.Log.Warningf("Failed opening the temp RDB file %s (in server root dir %s) for saving: %v", tmp, wd, errText(err))
		})
		return err
	}
	err = encode(&cancelWriter{f, cancel, p.saveDelayTest})
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		if err = os.Rename(tmp, p.path()); err != nil {
			wd, _ := os.Getwd()
			p.logLocked(func() {
				p.s.Log.Warningf("Error moving temp DB file %s on the final destination %s (in server root dir %s): %v", tmp, p.path(), wd, errText(err))
			})
		}
	} else if _, enc := err.(*encodeError); !enc && !errors.Is(err, errSaveCancelled) {
		p.logLocked(func() { p.s.Log.Warningf("Write error saving DB on disk: %v", errText(err)) })
	}
	if err != nil {
		_ = os.Remove(tmp)
		return err
	}
	if d, derr := os.Open(filepath.Dir(p.path())); derr == nil {
		_ = d.Sync()
		_ = d.Close()
	}
	return nil
}

// logLocked runs fn; logging is safe from any goroutine.
func (p *RDB) logLocked(fn func()) { fn() }

// errText is strerror-like text for an error.
func errText(err error) string {
	var pe *os.PathError
	if errors.As(err, &pe) {
		return pe.Err.Error()
	}
	var le *os.LinkError
	if errors.As(err, &le) {
		return le.Err.Error()
	}
	return err.Error()
}

var errSaveCancelled = errors.New("save cancelled")

// cancelWriter stops a background save when it is cancelled.
type cancelWriter struct {
	f      *os.File
	cancel *atomic.Bool
	delay  time.Duration
}

func (w *cancelWriter) Write(b []byte) (int, error) {
	if w.cancel != nil && w.cancel.Load() {
		return 0, errSaveCancelled
	}
	if w.delay > 0 {
		time.Sleep(w.delay)
	}
	return w.f.Write(b)
}

// encodeError is a save that failed for another reason than I/O (a
// module value that cannot be saved).
type encodeError struct{ err error }

func (e *encodeError) Error() string { return e.err.Error() }

// errWriter remembers the first error of the writer it wraps, so that a
// save can tell I/O failures from encoding ones.
type errWriter struct {
	w   io.Writer
	err error
}

func (e *errWriter) Write(b []byte) (int, error) {
	n, err := e.w.Write(b)
	if err != nil && e.err == nil {
		e.err = err
	}
	return n, err
}

// SaveLocked is rdbSave: a synchronous save of the live keyspace. Call it
// under the server lock.
func (p *RDB) SaveLocked() (err error) {
	p.s.fire(host.EventPersistence, host.SubPersistenceSyncRDBStart)
	defer func() { p.s.fireEnd(host.EventPersistence, err) }()
	opt := p.options()
	err = p.writeFile(fmt.Sprintf("temp-%d.rdb", os.Getpid()), func(w io.Writer) error {
		cw := &errWriter{w: w}
		err := rdb.Save(cw, p.s.Keys, opt)
		if err != nil && cw.err == nil {
			return &encodeError{err}
		}
		return err
	}, nil)
	if ee, ok := err.(*encodeError); ok {
		p.s.Log.Warningf("Error saving DB: %v", ee.err)
		return ee.err
	}
	if err != nil {
		return err
	}
	p.s.Log.Noticef("DB saved on disk")
	p.s.Keys.Dirty = 0
	p.lastSave = time.Now()
	p.lastBgOK = true // a good SAVE clears a failed BGSAVE, as rdbSave does
	p.saves++
	return nil
}

// BackgroundLocked is rdbSaveBackground. Redis forks; modhost cannot fork
// a Go process, so it starts a copy-on-write snapshot under the lock
// (rdb.BeginCOW: one walk that copies key names and value pointers, no
// value) and encodes it in a goroutine while clients are served; a write
// to a key the encoder has not written yet first hands it the old value.
// Call it under the server lock.
func (p *RDB) BackgroundLocked() error {
	if p.bg != nil {
		return errors.New("ERR Background save already in progress")
	}
	opt := p.options()
	p.lastBgTry = time.Now()
	start := time.Now()
	snap, err := p.s.beginCOW(opt)
	p.lastPause = time.Since(start)
	if err != nil {
		p.s.Log.Warningf("Can't save in background: %v", err)
		p.lastBgOK = false
		return err
	}
	bg := &bgSave{start: start, dirty: p.s.Keys.Dirty, done: make(chan struct{})}
	p.bg = bg
	snap.SetKeyDone(keySaveDelay(p.s.Config.Int("rdb-key-save-delay"), &bg.cancel))
	p.s.Log.Noticef("Background saving started by pid %d", os.Getpid())
	p.s.Log.Verbosef("BGSAVE snapshot taken in %.3f ms", float64(p.lastPause.Microseconds())/1000)
	go func() {
		defer close(bg.done)
		err := p.writeFile(fmt.Sprintf("temp-bg-%d.rdb", os.Getpid()), snap.Encode, &bg.cancel)
		p.s.lockOutsideYield()
		defer p.s.mu.Unlock()
		snap.Release()
		p.finishBackground(bg, err)
	}()
	return nil
}

// beginCOW starts a copy-on-write snapshot of the keyspace whose encoder
// takes the server lock (outside yield windows) for module values. Call
// it under the lock.
func (s *Server) beginCOW(opt rdb.Options) (*rdb.COW, error) {
	return rdb.BeginCOW(s.Keys, opt, s.lockOutsideYield, s.mu.Unlock)
}

// finishBackground is backgroundSaveDoneHandler, under the lock.
func (p *RDB) finishBackground(bg *bgSave, err error) {
	if p.bg != bg {
		return
	}
	p.bg = nil
	p.lastBgSecs = int64(time.Since(bg.start).Seconds())
	switch {
	case errors.Is(err, errSaveCancelled):
		p.s.Log.Warningf("Background saving terminated by signal 10")
	case err != nil:
		p.s.Log.Warningf("Background saving error")
		p.lastBgOK = false
	default:
		p.s.Log.Noticef("DB saved on disk")
		p.s.Log.Noticef("Background saving terminated with success")
		p.s.Keys.Dirty -= bg.dirty
		p.lastSave = bg.start
		p.lastBgOK = true
		p.saves++
	}
}

// killBackgroundLocked cancels a BGSAVE in flight and waits for it,
// releasing the lock meanwhile (killRDBChild).
func (p *RDB) killBackgroundLocked() {
	bg := p.bg
	if bg == nil {
		return
	}
	bg.cancel.Store(true)
	p.s.mu.Unlock()
	<-bg.done
	p.s.mu.Lock()
}

// WaitBackground blocks until no BGSAVE is in flight (tests, shutdown).
// Call it without the lock.
func (p *RDB) WaitBackground() {
	p.s.mu.Lock()
	bg := p.bg
	p.s.mu.Unlock()
	if bg != nil {
		<-bg.done
	}
}

// SaveForShutdown saves before SHUTDOWN or SIGTERM (called under the lock).
func (p *RDB) SaveForShutdown() error {
	p.killBackgroundLocked()
	return p.SaveLocked()
}

// HasSavePoints reports whether the save directive has rules (SIGTERM
// saves then).
func (p *RDB) HasSavePoints() bool { return len(p.s.Config.SaveParams()) > 0 }

// FlushedAll applies FLUSHALL's persistence semantics under the lock: a
// BGSAVE in flight is killed and, with save points, the empty dataset is
// saved at once.
func (p *RDB) FlushedAll() {
	p.killBackgroundLocked()
	if p.HasSavePoints() && p.SaveLocked() == nil {
		p.s.Keys.Dirty = 1 // Redis counts the FLUSHALL itself after the save
	}
}

// cron checks the save points, as serverCron does.
func (p *RDB) cron() {
	t := time.NewTicker(100 * time.Millisecond)
	defer t.Stop()
	for {
		select {
		case <-p.s.shutdown:
			return
		case <-t.C:
		}
		p.s.lockOutsideYield()
		p.checkSavePoints()
		p.aof.cron()
		p.s.mu.Unlock()
	}
}

// bgsaveRetryDelay is CONFIG_BGSAVE_RETRY_DELAY.
const bgsaveRetryDelay = 5 * time.Second

func (p *RDB) checkSavePoints() {
	if p.bg != nil || p.s.load.on {
		return
	}
	now := time.Now()
	dirty := p.s.Keys.Dirty
	for _, sp := range p.s.Config.SaveParams() {
		elapsed := int64(now.Sub(p.lastSave).Seconds())
		if dirty >= sp.Changes && elapsed > sp.Seconds &&
			(p.lastBgOK || now.Sub(p.lastBgTry) > bgsaveRetryDelay) {
			p.s.Log.Noticef("%d changes in %d seconds. Saving...", sp.Changes, sp.Seconds)
			_ = p.BackgroundLocked()
			return
		}
	}
}

// InfoLines returns the INFO persistence section.
func (p *RDB) InfoLines() []string {
	inProgress, cur := 0, int64(-1)
	if p.bg != nil {
		inProgress, cur = 1, int64(time.Since(p.bg.start).Seconds())
	}
	status := "ok"
	if !p.lastBgOK {
		status = "err"
	}
	loading := 0
	if p.s.load.on {
		loading = 1
	}
	lines := []string{
		fmt.Sprintf("loading:%d", loading),
		"async_loading:0",
		"current_cow_peak:0",
		"current_cow_size:0",
		"current_cow_size_age:0",
		"current_fork_perc:0.00",
		"current_save_keys_processed:0",
		"current_save_keys_total:0",
		fmt.Sprintf("rdb_changes_since_last_save:%d", p.s.Keys.Dirty),
		fmt.Sprintf("rdb_bgsave_in_progress:%d", inProgress),
		fmt.Sprintf("rdb_last_save_time:%d", p.lastSave.Unix()),
		"rdb_last_bgsave_status:" + status,
		fmt.Sprintf("rdb_last_bgsave_time_sec:%d", p.lastBgSecs),
		fmt.Sprintf("rdb_current_bgsave_time_sec:%d", cur),
		fmt.Sprintf("rdb_saves:%d", p.saves),
		"rdb_last_cow_size:0",
		fmt.Sprintf("rdb_last_load_keys_expired:%d", p.expired),
		fmt.Sprintf("rdb_last_load_keys_loaded:%d", p.loaded),
	}
	lines = append(lines, p.aof.infoLines()...)
	lines = append(lines, p.s.loadingInfoLines()...)
	return append(lines, fmt.Sprintf("modhost_bgsave_snapshot_pause_us:%d", p.lastPause.Microseconds()))
}

// loadFile loads the database file into the (empty) keyspace under the
// lock. A missing file is not an error (ok false).
func (p *RDB) loadFile() (ok bool, err error) {
	data, err := os.ReadFile(p.path())
	if errors.Is(err, os.ErrNotExist) {
		return false, nil
	}
	if err != nil {
		p.s.Log.Warningf("Fatal error: can't open the RDB file %s for reading: %s", p.path(), errText(err))
		return false, err
	}
	log := p.s.Log
	lastProgress := time.Now()
	p.s.startLoadingLocked(int64(len(data)), host.SubLoadingRDBStart)
	defer func() { p.s.stopLoadingLocked(err) }()
	p.s.flushFunctions()
	st, err := rdb.Load(data, p.s.Keys, rdb.LoadOptions{
		Modules:        p.ModuleLoader,
		Functions:      p.s.functions,
		VerifyChecksum: p.s.Config.Bool("rdbchecksum") && !p.s.skipChecksum,
		NowMs:          time.Now().UnixMilli(),
		Notice:         func(m string) { log.Noticef("%s", m) },
		Warning:        func(m string) { log.Warningf("%s", m) },
		ProgressEvery:  4096,
		KeyDone:        p.s.loadKeyDone(0),
		Progress: func(n int64) {
			if time.Since(lastProgress) >= 2*time.Second {
				lastProgress = time.Now()
				log.Noticef("Loading RDB... %d keys", n)
			}
		},
	})
	p.loaded, p.expired = st.Loaded, st.Expired
	p.loadedRepl = st.Repl
	if err != nil {
		p.reportLoadError(err)
		// Never serve part of a file: drop what was loaded before the error.
		p.s.Keys.FlushAll()
		p.s.flushFunctions()
		p.loaded, p.expired = 0, 0
		return true, err
	}
	if st.Skipped > 0 {
		log.Noticef("Done loading RDB, keys loaded: %d, keys expired: %d, empty keys skipped: %d.", st.Loaded, st.Expired, st.Skipped)
	} else {
		log.Noticef("Done loading RDB, keys loaded: %d, keys expired: %d.", st.Loaded, st.Expired)
	}
	return true, nil
}

// reportLoadError logs a load failure with Redis's lines.
func (p *RDB) reportLoadError(err error) {
	log := p.s.Log
	var ce *rdb.CorruptError
	var fe *rdb.FatalError
	var se *rdb.ShortReadError
	switch {
	case errors.As(err, &fe):
		log.Warningf("%s", fe.Msg)
	case errors.As(err, &ce):
		log.Warningf("Internal error in RDB reading offset %d, function at %s -> %s", ce.Offset, orUnknown(ce.Where), ce.Msg)
		log.Warningf("Terminating server after rdb file reading failure.")
	case errors.As(err, &se):
		log.Warningf("Short read or OOM loading DB. Unrecoverable error, aborting now.")
		log.Warningf("Internal error in RDB reading offset %d, function at %s -> %s", se.Offset, orUnknown(se.Where), se.Error())
		log.Warningf("Terminating server after rdb file reading failure.")
	default:
		log.Warningf("%v", err)
	}
}

// orUnknown is where, or "?" when the decoder did not record it.
func orUnknown(where string) string {
	if where == "" {
		return "?"
	}
	return where
}

// LoadAtStartup removes temporary files of saves that were killed, then
// loads the AOF directory when appendonly is yes, else dir/dbfilename if
// it exists, logging as Redis does. A non-nil error means the server must
// exit with status 1 (the file is left untouched).
func (p *RDB) LoadAtStartup() error {
	p.s.mu.Lock()
	defer p.s.mu.Unlock()
	p.removeStaleTempFiles()
	if _, err := p.aof.loadAtStartup(); err != nil {
		return err
	}
	if p.aof.Enabled() {
		p.s.Keys.Dirty = 0
		return nil
	}
	start := time.Now()
	ok, err := p.loadFile()
	if err != nil {
		p.s.Log.Warningf("Fatal error loading the DB, check server logs. Exiting.")
		return err
	}
	if ok {
		p.s.Log.Noticef("DB loaded from disk: %.3f seconds", time.Since(start).Seconds())
		p.s.restoreReplInfo(p.loadedRepl)
	}
	p.s.Keys.Dirty = 0
	return nil
}

// ReloadLocked is DEBUG RELOAD: save, empty the keyspace, load the file.
func (p *RDB) ReloadLocked() error {
	p.killBackgroundLocked()
	if err := p.SaveLocked(); err != nil {
		return err
	}
	p.s.fireFlush(host.SubFlushStart, -1)
	p.s.touchWatchedDB(-1)
	p.s.trackingFlush()

	p.s.signalFlushedKeys(-1)
	p.s.Keys.FlushAll()
	p.s.fireFlush(host.SubFlushEnd, -1)
	if _, err := p.loadFile(); err != nil {
		return err
	}
	p.s.Keys.Dirty = 0
	p.s.Log.Noticef("DB reloaded by DEBUG RELOAD")
	return nil
}

// AOF returns the append-only file state.
func (p *RDB) AOF() *AOF { return p.aof }

// ShutdownAOF flushes and fsyncs the AOF and stops a rewrite in flight,
// as Redis does before it exits. Call it without the lock.
func (p *RDB) ShutdownAOF() {
	p.s.mu.Lock()
	defer p.s.mu.Unlock()
	p.aof.shutdownLocked()
}

// usedMemory is the used-mem aux field.
func usedMemory() uint64 { return heapInUse() }

// keyspaceDigest is DEBUG DIGEST.
func keyspaceDigest(ks *keyspace.Keyspace) string { return rdb.DatasetDigest(ks).String() }
