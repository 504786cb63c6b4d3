package server

// The multi-part AOF's manifest (Redis 7.0+): one line per file of the
// append-only directory, "file <name> seq <n> type <b|h|i>", the base
// first, then history files, then incremental files in sequence order.
// Files are named <appendfilename>.<seq>.base.rdb|aof and
// <appendfilename>.<seq>.incr.aof; the manifest is
// <appendfilename>.manifest and is replaced atomically (temp file, fsync,
// rename, fsync of the directory).

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// AOF file types as the manifest spells them.
const (
	aofTypeBase = 'b'
	aofTypeHist = 'h'
	aofTypeIncr = 'i'
)

// aofFile is one line of the manifest.
type aofFile struct {
	name string
	seq  int64
	typ  byte
}

// aofManifest is the set of files the AOF is made of.
type aofManifest struct {
	base    *aofFile
	incr    []aofFile
	history []aofFile
	baseSeq int64 // sequence of the last base file created
	incrSeq int64 // sequence of the last incr file created
}

// clone returns a deep copy, to be modified and swapped in on success.
func (m *aofManifest) clone() *aofManifest {
	c := &aofManifest{baseSeq: m.baseSeq, incrSeq: m.incrSeq}
	if m.base != nil {
		b := *m.base
		c.base = &b
	}
	c.incr = append([]aofFile(nil), m.incr...)
	c.history = append([]aofFile(nil), m.history...)
	return c
}

// empty reports whether the manifest names no base and no incr file.
func (m *aofManifest) empty() bool { return m.base == nil && len(m.incr) == 0 }

// String formats the manifest as Redis writes it.
func (m *aofManifest) String() string {
	var sb strings.Builder
	line := func(f aofFile) {
		name := f.name
		if needsRepr(name) {
			name = reprString(name)
		}
		fmt.Fprintf(&sb, "file %s seq %d type %c\n", name, f.seq, f.typ)
	}
	if m.base != nil {
		line(*m.base)
	}
	for _, f := range m.history {
		line(f)
	}
	for _, f := range m.incr {
		line(f)
	}
	return sb.String()
}

// needsRepr is sdsneedsrepr: names with spaces, quotes or unprintable
// bytes are written quoted.
func needsRepr(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c == '\\' || c == '"' || c == '\n' || c == '\r' || c == '\t' || c == '\a' || c == '\b' || c < 32 || c > 126 || c == ' ' {
			return true
		}
	}
	return false
}

// reprString is sdscatrepr: a double-quoted, escaped string.
func reprString(s string) string {
	var b strings.Builder
	b.WriteByte('"')
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch c {
		case '\\', '"':
			b.WriteByte('\\')
			b.WriteByte(c)
		case '\n':
			b.WriteString("\\n")
		case '\r':
			b.WriteString("\\r")
		case '\t':
			b.WriteString("\\t")
		case '\a':
			b.WriteString("\\a")
		case '\b':
			b.WriteString("\\b")
		default:
			if c < 32 || c > 126 {
				fmt.Fprintf(&b, "\\x%02x", c)
			} else {
				b.WriteByte(c)
			}
		}
	}
	b.WriteByte('"')
	return b.String()
}

// manifestError is a fatal manifest problem, reported with Redis's lines.
type manifestError struct {
	line    string
	lineNum int
	msg     string
}

func (e *manifestError) Error() string { return e.msg }

// parseManifest reads a manifest as aofLoadManifestFromFile does.
func parseManifest(data []byte) (*aofManifest, error) {
	m := &aofManifest{}
	if len(data) == 0 {
		return nil, &manifestError{msg: "Found an empty AOF manifest"}
	}
	var maxSeq int64
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(make([]byte, 0, 2048), 1<<20)
	n := 0
	rest := data
	for sc.Scan() {
		raw := sc.Text()
		n++
		nl := bytes.IndexByte(rest, '\n')
		if nl >= 0 {
			rest = rest[nl+1:]
		}
		if strings.HasPrefix(raw, "#") {
			continue
		}
		if nl < 0 || len(raw) > 1024 {
			return nil, &manifestError{msg: "The AOF manifest file contains too long line", lineNum: n}
		}
		line := strings.Trim(raw, " \t\r\n")
		bad := &manifestError{line: line, lineNum: n, msg: "Invalid AOF manifest file format"}
		if line == "" {
			return nil, bad
		}
		argv, ok := splitArgs(line)
		if !ok || len(argv) < 6 || len(argv)%2 != 0 {
			return nil, bad
		}
		var f aofFile
		for i := 0; i < len(argv); i += 2 {
			switch strings.ToLower(argv[i]) {
			case "file":
				f.name = argv[i+1]
				if filepath.Base(f.name) != f.name || strings.ContainsRune(f.name, '/') {
					return nil, &manifestError{line: line, lineNum: n, msg: "File can't be a path, just a filename"}
				}
			case "seq":
				f.seq, _ = strconv.ParseInt(argv[i+1], 10, 64)
			case "type":
				if argv[i+1] != "" {
					f.typ = argv[i+1][0]
				}
			}
		}
		if f.name == "" || f.seq == 0 || f.typ == 0 {
			return nil, bad
		}
		switch f.typ {
		case aofTypeBase:
			if m.base != nil {
				return nil, &manifestError{line: line, lineNum: n, msg: "Found duplicate base file information"}
			}
			b := f
			m.base = &b
			m.baseSeq = f.seq
		case aofTypeHist:
			m.history = append(m.history, f)
		case aofTypeIncr:
			if f.seq <= maxSeq {
				return nil, &manifestError{line: line, lineNum: n, msg: "Found a non-monotonic sequence number"}
			}
			m.incr = append(m.incr, f)
			m.incrSeq, maxSeq = f.seq, f.seq
		default:
			return nil, &manifestError{line: line, lineNum: n, msg: "Unknown AOF file type"}
		}
	}
	return m, nil
}

