package server

// Loading the AOF (Redis's loadAppendOnlyFiles and
// loadSingleAppendOnlyFile): the manifest names a base file and incr
// files; each is read in turn. A file that starts with "REDIS" is an RDB
// image (the base with aof-use-rdb-preamble yes, or an old single-file
// AOF's preamble) loaded with the RDB decoder; what follows is commands,
// run one by one through a fake client, MULTI/EXEC included. A file cut
// short (a crash mid-write) is truncated to its last complete command
// when aof-load-truncated is yes and it is the last file; otherwise the
// load fails and the server exits.

import (
	"bytes"
	"errors"
	"os"
	"strconv"
	"time"

	"github.com/modhost/modhost/keyspace/rdb"
)

// Results of loading AOF files (Redis's AOF_* codes).
type aofLoadStatus int

const (
	aofLoadOK aofLoadStatus = iota
	aofLoadNotExist
	aofLoadEmpty
	aofLoadOpenErr
	aofLoadFailed
	aofLoadTruncated
)

// subLoadingAOFStart is REDISMODULE_SUBEVENT_LOADING_AOF_START.
const subLoadingAOFStart = 1

// readManifest reads the manifest from the directory; a missing
// directory or manifest is an empty manifest (aofLoadManifestFromDisk).
func (a *AOF) readManifest() (*aofManifest, error) {
	if st, err := os.Stat(a.dir()); err != nil || !st.IsDir() {
		return &aofManifest{}, nil
	}
	name := a.prefix() + ".manifest"
	data, err := os.ReadFile(a.path(name))
	if errors.Is(err, os.ErrNotExist) {
		return &aofManifest{}, nil
	}
	if err != nil {
		return nil, logLinef("Fatal error: can't open the AOF manifest file %s for reading: %s", a.path(name), errText(err))
	}
	return parseManifest(data)
}

// logManifestError logs a manifest failure with Redis's lines.
func (a *AOF) logManifestError(err error) {
	var me *manifestError
	if !errors.As(err, &me) {
		a.s.Log.Warningf("%v", err)
		return
	}
	a.s.Log.Warningf("\n*** FATAL AOF MANIFEST FILE ERROR ***\n")
	if me.line != "" {
		a.s.Log.Warningf("Reading the manifest file, at line %d\n", me.lineNum)
		a.s.Log.Warningf(">>> '%s'\n", me.line)
	}
	a.s.Log.Warningf("%s\n", me.msg)
}

// loadAtStartup reads the manifest (always, as Redis does, so that a
// rewrite with appendonly no continues the sequence), loads the AOF when
// appendonly is yes, opens the incr file and drops history files. A
// non-nil error means the server must exit.
func (a *AOF) loadAtStartup() (loaded bool, err error) {
	m, err := a.readManifest()
	if err != nil {
		a.logManifestError(err)
		return false, err
	}
	a.manifest = m
	if !a.s.Config.Bool("appendonly") {
		a.deleteHistory()
		return false, nil
	}
	a.state = aofOn
	start := time.Now()
	st := a.loadFiles(m)
	switch st {
	case aofLoadFailed, aofLoadOpenErr:
		return false, errors.New("AOF loading failed")
	case aofLoadNotExist:
	default:
		a.s.Log.Noticef("DB loaded from append only file: %.3f seconds", time.Since(start).Seconds())
		loaded = true
	}
	if err := a.openOnStart(); err != nil {
		return loaded, err
	}
	a.deleteHistory()
	return loaded, nil
}

// openOnStart is aofOpenIfNeededOnServerStart: with an empty dataset and
// no files a base is written first; then the last incr file is opened
// for appending (created when there is none) and the manifest persisted.
func (a *AOF) openOnStart() error {
	if err := os.MkdirAll(a.dir(), 0o755); err != nil {
		a.s.Log.Warningf("Can't open or create append-only dir %s: %s", a.dir(), errText(err))
		return err
	}
	m := a.manifest
	hadIncr := len(m.incr) > 0
	if m.empty() {
		name := m.newBaseName(a.prefix(), a.s.Config.Bool("aof-use-rdb-preamble"))
		if err := a.rewriteSync(a.path(name)); err != nil {
			return err
		}
		a.s.Log.Noticef("Creating AOF base file %s on server start", name)
	}
	name := m.lastIncrName(a.prefix())
	f, err := os.OpenFile(a.path(name), os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o644)
	if err != nil {
		a.s.Log.Warningf("Can't open the append-only file %s: %s", name, errText(err))
		return err
	}
	a.f = f
	if err := writeManifest(a.dir(), a.prefix(), m); err != nil {
		a.s.Log.Warningf("%v", err)
		return err
	}
	if st, err := f.Stat(); err == nil {
		a.incrSize = st.Size()
	}
	a.incrFsynced = a.incrSize
	if a.baseSize == 0 && m.base != nil {
		a.baseSize = a.fileSize(m.base.name)
	}
	a.curSize = a.totalSize(m)
	if hadIncr {
		a.s.Log.Noticef("Opening AOF incr file %s on server start", name)
	} else {
		a.s.Log.Noticef("Creating AOF incr file %s on server start", name)
	}
	return nil
}

