package server

// The append-only file, as Redis 7.0+ keeps it: a directory
// (appenddirname) holding a base file (an RDB image, or commands), the
// incremental files that log every write since, and a manifest that
// lists them (aof_manifest.go). The AOF is a sink of the propagation
// feed (propagate.go): each op arrives in the form that replays it
// (absolute expiry times, MULTI/EXEC around what one command caused),
// is appended to a buffer, and the buffer is written to the incr file
// when the top-level command's ops have all been emitted, before the
// reply leaves (the batch's replies are written after the lock is
// released). appendfsync always fsyncs there; everysec fsyncs from the
// cron at most once a second, off the lock; no leaves it to the kernel.
//
// Loading is aof_load.go, rewriting (BGREWRITEAOF, the automatic
// rewrite, turning the AOF on at run time) aof_rewrite.go, and the base
// written as commands aof_commands.go.

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"sync/atomic"
	"time"

	"github.com/modhost/modhost/commands"
)

// aofState is Redis's aof_state.
type aofState int

const (
	aofOff         aofState = iota // appendonly no
	aofOn                          // writing the incr file
	aofWaitRewrite                 // turned on at run time: waiting for the first rewrite
)

// AOF is the server's append-only file. Its fields are guarded by the
// server lock.
type AOF struct {
	s *Server
	p *RDB

	state    aofState
	manifest *aofManifest
	loadBase int64    // bytes of the directory's files loaded before this one
	f        *os.File // the incr file being appended to (nil when off)
	buf      []byte   // ops not written yet
	seldb    int      // database the file's stream has selected (-1: none)
	curTS    int64    // last #TS annotation written

	curSize        int64 // aof_current_size
	baseSize       int64 // aof_rewrite_base_size
	incrSize       int64 // aof_last_incr_size
	incrFsynced    int64 // aof_last_incr_fsync_offset
	lastFsync      int64 // unix seconds of the last fsync
	fsyncing       atomic.Bool
	lastWriteOK    bool
	lastWriteErr   string // strerror of the last failed write (ENOSPC for a short one)
	lastWriteErrAt int64
	delayedFsync   int64

	rw               *aofRewrite
	scheduled        bool
	lastRewriteSecs  int64
	lastRewriteOK    bool
	rewrites         int64
	rewriteFailures  int64
	loading          bool
	flushSleep       time.Duration // DEBUG AOF-FLUSH-SLEEP
	limitDelay       int64         // minutes of the current rewrite limit
	limitUntil       int64         // unix seconds the limit ends
	rewriteDelayTest time.Duration // test hook: slows the rewrite down
}

// newAOF creates the AOF state of p's server and subscribes it to the
// propagation feed.
func newAOF(p *RDB) *AOF {
	a := &AOF{s: p.s, p: p, seldb: -1, manifest: &aofManifest{}, lastWriteOK: true, lastRewriteOK: true, lastRewriteSecs: -1}
	p.s.AddPropagationSink(a)
	registerAOFCommands(p.s, a)
	p.s.Config.SetApply("appendonly", a.applyAppendonly)
	return a
}

// dir is appenddirname (relative to the working directory, which is dir).
func (a *AOF) dir() string { return a.s.Config.String("appenddirname") }

// prefix is appendfilename, the stem of every file name in the directory.
func (a *AOF) prefix() string { return a.s.Config.String("appendfilename") }

// path returns the path of a file of the directory.
func (a *AOF) path(name string) string { return filepath.Join(a.dir(), name) }

// Enabled reports whether the AOF is on (or being turned on).
func (a *AOF) Enabled() bool { return a.state != aofOff }

// Wants takes AOF ops while the AOF is on, and while a rewrite that turns
// it on runs (they go to the temporary incr file).
func (a *AOF) Wants(target int) bool {
	if target&PropagateAOF == 0 || a.loading || a.f == nil {
		return false
	}
	return a.state == aofOn || (a.state == aofWaitRewrite && a.rw != nil)
}

// Propagate appends one op (feedAppendOnlyFile): a #TS annotation when
// aof-timestamp-enabled and the second changed, a SELECT when the
// database is not the stream's, then the command.
func (a *AOF) Propagate(db int, argv [][]byte, _ int) {
	if a.s.Config.Bool("aof-timestamp-enabled") {
		if now := time.Now().Unix(); a.curTS < now {
			a.curTS = now
			a.buf = fmt.Appendf(a.buf, "#TS:%d\r\n", now)
		}
	}
	if db >= 0 && db != a.seldb {
		d := strconv.Itoa(db)
		a.buf = fmt.Appendf(a.buf, "*2\r\n$6\r\nSELECT\r\n$%d\r\n%s\r\n", len(d), d)
		a.seldb = db
	}
	a.buf = appendCommand(a.buf, argv)
}