// splitArgs is sdssplitargs for the manifest: space separated words,
// double-quoted ones with C escapes.
func splitArgs(line string) ([]string, bool) {
	var out []string
	i := 0
	for {
		for i < len(line) && (line[i] == ' ' || line[i] == '\t') {
			i++
		}
		if i >= len(line) {
			return out, true
		}
		var w strings.Builder
		if line[i] == '"' {
			i++
			closed := false
			for i < len(line) {
				c := line[i]
				if c == '\\' && i+1 < len(line) {
					i++
					switch line[i] {
					case 'n':
						w.WriteByte('\n')
					case 'r':
						w.WriteByte('\r')
					case 't':
						w.WriteByte('\t')
					case 'a':
						w.WriteByte('\a')
					case 'b':
						w.WriteByte('\b')
					case 'x':
						if i+2 < len(line) {
							if v, err := strconv.ParseUint(line[i+1:i+3], 16, 8); err == nil {
								w.WriteByte(byte(v))
								i += 2
								break
							}
						}
						w.WriteByte('x')
					default:
						w.WriteByte(line[i])
					}
					i++
					continue
				}
				if c == '"' {
					closed = true
					i++
					break
				}
				w.WriteByte(c)
				i++
			}
			if !closed || (i < len(line) && line[i] != ' ' && line[i] != '\t') {
				return nil, false
			}
		} else {
			for i < len(line) && line[i] != ' ' && line[i] != '\t' {
				w.WriteByte(line[i])
				i++
			}
		}
		out = append(out, w.String())
	}
}

// newBaseName marks the current base (if any) as history and names a new
// one (getNewBaseFileNameAndMarkPreAsHistory).
func (m *aofManifest) newBaseName(prefix string, rdbPreamble bool) string {
	if m.base != nil {
		h := *m.base
		h.typ = aofTypeHist
		m.history = append([]aofFile{h}, m.history...)
	}
	ext := ".aof"
	if rdbPreamble {
		ext = ".rdb"
	}
	m.baseSeq++
	m.base = &aofFile{name: fmt.Sprintf("%s.%d.base%s", prefix, m.baseSeq, ext), seq: m.baseSeq, typ: aofTypeBase}
	return m.base.name
}

// newIncrName adds a new incr file (getNewIncrAofName).
func (m *aofManifest) newIncrName(prefix string) string {
	m.incrSeq++
	f := aofFile{name: fmt.Sprintf("%s.%d.incr.aof", prefix, m.incrSeq), seq: m.incrSeq, typ: aofTypeIncr}
	m.incr = append(m.incr, f)
	return f.name
}

// lastIncrName returns the last incr file, adding one when there is none.
func (m *aofManifest) lastIncrName(prefix string) string {
	if len(m.incr) == 0 {
		return m.newIncrName(prefix)
	}
	return m.incr[len(m.incr)-1].name
}

// markRewrittenIncrAsHistory moves the incr files a rewrite covered to the
// history, keeping the one being written when the AOF is on.
func (m *aofManifest) markRewrittenIncrAsHistory(keepLast bool) {
	n := len(m.incr)
	if keepLast && n > 0 {
		n--
	}
	for i := n - 1; i >= 0; i-- {
		h := m.incr[i]
		h.typ = aofTypeHist
		m.history = append([]aofFile{h}, m.history...)
	}
	m.incr = append([]aofFile(nil), m.incr[n:]...)
}

// writeManifest replaces dir/<prefix>.manifest with m (writeAofManifestFile).
func writeManifest(dir, prefix string, m *aofManifest) error {
	final := filepath.Join(dir, prefix+".manifest")
	tmpName := "temp-" + prefix + ".manifest"
	tmp := filepath.Join(dir, tmpName)
	f, err := os.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o644)
	if err != nil {
		return logLinef("Can't open the AOF manifest file %s: %s", tmpName, errText(err))
	}
	defer f.Close()
	if _, err := f.WriteString(m.String()); err != nil {
		return logLinef("Error trying to write the temporary AOF manifest file %s: %s", tmpName, errText(err))
	}
	if err := f.Sync(); err != nil {
		return logLinef("Fail to fsync the temp AOF file %s: %s.", tmpName, errText(err))
	}
	if err := os.Rename(tmp, final); err != nil {
		return logLinef("Error trying to rename the temporary AOF manifest file %s into %s: %s", tmpName, prefix+".manifest", errText(err))
	}
	return syncDir(dir)
}

// logLine is an error whose text is a Redis log line (or reply), kept
// verbatim.
type logLine string

func (l logLine) Error() string { return string(l) }

// logLinef formats a logLine.
func logLinef(format string, args ...any) error { return logLine(fmt.Sprintf(format, args...)) }

// syncDir fsyncs a directory so that renames and new files in it last.
func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	if err := d.Sync(); err != nil && !errors.Is(err, os.ErrInvalid) {
		return err
	}
	return nil
}