// fileSize returns the size of a file of the directory (0 when missing).
func (a *AOF) fileSize(name string) int64 {
	st, err := os.Stat(a.path(name))
	if err != nil {
		return 0
	}
	return st.Size()
}

// totalSize is the size of the base and incr files of m.
func (a *AOF) totalSize(m *aofManifest) int64 {
	var n int64
	if m.base != nil {
		n += a.fileSize(m.base.name)
	}
	for _, f := range m.incr {
		n += a.fileSize(f.name)
	}
	return n
}

// deleteHistory removes the history files (aofDelHistoryFiles) unless
// aof-disable-auto-gc is set.
func (a *AOF) deleteHistory() {
	m := a.manifest
	if m == nil || len(m.history) == 0 || a.s.Config.Bool("aof-disable-auto-gc") {
		return
	}
	for _, h := range m.history {
		a.s.Log.Noticef("Removing the history file %s in the background", h.name)
		p := a.path(h.name)
		go func() { _ = os.Remove(p) }()
	}
	m.history = nil
	if err := writeManifest(a.dir(), a.prefix(), m); err != nil {
		a.s.Log.Warningf("%v", err)
	}
}

// upgradeOldAOF moves a pre-7.0 single appendonly.aof into the directory
// as its base (aofUpgradePrepare). It is done when the old file exists
// and the directory has no manifest naming other files.
func (a *AOF) upgradeOldAOF(m *aofManifest) error {
	old := a.prefix()
	if st, err := os.Stat(old); err != nil || !st.Mode().IsRegular() {
		return nil
	}
	_, dirErr := os.Stat(a.dir())
	_, inDirErr := os.Stat(a.path(old))
	if !(dirErr != nil || m.empty() ||
		(m.base != nil && len(m.incr) == 0 && m.base.name == old && inDirErr != nil)) {
		return nil
	}
	if err := os.MkdirAll(a.dir(), 0o755); err != nil {
		a.s.Log.Warningf("Can't open or create append-only dir %s: %s", a.dir(), errText(err))
		return err
	}
	m.base = &aofFile{name: old, seq: 1, typ: aofTypeBase}
	m.baseSeq = 1
	if err := writeManifest(a.dir(), a.prefix(), m); err != nil {
		a.s.Log.Warningf("%v", err)
		return err
	}
	if err := os.Rename(old, a.path(old)); err != nil {
		a.s.Log.Warningf("Error trying to move the old AOF file %s into dir %s: %s", old, a.dir(), errText(err))
		return err
	}
	a.s.Log.Noticef("Successfully migrated an old-style AOF file (%s) into the AOF directory (%s).", old, a.dir())
	return nil
}