// EndBatch writes what the ops of one top-level command appended
// (propagatePending calls it once they are all emitted).
func (a *AOF) EndBatch() { a.flush(false) }

// flush is flushAppendOnlyFile: write the buffer, then fsync as
// appendfsync says.
func (a *AOF) flush(force bool) {
	if a.f == nil {
		return
	}
	policy := a.s.Config.String("appendfsync")
	now := time.Now().Unix()
	if len(a.buf) > 0 {
		if a.flushSleep > 0 {
			time.Sleep(a.flushSleep)
		}
		n, err := a.f.Write(a.buf)
		if err != nil || n != len(a.buf) {
			a.writeFailed(n, err, policy)
			return
		}
		if !a.lastWriteOK {
			a.s.Log.Noticef("AOF write error looks solved, Redis can write again.")
			a.lastWriteOK = true
		}
		a.curSize += int64(n)
		a.incrSize += int64(n)
		if cap(a.buf) < 4000 {
			a.buf = a.buf[:0]
		} else {
			a.buf = nil
		}
	}
	if a.incrFsynced == a.incrSize {
		return
	}
	if a.s.Config.Bool("no-appendfsync-on-rewrite") && (a.rw != nil || a.p.bg != nil) {
		return
	}
	switch {
	case policy == "always":
		if err := a.f.Sync(); err != nil {
			a.s.Log.Warningf("Can't persist AOF for fsync error when the AOF fsync policy is 'always': %s. Exiting...", errText(err))
			os.Exit(1)
		}
		a.incrFsynced, a.lastFsync = a.incrSize, now
	case policy == "everysec" && (now > a.lastFsync || force):
		if a.fsyncing.Load() {
			a.delayedFsync++
			return
		}
		a.backgroundFsync(a.f, false)
		a.incrFsynced, a.lastFsync = a.incrSize, now
	}
}

// writeFailed handles a failed or short write as Redis does: with
// appendfsync always the server exits; otherwise a short write is cut
// off the file, the buffer is kept for the next try and writes are
// reported as failing (aof_last_write_status:err).
func (a *AOF) writeFailed(n int, err error, policy string) {
	now := time.Now().Unix()
	canLog := now-a.lastWriteErrAt > 30
	if canLog {
		a.lastWriteErrAt = now
		if err != nil {
			a.s.Log.Warningf("Error writing to the AOF file: %s", errText(err))
		} else {
			a.s.Log.Warningf("Short write while writing to the AOF file: (nwritten=%d, expected=%d)", n, len(a.buf))
		}
	}
	if n > 0 {
		if terr := a.f.Truncate(a.incrSize); terr == nil {
			_, _ = a.f.Seek(0, 2)
			n = 0
		}
	}
	a.lastWriteErr = "No space left on device"
	if err != nil {
		a.lastWriteErr = errText(err)
	}
	if policy == "always" {
		a.s.Log.Warningf("Can't recover from AOF write error when the AOF fsync policy is 'always'. Exiting...")
		os.Exit(1)
	}
	a.lastWriteOK = false
	if n > 0 {
		a.curSize += int64(n)
		a.incrSize += int64(n)
		a.buf = a.buf[n:]
	}
}

// backgroundFsync fsyncs f off the lock (aof_background_fsync), closing
// it afterwards when it was replaced.
func (a *AOF) backgroundFsync(f *os.File, closeAfter bool) {
	if !closeAfter {
		a.fsyncing.Store(true)
	}
	go func() {
		if err := f.Sync(); err != nil && !closeAfter {
			a.s.Log.Warningf("Fail to fsync the AOF file: %s", errText(err))
		}
		if closeAfter {
			_ = f.Close()
		} else {
			a.fsyncing.Store(false)
		}
	}()
}