// loadFiles loads the base and incr files m names (loadAppendOnlyFiles)
// into the keyspace.
func (a *AOF) loadFiles(m *aofManifest) aofLoadStatus {
	if err := a.upgradeOldAOF(m); err != nil {
		return aofLoadFailed
	}
	if m.empty() {
		return aofLoadNotExist
	}
	var names []string
	if m.base != nil {
		names = append(names, m.base.name)
	}
	for _, f := range m.incr {
		names = append(names, f.name)
	}
	var total int64
	for _, n := range names {
		st, err := os.Stat(a.path(n))
		if err != nil {
			a.s.Log.Warningf("Unable to obtain the AOF file %s length. stat: %s", n, errText(err))
			return aofLoadFailed
		}
		total += st.Size()
	}
	if total == 0 {
		return aofLoadEmpty
	}
	a.loading = true
	a.s.prop.loading = true
	a.s.startLoadingLocked(total, subLoadingAOFStart)
	ret := aofLoadOK
	defer func() {
		a.loading = false
		a.s.prop.loading = false
		var err error
		if ret != aofLoadOK && ret != aofLoadTruncated {
			err = errors.New("AOF load failed")
		}
		a.s.stopLoadingLocked(err)
	}()
	a.loadBase = 0
	for i, n := range names {
		last := i == len(names)-1
		start := time.Now()
		ret = a.loadSingle(n, m.base != nil && m.base.name == n && n == a.prefix())
		a.loadBase += a.fileSize(n)
		if ret == aofLoadOK || (ret == aofLoadTruncated && last) {
			kind := "incr"
			if i == 0 && m.base != nil {
				kind = "base"
			}
			a.s.Log.Noticef("DB loaded from %s file %s: %.3f seconds", kind, n, time.Since(start).Seconds())
		}
		if ret == aofLoadEmpty && (i > 0 || m.base == nil) {
			ret = aofLoadOK
		}
		if ret == aofLoadTruncated && !last {
			a.s.Log.Warningf("Fatal error: the truncated file is not the last file")
			ret = aofLoadFailed
		}
		if ret == aofLoadOpenErr || ret == aofLoadFailed {
			return ret
		}
	}
	a.curSize = total
	if m.base != nil {
		a.baseSize = a.fileSize(m.base.name)
	}
	if ret == aofLoadEmpty {
		ret = aofLoadOK
	}
	return ret
}

// loadSingle replays one file of the directory (loadSingleAppendOnlyFile);
// oldStyle is the base of an upgraded single-file AOF.
func (a *AOF) loadSingle(name string, oldStyle bool) aofLoadStatus {
	path := a.path(name)
	data, err := os.ReadFile(path)
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			a.s.Log.Warningf("The append log file %s doesn't exist: %s", name, errText(err))
			return aofLoadNotExist
		}
		a.s.Log.Warningf("Fatal error: can't open the append log file %s for reading: %s", name, errText(err))
		return aofLoadOpenErr
	}
	if len(data) == 0 {
		return aofLoadEmpty
	}
	off := 0
	if bytes.HasPrefix(data, []byte("REDIS")) {
		if oldStyle {
			a.s.Log.Noticef("Reading RDB preamble from AOF file...")
		} else {
			a.s.Log.Noticef("Reading RDB base file on AOF loading...")
		}
		log := a.s.Log
		st, err := rdb.Load(data, a.s.Keys, rdb.LoadOptions{
			Modules:        a.p.ModuleLoader,
			KeyDone:        a.s.loadKeyDone(a.loadBase),
			VerifyChecksum: a.s.Config.Bool("rdbchecksum") && !a.s.skipChecksum,
			Notice:         func(m string) { log.Noticef("%s", m) },
			Warning:        func(m string) { log.Warningf("%s", m) },
		})
		if err != nil {
			a.p.reportLoadError(err)
			if oldStyle {
				a.s.Log.Warningf("Error reading the RDB preamble of the AOF file %s, AOF loading aborted", name)
			} else {
				a.s.Log.Warningf("Error reading the RDB base file %s, AOF loading aborted", name)
			}
			return aofLoadFailed
		}
		off = st.Consumed
		if oldStyle {
			a.s.Log.Noticef("Reading the remaining AOF tail...")
		}
	}
	return a.replay(name, path, data, off)
}

// aofReplayEnd is how a replay stopped early.
type aofReplayEnd int

const (
	replayDone   aofReplayEnd = iota
	replayEOF                 // the file ends inside a command
	replayFormat              // bad protocol
)

// replay runs the commands of data from off through a fake client.
func (a *AOF) replay(name, path string, data []byte, off int) aofLoadStatus {
	s := a.s
	c := s.NewFakeClient()
	c.allowBlock = false
	defer s.ReleaseFake(c)
	validUpTo, validBeforeMulti := off, off
	end := replayDone
	pos := off
	for loops := 0; pos < len(data); loops++ {
		if loops%1024 == 0 && s.load.on { // as loadSingleAppendOnlyFile
			s.serveWhileLoadingLocked(a.loadBase+int64(pos), true)
		}
		line, next, ok := aofLine(data, pos)
		if !ok {
			end = replayEOF
			break
		}
		if line[0] == '#' { // annotations (#TS:...)
			pos = next
			continue
		}
		if line[0] != '*' {
			end = replayFormat
			break
		}
		argc, _ := strconv.Atoi(string(bytes.TrimRight(line[1:], "\r")))
		if argc < 1 {
			end = replayFormat
			break
		}
		pos = next
		args := make([][]byte, 0, argc)
		for j := 0; j < argc && end == replayDone; j++ {
			l, nx, ok := aofLine(data, pos)
			switch {
			case !ok:
				end = replayEOF
			case l[0] != '$':
				end = replayFormat
			default:
				n, _ := strconv.Atoi(string(bytes.TrimRight(l[1:], "\r")))
				if n < 0 || nx+n+2 > len(data) {
					end = replayEOF
					break
				}
				args = append(args, data[nx:nx+n])
				pos = nx + n + 2
			}
		}
		if end != replayDone {
			break
		}
		cmd, found := s.Cmds.Resolve(args)
		if cmd == nil || !found {
			s.Log.Warningf("Unknown command '%s' reading the append only file %s", args[0], name)
			return aofLoadFailed
		}
		if cmd.FullName == "multi" {
			validBeforeMulti = validUpTo
		}
		if c.tx != nil && cmd.FullName != "exec" && cmd.FullName != "multi" {
			cp := make([][]byte, len(args))
			for i, x := range args {
				cp[i] = append([]byte(nil), x...)
			}
			c.tx.queue = append(c.tx.queue, cp)
			c.tx.cmds = append(c.tx.cmds, cmd)
		} else {
			s.call(c, cmd, args)
			if c.errs > 0 {
				a.errorWhileLoading(c, cmd.FullName)
			}
		}
		c.W.Reset()
		s.loadDelay()
		validUpTo = pos
	}
	if end == replayDone && c.tx != nil {
		s.Log.Warningf("Revert incomplete MULTI/EXEC transaction in AOF file %s", name)
		c.tx = nil
		validUpTo = validBeforeMulti
		end = replayEOF
	}
	switch end {
	case replayFormat:
		s.Log.Warningf("Bad file format reading the append only file %s: make a backup of your AOF file, then use ./redis-check-aof --fix <filename.manifest>", name)
		return aofLoadFailed
	case replayEOF:
		if s.Config.Bool("aof-load-truncated") {
			s.Log.Warningf("!!! Warning: short read while loading the AOF file %s!!!", name)
			s.Log.Warningf("!!! Truncating the AOF %s at offset %d !!!", name, validUpTo)
			if err := os.Truncate(path, int64(validUpTo)); err != nil {
				s.Log.Warningf("Error truncating the AOF file %s: %s", name, errText(err))
			} else {
				s.Log.Warningf("AOF %s loaded anyway because aof-load-truncated is enabled", name)
				return aofLoadTruncated
			}
		}
		s.Log.Warningf("Unexpected end of file reading the append only file %s. You can: "+
			"1) Make a backup of your AOF file, then use ./redis-check-aof --fix <filename.manifest>. "+
			"2) Alternatively you can set the 'aof-load-truncated' configuration option to yes and restart the server.", name)
		return aofLoadFailed
	}
	return aofLoadOK
}

// errorWhileLoading reports an error reply to the AOF-loading client
// (afterErrorReply): logged, and fatal with propagation-error-behavior
// panic.
func (a *AOF) errorWhileLoading(c *Client, cmdName string) {
	msg := c.W.Buf
	if i := bytes.IndexByte(msg, '-'); i >= 0 {
		msg = msg[i+1:]
	}
	if i := bytes.Index(msg, []byte("\r\n")); i >= 0 {
		msg = msg[:i]
	}
	// Redis logs the text given to addReplyError: without "ERR ", and
	// with its "-" when the error has another code.
	if bytes.HasPrefix(msg, []byte("ERR ")) {
		msg = msg[4:]
	} else {
		msg = append([]byte("-"), msg...)
	}
	if len(msg) > 4096 {
		msg = msg[:4096]
	}
	a.s.Log.Warningf("== CRITICAL == This server is sending an error to its AOF-loading-client: '%s' after processing the command '%s'", msg, cmdName)
	if a.s.Config.String("propagation-error-behavior") == "panic" {
		a.s.Log.Warningf("Guru Meditation: This server panicked sending an error to its AOF-loading-client after processing the command '%s'", cmdName)
		os.Exit(1)
	}
}

// aofLine returns the line at pos (without its '\n') and where the next
// one starts, as fgets reads it; ok is false when the file ends before
// the newline.
func aofLine(data []byte, pos int) (line []byte, next int, ok bool) {
	i := bytes.IndexByte(data[pos:], '\n')
	if i < 0 {
		return nil, len(data), false
	}
	line = data[pos : pos+i]
	if len(line) == 0 {
		line = []byte{'\n'}
	}
	return line, pos + i + 1, true
}