// cron runs the AOF's periodic work under the lock: the everysec fsync
// of a buffer already written, a write that failed before, the
// scheduled and the automatic rewrite.
func (a *AOF) cron() {
	if a.state != aofOff {
		a.flush(false)
	}
	if a.rw == nil && a.p.bg == nil && a.scheduled && !a.loading {
		_ = a.rewriteBackground()
	}
	if a.state == aofOn && a.rw == nil && a.p.bg == nil {
		perc := a.s.Config.Int("auto-aof-rewrite-percentage")
		if perc > 0 && a.curSize > a.s.Config.Int("auto-aof-rewrite-min-size") {
			base := a.baseSize
			if base == 0 {
				base = 1
			}
			growth := a.curSize*100/base - 100
			if growth >= perc && !a.rewriteLimited() {
				a.s.Log.Noticef("Starting automatic rewriting of AOF on %d%% growth", growth)
				_ = a.rewriteBackground()
			}
		}
	}
}

// shutdownLocked flushes and fsyncs the AOF before the process exits
// and stops a rewrite in flight (prepareForShutdown).
func (a *AOF) shutdownLocked() {
	a.killRewriteLocked()
	if a.state == aofOff || a.f == nil {
		return
	}
	a.flush(true)
	if err := a.f.Sync(); err != nil {
		a.s.Log.Warningf("Fail to fsync the AOF file: %s", errText(err))
	}
}

// applyAppendonly is CONFIG SET appendonly (updateAppendonly).
func (a *AOF) applyAppendonly() error {
	on := a.s.Config.Bool("appendonly")
	switch {
	case !on && a.state != aofOff:
		a.stop()
	case on && a.state == aofOff:
		if err := a.start(); err != nil {
			return logLine("Unable to turn on AOF. Check server logs.")
		}
	}
	return nil
}

// stop is stopAppendOnly: flush, fsync and close the incr file.
func (a *AOF) stop() {
	a.flush(true)
	if a.f != nil {
		if err := a.f.Sync(); err != nil {
			a.s.Log.Warningf("Fail to fsync the AOF file: %s", errText(err))
		} else {
			a.lastFsync = time.Now().Unix()
		}
		_ = a.f.Close()
	}
	a.f = nil
	a.seldb = -1
	a.state = aofOff
	a.scheduled = false
	a.incrSize, a.incrFsynced = 0, 0
	a.killRewriteLocked()
	a.buf = nil
}

// start is startAppendOnly: the AOF waits for a rewrite that writes the
// dataset as a new base, then logs to the incr file opened meanwhile.
func (a *AOF) start() error {
	a.state = aofWaitRewrite
	switch {
	case a.p.bg != nil:
		a.scheduled = true
		a.s.Log.Noticef("AOF was enabled but there is already another background operation. An AOF background was scheduled to start when possible.")
	case a.s.current != nil && a.s.current.inExec:
		a.scheduled = true
		a.s.Log.Noticef("AOF was enabled during a transaction. An AOF background was scheduled to start when possible.")
	default:
		if a.rw != nil {
			a.s.Log.Noticef("AOF was enabled but there is already an AOF rewriting in background. Stopping background AOF and starting a rewrite now.")
			a.killRewriteLocked()
		}
		if err := a.rewriteBackground(); err != nil {
			a.state = aofOff
			a.s.Log.Warningf("Redis needs to enable the AOF but can't trigger a background AOF rewrite operation. Check the above logs for more info about the error.")
			return err
		}
	}
	a.lastFsync = time.Now().Unix()
	if !a.lastWriteOK {
		a.s.Log.Warningf("AOF reopen, just ignore the last error.")
		a.lastWriteOK = true
	}
	return nil
}

// infoLines returns the aof_* lines of INFO persistence.
func (a *AOF) infoLines() []string {
	inProgress, cur := 0, int64(-1)
	if a.rw != nil {
		inProgress, cur = 1, int64(time.Since(a.rw.start).Seconds())
	}
	status := func(ok bool) string {
		if ok {
			return "ok"
		}
		return "err"
	}
	lines := []string{
		fmt.Sprintf("aof_enabled:%d", b2i(a.state != aofOff)),
		fmt.Sprintf("aof_rewrite_in_progress:%d", inProgress),
		fmt.Sprintf("aof_rewrite_scheduled:%d", b2i(a.scheduled)),
		fmt.Sprintf("aof_last_rewrite_time_sec:%d", a.lastRewriteSecs),
		fmt.Sprintf("aof_current_rewrite_time_sec:%d", cur),
		"aof_last_bgrewrite_status:" + status(a.lastRewriteOK),
		fmt.Sprintf("aof_rewrites:%d", a.rewrites),
		fmt.Sprintf("aof_rewrites_consecutive_failures:%d", a.rewriteFailures),
		"aof_last_write_status:" + status(a.lastWriteOK),
		"aof_last_cow_size:0",
		"module_fork_in_progress:0",
		"module_fork_last_cow_size:0",
	}
	if a.state != aofOff {
		lines = append(lines,
			fmt.Sprintf("aof_current_size:%d", a.curSize),
			fmt.Sprintf("aof_base_size:%d", a.baseSize),
			fmt.Sprintf("aof_pending_rewrite:%d", b2i(a.scheduled)),
			fmt.Sprintf("aof_buffer_length:%d", len(a.buf)),
			fmt.Sprintf("aof_pending_bio_fsync:%d", b2i(a.fsyncing.Load())),
			fmt.Sprintf("aof_delayed_fsync:%d", a.delayedFsync),
		)
	}
	return lines
}

// registerAOFCommands adds BGREWRITEAOF and DEBUG LOADAOF.
func registerAOFCommands(s *Server, a *AOF) {
	s.Cmds.Add(&commands.Command{Name: "bgrewriteaof", Arity: 1, Flags: commands.ParseCmdFlags("admin noscript no_async_loading"), Group: "server", Since: "1.0.0", Summary: "Asynchronously rewrites the append-only file to disk.", ACL: []string{"admin", "slow", "dangerous"}, Handler: adapt(a.bgrewriteaofCommand)})
	s.RegisterDebug("loadaof", a.debugLoadAOF)
	// Writes (and PING) are refused while the last BGSAVE failed (with
	// stop-writes-on-bgsave-error) or AOF writes fail, before MULTI
	// queues them (processCommand's writeCommandsDeniedByDiskError).
	s.preExec = append([]preExecHook{func(c *Client, cmd *commands.Command, args [][]byte) bool {
		if (a.lastWriteOK || a.state == aofOff) && a.p.lastBgOK {
			return false // the cheap test of every command
		}
		if c.conn == nil || (!s.writeCommand(c, cmd, args) && cmd.FullName != "ping") {
			return false
		}
		msg := s.DiskErrorMessage(c)
		if msg == "" {
			return false
		}
		s.reject(c, cmd, msg)
		return true
	}}, s.preExec...)
	s.RegisterDebug("aof-flush-sleep", func(c *Client, args [][]byte) {
		if len(args) != 3 {
			c.Error("ERR wrong number of arguments for 'aof-flush-sleep'")
			return
		}
		us, err := strconv.ParseInt(string(args[2]), 10, 64)
		if err != nil || us < 0 {
			c.Error(msgNotInt)
			return
		}
		a.flushSleep = time.Duration(us) * time.Microsecond
		c.OK()
	})
}

// bgrewriteaofCommand is BGREWRITEAOF.
func (a *AOF) bgrewriteaofCommand(c *Client, _ [][]byte) {
	switch {
	case a.rw != nil:
		c.Error("ERR Background append only file rewriting already in progress")
	case a.p.bg != nil || c.inExec:
		a.scheduled = true
		a.rewriteFailures = 0
		c.W.SimpleString("Background append only file rewriting scheduled")
	case a.rewriteBackground() == nil:
		c.W.SimpleString("Background append only file rewriting started")
	default:
		c.Error("ERR Can't execute an AOF background rewriting. Please check the server logs for more information.")
	}
}

// debugLoadAOF is DEBUG LOADAOF: flush the AOF, empty the dataset and
// load it again from the AOF directory.
func (a *AOF) debugLoadAOF(c *Client, _ [][]byte) {
	if a.state != aofOff {
		a.flush(true)
	}
	s := a.s
	s.touchWatchedDB(-1)
	s.Keys.FlushAll()
	m, err := a.readManifest()
	if err != nil {
		a.logManifestError(err)
		c.Error("ERR Error trying to load the AOF files, check server logs.")
		return
	}
	a.manifest = m
	a.deleteHistory()
	st := a.loadFiles(m)
	if st != aofLoadOK && st != aofLoadEmpty {
		c.Error("ERR Error trying to load the AOF files, check server logs.")
		return
	}
	s.Keys.Dirty = 0
	s.Log.Noticef("Append Only File loaded by DEBUG LOADAOF")
	c.OK()
}
